import { transaction, type Db } from './open.ts';
import { SqliteSubscriberTable } from './sqlite-subscribers.ts';
import type { ClaimedConfirmation, ConfirmationQueue, ConfirmationRow, ConfirmationState } from './confirmation-queue.ts';
import { CLAIM_COLUMNS, claimedFromRow, confirmationFromRow, type ClaimedRowColumns, type ConfirmationRowColumns } from './confirmation-row.ts';

export { CONFIRMATION_INTERVAL_MS, type ClaimedConfirmation, type ConfirmationRow, type ConfirmationState } from './confirmation-queue.ts';

/** States whose email may have reached the subscriber, or still may: these count against the daily limit. */
const MAILED = "('queued', 'sending', 'sent', 'in_doubt')";

/**
 * The confirmation queue's rows on SQLite, synchronous, for use inside a transaction (sign-ups write a row in the
 * transaction that makes the subscriber pending); SqliteConfirmationQueue below is the engine's async queue. A sign-up writes its row in the transaction that makes the
 * subscriber pending, so a sign-up is never lost while SMTP is down; senders claim due rows under a lease, so a row
 * whose sender died is picked up again once the lease has run out. Times are milliseconds from the caller's clock.
 */
export class SqliteConfirmationTable {
  private readonly insert;
  private readonly mailed;
  private readonly finishRow;
  private readonly rescheduleRow;

  constructor(private readonly db: Db) {
    this.insert = db.prepare<[number, string, number, number, number, string | null]>(
      'INSERT INTO confirmation_emails (subscriber_id, state, requested_at, next_attempt_at, updated_at, reply) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.mailed = db.prepare<[number, number], { id: number }>(
      `SELECT id FROM confirmation_emails WHERE subscriber_id = ? AND state IN ${MAILED} AND requested_at > ? LIMIT 1`,
    );
    this.finishRow = db.prepare<[ConfirmationState, number, number, string, number]>(
      `UPDATE confirmation_emails SET state = ?, attempts = attempts + ?, lease_until = NULL, updated_at = ?, reply = ?
       WHERE id = ? AND state = 'sending'`,
    );
    this.rescheduleRow = db.prepare<[number, number, string, number]>(
      `UPDATE confirmation_emails SET state = 'queued', attempts = attempts + 1, lease_until = NULL, next_attempt_at = ?, updated_at = ?,
       last_error = ? WHERE id = ? AND state = 'sending'`,
    );
  }

  /** Queues a confirmation email, due at once. Call it inside the transaction that made the subscriber pending. */
  enqueue(subscriberId: number, at: number): number {
    return Number(this.insert.run(subscriberId, 'queued', at, at, at, null).lastInsertRowid);
  }

  /** Records a sign-up that mails nothing, and why: the request does the same database work either way. */
  skip(subscriberId: number, at: number, why: string): void {
    this.insert.run(subscriberId, 'skipped', at, at, at, why);
  }

  /** Whether an email was queued for the subscriber after `since` that may have reached them (or still may). */
  mailedSince(subscriberId: number, since: number): boolean {
    return this.mailed.get(subscriberId, since) !== undefined;
  }

  /**
   * Claims up to `limit` due rows for `leaseMs`, first due first; rows whose lease ran out (their sender died) are
   * due again. One transaction, so two senders never claim the same row.
   */
  claimDue(now: number, limit: number, leaseMs: number): ClaimedConfirmation[] {
    return transaction(this.db, () => {
      this.db.prepare(`UPDATE confirmation_emails SET state = 'queued', lease_until = NULL WHERE state = 'sending' AND lease_until <= ?`).run(now);
      const rows = this.db
        .prepare<[number, number], ClaimedRowColumns>(
          `SELECT ${CLAIM_COLUMNS}
           FROM confirmation_emails c JOIN subscribers s ON s.id = c.subscriber_id
           WHERE c.state = 'queued' AND c.next_attempt_at <= ? ORDER BY c.next_attempt_at, c.id LIMIT ?`,
        )
        .all(now, limit);
      const claimed = rows.map(claimedFromRow);
      const claim = this.db.prepare<[number, number, number]>(`UPDATE confirmation_emails SET state = 'sending', lease_until = ?, updated_at = ? WHERE id = ?`);
      for (const c of claimed) claim.run(now + leaseMs, now, c.id);
      return claimed;
    });
  }

  /** When the next row falls due (a queued row's next attempt, or a claimed row's lease end); null when none waits. */
  nextDueAt(): number | null {
    const row = this.db
      .prepare<[], { at: number | null }>(
        `SELECT min(CASE state WHEN 'queued' THEN next_attempt_at ELSE lease_until END) AS at FROM confirmation_emails WHERE state IN ('queued', 'sending')`,
      )
      .get();
    return row?.at ?? null;
  }

  /** Ends a claimed row: `attempted` when an SMTP transaction was tried for it. */
  finish(id: number, state: 'sent' | 'in_doubt' | 'failed' | 'skipped', now: number, reply: string, attempted: boolean): void {
    this.finishRow.run(state, attempted ? 1 : 0, now, reply, id);
  }

  /** Puts a claimed row back after a temporary failure, to be tried at `at`. */
  reschedule(id: number, now: number, at: number, error: string): void {
    this.rescheduleRow.run(at, now, error, id);
  }

  /** Deletes finished rows requested before `before` (kept a while for the daily limit and the operator). */
  prune(before: number): number {
    return this.db.prepare(`DELETE FROM confirmation_emails WHERE state NOT IN ('queued', 'sending') AND requested_at < ?`).run(before).changes;
  }

  /** A subscriber's rows, oldest first. */
  forSubscriber(subscriberId: number): ConfirmationRow[] {
    return this.db
      .prepare<[number], ConfirmationRowColumns>('SELECT * FROM confirmation_emails WHERE subscriber_id = ? ORDER BY id')
      .all(subscriberId)
      .map(confirmationFromRow);
  }
}

/** The ConfirmationQueue on SQLite: the table's calls, each committed before it resolves. */
export class SqliteConfirmationQueue implements ConfirmationQueue {
  readonly #db: Db;
  readonly #table: SqliteConfirmationTable;
  readonly #subscribers: SqliteSubscriberTable;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#table = new SqliteConfirmationTable(db);
    this.#subscribers = new SqliteSubscriberTable(db, now);
  }

  async enqueue(subscriberId: number, at: number): Promise<number> {
    return this.#table.enqueue(subscriberId, at);
  }
  async claimDue(now: number, limit: number, leaseMs: number): Promise<ClaimedConfirmation[]> {
    return this.#table.claimDue(now, limit, leaseMs);
  }
  async nextDueAt(): Promise<number | null> {
    return this.#table.nextDueAt();
  }
  async finish(id: number, state: 'sent' | 'in_doubt' | 'failed' | 'skipped', now: number, reply: string, attempted: boolean): Promise<void> {
    this.#table.finish(id, state, now, reply, attempted);
  }
  async failBounced(id: number, now: number, reply: string): Promise<void> {
    transaction(this.#db, () => {
      const row = this.#db.prepare<[number], { email_normalized: string }>('SELECT s.email_normalized FROM confirmation_emails c JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = ?').get(id);
      this.#table.finish(id, 'failed', now, reply, true);
      if (row) this.#subscribers.setStatus(row.email_normalized, 'bounced', `confirmation email bounced: ${reply}`, 'bounce');
    });
  }
  async reschedule(id: number, now: number, at: number, error: string): Promise<void> {
    this.#table.reschedule(id, now, at, error);
  }
  async prune(before: number): Promise<number> {
    return this.#table.prune(before);
  }
  async forSubscriber(subscriberId: number): Promise<ConfirmationRow[]> {
    return this.#table.forSubscriber(subscriberId);
  }
}
