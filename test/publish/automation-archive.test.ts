/** Issues a sequence sends (issue 17) are mail for one reader at a time: built as email, never listed on the web. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/publish/build.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

const ISSUES = {
  'issues/2026-10-01-first.md': issueText('A regular issue.', 'title: Regular Kestrel Issue\ndate: 2026-10-01\nstatus: ready'),
  'issues/welcome.md': issueText('Glad you are here.', 'title: Welcome Heron Note\ndate: 2026-10-01\nstatus: ready'),
  'issues/step-two.md': issueText('Day three.', 'title: Second Step Plover\ndate: 2026-10-02\nstatus: ready'),
};

const AUTOMATIONS = `
automations:
  welcome: issues/welcome.md
  sequences:
    - id: onboarding
      trigger: confirmed
      steps:
        - issue: issues/step-two.md
          delay: 3d
`;

const listings = (dir: string) => ['index.html', 'feed.xml', 'sitemap.xml'].map((f) => readFileSync(join(dir, 'dist/web', f), 'utf8')).join('\n');

test('an issue named by a sequence step stays out of the archive index, feed and sitemap; its email is still built', async (t) => {
  const dir = projectFor(t, ISSUES);
  appendFileSync(join(dir, 'newsletter.yaml'), AUTOMATIONS);
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, true, JSON.stringify(report.issues.map((i) => i.diagnostics)));
  const listed = listings(dir);
  assert.match(listed, /Regular Kestrel Issue/);
  assert.doesNotMatch(listed, /Welcome Heron Note/);
  assert.doesNotMatch(listed, /Second Step Plover/);
  assert.doesNotMatch(listed, /\/welcome\/|\/step-two\//);
  for (const slug of ['welcome', 'step-two']) {
    assert.ok(readdirSync(join(dir, 'dist', slug)).some((f) => f.endsWith('.html')), `dist/${slug}/ holds the built email`);
  }
});

test('the same issues without automations: are listed (so the test above shows the config at work)', async (t) => {
  const dir = projectFor(t, ISSUES);
  await build({ root: dir, files: [], outDir: 'dist' });
  const listed = listings(dir);
  assert.match(listed, /Welcome Heron Note/);
  assert.match(listed, /Second Step Plover/);
  assert.ok(existsSync(join(dir, 'dist/web/index.html')));
});
