import type pg from 'pg';
import type { Claimed, DeliveryResult } from '../ledger/records.ts';
import { claimableAt, claimStatement, settleAndClaimStatement, settleStatement, type ClaimRow } from './pg-ledger-commit-sql.ts';
import { retried, transaction } from './pg-transaction.ts';

/** The send loop's path through the ledger on PostgreSQL (../ledger/hot-path.ts on SQLite). */
export class PgLedgerHotPath {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * One transaction, nearly always one statement (pg-ledger-commit-sql.ts): results recorded, heartbeat beaten and
   * rows claimed in one round trip. Only when a result makes its own row claimable at once (a retry due now, an
   * unclaim) are the results recorded first, in a statement of their own, so that the claim sees them as SQLite's does.
   */
  async commit(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number, onSuppressed?: (previous: 'queued' | 'retry') => void): Promise<Claimed[]> {
    let rows: ClaimRow[];
    // One statement is its own transaction: rolled back whole when it is a deadlock's victim, so it can run again.
    if (results.length === 0) rows = (await retried(() => this.pool.query<ClaimRow>(claimStatement(sendId, runId, results, wanted, now)))).rows;
    else if (wanted <= 0 || !claimableAt(results, now)) rows = (await retried(() => this.pool.query<ClaimRow>(settleAndClaimStatement(sendId, runId, results, wanted, now)))).rows;
    else {
      rows = await transaction(this.pool, async (client) => {
        await client.query(settleStatement(sendId, results, now));
        return (await client.query<ClaimRow>(claimStatement(sendId, runId, results, wanted, now))).rows;
      });
    }
    const claimed: Claimed[] = [];
    for (const r of rows) {
      if (r.attempts === null) onSuppressed?.(r.previous);
      else claimed.push({ subscriberId: r.subscriber_id, previous: r.previous, email: r.email!, name: r.name!, tokenKey: r.token_key!, attempts: r.attempts, firstAttemptAt: r.first_attempt_at ?? now });
    }
    return claimed;
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
