import { bare, bracketed, record, text, time } from './event-fields.ts';
import type { FeedbackEvent, FeedbackKind } from './feedback-event.ts';

/**
 * A Mailgun webhook's `event-data` as an event. Pure.
 * - `failed` with `severity: permanent` is a hard bounce, except when Mailgun gave up after retrying (`reason: old`),
 *   which is a soft one; `severity: temporary` is a deferral, since Mailgun goes on trying;
 * - `complained`, `delivered` and `unsubscribed` are what they say; anything else (opened, clicked, accepted) is
 *   ignored.
 * The `message-id` header Mailgun reports is the message's Message-ID: ours when we set one, else Mailgun's own id,
 * which its 250 reply gave; both are tried.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#webhooks
 */
export function mailgunEvent(json: unknown, now: number): { events: FeedbackEvent[]; ignored: number } | { error: string } {
  const body = record(json);
  const data = record(body?.['event-data']);
  if (!data) return { error: 'a Mailgun body without event-data' };
  const name = text(data.event);
  const kind = kindOf(name, text(data.severity), text(data.reason));
  if (kind === null) return { events: [], ignored: 1 };
  const recipient = text(data.recipient);
  if (recipient === null) return { error: `a Mailgun ${name} event without a recipient` };
  const headers = record(record(data.message)?.headers);
  const id = text(headers?.['message-id']);
  const status = record(data['delivery-status']);
  const raw = JSON.stringify(data);
  return {
    events: [
      {
        kind,
        recipients: [recipient],
        at: time(data.timestamp) ?? now,
        messageId: bracketed(id),
        providerMessageId: bare(id),
        status: text(status?.['enhanced-code']) ?? text(status?.code),
        diagnostic: text(status?.description) ?? text(status?.message) ?? text(data.reason),
        provider: 'mailgun',
        sourceKey: text(data.id) ?? raw,
        raw,
      },
    ],
    ignored: 0,
  };
}

function kindOf(event: string | null, severity: string | null, reason: string | null): FeedbackKind | null {
  switch (event) {
    case 'failed':
      if (severity === 'temporary') return 'deferred';
      return reason === 'old' ? 'soft-bounce' : 'hard-bounce';
    case 'complained':
      return 'complaint';
    case 'delivered':
      return 'delivered';
    case 'unsubscribed':
      return 'unsubscribed';
    default:
      return null;
  }
}
