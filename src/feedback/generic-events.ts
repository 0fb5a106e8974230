import { FEEDBACK_KINDS, type FeedbackEvent, type FeedbackKind } from './feedback-event.ts';

/**
 * The generic event format, for one's own MTA log shipper (a Postfix log reader, a relay's hook): a JSON array of
 * `{kind, email, message_id, at, status?, diagnostic?}`, where `kind` is one of the event model's kinds, `message_id`
 * is our Message-ID (with or without angle brackets) and `at` an ISO 8601 time or seconds since the epoch. Pure.
 * The shipper is one's own code, so a malformed event refuses the whole batch, naming the event and the field,
 * rather than being skipped unseen.
 */
export function genericEvents(json: unknown, now: number): { events: FeedbackEvent[]; ignored: number } | { error: string } {
  if (!Array.isArray(json)) return { error: 'the body is not a JSON array of events' };
  const events: FeedbackEvent[] = [];
  for (const [i, item] of json.entries()) {
    const where = `event ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { error: `${where} is not an object` };
    const e = item as Record<string, unknown>;
    if (typeof e.kind !== 'string' || !(FEEDBACK_KINDS as readonly string[]).includes(e.kind)) {
      return { error: `${where}: kind must be one of ${FEEDBACK_KINDS.join(', ')}` };
    }
    if (typeof e.email !== 'string' || !e.email.includes('@')) return { error: `${where}: email must be an address` };
    if (typeof e.message_id !== 'string' || e.message_id.trim() === '') return { error: `${where}: message_id must be our Message-ID` };
    const at = timeOf(e.at, now);
    if (at === null) return { error: `${where}: at must be an ISO 8601 time or seconds since the epoch` };
    for (const field of ['status', 'diagnostic'] as const) {
      if (e[field] !== undefined && e[field] !== null && typeof e[field] !== 'string') return { error: `${where}: ${field} must be text` };
    }
    const raw = JSON.stringify(item);
    const id = e.message_id.trim();
    events.push({
      kind: e.kind as FeedbackKind,
      recipients: [e.email.trim()],
      at,
      messageId: id.startsWith('<') ? id : `<${id}>`,
      providerMessageId: null,
      status: typeof e.status === 'string' ? e.status : null,
      diagnostic: typeof e.diagnostic === 'string' ? e.diagnostic : null,
      provider: 'generic',
      sourceKey: raw,
      raw,
    });
  }
  return { events, ignored: 0 };
}

function timeOf(value: unknown, now: number): number | null {
  if (value === undefined || value === null) return now;
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : null;
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
