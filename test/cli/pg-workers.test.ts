/**
 * Many senders and many servers on one PostgreSQL database (issue 15): the real CLI in several processes, a recording
 * SMTP peer, SIGKILL mid-send, the send-wide rate cap, and two `serve` processes sharing their limits.
 * Skipped without NEWSLETTER_TEST_PG (`.ci/run` always sets it).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStores } from '../../src/store/open-stores.ts';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { startSmtpPeer, type PeerHooks, type SmtpPeer } from '../support/smtp-peer.ts';

const ISSUE = 'issues/2026-11-02-the-vote.md';
const SLUG = 'the-vote';

/** A project on a fresh PostgreSQL database with `count` active subscribers r0@example.org…, and its SMTP peer. */
async function pgProject(t: TestContext, count: number, hooks: PeerHooks = {}, config = ''): Promise<{ dir: string; url: string; peer: SmtpPeer; addresses: string[]; env: Record<string, string> }> {
  const dir = projectFor(t, { [ISSUE]: issueText('Dear {{subscriber.name}}, the council votes on Tuesday.', 'title: The vote\ndate: 2026-11-02\nstatus: ready') });
  if (config) writeFileSync(join(dir, 'newsletter.yaml'), config, { flag: 'a' });
  const url = await freshPgDatabase(t);
  const stores = await openStores(url);
  const addresses = Array.from({ length: count }, (_, i) => `r${i}@example.org`);
  try {
    await stores.subscribers.importMany(addresses.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  } finally {
    await stores.close();
  }
  const peer = await startSmtpPeer(hooks);
  t.after(() => peer.close());
  return { dir, url, peer, addresses, env: { SMTP_URL: peer.url, NEWSLETTER_DB: url } };
}

async function deliveryCounts(url: string): Promise<Record<string, number>> {
  const stores = await openStores(url);
  try {
    const [send] = await stores.ledger.sends();
    const counts = await stores.ledger.counts(send!.id);
    return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  } finally {
    await stores.close();
  }
}

test('pg: three workers share a send of 5,000; one is killed twice mid-send; nobody is missing or doubled unless reported in doubt', needsPg, async (t) => {
  let accepted = 0;
  const kills: number[] = [1000, 2500];
  let victim: ChildProcess | null = null;
  const p = await pgProject(t, 5000, {
    onData: () => {
      accepted++;
      if (victim && kills.length > 0 && accepted >= kills[0]!) {
        kills.shift();
        victim.kill('SIGKILL');
        victim = null;
      }
      return undefined;
    },
  });
  const args = ['send', SLUG, '--yes', '--json', '--concurrency', '4'];
  const others = [startCli(p.dir, args, p.env), startCli(p.dir, args, p.env)];
  // The victim is started again after its first death, and killed once more; the other two go on throughout.
  const first = startCli(p.dir, args, p.env);
  victim = first.child;
  assert.equal((await first.done).signal, 'SIGKILL');
  const second = startCli(p.dir, args, p.env);
  victim = second.child;
  const ended = await second.done;
  for (const r of await Promise.all(others.map((o) => o.done))) assert.equal(r.status, 0, r.stderr);
  assert.equal(ended.signal, 'SIGKILL', `the second kill came before the send ended (${accepted} accepted)`);
  // The survivors settle what the dead left behind as they finish (reported in doubt, never resent on their own);
  // should the victim have died after them, the next run does.
  if (((await deliveryCounts(p.url)).sending ?? 0) > 0) {
    const resumed = await startCli(p.dir, args, p.env).done;
    assert.equal(resumed.status, 0, resumed.stderr);
  }
  const counts = await deliveryCounts(p.url);
  assert.equal((counts.sent ?? 0) + (counts.in_doubt ?? 0), 5000, JSON.stringify(counts));
  assert.ok((counts.in_doubt ?? 0) <= 2 * 4, `at most two runs' worth of rows in flight were in doubt: ${JSON.stringify(counts)}`);
  const stores = await openStores(p.url);
  const [send] = await stores.ledger.sends();
  const inDoubt = new Set((await stores.ledger.rows(send!.id, 'in_doubt', 100)).map((r) => r.email));
  await stores.close();
  for (const a of p.addresses) {
    const copies = p.peer.copiesOf(a);
    if (inDoubt.has(a)) assert.ok(copies <= 1, `${a}: ${copies} copies`);
    else assert.equal(copies, 1, `${a} was not reported in doubt`);
  }
  const resend = await startCli(p.dir, [...args, '--resend-in-doubt'], p.env).done;
  assert.equal(resend.status, 0, resend.stderr);
  for (const a of p.addresses) {
    const copies = p.peer.copiesOf(a);
    assert.ok(copies >= 1, `${a} never got the issue`);
    if (copies > 1) assert.ok(inDoubt.has(a) && copies === 2, `${a} got ${copies} copies without being reported in doubt`);
  }
  assert.deepEqual(await deliveryCounts(p.url), { sent: 5000 });
});

test('pg: two workers with --rate 200 together stay within 1.1 × 200 a second over any 10 s window', needsPg, async (t) => {
  const times: number[] = [];
  const p = await pgProject(t, 3000, {
    onData: () => {
      times.push(Date.now());
      return undefined;
    },
  });
  const args = ['send', SLUG, '--yes', '--json', '--rate', '200', '--concurrency', '8'];
  const runs = await Promise.all([startCli(p.dir, args, p.env).done, startCli(p.dir, args, p.env).done]);
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  assert.equal(times.length, 3000);
  times.sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 10_000) j++;
    most = Math.max(most, i - j + 1);
  }
  // Only an upper bound, which a slow machine cannot break: the cap is for the send, not for each worker.
  assert.ok(most <= 2200, `${most} messages in the busiest 10 s (the cap allows 2,000, and 2,200 is 1.1×)`);
  assert.ok(times.at(-1)! - times[0]! >= 10_000, 'the send lasted long enough to measure a 10 s window');
});

test('pg: two serve processes on one database: 20 concurrent sign-ups all land, and the per-client limit holds across both', needsPg, async (t) => {
  const p = await pgProject(t, 0, {}, '\nserver:\n  trust_proxy: 1\n');
  const serve = (dir: string) => {
    const run = startCli(dir, ['serve', '--port', '0'], p.env);
    t.after(() => run.child.kill('SIGKILL'));
    let out = '';
    run.child.stdout!.on('data', (d: string) => (out += d));
    return {
      run,
      url: new Promise<string>((resolve, reject) => {
        run.child.stdout!.on('data', () => {
          const found = /Serving sign-up, confirm and unsubscribe at (http:\/\/\S+\/)/.exec(out)?.[1];
          if (found) resolve(found);
        });
        run.child.on('exit', () => reject(new Error(`serve exited early: ${out}`)));
      }),
    };
  };
  const servers = [serve(p.dir), serve(p.dir)];
  const urls = await Promise.all(servers.map((s) => s.url));
  const post = (n: number, email: string, client: string) =>
    fetch(`${urls[n % 2]}subscribe`, { method: 'POST', headers: { 'X-Forwarded-For': client }, body: new URLSearchParams({ email }) }).then((r) => r.status);
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i, `reader${i}@example.org`, `198.51.100.${i + 1}`)));
  assert.deepEqual(many, Array(20).fill(200));
  const stores = await openStores(p.url);
  try {
    const pending = await stores.subscribers.list({ status: 'pending' });
    assert.equal(pending.length, 20, 'no sign-up lost');
    for (const s of pending) assert.equal((await stores.confirmations.forSubscriber(s.id)).length, 1, `${s.email}: one confirmation email queued`);
  } finally {
    await stores.close();
  }
  // One client, 12 posts spread over both servers: the limit of 10 per 10 minutes is counted for the pair.
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push(await post(i, `same${i}@example.org`, '203.0.113.7'));
  assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(' '));
  assert.deepEqual(statuses.slice(10), [429, 429]);
  for (const s of servers) s.run.child.kill('SIGINT');
  await Promise.all(servers.map((s) => once(s.run.child, 'exit')));
});
