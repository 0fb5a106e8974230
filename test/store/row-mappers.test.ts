/** The row mappers both engines share (issue 15): whatever form a driver gives a column in, the rest of the code sees one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimedFromRow, confirmationFromRow } from '../../src/store/confirmation-row.ts';
import { subscriberFromRow } from '../../src/subscribers/subscriber-row.ts';

const subscriber = {
  id: 7,
  email: 'Ada@Example.com',
  email_normalized: 'ada@example.com',
  name: 'Ada',
  status: 'active' as const,
  source: 'cli',
  attributes: '{"city":"Paris"}',
  created_at: '2026-11-01T10:00:00.000Z',
  confirmed_at: '2026-11-01T10:05:00.000Z',
  unsubscribed_at: null,
  token_key: 'k',
  legacy_tokens: 1,
};

test('subscriber rows: a Date, a bigint or a numeric string map as the ISO text and numbers the stores return', () => {
  const expected = subscriberFromRow(subscriber);
  assert.deepEqual(expected.attributes, { city: 'Paris' });
  assert.equal(expected.legacyTokens, true);
  const fromDriver = subscriberFromRow({
    ...subscriber,
    id: '7',
    created_at: new Date('2026-11-01T10:00:00Z'),
    confirmed_at: new Date('2026-11-01T10:05:00Z'),
    legacy_tokens: 1n,
  });
  assert.deepEqual(fromDriver, expected);
  assert.equal(subscriberFromRow({ ...subscriber, legacy_tokens: 0 }).legacyTokens, false);
});

test('confirmation rows: bigint times as strings (node-postgres unparsed) or bigints come out as numbers', () => {
  const row = { id: 3, subscriber_id: 7, state: 'queued' as const, attempts: 1, requested_at: 1_764_064_800_000, next_attempt_at: 1_764_064_830_000, last_error: '451', reply: null };
  const expected = { id: 3, subscriberId: 7, state: 'queued', attempts: 1, requestedAt: 1_764_064_800_000, nextAttemptAt: 1_764_064_830_000, lastError: '451', reply: null };
  assert.deepEqual(confirmationFromRow(row), expected);
  assert.deepEqual(confirmationFromRow({ ...row, id: '3', requested_at: '1764064800000', next_attempt_at: 1_764_064_830_000n }), expected);
  const claimed = { id: '3', subscriber_id: 7n, token_key: 'k', email: 'Ada@Example.com', email_normalized: 'ada@example.com', status: 'pending' as const, attempts: '0', requested_at: '1764064800000' };
  assert.deepEqual(claimedFromRow(claimed), { id: 3, subscriberId: 7, tokenKey: 'k', email: 'Ada@Example.com', emailNormalized: 'ada@example.com', status: 'pending', attempts: 0, requestedAt: 1_764_064_800_000 });
});
