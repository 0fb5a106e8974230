import type pg from 'pg';

/**
 * SQLSTATEs after which PostgreSQL has rolled the whole transaction back and running it again is the documented
 * remedy: a deadlock (two sends bouncing the same subscribers in opposite orders; a recovery racing a run that is
 * just ending) and a serialization failure.
 */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 4;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in one transaction on one pooled connection: BEGIN, then COMMIT, or ROLLBACK when it throws; the
 * connection always goes back to the pool. A transaction PostgreSQL aborted as a deadlock victim or a serialization
 * failure is run again (up to 4 times, after a short random pause so the two do not meet again), so `work` must
 * touch nothing but the database.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return retried(() => once(pool, work));
}

/** `run` (one transaction, or one statement outside any) again while PostgreSQL aborts it as a deadlock victim. */
export async function retried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= ATTEMPTS || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      await pause(Math.random() * 20 * attempt);
    }
  }
}

async function once<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection whose ROLLBACK fails is in an unknown state: destroyed rather than handed to the next caller.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
