/** Other services' member exports, recognised by their header rows and read right (issue 16). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../src/subscribers/csv-read.ts';
import { planImport, type ImportPlan } from '../../src/subscribers/import-plan.ts';
import { normaliseTag, readTags } from '../../src/subscribers/import-formats/tags.ts';
import type { ImportRow } from '../../src/subscribers/subscriber.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'imports');

const planFile = (name: string): ImportPlan => {
  const result = planImport(parseCsv(readFileSync(join(FIXTURES, name), 'utf8')), name);
  assert.ok(!('problem' in result), JSON.stringify(result));
  return result;
};
const byEmail = (p: ImportPlan) => new Map<string, ImportRow>(p.accepted.map((r) => [r.emailNormalized, r]));

test('Mailchimp subscribed: active, TAGS as tags normalised, OPTIN/CONFIRM as evidence, bookkeeping columns dropped', () => {
  const p = planFile('subscribed_members_export_1a2b3c.csv');
  assert.equal(p.format, 'Mailchimp (subscribed members)');
  const ana = byEmail(p).get('ana@example.org')!;
  assert.equal(ana.status, undefined, 'active');
  assert.equal(ana.left, undefined);
  assert.equal(ana.name, 'Ana Lima');
  assert.deepEqual(ana.tags, ['paid-member', 'vip-2024']);
  assert.equal(ana.consent?.optedInAt, '2024-01-05 10:00:00');
  assert.equal(ana.consent?.ip, '203.0.113.5');
  assert.equal(ana.consent?.evidence?.CONFIRM_TIME, '2024-01-05 10:02:11');
  assert.equal(ana.consent?.evidence?.OPTIN_IP, '203.0.113.5');
  assert.deepEqual(ana.attributes, {}, 'MEMBER_RATING, LEID, EUID… are not attributes');
  const ben = byEmail(p).get('ben@example.org')!;
  assert.deepEqual(ben.attributes, { NOTES: 'met at a fair' });
  assert.equal(ben.consent?.ip, '198.51.100.7', 'the confirming IP when there is one');
});

test('Mailchimp unsubscribed: every row unsubscribed and marked as having left; a spam report is a complaint', () => {
  const p = planFile('unsubscribed_members_export_1a2b3c.csv');
  assert.equal(p.format, 'Mailchimp (unsubscribed members)');
  const rows = byEmail(p);
  assert.equal(rows.get('cal@example.org')!.status, 'unsubscribed');
  assert.equal(rows.get('cal@example.org')!.left, true);
  assert.equal(rows.get('cal@example.org')!.consent?.evidence?.UNSUB_REASON, 'I no longer want to receive these emails');
  assert.equal(rows.get('cal@example.org')!.consent?.evidence?.UNSUB_TIME, '2024-03-01 12:00:00');
  assert.equal(rows.get('dee@example.org')!.status, 'complained');
  assert.equal(p.accepted.filter((r) => r.status === undefined || r.status === 'active').length, 0);
});

test('Mailchimp cleaned: bounced, by its CLEAN_TIME column or by its file name alone', () => {
  const p = planFile('cleaned_members_export_1a2b3c.csv');
  assert.equal(p.format, 'Mailchimp (cleaned members)');
  assert.deepEqual(p.accepted.map((r) => [r.emailNormalized, r.status, r.left]), [['eve@example.org', 'bounced', true]]);
  // A cleaned file whose CLEAN_ columns were cut off in a spreadsheet is still known by its name.
  const header = '"Email Address",MEMBER_RATING,OPTIN_TIME,LEID\n';
  const cut = planImport(parseCsv(`${header}x@example.org,1,,7\n`), 'cleaned_members_export_99.csv');
  assert.ok(!('problem' in cut));
  assert.equal(cut.accepted[0]!.status, 'bounced');
});

test('Substack: email_disabled=true is not subscribed; deletion requests skipped with a reason; paying readers tagged paid; expiry kept', () => {
  const p = planFile('substack-email-list.csv');
  assert.equal(p.format, 'Substack (email list)');
  const rows = byEmail(p);
  assert.deepEqual(rows.get('fay@example.org')!.tags, ['paid']);
  assert.equal(rows.get('fay@example.org')!.attributes.expiry, '2025-12-31T00:00:00.000Z');
  assert.equal(rows.get('fay@example.org')!.status, undefined);
  assert.equal(rows.get('gus@example.org')!.tags, undefined);
  assert.equal(rows.get('hal@example.org')!.status, 'unsubscribed');
  assert.equal(rows.get('hal@example.org')!.left, true);
  assert.deepEqual(p.skipped, [{ line: 5, reason: 'asked Substack to delete their account' }]);
  assert.equal(p.accepted.length + p.skipped.length, p.rows);
});

test('Ghost: subscribed_to_emails=false is unsubscribed, deleted_at skips, labels are tags', () => {
  const p = planFile('ghost-members.csv');
  assert.equal(p.format, 'Ghost (members)');
  const rows = byEmail(p);
  assert.deepEqual(rows.get('ida@example.org')!.tags, ['early-reader', 'paid']);
  assert.equal(rows.get('ida@example.org')!.name, 'Ida Wells');
  assert.equal(rows.get('jon@example.org')!.status, 'unsubscribed');
  assert.equal(rows.has('kim@example.org'), false);
  assert.deepEqual(p.skipped, [{ line: 4, reason: 'deleted in Ghost (deleted_at is set)' }]);
});

test('Buttondown: subscriber_type and unsubscription_date decide, tags split on ";", paying readers tagged paid', () => {
  const p = planFile('buttondown-subscribers.csv');
  assert.equal(p.format, 'Buttondown (subscribers)');
  const rows = byEmail(p);
  assert.deepEqual(rows.get('lea@example.org')!.tags, ['paid', 'weekly', 'paid-readers']);
  assert.equal(rows.get('lea@example.org')!.consent?.optedInAt, '2023-01-01 00:00:00+00:00');
  assert.equal(rows.get('max@example.org')!.status, 'unsubscribed');
  assert.equal(rows.get('max@example.org')!.consent?.evidence?.unsubscription_date, '2024-02-01 00:00:00+00:00');
  assert.deepEqual(p.skipped.map((s) => s.line), [4]);
});

test('beehiiv: inactive is unsubscribed, invalid bounced, pending skipped', () => {
  const p = planFile('beehiiv-subscribers.csv');
  assert.equal(p.format, 'beehiiv (subscribers)');
  const rows = byEmail(p);
  assert.equal(rows.get('ora@example.org')!.status, undefined);
  assert.equal(rows.get('pat@example.org')!.status, 'unsubscribed');
  assert.equal(rows.get('rae@example.org')!.status, 'bounced');
  assert.deepEqual(p.skipped, [{ line: 4, reason: 'not a confirmed subscriber in beehiiv (pending)' }]);
});

test('a plain CSV imports as before; a generic tags column is read as tags, and tags that cannot fit are reported', () => {
  const plain = planImport(parseCsv('email\na@x.org\n'), 'list.csv');
  assert.ok(!('problem' in plain));
  assert.equal(plain.format, null);
  assert.deepEqual(plain.accepted, [{ email: 'a@x.org', emailNormalized: 'a@x.org', name: '', attributes: {} }]);
  const tagged = planImport(parseCsv(`email,TAGS,City\na@x.org,"News, Local_Events, ${'x'.repeat(41)}, !!!",Leeds\n`), 'list.csv');
  assert.ok(!('problem' in tagged));
  assert.deepEqual(tagged.accepted[0]!.tags, ['news', 'local-events']);
  assert.deepEqual(tagged.accepted[0]!.attributes, { City: 'Leeds' });
  assert.deepEqual(tagged.badTags, [
    { line: 2, tag: 'x'.repeat(41) },
    { line: 2, tag: '!!!' },
  ]);
});

test('a format without a tags column of its own still reads a generic one (beehiiv with a tags column added)', () => {
  const p = planImport(parseCsv('email,status,created_at,unsubscribed_at,tags\nora@example.org,active,2023-01-01,,"Weekly, Local"\n'), 'beehiiv.csv');
  assert.ok(!('problem' in p));
  assert.equal(p.format, 'beehiiv (subscribers)');
  assert.deepEqual(p.accepted[0]!.tags, ['weekly', 'local']);
  assert.deepEqual(p.accepted[0]!.attributes, {});
});

test('the tag rule: lower case, digits, hyphens, at most 40; accents and spaces made to fit', () => {
  assert.equal(normaliseTag('  Café Owners '), 'cafe-owners');
  assert.equal(normaliseTag('VIP_2024'), 'vip-2024');
  assert.equal(normaliseTag('--'), null);
  assert.equal(normaliseTag('a'.repeat(40)), 'a'.repeat(40));
  assert.equal(normaliseTag('a'.repeat(41)), null);
  assert.deepEqual(readTags('"a, b","c"').tags, ['a-b', 'c'], "Mailchimp's quoted tags may hold commas");
});
