import { createHash, timingSafeEqual } from 'node:crypto';
import { RAW_KEPT_MS } from './feedback-record.ts';
import { postmarkEvent } from './postmark-events.ts';
import { jsonParse, type WebhookProvider } from './webhook-provider.ts';

const digest = (value: string | Buffer) => createHash('sha256').update(value).digest();

/**
 * `POST /events/postmark`: Postmark signs nothing; its webhook URL carries basic-auth credentials
 * (`https://user:password@…/events/postmark`), set in POSTMARK_WEBHOOK_AUTH as `user:password`. They are compared in
 * constant time, as digests so that their lengths tell nothing either. Postmark's bodies carry no timestamp to bound,
 * so a replay is caught by the body: one accepted is refused when sent again, for as long as raw payloads are kept.
 * https://postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook
 */
export function postmarkProvider(auth: string): WebhookProvider {
  const colon = auth.indexOf(':');
  if (colon < 1 || auth.length - colon - 1 < 12) throw new Error('POSTMARK_WEBHOOK_AUTH must be user:password, with a password of at least 12 characters');
  const expected = digest(auth);
  return {
    name: 'postmark',
    async verify(request, now) {
      const given = request.header('authorization');
      if (!given) return { ok: false, reason: 'no Authorization header' };
      const encoded = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(given.trim())?.[1];
      if (!encoded) return { ok: false, reason: 'an Authorization header that is not basic auth' };
      if (!timingSafeEqual(digest(Buffer.from(encoded, 'base64').toString('utf8')), expected)) return { ok: false, reason: 'credentials that do not match' };
      return { ok: true, nonce: { value: digest(request.body).toString('hex'), expiresAt: now + RAW_KEPT_MS } };
    },
    parse: jsonParse(postmarkEvent),
  };
}
