import { createHmac, timingSafeEqual } from 'node:crypto';
import { jsonBody, record } from './event-fields.ts';
import { mailgunEvent } from './mailgun-events.ts';
import { jsonParse, TIMESTAMP_TOLERANCE_MS, type WebhookProvider } from './webhook-provider.ts';

/**
 * `POST /events/mailgun`: Mailgun's JSON webhooks. The body's `signature` holds a timestamp, a token and the
 * HMAC-SHA256 of `timestamp + token` with the webhook signing key (MAILGUN_WEBHOOK_SIGNING_KEY). The timestamp must be
 * within five minutes, and the token is a nonce: a second request with it is refused. Mailgun signs those two values
 * only, not the event; the token's single use and the short window are what stop a captured request being reused.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks
 */
export function mailgunProvider(signingKey: string): WebhookProvider {
  if (signingKey.trim().length < 16) throw new Error('MAILGUN_WEBHOOK_SIGNING_KEY is too short to be a Mailgun webhook signing key (Sending → Webhooks → HTTP webhook signing key)');
  const key = Buffer.from(signingKey.trim(), 'utf8');
  return {
    name: 'mailgun',
    async verify(request, now) {
      const body = jsonBody(request.body);
      if (!body.ok) return body;
      const sig = record(record(body.json)?.signature);
      const timestamp = sig?.timestamp;
      const token = sig?.token;
      const signature = sig?.signature;
      if (typeof timestamp !== 'string' || typeof token !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'a body without signature.timestamp, token and signature' };
      if (!/^\d{1,12}$/.test(timestamp) || !/^[0-9a-f]{64}$/i.test(signature) || token.length < 16 || token.length > 200) return { ok: false, reason: 'a signature of the wrong form' };
      const expected = createHmac('sha256', key).update(timestamp + token).digest();
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, reason: 'a signature that does not match' };
      const at = Number(timestamp) * 1000;
      if (Math.abs(now - at) > TIMESTAMP_TOLERANCE_MS) return { ok: false, reason: 'a timestamp more than 5 minutes away' };
      return { ok: true, nonce: { value: token, expiresAt: at + 2 * TIMESTAMP_TOLERANCE_MS } };
    },
    parse: jsonParse(mailgunEvent),
  };
}
