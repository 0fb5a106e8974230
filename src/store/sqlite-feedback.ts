import type { AppliedEvent, FeedbackEvent, FeedbackKind, Provider } from '../feedback/feedback-event.ts';
import { emptyFeedback, eventColumns, eventDetail, eventKey, normalizedRecipients, RAW_KEPT_MS, recordedDetail, unmatchedDetail } from '../feedback/feedback-record.ts';
import type { ApplyOptions, FeedbackStore, SendFeedback } from '../feedback/feedback-store.ts';
import { statusChangeFor, type SoftBouncePolicy } from '../feedback/suppression-policy.ts';
import { statusVia } from './feedback-via.ts';
import { transaction, type Db } from './open.ts';

interface Match {
  send_id: number;
  subscriber_id: number;
  email: string;
  email_normalized: string;
  status: string;
}

const MATCH = `SELECT d.send_id, d.subscriber_id, s.email, s.email_normalized, s.status
  FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id`;

/** Thrown to roll a dry run's transaction back. */
const ROLL_BACK = Symbol('roll back');

/** Provider feedback on SQLite: each batch one IMMEDIATE transaction (see FeedbackStore). */
export class SqliteFeedback implements FeedbackStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      byMessageId: db.prepare<[string], Match>(`${MATCH} WHERE d.message_id = ? LIMIT 20`),
      byProviderId: db.prepare<[string], Match>(`${MATCH} WHERE d.provider_id = ? LIMIT 20`),
      seen: db.prepare<[string], unknown>('SELECT 1 FROM feedback_events WHERE event_key = ?'),
      insert: db.prepare(
        `INSERT INTO feedback_events (event_key, provider, kind, email, occurred_at, received_at, message_id, provider_message_id, status,
           diagnostic, send_id, subscriber_id, outcome, raw)
         VALUES (@key, @provider, @kind, @email, @occurredAt, @now, @messageId, @providerMessageId, @status, @diagnostic, @sendId,
           @subscriberId, @outcome, @raw)`,
      ),
      outcome: db.prepare<[string, number | bigint]>('UPDATE feedback_events SET outcome = ? WHERE id = ?'),
      softSends: db.prepare<[number, number], { n: number }>(
        `SELECT count(DISTINCT send_id) AS n FROM feedback_events
         WHERE subscriber_id = ? AND kind = 'soft-bounce' AND occurred_at > ? AND send_id IS NOT NULL`,
      ),
      setStatus: db.prepare(
        `UPDATE subscribers SET status = @to, unsubscribed_at = CASE WHEN @to = 'unsubscribed' THEN @at ELSE unsubscribed_at END
         WHERE id = @id`,
      ),
      statusEvent: db.prepare('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES (?, ?, ?, ?, ?, ?)'),
      pruneRaw: db.prepare<[number]>('UPDATE feedback_events SET raw = NULL WHERE received_at < ? AND raw IS NOT NULL'),
      pruneNonces: db.prepare<[number]>('DELETE FROM webhook_nonces WHERE expires_at < ?'),
      nonce: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO webhook_nonces (provider, nonce, expires_at) VALUES (?, ?, ?)'),
    };
  }

  async apply(events: readonly FeedbackEvent[], now: number, policy: SoftBouncePolicy, { nonce, dryRun = false }: ApplyOptions = {}) {
    type Result = { replay: true } | { replay: false; applied: AppliedEvent[] };
    let result: Result | undefined;
    try {
      transaction(this.db, () => {
        if (nonce) {
          this.s.pruneNonces.run(now);
          if (this.s.nonce.run(nonce.provider, nonce.value, nonce.expiresAt).changes === 0) return (result = { replay: true });
        }
        this.s.pruneRaw.run(now - RAW_KEPT_MS);
        result = { replay: false, applied: events.map((event) => this.#one(event, now, policy)) };
        if (dryRun) throw ROLL_BACK;
        return result;
      });
    } catch (error) {
      if (error !== ROLL_BACK) throw error;
    }
    return result!;
  }

  #one(event: FeedbackEvent, now: number, policy: SoftBouncePolicy): AppliedEvent {
    const key = eventKey(event);
    if (this.s.seen.get(key) !== undefined) return { event, outcome: 'duplicate', email: event.recipients[0] ?? null, detail: 'recorded before' };
    const match = this.#match(event);
    const row = { key, ...eventColumns(event), now, raw: event.raw, sendId: match?.send_id ?? null, subscriberId: match?.subscriber_id ?? null };
    if (!match) {
      this.s.insert.run({ ...row, outcome: 'unmatched' });
      return { event, outcome: 'unmatched', email: event.recipients[0] ?? null, detail: unmatchedDetail(event) };
    }
    const { lastInsertRowid } = this.s.insert.run({ ...row, outcome: 'recorded' });
    const softSends = event.kind === 'soft-bounce' ? this.s.softSends.get(match.subscriber_id, event.at - policy.windowMs)!.n : 0;
    const change = statusChangeFor(event.kind, event.provider, eventDetail(event), softSends, policy);
    if (!change) return { event, outcome: 'recorded', email: match.email, detail: recordedDetail(event, softSends, policy) };
    if (!change.from.includes(match.status as never)) return { event, outcome: 'recorded', email: match.email, detail: `already ${match.status}` };
    const at = new Date(now).toISOString();
    this.s.setStatus.run({ to: change.to, at, id: match.subscriber_id });
    this.s.statusEvent.run(match.subscriber_id, at, match.status, change.to, change.reason, statusVia(change.via));
    this.s.outcome.run('suppressed', lastInsertRowid);
    return { event, outcome: 'suppressed', email: match.email, detail: change.reason };
  }

  /** The delivery row: by our Message-ID, else by the provider's id; its subscriber must be one the event names. */
  #match(event: FeedbackEvent): Match | null {
    const wanted = normalizedRecipients(event);
    const fits = (rows: Match[]) => rows.find((r) => event.recipients.length === 0 || wanted.has(r.email_normalized)) ?? null;
    return (
      (event.messageId ? fits(this.s.byMessageId.all(event.messageId)) : null) ??
      (event.providerMessageId ? fits(this.s.byProviderId.all(event.providerMessageId)) : null)
    );
  }

  async sendFeedback(sendIds: readonly number[]): Promise<Map<number, SendFeedback>> {
    const out = new Map<number, SendFeedback>();
    if (sendIds.length === 0) return out;
    const rows = this.db
      .prepare<number[], { send_id: number; kind: FeedbackKind; n: number }>(
        `SELECT send_id, kind, count(*) AS n FROM feedback_events WHERE send_id IN (${sendIds.map(() => '?').join(', ')}) GROUP BY send_id, kind`,
      )
      .all(...sendIds);
    for (const r of rows) {
      const counts = out.get(r.send_id) ?? emptyFeedback();
      counts[r.kind] = r.n;
      out.set(r.send_id, counts);
    }
    return out;
  }

  async recent(since: number) {
    return this.db
      .prepare<[number], { provider: Provider; kind: FeedbackKind; matched: number; n: number }>(
        `SELECT provider, kind, outcome <> 'unmatched' AS matched, count(*) AS n FROM feedback_events
         WHERE received_at >= ? GROUP BY provider, kind, outcome <> 'unmatched' ORDER BY provider, kind`,
      )
      .all(since)
      .map((r) => ({ provider: r.provider, kind: r.kind, matched: r.matched === 1, count: r.n }));
  }
}
