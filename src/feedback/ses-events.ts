import { bracketed, record, text, time } from './event-fields.ts';
import type { FeedbackEvent, FeedbackKind } from './feedback-event.ts';

/**
 * Amazon SES feedback as events: the notification SES publishes to SNS, in either of its two shapes:
 * - feedback notifications (`notificationType`: Bounce, Complaint, Delivery);
 * - event publishing through a configuration set (`eventType`: Bounce, Complaint, Delivery, DeliveryDelay, and
 *   others such as Send or Open, which are no feedback and are counted as ignored).
 * A bounce is one event per bounced recipient: `Permanent` is a hard bounce, `Transient` and `Undetermined` soft;
 * each recipient's `status` and `diagnosticCode` are kept. `mail.messageId` is SES's id (the one in its `250 Ok`
 * reply), and our Message-ID comes from the headers SES includes. Pure; `key` makes each event's source key unique
 * (the SNS MessageId, or the file and line for an event file).
 * https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html
 */
export function sesEvents(json: unknown, key: string, now: number): { events: FeedbackEvent[]; ignored: number } | { error: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: 'the SES notification is not an object' };
  const n = json as Record<string, unknown>;
  const type = typeof n.notificationType === 'string' ? n.notificationType : typeof n.eventType === 'string' ? n.eventType : null;
  if (type === null) return { error: 'the SES notification has no notificationType or eventType' };
  // SES's test message when a topic is first set as a feedback destination: no mail, nothing to record.
  if (type === 'AmazonSnsSubscriptionSucceeded') return { events: [], ignored: 1 };
  const mail = record(n.mail);
  if (!mail || typeof mail.messageId !== 'string') return { error: 'the SES notification has no mail.messageId' };
  const raw = JSON.stringify(json);
  const base = {
    messageId: ourMessageId(mail),
    providerMessageId: mail.messageId,
    provider: 'ses' as const,
    raw,
  };
  const event = (kind: FeedbackKind, recipient: string, at: unknown, status: unknown, diagnostic: unknown, i: number): FeedbackEvent => ({
    ...base,
    kind,
    recipients: [recipient],
    at: time(at) ?? time(mail.timestamp) ?? now,
    status: text(status),
    diagnostic: text(diagnostic),
    sourceKey: `${key}#${type}#${i}`,
  });
  const list = (value: unknown) => (Array.isArray(value) ? value.map(record).filter((r): r is Record<string, unknown> => r !== null) : []);

  switch (type) {
    case 'Bounce': {
      const b = record(n.bounce);
      if (!b) return { error: 'the SES Bounce notification has no bounce object' };
      const kind: FeedbackKind = b.bounceType === 'Permanent' ? 'hard-bounce' : 'soft-bounce';
      const why = [b.bounceType, b.bounceSubType].filter((x) => typeof x === 'string').join('/');
      const events = list(b.bouncedRecipients)
        .filter((r) => typeof r.emailAddress === 'string')
        .map((r, i) => event(kind, r.emailAddress as string, b.timestamp, r.status, r.diagnosticCode ?? (why ? `SES ${why}` : null), i));
      return { events, ignored: 0 };
    }
    case 'Complaint': {
      const c = record(n.complaint);
      if (!c) return { error: 'the SES Complaint notification has no complaint object' };
      const what = typeof c.complaintFeedbackType === 'string' ? `${c.complaintFeedbackType} complaint` : 'complaint';
      const events = list(c.complainedRecipients)
        .filter((r) => typeof r.emailAddress === 'string')
        .map((r, i) => event('complaint', r.emailAddress as string, c.timestamp, null, what, i));
      return { events, ignored: 0 };
    }
    case 'Delivery': {
      const d = record(n.delivery);
      if (!d) return { error: 'the SES Delivery notification has no delivery object' };
      const recipients = Array.isArray(d.recipients) ? d.recipients.filter((r): r is string => typeof r === 'string') : [];
      return { events: recipients.map((r, i) => event('delivered', r, d.timestamp, null, d.smtpResponse, i)), ignored: 0 };
    }
    case 'DeliveryDelay': {
      const d = record(n.deliveryDelay);
      if (!d) return { error: 'the SES DeliveryDelay event has no deliveryDelay object' };
      const events = list(d.delayedRecipients)
        .filter((r) => typeof r.emailAddress === 'string')
        .map((r, i) => event('deferred', r.emailAddress as string, d.timestamp, r.status, r.diagnosticCode ?? d.delayType, i));
      return { events, ignored: 0 };
    }
    default:
      // Send, Reject, Open, Click, Rendering Failure, Subscription: not delivery feedback.
      return { events: [], ignored: 1 };
  }
}

/** Our Message-ID, from the headers SES includes with the notification (when "include original headers" is on). */
function ourMessageId(mail: Record<string, unknown>): string | null {
  const common = record(mail.commonHeaders);
  if (common && typeof common.messageId === 'string') return bracketed(common.messageId);
  if (Array.isArray(mail.headers)) {
    for (const h of mail.headers.map(record)) {
      if (h && typeof h.name === 'string' && h.name.toLowerCase() === 'message-id' && typeof h.value === 'string') return bracketed(h.value);
    }
  }
  return null;
}
