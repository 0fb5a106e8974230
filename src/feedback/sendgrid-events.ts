import { bare, bracketed, record, text, time } from './event-fields.ts';
import type { FeedbackEvent, FeedbackKind } from './feedback-event.ts';

/**
 * SendGrid's event webhook body (an array of events) as events. Pure.
 * - `bounce` is hard, unless SendGrid's own `type` says `blocked` (refused for the sender, not the address): soft;
 * - `dropped` (SendGrid did not send it) counts when its reason is about the address: a bounced or invalid address
 *   is hard, a spam-reporting address a complaint, an unsubscribed one an unsubscription; other reasons are ignored;
 * - `spamreport` is a complaint; `deferred`, `delivered`, `unsubscribe` and `group_unsubscribe` are what they say;
 * - processed, open, click and the rest are ignored.
 * `sg_message_id` begins with the X-Message-Id SendGrid's 250 reply gave; `smtp-id` is the Message-ID. Each event's
 * `sg_event_id` is its source key, so a batch SendGrid sends again records nothing twice.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
 */
export function sendgridEvents(json: unknown, now: number): { events: FeedbackEvent[]; ignored: number } | { error: string } {
  if (!Array.isArray(json)) return { error: 'a SendGrid body that is not an array of events' };
  const events: FeedbackEvent[] = [];
  let ignored = 0;
  for (const item of json) {
    const e = record(item);
    const kind = e ? kindOf(text(e.event), text(e.type), text(e.reason)) : null;
    const email = e ? text(e.email) : null;
    if (!e || kind === null || email === null) {
      ignored++;
      continue;
    }
    const raw = JSON.stringify(item);
    const sg = text(e.sg_message_id);
    events.push({
      kind,
      recipients: [email],
      at: time(e.timestamp) ?? now,
      messageId: bracketed(text(e['smtp-id'])),
      providerMessageId: sg === null ? null : bare(sg.split('.')[0]!),
      status: text(e.status),
      diagnostic: text(e.reason) ?? text(e.response),
      provider: 'sendgrid',
      sourceKey: text(e.sg_event_id) ?? raw,
      raw,
    });
  }
  return { events, ignored };
}

function kindOf(event: string | null, type: string | null, reason: string | null): FeedbackKind | null {
  switch (event) {
    case 'bounce':
      return type === 'blocked' ? 'soft-bounce' : 'hard-bounce';
    case 'dropped':
      if (reason === null) return null;
      // `Invalid` is an invalid address; `Invalid SMTPAPI header` is about the message, not the address.
      if (/bounced address/i.test(reason) || /^invalid( address)?$/i.test(reason)) return 'hard-bounce';
      if (/spam report/i.test(reason)) return 'complaint';
      if (/unsubscribed/i.test(reason)) return 'unsubscribed';
      return null;
    case 'spamreport':
      return 'complaint';
    case 'deferred':
      return 'deferred';
    case 'delivered':
      return 'delivered';
    case 'unsubscribe':
    case 'group_unsubscribe':
      return 'unsubscribed';
    default:
      return null;
  }
}
