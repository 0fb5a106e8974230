import type { Status } from '../subscribers/subscriber.ts';
import type { ClaimedConfirmation, ConfirmationRow, ConfirmationState } from './confirmation-queue.ts';

/**
 * `confirmation_emails` rows as either engine returns them, and their one mapping. Times are milliseconds on both:
 * an integer on SQLite, a bigint on PostgreSQL, which node-postgres gives as a string unless the pool parses it
 * (pg-pool.ts does), and better-sqlite3 as a bigint under safeIntegers; each becomes a number here.
 */
type Integer = number | bigint | string;

export interface ConfirmationRowColumns {
  id: Integer;
  subscriber_id: Integer;
  state: ConfirmationState;
  attempts: Integer;
  requested_at: Integer;
  next_attempt_at: Integer;
  last_error: string | null;
  reply: string | null;
}

/** What a claim reads: the row's, and its subscriber's, columns (CLAIM_COLUMNS, the `c` and `s` of both queues' SQL). */
export interface ClaimedRowColumns {
  id: Integer;
  subscriber_id: Integer;
  token_key: string;
  email: string;
  email_normalized: string;
  status: Status;
  attempts: Integer;
  requested_at: Integer;
}

/** The columns a claim selects, `c` the queue's row and `s` its subscriber. */
export const CLAIM_COLUMNS = 'c.id, c.subscriber_id, s.token_key, s.email, s.email_normalized, s.status, c.attempts, c.requested_at';

export function confirmationFromRow(r: ConfirmationRowColumns): ConfirmationRow {
  return {
    id: Number(r.id),
    subscriberId: Number(r.subscriber_id),
    state: r.state,
    attempts: Number(r.attempts),
    requestedAt: Number(r.requested_at),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error,
    reply: r.reply,
  };
}

export function claimedFromRow(r: ClaimedRowColumns): ClaimedConfirmation {
  return {
    id: Number(r.id),
    subscriberId: Number(r.subscriber_id),
    tokenKey: r.token_key,
    email: r.email,
    emailNormalized: r.email_normalized,
    status: r.status,
    attempts: Number(r.attempts),
    requestedAt: Number(r.requested_at),
  };
}
