import type pg from 'pg';
import { AlreadySentError, type Liveness, type NewSend, type RunInfo, type SendRecord } from '../ledger/records.ts';
import type { PgLedgerReports } from './pg-ledger-reports.ts';
import { transaction } from './pg-transaction.ts';
import { audienceColumns, audienceWhere, EmptyAudienceError, narrows } from '../ledger/audience-sql.ts';
import type { PlanOptions } from '../ledger/ledger.ts';

/** The first key of the two-key advisory locks that serialise planning per slug: apart from every other lock. */
const PLAN_LOCK = 0x706c616e; // 'plan'

/** States that still owe a message: a send is finished only when no row is in one. */
const OPEN = "('queued', 'sending', 'retry')";

/** A send's life on PostgreSQL (../ledger/lifecycle.ts on SQLite): each method one transaction. */
export class PgLedgerLifecycle {
  constructor(
    private readonly pool: pg.Pool,
    private readonly reports: PgLedgerReports,
  ) {}

  /**
   * Freezes the recipients with one INSERT … SELECT. Two processes planning one slug at once queue on an advisory
   * lock on the slug, so the second finds the first's send (unfinished: resumed) instead of planning another. The
   * audience (segment, topic) is a condition in that same statement; one that selects nobody raises
   * EmptyAudienceError and rolls the plan back.
   */
  plan(input: NewSend, now: number, options: PlanOptions = {}): Promise<{ send: SendRecord; created: boolean }> {
    return transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PLAN_LOCK, input.slug]);
      const latest = await this.reports.latestSend(input.slug, client);
      if (latest && latest.finishedAt === null) return { send: latest, created: false };
      if (latest && !options.force) throw new AlreadySentError(latest);
      const audience = options.audience ?? {};
      const { segment, topic } = audienceColumns(audience);
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO sends (slug, issue_file, subject, source_hash, html, text, placeholder_prefix, recipients, created_at, segment, topic)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10) RETURNING id`,
        [input.slug, input.issueFile, input.subject, input.sourceHash, input.html, input.text, input.placeholderPrefix, now, segment, topic],
      );
      const id = inserted.rows[0]!.id;
      const where = audienceWhere(audience, 'pg', 3);
      // In id order, so the primary key and the due index are written nearly in order.
      const frozen = await client.query(
        `INSERT INTO deliveries (send_id, subscriber_id, state, updated_at)
         SELECT $1, s.id, 'queued', $2 FROM subscribers s WHERE ${where.sql} ORDER BY s.id`,
        [id, now, ...where.params],
      );
      if ((frozen.rowCount ?? 0) === 0 && narrows(audience)) throw new EmptyAudienceError(audience);
      await client.query('UPDATE sends SET recipients = $1 WHERE id = $2', [frozen.rowCount ?? 0, id]);
      return { send: (await this.reports.send(id, client))!, created: true };
    });
  }

  async startRun(sendId: number, info: RunInfo, now: number): Promise<number> {
    const { rows } = await this.pool.query<{ id: number }>(
      'INSERT INTO send_runs (send_id, pid, host, transport, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
      [sendId, info.pid, info.host, info.transport, now],
    );
    return rows[0]!.id;
  }

  async endRun(runId: number, outcome: string, now: number): Promise<void> {
    await this.pool.query('UPDATE send_runs SET ended_at = $1, heartbeat_at = $1, outcome = $2 WHERE id = $3', [now, outcome, runId]);
  }

  /**
   * As on SQLite: rows left `sending` by runs that are gone become `in_doubt`, runs still alive keep theirs. The
   * send's row is locked FOR UPDATE first, so a second process recovering the same send waits, then reads the runs
   * as the first left them (crashed, rows moved) and moves nothing twice. Senders' commits never lock that row.
   */
  recoverAbandoned(sendId: number, now: number, alive: Liveness): Promise<{ subscriberId: number; email: string }[]> {
    return transaction(this.pool, async (client) => {
      await client.query('SELECT 1 FROM sends WHERE id = $1 FOR UPDATE', [sendId]);
      const dead = (await this.reports.runs(sendId, client)).filter((r) => r.endedAt !== null || !alive(r, now));
      if (dead.length === 0) return [];
      const { rows } = await client.query<{ subscriber_id: number; email: string }>(
        `WITH old AS (
           SELECT subscriber_id, run_id FROM deliveries WHERE send_id = $1 AND state = 'sending' AND run_id = ANY($2::int[]) FOR UPDATE
         ), moved AS (
           UPDATE deliveries d SET state = 'in_doubt', updated_at = $3, run_id = NULL,
             reply = 'the sender stopped (run ' || old.run_id || ') while this message was in flight'
           FROM old WHERE d.send_id = $1 AND d.subscriber_id = old.subscriber_id
           RETURNING d.subscriber_id, old.run_id
         )
         SELECT m.subscriber_id, s.email FROM moved m JOIN subscribers s ON s.id = m.subscriber_id ORDER BY m.run_id, m.subscriber_id`,
        [sendId, dead.map((r) => r.id), now],
      );
      const unended = dead.filter((r) => r.endedAt === null).map((r) => r.id);
      if (unended.length > 0) await client.query(`UPDATE send_runs SET ended_at = $1, outcome = 'crashed' WHERE id = ANY($2::int[])`, [now, unended]);
      return rows.map((r) => ({ subscriberId: r.subscriber_id, email: r.email }));
    });
  }

  async requeueInDoubt(sendId: number, now: number): Promise<number> {
    const { rowCount } = await this.pool.query(`UPDATE deliveries SET state = 'queued', next_attempt_at = 0, updated_at = $1 WHERE send_id = $2 AND state = 'in_doubt'`, [now, sendId]);
    return rowCount ?? 0;
  }

  async reopen(sendId: number): Promise<void> {
    await this.pool.query('UPDATE sends SET finished_at = NULL WHERE id = $1', [sendId]);
  }

  async suppressInactive(sendId: number, now: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE deliveries d SET state = 'suppressed', updated_at = $1, reply = 'the subscriber is ' || s.status
       FROM subscribers s
       WHERE d.send_id = $2 AND d.state IN ('queued', 'retry') AND s.id = d.subscriber_id AND s.status <> 'active'`,
      [now, sendId],
    );
    return rowCount ?? 0;
  }

  /**
   * One statement: whether any row is open, and the finish stamped only when none is. A step's standing send
   * (automation) counts as open for ever: readers still to come get their rows in it later.
   */
  async finishIfDone(sendId: number, now: number): Promise<boolean> {
    const { rows } = await this.pool.query<{ open: boolean }>(
      `WITH open AS (
         SELECT EXISTS (SELECT 1 FROM deliveries WHERE send_id = $1 AND state IN ${OPEN})
             OR EXISTS (SELECT 1 FROM sends WHERE id = $1 AND automation IS NOT NULL) AS open
       ),
       finish AS (UPDATE sends SET finished_at = coalesce(finished_at, $2) WHERE id = $1 AND NOT (SELECT open FROM open))
       SELECT open FROM open`,
      [sendId, now],
    );
    return !rows[0]!.open;
  }
}
