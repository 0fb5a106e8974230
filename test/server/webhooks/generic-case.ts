import { createHmac } from 'node:crypto';
import { genericProvider } from '../../../src/feedback/generic-provider.ts';
import type { WebhookCase } from './webhook-contract.ts';

const SECRET = 'generic-test-secret-0123456789abcdef';
const sign = (body: string, key = SECRET) => ({ 'content-type': 'application/json', 'x-signature': `sha256=${createHmac('sha256', key).update(body).digest('hex')}` });

/** The generic shipper's endpoint: an HMAC-SHA256 of the raw body in X-Signature. */
export const genericCase: WebhookCase = {
  name: 'generic',
  provider: () => genericProvider(SECRET),
  secrets: [SECRET],
  suppresses: { kind: 'hard-bounce', status: 'bounced' },
  valid(target, kind, now) {
    const body = JSON.stringify([{ kind, email: target.email, message_id: target.messageId, at: new Date(now).toISOString(), status: '5.1.1', diagnostic: 'user unknown' }]);
    return { headers: sign(body), body };
  },
  forgeries(target, now) {
    const body = this.valid(target, 'hard-bounce', now).body as string;
    const other = body.replace('5.1.1', '5.1.2');
    return [
      { why: 'a changed byte', request: { headers: sign(body), body: other } },
      { why: 'a wrong key', request: { headers: sign(body, 'another-secret-0123456789abcdef'), body } },
      { why: 'a signature not in hex', request: { headers: { 'x-signature': 'sha256=zz' }, body } },
      { why: 'a malformed event, signed', request: { headers: sign('[{"kind":"exploded"}]'), body: '[{"kind":"exploded"}]' } },
    ];
  },
};
