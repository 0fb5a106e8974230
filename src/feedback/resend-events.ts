import { bracketed, record, text, time } from './event-fields.ts';
import type { FeedbackEvent, FeedbackKind } from './feedback-event.ts';

/**
 * A Resend webhook body as events, one per recipient. Pure.
 * - `email.bounced` by `data.bounce.type`: Permanent is hard, anything else soft;
 * - `email.complained`, `email.delivered`, `email.delivery_delayed` (a deferral);
 * - `contact.updated` that marks a contact unsubscribed (Resend's own unsubscribe link) is an unsubscription;
 * - the rest (sent, opened, clicked, domain events) are ignored.
 * The body itself is each event's source key (with the recipient's place): a retry sends the same bytes.
 * `data.email_id` is Resend's id for the message; `data.headers`, when present, give our Message-ID.
 * https://resend.com/docs/dashboard/webhooks/event-types
 */
export function resendEvents(json: unknown, now: number): { events: FeedbackEvent[]; ignored: number } | { error: string } {
  const body = record(json);
  const type = text(body?.type);
  const data = record(body?.data);
  if (!body || type === null || !data) return { error: 'a Resend body without type and data' };
  let kind: FeedbackKind | null = null;
  let diagnostic: string | null = null;
  let recipients = Array.isArray(data.to) ? data.to.map(text).filter((r): r is string => r !== null) : [];
  if (type === 'email.bounced') {
    const bounce = record(data.bounce);
    kind = text(bounce?.type) === 'Permanent' || !bounce ? 'hard-bounce' : 'soft-bounce';
    diagnostic = [text(bounce?.type), text(bounce?.subType), text(bounce?.message)].filter((x) => x).join(': ') || null;
  } else if (type === 'email.complained') kind = 'complaint';
  else if (type === 'email.delivered') kind = 'delivered';
  else if (type === 'email.delivery_delayed') kind = 'deferred';
  else if (type === 'contact.updated' && data.unsubscribed === true && text(data.email)) {
    kind = 'unsubscribed';
    recipients = [text(data.email)!];
  }
  if (kind === null) return { events: [], ignored: 1 };
  if (recipients.length === 0) return { error: `a Resend ${type} without its recipient` };
  const raw = JSON.stringify(json);
  const ours = Array.isArray(data.headers)
    ? data.headers.map(record).find((h) => h && typeof h.name === 'string' && h.name.toLowerCase() === 'message-id')
    : undefined;
  return {
    events: recipients.map((r, i) => ({
      kind: kind!,
      recipients: [r],
      // The body's created_at is the event's time; data.created_at is the email's (or, for a contact, the contact's).
      at: time(body.created_at) ?? time(data.created_at) ?? now,
      messageId: bracketed(text(ours?.value)),
      providerMessageId: text(data.email_id),
      status: null,
      diagnostic,
      provider: 'resend' as const,
      sourceKey: `${raw}#${i}`,
      raw,
    })),
    ignored: 0,
  };
}
