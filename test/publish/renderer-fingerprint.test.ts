/** A build made by another renderer is rebuilt, not skipped as unchanged (issue 3: content-hash rebuilds). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rendererFingerprint } from '../../src/publish/renderer-fingerprint.ts';
import { issueText, ROOT, tempProject } from '../support/fixtures.ts';

test('renderer fingerprint: from source it is a stable hash of the code', () => {
  assert.match(rendererFingerprint(), /^[0-9a-f]{64}$/);
  assert.equal(rendererFingerprint(), rendererFingerprint());
});

test('renderer fingerprint: a different renderer rebuilds every issue, the same one skips them', (t) => {
  // A private copy of the installed CLI, so changing its fingerprint touches no other test.
  const install = mkdtempSync(join(tmpdir(), 'nl-cli-'));
  t.after(() => rmSync(install, { recursive: true, force: true }));
  cpSync(join(ROOT, 'bin'), join(install, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'lib'), join(install, 'lib'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'));
  const project = tempProject({
    'issues/2026-10-01-one.md': issueText('One.'),
    'issues/2026-10-02-two.md': issueText('Two.', 'title: Two\ndate: 2026-10-02'),
  });
  t.after(project.cleanup);
  const build = () => {
    const run = spawnSync(process.execPath, [join(install, 'bin', 'newsletter.cjs'), 'build'], { cwd: project.dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    return run.stdout.trim().split('\n').at(-1)!;
  };
  assert.match(build(), /^2 built, 0 unchanged/);
  assert.match(build(), /^0 built, 2 unchanged/);
  writeFileSync(join(install, 'lib', 'renderer-fingerprint.txt'), 'another renderer\n');
  assert.match(build(), /^2 built, 0 unchanged/);
  assert.match(build(), /^0 built, 2 unchanged/);
});
