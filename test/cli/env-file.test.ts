/**
 * The project's `.env` (issue 14): read by every command, from any folder of the project; the environment wins over
 * it; a missing secret says how to make one and where it goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEnvFile } from '../../src/config/env-file.ts';
import { issueText, projectFor, ROOT } from '../support/fixtures.ts';

const READY = 'issues/2026-10-15-two.md';
const SECRET = 'a-secret-from-the-env-file-0123456789abcdef';

/** The real CLI in `cwd`, with none of the variables a .env could set inherited from the test runner. */
function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const { NEWSLETTER_DB: _db, NEWSLETTER_SECRET: _secret, SMTP_URL: _smtp, ...rest } = process.env;
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...rest, NEWSLETTER_INBOX_PORT: '1', ...env },
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

function project(t: Parameters<typeof projectFor>[0], envFile?: string | Buffer): string {
  const dir = projectFor(t, { [READY]: issueText('Two.', 'title: Two\ndate: 2026-10-15\nstatus: ready') });
  if (envFile !== undefined) writeFileSync(join(dir, '.env'), envFile);
  return dir;
}

test('.env: its variables are used, from the project folder and from a subfolder', (t) => {
  const dir = project(t, '# the list lives elsewhere\nNEWSLETTER_DB="lists/readers.db"\n');
  assert.equal(cli(join(dir, 'issues'), ['subscribers', 'add', 'a@example.org', '--confirmed']).status, 0);
  assert.equal(existsSync(join(dir, 'lists', 'readers.db')), true, 'the database .env names');
  assert.equal(existsSync(join(dir, 'data', 'newsletter.db')), false, 'not the default one');
  assert.match(cli(dir, ['subscribers', 'count']).out, /^total\s+1$/m);
});

test('.env: a variable set in the environment wins over the file', (t) => {
  const dir = project(t, 'NEWSLETTER_DB=lists/from-file.db\n');
  assert.equal(cli(dir, ['subscribers', 'add', 'a@example.org'], { NEWSLETTER_DB: 'lists/from-env.db' }).status, 0);
  assert.equal(existsSync(join(dir, 'lists', 'from-env.db')), true);
  assert.equal(existsSync(join(dir, 'lists', 'from-file.db')), false);
});

test('.env: without NEWSLETTER_SECRET, send says how to make one and where to put it; with it in .env, the send goes ahead', (t) => {
  const dir = project(t);
  assert.equal(cli(dir, ['subscribers', 'add', 'a@example.org', '--confirmed']).status, 0);
  const refused = cli(dir, ['send', 'two', '--dry-run']);
  assert.notEqual(refused.status, 0);
  assert.match(refused.err, /NEWSLETTER_SECRET is not set: make one with `openssl rand -hex 32` and put it in the project's \.env file/);
  writeFileSync(join(dir, '.env'), `NEWSLETTER_SECRET=${SECRET}\n`);
  const planned = cli(dir, ['send', 'two', '--dry-run']);
  assert.equal(planned.status, 0, planned.err);
  assert.match(planned.out + planned.err, /Recipients:\s+1 active subscriber/);
  assert.ok(!(planned.out + planned.err).includes(SECRET), 'the secret is never printed');
});

test('.env: a file that is not UTF-8 stops the command, naming the file and the line', (t) => {
  const dir = project(t, Buffer.concat([Buffer.from('SMTP_URL=smtp://127.0.0.1:2525\nNEWSLETTER_DB=caf'), Buffer.from([0xe9]), Buffer.from('.db\n')]));
  const run = cli(dir, ['subscribers', 'count']);
  assert.notEqual(run.status, 0);
  assert.match(run.err, /\.env:2\b/);
});

test('withEnvFile: the environment wins even when it sets a variable empty (how a shell unsets one); no file, no change', (t) => {
  const dir = project(t, 'SMTP_URL=smtp://from-file:25\nNEWSLETTER_INBOX_PORT=2600\n');
  const env = withEnvFile(dir, { SMTP_URL: '' });
  assert.equal(env.SMTP_URL, '');
  assert.equal(env.NEWSLETTER_INBOX_PORT, '2600');
  const none = { SMTP_URL: 'x' };
  assert.equal(withEnvFile(join(dir, 'issues'), none), none);
});
