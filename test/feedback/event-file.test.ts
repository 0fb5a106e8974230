/**
 * Provider event files (`bounces feedback.jsonl`): each provider's saved events are recognised by their shape and
 * read by the same parsers as the webhooks; a bad line names the file and the line and fails the whole file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventsFromFile, EVENT_FILE } from '../../src/feedback/event-file.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');

const sesBounce = {
  notificationType: 'Bounce',
  bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'r0@example.org', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }], timestamp: '2026-12-04T10:00:00.000Z' },
  mail: { messageId: '0100018c-ses-id', timestamp: '2026-12-04T09:59:00.000Z', commonHeaders: { messageId: '<a1@dissentdesk.example.org>' } },
};
const snsEnvelope = { Type: 'Notification', MessageId: 'sns-4f1c', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback', Message: JSON.stringify(sesBounce), Timestamp: '2026-12-04T10:00:01.000Z' };
const sendgrid = [
  { email: 'r1@example.org', event: 'spamreport', timestamp: 1796378400, 'smtp-id': '<a2@dissentdesk.example.org>', sg_event_id: 'ev-1', sg_message_id: 'sgid1.filter-1' },
  { email: 'r1@example.org', event: 'open', timestamp: 1796378400, sg_event_id: 'ev-2', sg_message_id: 'sgid1.filter-1' },
];
const mailgunBody = { signature: { timestamp: '1796378400', token: 't', signature: 's' }, 'event-data': { id: 'mg-1', event: 'failed', severity: 'permanent', recipient: 'r2@example.org', timestamp: 1796378400, message: { headers: { 'message-id': 'a3@dissentdesk.example.org' } }, 'delivery-status': { code: 550, message: 'no such user' } } };
const postmark = { RecordType: 'SpamComplaint', ID: 42, MessageID: 'pm-883', Email: 'r3@example.org', BouncedAt: '2026-12-04T10:00:00Z' };
const resend = { type: 'email.bounced', created_at: '2026-12-04T10:00:00Z', data: { email_id: 'rs-1', to: ['r4@example.org'], bounce: { type: 'Permanent', message: 'mailbox does not exist' } } };
const generic = { kind: 'deferred', email: 'r5@example.org', message_id: '<a6@dissentdesk.example.org>', at: '2026-12-04T10:00:00Z', status: '4.2.2' };

test('event files: .json, .jsonl and .ndjson are event files; .eml and Maildir names are not', () => {
  for (const name of ['ses.json', 'feedback.JSONL', 'x.ndjson']) assert.ok(EVENT_FILE.test(name), name);
  for (const name of ['report.eml', '1733.M1P2.host:2,S', 'json']) assert.ok(!EVENT_FILE.test(name), name);
});

test('event files: every provider shape on its own line is read by its own parser, one entry per line', () => {
  const lines = [snsEnvelope, sesBounce, sendgrid, mailgunBody, mailgunBody['event-data'], postmark, resend, generic].map((v) => JSON.stringify(v));
  const result = eventsFromFile('feedback.jsonl', `${lines.join('\n')}\n\n`, NOW);
  assert.ok(result.ok, !result.ok ? result.error : '');
  const seen = result.entries.map((e) => [e.where, e.provider, e.events.map((x) => `${x.kind} ${x.recipients[0]} ${x.messageId ?? x.providerMessageId}`), e.ignored]);
  assert.deepEqual(seen, [
    ['feedback.jsonl:1', 'ses', ['hard-bounce r0@example.org <a1@dissentdesk.example.org>'], 0],
    ['feedback.jsonl:2', 'ses', ['hard-bounce r0@example.org <a1@dissentdesk.example.org>'], 0],
    ['feedback.jsonl:3 item 1', 'sendgrid', ['complaint r1@example.org <a2@dissentdesk.example.org>'], 0],
    ['feedback.jsonl:3 item 2', 'sendgrid', [], 1],
    ['feedback.jsonl:4', 'mailgun', ['hard-bounce r2@example.org <a3@dissentdesk.example.org>'], 0],
    ['feedback.jsonl:5', 'mailgun', ['hard-bounce r2@example.org <a3@dissentdesk.example.org>'], 0],
    ['feedback.jsonl:6', 'postmark', ['complaint r3@example.org pm-883'], 0],
    ['feedback.jsonl:7', 'resend', ['hard-bounce r4@example.org rs-1'], 0],
    ['feedback.jsonl:8', 'generic', ['deferred r5@example.org <a6@dissentdesk.example.org>'], 0],
  ]);
  const [viaSns, bare] = result.entries;
  assert.equal(viaSns!.events[0]!.status, '5.1.1');
  assert.equal(viaSns!.events[0]!.providerMessageId, '0100018c-ses-id');
  // The envelope's SNS MessageId keys the event as the webhook does, so one received both ways is recorded once.
  assert.match(viaSns!.events[0]!.sourceKey, /^sns-4f1c#/);
  assert.notEqual(bare!.events[0]!.sourceKey, viaSns!.events[0]!.sourceKey);
});

test('event files: the same content read again, under another name, gives the same source keys (recorded once)', () => {
  const a = eventsFromFile('one.json', JSON.stringify(sesBounce), NOW);
  const b = eventsFromFile('elsewhere/two.json', JSON.stringify(sesBounce, null, 2), NOW + 60_000);
  assert.ok(a.ok && b.ok);
  assert.equal(a.entries[0]!.events[0]!.sourceKey, b.entries[0]!.events[0]!.sourceKey);
});

test('event files: a .json file holds one value: an array of a SendGrid export, or a Mailgun Events API page', () => {
  const arr = eventsFromFile('sendgrid.json', JSON.stringify(sendgrid, null, 2), NOW);
  assert.ok(arr.ok);
  assert.deepEqual(arr.entries.map((e) => e.where), ['sendgrid.json item 1', 'sendgrid.json item 2']);
  const page = eventsFromFile('mailgun.json', JSON.stringify({ items: [mailgunBody['event-data'], { id: 'mg-2', event: 'opened', recipient: 'r2@example.org' }], paging: { next: 'https://api.mailgun.net/v3/x/events/next' } }), NOW);
  assert.ok(page.ok, !page.ok ? page.error : '');
  assert.equal(page.entries.length, 1);
  assert.equal(page.entries[0]!.events.length, 1);
  assert.equal(page.entries[0]!.ignored, 1);
});

test('event files: a line that is not JSON names the file and its line, and the whole file fails', () => {
  const text = `${JSON.stringify(generic)}\n${JSON.stringify(sesBounce)}\n{"kind": "hard-bounce", "email": \n`;
  const result = eventsFromFile('feedback.jsonl', text, NOW);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /^feedback\.jsonl:3: not JSON: /);
});

test('event files: a broken .json names the line where the JSON stops', () => {
  const text = '[\n  {"kind": "deferred",\n   "email": "r5@example.org"\n   "message_id": "<x@y>"}\n]\n';
  const result = eventsFromFile('export.json', text, NOW);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /^export\.json:4: not JSON: /);
});

test('event files: a value no parser knows, or one its parser refuses, names the place and the field', () => {
  const unknown = eventsFromFile('f.jsonl', `${JSON.stringify(generic)}\n${JSON.stringify({ hello: 'world' })}\n`, NOW);
  assert.equal(unknown.ok, false);
  assert.match(!unknown.ok ? unknown.error : '', /^f\.jsonl:2: not an event this reads/);
  const badGeneric = eventsFromFile('g.json', JSON.stringify([generic, { ...generic, kind: 'exploded' }]), NOW);
  assert.equal(badGeneric.ok, false);
  assert.match(!badGeneric.ok ? badGeneric.error : '', /^g\.json item 2: kind must be one of hard-bounce/);
  const notObject = eventsFromFile('n.jsonl', '42\n', NOW);
  assert.match(!notObject.ok ? notObject.error : '', /^n\.jsonl:1: not a JSON object/);
  const badSes = eventsFromFile('s.json', JSON.stringify({ notificationType: 'Bounce', mail: {} }), NOW);
  assert.match(!badSes.ok ? badSes.error : '', /^s\.json: the SES notification has no mail\.messageId/);
});
