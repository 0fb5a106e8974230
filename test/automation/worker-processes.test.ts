/**
 * The worker end to end (issue 17), with real processes, real time and a real SMTP peer, on SQLite and PostgreSQL:
 * a scheduled send goes at its time and once with two workers; a worker killed mid-send is finished by the other with
 * nobody skipped; a reader who confirms through serve gets the welcome email once across worker restarts; a reader who
 * unsubscribes between steps gets no further step; a missed schedule is not sent.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { startCli, type CliRun } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

const ISSUE = 'issues/2026-12-04-the-vote.md';
const SLUG = 'the-vote';

interface Project {
  dir: string;
  db: string;
  peer: SmtpPeer;
  env: Record<string, string>;
  /** When the peer accepted each message, by recipient and subject. */
  arrivals: { to: string; subject: string; at: number }[];
  cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
  worker(): Worker;
}

interface Worker {
  run: CliRun;
  output(): string;
}

const subjectOf = (raw: Buffer) => /^Subject: (.*)\r$/m.exec(raw.toString('utf8'))?.[1] ?? '';

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 90_000, detail: () => string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail() ? `:\n${detail()}` : ''}`);
    await sleep(100);
  }
}

async function project(t: TestContext, engine: 'sqlite' | 'postgres', readers: number, config = '', onData?: (to: string) => void): Promise<Project> {
  const dir = projectFor(t, { [ISSUE]: issueText('Dear {{subscriber.name}}, the council votes on Tuesday.', 'title: The vote\ndate: 2026-12-04\nstatus: ready') });
  if (config) appendFileSync(join(dir, 'newsletter.yaml'), `\n${config}\n`);
  const db = engine === 'sqlite' ? join(dir, 'data', 'newsletter.db') : await freshPgDatabase(t);
  const arrivals: Project['arrivals'] = [];
  const peer = await startSmtpPeer({
    onData: (to, raw) => {
      arrivals.push({ to, subject: subjectOf(raw), at: Date.now() });
      onData?.(to);
      return undefined;
    },
  });
  t.after(() => peer.close());
  const env = { NEWSLETTER_DB: db, SMTP_URL: peer.url };
  const cli = (args: string[]) => startCli(dir, args, env).done;
  if (readers > 0) {
    writeFileSync(join(dir, 'readers.csv'), `email,name\n${Array.from({ length: readers }, (_, i) => `r${i}@example.org,Reader ${i}`).join('\n')}\n`);
    const imported = await cli(['subscribers', 'import', 'readers.csv']);
    assert.equal(imported.status, 0, imported.stderr);
  }
  const workers: CliRun[] = [];
  t.after(() => {
    for (const w of workers) w.child.kill('SIGKILL');
  });
  const worker = (): Worker => {
    const run = startCli(dir, ['worker', '--poll', '200'], env);
    workers.push(run);
    let output = '';
    run.child.stdout!.on('data', (d: string) => (output += d));
    run.child.stderr!.on('data', (d: string) => (output += d));
    return { run, output: () => output };
  };
  return { dir, db, peer, env, arrivals, cli, worker };
}

/** Every subscriber's row of the issue's send, by state, as `status --json` reports it. */
async function counts(p: Project): Promise<Record<string, number>> {
  const s = await p.cli(['status', SLUG, '--json']);
  if (s.status !== 0) return {};
  return (JSON.parse(s.stdout) as { counts: Record<string, number> }).counts;
}

const started = (w: Worker) => /worker \d+: (running|waiting)/.test(w.output());

async function stop(w: Worker): Promise<number | null> {
  w.run.child.kill('SIGTERM');
  return (await w.run.done).status;
}

for (const [engine, options] of [['sqlite', {}], ['postgres', needsPg]] as const) {
  describe(`worker on ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, options, () => {
    test('an issue scheduled 3 s ahead is sent by a running worker no earlier than its time, and once each with two workers', async (t) => {
      const p = await project(t, engine, 30);
      const [a, b] = [p.worker(), p.worker()];
      await until('both workers up', () => started(a) && started(b));
      if (engine === 'sqlite') assert.match(a.output() + b.output(), /waiting: worker \d+ \(pid \d+ on .*\) runs on this SQLite database/);
      const at = Date.now() + 3000;
      const scheduled = await p.cli(['send', SLUG, '--at', new Date(at).toISOString(), '--yes']);
      assert.equal(scheduled.status, 0, scheduled.stderr);
      // How far ahead it says depends on how long the CLI took to start: the form, not the figure.
      assert.match(scheduled.stdout, /Send at: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((in \d+s|now: it is due)\)/);
      assert.match(scheduled.stdout, /Recipients: +30 active subscribers now; frozen when the send starts/);
      const listed = await p.cli(['schedule']);
      assert.match(listed.stdout, /the-vote: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, (in \d+s|due now|starting|sending|sent)/);
      // The worker may have started it already: then the count is the recipients frozen.
      assert.match(listed.stdout, /count +30 (active subscribers now|recipients, frozen when the send started)/);
      await until('30 messages', () => p.arrivals.length >= 30);
      assert.ok(p.arrivals.every((m) => m.at >= at), `nothing before ${new Date(at).toISOString()}: first at ${new Date(Math.min(...p.arrivals.map((m) => m.at))).toISOString()}`);
      await until('the schedule is sent', async () => /state +sent/.test((await p.cli(['schedule'])).stdout));
      await sleep(1000);
      assert.equal(p.arrivals.length, 30, 'no second copy after the send settled');
      for (let i = 0; i < 30; i++) assert.equal(p.peer.copiesOf(`r${i}@example.org`), 1, `r${i}`);
      assert.deepEqual(await counts(p), { queued: 0, sending: 0, sent: 30, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 });
      assert.match(a.output() + b.output(), /schedule the-vote: due .*sending "The vote" to 30 subscribers, frozen now/);
      assert.match(a.output() + b.output(), /schedule the-vote: sending through smtp:\/\/127\.0\.0\.1:\d+/);
      assert.deepEqual([await stop(a), await stop(b)], [0, 0], 'SIGTERM ends each worker with 0');
    });

    test('a worker killed with SIGKILL mid-send is finished by the other: nobody skipped, only rows reported in doubt may be doubled', async (t) => {
      const TOTAL = 300;
      let victim: Worker | null = null;
      let accepted = 0;
      const p = await project(t, engine, TOTAL, 'sending:\n  rate_per_second: 60\n  concurrency: 4', () => {
        if (++accepted === 60 && victim) victim.run.child.kill('SIGKILL');
      });
      const a = p.worker();
      await until('the first worker runs', () => /worker \d+: running/.test(a.output()));
      const b = p.worker();
      await until('the second worker up', () => started(b));
      victim = a;
      assert.equal((await p.cli(['send', SLUG, '--at', new Date(Date.now() + 500).toISOString(), '--yes'])).status, 0);
      const killed = await a.run.done;
      assert.equal(killed.signal, 'SIGKILL');
      let last: Record<string, number> = {};
      await until(
        'every row settled',
        async () => {
          last = await counts(p);
          return (last.sent ?? 0) + (last.in_doubt ?? 0) === TOTAL;
        },
        90_000,
        () => `counts ${JSON.stringify(last)}\nkilled worker:\n${a.output()}\nother worker:\n${b.output()}`,
      );
      const c = await counts(p);
      assert.ok(c.in_doubt! <= 4, `at most the concurrency in doubt (${c.in_doubt})`);
      const status = await p.cli(['status', SLUG, '--json']);
      const inDoubt = new Set((JSON.parse(status.stdout) as { inDoubt: string[] }).inDoubt);
      for (let i = 0; i < TOTAL; i++) {
        const address = `r${i}@example.org`;
        const copies = p.peer.copiesOf(address);
        if (inDoubt.has(address)) assert.ok(copies <= 1, `${address} in doubt, ${copies} copies`);
        else assert.equal(copies, 1, `${address} was not in doubt`);
      }
      await until('the schedule is sent', async () => /state +sent/.test((await p.cli(['schedule'])).stdout));
      assert.equal(await stop(b), 0);
    });

    test('a reader who confirms through serve gets the welcome email once, across worker restarts', async (t) => {
      const p = await project(t, engine, 0, 'automations:\n  welcome: issues/welcome.md');
      writeFileSync(join(p.dir, 'issues', 'welcome.md'), issueText('Welcome aboard, {{subscriber.name}}.', 'title: Welcome to the Desk\ndate: 2026-12-01\nstatus: ready'));
      const serve = startCli(p.dir, ['serve', '--port', '0'], p.env);
      t.after(() => serve.child.kill('SIGKILL'));
      let serveOut = '';
      serve.child.stdout!.on('data', (d: string) => (serveOut += d));
      await until('serve up', () => /Serving sign-up, confirm and unsubscribe at http:\/\/\S+\//.test(serveOut));
      const base = /Serving sign-up, confirm and unsubscribe at (http:\/\/\S+\/)/.exec(serveOut)![1]!;
      let w = p.worker();
      await until('the worker runs', () => /worker \d+: running/.test(w.output()));
      const signUp = await fetch(`${base}subscribe`, { method: "POST", body: new URLSearchParams({ email: "new.reader@example.org", name: "Nia" }) }).catch((e: Error) => { throw new Error(`${e.message}: ${String((e as { cause?: unknown }).cause)} ${serveOut}`); });
      assert.equal(signUp.status, 200);
      await until('the confirmation email', () => p.arrivals.some((m) => m.to === 'new.reader@example.org'));
      const confirmation = p.peer.received().find((m) => m.to === 'new.reader@example.org')!;
      const token = /\/confirm\/([A-Za-z0-9_.-]+)/.exec(confirmation.raw.toString('utf8').replace(/=\r\n/g, ''))![1]!;
      const confirmed = await fetch(`${base}confirm/${token}`, { method: 'POST' });
      assert.equal(confirmed.status, 200);
      await until('the welcome email', () => p.arrivals.some((m) => m.subject === 'Welcome to the Desk'));
      assert.match(w.output(), /automation welcome: 1 subscriber entered \(confirmed\)/);
      for (let restart = 0; restart < 2; restart++) {
        assert.equal(await stop(w), 0);
        w = p.worker();
        await until('the worker runs again', () => /worker \d+: running/.test(w.output()));
        await sleep(1500);
      }
      assert.equal(p.arrivals.filter((m) => m.subject === 'Welcome to the Desk').length, 1, 'one welcome email');
      const welcome = p.peer.received().find((m) => subjectOf(m.raw) === 'Welcome to the Desk')!;
      assert.equal(welcome.to, 'new.reader@example.org');
      assert.match(welcome.raw.toString('utf8'), /^List-Unsubscribe: <https:\/\/dissentdesk\.example\.org\/unsubscribe\/[A-Za-z0-9_.-]+>/m);
      assert.match((await simpleParser(welcome.raw)).text ?? '', /Welcome aboard, Nia\./);
      const status = await p.cli(['status', '--automations']);
      assert.match(status.stdout, /welcome: on confirmed, 1 entered/);
      assert.match(status.stdout, /1 +0 +0 +1 +0 +0 +0 +issues\/welcome\.md/);
      assert.equal(await stop(w), 0);
    });

    test('a reader who unsubscribes between steps gets no further step; the other reader does', async (t) => {
      const p = await project(
        t,
        engine,
        0,
        'automations:\n  sequences:\n    - id: onboarding\n      trigger: confirmed\n      steps:\n        - issue: issues/one.md\n          delay: 0\n        - issue: issues/two.md\n          delay: 4s',
      );
      writeFileSync(join(p.dir, 'issues', 'one.md'), issueText('First.', 'title: Step one\ndate: 2026-12-01\nstatus: ready'));
      writeFileSync(join(p.dir, 'issues', 'two.md'), issueText('Second.', 'title: Step two\ndate: 2026-12-01\nstatus: ready'));
      const w = p.worker();
      await until('the worker runs', () => /worker \d+: running/.test(w.output()));
      for (const who of ['stays@example.org', 'leaves@example.org']) assert.equal((await p.cli(['subscribers', 'add', who, '--confirmed'])).status, 0);
      await until('step one to both', () => p.arrivals.filter((m) => m.subject === 'Step one').length === 2);
      assert.equal((await p.cli(['subscribers', 'remove', 'leaves@example.org'])).status, 0);
      await until('step two to the one who stayed', () => p.arrivals.some((m) => m.subject === 'Step two'));
      await sleep(1500);
      assert.deepEqual(p.arrivals.filter((m) => m.subject === 'Step two').map((m) => m.to), ['stays@example.org']);
      const status = await p.cli(['status', '--automations']);
      assert.match(status.stdout, /onboarding: on confirmed, 2 entered/);
      assert.match(status.stdout, /2 +4s +0 +1 +1 +0 +0 +issues\/two\.md/);
      assert.equal(await stop(w), 0);
    });

    test('a schedule missed by more than schedule.max_delay is not sent; status and schedule say so; send by hand sends it', async (t) => {
      // A max_delay that a CLI slow to start on a busy machine still fits in, but short enough to wait out.
      const p = await project(t, engine, 5, 'schedule:\n  max_delay: 8s');
      const at = Date.now() + 1000;
      const scheduled = await p.cli(['send', SLUG, '--at', new Date(at).toISOString(), '--yes']);
      assert.equal(scheduled.status, 0, scheduled.stderr);
      // No worker runs until well after the time and the delay allowed.
      await sleep(Math.max(0, at + 9500 - Date.now()));
      const w = p.worker();
      await until('the worker marks it missed', () => /schedule the-vote: missed: /.test(w.output()));
      await sleep(1000);
      assert.equal(p.arrivals.length, 0, 'nothing sent');
      assert.match((await p.cli(['status'])).stdout, /the-vote: schedule MISSED, not sent/);
      assert.match((await p.cli(['schedule'])).stdout, /state +missed: missed: its time/);
      assert.equal(await stop(w), 0);
      const byHand = await p.cli(['send', SLUG, '--yes']);
      assert.equal(byHand.status, 0, byHand.stderr);
      assert.equal(p.arrivals.length, 5);
    });

    test('an issue edited into check errors after scheduling is blocked when due, nothing sent; fixing the file sends it', async (t) => {
      const p = await project(t, engine, 3);
      assert.equal((await p.cli(['send', SLUG, '--at', new Date(Date.now() + 1500).toISOString(), '--yes'])).status, 0);
      writeFileSync(join(p.dir, ISSUE), issueText('Edited.', 'title: The vote\ndate: 2026-12-04\nstatus: ready\nsubjet: A typo'));
      const w = p.worker();
      await until('blocked', () => /schedule the-vote: blocked, nothing sent: check errors: issues\/2026-12-04-the-vote\.md:\d+ error/.test(w.output()));
      assert.match((await p.cli(['schedule'])).stdout, /state +blocked: check errors: issues\/2026-12-04-the-vote\.md:\d+ error .*subjet/);
      assert.match((await p.cli(['status'])).stdout, /the-vote: schedule BLOCKED/);
      assert.equal(p.arrivals.length, 0);
      writeFileSync(join(p.dir, ISSUE), issueText('Fixed.', 'title: The vote\ndate: 2026-12-04\nstatus: ready\nsubject: No typo'));
      await until('sent once fixed', () => p.arrivals.length === 3);
      assert.deepEqual([...new Set(p.arrivals.map((m) => m.subject))], ['No typo']);
      await until('the schedule is sent', async () => /state +sent/.test((await p.cli(['schedule'])).stdout));
      assert.equal(await stop(w), 0);
    });

    test('serve --worker runs the worker in the same process: a scheduled send goes, and SIGTERM stops both with 0', async (t) => {
      const p = await project(t, engine, 4);
      const serve = startCli(p.dir, ['serve', '--port', '0', '--worker'], p.env);
      t.after(() => serve.child.kill('SIGKILL'));
      let out = '';
      serve.child.stdout!.on('data', (d: string) => (out += d));
      await until('serve and its worker up', () => /Serving sign-up/.test(out) && /worker \d+: running/.test(out));
      assert.equal((await p.cli(['send', SLUG, '--at', new Date(Date.now() + 1000).toISOString(), '--yes'])).status, 0);
      await until('4 messages', () => p.arrivals.length === 4);
      await until('the schedule is sent', async () => /state +sent/.test((await p.cli(['schedule'])).stdout));
      serve.child.kill('SIGTERM');
      assert.equal((await serve.done).status, 0);
      assert.match(out, /worker \d+: stopped/);
    });

    test('send --at refuses a time further in the past than max_delay, and an unparsable time with the accepted forms', async (t) => {
      const p = await project(t, engine, 1);
      const past = await p.cli(['send', SLUG, '--at', '2026-01-01T00:00:00Z', '--yes']);
      assert.equal(past.status, 1);
      assert.match(past.stderr, /2026-01-01 00:00 UTC is .* in the past, more than schedule\.max_delay \(1h\).*nothing scheduled/);
      const garbage = await p.cli(['send', SLUG, '--at', 'tomorrow-ish', '--yes']);
      assert.equal(garbage.status, 2);
      assert.match(garbage.stderr, /--at "tomorrow-ish": .*2026-12-04T07:00/);
      assert.match((await p.cli(['schedule'])).stdout, /Nothing is scheduled/);
    });
  });
}
