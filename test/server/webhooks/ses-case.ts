import type { Fetch } from '../../../src/feedback/webhook-provider.ts';
import { sesProvider } from '../../../src/feedback/ses-provider.ts';
import { CERT_URL, certificateFetch, sesNotification, signingPair, snsMessage, TOPIC } from '../../support/sns.ts';
import type { SignedRequest, WebhookCase } from './webhook-contract.ts';

const pair = signingPair();
const other = signingPair();
const ELSEWHERE = 'https://sns.eu-west-1.amazonaws.com.attacker.example/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
const PLAIN = CERT_URL.replace('https:', 'http:');
// The attacker's certificate is served at every URL they could name: only the host rule keeps it out.
const certificates = certificateFetch({ [CERT_URL]: pair.cert, [ELSEWHERE]: other.cert, [PLAIN]: other.cert });
// SNS answers a confirmation's SubscribeURL with a small XML document.
const fetch: Fetch = (url) => (url.includes('Action=ConfirmSubscription') ? Promise.resolve({ status: 200, body: '<ConfirmSubscriptionResponse/>' }) : certificates(url));
const asSns = (body: object): SignedRequest => ({ headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }, body: JSON.stringify(body) });

/** SES through SNS: a signed SNS Notification carrying an SES bounce, with the test's certificate behind the fetch. */
export const sesCase: WebhookCase = {
  name: 'ses',
  provider: () => sesProvider([TOPIC], fetch),
  secrets: [],
  fetch,
  suppresses: { kind: 'hard-bounce', status: 'bounced' },
  valid(target, _kind, now) {
    return asSns(snsMessage(pair, sesNotification('Bounce', target, now), { at: now }));
  },
  confirmation(now) {
    const m = snsMessage(pair, 'You have chosen to subscribe to the topic.', { type: 'SubscriptionConfirmation', at: now });
    return { request: asSns(m), url: m.SubscribeURL! };
  },
  unsigned(request) {
    const { Signature: _, ...rest } = JSON.parse(request.body as string) as Record<string, unknown>;
    return asSns(rest);
  },
  forgeries(target, now) {
    const notification = sesNotification('Bounce', target, now);
    const tampered = { ...snsMessage(pair, notification, { at: now }), Message: notification.replace('5.1.1', '5.1.2') };
    return [
      { why: 'a changed byte', request: asSns(tampered) },
      { why: 'a wrong key (signed by a key that is not the certificate’s)', request: asSns(snsMessage(other, notification, { at: now })) },
      { why: 'a certificate URL on another host', request: asSns(snsMessage(other, notification, { at: now, certUrl: ELSEWHERE })) },
      { why: 'a certificate URL over http', request: asSns(snsMessage(other, notification, { at: now, certUrl: PLAIN })) },
      { why: 'an unknown TopicArn', request: asSns(snsMessage(pair, notification, { at: now, topic: 'arn:aws:sns:eu-west-1:999999999999:someone-else' })) },
      { why: 'an expired timestamp', request: asSns(snsMessage(pair, notification, { at: now - 2 * 3_600_000 })) },
      { why: 'SignatureVersion 1 claimed for a version 2 signature', request: asSns({ ...snsMessage(pair, notification, { at: now }), SignatureVersion: '1' }) },
    ];
  },
};
