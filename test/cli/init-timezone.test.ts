/** `newsletter init` writes the machine's time zone (issue 17), and the new project still checks clean. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/fixtures.ts';

test('init: newsletter.yaml gets timezone: from the machine (TZ), and check passes there', (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'nl-init-tz-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const made = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'init', 'letter'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TZ: 'America/Sao_Paulo' } });
  assert.equal(made.status, 0, made.stderr);
  assert.match(readFileSync(join(dir, 'letter', 'newsletter.yaml'), 'utf8'), /^timezone: America\/Sao_Paulo$/m);
  const check = runCli(['check'], join(dir, 'letter'));
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
