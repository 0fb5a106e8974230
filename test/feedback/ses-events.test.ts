import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sesEvents } from '../../src/feedback/ses-events.ts';
import { parsed } from '../support/parsed-events.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const mail = { timestamp: '2026-12-04T11:00:00.000Z', messageId: '0100019ae1abc-000000', commonHeaders: { messageId: '<i1.ann.1@news.example.org>' } };
const ok = (json: unknown) => parsed(sesEvents(json, 'sns-1', NOW));

test('an SES bounce is one event per recipient: Permanent is hard, Transient and Undetermined soft, with status and diagnostic', () => {
  const hard = ok({
    notificationType: 'Bounce',
    mail,
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      timestamp: '2026-12-04T11:01:00.000Z',
      bouncedRecipients: [
        { emailAddress: 'ann@example.org', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
        { emailAddress: 'bob@example.org', status: '5.1.1' },
      ],
    },
  });
  assert.equal(hard.events.length, 2);
  assert.deepEqual(
    hard.events.map((e) => [e.kind, e.recipients[0], e.status, e.diagnostic, e.at]),
    [
      ['hard-bounce', 'ann@example.org', '5.1.1', 'smtp; 550 5.1.1 user unknown', Date.parse('2026-12-04T11:01:00Z')],
      ['hard-bounce', 'bob@example.org', '5.1.1', 'SES Permanent/General', Date.parse('2026-12-04T11:01:00Z')],
    ],
  );
  assert.equal(hard.events[0]!.messageId, '<i1.ann.1@news.example.org>');
  assert.equal(hard.events[0]!.providerMessageId, '0100019ae1abc-000000');
  assert.notEqual(hard.events[0]!.sourceKey, hard.events[1]!.sourceKey);
  for (const bounceType of ['Transient', 'Undetermined']) {
    const soft = ok({ notificationType: 'Bounce', mail, bounce: { bounceType, bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: 'ann@example.org', status: '4.2.2' }] } });
    assert.equal(soft.events[0]!.kind, 'soft-bounce', bounceType);
    assert.equal(soft.events[0]!.at, Date.parse(mail.timestamp), 'without its own time, the mail’s');
  }
});

test('SES complaints, deliveries and (event publishing) delays; other event types are ignored, not errors', () => {
  assert.deepEqual(ok({ notificationType: 'Complaint', mail, complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'ann@example.org' }] } }).events.map((e) => [e.kind, e.diagnostic]), [['complaint', 'abuse complaint']]);
  assert.deepEqual(ok({ notificationType: 'Delivery', mail, delivery: { recipients: ['ann@example.org'], smtpResponse: '250 ok' } }).events.map((e) => e.kind), ['delivered']);
  assert.deepEqual(ok({ eventType: 'DeliveryDelay', mail, deliveryDelay: { delayType: 'MailboxFull', delayedRecipients: [{ emailAddress: 'ann@example.org', status: '4.2.2' }] } }).events.map((e) => [e.kind, e.status]), [['deferred', '4.2.2']]);
  assert.deepEqual(ok({ eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'ann@example.org' }] } }).events.map((e) => e.kind), ['hard-bounce']);
  for (const eventType of ['Open', 'Click', 'Send']) assert.deepEqual(ok({ eventType, mail }), { events: [], ignored: 1 });
  assert.deepEqual(ok({ notificationType: 'AmazonSnsSubscriptionSucceeded', message: 'ok' }), { events: [], ignored: 1 });
  const headersOnly = ok({ notificationType: 'Delivery', mail: { messageId: 'x', headers: [{ name: 'Message-ID', value: 'abc@news.example.org' }] }, delivery: { recipients: ['a@b.org'] } });
  assert.equal(headersOnly.events[0]!.messageId, '<abc@news.example.org>');
  assert.equal(headersOnly.events[0]!.at, NOW);
});

test('a malformed SES notification is an error that says what is missing', () => {
  assert.match((sesEvents([], 'k', NOW) as { error: string }).error, /not an object/);
  assert.match((sesEvents({ mail }, 'k', NOW) as { error: string }).error, /notificationType/);
  assert.match((sesEvents({ notificationType: 'Bounce' }, 'k', NOW) as { error: string }).error, /mail\.messageId/);
  assert.match((sesEvents({ notificationType: 'Bounce', mail }, 'k', NOW) as { error: string }).error, /no bounce object/);
});
