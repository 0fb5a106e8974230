import type pg from 'pg';
import type { AppliedEvent, FeedbackEvent, FeedbackKind, Provider } from '../../feedback/feedback-event.ts';
import { emptyFeedback, eventColumns, eventDetail, eventKey, normalizedRecipients, RAW_KEPT_MS, recordedDetail, unmatchedDetail } from '../../feedback/feedback-record.ts';
import type { ApplyOptions, FeedbackStore, SendFeedback } from '../../feedback/feedback-store.ts';
import { statusChangeFor, type SoftBouncePolicy } from '../../feedback/suppression-policy.ts';
import { statusVia } from '../feedback-via.ts';
import { transaction } from './pg-transaction.ts';

interface Row {
  send_id: number;
  subscriber_id: number;
  email: string;
  email_normalized: string;
}

/** A delivery an event is about, and its reader's status: one object per reader, shared by the batch's events. */
interface Match extends Row {
  reader: { status: string };
}

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
    const matches = await this.#matchAll(client, events);
    const applied: AppliedEvent[] = [];
    for (const [i, event] of events.entries()) applied.push(await this.#one(client, event, matches[i] ?? null, now, policy));
    return { replay: false, applied };
  }

  async #one(client: pg.PoolClient, event: FeedbackEvent, match: Match | null, now: number, policy: SoftBouncePolicy): Promise<AppliedEvent> {
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
    if (!change.from.includes(match.reader.status as never)) return { event, outcome: 'recorded', email: match.email, detail: `already ${match.reader.status}` };
    const at = new Date(now).toISOString();
    await client.query(
      `UPDATE subscribers SET status = $1, unsubscribed_at = CASE WHEN $1 = 'unsubscribed' THEN $2 ELSE unsubscribed_at END WHERE id = $3`,
      [change.to, at, match.subscriber_id],
    );
    await client.query('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES ($1, $2, $3, $4, $5, $6)', [
      match.subscriber_id,
      at,
      match.reader.status,
      change.to,
      change.reason,
      statusVia(change.via),
    ]);
    await client.query("UPDATE feedback_events SET outcome = 'suppressed' WHERE id = $1", [inserted.rows[0]!.id]);
    // Later events of the batch about this reader see the status it has now.
    match.reader.status = change.to;
    return { event, outcome: 'suppressed', email: match.email, detail: change.reason };
  }

  /**
   * Each event's delivery, as on SQLite, found for the whole batch in two queries (by our Message-ID, then by the
   * provider's id); the matched subscribers' rows are then locked, in id order so that two batches never deadlock, and
   * their status read again, for the rest of the transaction. About 1 round trip per event instead of 3.
   */
  async #matchAll(client: pg.PoolClient, events: readonly FeedbackEvent[]): Promise<(Match | null)[]> {
    const byKey = async (column: 'message_id' | 'provider_id', keys: string[]) => {
      const map = new Map<string, Row[]>();
      if (keys.length === 0) return map;
      const { rows } = await client.query<Row & { key: string }>(
        `SELECT d.${column} AS key, d.send_id, d.subscriber_id, s.email, s.email_normalized
         FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.${column} = ANY($1::text[])`,
        [[...new Set(keys)]],
      );
      for (const { key, ...row } of rows) {
        const list = map.get(key) ?? [];
        if (list.length < 20) list.push({ ...row, send_id: Number(row.send_id), subscriber_id: Number(row.subscriber_id) });
        map.set(key, list);
      }
      return map;
    };
    const fits = (event: FeedbackEvent, rows: Row[] | undefined) => {
      const wanted = normalizedRecipients(event);
      return rows?.find((r) => event.recipients.length === 0 || wanted.has(r.email_normalized)) ?? null;
    };
    const byMessageId = await byKey('message_id', events.flatMap((e) => (e.messageId ? [e.messageId] : [])));
    const found = events.map((e) => (e.messageId ? fits(e, byMessageId.get(e.messageId)) : null));
    const byProviderId = await byKey('provider_id', events.flatMap((e, i) => (!found[i] && e.providerMessageId ? [e.providerMessageId] : [])));
    for (const [i, e] of events.entries()) if (!found[i] && e.providerMessageId) found[i] = fits(e, byProviderId.get(e.providerMessageId));
    const ids = [...new Set(found.flatMap((m) => (m ? [m.subscriber_id] : [])))].sort((a, b) => a - b);
    if (ids.length === 0) return found.map(() => null);
    const locked = await client.query<{ id: number; status: string }>('SELECT id, status FROM subscribers WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [ids]);
    const readers = new Map(locked.rows.map((r) => [Number(r.id), { status: r.status }]));
    return found.map((m) => {
      const reader = m ? readers.get(m.subscriber_id) : undefined;
      return m && reader ? { ...m, reader } : null;
    });
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
