import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailgunEvent } from '../../src/feedback/mailgun-events.ts';
import { mailgunProvider } from '../../src/feedback/mailgun-provider.ts';
import { onlyEvent, parsed } from '../support/parsed-events.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const TS = 1764846000.908181; // 2026-12-04T11:00:00.908181Z, as Mailgun sends it: seconds with a fraction
const signature = { timestamp: '1764846000', token: 'a4b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9', signature: '0'.repeat(64) };

/** A webhook body as Mailgun posts it: `signature` and `event-data`. */
function body(event: Record<string, unknown>) {
  return {
    signature,
    'event-data': {
      id: 'CPgfbmQMTCKtHW6uIWtuVe',
      timestamp: TS,
      'log-level': 'error',
      recipient: 'ann@example.org',
      'recipient-domain': 'example.org',
      envelope: { sender: 'news@mg.example.org', transport: 'smtp', targets: 'ann@example.org' },
      message: { headers: { to: 'ann@example.org', 'message-id': 'i1.ann.1@news.example.org', from: 'News <news@example.org>', subject: 'Issue 1' }, attachments: [], size: 4242 },
      flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
      tags: [],
      'user-variables': {},
      ...event,
    },
  };
}
const ok = (json: unknown) => parsed(mailgunEvent(json, NOW));
const only = (json: unknown) => onlyEvent(mailgunEvent(json, NOW));

test('a Mailgun permanent failure is a hard bounce carrying the enhanced code and the server’s message', () => {
  const e = only(
    body({
      event: 'failed',
      severity: 'permanent',
      reason: 'bounce',
      'delivery-status': { 'attempt-no': 1, code: 550, 'enhanced-code': '5.1.1', message: '5.1.1 The email account that you tried to reach does not exist.', description: '', 'mx-host': 'mx.example.org', 'session-seconds': 0.4 },
    }),
  );
  assert.deepEqual(e, {
    kind: 'hard-bounce',
    recipients: ['ann@example.org'],
    at: Math.round(TS * 1000),
    messageId: '<i1.ann.1@news.example.org>',
    providerMessageId: 'i1.ann.1@news.example.org',
    status: '5.1.1',
    diagnostic: '5.1.1 The email account that you tried to reach does not exist.',
    provider: 'mailgun',
    sourceKey: 'CPgfbmQMTCKtHW6uIWtuVe',
    raw: e.raw,
  });
  assert.equal(JSON.parse(e.raw).id, 'CPgfbmQMTCKtHW6uIWtuVe', 'raw is the event-data, not the signed envelope');
  assert.equal(JSON.parse(e.raw).signature, undefined);
  // Without an enhanced code, the SMTP code; with a description, the description.
  const plain = only(body({ event: 'failed', severity: 'permanent', reason: 'suppress-bounce', 'delivery-status': { code: 605, message: '', description: 'Not delivering to previously bounced address' } }));
  assert.deepEqual([plain.kind, plain.status, plain.diagnostic], ['hard-bounce', '605', 'Not delivering to previously bounced address']);
});

test('a Mailgun temporary failure is a deferral (Mailgun goes on trying), and giving up after retries (reason old) a soft bounce', () => {
  const temporary = only(body({ event: 'failed', severity: 'temporary', reason: 'generic', 'delivery-status': { 'attempt-no': 2, code: 452, 'enhanced-code': '4.2.2', message: '4.2.2 The email account that you tried to reach is over quota.', description: '' } }));
  assert.deepEqual([temporary.kind, temporary.status, temporary.diagnostic], ['deferred', '4.2.2', '4.2.2 The email account that you tried to reach is over quota.']);
  const old = only(body({ event: 'failed', severity: 'permanent', reason: 'old', 'delivery-status': { 'attempt-no': 8, code: 421, message: '', description: '' } }));
  assert.deepEqual([old.kind, old.status, old.diagnostic], ['soft-bounce', '421', 'old'], 'without a message or description, the reason is the diagnostic');
});

test('Mailgun complaints, deliveries and unsubscriptions are what they say', () => {
  const complained = only(body({ event: 'complained', 'log-level': 'warn' }));
  assert.deepEqual([complained.kind, complained.recipients, complained.providerMessageId, complained.status], ['complaint', ['ann@example.org'], 'i1.ann.1@news.example.org', null]);
  const delivered = only(body({ event: 'delivered', 'log-level': 'info', 'delivery-status': { 'attempt-no': 1, code: 250, message: 'OK', description: '', 'mx-host': 'mx.example.org', tls: true } }));
  assert.deepEqual([delivered.kind, delivered.status, delivered.diagnostic], ['delivered', '250', 'OK']);
  const unsubscribed = only(body({ event: 'unsubscribed', 'log-level': 'info', recipient: 'bob@example.org' }));
  assert.deepEqual([unsubscribed.kind, unsubscribed.recipients], ['unsubscribed', ['bob@example.org']]);
});

test('Mailgun opens, clicks, acceptances and stored events are ignored, not errors', () => {
  for (const event of ['opened', 'clicked', 'accepted', 'stored', 'rejected']) assert.deepEqual(ok(body({ event })), { events: [], ignored: 1 }, event);
  assert.deepEqual(ok(body({ event: undefined })), { events: [], ignored: 1 }, 'an event-data without an event name');
});

test('the Mailgun message-id header gives both ids; without it both are null and the time defaults to now', () => {
  const ownId = only(body({ event: 'delivered', message: { headers: { 'message-id': '20261204110000.1.ABCDEF0123456789@mg.example.org' } } }));
  assert.equal(ownId.messageId, '<20261204110000.1.ABCDEF0123456789@mg.example.org>');
  assert.equal(ownId.providerMessageId, '20261204110000.1.ABCDEF0123456789@mg.example.org');
  const bracketed = only(body({ event: 'delivered', message: { headers: { 'message-id': '<i2.ann.1@news.example.org>' } } }));
  assert.deepEqual([bracketed.messageId, bracketed.providerMessageId], ['<i2.ann.1@news.example.org>', 'i2.ann.1@news.example.org']);
  const bare = only(body({ event: 'delivered', message: undefined, timestamp: undefined, id: undefined }));
  assert.deepEqual([bare.messageId, bare.providerMessageId, bare.at], [null, null, NOW]);
  assert.equal(bare.sourceKey, bare.raw, 'without an event id, the event’s JSON is its source key');
});

test('a malformed Mailgun body is an error that says what is missing', () => {
  assert.deepEqual(mailgunEvent({ signature }, NOW), { error: 'a Mailgun body without event-data' });
  assert.deepEqual(mailgunEvent([], NOW), { error: 'a Mailgun body without event-data' });
  assert.deepEqual(mailgunEvent({ 'event-data': 'failed' }, NOW), { error: 'a Mailgun body without event-data' });
  assert.deepEqual(mailgunEvent(body({ event: 'failed', severity: 'permanent', recipient: '' }), NOW), { error: 'a Mailgun failed event without a recipient' });
  assert.deepEqual(mailgunProvider('key-0123456789abcdef0123456789abcdef').parse(Buffer.from('not json'), NOW), { ok: false, reason: 'a body that is not JSON' });
});

test('a Mailgun signing key that is empty or too short is refused, naming MAILGUN_WEBHOOK_SIGNING_KEY', () => {
  for (const key of ['', '   ', 'key-123']) assert.throws(() => mailgunProvider(key), /MAILGUN_WEBHOOK_SIGNING_KEY is too short/, JSON.stringify(key));
  assert.equal(mailgunProvider('0123456789abcdef0123456789abcdef').name, 'mailgun');
});
