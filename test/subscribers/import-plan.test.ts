/** planImport and this newsletter's own export (issue 12, finding 16). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/subscribers/csv-read.ts';
import { planImport, type ImportPlan } from '../../src/subscribers/import-plan.ts';

const plan = (text: string): ImportPlan => {
  const result = planImport(parseCsv(text));
  assert.ok(!('problem' in result));
  return result;
};

test('own export: bookkeeping columns are not attributes, statuses are kept, a bad status is a rejected row', () => {
  const header = 'email,name,status,source,created_at,confirmed_at,unsubscribed_at,City\n';
  const p = plan(
    header +
      "a@x.org,'=Ann,unsubscribed,cli,2026-01-01T00:00:00.000Z,,2026-02-01T00:00:00.000Z,'-Leeds\n" +
      'b@x.org,Bo,active,form,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z,,\n' +
      'c@x.org,Cy,gone,cli,2026-01-01T00:00:00.000Z,,,\n',
  );
  assert.deepEqual(p.accepted, [
    { email: 'a@x.org', emailNormalized: 'a@x.org', name: '=Ann', attributes: { City: '-Leeds' }, status: 'unsubscribed' },
    { email: 'b@x.org', emailNormalized: 'b@x.org', name: 'Bo', attributes: {} },
  ]);
  assert.deepEqual(p.rejected.map((r) => [r.line, r.reason]), [[4, 'the status "gone" is not one of pending, active, unsubscribed, bounced, complained']]);
});

test('another service\'s file: a "status" column is an attribute as before, cells keep their quotes, all rows new are active', () => {
  const p = plan("email,name,status\na@x.org,'Ann,cleaned\n");
  assert.deepEqual(p.accepted, [{ email: 'a@x.org', emailNormalized: 'a@x.org', name: "'Ann", attributes: { status: 'cleaned' } }]);
});

test('own export with the audience columns (issue 16): tags and consent are bookkeeping, not attributes; the columns after them are', () => {
  const p = plan(
    'email,name,status,source,created_at,confirmed_at,unsubscribed_at,tags,consent_source,opted_in_at,consent_ip,consent_evidence,City\n' +
      'a@x.org,Ann,active,form,2026-01-01T00:00:00.000Z,,,"paid,vip",https://x.org/,2026-01-01T00:00:00.000Z,203.0.113.0/24,,Leeds\n',
  );
  assert.deepEqual(p.accepted, [{ email: 'a@x.org', emailNormalized: 'a@x.org', name: 'Ann', attributes: { City: 'Leeds' } }]);
});
