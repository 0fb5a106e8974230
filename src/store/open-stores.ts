import { useServerBusyTimeout } from './busy-retry.ts';
import { SqliteLedger } from './ledger/sqlite-ledger.ts';
import { SqliteAutomationStore } from './sqlite-automations.ts';
import { SqliteFeedback } from './sqlite-feedback.ts';
import { isPostgresUrl } from './database-path.ts';
import { openDatabase, type Db } from './open.ts';
import { SqliteConfirmationQueue } from './sqlite-confirmation-queue.ts';
import { SqlitePacer } from './sqlite-pacer.ts';
import { SqliteRequestCounter } from './sqlite-request-counter.ts';
import { SqliteSignUps } from './sqlite-sign-ups.ts';
import { SqliteSubscriberStore } from './sqlite-subscriber-store.ts';
import type { SqliteStores, Stores } from './stores.ts';
import { SqliteSchedules } from './sqlite-schedules.ts';
import { SqliteWorkers } from './sqlite-workers.ts';

export interface OpenStoresOptions {
  /** The subscribers' clock (times of events); the real one when absent. */
  now?: () => Date;
  /** A server's connection: on SQLite, a short busy timeout, retried off the event loop (busy-retry.ts). */
  server?: boolean;
  /** What the process is, shown by PostgreSQL in pg_stat_activity. */
  purpose?: string;
}

/**
 * Opens the newsletter's data where `location` says: a `postgres://` or `postgresql://` URL, or else a SQLite file
 * (created with its folder when missing). Either way the schema is migrated first, and every store shares one
 * connection (SQLite) or one pool (PostgreSQL).
 */
export async function openStores(location: string, options: OpenStoresOptions = {}): Promise<Stores> {
  if (isPostgresUrl(location)) {
    // Loaded only for PostgreSQL, so that the SQLite default never loads pg.
    const { openPgStores } = await import('./pg/open-pg-stores.ts');
    return openPgStores(location, options);
  }
  return sqliteStoresOn(openDatabase(location), { ...options, where: location });
}

/** The stores over a SQLite connection already open (tests make their own); closing them closes it. */
export function sqliteStoresOn(db: Db, options: OpenStoresOptions & { where?: string } = {}): SqliteStores {
  if (options.server) useServerBusyTimeout(db);
  const now = options.now ?? (() => new Date());
  const stores: SqliteStores = {
    engine: 'sqlite',
    where: options.where ?? db.name,
    db,
    subscribers: new SqliteSubscriberStore(db, now),
    ledger: new SqliteLedger(db),
    confirmations: new SqliteConfirmationQueue(db, now),
    signUps: new SqliteSignUps(db, now),
    pacer: new SqlitePacer(db),
    counters: new SqliteRequestCounter(db),
    schedules: new SqliteSchedules(db),
    workers: new SqliteWorkers(db),
    automations: new SqliteAutomationStore(db),
    feedback: new SqliteFeedback(db),
    close: async () => {
      db.close();
    },
  };
  return stores;
}
