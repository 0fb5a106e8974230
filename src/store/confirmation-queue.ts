import type { Status } from '../subscribers/subscriber.ts';

/**
 * `queued` (waiting, or waiting to be retried), `sending` (claimed by a sender until its lease ends), then one of:
 * `sent` (250 to the end of DATA), `in_doubt` (transmitted, no reply), `failed` (refused, or retried for too long),
 * `skipped` (nothing to send: the sign-up needed no email, or the subscriber was no longer pending).
 */
export type ConfirmationState = 'queued' | 'sending' | 'sent' | 'in_doubt' | 'failed' | 'skipped';

/** At most one confirmation email per subscriber in any 24 hours, however often the form is posted. */
export const CONFIRMATION_INTERVAL_MS = 24 * 60 * 60_000;

export interface ClaimedConfirmation {
  id: number;
  subscriberId: number;
  /** The subscriber's random token key: the confirmation link is signed with it, never with the reusable id. */
  tokenKey: string;
  email: string;
  emailNormalized: string;
  /** The subscriber's status when claimed: only a `pending` one is mailed. */
  status: Status;
  /** Attempts made before this one. */
  attempts: number;
  requestedAt: number;
}

export interface ConfirmationRow {
  id: number;
  subscriberId: number;
  state: ConfirmationState;
  attempts: number;
  requestedAt: number;
  nextAttemptAt: number;
  lastError: string | null;
  reply: string | null;
}

/**
 * The durable queue of confirmation emails, one implementation per engine. A sign-up writes its row in the
 * transaction that makes the subscriber pending (see SignUps), so a sign-up is never lost while SMTP is down;
 * senders claim due rows under a lease, so a row whose sender died is picked up again once the lease has run out,
 * and two senders (two servers on one database) never claim the same row. Times are ms from the caller's clock.
 */
export interface ConfirmationQueue {
  /** Queues a confirmation email for a subscriber, due at once, on its own (the CLI's `subscribers add`). */
  enqueue(subscriberId: number, at: number): Promise<number>;
  /** Claims up to `limit` due rows for `leaseMs`, first due first; rows whose lease ran out are due again. */
  claimDue(now: number, limit: number, leaseMs: number): Promise<ClaimedConfirmation[]>;
  /** When the next row falls due (a queued row's next attempt, or a claimed row's lease end); null when none waits. */
  nextDueAt(): Promise<number | null>;
  /** Ends a claimed row: `attempted` when an SMTP transaction was tried for it. */
  finish(id: number, state: 'sent' | 'in_doubt' | 'failed' | 'skipped', now: number, reply: string, attempted: boolean): Promise<void>;
  /**
   * Ends a claimed row as `failed` because the address bounced, and marks the subscriber `bounced` (with its event,
   * via `bounce`) in the same transaction.
   */
  failBounced(id: number, now: number, reply: string): Promise<void>;
  /** Puts a claimed row back after a temporary failure, to be tried at `at`. */
  reschedule(id: number, now: number, at: number, error: string): Promise<void>;
  /** Deletes finished rows requested before `before`; returns how many. */
  prune(before: number): Promise<number>;
  /** A subscriber's rows, oldest first. */
  forSubscriber(subscriberId: number): Promise<ConfirmationRow[]>;
}
