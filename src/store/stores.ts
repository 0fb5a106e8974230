import type { AutomationStore } from '../automation/automation-store.ts';
import type { NewSubscriber, SubscriberStore, Subscriber } from '../subscribers/subscriber.ts';
import type { ConfirmationQueue } from './confirmation-queue.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { Pool } from 'pg';
import type { SendCaps } from '../send/pace/shared-bucket.ts';
import type { Db } from './open.ts';
import type { SignUpRequest, SignUpResult } from './sign-up-decision.ts';
import type { ScheduleStore } from '../automation/schedule-store.ts';
import type { WorkerRegistry } from '../automation/worker-registry.ts';
import type { FeedbackStore } from '../feedback/feedback-store.ts';

/**
 * A sign-up or a resend, decided and recorded in one transaction (see sign-up-decision.ts): the subscriber's
 * status and the confirmation queue's row commit together or not at all.
 */
export interface SignUps {
  signUp(request: SignUpRequest, now: Date): Promise<SignUpResult>;
  resendConfirmation(subscriber: Subscriber, now: Date): Promise<SignUpResult>;
  /**
   * The CLI's `subscribers add` without --confirmed: a new `pending` subscriber and their confirmation email queued,
   * in one transaction. Throws DuplicateSubscriberError for an address already on the list.
   */
  addPending(subscriber: Omit<NewSubscriber, 'status'>, now: Date): Promise<Subscriber>;
}

/**
 * The send-wide rate caps (send/pace/shared-bucket.ts), shared by every worker of a send through the database.
 * `take` grants up to `wanted` messages now and says when one more may go.
 */
export interface SendPacer {
  take(sendId: number, wanted: number, caps: SendCaps, now: number): Promise<{ granted: number; nextAt: number }>;
}

/**
 * Fixed-window request counters in the database, so that the public server's limits hold across every `serve` on one
 * database: at most `limit` hits per key in each window of `windowMs`.
 */
export interface RequestCounter {
  /** Counts a hit; false when the key is over its limit for this window. */
  hit(key: string, now: number, limit: number, windowMs: number): Promise<boolean>;
}

/** Everything the newsletter keeps, on one engine, opened by `openStores` (open-stores.ts). */
interface StoresOnAnEngine {
  /** Where the data is, for messages: the file, or `host:port/database`; never a password. */
  where: string;
  subscribers: SubscriberStore;
  ledger: Ledger;
  confirmations: ConfirmationQueue;
  signUps: SignUps;
  pacer: SendPacer;
  counters: RequestCounter;
  schedules: ScheduleStore;
  workers: WorkerRegistry;
  /** Sequences' enrolments and steps (issue 17). */
  automations: AutomationStore;
  /** Provider and mailbox feedback: bounces, complaints, deliveries (issue 18). */
  feedback: FeedbackStore;
  close(): Promise<void>;
}

export interface SqliteStores extends StoresOnAnEngine {
  engine: 'sqlite';
  /** The one connection, for what only SQLite has (backups, the preview's read-only desk). */
  db: Db;
}

export interface PgStores extends StoresOnAnEngine {
  engine: 'postgres';
  pool: Pool;
}

export type Stores = SqliteStores | PgStores;
