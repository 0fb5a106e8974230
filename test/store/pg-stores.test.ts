/** The PostgreSQL stores (issue 15): the engine-independent contracts, and what only several servers on one database can do. */
import { describe } from 'node:test';
import { PgConfirmationQueue } from '../../src/store/pg/pg-confirmation-queue.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';
import { PgSignUps } from '../../src/store/pg/pg-sign-ups.ts';
import { PgSubscriberStore } from '../../src/store/pg/pg-subscribers.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';
import { confirmationQueueContract } from './confirmation-queue-contract.ts';
import { signUpsContract } from './sign-ups-contract.ts';
import { subscriberStoreContract } from './subscriber-store-contract.ts';

describe('postgres stores', needsPg, () => {
  subscriberStoreContract('postgres store', async (t, now) => new PgSubscriberStore((await freshPgPool(t)).pool, now));

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
