/**
 * Symbolic links under `issues/` (issue 12, finding 14): never followed by build, check, preview or send, so a file
 * outside `issues/` is never published; each says which file and why.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/publish/build.ts';
import { Workspace } from '../../src/preview/workspace.ts';
import { issueText, projectFor, runCli } from '../support/fixtures.ts';

const REAL = 'issues/2026-10-01-real.md';
const LINKED = 'issues/2026-10-02-linked.md';

/** A project with one real issue and one that is a link to an issue-shaped file outside `issues/`. */
function project(t: TestContext): string {
  const dir = projectFor(t, {
    [REAL]: issueText('A real issue.', 'title: Real\ndate: 2026-10-01\nstatus: ready'),
    'outside/private.md': issueText('OUTSIDE-SECRET notes that must never be published.', 'title: Private\ndate: 2026-10-02\nstatus: ready'),
  });
  symlinkSync(join(dir, 'outside', 'private.md'), join(dir, LINKED));
  return dir;
}

/** Every file's text under `dir`, recursively. */
function allText(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'latin1'))
    .join('\n');
}

test('build refuses an issue file that is a symbolic link, naming it, and publishes nothing of what it points at', async (t) => {
  const dir = project(t);
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, false);
  const real = report.issues.find((i) => i.file === REAL);
  assert.equal(real?.ok, true, 'the other issues build');
  const linked = report.issues.find((i) => i.file === LINKED);
  assert.ok(linked, JSON.stringify(report.issues));
  assert.equal(linked.ok, false);
  assert.deepEqual(
    linked.diagnostics.map((d) => [d.file, d.severity, d.rule]),
    [[LINKED, 'error', 'build/symlink']],
  );
  assert.match(linked.diagnostics[0]!.message, /issues\/2026-10-02-linked\.md is a symbolic link/);
  assert.doesNotMatch(linked.diagnostics[0]!.message, new RegExp(dir), 'no absolute path');
  assert.doesNotMatch(allText(join(dir, 'dist')), /OUTSIDE-SECRET|Private/);
  // Named on the command line, too.
  const named = await build({ root: dir, files: [LINKED], outDir: 'dist' });
  assert.equal(named.issues[0]?.diagnostics[0]?.rule, 'build/symlink');
});

test('check refuses it with file:line severity rule message; send refuses it by file or slug and sends nothing', (t) => {
  const dir = project(t);
  const check = runCli(['check'], dir);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^issues\/2026-10-02-linked\.md:0 error build\/symlink cannot read the issue: issues\/2026-10-02-linked\.md is a symbolic link/m);
  assert.doesNotMatch(check.stdout + check.stderr, /OUTSIDE-SECRET/);
  for (const name of [LINKED, 'linked']) {
    const send = runCli(['send', name, '--test', 'a@example.net'], dir);
    assert.equal(send.status, 1, send.stdout + send.stderr);
    assert.match(send.stderr, /issues\/2026-10-02-linked\.md:0 error build\/symlink .*symbolic link/);
    assert.equal(existsSync(join(dir, 'dist', 'outbox')), false, 'nothing sent');
  }
});

test('preview shows the refusal on the linked issue instead of rendering what it points at', async (t) => {
  const dir = project(t);
  const workspace = new Workspace(dir);
  await workspace.load();
  assert.deepEqual(workspace.files(), [REAL, LINKED].sort());
  const view = await workspace.view(LINKED);
  assert.ok(view);
  assert.equal(view.rendered, null);
  assert.deepEqual(view.diagnostics.map((d) => [d.file, d.rule]), [[LINKED, 'build/symlink']]);
  assert.equal(workspace.source(LINKED), '');
  assert.ok((await workspace.view(REAL))?.rendered, 'the real issue renders');
});

test('images under issues/ that are symbolic links are never copied; build and check warn about each', async (t) => {
  const dir = projectFor(t, {
    [REAL]: issueText('A chart: ![A chart](images/chart.png)', 'title: Real\ndate: 2026-10-01\nstatus: ready'),
    'outside/chart.png': 'OUTSIDE-SECRET image bytes',
    'outside/folder/photo.png': 'OUTSIDE-SECRET photo',
  });
  mkdirSync(join(dir, 'issues', 'images'), { recursive: true });
  symlinkSync(join(dir, 'outside', 'chart.png'), join(dir, 'issues', 'images', 'chart.png'));
  symlinkSync(join(dir, 'outside', 'folder'), join(dir, 'issues', 'real'));
  writeFileSync(join(dir, 'issues', 'images', 'plain.png'), 'plain');
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, false, 'the issue cannot use the linked image');
  assert.deepEqual(
    report.diagnostics.map((d) => [d.file, d.severity, d.rule]),
    [['issues/images/chart.png', 'warning', 'build/symlink'], ['issues/real', 'warning', 'build/symlink']],
  );
  assert.match(report.diagnostics[0]!.message, /symbolic link/);
  assert.equal(report.issues[0]?.diagnostics.find((d) => d.rule === 'images/missing')?.file, REAL);
  assert.doesNotMatch(allText(join(dir, 'dist')), /OUTSIDE-SECRET/);
  const check = runCli(['check'], dir);
  assert.match(check.stdout, /^issues\/images\/chart\.png:0 warning build\/symlink /m);
});
