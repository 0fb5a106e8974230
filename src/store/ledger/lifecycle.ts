import { AlreadySentError, type Liveness, type NewSend, type RunInfo, type SendRecord } from './records.ts';
import { transaction, type Db } from '../open.ts';
import type { LedgerReports } from './reports.ts';
import { audienceColumns, audienceWhere, EmptyAudienceError, narrows, type Audience } from './audience-sql.ts';
import type { PlanOptions } from './ledger.ts';

/** A send's life: planned (its list frozen), runs started and ended, abandoned rows recovered, finished. */
export class LedgerLifecycle {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly reports: LedgerReports,
  ) {
    this.s = {
      insertSend: db.prepare(
        `INSERT INTO sends (slug, issue_file, subject, source_hash, html, text, placeholder_prefix, recipients, created_at, segment, topic)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      ),
      freeze: db.prepare(
        `INSERT INTO deliveries (send_id, subscriber_id, state, updated_at)
         SELECT ?, id, 'queued', ? FROM subscribers WHERE status = 'active' ORDER BY id`,
      ),
      setRecipients: db.prepare('UPDATE sends SET recipients = ? WHERE id = ?'),
      startRun: db.prepare('INSERT INTO send_runs (send_id, pid, host, transport, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)'),
      endRun: db.prepare('UPDATE send_runs SET ended_at = ?, heartbeat_at = ?, outcome = ? WHERE id = ?'),
      runSending: db.prepare<[number, number], { subscriber_id: number; email: string }>(
        `SELECT d.subscriber_id, s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
         WHERE d.send_id = ? AND d.state = 'sending' AND d.run_id = ? ORDER BY d.subscriber_id`,
      ),
      inDoubt: db.prepare(
        `UPDATE deliveries SET state = 'in_doubt', run_id = NULL, updated_at = @now, reply = @reply
         WHERE send_id = @sendId AND subscriber_id = @subscriberId AND state = 'sending'`,
      ),
      crashed: db.prepare(`UPDATE send_runs SET ended_at = ?, outcome = 'crashed' WHERE id = ?`),
      requeueInDoubt: db.prepare(`UPDATE deliveries SET state = 'queued', next_attempt_at = 0, updated_at = ? WHERE send_id = ? AND state = 'in_doubt'`),
      reopen: db.prepare('UPDATE sends SET finished_at = NULL WHERE id = ?'),
      suppressInactive: db.prepare(
        `UPDATE deliveries SET state = 'suppressed', updated_at = ?,
           reply = 'the subscriber is ' || (SELECT status FROM subscribers s WHERE s.id = deliveries.subscriber_id)
         WHERE send_id = ? AND state IN ('queued', 'retry')
           AND subscriber_id IN (SELECT id FROM subscribers WHERE status != 'active')`,
      ),
      open: db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM deliveries WHERE send_id = ? AND state IN ('queued', 'sending', 'retry')`),
      isStep: db.prepare<[number], { one: number }>('SELECT 1 AS one FROM sends WHERE id = ? AND automation IS NOT NULL'),
      finish: db.prepare('UPDATE sends SET finished_at = coalesce(finished_at, ?) WHERE id = ?'),
    };
  }

  /**
   * Freezes the recipients of a send: one `queued` row per active subscriber in the audience, in one transaction
   * (one INSERT … SELECT). An unfinished send of the same slug is returned as it is (`created: false`: the caller
   * resumes it); a finished one raises AlreadySentError unless `force`, which plans a new send to the audience as it
   * is now. An audience that narrows the list to nobody raises EmptyAudienceError, and the transaction plans nothing.
   */
  plan(input: NewSend, now: number, options: PlanOptions = {}): { send: SendRecord; created: boolean } {
    return transaction(this.db, () => {
      const latest = this.reports.latestSend(input.slug);
      if (latest && latest.finishedAt === null) return { send: latest, created: false };
      if (latest && !options.force) throw new AlreadySentError(latest);
      const audience = options.audience;
      const { segment, topic } = audienceColumns(audience ?? {});
      const { lastInsertRowid } = this.s.insertSend.run(input.slug, input.issueFile, input.subject, input.sourceHash, input.html, input.text, input.placeholderPrefix, now, segment, topic);
      const id = Number(lastInsertRowid);
      const changes = narrows(audience) ? this.freezeAudience(id, now, audience) : this.s.freeze.run(id, now).changes;
      if (changes === 0 && narrows(audience)) throw new EmptyAudienceError(audience);
      this.s.setRecipients.run(changes, id);
      return { send: this.reports.send(id)!, created: true };
    });
  }

  /** The audience's freeze, prepared for its segment: the same single INSERT … SELECT as the plain one. */
  private freezeAudience(sendId: number, now: number, audience: Audience): number {
    const where = audienceWhere(audience, 'sqlite');
    const statement = this.db.prepare(
      `INSERT INTO deliveries (send_id, subscriber_id, state, updated_at)
       SELECT ?, s.id, 'queued', ? FROM subscribers s WHERE ${where.sql} ORDER BY s.id`,
    );
    return statement.run(sendId, now, ...where.params).changes;
  }

  startRun(sendId: number, info: RunInfo, now: number): number {
    return transaction(this.db, () => Number(this.s.startRun.run(sendId, info.pid, info.host, info.transport, now, now).lastInsertRowid));
  }

  endRun(runId: number, outcome: string, now: number): void {
    transaction(this.db, () => {
      this.s.endRun.run(now, now, outcome, runId);
    });
  }

  /**
   * Rows left `sending` by runs that are gone (ended, or whose process is dead) become `in_doubt`: their message
   * may or may not have reached the server, so they are reported, never silently resent. Runs still alive (another
   * `send` of the same issue) keep their rows. Returns the addresses moved.
   */
  recoverAbandoned(sendId: number, now: number, alive: Liveness): { subscriberId: number; email: string }[] {
    return transaction(this.db, () => {
      const dead = this.reports.runs(sendId).filter((r) => r.endedAt !== null || !alive(r, now));
      const moved: { subscriberId: number; email: string }[] = [];
      for (const run of dead) {
        for (const row of this.s.runSending.all(sendId, run.id)) {
          this.s.inDoubt.run({ now, reply: `the sender stopped (run ${run.id}) while this message was in flight`, sendId, subscriberId: row.subscriber_id });
          moved.push({ subscriberId: row.subscriber_id, email: row.email });
        }
        if (run.endedAt === null) this.s.crashed.run(now, run.id);
      }
      return moved;
    });
  }

  /** `in_doubt` rows go back to the queue: the writer chose to risk a second copy rather than a missing one. */
  requeueInDoubt(sendId: number, now: number): number {
    return transaction(this.db, () => this.s.requeueInDoubt.run(now, sendId).changes);
  }

  /** Marks a finished send unfinished again (to resend its messages in doubt). */
  reopen(sendId: number): void {
    transaction(this.db, () => {
      this.s.reopen.run(sendId);
    });
  }

  /** Rows still owed a message whose subscriber is no longer active become `suppressed`. */
  suppressInactive(sendId: number, now: number): number {
    return transaction(this.db, () => this.s.suppressInactive.run(now, sendId).changes);
  }

  /**
   * Marks the send finished when no row still owes a message; returns whether it is finished. A step's standing send
   * (automation) never is: readers still to come get their rows in it later.
   */
  finishIfDone(sendId: number, now: number): boolean {
    return transaction(this.db, () => {
      if (this.s.isStep.get(sendId) !== undefined) return false;
      if (this.s.open.get(sendId)!.n > 0) return false;
      this.s.finish.run(now, sendId);
      return true;
    });
  }
}
