import type pg from 'pg';
import type { AppliedEvent, FeedbackEvent, FeedbackKind, Provider } from '../../feedback/feedback-event.ts';
import { emptyFeedback, eventColumns, eventDetail, eventKey, normalizedRecipients, RAW_KEPT_MS, recordedDetail, unmatchedDetail } from '../../feedback/feedback-record.ts';
import type { ApplyOptions, FeedbackStore, SendFeedback } from '../../feedback/feedback-store.ts';
import { statusChangeFor, type SoftBouncePolicy } from '../../feedback/suppression-policy.ts';
import { statusVia } from '../feedback-via.ts';
import { transaction } from './pg-transaction.ts';

interface Match {
  send_id: number;
  subscriber_id: number;
  email: string;
  email_normalized: string;
  status: string;
}

const MATCH = `SELECT d.send_id, d.subscriber_id, s.email, s.email_normalized, s.status
  FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id`;

type Batch = { replay: true } | { replay: false; applied: AppliedEvent[] };

/** Thrown to roll a dry run's transaction back. */
const ROLL_BACK = Symbol('roll back');

/**
 * Provider feedback on PostgreSQL, as on SQLite (sqlite-feedback.ts). Several servers may take webhooks at once: an
 * event is recorded once through its unique key (ON CONFLICT), a nonce likewise, and the matched subscriber's row is
 * locked before the soft bounces are counted, so two soft bounces arriving together for one reader are counted one
 * after the other and the limit is never passed unseen.
 */
export class PgFeedback implements FeedbackStore {
  constructor(private readonly pool: pg.Pool) {}

  async apply(events: readonly FeedbackEvent[], now: number, policy: SoftBouncePolicy, { nonce, dryRun = false }: ApplyOptions = {}) {
    let result: Batch | undefined;
    try {
      await transaction(this.pool, async (client) => {
        result = await this.#batch(client, events, now, policy, nonce);
        if (dryRun) throw ROLL_BACK;
      });
    } catch (error) {
      if (error !== ROLL_BACK) throw error;
    }
    return result!;
  }

  async #batch(client: pg.PoolClient, events: readonly FeedbackEvent[], now: number, policy: SoftBouncePolicy, nonce: ApplyOptions['nonce']): Promise<Batch> {
    if (nonce) {
      await client.query('DELETE FROM webhook_nonces WHERE expires_at < $1', [now]);
      const claimed = await client.query('INSERT INTO webhook_nonces (provider, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        nonce.provider,
        nonce.value,
        nonce.expiresAt,
      ]);
      if (claimed.rowCount === 0) return { replay: true };
    }
    await client.query('UPDATE feedback_events SET raw = NULL WHERE received_at < $1 AND raw IS NOT NULL', [now - RAW_KEPT_MS]);
    const applied: AppliedEvent[] = [];
    for (const event of events) applied.push(await this.#one(client, event, now, policy));
    return { replay: false, applied };
  }

  async #one(client: pg.PoolClient, event: FeedbackEvent, now: number, policy: SoftBouncePolicy): Promise<AppliedEvent> {
    const match = await this.#match(client, event);
    const c = eventColumns(event);
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO feedback_events (event_key, provider, kind, email, occurred_at, received_at, message_id, provider_message_id, status,
         diagnostic, send_id, subscriber_id, outcome, raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (event_key) DO NOTHING RETURNING id`,
      [eventKey(event), c.provider, c.kind, c.email, c.occurredAt, now, c.messageId, c.providerMessageId, c.status, c.diagnostic, match?.send_id ?? null, match?.subscriber_id ?? null, match ? 'recorded' : 'unmatched', event.raw],
    );
    if (inserted.rows.length === 0) return { event, outcome: 'duplicate', email: event.recipients[0] ?? null, detail: 'recorded before' };
    if (!match) return { event, outcome: 'unmatched', email: event.recipients[0] ?? null, detail: unmatchedDetail(event) };
    const softSends =
      event.kind === 'soft-bounce'
        ? (
            await client.query<{ n: number }>(
              `SELECT count(DISTINCT send_id)::int AS n FROM feedback_events
               WHERE subscriber_id = $1 AND kind = 'soft-bounce' AND occurred_at > $2 AND send_id IS NOT NULL`,
              [match.subscriber_id, event.at - policy.windowMs],
            )
          ).rows[0]!.n
        : 0;
    const change = statusChangeFor(event.kind, event.provider, eventDetail(event), softSends, policy);
    if (!change) return { event, outcome: 'recorded', email: match.email, detail: recordedDetail(event, softSends, policy) };
    if (!change.from.includes(match.status as never)) return { event, outcome: 'recorded', email: match.email, detail: `already ${match.status}` };
    const at = new Date(now).toISOString();
    await client.query(
      `UPDATE subscribers SET status = $1, unsubscribed_at = CASE WHEN $1 = 'unsubscribed' THEN $2 ELSE unsubscribed_at END WHERE id = $3`,
      [change.to, at, match.subscriber_id],
    );
    await client.query('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES ($1, $2, $3, $4, $5, $6)', [
      match.subscriber_id,
      at,
      match.status,
      change.to,
      change.reason,
      statusVia(change.via),
    ]);
    await client.query("UPDATE feedback_events SET outcome = 'suppressed' WHERE id = $1", [inserted.rows[0]!.id]);
    return { event, outcome: 'suppressed', email: match.email, detail: change.reason };
  }

  /** As on SQLite; the subscriber's row is then locked (and its status read again) for the rest of the transaction. */
  async #match(client: pg.PoolClient, event: FeedbackEvent): Promise<Match | null> {
    const wanted = normalizedRecipients(event);
    const fits = (rows: Match[]) => rows.find((r) => event.recipients.length === 0 || wanted.has(r.email_normalized)) ?? null;
    let found: Match | null = null;
    if (event.messageId) found = fits((await client.query<Match>(`${MATCH} WHERE d.message_id = $1 LIMIT 20`, [event.messageId])).rows);
    if (!found && event.providerMessageId) found = fits((await client.query<Match>(`${MATCH} WHERE d.provider_id = $1 LIMIT 20`, [event.providerMessageId])).rows);
    if (!found) return null;
    const locked = await client.query<{ status: string }>('SELECT status FROM subscribers WHERE id = $1 FOR UPDATE', [found.subscriber_id]);
    return locked.rows[0] ? { ...found, status: locked.rows[0].status } : null;
  }

  async sendFeedback(sendIds: readonly number[]): Promise<Map<number, SendFeedback>> {
    const out = new Map<number, SendFeedback>();
    if (sendIds.length === 0) return out;
    const { rows } = await this.pool.query<{ send_id: number; kind: FeedbackKind; n: number }>(
      'SELECT send_id, kind, count(*)::int AS n FROM feedback_events WHERE send_id = ANY($1::int[]) GROUP BY send_id, kind',
      [sendIds],
    );
    for (const r of rows) {
      const counts = out.get(r.send_id) ?? emptyFeedback();
      counts[r.kind] = r.n;
      out.set(r.send_id, counts);
    }
    return out;
  }

  async recent(since: number) {
    const { rows } = await this.pool.query<{ provider: Provider; kind: FeedbackKind; matched: boolean; n: number }>(
      `SELECT provider, kind, outcome <> 'unmatched' AS matched, count(*)::int AS n FROM feedback_events
       WHERE received_at >= $1 GROUP BY provider, kind, outcome <> 'unmatched' ORDER BY provider, kind`,
      [since],
    );
    return rows.map((r) => ({ provider: r.provider, kind: r.kind, matched: r.matched, count: r.n }));
  }
}
