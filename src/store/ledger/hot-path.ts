import type { Claimed, DeliveryResult } from './records.ts';
import { transaction, type Db } from '../open.ts';
import { providerIdFromReply } from '../../feedback/provider-id.ts';

/** Where a bounce goes: the subscriber store, which writes the status and its event (inside the caller's transaction). */
export interface BounceSink {
  markBounced(subscriberId: number, reason: string, at: Date): boolean;
}

/** The send loop's path through the ledger: record results and claim rows, one transaction per group. */
export class LedgerHotPath {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly bounces: BounceSink,
  ) {
    this.s = {
      due: db.prepare<[number, number, number], { subscriber_id: number }>(
        `SELECT subscriber_id FROM deliveries WHERE send_id = ? AND state = 'retry' AND next_attempt_at <= ?
         ORDER BY next_attempt_at LIMIT ?`,
      ),
      queued: db.prepare<[number, number], { subscriber_id: number }>(
        `SELECT subscriber_id FROM deliveries WHERE send_id = ? AND state = 'queued' ORDER BY next_attempt_at, subscriber_id LIMIT ?`,
      ),
      subscriber: db.prepare<[number], { email: string; name: string; status: string; token_key: string }>('SELECT email, name, status, token_key FROM subscribers WHERE id = ?'),
      delivery: db.prepare<[number, number], { attempts: number; first_attempt_at: number | null }>(
        'SELECT attempts, first_attempt_at FROM deliveries WHERE send_id = ? AND subscriber_id = ?',
      ),
      markSending: db.prepare(
        `UPDATE deliveries SET state = 'sending', attempts = attempts + 1, run_id = @runId, updated_at = @now,
           first_attempt_at = coalesce(first_attempt_at, @now)
         WHERE send_id = @sendId AND subscriber_id = @subscriberId`,
      ),
      markSuppressed: db.prepare(`UPDATE deliveries SET state = 'suppressed', updated_at = ?, reply = ? WHERE send_id = ? AND subscriber_id = ?`),
      sent: db.prepare(
        `UPDATE deliveries SET state = 'sent', run_id = NULL, updated_at = @now, reply = @reply, message_id = @messageId, provider_id = @providerId
         WHERE send_id = @sendId AND subscriber_id = @subscriberId AND state = 'sending'`,
      ),
      retry: db.prepare(
        `UPDATE deliveries SET state = 'retry', run_id = NULL, updated_at = @now, reply = @reply, next_attempt_at = @nextAttemptAt
         WHERE send_id = @sendId AND subscriber_id = @subscriberId AND state = 'sending'`,
      ),
      failed: db.prepare(
        `UPDATE deliveries SET state = 'failed', run_id = NULL, updated_at = @now, reply = @reply
         WHERE send_id = @sendId AND subscriber_id = @subscriberId AND state = 'sending'`,
      ),
      inDoubt: db.prepare(
        `UPDATE deliveries SET state = 'in_doubt', run_id = NULL, updated_at = @now, reply = @reply
         WHERE send_id = @sendId AND subscriber_id = @subscriberId AND state = 'sending'`,
      ),
      unclaim: db.prepare(
        `UPDATE deliveries SET state = 'queued', run_id = NULL, updated_at = @now, attempts = attempts - 1
         WHERE send_id = @sendId AND subscriber_id = @subscriberId AND state = 'sending'`,
      ),
      heartbeat: db.prepare('UPDATE send_runs SET heartbeat_at = ?, sent = sent + ? WHERE id = ?'),
      hasQueued: db.prepare<[number], unknown>(`SELECT 1 FROM deliveries WHERE send_id = ? AND state = 'queued' LIMIT 1`),
      nextRetryAt: db.prepare<[number], { at: number | null }>(`SELECT min(next_attempt_at) AS at FROM deliveries WHERE send_id = ? AND state = 'retry'`),
    };
  }

  /**
   * One transaction that records finished messages, beats the run's heartbeat and claims up to `wanted` more rows
   * (due retries first, then the queue in subscriber order). Grouping these is what makes a durable ledger fast: one
   * commit per batch, while a row is still never `sent` before its 250 nor mailed before it is `sending`. A claimed
   * row whose subscriber has left since planning becomes `suppressed` instead. A bounce marks the subscriber in the
   * same transaction, so the row and the subscriber's status commit together or not at all.
   */
  commit(
    sendId: number,
    runId: number,
    results: readonly DeliveryResult[],
    wanted: number,
    now: number,
    onSuppressed?: (previous: 'queued' | 'retry') => void,
  ): Claimed[] {
    return transaction(this.db, () => {
      let sent = 0;
      for (const r of results) {
        const key = { now, sendId, subscriberId: r.subscriberId, reply: r.reply };
        if (r.state === 'sent') {
          this.s.sent.run({ ...key, messageId: r.messageId, providerId: providerIdFromReply(r.reply) });
          sent++;
        } else if (r.state === 'retry') this.s.retry.run({ ...key, nextAttemptAt: r.nextAttemptAt });
        else if (r.state === 'in_doubt') this.s.inDoubt.run(key);
        else if (r.state === 'queued') this.s.unclaim.run({ now, sendId, subscriberId: r.subscriberId });
        else {
          this.s.failed.run(key);
          if (r.bounce) this.bounces.markBounced(r.subscriberId, r.reply, new Date(now));
        }
      }
      this.s.heartbeat.run(now, sent, runId);
      const claimed: Claimed[] = [];
      if (wanted <= 0) return claimed;
      const candidates: { id: number; previous: 'queued' | 'retry' }[] = this.s.due
        .all(sendId, now, wanted)
        .map((r) => ({ id: r.subscriber_id, previous: 'retry' }));
      if (candidates.length < wanted) {
        for (const r of this.s.queued.all(sendId, wanted - candidates.length)) candidates.push({ id: r.subscriber_id, previous: 'queued' });
      }
      for (const { id: subscriberId, previous } of candidates) {
        const subscriber = this.s.subscriber.get(subscriberId);
        if (!subscriber || subscriber.status !== 'active') {
          this.s.markSuppressed.run(now, `the subscriber is ${subscriber?.status ?? 'gone'}`, sendId, subscriberId);
          onSuppressed?.(previous);
          continue;
        }
        this.s.markSending.run({ runId, now, sendId, subscriberId });
        const row = this.s.delivery.get(sendId, subscriberId)!;
        claimed.push({ subscriberId, previous, email: subscriber.email, name: subscriber.name, tokenKey: subscriber.token_key, attempts: row.attempts, firstAttemptAt: row.first_attempt_at ?? now });
      }
      return claimed;
    });
  }

  /** Whether any row waits in the queue. */
  hasQueued(sendId: number): boolean {
    return this.s.hasQueued.get(sendId) !== undefined;
  }

  /** When the earliest retry is due, or null when none waits. */
  nextRetryAt(sendId: number): number | null {
    return this.s.nextRetryAt.get(sendId)?.at ?? null;
  }
}
