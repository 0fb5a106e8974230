import { randomInt } from 'node:crypto';
import { postmarkProvider } from '../../../src/feedback/postmark-provider.ts';
import type { SignedRequest, Target, WebhookCase } from './webhook-contract.ts';

const AUTH = 'postmark:hooks-password-0123456789';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

/** A Postmark HardBounce record about the target, by Postmark's own MessageID. */
export function postmarkBounce(target: Target, now: number) {
  return {
    RecordType: 'Bounce',
    ID: randomInt(1, 2 ** 47),
    Type: 'HardBounce',
    TypeCode: 1,
    Name: 'Hard bounce',
    MessageID: target.providerId,
    MessageStream: 'broadcast',
    Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
    Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
    Email: target.email,
    From: 'news@example.org',
    BouncedAt: new Date(now).toISOString(),
    Inactive: true,
  };
}

const request = (body: object, authorization: string | null): SignedRequest => ({
  headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
  body: JSON.stringify(body),
});

/** Postmark: basic auth from the webhook URL, compared in constant time; a body accepted once is not accepted again. */
export const postmarkCase: WebhookCase = {
  name: 'postmark',
  provider: () => postmarkProvider(AUTH),
  secrets: [AUTH, 'hooks-password-0123456789', basic(AUTH)],
  suppresses: { kind: 'hard-bounce', status: 'bounced' },
  valid: (target, _kind, now) => request(postmarkBounce(target, now), basic(AUTH)),
  forgeries(target, now) {
    const body = postmarkBounce(target, now);
    return [
      { why: 'a wrong password (a wrong key)', request: request(body, basic('postmark:hooks-password-0123456780')) },
      { why: 'a wrong user', request: request(body, basic('postmarc:hooks-password-0123456789')) },
      { why: 'the password alone', request: request(body, basic('hooks-password-0123456789')) },
      { why: 'another scheme', request: request(body, `Bearer ${Buffer.from(AUTH).toString('base64')}`) },
      { why: 'credentials not in base64', request: request(body, 'Basic postmark:hooks-password-0123456789') },
    ];
  },
};
