/**
 * The one event model every source of delivery feedback becomes: a provider's webhook (SES through SNS, Mailgun,
 * SendGrid, Postmark, Resend, a generic signed shipper), a provider's JSON event file, or returned mail (a DSN, an ARF
 * complaint) read from files or an IMAP mailbox. Parsers, one per source, are pure functions that make these; the
 * feedback store (./feedback-store.ts) records them against delivery rows and applies the suppression policy
 * (./suppression-policy.ts).
 */

export const FEEDBACK_KINDS = ['hard-bounce', 'soft-bounce', 'complaint', 'delivered', 'unsubscribed', 'deferred'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const PROVIDERS = ['ses', 'mailgun', 'sendgrid', 'postmark', 'resend', 'generic', 'mailbox'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface FeedbackEvent {
  kind: FeedbackKind;
  /** The addresses the event may mean, most likely first; one for a provider's event, a few for a DSN. */
  recipients: string[];
  /** When it happened, by the source's account (ms since the epoch); the time it arrived when the source gives none. */
  at: number;
  /** Our Message-ID, with its angle brackets (`<…@…>`), when the event carries it. */
  messageId: string | null;
  /** The provider's own id for the message (SES's, Postmark's, SendGrid's X-Message-Id, Mailgun's), when given. */
  providerMessageId: string | null;
  /** The enhanced status code (`5.1.1`) or SMTP reply code, when given. */
  status: string | null;
  /** The remote server's diagnostic or the provider's description. */
  diagnostic: string | null;
  provider: Provider;
  /**
   * What identifies this event at its source, so that one delivered twice (a provider's retry, a mail read again) is
   * recorded once: the provider's event id when it has one, else the event's own JSON text.
   */
  sourceKey: string;
  /** The raw payload of this one event (JSON text, or the mail), kept for 30 days. */
  raw: string;
}

/** What recording one event did. */
export type EventOutcome =
  /** Matched a delivery and changed the subscriber's status (bounced, complained, unsubscribed). */
  | 'suppressed'
  /** Matched a delivery and was recorded; the subscriber's status stays (a delivery, a deferral, a first soft bounce). */
  | 'recorded'
  /** Recorded already (the same event from its source before): nothing changed now. */
  | 'duplicate'
  /** No message this newsletter sent matches it: nothing changed. */
  | 'unmatched';

export interface AppliedEvent {
  event: FeedbackEvent;
  outcome: EventOutcome;
  /** The subscriber's address when matched. */
  email: string | null;
  /** Why, in a few words: `bounced after 3 soft bounces in 30 days`, `already bounced`, `no message <…> was sent`. */
  detail: string;
}
