import { DELIVERY_STATES, runFromRow, sendFromRow, type DeliveryState, type RunRecord, type RunRow, type SendRecord, type SendRow } from './records.ts';
import type { Db } from '../open.ts';
import type { DeliveryRow } from './ledger.ts';
import { segmentTags } from '../../audience/segment-ast.ts';
import { audienceWhere, KNOWN_TAGS_SQL, type Audience, type AudiencePreview } from './audience-sql.ts';

export type { DeliveryRow } from './ledger.ts';

/** What the ledger says about sends: reads only, every statement prepared once. */
export class LedgerReports {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      // A step's standing send (automation) of the same issue is not a broadcast of it: never the latest.
      latest: db.prepare<[string], SendRow>('SELECT * FROM sends WHERE slug = ? AND automation IS NULL ORDER BY id DESC LIMIT 1'),
      byId: db.prepare<[number], SendRow>('SELECT * FROM sends WHERE id = ?'),
      sends: db.prepare<[], SendRow>('SELECT * FROM sends ORDER BY id DESC'),
      runs: db.prepare<[number], RunRow>('SELECT * FROM send_runs WHERE send_id = ? ORDER BY id'),
      counts: db.prepare<[number], { state: DeliveryState; n: number }>('SELECT state, count(*) AS n FROM deliveries WHERE send_id = ? GROUP BY state'),
      rows: db.prepare<[number, string, number], { subscriber_id: number; email: string; reply: string | null; attempts: number }>(
        `SELECT d.subscriber_id, s.email, d.reply, d.attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
         WHERE d.send_id = ? AND d.state = ? ORDER BY d.subscriber_id LIMIT ?`,
      ),
      // Only sends that ran since then, each read through its (send_id, state) index: never a scan of every send's rows.
      sentTimesSince: db.prepare<{ since: number }, { at: number }>(
        `SELECT updated_at AS at FROM deliveries
         WHERE send_id IN (SELECT id FROM sends WHERE finished_at IS NULL OR finished_at >= $since) AND state IN ('sent', 'in_doubt') AND updated_at >= $since`,
      ),
      sentMessage: db.prepare<[number, string], { one: number }>(`SELECT 1 AS one FROM deliveries WHERE subscriber_id = ? AND message_id = ? LIMIT 1`),
      tagExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM subscriber_tags WHERE tag = ? LIMIT 1'),
      knownTags: db.prepare<[], { tag: string }>(KNOWN_TAGS_SQL),
      sentSince: db.prepare<[number, number], { n: number }>(`SELECT count(*) AS n FROM deliveries WHERE send_id = ? AND state = 'sent' AND updated_at >= ?`),
    };
  }

  /** The newest broadcast of this slug; automation sends are left out. */
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
    return this.s.sends.all().map(sendFromRow);
  }

  runs(sendId: number): RunRecord[] {
    return this.s.runs.all(sendId).map(runFromRow);
  }

  counts(sendId: number): Record<DeliveryState, number> {
    const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    for (const row of this.s.counts.all(sendId)) counts[row.state] = row.n;
    return counts;
  }

  /** Rows in one state with the subscriber's address and the last reply, in subscriber order. */
  rows(sendId: number, state: DeliveryState, limit = 1000): DeliveryRow[] {
    return this.s.rows.all(sendId, state, limit).map((r) => ({ subscriberId: r.subscriber_id, email: r.email, reply: r.reply, attempts: r.attempts }));
  }

  /** When each message of any send went out since `since` (sent, or in doubt), for an hourly cap that spans runs. */
  sentTimesSince(since: number): number[] {
    return this.s.sentTimesSince.all({ since }).map((r) => r.at);
  }

  /** Whether a message with this Message-ID went to this subscriber in some send: how returned mail is verified. */
  sentMessage(subscriberId: number, messageId: string): boolean {
    return this.s.sentMessage.get(subscriberId, messageId) !== undefined;
  }

  /** Messages recorded sent since `since`, for a recent rate. */
  sentSince(sendId: number, since: number): number {
    return this.s.sentSince.get(sendId, since)!.n;
  }

  /** How many active subscribers an audience selects now, the first few addresses, and the tags nobody has. */
  previewAudience(audience: Audience, sampleSize: number): AudiencePreview {
    const where = audienceWhere(audience, 'sqlite');
    const count = this.db.prepare<string[], { n: number }>(`SELECT count(*) AS n FROM subscribers s WHERE ${where.sql}`).get(...where.params)!.n;
    const sample = this.db
      .prepare<unknown[], { email: string }>(`SELECT s.email FROM subscribers s WHERE ${where.sql} ORDER BY s.id LIMIT ?`)
      .all(...where.params, sampleSize)
      .map((r) => r.email);
    const unknownTags = audience.segment ? segmentTags(audience.segment.ast).filter((tag) => this.s.tagExists.get(tag) === undefined) : [];
    const knownTags = unknownTags.length > 0 ? this.s.knownTags.all().map((r) => r.tag) : [];
    return { count, sample, unknownTags, knownTags };
  }
}
