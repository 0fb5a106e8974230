import { createHmac, timingSafeEqual } from 'node:crypto';
import { RAW_KEPT_MS } from './feedback-record.ts';
import { resendEvents } from './resend-events.ts';
import { jsonParse, TIMESTAMP_TOLERANCE_MS, type WebhookProvider } from './webhook-provider.ts';

/**
 * `POST /events/resend`: Resend signs its webhooks the Svix way. `svix-signature` holds one or more `v1,<base64>`,
 * each an HMAC-SHA256 of `<svix-id>.<svix-timestamp>.<raw body>` with the secret's key (RESEND_WEBHOOK_SECRET,
 * `whsec_` then base64); one must match. The timestamp must be within five minutes. The `svix-id` is a nonce, kept
 * as long as raw payloads: Svix retries a message for days with the same id and a fresh signature.
 * https://docs.svix.com/receiving/verifying-payloads/how-manual
 */
export function resendProvider(secret: string): WebhookProvider {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret.trim());
  const key = match ? Buffer.from(match[1]!, 'base64') : Buffer.alloc(0);
  if (key.length < 16) throw new Error('RESEND_WEBHOOK_SECRET must be the signing secret Resend shows for the webhook (whsec_…)');
  return {
    name: 'resend',
    async verify(request, now) {
      const id = request.header('svix-id')?.trim();
      const timestamp = request.header('svix-timestamp')?.trim();
      const signatures = request.header('svix-signature')?.trim();
      if (!id || !timestamp || !signatures) return { ok: false, reason: 'no svix-id, svix-timestamp or svix-signature header' };
      if (!/^\d{1,12}$/.test(timestamp) || id.length > 200) return { ok: false, reason: 'an svix-id or svix-timestamp of the wrong form' };
      const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(request.body).digest();
      const good = signatures.split(/\s+/).some((s) => {
        const [version, value] = s.split(',', 2);
        if (version !== 'v1' || !value) return false;
        const given = Buffer.from(value, 'base64');
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
      if (!good) return { ok: false, reason: 'no svix-signature that matches' };
      if (Math.abs(now - Number(timestamp) * 1000) > TIMESTAMP_TOLERANCE_MS) return { ok: false, reason: 'a timestamp more than 5 minutes away' };
      return { ok: true, nonce: { value: id, expiresAt: now + RAW_KEPT_MS } };
    },
    parse: jsonParse(resendEvents),
  };
}
