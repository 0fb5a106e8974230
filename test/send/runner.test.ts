/** The send loop (issue 6) against a scripted transport: bounded in-flight rows, retries, pauses, stops, Ctrl-C, pace. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope, MessageTransport, Outcome } from '../../src/send/transport/message-transport.ts';
import { RateLimiter } from '../../src/send/pace/rate-limiter.ts';
import { runSend, type RunnerOptions } from '../../src/send/run/runner.ts';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';

interface Setup {
  db: Db;
  ledger: SqliteLedger;
  store: SqliteSubscriberTable;
  sendId: number;
  runId: number;
}

async function setup(t: TestContext, subscribers: number): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-runner-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new SqliteSubscriberTable(db);
  store.importMany(
    Array.from({ length: subscribers }, (_, i) => ({ email: `r${i}@example.org`, emailNormalized: `r${i}@example.org`, name: '', attributes: {} })),
    'test',
  );
  const ledger = new SqliteLedger(db);
  const { send } = await ledger.plan({ slug: 's', issueFile: 'issues/s.md', subject: 'S', sourceHash: 'h', html: 'x', text: 'x', placeholderPrefix: 'nlmerge0' }, Date.now());
  return { db, ledger, store, sendId: send.id, runId: await ledger.startRun(send.id, { pid: process.pid, host: 'test', transport: 'fake' }, Date.now()) };
}

/** A transport whose answer per recipient comes from `script`; it checks the ledger's `sending` rows as it goes. */
function fakeTransport(s: Setup, script: (to: string, attempt: number) => Outcome, delayMs = 1): MessageTransport & { maxInFlight: number; maxSending: number; calls: string[] } {
  let inFlight = 0;
  const attempts = new Map<string, number>();
  const transport = {
    description: 'fake',
    concurrency: 100,
    maxInFlight: 0,
    maxSending: 0,
    calls: [] as string[],
    async send(envelope: Envelope): Promise<Outcome> {
      inFlight++;
      transport.maxInFlight = Math.max(transport.maxInFlight, inFlight);
      const sending = (s.db.prepare(`SELECT count(*) AS n FROM deliveries WHERE state = 'sending'`).get() as { n: number }).n;
      transport.maxSending = Math.max(transport.maxSending, sending);
      transport.calls.push(envelope.to);
      const attempt = (attempts.get(envelope.to) ?? 0) + 1;
      attempts.set(envelope.to, attempt);
      await new Promise((r) => setTimeout(r, delayMs));
      inFlight--;
      return script(envelope.to, attempt);
    },
    close: () => Promise.resolve(),
  };
  return transport;
}

function options(s: Setup, transport: MessageTransport, over: Partial<RunnerOptions> = {}): RunnerOptions {
  return {
    ledger: s.ledger,
    sendId: s.sendId,
    runId: s.runId,
    transport,
    compose: (c) => ({ envelope: { from: 'news@example.org', to: c.email }, message: Buffer.from('m'), messageId: `<${c.subscriberId}@x>` }),
    limiter: new RateLimiter({ perSecond: null, perHour: null, now: Date.now() }),
    concurrency: 4,
    retryForMs: 3_600_000,
    pauseAfter: 20,
    waitForRetries: false,
    clock: Date.now,
    signal: new AbortController().signal,
    ...over,
  };
}

const SENT: Outcome = { kind: 'sent', reply: '250 ok' };

test('runner: every subscriber is sent once; never more than the concurrency in flight or left sending in the ledger', async (t) => {
  const s = await setup(t, 300);
  const transport = fakeTransport(s, () => SENT);
  const result = await runSend(options(s, transport, { concurrency: 6 }), await s.ledger.counts(s.sendId));
  assert.deepEqual(result, { outcome: 'finished' });
  assert.equal((await s.ledger.counts(s.sendId)).sent, 300);
  assert.equal(new Set(transport.calls).size, 300);
  assert.equal(transport.calls.length, 300);
  assert.ok(transport.maxInFlight <= 6 && transport.maxInFlight >= 2, `in flight: ${transport.maxInFlight}`);
  assert.ok(transport.maxSending <= 6, `rows sending at once: ${transport.maxSending}`);
  const ids = s.db.prepare(`SELECT message_id FROM deliveries WHERE state = 'sent' LIMIT 1`).get() as { message_id: string };
  assert.match(ids.message_id, /^<\d+@x>$/);
});

test('runner: a temporary failure is retried later, and the run waits for it or reports when it is due', async (t) => {
  const s = await setup(t, 5);
  let now = Date.now();
  const transport = fakeTransport(s, (to, attempt) => (to === 'r2@example.org' && attempt === 1 ? { kind: 'retry', reply: '451 4.3.0 try later', slowDown: false } : SENT));
  const first = await runSend(options(s, transport, { clock: () => now }), await s.ledger.counts(s.sendId));
  assert.equal(first.outcome, 'waiting');
  assert.equal((await s.ledger.counts(s.sendId)).retry, 1);
  const row = s.db.prepare(`SELECT attempts, next_attempt_at, reply FROM deliveries WHERE state = 'retry'`).get() as { attempts: number; next_attempt_at: number; reply: string };
  assert.equal(row.attempts, 1);
  assert.equal(row.reply, '451 4.3.0 try later');
  assert.ok(row.next_attempt_at >= now + 25_000 && row.next_attempt_at <= now + 35_000, 'the first retry comes about 30 s later');
  now = row.next_attempt_at;
  const second = await runSend(options(s, transport, { clock: () => now }), await s.ledger.counts(s.sendId));
  assert.deepEqual(second, { outcome: 'finished' });
  assert.equal((await s.ledger.counts(s.sendId)).sent, 5);
  assert.equal(transport.calls.filter((c) => c === 'r2@example.org').length, 2);
});

test('runner: temporary failures past the retry window become failed', async (t) => {
  const s = await setup(t, 1);
  const transport = fakeTransport(s, () => ({ kind: 'retry', reply: '450 4.2.1 mailbox busy', slowDown: true }));
  const result = await runSend(options(s, transport, { retryForMs: 1 }), await s.ledger.counts(s.sendId));
  assert.deepEqual(result, { outcome: 'finished' });
  const row = s.db.prepare('SELECT state, reply FROM deliveries').get() as { state: string; reply: string };
  assert.deepEqual(row, { state: 'failed', reply: 'gave up after 1 attempts: 450 4.2.1 mailbox busy' });
});

test('runner: a run of temporary failures pauses the send with the reason; unsent rows stay queued', async (t) => {
  const s = await setup(t, 100);
  const transport = fakeTransport(s, () => ({ kind: 'retry', reply: '421 4.7.0 too many messages, slow down', slowDown: true }));
  const result = await runSend(options(s, transport, { pauseAfter: 10 }), await s.ledger.counts(s.sendId));
  assert.equal(result.outcome, 'paused');
  assert.match('reason' in result ? result.reason : '', /10 messages in a row.*421 4\.7\.0/);
  const counts = await s.ledger.counts(s.sendId);
  assert.ok(counts.retry >= 10 && counts.retry <= 14, `retry rows: ${counts.retry}`);
  assert.equal(counts.sending, 0);
  assert.equal(counts.queued, 100 - counts.retry);
});

test('runner: an authentication failure stops the run and blames no subscriber', async (t) => {
  const s = await setup(t, 50);
  const transport = fakeTransport(s, () => ({ kind: 'stop', reply: '535 5.7.8 authentication failed' }));
  const result = await runSend(options(s, transport), await s.ledger.counts(s.sendId));
  assert.deepEqual(result, { outcome: 'stopped', reason: '535 5.7.8 authentication failed' });
  assert.deepEqual(await s.ledger.counts(s.sendId), { queued: 50, sending: 0, sent: 0, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 });
  assert.equal((s.db.prepare('SELECT max(attempts) AS n FROM deliveries').get() as { n: number }).n, 0, 'no attempt is counted against anyone');
  assert.equal(s.store.countByStatus().active, 50);
});

test('runner: bounces, permanent failures and messages in doubt land in their states', async (t) => {
  const s = await setup(t, 6);
  const replies: Record<string, Outcome> = {
    'r1@example.org': { kind: 'failed', reply: '550 5.1.1 user unknown', bounce: true },
    'r2@example.org': { kind: 'failed', reply: '554 5.7.1 rejected', bounce: false },
    'r3@example.org': { kind: 'in_doubt', reply: 'connection closed after the message was sent' },
  };
  const transport = fakeTransport(s, (to) => replies[to] ?? SENT);
  assert.deepEqual(await runSend(options(s, transport), await s.ledger.counts(s.sendId)), { outcome: 'finished' });
  assert.deepEqual(await s.ledger.counts(s.sendId), { queued: 0, sending: 0, sent: 3, retry: 0, failed: 2, in_doubt: 1, suppressed: 0 });
  assert.equal(s.store.get('r1@example.org')?.status, 'bounced');
  assert.equal(s.store.get('r2@example.org')?.status, 'active');
});

test('runner: Ctrl-C lets messages in flight finish and keeps the rest queued', async (t) => {
  const s = await setup(t, 200);
  const controller = new AbortController();
  const transport = fakeTransport(s, () => {
    if (transport.calls.length >= 20 && !controller.signal.aborted) controller.abort();
    return SENT;
  }, 5);
  const result = await runSend(options(s, transport, { signal: controller.signal }), await s.ledger.counts(s.sendId));
  assert.deepEqual(result, { outcome: 'interrupted' });
  const counts = await s.ledger.counts(s.sendId);
  assert.equal(counts.sending, 0, 'nothing left in flight');
  assert.equal(counts.sent, transport.calls.length);
  assert.equal(counts.queued, 200 - counts.sent);
  assert.ok(counts.sent < 40, `stopped promptly (${counts.sent} sent)`);
});

test('runner: recounts of the send come at least 5 s apart, and at least 50 times as far apart as the last one took', async (t) => {
  // Simulated time: each reading of the clock moves it on half a second, so the gaps are the runner's choice alone.
  const recountsAt = async (countsCost: number) => {
    const s = await setup(t, 200);
    let now = Date.now();
    const at: number[] = [];
    const ledger = new Proxy(s.ledger, {
      get(target, prop) {
        if (prop === 'counts')
          return async (sendId: number) => {
            at.push(now);
            await new Promise((r) => setTimeout(r, countsCost));
            return target.counts(sendId);
          };
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await runSend(options(s, fakeTransport(s, () => SENT, 0), { ledger, concurrency: 2, clock: () => (now += 500) }), await s.ledger.counts(s.sendId));
    assert.equal((await s.ledger.counts(s.sendId)).sent, 200);
    return at.slice(1).map((a, i) => a - at[i]!);
  };
  const cheap = await recountsAt(0);
  assert.ok(cheap.length >= 2, `${cheap.length + 1} recounts`);
  assert.ok(cheap.every((gap) => gap >= 5_000), `gaps ${cheap.join(', ')} ms`);
  // A recount that takes 200 ms (real time) pushes the next one 10 s or more away.
  const dear = await recountsAt(200);
  assert.ok(dear.length >= 1, `${dear.length + 1} recounts`);
  assert.ok(dear.every((gap) => gap >= 10_000), `gaps ${dear.join(', ')} ms`);
});

test('runner: the rate cap holds the pace', async (t) => {
  const s = await setup(t, 60);
  const transport = fakeTransport(s, () => SENT, 0);
  const started = Date.now();
  const limiter = new RateLimiter({ perSecond: 100, perHour: null, now: started });
  await runSend(options(s, transport, { limiter, concurrency: 10 }), await s.ledger.counts(s.sendId));
  const fastElapsed = Date.now() - started;
  // A burst of a tenth of a second's worth (10) goes at once, the other 50 at 100/s: at least half a second.
  assert.equal((await s.ledger.counts(s.sendId)).sent, 60);
  assert.ok(fastElapsed >= 450, `60 messages at 100/s (10 at once, then 50 at 100/s) went in ${fastElapsed} ms`);
  const slow = await setup(t, 60);
  const slowTransport = fakeTransport(slow, () => SENT, 0);
  const t0 = Date.now();
  await runSend(options(slow, slowTransport, { limiter: new RateLimiter({ perSecond: 20, perHour: null, now: t0 }), concurrency: 10 }), await slow.ledger.counts(slow.sendId));
  const slowElapsed = Date.now() - t0;
  // Only lower bounds, which a loaded machine cannot break: each cap holds its pace (issue 12, finding 18). That the
  // 100/s run is not slower than the 20/s one is a matter of speed, left to benchmarks.
  assert.ok(slowElapsed >= 1800, `60 messages at 20/s (2 at once, then 58 at 20/s) went in ${slowElapsed} ms`);
});

test('runner: a message that cannot be built stops the run and keeps the row queued', async (t) => {
  const s = await setup(t, 3);
  const transport = fakeTransport(s, () => SENT);
  const result = await runSend(
    options(s, transport, {
      compose: (c) => {
        if (c.email === 'r1@example.org') throw new Error('boom');
        return { envelope: { from: 'a@b.org', to: c.email }, message: Buffer.from('m'), messageId: '<x@y>' };
      },
      concurrency: 1,
    }),
    await s.ledger.counts(s.sendId),
  );
  assert.deepEqual(result, { outcome: 'stopped', reason: 'could not build the message: boom' });
  assert.deepEqual(await s.ledger.counts(s.sendId), { queued: 2, sending: 0, sent: 1, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 });
});
