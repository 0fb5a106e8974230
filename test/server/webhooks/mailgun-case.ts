import { createHmac, randomBytes } from 'node:crypto';
import { mailgunProvider } from '../../../src/feedback/mailgun-provider.ts';
import type { FeedbackKind } from '../../../src/feedback/feedback-event.ts';
import type { SignedRequest, Target, WebhookCase } from './webhook-contract.ts';

const KEY = 'mailgun-signing-key-0123456789abcdef';
const EVENTS: Partial<Record<FeedbackKind, object>> = {
  'hard-bounce': { event: 'failed', severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 550, 'enhanced-code': '5.1.1', description: '', message: '5.1.1 user unknown' } },
  complaint: { event: 'complained' },
};

/** A Mailgun webhook body: the event about the target (by Mailgun's id, as its events give), signed with `key`. */
export function mailgunBody(target: Target, kind: FeedbackKind, now: number, options: { key?: string; token?: string; timestamp?: number } = {}) {
  const timestamp = String(Math.floor((options.timestamp ?? now) / 1000));
  const token = options.token ?? randomBytes(25).toString('hex');
  const signature = createHmac('sha256', options.key ?? KEY).update(timestamp + token).digest('hex');
  const eventData = { id: randomBytes(11).toString('base64url'), timestamp: now / 1000, recipient: target.email, message: { headers: { 'message-id': target.providerId } }, ...EVENTS[kind] };
  return { signature: { timestamp, token, signature }, 'event-data': eventData };
}

const json = (body: object): SignedRequest => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Mailgun: HMAC-SHA256 of timestamp + token in the body, a token used once, five minutes' tolerance. */
export const mailgunCase: WebhookCase = {
  name: 'mailgun',
  provider: () => mailgunProvider(KEY),
  secrets: [KEY],
  suppresses: { kind: 'hard-bounce', status: 'bounced' },
  valid: (target, kind, now) => json(mailgunBody(target, kind, now)),
  unsigned(request) {
    const { signature: _, ...rest } = JSON.parse(request.body as string) as Record<string, unknown>;
    return json(rest);
  },
  forgeries(target, now) {
    const good = mailgunBody(target, 'hard-bounce', now);
    return [
      { why: 'a changed signature', request: json({ ...good, signature: { ...good.signature, signature: good.signature.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) } }) },
      { why: 'a wrong key', request: json(mailgunBody(target, 'hard-bounce', now, { key: 'another-key-0123456789abcdef' })) },
      { why: 'an expired timestamp', request: json(mailgunBody(target, 'hard-bounce', now, { timestamp: now - 6 * 60_000 })) },
      { why: 'a timestamp from the future', request: json(mailgunBody(target, 'hard-bounce', now, { timestamp: now + 6 * 60_000 })) },
      { why: 'a signature not in hex', request: json({ ...good, signature: { ...good.signature, signature: 'zz' } }) },
    ];
  },
};
