/** The preferences form's CSRF token (issue 16): bound to the page's link token, lapsing after a day. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSRF_MAX_AGE_MS, csrfFor, csrfValid } from '../../src/server/preferences-csrf.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';

const ring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');
const other = keyringFromEnv('another-secret-that-is-long-enough-987654321');
const NOW = new Date('2026-11-25T10:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

test("a page's CSRF token passes on its own page within a day, and nowhere else", () => {
  const csrf = csrfFor(ring, 'tokenA', NOW);
  assert.equal(csrfValid(ring, 'tokenA', csrf, later(60_000)), true);
  assert.equal(csrfValid(ring, 'tokenA', csrf, later(CSRF_MAX_AGE_MS)), true);
  assert.equal(csrfValid(ring, 'tokenA', csrf, later(CSRF_MAX_AGE_MS + 1000)), false, 'stale');
  assert.equal(csrfValid(ring, 'tokenA', csrf, later(-10 * 60_000)), false, 'from the future');
  assert.equal(csrfValid(ring, 'tokenB', csrf, NOW), false, "another reader's page");
  assert.equal(csrfValid(other, 'tokenA', csrf, NOW), false, 'another secret');
  assert.equal(csrfValid(keyringFromEnv(`${'z'.repeat(40)},a-test-secret-that-is-long-enough-0123456789`), 'tokenA', csrf, NOW), true, 'a rotated-out key still verifies');
  const [seconds, mac] = csrf.split('.') as [string, string];
  for (const bad of [undefined, '', 'x', `${Number(seconds) + 1}.${mac}`, `${seconds}.${mac.slice(0, -1)}`, `${seconds}.${mac}x`, ['a', 'b'], 42]) {
    assert.equal(csrfValid(ring, 'tokenA', bad, NOW), false, String(bad));
  }
});
