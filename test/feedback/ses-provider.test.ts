import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sesProvider } from '../../src/feedback/ses-provider.ts';
import type { WebhookRequest } from '../../src/feedback/webhook-provider.ts';
import { CERT_URL, certificateFetch, sesNotification, signingPair, snsMessage, TOPIC } from '../support/sns.ts';

const pair = signingPair();
const target = { email: 'ann@example.org', messageId: '<i1.ann.1@news.example.org>', providerId: '0100019ae1ann1-000000' };
const request = (body: object): WebhookRequest => ({ header: () => null, body: Buffer.from(JSON.stringify(body)) });

test('SNS SignatureVersion 1 (SHA1) and 2 (SHA256) both verify, with and without a Subject; the MessageId is the nonce', async () => {
  const fetch = certificateFetch({ [CERT_URL]: pair.cert });
  const ses = sesProvider([TOPIC], fetch);
  const now = Date.now();
  for (const version of ['1', '2'] as const) {
    for (const subject of [undefined, 'Amazon SES Email Event Notification']) {
      const m = snsMessage(pair, sesNotification('Bounce', target, now), { version, at: now, ...(subject ? { subject } : {}) });
      const verdict = await ses.verify(request(m), now);
      assert.deepEqual(verdict, { ok: true, nonce: { value: m.MessageId, expiresAt: Date.parse(m.Timestamp) + 3_600_000 } }, `version ${version}, subject ${subject}`);
      // The same signature claimed under the other version does not verify.
      assert.equal((await ses.verify(request({ ...m, SignatureVersion: version === '1' ? '2' : '1' }), now)).ok, false);
    }
  }
  assert.deepEqual(fetch.asked, [CERT_URL], 'the certificate is fetched once and cached');
});

test('SNS: a certificate that cannot be fetched, is not one, or is out of date refuses the message', async () => {
  const now = Date.now();
  const m = snsMessage(pair, sesNotification('Bounce', target, now), { at: now });
  const missing = await sesProvider([TOPIC], certificateFetch({})).verify(request(m), now);
  assert.deepEqual(missing, { ok: false, reason: 'the signing certificate could not be fetched (HTTP 404)' });
  const garbage = await sesProvider([TOPIC], certificateFetch({ [CERT_URL]: 'hello' })).verify(request(m), now);
  assert.equal(garbage.ok, false);
  const down = await sesProvider([TOPIC], () => Promise.reject(new Error('ECONNREFUSED'))).verify(request(m), now);
  assert.equal(down.ok, false);
  const short = signingPair(1);
  const later = now + 3 * 24 * 3_600_000;
  const old = snsMessage(short, sesNotification('Bounce', target, later), { at: later });
  assert.deepEqual(await sesProvider([TOPIC], certificateFetch({ [CERT_URL]: short.cert })).verify(request(old), later), { ok: false, reason: 'a signing certificate that is not current' });
});

test('SNS: a timestamp more than an hour away either way is refused; within it, accepted', async () => {
  const ses = sesProvider([TOPIC], certificateFetch({ [CERT_URL]: pair.cert }));
  const now = Date.now();
  for (const [offset, ok] of [[-59 * 60_000, true], [59 * 60_000, true], [-61 * 60_000, false], [61 * 60_000, false]] as const) {
    const m = snsMessage(pair, sesNotification('Complaint', target, now), { at: now + offset });
    assert.equal((await ses.verify(request(m), now)).ok, ok, `offset ${offset / 60_000} min`);
  }
});

test('SNS: a SubscriptionConfirmation verifies and asks for its SubscribeURL, which must pass the host rule', async () => {
  const ses = sesProvider([TOPIC], certificateFetch({ [CERT_URL]: pair.cert }));
  const now = Date.now();
  const m = snsMessage(pair, 'You have chosen to subscribe.', { type: 'SubscriptionConfirmation', at: now });
  assert.equal((await ses.verify(request(m), now)).ok, true);
  assert.deepEqual(ses.parse(Buffer.from(JSON.stringify(m)), now), { ok: true, events: [], ignored: 0, subscribeUrl: m.SubscribeURL });
  const elsewhere = { ...m, SubscribeURL: 'https://internal.example/?Action=ConfirmSubscription' };
  assert.equal((await ses.verify(request(elsewhere), now)).ok, false, 'the SubscribeURL is signed');
  assert.deepEqual(ses.parse(Buffer.from(JSON.stringify(elsewhere)), now), { ok: false, reason: 'a SubscribeURL not on an SNS host over https' });
});

test('SNS: a Notification’s SES message becomes events, with SES’s id and ours', async () => {
  const ses = sesProvider([TOPIC], certificateFetch({ [CERT_URL]: pair.cert }));
  const now = Date.now();
  const parsed = ses.parse(Buffer.from(JSON.stringify(snsMessage(pair, sesNotification('Bounce', target, now, 'Transient'), { at: now }))), now);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.events.map((e) => [e.kind, e.recipients, e.messageId, e.providerMessageId, e.provider]), [['soft-bounce', [target.email], target.messageId, target.providerId, 'ses']]);
  assert.deepEqual(ses.parse(Buffer.from('{"Type":"Notification"}'), now).ok, false);
});

test('SES without a topic is a configuration error', () => {
  assert.throws(() => sesProvider([], certificateFetch({})), /events\.ses\.topic_arns/);
});
