/** The export's bytes (issue 12, finding 16; issue 13: written by csv-stringify, the same as before). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportCsv } from '../../src/subscribers/export-csv.ts';
import type { Subscriber } from '../../src/subscribers/subscriber.ts';

const subscriber = (fields: Partial<Subscriber>): Subscriber =>
  ({
    email: 'a@x.org',
    name: 'Ann',
    status: 'active',
    source: 'cli',
    createdAt: '2026-01-01T00:00:00.000Z',
    confirmedAt: null,
    unsubscribedAt: null,
    attributes: {},
    ...fields,
  }) as Subscriber;

test('the email is written as it is, every other cell a spreadsheet would run is prefixed, a leading quote doubled', () => {
  const text = exportCsv([
    subscriber({ email: '=a@x.org', name: '=Ann', source: '+cli', attributes: { '@City': '-Leeds', note: "'quoted", plan: 'Smith, "A"' } }),
    subscriber({ email: '+b@x.org', name: '＝Bo', attributes: { note: 'two\nlines' } }),
  ]);
  assert.equal(
    text,
    "email,name,status,source,created_at,confirmed_at,unsubscribed_at,tags,consent_source,opted_in_at,consent_ip,consent_evidence,'@City,note,plan\r\n" +
      "=a@x.org,'=Ann,active,'+cli,2026-01-01T00:00:00.000Z,,,,,,,,'-Leeds,''quoted,\"Smith, \"\"A\"\"\"\r\n" +
      '+b@x.org,＝Bo,active,cli,2026-01-01T00:00:00.000Z,,,,,,,,,"two\nlines",\r\n',
  );
});

test('no subscribers: the header line alone', () => {
  assert.equal(exportCsv([]), 'email,name,status,source,created_at,confirmed_at,unsubscribed_at,tags,consent_source,opted_in_at,consent_ip,consent_evidence\r\n');
});

test('tags and consent on record: their own columns after the fixed ones, tags comma-separated; a page or evidence that looks like a formula is neutralised', () => {
  const text = exportCsv(
    [
      subscriber({
        id: 3,
        consentSource: 'https://news.example.org/archive/',
        optedInAt: '2026-01-01T00:00:00.000Z',
        consentIp: '203.0.113.0/24',
        consentEvidence: '{"OPTIN_IP":"198.51.100.7"}',
      }),
      subscriber({ id: 4, email: 'b@x.org', consentSource: '=HYPERLINK("x")' }),
    ],
    new Map([[3, ['paid', 'vip']]]),
  );
  assert.equal(
    text,
    'email,name,status,source,created_at,confirmed_at,unsubscribed_at,tags,consent_source,opted_in_at,consent_ip,consent_evidence\r\n' +
      'a@x.org,Ann,active,cli,2026-01-01T00:00:00.000Z,,,"paid,vip",https://news.example.org/archive/,2026-01-01T00:00:00.000Z,203.0.113.0/24,"{""OPTIN_IP"":""198.51.100.7""}"\r\n' +
      'b@x.org,Ann,active,cli,2026-01-01T00:00:00.000Z,,,,"\'=HYPERLINK(""x"")",,,\r\n',
  );
});
