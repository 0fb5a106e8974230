import type pg from 'pg';

/** The advisory lock only one worker holds while it reads the bounce mailbox. */
export const MAILBOX_LOCK = 0x6d626f78; // 'mbox'

/**
 * Runs `fn` holding the session advisory lock `key` on a client of its own, or returns `{ ran: false }` at once when
 * another session holds it. A process that dies mid-way drops its session, and the lock with it.
 */
export async function withTryLock<T>(pool: pg.Pool, key: number, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [key]);
    if (!rows[0]!.got) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}
