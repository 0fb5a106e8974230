/** The PostgreSQL stores (issue 15): the engine-independent contracts, and what only several servers on one database can do. */
import { describe } from 'node:test';
import type pg from 'pg';
import { PgConfirmationQueue } from '../../src/store/pg/pg-confirmation-queue.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';
import { PgSignUps } from '../../src/store/pg/pg-sign-ups.ts';
import { PgSubscriberStore } from '../../src/store/pg/pg-subscribers.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';
import { confirmationQueueContract } from './confirmation-queue-contract.ts';
import { signUpsContract } from './sign-ups-contract.ts';
import { subscriberStoreContract } from './subscriber-store-contract.ts';

describe('postgres stores', needsPg, () => {
  // The pool under each store the contract makes, for what no store method reads yet (consent, tags).
  const poolOf = new WeakMap<object, pg.Pool>();
  subscriberStoreContract(
    'postgres store',
    async (t, now) => {
      const { pool } = await freshPgPool(t);
      const store = new PgSubscriberStore(pool, now);
      poolOf.set(store, pool);
      return store;
    },
    async (store, email) => {
      const pool = poolOf.get(store)!;
      const { rows } = await pool.query<{ id: number; consent_source: string | null; opted_in_at: string | null; consent_ip: string | null; consent_evidence: string | null }>(
        'SELECT id, consent_source, opted_in_at, consent_ip, consent_evidence FROM subscribers WHERE email_normalized = $1',
        [email],
      );
      const row = rows[0]!;
      const tags = (await pool.query<{ tag: string }>('SELECT tag FROM subscriber_tags WHERE subscriber_id = $1 ORDER BY tag', [row.id])).rows.map((r) => r.tag);
      return { consent_source: row.consent_source, opted_in_at: row.opted_in_at, consent_ip: row.consent_ip, consent_evidence: row.consent_evidence, tags };
    },
  );

  confirmationQueueContract('postgres queue', async (t, now) => {
    const { url, pool } = await freshPgPool(t);
    return {
      queue: new PgConfirmationQueue(pool, now),
      subscribers: new PgSubscriberStore(pool, now),
      // A pool of its own: another server, as far as the database can tell.
      another: async () => {
        const other = openPool(url, { max: 2 });
        t.after(() => other.end());
        return new PgConfirmationQueue(other, now);
      },
    };
  });

  signUpsContract('postgres sign-ups', async (t, now) => {
    const { pool } = await freshPgPool(t);
    return { signUps: new PgSignUps(pool, now), queue: new PgConfirmationQueue(pool, now), subscribers: new PgSubscriberStore(pool, now) };
  });
});
