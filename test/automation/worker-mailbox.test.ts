/**
 * The worker reads the bounce mailbox every `events.imap.interval` (issue 18), against a real Dovecot, on SQLite and
 * PostgreSQL: returned mail is applied as it arrives and each message once; a refused login is logged once, without
 * the password, and the worker keeps running.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { outboxMessageId } from '../support/bounces-cli.ts';
import { startCli, type CliRun } from '../support/cli-process.ts';
import { startDovecot, needsDovecot } from '../support/dovecot.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { complaint, dsn } from '../support/returned-mail.ts';

async function until(what: string, ok: () => boolean | Promise<boolean>, detail: () => string, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${detail()}`);
    await sleep(100);
  }
}

/** A project whose three readers were each sent the issue (to the outbox), with the worker's poll every second. */
async function sentProject(t: TestContext, engine: 'sqlite' | 'postgres') {
  const dir = projectFor(t, { 'issues/2026-11-02-the-vote.md': issueText('The council votes on Tuesday.', 'title: The vote\ndate: 2026-11-02\nstatus: ready') });
  appendFileSync(join(dir, 'newsletter.yaml'), '\nevents:\n  imap:\n    interval: 1s\n');
  const db = engine === 'sqlite' ? join(dir, 'data', 'newsletter.db') : await freshPgDatabase(t);
  const env = { NEWSLETTER_DB: db };
  const cli = (args: string[]) => startCli(dir, args, env).done;
  writeFileSync(join(dir, 'readers.csv'), 'email\nr0@example.org\nr1@example.org\nr2@example.org\n');
  const imported = await cli(['subscribers', 'import', 'readers.csv']);
  assert.equal(imported.status, 0, imported.stderr);
  const send = await cli(['send', 'the-vote', '--yes']);
  assert.equal(send.status, 0, send.stderr);
  const idOf = (email: string) => outboxMessageId(dir, 'the-vote', email);
  const status = async (email: string) => {
    const shown = await cli(['subscribers', 'show', email]);
    return new RegExp(`^${email.replace(/\./g, '\\.')}: (\\S+)$`, 'm').exec(shown.stdout)?.[1] ?? shown.stdout + shown.stderr;
  };
  const workers: CliRun[] = [];
  t.after(() => {
    for (const w of workers) w.child.kill('SIGKILL');
  });
  const worker = (imapUrl: string) => {
    const run = startCli(dir, ['worker', '--poll', '200'], { ...env, IMAP_URL: imapUrl });
    workers.push(run);
    let output = '';
    run.child.stdout!.on('data', (d: string) => (output += d));
    run.child.stderr!.on('data', (d: string) => (output += d));
    return { run, output: () => output };
  };
  return { idOf, status, worker };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`worker mailbox poll on ${engine}`, { ...needsDovecot, ...(engine === 'postgres' ? needsPg : {}) }, () => {
    test('returned mail is applied as it arrives, each message once, and the worker stops cleanly', async (t) => {
      const imap = await startDovecot(t);
      const p = await sentProject(t, engine);
      imap.deliver('dsn', dsn({ to: 'r0@example.org', status: '5.1.1', messageId: p.idOf('r0@example.org') }));
      const w = p.worker(imap.url);
      await until('the first pass', () => /mailbox: 1 message read; 1 bounced/.test(w.output()), w.output);
      assert.match(w.output(), /mailbox: bounced r0@example\.org: .*5\.1\.1.*\(imap:INBOX\/uid 1\)/);
      assert.equal(await p.status('r0@example.org'), 'bounced');

      // Mail that arrives while the worker runs is read at the next interval; what was read before is not read again.
      imap.deliver('arf', complaint({ to: 'r1@example.org', messageId: p.idOf('r1@example.org') }));
      await until('the complaint', () => /mailbox: 1 message read; 1 complained/.test(w.output()), w.output);
      assert.equal(await p.status('r1@example.org'), 'complained');
      assert.equal(w.output().match(/mailbox: \d+ messages? read/g)!.length, 2, 'passes with nothing new say nothing');
      assert.equal(await p.status('r2@example.org'), 'active');

      w.run.child.kill('SIGTERM');
      const exit = await w.run.done;
      assert.equal(exit.status, 0, w.output());
    });

    test('a refused login is logged once, without the password, and the worker keeps running', async (t) => {
      const imap = await startDovecot(t);
      const p = await sentProject(t, engine);
      const wrong = 'Wr0ng-secret-Zx9';
      const w = p.worker(`imap://${imap.user}:${wrong}@127.0.0.1:${imap.port}/INBOX`);
      await until('the refusal', () => /mailbox: the IMAP server .* refused the login for bounces.*trying again at the next interval/.test(w.output()), w.output);
      // A few more intervals: it tries again each time and says so once.
      await sleep(3500);
      assert.equal(w.output().match(/refused the login/g)!.length, 1, w.output());
      assert.ok(!w.output().includes(wrong), 'the password never appears');
      assert.equal(w.run.child.exitCode, null, 'the worker keeps running');
      w.run.child.kill('SIGTERM');
      assert.equal((await w.run.done).status, 0);
    });
  });
}

test('on PostgreSQL two workers share the mailbox: each message is read by one of them, once', { ...needsDovecot, ...needsPg }, async (t) => {
  const imap = await startDovecot(t);
  const p = await sentProject(t, 'postgres');
  const readers = ['r0@example.org', 'r1@example.org', 'r2@example.org'];
  readers.forEach((email, i) => imap.deliver(`dsn${i}`, dsn({ to: email, status: '5.1.1', messageId: p.idOf(email) })));
  const [a, b] = [p.worker(imap.url), p.worker(imap.url)];
  const read = () => [a!.output(), b!.output()].flatMap((o) => [...o.matchAll(/mailbox: (\d+) messages? read/g)].map((m) => Number(m[1])));
  await until('all three read', () => read().reduce((x, y) => x + y, 0) >= 3, () => a!.output() + b!.output());
  // Two more intervals each: nothing is read again.
  await sleep(2500);
  assert.equal(read().reduce((x, y) => x + y, 0), 3, a!.output() + b!.output());
  assert.doesNotMatch(a!.output() + b!.output(), /read before/);
  for (const email of readers) assert.equal(await p.status(email), 'bounced');
});

