import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postmarkEvent } from '../../src/feedback/postmark-events.ts';
import { postmarkProvider } from '../../src/feedback/postmark-provider.ts';
import { onlyEvent, parsed } from '../support/parsed-events.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const MESSAGE_ID = '883953f4-6105-42a2-a16a-77a8eac79483';

/** A Bounce webhook as Postmark posts it; `Type`, `TypeCode` and the rest overridable. */
const bounce = (fields: Record<string, unknown> = {}) => ({
  RecordType: 'Bounce',
  MessageStream: 'outbound',
  ID: 4323372036,
  Type: 'HardBounce',
  TypeCode: 1,
  Name: 'Hard bounce',
  Tag: 'issue-1',
  MessageID: MESSAGE_ID,
  Metadata: {},
  ServerID: 23,
  Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
  Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
  Email: 'ann@example.org',
  From: 'news@example.org',
  BouncedAt: '2026-12-04T11:01:00.9070259Z',
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: 'Issue 1',
  ...fields,
});
const ok = (json: unknown) => parsed(postmarkEvent(json, NOW));
const only = (json: unknown) => onlyEvent(postmarkEvent(json, NOW));

test('a Postmark HardBounce is a hard bounce with Postmark’s MessageID, the status its Details quote, and its type, description and details', () => {
  const json = bounce();
  const e = only(json);
  assert.deepEqual(e, {
    kind: 'hard-bounce',
    recipients: ['ann@example.org'],
    at: Date.parse('2026-12-04T11:01:00.907Z'),
    messageId: null,
    providerMessageId: MESSAGE_ID,
    status: '5.1.1',
    diagnostic: 'HardBounce (TypeCode 1): The server was unable to deliver your message (ex: unknown user, mailbox not found).: smtp;550 5.1.1 The email account that you tried to reach does not exist.',
    provider: 'postmark',
    sourceKey: `Bounce:4323372036:${MESSAGE_ID}:ann@example.org`,
    raw: JSON.stringify(json),
  });
});

test('each Postmark bounce Type maps as documented: hard, soft, deferred, complaint, unsubscribed', () => {
  const table: [string, number, string][] = [
    ['HardBounce', 1, 'hard-bounce'],
    ['BadEmailAddress', 100000, 'hard-bounce'],
    ['SoftBounce', 4096, 'soft-bounce'],
    ['DnsError', 256, 'soft-bounce'],
    ['Blocked', 100006, 'soft-bounce'],
    ['DMARCPolicy', 100009, 'soft-bounce'],
    ['Transient', 2, 'deferred'],
    ['SpamComplaint', 100001, 'complaint'],
    ['Unsubscribe', 16, 'unsubscribed'],
  ];
  for (const [Type, TypeCode, kind] of table) {
    const e = only(bounce({ Type, TypeCode }));
    assert.deepEqual([e.kind, e.status, e.providerMessageId], [kind, '5.1.1', MESSAGE_ID], Type);
    assert.match(e.diagnostic!, new RegExp(`^${Type} \\(TypeCode ${TypeCode}\\): `), Type);
  }
  // Details that quote only a reply code, or none.
  assert.equal(only(bounce({ Type: 'SoftBounce', Details: 'smtp;452 mailbox full' })).status, '452');
  assert.equal(only(bounce({ Type: 'DnsError', Details: 'no MX record for example.org' })).status, null);
});

test('Postmark bounce Types that are not about delivery (auto-replies, challenges, virus and spam notices) are ignored', () => {
  for (const [Type, TypeCode] of [['AutoResponder', 64], ['ChallengeVerification', 16384], ['VirusNotification', 8192], ['SpamNotification', 512], ['AddressChange', 128], ['Subscribe', 32], ['OpenRelayTest', 1024], ['Unknown', 2048], ['ManuallyDeactivated', 100002]] as const) {
    assert.deepEqual(ok(bounce({ Type, TypeCode })), { events: [], ignored: 1 }, Type);
  }
  assert.deepEqual(ok(bounce({ Type: undefined })), { events: [], ignored: 1 }, 'a Bounce without a Type');
});

test('a Postmark SpamComplaint record is a complaint, and a Delivery a delivery at DeliveredAt', () => {
  const complaint = only({ ...bounce({ RecordType: 'SpamComplaint', Type: 'SpamComplaint', TypeCode: 100001, Name: 'Spam complaint', Description: '', Details: 'Test spam complaint details' }) });
  assert.deepEqual(
    [complaint.kind, complaint.recipients, complaint.providerMessageId, complaint.status, complaint.diagnostic, complaint.at],
    ['complaint', ['ann@example.org'], MESSAGE_ID, null, 'Test spam complaint details', Date.parse('2026-12-04T11:01:00.907Z')],
  );
  const delivery = only({
    RecordType: 'Delivery',
    ServerID: 23,
    MessageStream: 'outbound',
    MessageID: MESSAGE_ID,
    Recipient: 'bob@example.org',
    Tag: 'issue-1',
    DeliveredAt: '2026-12-04T11:02:00Z',
    Details: 'smtp;250 2.0.0 OK',
    Metadata: {},
  });
  assert.deepEqual(
    [delivery.kind, delivery.recipients, delivery.providerMessageId, delivery.messageId, delivery.at, delivery.diagnostic, delivery.sourceKey.startsWith('Delivery:')],
    ['delivered', ['bob@example.org'], MESSAGE_ID, null, Date.parse('2026-12-04T11:02:00Z'), 'smtp;250 2.0.0 OK', true],
  );
});

test('a Postmark SubscriptionChange that suppresses sending counts by its reason; one that lifts a suppression is ignored', () => {
  const change = (SuppressSending: boolean, SuppressionReason: string | null) => ({
    RecordType: 'SubscriptionChange',
    MessageID: MESSAGE_ID,
    ServerID: 23,
    MessageStream: 'broadcast',
    ChangedAt: '2026-12-04T11:03:00.416071Z',
    Recipient: 'ann@example.org',
    Origin: 'Recipient',
    SuppressSending,
    SuppressionReason,
    Tag: 'issue-1',
    Metadata: {},
  });
  const manual = only(change(true, 'ManualSuppression'));
  assert.deepEqual(
    [manual.kind, manual.recipients, manual.at, manual.providerMessageId, manual.diagnostic],
    ['unsubscribed', ['ann@example.org'], Date.parse('2026-12-04T11:03:00.416Z'), MESSAGE_ID, 'Postmark suppression: ManualSuppression (Recipient)'],
  );
  assert.equal(only(change(true, 'HardBounce')).kind, 'hard-bounce');
  assert.equal(only(change(true, 'SpamComplaint')).kind, 'complaint');
  assert.deepEqual(ok(change(false, null)), { events: [], ignored: 1 }, 'a reactivation');
  assert.deepEqual(ok(change(false, 'ManualSuppression')), { events: [], ignored: 1 });
  assert.deepEqual(ok({ ...change(true, 'ManualSuppression'), SuppressSending: 'true' }), { events: [], ignored: 1 }, 'only a JSON true suppresses');
});

test('Postmark opens, clicks and inbound records are ignored; a body without a recipient or RecordType is an error', () => {
  for (const RecordType of ['Open', 'Click', 'Inbound']) assert.deepEqual(ok({ RecordType, MessageID: MESSAGE_ID, Recipient: 'ann@example.org' }), { events: [], ignored: 1 }, RecordType);
  assert.deepEqual(postmarkEvent([bounce()], NOW), { error: 'a Postmark body that is not an object' });
  assert.deepEqual(postmarkEvent({ ...bounce(), RecordType: undefined }, NOW), { error: 'a Postmark body without RecordType' });
  assert.deepEqual(postmarkEvent(bounce({ Email: '' }), NOW), { error: 'a Postmark Bounce without its recipient' });
  assert.deepEqual(postmarkEvent({ RecordType: 'Delivery', MessageID: MESSAGE_ID, Email: 'ann@example.org' }, NOW), { error: 'a Postmark Delivery without its recipient' }, 'a Delivery names its Recipient');
  const noTime = only(bounce({ BouncedAt: undefined, MessageID: undefined, ID: undefined }));
  assert.deepEqual([noTime.at, noTime.providerMessageId], [NOW, null]);
});

test('POSTMARK_WEBHOOK_AUTH without a colon, a user, or a long enough password is refused, naming the variable', () => {
  for (const auth of ['', 'hooks-0123456789abcdef', ':0123456789abcdef', 'hooks:short']) {
    assert.throws(() => postmarkProvider(auth), /^Error: POSTMARK_WEBHOOK_AUTH must be user:password/, JSON.stringify(auth));
  }
  assert.equal(postmarkProvider('hooks:0123456789ab').name, 'postmark');
});
