/**
 * A database for the preview's desk, written through the real store and ledger: subscribers whose events span five
 * days from `firstDay` (UTC midnight), and on the fifth day one finished send whose messages went out over four
 * minutes (3, 2, 0 and 2 a minute; one bounced).
 *
 * Active at each day's end: 3, 5, 9, 9, 7. In the end: 7 active, 1 unsubscribed, 1 complained, 1 bounced.
 */
import { openStores } from '../../src/store/open-stores.ts';
import type { DeliveryResult } from '../../src/store/ledger/records.ts';

const DAY = 86_400_000;

export const SEEDED_ACTIVE_BY_DAY = [3, 5, 9, 9, 7];
export const SEEDED_COUNTS = { active: 7, pending: 0, unsubscribed: 1, bounced: 1, complained: 1 };
export const SEEDED_PER_MINUTE = [3, 2, 0, 2];
export const SEED_SLUG = '2026-11-05-the-fifth';

/** Seeds the database at `location`, a SQLite path or a PostgreSQL URL, through that engine's stores. */
export async function seedDesk(location: string, firstDay: number): Promise<void> {
  let clock = firstDay;
  const stores = await openStores(location, { now: () => new Date(clock) });
  const store = stores.subscribers;
  const at = (day: number, hour: number) => (clock = firstDay + day * DAY + hour * 3_600_000);
  const add = (n: number, status: 'active' | 'pending' = 'active') =>
    store.add({ email: `reader${n}@example.org`, emailNormalized: `reader${n}@example.org`, name: `Reader ${n}`, status, source: 'test', reason: 'seeded' });
  try {
    at(0, 9);
    for (const n of [1, 2, 3]) await add(n);
    at(1, 9);
    for (const n of [4, 5]) await add(n);
    at(2, 9);
    for (const n of [6, 7, 8, 9]) await add(n);
    await add(10, 'pending');
    at(3, 9);
    await store.setStatus('reader2@example.org', 'unsubscribed', 'seeded', 'test');
    await store.setStatus('reader10@example.org', 'active', 'confirmed', 'test');
    at(4, 9);
    await store.setStatus('reader3@example.org', 'complained', 'seeded', 'test');

    const ledger = stores.ledger;
    const start = at(4, 12);
    const { send } = await ledger.plan(
      { slug: SEED_SLUG, issueFile: `issues/${SEED_SLUG}.md`, subject: 'The fifth <issue> & more', sourceHash: 'h', html: '<p>x</p>', text: 'x', placeholderPrefix: 'P' },
      start,
    );
    const run = await ledger.startRun(send.id, { pid: 1, host: 'seed', transport: 'smtp' }, start);
    const claimed = await ledger.commit(send.id, run, [], 100, start);
    const ids = claimed.map((c) => c.subscriberId);
    const sent = (id: number): DeliveryResult => ({ subscriberId: id, state: 'sent', reply: '250 ok', messageId: `<${id}@seed>` });
    await ledger.commit(send.id, run, ids.slice(0, 3).map(sent), 0, start + 10_000);
    await ledger.commit(send.id, run, ids.slice(3, 5).map(sent), 0, start + 90_000);
    await ledger.commit(send.id, run, ids.slice(5, 7).map(sent), 0, start + 185_000);
    await ledger.commit(send.id, run, [{ subscriberId: ids[7]!, state: 'failed', reply: '550 5.1.1 no such user', bounce: true }], 0, start + 200_000);
    await ledger.endRun(run, 'finished', start + 201_000);
    await ledger.finishIfDone(send.id, start + 201_000);
  } finally {
    await stores.close();
  }
}
