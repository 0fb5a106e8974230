import type pg from 'pg';
import type { Claimed, DeliveryResult } from '../ledger/records.ts';
import { inTransaction, type Queryable } from './pg-transaction.ts';

/**
 * Records a group's results in one statement: every row still `sending` takes its result's state (first result
 * per subscriber wins, as when they were applied one by one), and each bounce marks its subscriber, with its event,
 * in the same statement. Rows matched through `= ANY` so the plan stays primary-key lookups whatever the group's size.
 */
const SETTLE = `
WITH r AS (
  SELECT * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS r(id, state, reply, message_id, next_at)
), settled AS (
  UPDATE deliveries d SET state = r.state, run_id = NULL, updated_at = $7,
    reply = CASE WHEN r.state = 'queued' THEN d.reply ELSE r.reply END,
    message_id = CASE WHEN r.state = 'sent' THEN r.message_id ELSE d.message_id END,
    next_attempt_at = CASE WHEN r.state = 'retry' THEN r.next_at ELSE d.next_attempt_at END,
    attempts = CASE WHEN r.state = 'queued' THEN d.attempts - 1 ELSE d.attempts END
  FROM r WHERE d.send_id = $1 AND d.subscriber_id = ANY ($2::int[]) AND d.subscriber_id = r.id AND d.state = 'sending'
), bounced AS (
  UPDATE subscribers s SET status = 'bounced' FROM unnest($8::int[], $9::text[]) AS b(id, reason)
  WHERE s.id = ANY ($8::int[]) AND s.id = b.id AND s.status = 'active'
  RETURNING s.id, b.reason
)
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via)
SELECT id, $10, 'active', 'bounced', reason, 'bounce' FROM bounced`;

/**
 * Beats the heartbeat and claims up to $5 rows: due retries first, then the queue, each read in index order
 * FOR UPDATE SKIP LOCKED, so senders in other processes (on other hosts) pass over rows another has locked and
 * never claim the same one. A candidate whose subscriber is no longer active is suppressed in the same statement.
 */
const CLAIM = `
WITH beat AS (
  UPDATE send_runs SET heartbeat_at = $3, sent = sent + $4 WHERE id = $2
), due AS (
  SELECT subscriber_id, next_attempt_at FROM deliveries
  WHERE send_id = $1 AND state = 'retry' AND next_attempt_at <= $3
  ORDER BY next_attempt_at, subscriber_id LIMIT $5 FOR UPDATE SKIP LOCKED
), queued AS (
  SELECT subscriber_id, next_attempt_at FROM deliveries
  WHERE send_id = $1 AND state = 'queued'
  ORDER BY next_attempt_at, subscriber_id LIMIT greatest($5 - (SELECT count(*) FROM due), 0) FOR UPDATE SKIP LOCKED
), candidates AS (
  SELECT p.subscriber_id, p.previous, p.rank, p.next_attempt_at, s.status, s.email, s.name, s.token_key
  FROM (SELECT subscriber_id, 'retry' AS previous, 0 AS rank, next_attempt_at FROM due
        UNION ALL SELECT subscriber_id, 'queued', 1, next_attempt_at FROM queued) p
  LEFT JOIN subscribers s ON s.id = p.subscriber_id
), claimed AS (
  UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1, run_id = $2, updated_at = $3,
    first_attempt_at = coalesce(d.first_attempt_at, $3)
  WHERE d.send_id = $1 AND d.subscriber_id = ANY (ARRAY(SELECT subscriber_id FROM candidates WHERE status = 'active'))
  RETURNING d.subscriber_id, d.attempts, d.first_attempt_at
), suppressed AS (
  UPDATE deliveries d SET state = 'suppressed', updated_at = $3, reply = 'the subscriber is ' || coalesce(c.status, 'gone')
  FROM candidates c
  WHERE d.send_id = $1 AND d.subscriber_id = ANY (ARRAY(SELECT subscriber_id FROM candidates WHERE status IS DISTINCT FROM 'active'))
    AND c.subscriber_id = d.subscriber_id
)
SELECT c.subscriber_id, c.previous, c.email, c.name, c.token_key, k.attempts, k.first_attempt_at
FROM candidates c LEFT JOIN claimed k USING (subscriber_id)
ORDER BY c.rank, c.next_attempt_at, c.subscriber_id`;

const HEARTBEAT = 'UPDATE send_runs SET heartbeat_at = $2, sent = sent + $3 WHERE id = $1';

interface ClaimRow {
  subscriber_id: number;
  previous: 'queued' | 'retry';
  email: string | null;
  name: string | null;
  token_key: string | null;
  attempts: number | null;
  first_attempt_at: number | null;
}

/** The send loop's path through the ledger on PostgreSQL (../ledger/hot-path.ts on SQLite). */
export class PgLedgerHotPath {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * One transaction of at most two statements (settle, then claim), named so that the server parses and plans each
   * once per connection. With no results the claim alone is the transaction: one round trip.
   */
  async commit(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number, onSuppressed?: (previous: 'queued' | 'retry') => void): Promise<Claimed[]> {
    const sent = results.filter((r) => r.state === 'sent').length;
    const claim = (db: Queryable) => this.claim(db, sendId, runId, sent, wanted, now);
    const rows =
      results.length === 0
        ? await claim(this.pool)
        : await inTransaction(this.pool, async (client) => {
            await client.query({ name: 'ledger-settle', text: SETTLE, values: settleValues(sendId, results, now) });
            return claim(client);
          });
    const claimed: Claimed[] = [];
    for (const r of rows) {
      if (r.attempts === null) onSuppressed?.(r.previous);
      else claimed.push({ subscriberId: r.subscriber_id, previous: r.previous, email: r.email!, name: r.name!, tokenKey: r.token_key!, attempts: r.attempts, firstAttemptAt: r.first_attempt_at ?? now });
    }
    return claimed;
  }

  private async claim(db: Queryable, sendId: number, runId: number, sent: number, wanted: number, now: number): Promise<ClaimRow[]> {
    if (wanted <= 0) {
      await db.query({ name: 'ledger-heartbeat', text: HEARTBEAT, values: [runId, now, sent] });
      return [];
    }
    return (await db.query<ClaimRow>({ name: 'ledger-claim', text: CLAIM, values: [sendId, runId, now, sent, wanted] })).rows;
  }

  async hasQueued(sendId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM deliveries WHERE send_id = $1 AND state = 'queued' LIMIT 1`, [sendId]);
    return (rowCount ?? 0) > 0;
  }

  async nextRetryAt(sendId: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: number | null }>(`SELECT min(next_attempt_at) AS at FROM deliveries WHERE send_id = $1 AND state = 'retry'`, [sendId]);
    return rows[0]?.at ?? null;
  }
}

/** The settle statement's arrays: one entry per subscriber (the first result wins), and every bounce. */
function settleValues(sendId: number, results: readonly DeliveryResult[], now: number): unknown[] {
  const seen = new Set<number>();
  const ids: number[] = [];
  const states: string[] = [];
  const replies: string[] = [];
  const messageIds: (string | null)[] = [];
  const nextAt: (number | null)[] = [];
  const bounceIds: number[] = [];
  const bounceReasons: string[] = [];
  for (const r of results) {
    if (r.state === 'failed' && r.bounce) {
      bounceIds.push(r.subscriberId);
      bounceReasons.push(r.reply);
    }
    if (seen.has(r.subscriberId)) continue;
    seen.add(r.subscriberId);
    ids.push(r.subscriberId);
    states.push(r.state);
    replies.push(r.reply);
    messageIds.push(r.state === 'sent' ? r.messageId : null);
    nextAt.push(r.state === 'retry' ? r.nextAttemptAt : null);
  }
  return [sendId, ids, states, replies, messageIds, nextAt, now, bounceIds, bounceReasons, new Date(now).toISOString()];
}
