/** `newsletter check` reports sequence steps that cannot be sent (issue 17), on newsletter.yaml at the step's line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueText, runCli, tempProject } from '../support/fixtures.ts';

const ISSUES = {
  'issues/2026-10-01-regular.md': issueText('A regular issue.', 'title: Regular\ndate: 2026-10-01\nstatus: ready\npreheader: Hello.'),
  'issues/welcome.md': issueText('Welcome aboard.', 'title: Welcome\ndate: 2026-10-01\nstatus: ready\npreheader: Hello.'),
  'issues/step-two.md': issueText('Day three.', 'title: Step two\ndate: 2026-10-01\npreheader: Hello.'),
};

const automations = `
automations:
  welcome: issues/welcome.md
  sequences:
    - id: onboarding
      trigger: confirmed
      steps:
        - issue: issues/step-two.md
          delay: 3d
        - issue: issues/gone.md
          delay: 1w
`;

test('check: a draft step and a missing step are errors at their config lines, and check fails', (t) => {
  const { dir, cleanup } = tempProject(ISSUES);
  t.after(cleanup);
  const before = readFileSync(join(dir, 'newsletter.yaml'), 'utf8').split('\n').length - 1;
  appendFileSync(join(dir, 'newsletter.yaml'), automations);
  // The appended text starts with a blank line; "- issue: issues/step-two.md" is its 8th line.
  const stepTwo = before + 8;
  const run = runCli(['check'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.ok(lines.includes(`newsletter.yaml:${stepTwo} error automations/draft-issue sequence "onboarding", step 1: issues/step-two.md is "status: draft"; a sequence sends only ready issues, so set "status: ready" in it`), run.stdout);
  assert.ok(lines.includes(`newsletter.yaml:${stepTwo + 2} error automations/missing-issue sequence "onboarding", step 2: issues/gone.md does not exist`), run.stdout);
  assert.ok(!run.stdout.includes('welcome'), 'a ready welcome issue is fine');
});

test('check: the same project with ready step issues passes', (t) => {
  const { dir, cleanup } = tempProject({ ...ISSUES, 'issues/step-two.md': ISSUES['issues/step-two.md'].replace('date: 2026-10-01', 'date: 2026-10-01\nstatus: ready'), 'issues/gone.md': ISSUES['issues/welcome.md'] });
  t.after(cleanup);
  appendFileSync(join(dir, 'newsletter.yaml'), automations);
  const run = runCli(['check'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('check: a bad delay in the config is reported at its line in the usual style', (t) => {
  const { dir, cleanup } = tempProject(ISSUES);
  t.after(cleanup);
  const before = readFileSync(join(dir, 'newsletter.yaml'), 'utf8').split('\n').length - 1;
  appendFileSync(join(dir, 'newsletter.yaml'), automations.replace('delay: 3d', 'delay: 3 days'));
  const run = runCli(['check'], dir);
  assert.notEqual(run.status, 0);
  assert.match(run.stdout + run.stderr, new RegExp(`newsletter\\.yaml:${before + 9} error config/key "automations\\.sequences\\.0\\.steps\\.0\\.delay" must be a duration`));
});
