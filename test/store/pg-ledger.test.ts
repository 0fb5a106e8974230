/**
 * The send ledger on PostgreSQL (issue 15): the shared contract (ledger-contract.ts), as SQLite runs it, and what
 * only several processes on one server can show. Skipped without NEWSLETTER_TEST_PG.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { NewSend } from '../../src/store/ledger/records.ts';
import { PgLedger } from '../../src/store/pg/pg-ledger.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';
import { PgSubscriberStore } from '../../src/store/pg/pg-subscribers.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';
import { ledgerContract, type StoredDelivery } from './ledger-contract.ts';

const ISSUE: NewSend = { slug: 'on-power', issueFile: 'issues/2026-10-01-on-power.md', subject: 'On power', sourceHash: 'h1', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' };
const T0 = Date.parse('2026-11-01T10:00:00Z');
const RUN = { pid: 1, host: 'here', transport: 'test' };

/** `count` active subscribers in one statement: these tests are about the ledger, and want many. */
async function seed(pool: pg.Pool, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO subscribers (email, email_normalized, name, status, source, created_at, token_key)
     SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'Reader ' || i, 'active', 'test', $2, md5(i::text)
     FROM generate_series(1, $1::int) i`,
    [count, new Date(T0).toISOString()],
  );
}

/** Waits until `count` sessions of this database wait for a lock. */
async function waitForLockWaits(pool: pg.Pool, count: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    if (rows[0]!.n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} sessions ever waited for a lock`);
}

/** Ledgers on pools of their own to the same database: processes, as far as the server can tell. */
function processes(t: { after: (fn: () => Promise<void>) => void }, url: string, n: number): PgLedger[] {
  return Array.from({ length: n }, () => {
    const pool = openPool(url, { max: 2 });
    t.after(() => pool.end());
    return new PgLedger(pool);
  });
}

/**
 * The ledger writes a bounce in its own statement, so the failing store of the SQLite harness is a trigger here:
 * the subscriber's status has changed when the bounce's event is refused, in the ledger's transaction.
 */
async function failBounceEvents(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE FUNCTION refuse_bounce_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the subscriber store failed'; END $$;
    CREATE TRIGGER refuse_bounce_event BEFORE INSERT ON subscriber_events FOR EACH ROW WHEN (NEW.via = 'bounce') EXECUTE FUNCTION refuse_bounce_event();
  `);
}

describe('pg ledger: the contract', needsPg, () => {
  ledgerContract('postgres ledger', async (t, { now, bounceFails }) => {
    const { url, pool } = await freshPgPool(t);
    if (bounceFails) await failBounceEvents(pool);
    return {
      ledger: new PgLedger(pool),
      subscribers: new PgSubscriberStore(pool, now),
      another: async () => processes(t, url, 1)[0]!,
      delivery: async (subscriberId) =>
        (await pool.query<StoredDelivery>('SELECT state, reply, message_id, run_id FROM deliveries WHERE subscriber_id = $1', [subscriberId])).rows[0],
      tag: async (subscriberId, ...tags) => {
        for (const tag of tags) await pool.query('INSERT INTO subscriber_tags (subscriber_id, tag, added_at) VALUES ($1, $2, $3)', [subscriberId, tag, new Date(T0).toISOString()]);
      },
      leaveTopic: async (subscriberId, topic) => {
        await pool.query('INSERT INTO subscriber_topics_left (subscriber_id, topic, left_at) VALUES ($1, $2, $3)', [subscriberId, topic, new Date(T0).toISOString()]);
      },
    };
  });
});

describe('pg ledger: several processes', needsPg, () => {
  test('three processes sending one send at once never claim the same row, and together claim every row once', async (t) => {
    const { url, pool } = await freshPgPool(t);
    await seed(pool, 3000);
    const senders = processes(t, url, 3);
    const { send } = await senders[0]!.plan(ISSUE, T0);
    const claimedBy = await Promise.all(
      senders.map(async (ledger, i) => {
        const run = await ledger.startRun(send.id, { ...RUN, pid: 100 + i }, T0);
        const mine: number[] = [];
        let results: { subscriberId: number; state: 'sent'; reply: string; messageId: string }[] = [];
        for (let n = 1; ; n++) {
          // A few more than the others want, so that groups overlap differently each time.
          const claimed = await ledger.commit(send.id, run, results, 5 + i, T0 + n);
          mine.push(...claimed.map((c) => c.subscriberId));
          results = claimed.map((c) => ({ subscriberId: c.subscriberId, state: 'sent', reply: '250 ok', messageId: `<${c.subscriberId}@x>` }));
          // Nothing claimed while rows are still queued means others hold them locked for the moment.
          if (claimed.length === 0 && !(await ledger.hasQueued(send.id))) return mine;
        }
      }),
    );
    const all = claimedBy.flat();
    assert.equal(new Set(all).size, all.length, 'no row claimed twice');
    assert.equal(all.length, 3000, 'every row claimed');
    for (const [i, mine] of claimedBy.entries()) assert.ok(mine.length > 0, `sender ${i} claimed rows too`);
    assert.deepEqual(await senders[0]!.counts(send.id), { queued: 0, sending: 0, sent: 3000, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 });
    const runs = await senders[0]!.runs(send.id);
    assert.deepEqual(
      claimedBy.map((_, i) => runs.find((r) => r.pid === 100 + i)?.sent),
      claimedBy.map((mine) => mine.length),
      "each run's heartbeat counted its own",
    );
  });

  test('two processes planning one issue at once make one send: the second resumes the first', async (t) => {
    const { url, pool } = await freshPgPool(t);
    // Enough rows that the first plan's insert is still running when the second arrives.
    await seed(pool, 50_000);
    const [a, b] = processes(t, url, 2);
    const plans = await Promise.all([a!.plan(ISSUE, T0), b!.plan(ISSUE, T0 + 1)]);
    assert.deepEqual(plans.map((p) => p.created).sort(), [false, true]);
    assert.equal(plans[0].send.id, plans[1].send.id);
    assert.equal((await a!.sends()).length, 1);
    assert.equal((await a!.counts(plans[0].send.id)).queued, 50_000);
  });

  test('two processes recovering one send at once move each abandoned row once and mark the dead run once', async (t) => {
    const { url, pool } = await freshPgPool(t);
    await seed(pool, 100);
    const [a, b] = processes(t, url, 2);
    const { send } = await a!.plan(ISSUE, T0);
    const dead = await a!.startRun(send.id, { ...RUN, pid: 111 }, T0);
    await a!.commit(send.id, dead, [], 40, T0);
    const gone = () => false;
    // A third connection holds the abandoned rows locked until both recoveries are waiting, so that they overlap.
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM deliveries WHERE send_id = $1 AND state = 'sending' FOR UPDATE`, [send.id]);
    const recovering = Promise.all([a!.recoverAbandoned(send.id, T0 + 1, gone), b!.recoverAbandoned(send.id, T0 + 2, gone)]);
    await waitForLockWaits(pool, 2);
    await holder.query('COMMIT');
    holder.release();
    const moved = await recovering;
    const all = moved.flat().map((m) => m.subscriberId);
    assert.equal(all.length, 40);
    assert.equal(new Set(all).size, 40);
    assert.ok(moved.some((m) => m.length === 0), 'the second found nothing left to move');
    const run = (await a!.runs(send.id))[0]!;
    assert.equal(run.outcome, 'crashed');
    // Ended by the recovery that moved its rows, at that one's time: the other neither moved them nor ended it again.
    assert.equal(run.endedAt, moved[0]!.length > 0 ? T0 + 1 : T0 + 2);
    assert.equal((await a!.counts(send.id)).in_doubt, 40);
  });
});
