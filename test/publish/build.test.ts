import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/publish/build.ts';
import { issueText, tempProject } from '../support/fixtures.ts';

const OUTPUTS = ['email.html', 'email.mjml', 'email.txt', 'meta.json'];

/** Three issues with quotes, a table, Unicode and a merge tag: enough to tell two renderers apart. */
const ISSUES: Record<string, string> = {
  'issues/2026-10-01-first.md': issueText(
    'Hello {{subscriber.name}}, the council met on Tuesday.\n\n> We did not set out to avoid anybody.\n\n| Year | Cameras |\n| --- | --- |\n| 2023 | 24 |\n| 2026 | 400 |',
    'title: First issue\ndate: 2026-10-01\nstatus: ready\npreheader: The council met on Tuesday.',
  ),
  'issues/2026-10-08-second.md': issueText(
    'Привет, “readers” 📬. A [link](https://example.org/records) and a list:\n\n1. one\n2. two\n   - nested',
    'title: Second issue\ndate: 2026-10-08\nstatus: ready\npreheader: Letters, lists and links.',
  ),
  'issues/2026-10-15-third.md': issueText(
    '## A heading\n\nSome `code` and a rule.\n\n---\n\nThe end.',
    'title: Third issue\ndate: 2026-10-15\nsubtitle: With a subtitle\npreheader: Headings and rules.',
  ),
};

const SLUGS = ['first', 'second', 'third'];

test('build() on worker threads writes the same bytes as the in-process build', async (t) => {
  const inProcess = tempProject(ISSUES);
  const threaded = tempProject(ISSUES);
  t.after(inProcess.cleanup);
  t.after(threaded.cleanup);

  const a = await build({ root: inProcess.dir, files: [], outDir: 'dist', workers: false });
  const b = await build({ root: threaded.dir, files: [], outDir: 'dist', workers: true });
  assert.equal(a.ok, true, JSON.stringify(a, null, 2));
  assert.equal(b.ok, true, JSON.stringify(b, null, 2));
  assert.deepEqual(
    b.issues.map((i) => [i.file, i.slug, i.ok, i.skipped]),
    a.issues.map((i) => [i.file, i.slug, i.ok, i.skipped]),
  );
  assert.deepEqual(b.issues.map((i) => i.slug), SLUGS);
  for (const slug of SLUGS) {
    for (const name of OUTPUTS) {
      const fromWorker = readFileSync(join(threaded.dir, 'dist', slug, name));
      const fromMain = readFileSync(join(inProcess.dir, 'dist', slug, name));
      assert.ok(fromMain.length > 0, `${slug}/${name} is not empty`);
      assert.ok(fromWorker.equals(fromMain), `${slug}/${name} differs between the worker and in-process builds`);
    }
    assert.deepEqual(readdirSync(join(threaded.dir, 'dist', slug)).filter((n) => !n.startsWith('web')).sort(), OUTPUTS);
  }
  // The worker build also records its manifest, so the next build skips everything.
  const again = await build({ root: threaded.dir, files: [], outDir: 'dist', workers: true });
  assert.deepEqual(again.issues.map((i) => i.skipped), [true, true, true]);
});

test('build() on worker threads reports a bad issue with its line and still builds the others', async (t) => {
  const { dir, cleanup } = tempProject({
    ...ISSUES,
    'issues/2026-10-22-bad.md': issueText('No title.', 'date: 2026-10-22\nstatus: ready'),
  });
  t.after(cleanup);
  const report = await build({ root: dir, files: [], outDir: 'dist', workers: true });
  assert.equal(report.ok, false);
  const bad = report.issues.find((i) => i.file === 'issues/2026-10-22-bad.md');
  assert.ok(bad);
  assert.equal(bad.ok, false);
  assert.ok(bad.diagnostics.some((d) => d.severity === 'error' && d.line > 0 && d.field === 'title'), JSON.stringify(bad.diagnostics));
  for (const slug of SLUGS) assert.ok(existsSync(join(dir, 'dist', slug, 'meta.json')), `${slug} was built`);
  assert.equal(existsSync(join(dir, 'dist', 'bad')), false);
});

test('build() reports the bytes of the written files in meta.json, counting UTF-8 bytes, not characters', async (t) => {
  const { dir, cleanup } = tempProject({ 'issues/2026-10-08-second.md': ISSUES['issues/2026-10-08-second.md']! });
  t.after(cleanup);
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, true);
  const out = join(dir, 'dist', 'second');
  const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as { bytes: Record<string, number> };
  assert.deepEqual(meta.bytes, {
    html: readFileSync(join(out, 'email.html')).length,
    text: readFileSync(join(out, 'email.txt')).length,
    mjml: readFileSync(join(out, 'email.mjml')).length,
  });
});

test('build() skips an issue whose manifest entry matches but re-renders it once its meta.json is gone', async (t) => {
  const { dir, cleanup } = tempProject(ISSUES);
  t.after(cleanup);
  await build({ root: dir, files: [], outDir: 'dist' });
  writeFileSync(join(dir, 'dist', 'second', 'meta.json'), '');
  const kept = await build({ root: dir, files: [], outDir: 'dist' });
  assert.deepEqual(kept.issues.map((i) => i.skipped), [true, true, true]);

  const { rmSync } = await import('node:fs');
  rmSync(join(dir, 'dist', 'second', 'meta.json'));
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.deepEqual(report.issues.map((i) => [i.slug, i.skipped]), [['first', true], ['second', false], ['third', true]]);
  assert.ok(existsSync(join(dir, 'dist', 'second', 'meta.json')));
});
