import { DELIVERY_STATES, runFromRow, sendFromRow, type DeliveryState, type RunRecord, type RunRow, type SendRecord, type SendRow } from '../ledger/records.ts';
import type { DeliveryRow } from '../ledger/ledger.ts';
import type pg from 'pg';
import { segmentTags } from '../../audience/segment-ast.ts';
import { audienceWhere, KNOWN_TAGS_SQL, type Audience, type AudiencePreview } from '../ledger/audience-sql.ts';

/** The pool (each statement its own transaction) or a client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** What the ledger says about sends, on PostgreSQL: reads only, each one statement (../ledger/reports.ts on SQLite). */
export class PgLedgerReports {
  constructor(private readonly db: Queryable) {}

  /**
   * The newest broadcast of this slug (a step's standing send is left out), on `client` when a caller reads inside
   * its own transaction (planning), else on the pool.
   */
  async latestSend(slug: string, client: Queryable = this.db): Promise<SendRecord | null> {
    const { rows } = await client.query<SendRow>('SELECT * FROM sends WHERE slug = $1 AND automation IS NULL ORDER BY id DESC LIMIT 1', [slug]);
    return rows[0] ? sendFromRow(rows[0]) : null;
  }

  async send(id: number, client: Queryable = this.db): Promise<SendRecord | null> {
    const { rows } = await client.query<SendRow>('SELECT * FROM sends WHERE id = $1', [id]);
    return rows[0] ? sendFromRow(rows[0]) : null;
  }

  async sends(): Promise<SendRecord[]> {
    const { rows } = await this.db.query<SendRow>('SELECT * FROM sends ORDER BY id DESC');
    return rows.map(sendFromRow);
  }

  async runs(sendId: number, client: Queryable = this.db): Promise<RunRecord[]> {
    const { rows } = await client.query<RunRow>('SELECT * FROM send_runs WHERE send_id = $1 ORDER BY id', [sendId]);
    return rows.map(runFromRow);
  }

  async counts(sendId: number): Promise<Record<DeliveryState, number>> {
    const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    const { rows } = await this.db.query<{ state: DeliveryState; n: number }>('SELECT state, count(*) AS n FROM deliveries WHERE send_id = $1 GROUP BY state', [sendId]);
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  async rows(sendId: number, state: DeliveryState, limit = 1000): Promise<DeliveryRow[]> {
    const { rows } = await this.db.query<{ subscriber_id: number; email: string; reply: string | null; attempts: number }>(
      `SELECT d.subscriber_id, s.email, d.reply, d.attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
       WHERE d.send_id = $1 AND d.state = $2 ORDER BY d.subscriber_id LIMIT $3`,
      [sendId, state, limit],
    );
    return rows.map((r) => ({ subscriberId: r.subscriber_id, email: r.email, reply: r.reply, attempts: r.attempts }));
  }

  async sentTimesSince(since: number): Promise<number[]> {
    // Only sends that ran since then, each read through its (send_id, state) index: never a scan of every send's rows.
    const { rows } = await this.db.query<{ at: number }>(
      `SELECT updated_at AS at FROM deliveries
       WHERE send_id IN (SELECT id FROM sends WHERE finished_at IS NULL OR finished_at >= $1) AND state IN ('sent', 'in_doubt') AND updated_at >= $1`,
      [since],
    );
    return rows.map((r) => r.at);
  }

  async sentMessage(subscriberId: number, messageId: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM deliveries WHERE subscriber_id = $1 AND message_id = $2 LIMIT 1', [subscriberId, messageId]);
    return (rowCount ?? 0) > 0;
  }

  async sentSince(sendId: number, since: number): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*) AS n FROM deliveries WHERE send_id = $1 AND state = 'sent' AND updated_at >= $2`, [sendId, since]);
    return rows[0]!.n;
  }

  /** How many active subscribers an audience selects now, the first few addresses, and the tags nobody has. */
  async previewAudience(audience: Audience, sampleSize: number): Promise<AudiencePreview> {
    const where = audienceWhere(audience, 'pg');
    const count = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM subscribers s WHERE ${where.sql}`, where.params);
    const sample = await this.db.query<{ email: string }>(
      `SELECT s.email FROM subscribers s WHERE ${where.sql} ORDER BY s.id LIMIT $${where.params.length + 1}`,
      [...where.params, sampleSize],
    );
    const unknownTags: string[] = [];
    for (const tag of audience.segment ? segmentTags(audience.segment.ast) : []) {
      const { rowCount } = await this.db.query('SELECT 1 FROM subscriber_tags WHERE tag = $1 LIMIT 1', [tag]);
      if ((rowCount ?? 0) === 0) unknownTags.push(tag);
    }
    const knownTags = unknownTags.length > 0 ? (await this.db.query<{ tag: string }>(KNOWN_TAGS_SQL)).rows.map((r) => r.tag) : [];
    return { count: count.rows[0]!.n, sample: sample.rows.map((r) => r.email), unknownTags, knownTags };
  }
}
