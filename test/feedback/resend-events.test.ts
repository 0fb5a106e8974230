import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resendEvents } from '../../src/feedback/resend-events.ts';
import { resendProvider } from '../../src/feedback/resend-provider.ts';
import { onlyEvent, parsed } from '../support/parsed-events.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const EMAIL_ID = '56761188-7520-42d8-8898-ff6fc54ce618';
const SENT_AT = '2026-12-04T11:00:00.894719+00:00';
const EVENT_AT = '2026-12-04T11:05:00.126Z';

/** An email.* webhook as Resend posts it; `data` fields overridable. */
const email = (type: string, data: Record<string, unknown> = {}) => ({
  type,
  created_at: EVENT_AT,
  data: {
    broadcast_id: '8b146471-e88e-4322-86af-016cd36fd216',
    created_at: SENT_AT,
    email_id: EMAIL_ID,
    from: 'News <news@example.org>',
    to: ['ann@example.org'],
    subject: 'Issue 1',
    ...data,
  },
});
const ok = (json: unknown) => parsed(resendEvents(json, NOW));
const only = (json: unknown) => onlyEvent(resendEvents(json, NOW));

test('a Resend Permanent bounce is hard, at the event’s time, with Resend’s email_id and its type: subtype: message', () => {
  const json = email('email.bounced', { bounce: { message: 'The recipient’s email address is on the suppression list because it has a recent history of producing hard bounces.', subType: 'Suppressed', type: 'Permanent' } });
  assert.deepEqual(ok(json), {
    events: [
      {
        kind: 'hard-bounce',
        recipients: ['ann@example.org'],
        at: Date.parse(EVENT_AT),
        messageId: null,
        providerMessageId: EMAIL_ID,
        status: null,
        diagnostic: 'Permanent: Suppressed: The recipient’s email address is on the suppression list because it has a recent history of producing hard bounces.',
        provider: 'resend',
        sourceKey: `${JSON.stringify(json)}#0`,
        raw: JSON.stringify(json),
      },
    ],
    ignored: 0,
  });
});

test('a Resend Transient or Undetermined bounce is soft; one without a bounce object is hard', () => {
  const transient = only(email('email.bounced', { bounce: { message: 'The recipient’s mailbox is full.', subType: 'MailboxFull', type: 'Transient' } }));
  assert.deepEqual([transient.kind, transient.diagnostic], ['soft-bounce', 'Transient: MailboxFull: The recipient’s mailbox is full.']);
  assert.equal(only(email('email.bounced', { bounce: { type: 'Undetermined', subType: 'Undetermined', message: '' } })).kind, 'soft-bounce');
  const bare = only(email('email.bounced'));
  assert.deepEqual([bare.kind, bare.diagnostic], ['hard-bounce', null]);
});

test('Resend complaints, deliveries and delivery delays are a complaint, a delivery and a deferral', () => {
  assert.equal(only(email('email.complained')).kind, 'complaint');
  assert.equal(only(email('email.delivered')).kind, 'delivered');
  const delayed = only(email('email.delivery_delayed'));
  assert.deepEqual([delayed.kind, delayed.at, delayed.providerMessageId], ['deferred', Date.parse(EVENT_AT), EMAIL_ID]);
});

test('a Resend event for several recipients is one event each, with distinct source keys', () => {
  const result = ok(email('email.delivered', { to: ['ann@example.org', 'bob@example.org', ''] }));
  assert.deepEqual(
    result.events.map((e) => [e.kind, e.recipients]),
    [
      ['delivered', ['ann@example.org']],
      ['delivered', ['bob@example.org']],
    ],
  );
  assert.equal(new Set(result.events.map((e) => e.sourceKey)).size, 2);
});

test('a Resend event’s Message-ID header is our Message-ID, by case-insensitive name', () => {
  const e = only(email('email.delivered', { headers: [{ name: 'X-Entity-Ref-ID', value: 'abc' }, { name: 'message-id', value: 'i1.ann.1@news.example.org' }] }));
  assert.equal(e.messageId, '<i1.ann.1@news.example.org>');
  assert.equal(only(email('email.delivered', { headers: [{ name: 'Message-ID', value: '<i1.ann.1@news.example.org>' }] })).messageId, '<i1.ann.1@news.example.org>');
});

test('a Resend contact.updated that marks the contact unsubscribed is an unsubscription of that contact', () => {
  const contact = (unsubscribed: unknown) => ({
    type: 'contact.updated',
    created_at: EVENT_AT,
    data: {
      id: 'e169aa45-1ecf-4183-9955-b1499d5701d3',
      audience_id: '78261eea-8f8b-4381-83c6-79fa7120f1cf',
      created_at: '2026-01-10T15:30:00.000Z',
      updated_at: EVENT_AT,
      email: 'ann@example.org',
      first_name: 'Ann',
      last_name: 'Example',
      unsubscribed,
    },
  });
  const e = only(contact(true));
  assert.deepEqual([e.kind, e.recipients, e.at, e.providerMessageId], ['unsubscribed', ['ann@example.org'], Date.parse(EVENT_AT), null], 'at the event’s time, not the contact’s creation');
  assert.deepEqual(ok(contact(false)), { events: [], ignored: 1 });
  assert.deepEqual(ok(contact('true')), { events: [], ignored: 1 });
});

test('Resend sent, opened, clicked, contact and domain events are ignored', () => {
  for (const type of ['email.sent', 'email.opened', 'email.clicked', 'email.scheduled', 'email.failed', 'contact.created', 'contact.deleted', 'domain.updated']) {
    assert.deepEqual(ok(email(type)), { events: [], ignored: 1 }, type);
  }
});

test('a Resend body without type and data, or a counted event without recipients, is an error; a missing time is now', () => {
  assert.deepEqual(resendEvents([], NOW), { error: 'a Resend body without type and data' });
  assert.deepEqual(resendEvents({ type: 'email.bounced' }, NOW), { error: 'a Resend body without type and data' });
  assert.deepEqual(resendEvents({ data: {} }, NOW), { error: 'a Resend body without type and data' });
  assert.deepEqual(resendEvents(email('email.bounced', { to: [] }), NOW), { error: 'a Resend email.bounced without its recipient' });
  assert.deepEqual(resendEvents(email('email.complained', { to: 'ann@example.org' }), NOW), { error: 'a Resend email.complained without its recipient' });
  const untimed = only({ type: 'email.delivered', data: { email_id: EMAIL_ID, to: ['ann@example.org'] } });
  assert.equal(untimed.at, NOW);
  const emailTime = only({ type: 'email.delivered', data: { email_id: EMAIL_ID, created_at: SENT_AT, to: ['ann@example.org'] } });
  assert.equal(emailTime.at, Date.parse(SENT_AT), 'without the event’s time, the email’s');
});

test('RESEND_WEBHOOK_SECRET without whsec_, with bad base64 or too short a key is refused, naming the variable', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
  assert.equal(resendProvider(`whsec_${key}`).name, 'resend');
  for (const secret of ['', key, `whsec_`, `whsec_${key}!!`, 'whsec_not*base64*at*all', `whsec_${Buffer.from('short').toString('base64')}`, `sk_${key}`]) {
    assert.throws(() => resendProvider(secret), /^Error: RESEND_WEBHOOK_SECRET must be the signing secret/, JSON.stringify(secret));
  }
});
