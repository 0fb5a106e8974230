import { bare, record, text, time } from './event-fields.ts';
import type { FeedbackEvent, FeedbackKind } from './feedback-event.ts';

/**
 * A Postmark webhook body (one record) as an event. Pure.
 * - `Bounce` by its `Type`: HardBounce and BadEmailAddress are hard; SoftBounce, DnsError, Blocked and DMARCPolicy
 *   soft; Transient (Postmark is still trying) a deferral; SpamComplaint a complaint and Unsubscribe an
 *   unsubscription; the rest (auto-replies, challenge mails, virus and spam notices) are not about delivery and are
 *   ignored;
 * - `SpamComplaint`, `Delivery`;
 * - `SubscriptionChange` that suppresses sending, by its reason: HardBounce, SpamComplaint, or a reader's own
 *   unsubscription (ManualSuppression); one that lifts a suppression is ignored.
 * Postmark's events carry its own `MessageID` (the id its 250 reply gave), never ours.
 * https://postmarkapp.com/developer/webhooks/webhooks-overview
 */
export function postmarkEvent(json: unknown, now: number): { events: FeedbackEvent[]; ignored: number } | { error: string } {
  const r = record(json);
  if (!r) return { error: 'a Postmark body that is not an object' };
  const type = text(r.RecordType);
  if (type === null) return { error: 'a Postmark body without RecordType' };
  let kind: FeedbackKind | null = null;
  let recipient = text(r.Email) ?? text(r.Recipient);
  let at = time(r.BouncedAt);
  let status: string | null = null;
  let diagnostic = text(r.Details) ?? text(r.Description);
  switch (type) {
    case 'Bounce':
      kind = BOUNCE_KINDS[text(r.Type) ?? ''] ?? null;
      // Postmark gives no status field: the remote server's reply, when it quotes one, is in Details.
      status = smtpStatus(text(r.Details));
      diagnostic = [`${text(r.Type) ?? 'Bounce'} (TypeCode ${text(r.TypeCode) ?? '?'})`, text(r.Description), text(r.Details)].filter((x) => x).join(': ');
      break;
    case 'SpamComplaint':
      kind = 'complaint';
      break;
    case 'Delivery':
      kind = 'delivered';
      at = time(r.DeliveredAt);
      recipient = text(r.Recipient);
      break;
    case 'SubscriptionChange':
      at = time(r.ChangedAt);
      recipient = text(r.Recipient);
      diagnostic = `Postmark suppression: ${text(r.SuppressionReason) ?? 'no reason'} (${text(r.Origin) ?? 'no origin'})`;
      if (r.SuppressSending === true) kind = SUPPRESSION_KINDS[text(r.SuppressionReason) ?? ''] ?? null;
      break;
    default:
      kind = null;
  }
  if (kind === null) return { events: [], ignored: 1 };
  if (recipient === null) return { error: `a Postmark ${type} without its recipient` };
  const raw = JSON.stringify(json);
  const id = bare(text(r.MessageID));
  return {
    events: [{ kind, recipients: [recipient], at: at ?? now, messageId: null, providerMessageId: id, status, diagnostic, provider: 'postmark', sourceKey: `${type}:${text(r.ID) ?? raw}:${id}:${recipient}`, raw }],
    ignored: 0,
  };
}

const BOUNCE_KINDS: Record<string, FeedbackKind> = {
  HardBounce: 'hard-bounce',
  BadEmailAddress: 'hard-bounce',
  SoftBounce: 'soft-bounce',
  DnsError: 'soft-bounce',
  Blocked: 'soft-bounce',
  DMARCPolicy: 'soft-bounce',
  Transient: 'deferred',
  SpamComplaint: 'complaint',
  Unsubscribe: 'unsubscribed',
};

const SUPPRESSION_KINDS: Record<string, FeedbackKind> = {
  HardBounce: 'hard-bounce',
  SpamComplaint: 'complaint',
  ManualSuppression: 'unsubscribed',
};

/** The enhanced status (`5.1.1`), else the SMTP reply code (`550`), quoted in a diagnostic; null when none is. */
function smtpStatus(details: string | null): string | null {
  if (details === null) return null;
  return /\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(details)?.[0] ?? /\b[45]\d\d\b/.exec(details)?.[0] ?? null;
}
