import type pg from 'pg';
import type { ClaimedConfirmation, ConfirmationQueue, ConfirmationRow } from '../confirmation-queue.ts';
import { CLAIM_COLUMNS, claimedFromRow, confirmationFromRow, type ClaimedRowColumns, type ConfirmationRowColumns } from '../confirmation-row.ts';
import { changeStatus, lockSubscriberById } from './pg-subscribers.ts';
import { transaction } from './pg-transaction.ts';

/** States whose email may have reached the subscriber, or still may: these count against the daily limit. */
const MAILED = "('queued', 'sending', 'sent', 'in_doubt')";

/*
 * The steps a sign-up takes inside its own transaction, on its client, so that the queue's row commits with the
 * subscriber's status (see PgSignUps).
 */

/** A transaction's client, or the pool for a statement on its own. */
type Queryable = pg.ClientBase | pg.Pool;

/** Queues a confirmation email, due at once; returns its id. */
export async function enqueueConfirmation(client: Queryable, subscriberId: number, at: number): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO confirmation_emails (subscriber_id, state, requested_at, next_attempt_at, updated_at) VALUES ($1, 'queued', $2, $2, $2) RETURNING id`,
    [subscriberId, at],
  );
  return rows[0]!.id;
}

/** Records a sign-up that mails nothing, and why: the request does the same database work either way. */
export async function skipConfirmation(client: pg.ClientBase, subscriberId: number, at: number, why: string): Promise<void> {
  await client.query(
    `INSERT INTO confirmation_emails (subscriber_id, state, requested_at, next_attempt_at, updated_at, reply) VALUES ($1, 'skipped', $2, $2, $2, $3)`,
    [subscriberId, at, why],
  );
}

/** Whether an email was queued for the subscriber after `since` that may have reached them (or still may). */
export async function mailedSince(client: pg.ClientBase, subscriberId: number, since: number): Promise<boolean> {
  const { rowCount } = await client.query(`SELECT 1 FROM confirmation_emails WHERE subscriber_id = $1 AND state IN ${MAILED} AND requested_at > $2 LIMIT 1`, [
    subscriberId,
    since,
  ]);
  return (rowCount ?? 0) > 0;
}

/**
 * The confirmation queue on PostgreSQL. Claims lock their rows with SKIP LOCKED, so two servers on one database
 * claiming at once each take rows the other did not, without waiting on each other.
 */
export class PgConfirmationQueue implements ConfirmationQueue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async enqueue(subscriberId: number, at: number): Promise<number> {
    return enqueueConfirmation(this.pool, subscriberId, at);
  }

  async claimDue(now: number, limit: number, leaseMs: number): Promise<ClaimedConfirmation[]> {
    return transaction(this.pool, async (client) => {
      // A lease that ran out (its sender died) makes the row queued again; rows another claim holds are left to it.
      await client.query(
        `UPDATE confirmation_emails SET state = 'queued', lease_until = NULL
         WHERE id IN (SELECT id FROM confirmation_emails WHERE state = 'sending' AND lease_until <= $1 FOR UPDATE SKIP LOCKED)`,
        [now],
      );
      const { rows } = await client.query<ClaimedRowColumns>(
        `SELECT ${CLAIM_COLUMNS}
         FROM confirmation_emails c JOIN subscribers s ON s.id = c.subscriber_id
         WHERE c.state = 'queued' AND c.next_attempt_at <= $1 ORDER BY c.next_attempt_at, c.id LIMIT $2
         FOR UPDATE OF c SKIP LOCKED`,
        [now, limit],
      );
      const claimed = rows.map(claimedFromRow);
      if (claimed.length > 0) {
        await client.query(`UPDATE confirmation_emails SET state = 'sending', lease_until = $1, updated_at = $2 WHERE id = ANY($3)`, [
          now + leaseMs,
          now,
          claimed.map((c) => c.id),
        ]);
      }
      return claimed;
    });
  }

  async nextDueAt(): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: number | null }>(
      `SELECT min(CASE state WHEN 'queued' THEN next_attempt_at ELSE lease_until END) AS at FROM confirmation_emails WHERE state IN ('queued', 'sending')`,
    );
    return rows[0]?.at ?? null;
  }

  async finish(id: number, state: 'sent' | 'in_doubt' | 'failed' | 'skipped', now: number, reply: string, attempted: boolean): Promise<void> {
    await this.pool.query(
      `UPDATE confirmation_emails SET state = $1, attempts = attempts + $2, lease_until = NULL, updated_at = $3, reply = $4
       WHERE id = $5 AND state = 'sending'`,
      [state, attempted ? 1 : 0, now, reply, id],
    );
  }

  async failBounced(id: number, now: number, reply: string): Promise<void> {
    await transaction(this.pool, async (client) => {
      await client.query(
        `UPDATE confirmation_emails SET state = 'failed', attempts = attempts + 1, lease_until = NULL, updated_at = $1, reply = $2
         WHERE id = $3 AND state = 'sending'`,
        [now, reply, id],
      );
      // The row may have been finished by another server meanwhile; the 5xx is about the address all the same.
      const { rows } = await client.query<{ subscriber_id: number }>('SELECT subscriber_id FROM confirmation_emails WHERE id = $1', [id]);
      const subscriber = rows[0] ? await lockSubscriberById(client, rows[0].subscriber_id) : null;
      if (subscriber && subscriber.status !== 'bounced') await changeStatus(client, subscriber, 'bounced', `confirmation email bounced: ${reply}`, 'bounce', this.now().toISOString());
    });
  }

  async reschedule(id: number, now: number, at: number, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE confirmation_emails SET state = 'queued', attempts = attempts + 1, lease_until = NULL, next_attempt_at = $1, updated_at = $2, last_error = $3
       WHERE id = $4 AND state = 'sending'`,
      [at, now, error, id],
    );
  }

  async prune(before: number): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM confirmation_emails WHERE state NOT IN ('queued', 'sending') AND requested_at < $1`, [before]);
    return rowCount ?? 0;
  }

  async forSubscriber(subscriberId: number): Promise<ConfirmationRow[]> {
    const { rows } = await this.pool.query<ConfirmationRowColumns>('SELECT * FROM confirmation_emails WHERE subscriber_id = $1 ORDER BY id', [subscriberId]);
    return rows.map(confirmationFromRow);
  }
}
