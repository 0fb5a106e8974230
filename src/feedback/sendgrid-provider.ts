import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { sendgridEvents } from './sendgrid-events.ts';
import { jsonParse, TIMESTAMP_TOLERANCE_MS, type WebhookProvider } from './webhook-provider.ts';

const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';

/**
 * `POST /events/sendgrid`: SendGrid's signed event webhook. An ECDSA P-256 signature (SHA-256, DER, base64) over the
 * timestamp header followed by the raw body, checked with the verification key SendGrid shows (SENDGRID_WEBHOOK_PUBLIC_KEY,
 * base64 DER). The timestamp must be within five minutes; the signature itself is the nonce, so the same request sent
 * again is refused.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
 */
export function sendgridProvider(publicKey: string): WebhookProvider {
  const key = readKey(publicKey);
  return {
    name: 'sendgrid',
    async verify(request, now) {
      const signature = request.header(SIGNATURE)?.trim();
      const timestamp = request.header(TIMESTAMP)?.trim();
      if (!signature || !timestamp) return { ok: false, reason: 'no signature or timestamp header' };
      if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return { ok: false, reason: 'a signature or timestamp of the wrong form' };
      let good = false;
      try {
        good = verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), request.body]), key, Buffer.from(signature, 'base64'));
      } catch {
        good = false;
      }
      if (!good) return { ok: false, reason: 'a signature that does not verify' };
      const at = Number(timestamp) * 1000;
      if (Math.abs(now - at) > TIMESTAMP_TOLERANCE_MS) return { ok: false, reason: 'a timestamp more than 5 minutes away' };
      return { ok: true, nonce: { value: createHash('sha256').update(signature).digest('hex'), expiresAt: at + 2 * TIMESTAMP_TOLERANCE_MS } };
    },
    parse: jsonParse(sendgridEvents),
  };
}

/** The key as SendGrid shows it: base64 of the DER SubjectPublicKeyInfo; a PEM is taken too. It must be P-256. */
function readKey(value: string): KeyObject {
  let key: KeyObject;
  try {
    const v = value.trim();
    key = v.startsWith('-----BEGIN') ? createPublicKey(v) : createPublicKey({ key: Buffer.from(v, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new Error('SENDGRID_WEBHOOK_PUBLIC_KEY is not a public key (paste the verification key SendGrid shows under Mail Settings → Signed Event Webhook)');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('SENDGRID_WEBHOOK_PUBLIC_KEY is not an ECDSA P-256 key');
  return key;
}
