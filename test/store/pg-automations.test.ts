/**
 * The automation store on PostgreSQL (issue 17): the shared contract (automations-contract.ts), and what only
 * PostgreSQL can do to it: a sign-up whose transaction commits after a later one was read. Skipped without
 * NEWSLETTER_TEST_PG.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgAutomationStore } from '../../src/store/pg/pg-automations.ts';
import { PgLedger } from '../../src/store/pg/pg-ledger.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';
import { PgSubscriberStore } from '../../src/store/pg/pg-subscribers.ts';
import { ENROL_HORIZON_MS } from '../../src/store/automation-sql.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';
import { automationsContract } from './automations-contract.ts';

const T0 = Date.parse('2026-11-01T10:00:00Z');

describe('pg automations: the contract', needsPg, () => {
  automationsContract('postgres automations', async (t, { now }) => {
    const { url, pool } = await freshPgPool(t);
    return {
      automations: new PgAutomationStore(pool),
      subscribers: new PgSubscriberStore(pool, now),
      ledger: new PgLedger(pool),
      another: async () => {
        const other = openPool(url, { max: 2 });
        t.after(() => other.end());
        return new PgAutomationStore(other);
      },
    };
  });
});

describe('pg automations: late commits', needsPg, () => {
  test('a confirmation whose transaction commits after a later one was enrolled still enrols, at the next enrol', async (t) => {
    const { pool } = await freshPgPool(t);
    let clock = T0;
    const subscribers = new PgSubscriberStore(pool, () => new Date(clock));
    const automations = new PgAutomationStore(pool);
    await automations.ensureSequence('welcome', T0);
    // A sign-up takes its event id, then stalls before COMMIT (a slow connection, a long transaction).
    const slow = await pool.connect();
    await slow.query('BEGIN');
    const { rows } = await slow.query<{ id: number }>(
      `INSERT INTO subscribers (email, email_normalized, status, source, created_at, token_key) VALUES ('slow@example.org', 'slow@example.org', 'active', 'form', $1, 'k-slow') RETURNING id`,
      [new Date(clock).toISOString()],
    );
    await slow.query(`INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES ($1, $2, 'pending', 'active', 'confirmed by email', 'form')`, [
      rows[0]!.id,
      new Date(clock).toISOString(),
    ]);
    // Meanwhile a later sign-up commits, with a higher event id, and the worker reads it.
    clock = T0 + 1000;
    await subscribers.add({ email: 'fast@example.org', emailNormalized: 'fast@example.org', name: '', status: 'active', source: 'cli', reason: 'test' });
    assert.equal(await automations.enrol('welcome', { kind: 'confirmed' }, clock + 1000), 1);
    await slow.query('COMMIT');
    slow.release();
    // Still within the horizon: the cursor stayed before the stalled event, which is read now.
    assert.equal(await automations.enrol('welcome', { kind: 'confirmed' }, T0 + ENROL_HORIZON_MS - 1), 1);
    assert.equal(await automations.enrolled('welcome'), 2);
  });

  test('two workers enrolling one sequence at once enrol each reader once', async (t) => {
    const { url, pool } = await freshPgPool(t);
    const subscribers = new PgSubscriberStore(pool, () => new Date(T0));
    const workers = Array.from({ length: 3 }, () => {
      const own = openPool(url, { max: 2 });
      t.after(() => own.end());
      return new PgAutomationStore(own);
    });
    await workers[0]!.ensureSequence('welcome', T0);
    await pool.query(
      `WITH s AS (
         INSERT INTO subscribers (email, email_normalized, status, source, created_at, token_key)
         SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'active', 'cli', $1, md5(i::text) FROM generate_series(1, 500) i RETURNING id
       ) INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) SELECT id, $1, NULL, 'active', 'added', 'cli' FROM s`,
      [new Date(T0).toISOString()],
    );
    const counts = await Promise.all(workers.map((w) => w.enrol('welcome', { kind: 'confirmed' }, T0 + ENROL_HORIZON_MS + 1)));
    assert.equal(counts.reduce((a, b) => a + b, 0), 500, counts.join(' + '));
    assert.equal(await workers[0]!.enrolled('welcome'), 500);
    assert.equal((await subscribers.countByStatus()).active, 500);
  });
});
