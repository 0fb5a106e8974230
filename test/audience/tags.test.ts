/** The tag rule (issue 16): what a tag may be, how input is normalised, and the error a bad one gets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadTagError, normalizeTag, parseTag, parseTags } from '../../src/audience/tags.ts';

test('a tag is trimmed and lower-cased; letters, digits and inner hyphens are kept', () => {
  assert.equal(parseTag('  Paid '), 'paid');
  assert.equal(parseTag('early-BIRD-2026'), 'early-bird-2026');
  assert.equal(parseTag('7'), '7');
  assert.equal(parseTag('a--b'), 'a--b');
  assert.equal(parseTag('x'.repeat(40)), 'x'.repeat(40));
});

test('a tag that breaks the rule is refused, the error naming it and the rule', () => {
  for (const bad of ['', '   ', '-paid', 'paid-', '-', 'paid now', 'paid_now', 'café', 'paid,vip', 'x'.repeat(41), 'tag:paid']) {
    assert.equal(normalizeTag(bad), null, JSON.stringify(bad));
    assert.throws(
      () => parseTag(bad),
      (error: unknown) => error instanceof BadTagError && error.message === `bad tag ${JSON.stringify(bad)}: a tag is lower-case letters, digits and hyphens, 1 to 40 characters, not starting or ending with a hyphen`,
    );
  }
});

test('a list of tags is normalised without repeats, in first-seen order, and refused at its first bad tag', () => {
  assert.deepEqual(parseTags(['VIP', 'paid', 'vip ', 'Paid']), ['vip', 'paid']);
  assert.throws(() => parseTags(['ok', 'no good', 'bad!']), /bad tag "no good"/);
});
