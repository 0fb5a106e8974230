/** Retry delays for temporary failures: doubling to a 30-minute cap, ±10% jitter by subscriber, and giving up. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAttempt, retryDelayMs } from '../../src/send/pace/backoff.ts';

const MINUTE = 60_000;
const BASES = [30_000, MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE, 30 * MINUTE, 30 * MINUTE];

test('backoff: 30 s, 1, 2, 4, 8, 16 min, then 30 min, each within ±10% for every seed', () => {
  for (let seed = 0; seed < 500; seed++) {
    for (const [i, base] of BASES.entries()) {
      const delay = retryDelayMs(i + 1, seed);
      assert.ok(Number.isInteger(delay), `${delay} is whole ms`);
      assert.ok(delay >= base * 0.9 && delay <= base * 1.1, `attempt ${i + 1}, seed ${seed}: ${delay} not within 10% of ${base}`);
    }
  }
  for (const attempt of [20, 1000, 1e6]) {
    const delay = retryDelayMs(attempt, 7);
    assert.ok(delay >= 27 * MINUTE && delay <= 33 * MINUTE, `attempt ${attempt}: ${delay}`);
  }
});

test('backoff: the jitter is repeatable for a seed and spreads rows that failed together', () => {
  assert.equal(retryDelayMs(3, 12_345), retryDelayMs(3, 12_345));
  const delays = Array.from({ length: 1000 }, (_, id) => retryDelayMs(1, id + 1));
  assert.ok(new Set(delays).size > 900, 'neighbouring ids get different delays');
  assert.ok(Math.min(...delays) < 27_600 && Math.max(...delays) > 32_400, 'the whole ±10% is used');
  const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
  assert.ok(Math.abs(mean - 30_000) < 300, `centred on the base: mean ${mean}`);
  // Twenty 300 ms bins across 27–33 s: a uniform spread puts about 50 in each.
  const bins = new Array<number>(20).fill(0);
  for (const d of delays) bins[Math.min(19, Math.floor((d - 27_000) / 300))]! += 1;
  assert.ok(Math.min(...bins) > 20, `evenly spread: ${bins.join(' ')}`);
  // A row's jitter differs from one attempt to the next, so two rows do not stay in lockstep.
  const ratios = new Set(Array.from({ length: 6 }, (_, i) => retryDelayMs(i + 1, 99) / BASES[i]!));
  assert.ok(ratios.size > 1);
  // Ids beyond 32 bits are not folded onto smaller ones.
  assert.notEqual(retryDelayMs(1, 5), retryDelayMs(1, 5 + 2 ** 32));
});

test('backoff: exact delays are pinned, so a change to the jitter (which moves every queued retry) is noticed', () => {
  assert.deepEqual(
    BASES.map((_, i) => retryDelayMs(i + 1, 42)),
    [27_154, 64_307, 119_271, 225_904, 482_180, 1_003_816, 1_881_965, 1_879_783],
  );
  assert.deepEqual([1, 2, 3].map((attempt) => retryDelayMs(attempt, 1)), [27_476, 62_025, 124_442]);
});

test('backoff: an attempt that is not a whole number from 1 is refused', () => {
  for (const attempt of [0, -1, 1.5, Number.NaN, Infinity]) assert.throws(() => retryDelayMs(attempt, 1), RangeError, String(attempt));
});

test('backoff: nextAttempt counts the delay from now and gives up past firstAttemptAt + retryForMs', () => {
  const delay = retryDelayMs(3, 42);
  const base = { attempt: 3, firstAttemptAt: 1_000_000, now: 1_200_000, seed: 42 };
  const exact = 1_200_000 + delay - 1_000_000;
  assert.deepEqual(nextAttempt({ ...base, retryForMs: exact + 1 }), { at: 1_200_000 + delay });
  assert.deepEqual(nextAttempt({ ...base, retryForMs: exact }), { at: 1_200_000 + delay }, 'exactly at the deadline still goes');
  assert.deepEqual(nextAttempt({ ...base, retryForMs: exact - 1 }), { giveUp: true });
});

test('backoff: a row that always meets 4xx is tried about 17 times over the default 6 hours, then given up', () => {
  const retryForMs = 360 * MINUTE;
  const firstAttemptAt = 5_000;
  let now = firstAttemptAt;
  let attempt = 1;
  const ats: number[] = [];
  for (;;) {
    const next = nextAttempt({ attempt, firstAttemptAt, now: now + 800, retryForMs, seed: 314 });
    if ('giveUp' in next) break;
    assert.ok(next.at > now && next.at <= firstAttemptAt + retryForMs);
    ats.push(next.at);
    now = next.at;
    attempt++;
  }
  // 31.5 min for the first six waits, then roughly every 30 min: 6 + 10 or 11 retries.
  assert.ok(ats.length >= 15 && ats.length <= 18, `${ats.length} retries`);
  // On the test's own clock: even the longest jittered wait (33 min) from the last attempt's failure passes the deadline.
  const deadline = firstAttemptAt + retryForMs;
  assert.ok(now + 800 + 33 * MINUTE > deadline, 'gave up only when the next wait would pass the deadline');
});
