import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { RAW_KEPT_MS } from './feedback-record.ts';
import { genericEvents } from './generic-events.ts';
import { jsonParse, type WebhookProvider } from './webhook-provider.ts';

/** The shortest generic secret accepted: an HMAC key guessable by brute force protects nothing. */
const MIN_SECRET = 16;

/**
 * `POST /events/generic`: `X-Signature: sha256=<hex>`, an HMAC-SHA256 of the raw body with EVENTS_WEBHOOK_SECRET.
 * The format carries no timestamp, so a replay is caught by the body itself: a batch accepted once is refused when
 * sent again for as long as raw payloads are kept (30 days). A shipper that lost our 200 and retries sees a 401 and
 * can move on, since the batch was applied.
 */
export function genericProvider(secret: string): WebhookProvider {
  if (secret.length < MIN_SECRET) throw new Error(`EVENTS_WEBHOOK_SECRET must be at least ${MIN_SECRET} characters (try: openssl rand -hex 32)`);
  const key = Buffer.from(secret, 'utf8');
  return {
    name: 'generic',
    async verify(request, now) {
      const header = request.header('x-signature');
      const given = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
      if (!given) return { ok: false, reason: header ? 'an X-Signature not of the form sha256=<hex>' : 'no X-Signature header' };
      const expected = createHmac('sha256', key).update(request.body).digest();
      if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: false, reason: 'a signature that does not match' };
      return { ok: true, nonce: { value: createHash('sha256').update(request.body).digest('hex'), expiresAt: now + RAW_KEPT_MS } };
    },
    parse: jsonParse(genericEvents),
  };
}
