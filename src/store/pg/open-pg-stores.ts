import type { OpenStoresOptions } from '../open-stores.ts';
import type { PgStores } from '../stores.ts';
import { PgAutomationStore } from './pg-automations.ts';
import { PgFeedback } from './pg-feedback.ts';
import { connectPg } from './pg-connect.ts';
import { PgConfirmationQueue } from './pg-confirmation-queue.ts';
import { PgLedger } from './pg-ledger.ts';
import { PgPacer } from './pg-pacer.ts';
import { PgRequestCounter } from './pg-request-counter.ts';
import { describePgUrl } from './pg-pool.ts';
import { PgSignUps } from './pg-sign-ups.ts';
import { PgSubscriberStore } from './pg-subscribers.ts';
import { PgSchedules } from './pg-schedules.ts';
import { PgWorkers } from './pg-workers.ts';

/** The stores on PostgreSQL, sharing one pool; the schema migrated (under its advisory lock) before any is used. */
export async function openPgStores(url: string, options: OpenStoresOptions): Promise<PgStores> {
  const pool = await connectPg(url, { applicationName: `newsletter ${options.purpose ?? ''}`.trim() });
  const now = options.now ?? (() => new Date());
  return {
    engine: 'postgres',
    where: describePgUrl(url),
    pool,
    subscribers: new PgSubscriberStore(pool, now),
    ledger: new PgLedger(pool),
    confirmations: new PgConfirmationQueue(pool, now),
    signUps: new PgSignUps(pool, now),
    pacer: new PgPacer(pool),
    counters: new PgRequestCounter(pool),
    schedules: new PgSchedules(pool),
    workers: new PgWorkers(pool),
    automations: new PgAutomationStore(pool),
    feedback: new PgFeedback(pool),
    close: () => pool.end(),
  };
}
