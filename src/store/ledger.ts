import {
  AlreadySentError,
  DELIVERY_STATES,
  runFromRow,
  sendFromRow,
  type Claimed,
  type DeliveryResult,
  type DeliveryState,
  type Liveness,
  type NewSend,
  type RunInfo,
  type RunRecord,
  type RunRow,
  type SendRecord,
  type SendRow,
} from './ledger-records.ts';
import { transaction, type Db } from './open.ts';

export * from './ledger-records.ts';

/** The ledger on SQLite. Every change is one transaction; claims are IMMEDIATE, so two senders never share a row. */
export class SqliteLedger {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      latest: db.prepare<[string], SendRow>('SELECT * FROM sends WHERE slug = ? ORDER BY id DESC LIMIT 1'),
      byId: db.prepare<[number], SendRow>('SELECT * FROM sends WHERE id = ?'),
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
      markSuppressed: db.prepare(
        `UPDATE deliveries SET state = 'suppressed', updated_at = ?, reply = ? WHERE send_id = ? AND subscriber_id = ?`,
      ),
      sent: db.prepare(
        `UPDATE deliveries SET state = 'sent', run_id = NULL, updated_at = @now, reply = @reply, message_id = @messageId
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
      bounce: db.prepare(`UPDATE subscribers SET status = 'bounced' WHERE id = ? AND status = 'active'`),
      bounceEvent: db.prepare(
        `INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES (?, ?, 'active', 'bounced', ?, 'bounce')`,
      ),
      heartbeat: db.prepare('UPDATE send_runs SET heartbeat_at = ?, sent = sent + ? WHERE id = ?'),
      counts: db.prepare<[number], { state: DeliveryState; n: number }>('SELECT state, count(*) AS n FROM deliveries WHERE send_id = ? GROUP BY state'),
    };
  }

  latestSend(slug: string): SendRecord | null {
    const row = this.s.latest.get(slug);
    return row ? sendFromRow(row) : null;
  }

  send(id: number): SendRecord | null {
    const row = this.s.byId.get(id);
    return row ? sendFromRow(row) : null;
  }

  /** Every send, newest first. */
  sends(): SendRecord[] {
    return this.db.prepare<[], SendRow>('SELECT * FROM sends ORDER BY id DESC').all().map(sendFromRow);
  }

  /**
   * Freezes the recipients of a send: one `queued` row per active subscriber, in one transaction. An unfinished
   * send of the same slug is returned as it is (`created: false`: the caller resumes it); a finished one raises
   * AlreadySentError unless `force`, which plans a new send to everyone active now.
   */
  plan(input: NewSend, now: number, options: { force?: boolean } = {}): { send: SendRecord; created: boolean } {
    return transaction(this.db, () => {
      const latest = this.latestSend(input.slug);
      if (latest && latest.finishedAt === null) return { send: latest, created: false };
      if (latest && !options.force) throw new AlreadySentError(latest);
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO sends (slug, issue_file, subject, source_hash, html, text, placeholder_prefix, recipients, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)`,
        )
        .run(input.slug, input.issueFile, input.subject, input.sourceHash, input.html, input.text, input.placeholderPrefix, now);
      const id = Number(lastInsertRowid);
      const { changes } = this.db
        .prepare(
          `INSERT INTO deliveries (send_id, subscriber_id, state, updated_at)
           SELECT ?, id, 'queued', ? FROM subscribers WHERE status = 'active' ORDER BY id`,
        )
        .run(id, now);
      this.db.prepare('UPDATE sends SET recipients = ? WHERE id = ?').run(changes, id);
      return { send: this.send(id)!, created: true };
    });
  }

  startRun(sendId: number, info: RunInfo, now: number): number {
    return transaction(this.db, () =>
      Number(
        this.db
          .prepare('INSERT INTO send_runs (send_id, pid, host, transport, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(sendId, info.pid, info.host, info.transport, now, now).lastInsertRowid,
      ),
    );
  }

  endRun(runId: number, outcome: string, now: number): void {
    transaction(this.db, () => {
      this.db.prepare('UPDATE send_runs SET ended_at = ?, heartbeat_at = ?, outcome = ? WHERE id = ?').run(now, now, outcome, runId);
    });
  }

  runs(sendId: number): RunRecord[] {
    return this.db.prepare<[number], RunRow>('SELECT * FROM send_runs WHERE send_id = ? ORDER BY id').all(sendId).map(runFromRow);
  }

  /**
   * Rows left `sending` by runs that are gone (ended, or whose process is dead) become `in_doubt`: their message
   * may or may not have reached the server, so they are reported, never silently resent. Runs still alive (another
   * `send` of the same issue) keep their rows. Returns the addresses moved.
   */
  recoverAbandoned(sendId: number, now: number, alive: Liveness): { subscriberId: number; email: string }[] {
    return transaction(this.db, () => {
      const dead = this.runs(sendId).filter((r) => r.endedAt !== null || !alive(r, now));
      const moved: { subscriberId: number; email: string }[] = [];
      for (const run of dead) {
        const rows = this.db
          .prepare<[number, number], { subscriber_id: number; email: string }>(
            `SELECT d.subscriber_id, s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
             WHERE d.send_id = ? AND d.state = 'sending' AND d.run_id = ? ORDER BY d.subscriber_id`,
          )
          .all(sendId, run.id);
        for (const row of rows) {
          this.s.inDoubt.run({ now, reply: `the sender stopped (run ${run.id}) while this message was in flight`, sendId, subscriberId: row.subscriber_id });
          moved.push({ subscriberId: row.subscriber_id, email: row.email });
        }
        if (run.endedAt === null) this.db.prepare(`UPDATE send_runs SET ended_at = ?, outcome = 'crashed' WHERE id = ?`).run(now, run.id);
      }
      return moved;
    });
  }

  /** `in_doubt` rows go back to the queue: the writer chose to risk a second copy rather than a missing one. */
  requeueInDoubt(sendId: number, now: number): number {
    return transaction(this.db, () =>
      this.db
        .prepare(`UPDATE deliveries SET state = 'queued', next_attempt_at = 0, updated_at = ? WHERE send_id = ? AND state = 'in_doubt'`)
        .run(now, sendId).changes,
    );
  }

  /** Marks a finished send unfinished again (to resend its messages in doubt). */
  reopen(sendId: number): void {
    transaction(this.db, () => {
      this.db.prepare('UPDATE sends SET finished_at = NULL WHERE id = ?').run(sendId);
    });
  }

  /** Rows still owed a message whose subscriber is no longer active become `suppressed`. */
  suppressInactive(sendId: number, now: number): number {
    return transaction(this.db, () =>
      this.db
        .prepare(
          `UPDATE deliveries SET state = 'suppressed', updated_at = ?,
             reply = 'the subscriber is ' || (SELECT status FROM subscribers s WHERE s.id = deliveries.subscriber_id)
           WHERE send_id = ? AND state IN ('queued', 'retry')
             AND subscriber_id IN (SELECT id FROM subscribers WHERE status != 'active')`,
        )
        .run(now, sendId).changes,
    );
  }

  /**
   * One transaction that records finished messages, beats the run's heartbeat and claims up to `wanted` more rows
   * (due retries first, then the queue in subscriber order). Grouping these is what makes a durable ledger fast: one
   * commit per batch, while a row is still never `sent` before its 250 nor mailed before it is `sending`. A claimed
   * row whose subscriber has left since planning becomes `suppressed` instead.
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
          this.s.sent.run({ ...key, messageId: r.messageId });
          sent++;
        } else if (r.state === 'retry') this.s.retry.run({ ...key, nextAttemptAt: r.nextAttemptAt });
        else if (r.state === 'in_doubt') this.s.inDoubt.run(key);
        else if (r.state === 'queued') this.s.unclaim.run({ now, sendId, subscriberId: r.subscriberId });
        else {
          this.s.failed.run(key);
          if (r.bounce && this.s.bounce.run(r.subscriberId).changes > 0) this.s.bounceEvent.run(r.subscriberId, new Date(now).toISOString(), r.reply);
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

  counts(sendId: number): Record<DeliveryState, number> {
    const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    for (const row of this.s.counts.all(sendId)) counts[row.state] = row.n;
    return counts;
  }

  /** Whether any row waits in the queue. */
  hasQueued(sendId: number): boolean {
    return this.db.prepare(`SELECT 1 FROM deliveries WHERE send_id = ? AND state = 'queued' LIMIT 1`).get(sendId) !== undefined;
  }

  /** When the earliest retry is due, or null when none waits. */
  nextRetryAt(sendId: number): number | null {
    const row = this.db
      .prepare<[number], { at: number | null }>(`SELECT min(next_attempt_at) AS at FROM deliveries WHERE send_id = ? AND state = 'retry'`)
      .get(sendId);
    return row?.at ?? null;
  }

  /** Marks the send finished when no row still owes a message; returns whether it is finished. */
  finishIfDone(sendId: number, now: number): boolean {
    return transaction(this.db, () => {
      const open = this.db
        .prepare<[number], { n: number }>(`SELECT count(*) AS n FROM deliveries WHERE send_id = ? AND state IN ('queued', 'sending', 'retry')`)
        .get(sendId)!.n;
      if (open > 0) return false;
      this.db.prepare('UPDATE sends SET finished_at = coalesce(finished_at, ?) WHERE id = ?').run(now, sendId);
      return true;
    });
  }

  /** Rows in one state with the subscriber's address and the last reply, in subscriber order. */
  rows(sendId: number, state: DeliveryState, limit = 1000): { subscriberId: number; email: string; reply: string | null; attempts: number }[] {
    return this.db
      .prepare<[number, string, number], { subscriber_id: number; email: string; reply: string | null; attempts: number }>(
        `SELECT d.subscriber_id, s.email, d.reply, d.attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
         WHERE d.send_id = ? AND d.state = ? ORDER BY d.subscriber_id LIMIT ?`,
      )
      .all(sendId, state, limit)
      .map((r) => ({ subscriberId: r.subscriber_id, email: r.email, reply: r.reply, attempts: r.attempts }));
  }

  /** When each message of any send went out since `since` (sent, or in doubt), for an hourly cap that spans runs. */
  sentTimesSince(since: number): number[] {
    return this.db
      .prepare<[number], { at: number }>(`SELECT updated_at AS at FROM deliveries WHERE state IN ('sent', 'in_doubt') AND updated_at >= ?`)
      .all(since)
      .map((r) => r.at);
  }

  /** Whether a message with this Message-ID went to this subscriber in some send: how returned mail is verified. */
  sentMessage(subscriberId: number, messageId: string): boolean {
    return (
      this.db
        .prepare<[number, string], { one: number }>(`SELECT 1 AS one FROM deliveries WHERE subscriber_id = ? AND message_id = ? LIMIT 1`)
        .get(subscriberId, messageId) !== undefined
    );
  }

  /** Messages recorded sent since `since`, for a recent rate. */
  sentSince(sendId: number, since: number): number {
    return this.db
      .prepare<[number, number], { n: number }>(`SELECT count(*) AS n FROM deliveries WHERE send_id = ? AND state = 'sent' AND updated_at >= ?`)
      .get(sendId, since)!.n;
  }
}
