import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import type { Status } from '../../src/subscribers/subscriber.ts';
import { issueText, projectFor, ROOT } from './fixtures.ts';
import { TEST_SECRET } from './send-harness.ts';

/** `newsletter …` in `dir` to its end, on the project's SQLite file, no SMTP (sends go to the outbox), `env` on top. */
export function cliSync(dir: string, args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), ...args], {
    cwd: dir,
    env: { ...process.env, NEWSLETTER_SECRET: TEST_SECRET, NEWSLETTER_DB: join(dir, 'data', 'newsletter.db'), NEWSLETTER_INBOX_PORT: '1', SMTP_URL: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Every subscriber's status in the project's SQLite file, by address. */
export function sqliteStatuses(dir: string): Record<string, Status> {
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  try {
    return Object.fromEntries(new SqliteSubscriberTable(db).list().map((s) => [s.email, s.status]));
  } finally {
    db.close();
  }
}

/** The Message-ID the copy of `slug` sent to `email` carried, from the outbox the send wrote. */
export function outboxMessageId(dir: string, slug: string, email: string): string {
  const outbox = join(dir, 'dist', 'outbox', slug);
  const file = readdirSync(outbox).find((f) => f.startsWith(email))!;
  return /^Message-ID:\s*(<[^>]+>)/im.exec(readFileSync(join(outbox, file), 'utf8').replace(/\r\n[ \t]+/g, ' '))![1]!;
}

/** The issue `the-vote`, sent (to the outbox, on SQLite) to `readers`; `yaml` is added to the config first. */
export function sentToReaders(t: TestContext, readers: readonly string[], yaml = '') {
  const dir = projectFor(t, { 'issues/2026-11-02-the-vote.md': issueText('The council votes on Tuesday.', 'title: The vote\ndate: 2026-11-02\nstatus: ready') });
  if (yaml) appendFileSync(join(dir, 'newsletter.yaml'), `\n${yaml}\n`);
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  new SqliteSubscriberTable(db).importMany(readers.map((email) => ({ email, emailNormalized: email, name: '', attributes: {} })), 'test');
  db.close();
  const send = cliSync(dir, ['send', 'the-vote', '--yes']);
  assert.equal(send.status, 0, send.stderr);
  return { dir, idOf: (email: string) => outboxMessageId(dir, 'the-vote', email) };
}
