import { jsonBody } from './event-fields.ts';
import type { FeedbackEvent, Provider } from './feedback-event.ts';

/** A webhook request as the verifiers see it: the raw body bytes, never a re-serialised parse of them. */
export interface WebhookRequest {
  /** A header's value, by case-insensitive name; null when absent. */
  header(name: string): string | null;
  body: Buffer;
}

/**
 * What verification decided. A refusal's reason is for the log only (it never names a secret) and is never shown to
 * the caller, who always gets the same 401. `nonce` is a value the request carries once only (Mailgun's token, the
 * Svix id, the SNS MessageId): the store refuses a second request with it until `expiresAt`.
 */
export type Verdict = { ok: true; nonce: { value: string; expiresAt: number } | null } | { ok: false; reason: string };

/** What a verified body says: its events, and for SNS a subscription to confirm by fetching `subscribeUrl`. */
export type Parsed = { ok: true; events: FeedbackEvent[]; ignored: number; subscribeUrl?: string } | { ok: false; reason: string };

/**
 * One provider's webhook: verify on the raw bytes, then parse (pure). `now` is the caller's clock (ms), for timestamp
 * tolerance and for events that carry no time.
 */
export interface WebhookProvider {
  name: Exclude<Provider, 'mailbox'>;
  verify(request: WebhookRequest, now: number): Promise<Verdict>;
  parse(body: Buffer, now: number): Parsed;
}

/** How long a signed timestamp stays acceptable (Mailgun, SendGrid, Svix): five minutes either way. */
export const TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

/** The only fetch the feedback code does (an SNS certificate, a SubscribeURL): injectable, so tests supply the answer. */
export type Fetch = (url: string) => Promise<{ status: number; body: string }>;

/** A provider's `parse` for a JSON body and its pure parser (every provider but SNS, whose body is an envelope). */
export function jsonParse(parser: (json: unknown, now: number) => { events: FeedbackEvent[]; ignored: number } | { error: string }): WebhookProvider['parse'] {
  return (body, now) => {
    const read = jsonBody(body);
    if (!read.ok) return read;
    const result = parser(read.json, now);
    return 'error' in result ? { ok: false, reason: result.error } : { ok: true, ...result };
  };
}
