import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { sendgridProvider } from '../../../src/feedback/sendgrid-provider.ts';
import type { FeedbackKind } from '../../../src/feedback/feedback-event.ts';
import type { SignedRequest, Target, WebhookCase } from './webhook-contract.ts';

/** A P-256 key pair as SendGrid would hold it; the public half in the form SendGrid shows (base64 DER). */
export function sendgridKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

/** A SendGrid event about the target: SendGrid's id (the X-Message-Id prefix of sg_message_id) and our smtp-id. */
export function sendgridEvent(target: Target, kind: FeedbackKind, now: number): Record<string, unknown> {
  const base = { email: target.email, timestamp: Math.floor(now / 1000), 'smtp-id': target.messageId, sg_event_id: randomBytes(16).toString('base64url'), sg_message_id: `${target.providerId}.filterdrecv-5d7f6c6f5c-abcde-1-64B4-2.0` };
  if (kind === 'complaint') return { ...base, event: 'spamreport' };
  if (kind === 'delivered') return { ...base, event: 'delivered', response: '250 OK' };
  return { ...base, event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist.', bounce_classification: 'Invalid Address' };
}

/** The headers SendGrid signs a body with: ECDSA over the timestamp followed by the raw body. */
export function sendgridHeaders(privateKey: KeyObject, body: string | Buffer, at: number): Record<string, string> {
  const timestamp = String(Math.floor(at / 1000));
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), privateKey).toString('base64');
  return { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp };
}

const keys = sendgridKeys();
const other = sendgridKeys();
const signed = (body: string, at: number, key = keys.privateKey): SignedRequest => ({ headers: sendgridHeaders(key, body, at), body });

/** SendGrid's signed event webhook: ECDSA P-256 over timestamp + body, five minutes' tolerance. */
export const sendgridCase: WebhookCase = {
  name: 'sendgrid',
  provider: () => sendgridProvider(keys.publicKey),
  secrets: [],
  suppresses: { kind: 'complaint', status: 'complained' },
  valid: (target, kind, now) => signed(JSON.stringify([sendgridEvent(target, kind, now)]), now),
  forgeries(target, now) {
    const body = JSON.stringify([sendgridEvent(target, 'complaint', now)]);
    const good = signed(body, now);
    return [
      { why: 'a changed byte', request: { headers: good.headers, body: body.replace('spamreport', 'spamr3port') } },
      { why: 'a wrong key', request: signed(body, now, other.privateKey) },
      { why: 'an expired timestamp', request: signed(body, now - 6 * 60_000) },
      { why: 'a timestamp changed after signing', request: { headers: { ...good.headers, 'x-twilio-email-event-webhook-timestamp': String(Math.floor(now / 1000) + 1) }, body } },
      { why: 'a signature that is not base64', request: { headers: { ...good.headers, 'x-twilio-email-event-webhook-signature': '!!!' }, body } },
    ];
  },
};
