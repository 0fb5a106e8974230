/** One transaction on PostgreSQL: a deadlock's victim runs again; any other error is the caller's at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transaction } from '../../src/store/pg/pg-transaction.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';

async function table(t: { after: (fn: () => Promise<void>) => void }) {
  const pool = openPool(await freshPgDatabase(t), { max: 4 });
  t.after(() => pool.end());
  await pool.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)');
  await pool.query('INSERT INTO counters VALUES (1, 0), (2, 0)');
  return pool;
}

test('pg transaction: two that lock the same rows in opposite orders deadlock; the victim runs again and both land', needsPg, async (t) => {
  const pool = await table(t);
  let attempts = 0;
  let arrived = 0;
  let bothHoldOne!: () => void;
  const barrier = new Promise<void>((resolve) => (bothHoldOne = resolve));
  const bump = (first: number, second: number) =>
    transaction(pool, async (client) => {
      attempts++;
      await client.query('UPDATE counters SET n = n + 1 WHERE id = $1', [first]);
      // The first attempts wait for each other, each holding one row, so that each then wants the other's.
      if (++arrived === 2) bothHoldOne();
      await barrier;
      await client.query('UPDATE counters SET n = n + 1 WHERE id = $1', [second]);
    });
  await Promise.all([bump(1, 2), bump(2, 1)]);
  assert.equal(attempts, 3, 'one of the two ran twice');
  const { rows } = await pool.query<{ id: number; n: number }>('SELECT id, n FROM counters ORDER BY id');
  assert.deepEqual(rows, [{ id: 1, n: 2 }, { id: 2, n: 2 }], 'each transaction counted once: the victim was rolled back before it ran again');
});

test('pg transaction: any other error rolls back and reaches the caller after one attempt', needsPg, async (t) => {
  const pool = await table(t);
  let attempts = 0;
  await assert.rejects(
    transaction(pool, async (client) => {
      attempts++;
      await client.query('UPDATE counters SET n = 5 WHERE id = 1');
      await client.query('INSERT INTO counters VALUES (2, 0)');
    }),
    { code: '23505' },
  );
  assert.equal(attempts, 1);
  assert.deepEqual((await pool.query('SELECT n FROM counters WHERE id = 1')).rows, [{ n: 0 }]);
});
