/** The PostgreSQL stores (issue 15): the engine-independent contracts, and what only several servers on one database can do. */
import { describe } from 'node:test';
import { PgSubscriberStore } from '../../src/store/pg/pg-subscribers.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';
import { subscriberStoreContract } from './subscriber-store-contract.ts';

describe('postgres stores', needsPg, () => {
  subscriberStoreContract('postgres store', async (t, now) => new PgSubscriberStore((await freshPgPool(t)).pool, now));
});
