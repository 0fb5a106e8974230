import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { sendgridEvents } from '../../src/feedback/sendgrid-events.ts';
import { sendgridProvider } from '../../src/feedback/sendgrid-provider.ts';
import { onlyEvent, parsed } from '../support/parsed-events.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const TS = 1764846000; // 2026-12-04T11:00:00Z
const X_MESSAGE_ID = 'W86EgYT6SQKk0lRflfLRsA';

/** One event as SendGrid's event webhook posts it (in an array); the rest overridable. */
const event = (fields: Record<string, unknown>) => ({
  email: 'ann@example.org',
  timestamp: TS,
  'smtp-id': '<i1.ann.1@news.example.org>',
  sg_event_id: `sg-${String(fields.event)}-${String(fields.reason ?? fields.type ?? '')}`,
  sg_message_id: `${X_MESSAGE_ID}.filterdrecv-5645d9c87f-78xgx-1-62841247-82.0`,
  category: ['newsletter'],
  ...fields,
});
const ok = (json: unknown) => parsed(sendgridEvents(json, NOW));
const only = (fields: Record<string, unknown>) => onlyEvent(sendgridEvents([event(fields)], NOW), JSON.stringify(fields));
const kindOf = (fields: Record<string, unknown>) => {
  const result = ok([event(fields)]);
  return result.events.length === 1 ? result.events[0]!.kind : result.ignored === 1 ? 'ignored' : assert.fail('neither one event nor one ignored');
};

test('a SendGrid bounce is hard, with its status, reason, X-Message-Id and our smtp-id', () => {
  const json = event({ event: 'bounce', type: 'bounce', status: '5.1.1', reason: "550 5.1.1 The email account that you tried to reach does not exist.", bounce_classification: 'Invalid Address', tls: 1, ip: '192.0.2.10' });
  const result = ok([json]);
  assert.deepEqual(result, {
    events: [
      {
        kind: 'hard-bounce',
        recipients: ['ann@example.org'],
        at: TS * 1000,
        messageId: '<i1.ann.1@news.example.org>',
        providerMessageId: X_MESSAGE_ID,
        status: '5.1.1',
        diagnostic: '550 5.1.1 The email account that you tried to reach does not exist.',
        provider: 'sendgrid',
        sourceKey: 'sg-bounce-550 5.1.1 The email account that you tried to reach does not exist.',
        raw: JSON.stringify(json),
      },
    ],
    ignored: 0,
  });
});

test('a SendGrid bounce of type blocked (refused for the sender, not the address) is soft', () => {
  const e = only({ event: 'bounce', type: 'blocked', status: '5.7.1', reason: '550 5.7.1 Message rejected due to local policy', bounce_classification: 'Reputation' });
  assert.deepEqual([e.kind, e.status, e.diagnostic], ['soft-bounce', '5.7.1', '550 5.7.1 Message rejected due to local policy']);
});

test('a SendGrid drop counts only when its reason is about the address', () => {
  const table: [string, string][] = [
    ['Bounced Address', 'hard-bounce'],
    ['Invalid', 'hard-bounce'],
    ['Spam Reporting Address', 'complaint'],
    ['Unsubscribed Address', 'unsubscribed'],
    ['Invalid SMTPAPI header', 'ignored'],
    ['Spam Content (if Spam Checker app is enabled)', 'ignored'],
    ['Recipient List over Package Quota', 'ignored'],
  ];
  for (const [reason, kind] of table) assert.equal(kindOf({ event: 'dropped', reason, status: '5.0.0' }), kind, reason);
  assert.equal(kindOf({ event: 'dropped', status: '5.0.0' }), 'ignored', 'a drop without a reason');
  const dropped = only({ event: 'dropped', reason: 'Bounced Address', status: '5.0.0' });
  assert.deepEqual([dropped.status, dropped.diagnostic], ['5.0.0', 'Bounced Address']);
});

test('SendGrid spam reports, deferrals, deliveries and (group) unsubscribes are what they say; the response is the diagnostic', () => {
  assert.equal(kindOf({ event: 'spamreport' }), 'complaint');
  const deferred = only({ event: 'deferred', response: '421 4.7.0 Try again later', attempt: '5' });
  assert.deepEqual([deferred.kind, deferred.status, deferred.diagnostic], ['deferred', null, '421 4.7.0 Try again later']);
  const delivered = only({ event: 'delivered', response: '250 2.0.0 OK 1764846000 a1-20020a05', tls: 1 });
  assert.deepEqual([delivered.kind, delivered.diagnostic], ['delivered', '250 2.0.0 OK 1764846000 a1-20020a05']);
  assert.equal(kindOf({ event: 'unsubscribe' }), 'unsubscribed');
  assert.equal(kindOf({ event: 'group_unsubscribe', asm_group_id: 10, useragent: 'Mozilla/5.0', ip: '192.0.2.20', url: 'https://example.org/unsubscribe' }), 'unsubscribed');
});

test('SendGrid processed, open, click and resubscribe events are ignored', () => {
  for (const name of ['processed', 'open', 'click', 'group_resubscribe', 'machine_opened']) assert.equal(kindOf({ event: name }), 'ignored', name);
});

test('the SendGrid provider id is sg_message_id up to its first dot; without ids both are null and the time is now', () => {
  assert.equal(only({ event: 'delivered', sg_message_id: 'Hk4oe6YtQvO2L7wKm9yP3A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0' }).providerMessageId, 'Hk4oe6YtQvO2L7wKm9yP3A');
  assert.equal(only({ event: 'delivered', sg_message_id: 'Hk4oe6YtQvO2L7wKm9yP3A' }).providerMessageId, 'Hk4oe6YtQvO2L7wKm9yP3A', 'an id without a dot is kept whole');
  assert.equal(only({ event: 'delivered', 'smtp-id': 'i1.ann.1@news.example.org' }).messageId, '<i1.ann.1@news.example.org>', 'an smtp-id without brackets gets them');
  const bare = only({ event: 'delivered', sg_message_id: undefined, 'smtp-id': undefined, timestamp: undefined, sg_event_id: undefined });
  assert.deepEqual([bare.providerMessageId, bare.messageId, bare.at, bare.sourceKey === bare.raw], [null, null, NOW, true]);
});

test('a SendGrid batch of mixed events gives one event each that counts and ignores the rest, in order', () => {
  const result = ok([
    event({ event: 'processed', sg_event_id: 'e1' }),
    event({ event: 'delivered', sg_event_id: 'e2', response: '250 OK' }),
    event({ event: 'open', sg_event_id: 'e3', useragent: 'Mozilla/5.0' }),
    event({ event: 'bounce', sg_event_id: 'e4', email: 'bob@example.org', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 user unknown' }),
    null,
    'bounce',
    event({ event: 'bounce', sg_event_id: 'e5', email: '' }),
    event({ event: 'spamreport', sg_event_id: 'e6', email: 'cat@example.org' }),
  ]);
  assert.equal(result.ignored, 5);
  assert.deepEqual(
    result.events.map((e) => [e.kind, e.recipients[0], e.sourceKey]),
    [
      ['delivered', 'ann@example.org', 'e2'],
      ['hard-bounce', 'bob@example.org', 'e4'],
      ['complaint', 'cat@example.org', 'e6'],
    ],
  );
  assert.deepEqual(ok([]), { events: [], ignored: 0 });
});

test('a SendGrid body that is not an array is an error', () => {
  assert.deepEqual(sendgridEvents(event({ event: 'bounce' }), NOW), { error: 'a SendGrid body that is not an array of events' });
  assert.deepEqual(sendgridEvents(null, NOW), { error: 'a SendGrid body that is not an array of events' });
});

test('SENDGRID_WEBHOOK_PUBLIC_KEY that is not base64 DER, or not a P-256 key, is refused, naming the variable', () => {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
  assert.equal(sendgridProvider(p256.export({ format: 'der', type: 'spki' }).toString('base64')).name, 'sendgrid');
  assert.equal(sendgridProvider(p256.export({ format: 'pem', type: 'spki' }).toString()).name, 'sendgrid', 'a PEM is taken too');
  for (const key of ['', 'not a key', Buffer.from('hello, world').toString('base64'), '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----']) {
    assert.throws(() => sendgridProvider(key), /^Error: SENDGRID_WEBHOOK_PUBLIC_KEY is not a public key/, JSON.stringify(key));
  }
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  for (const key of [p384, ed25519]) assert.throws(() => sendgridProvider(key), /^Error: SENDGRID_WEBHOOK_PUBLIC_KEY is not an ECDSA P-256 key$/);
});
