import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { resendProvider } from '../../../src/feedback/resend-provider.ts';
import type { SignedRequest, Target, WebhookCase } from './webhook-contract.ts';

const KEY = randomBytes(24);
const SECRET = `whsec_${KEY.toString('base64')}`;

/** A Resend bounce about the target, by Resend's email_id. */
export function resendBounce(target: Target, now: number) {
  const at = new Date(now).toISOString();
  return { type: 'email.bounced', created_at: at, data: { created_at: at, email_id: target.providerId, from: 'news@example.org', to: [target.email], subject: 'Issue 1', bounce: { type: 'Permanent', subType: 'General', message: 'The recipient does not exist.' } } };
}

/** Svix's headers for a body: `v1,` HMAC-SHA256 of id.timestamp.body in base64. */
export function svixHeaders(body: string, at: number, options: { key?: Buffer; id?: string } = {}): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(at / 1000));
  const signature = createHmac('sha256', options.key ?? KEY).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` };
}

const signed = (body: string, at: number, options: { key?: Buffer; id?: string } = {}): SignedRequest => ({ headers: svixHeaders(body, at, options), body });

/** Resend: Svix signatures, five minutes' tolerance, the svix-id used once. */
export const resendCase: WebhookCase = {
  name: 'resend',
  provider: () => resendProvider(SECRET),
  secrets: [SECRET, KEY.toString('base64')],
  suppresses: { kind: 'hard-bounce', status: 'bounced' },
  valid: (target, _kind, now) => signed(JSON.stringify(resendBounce(target, now)), now),
  forgeries(target, now) {
    const body = JSON.stringify(resendBounce(target, now));
    const good = signed(body, now);
    return [
      { why: 'a changed byte', request: { headers: good.headers, body: body.replace('Permanent', 'Permanenu') } },
      { why: 'a wrong key', request: signed(body, now, { key: randomBytes(24) }) },
      { why: 'an expired timestamp', request: signed(body, now - 6 * 60_000) },
      { why: 'another svix-id than was signed', request: { headers: { ...good.headers, 'svix-id': 'msg_other' }, body } },
      { why: 'a signature of another version', request: { headers: { ...good.headers, 'svix-signature': good.headers['svix-signature']!.replace('v1,', 'v2,') }, body } },
    ];
  },
};
