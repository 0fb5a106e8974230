import { createHash } from 'node:crypto';
import type { FeedbackEvent } from '../feedback/feedback-event.ts';
import type { ReturnedMail } from './returned-mail.ts';

/** The most of a returned message kept as an event's raw payload: its report and header, not an attached original. */
const RAW_BYTES = 64 * 1024;

/**
 * Returned mail as feedback events (the one event model, feedback/feedback-event.ts), so that a DSN or an ARF report
 * read from files or the bounce mailbox follows the same matching and suppression policy as a provider's webhook:
 * - a permanent failure that says the address does not exist is a hard bounce;
 * - any other failure (a full mailbox, a refusal as spam, a 4.x.x given up on) is a soft bounce, which suppresses
 *   only after 3 across different sends;
 * - `delayed` is a deferral; `delivered`, `relayed` and `expanded` are deliveries;
 * - an abuse report is a complaint.
 * An unsubscribe request and anything else is no event (null): `bounces` handles those itself. Pure.
 * `source` names the message (a file and its number in an mbox, or an IMAP uid) and `text` is the whole message: together
 * with the report's index they make the event's source key, so the same mail read twice is one event.
 */
export function eventsFromReturnedMail(mail: ReturnedMail, index: number, text: string, now: number): FeedbackEvent | null {
  const base = {
    recipients: mail.kind === 'bounce' || mail.kind === 'complaint' ? mail.candidates : [],
    at: now,
    messageId: mail.kind === 'bounce' || mail.kind === 'complaint' ? mail.messageId : null,
    providerMessageId: null,
    provider: 'mailbox' as const,
    sourceKey: `${createHash('sha256').update(text).digest('hex')}#${index}`,
    raw: text.length > RAW_BYTES ? `${text.slice(0, RAW_BYTES)}\n[… cut at ${RAW_BYTES} characters]` : text,
  };
  if (mail.kind === 'complaint') return { ...base, kind: 'complaint', status: null, diagnostic: `${mail.feedbackType} report` };
  if (mail.kind !== 'bounce') return null;
  const fields = { status: mail.status || null, diagnostic: mail.diagnostic || null };
  if (mail.action === 'delayed') return { ...base, ...fields, kind: 'deferred' };
  if (['delivered', 'relayed', 'expanded'].includes(mail.action)) return { ...base, ...fields, kind: 'delivered' };
  if (mail.action !== 'failed') return null;
  return { ...base, ...fields, kind: mail.permanent && mail.badAddress ? 'hard-bounce' : 'soft-bounce' };
}
