/**
 * Writing from a server without blocking it on SQLite's write lock.
 *
 * better-sqlite3 is synchronous: with the usual 5 s busy timeout, a request meeting a lock held elsewhere (a long
 * import) would stall the whole event loop, every other request with it, and then fail. The server's connection
 * waits only a moment instead ({@link SERVER_BUSY_TIMEOUT_MS}), and {@link retryWhileBusy} tries again after a
 * growing pause spent off the event loop, for far longer than any import holds the lock, so a busy database delays
 * a sign-up instead of losing it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseBusyError, type Db } from './open.ts';

/** How long one attempt may block the event loop waiting for the lock. */
export const SERVER_BUSY_TIMEOUT_MS = 20;

/** How long a request keeps trying before it gives up with a DatabaseBusyError. */
export const BUSY_RETRY_BUDGET_MS = 120_000;

const FIRST_PAUSE_MS = 10;
const MAX_PAUSE_MS = 250;

/** Sets the short busy timeout on a connection that serves requests. */
export function useServerBusyTimeout(db: Db): void {
  db.pragma(`busy_timeout = ${SERVER_BUSY_TIMEOUT_MS}`);
}

export interface RetryOptions {
  budgetMs?: number;
  /** The clock, for the budget. */
  now?: () => number;
}

/** Runs `write` (a store call that commits in one transaction); while the database is busy, waits and tries again. */
export async function retryWhileBusy<T>(write: () => T | Promise<T>, options: RetryOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const budgetMs = options.budgetMs ?? BUSY_RETRY_BUDGET_MS;
  const deadline = now() + budgetMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    try {
      return await write();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (now() >= deadline) throw new DatabaseBusyError(budgetMs);
    }
    // A little jitter, so that requests queued behind one lock do not all retry at the same instant.
    await sleep(pause / 2 + Math.random() * (pause / 2));
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof DatabaseBusyError || (error as { code?: string } | null)?.code === 'SQLITE_BUSY';
}
