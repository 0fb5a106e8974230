/** The bulk sender's rate limiter: caps over any window, bounded bursts, and AIMD backing off and recovering. Most tests
 * use a one-second burst, which makes the arithmetic easy to follow; the last ones check the default tenth of a second. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/send/pace/rate-limiter.ts';

/** A small deterministic PRNG (mulberry32), so a failing simulation can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The most sends in any window of `windowMs` (inclusive at both ends), given each send's time in order. */
function busiest(times: number[], windowMs: number): number {
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start++) {
    while (end < times.length && times[end]! <= times[start]! + windowMs) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

/** A greedy sender on a fake clock: asks for a random number of messages, then waits a random time or until nextAt. */
function simulate(limiter: RateLimiter, opts: { steps: number; seed: number; maxStepMs: number; aimd?: boolean }) {
  const rnd = random(opts.seed);
  const times: number[] = [];
  let now = 0;
  for (let i = 0; i < opts.steps; i++) {
    const wanted = Math.floor(rnd() * 40);
    const got = limiter.take(now, wanted);
    assert.ok(got >= 0 && got <= wanted, `granted ${got} of ${wanted} messages`);
    for (let k = 0; k < got; k++) times.push(now);
    if (opts.aimd) {
      const r = rnd();
      if (r < 0.01) limiter.slowDown(now, 1 + rnd() * 50);
      else for (let k = 0; k < got; k++) limiter.speedUp(now);
    }
    const next = limiter.nextAt(now);
    now = rnd() < 0.5 && Number.isFinite(next) && next > now ? next : now + Math.floor(rnd() * opts.maxStepMs);
  }
  return { times, end: now };
}

test('rate limiter: uncapped lets everything go at once, always', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: null, now: 0 });
  assert.equal(limiter.rate, null);
  assert.equal(limiter.take(0, 5000), 5000);
  assert.equal(limiter.take(0, 5000), 5000);
  assert.equal(limiter.take(0, 0), 0);
  assert.equal(limiter.nextAt(0), 0);
  assert.equal(limiter.nextAt(123), 123);
});

test('rate limiter: a burst is one second of the per-second cap, then one message every 1/rate', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 10, perHour: null, now: 1000 });
  assert.equal(limiter.rate, 10);
  assert.equal(limiter.take(1000, 100), 10);
  assert.equal(limiter.take(1000, 1), 0);
  assert.equal(limiter.nextAt(1000), 1100);
  assert.equal(limiter.take(1099, 5), 0);
  assert.equal(limiter.take(1100, 5), 1);
  assert.equal(limiter.take(1350, 5), 2, '250 ms more is 2.5 tokens: two whole ones');
  assert.equal(limiter.nextAt(1350), 1400);
  // Idle for a minute: the bucket holds one second's worth, no more.
  assert.equal(limiter.take(61_350, 1000), 10);
});

test('rate limiter: a cap of 1/s sends one message at a time, a second apart', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 1, perHour: null, now: 0 });
  assert.equal(limiter.take(0, 10), 1);
  assert.equal(limiter.nextAt(0), 1000);
  assert.equal(limiter.take(999, 1), 0);
  assert.equal(limiter.take(1000, 1), 1);
});

test('rate limiter: the hourly cap allows a minute\'s share at once, then refills at cap/3600 a second', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: 600, now: 0 });
  assert.equal(limiter.rate, null, 'the hourly cap is a budget, not the per-second rate');
  assert.equal(limiter.take(0, 1000), 10);
  assert.equal(limiter.nextAt(0), 6000);
  assert.equal(limiter.take(5999, 1), 0);
  assert.equal(limiter.take(6000, 3), 1);
  // A small hourly cap still sends: its bucket holds one message, not half of one.
  const small = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: 30, now: 0 });
  assert.equal(small.take(0, 5), 1);
  assert.equal(small.nextAt(0), 120_000);
  assert.equal(small.take(3_600_000, 100), 1, 'an idle hour does not save up an hour\'s quota');
});

test('rate limiter: no rolling hour holds more than the hourly cap, counting what went before the limiter started', () => {
  // A greedy sender: the bucket alone would let a minute's share more through in the first hour.
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: 600, now: 0 });
  const times: number[] = [];
  for (let now = 0; now <= 3 * 3_600_000; now = limiter.nextAt(now)) for (let k = limiter.take(now, 1000); k > 0; k--) times.push(now);
  assert.equal(busiest(times, 3_600_000), 600);
  assert.ok(times.length >= 3 * 600 - 10, `${times.length} in three hours`);

  // 590 sent in the last hour by an earlier run (half of them 10 minutes ago): 10 may go now, the rest as they age out.
  const before = [...Array.from({ length: 295 }, () => -3_000_000), ...Array.from({ length: 295 }, () => -600_000)];
  const resumed = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: 600, now: 0, sentBefore: before });
  assert.equal(resumed.take(0, 1000), 10);
  assert.equal(resumed.take(1000, 1000), 0);
  assert.equal(resumed.nextAt(1000), 600_001, 'when the oldest ones leave the hour');
  assert.ok(resumed.take(600_001, 1000) > 0);
  // Older than an hour counts for nothing.
  const stale = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: 600, now: 0, sentBefore: Array.from({ length: 600 }, () => -3_600_001) });
  assert.equal(stale.take(0, 1000), 10);
});

test('rate limiter: a message needs a token from both buckets', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 5, perHour: 3600, now: 0 });
  assert.equal(limiter.take(0, 100), 5, 'the per-second burst binds first');
  let sent = 5;
  let now = 0;
  for (; sent < 60; now += 100) sent += limiter.take(now, 100);
  // 60 (a minute's share) + 1/s refill: the hourly bucket binds after about 11 s at 5/s.
  assert.ok(now >= 10_000 && now <= 15_000, `the hourly bucket ran dry at ${now} ms`);
  const at = limiter.nextAt(now);
  assert.ok(at > now && at <= now + 1000, 'then 1/s');
});

test('rate limiter: never more than the caps over any window (fake clock, thousands of steps)', () => {
  const cases = [
    { perSecond: 7, perHour: null, maxStepMs: 400, steps: 5000 },
    { perSecond: null, perHour: 1800, maxStepMs: 20_000, steps: 5000 },
    { perSecond: 3, perHour: 7200, maxStepMs: 3000, steps: 5000 },
    { perSecond: 50, perHour: 100_000, maxStepMs: 1000, steps: 15_000 },
  ];
  for (const [i, c] of cases.entries()) {
    const limiter = new RateLimiter({ burstSeconds: 1, perSecond: c.perSecond, perHour: c.perHour, now: 0 });
    const { times, end } = simulate(limiter, { steps: c.steps, seed: 1 + i, maxStepMs: c.maxStepMs });
    assert.ok(times.length > 100, `case ${i} sent ${times.length}`);
    for (const windowMs of [1000, 60_000, 3_600_000]) {
      const most = busiest(times, windowMs);
      const seconds = windowMs / 1000;
      if (c.perSecond !== null) {
        const bound = Math.floor(Math.max(1, c.perSecond) + c.perSecond * seconds);
        assert.ok(most <= bound, `case ${i}: ${most} in ${seconds} s > ${bound} (per-second cap)`);
      }
      if (c.perHour !== null) {
        const bound = Math.min(c.perHour, Math.floor(Math.max(1, c.perHour / 60) + (c.perHour / 3600) * seconds));
        assert.ok(most <= bound, `case ${i}: ${most} in ${seconds} s > ${bound} (hourly cap)`);
      }
    }
    assert.ok(end > 3_600_000 || c.perHour === null, `case ${i} covers more than an hour (${end} ms)`);
  }
});

test('rate limiter: a sender that always waits for nextAt gets the caps exactly, not less', () => {
  const cases = [
    { perSecond: 7, perHour: null, burst: 7, rate: 7 },
    { perSecond: null, perHour: 1800, burst: 30, rate: 0.5 },
    // 3/s against a refill of 2/s: the hourly bucket's 120 go early on, on top of two hours at 2/s.
    { perSecond: 3, perHour: 7200, burst: 120, rate: 2 },
  ];
  for (const c of cases) {
    const limiter = new RateLimiter({ burstSeconds: 1, perSecond: c.perSecond, perHour: c.perHour, now: 0 });
    let sent = 0;
    let now = 0;
    while (now <= 7_200_000) {
      sent += limiter.take(now, 1000);
      now = limiter.nextAt(now);
    }
    // The bucket's rate and burst, but never more than the hourly cap in either hour.
    const expected = Math.min(c.rate * 7200 + c.burst, c.perHour === null ? Infinity : 2 * c.perHour);
    assert.ok(Math.abs(sent - expected) <= 2, `${JSON.stringify(c)}: ${sent}, expected about ${expected}`);
  }
});

test('rate limiter: the caps hold through slowDown and speedUp too', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 20, perHour: 36_000, now: 0 });
  const { times } = simulate(limiter, { steps: 5000, seed: 99, maxStepMs: 300, aimd: true });
  assert.ok(busiest(times, 1000) <= 40);
  assert.ok(busiest(times, 60_000) <= 600 + 600);
  const rate = limiter.rate;
  assert.ok(rate !== null && rate >= 1 && rate <= 20, `rate ${rate}`);
});

test('rate limiter: nextAt is exact: nothing a millisecond before it, something at it', () => {
  const cases = [
    { perSecond: 7, perHour: null },
    { perSecond: 3, perHour: 1000 },
    { perSecond: null, perHour: 77 },
    { perSecond: 13, perHour: 50_000 },
  ];
  for (const [i, c] of cases.entries()) {
    const limiter = new RateLimiter({ burstSeconds: 1, ...c, now: 0 });
    const rnd = random(100 + i);
    let now = 0;
    let checked = 0;
    for (let step = 0; step < 2000; step++) {
      limiter.take(now, Math.floor(rnd() * 10));
      const at = limiter.nextAt(now);
      assert.ok(Number.isInteger(at) && at >= now, `case ${i}: nextAt ${at} at ${now}`);
      if (at > now) {
        assert.equal(limiter.take(at - 1, 1), 0, `case ${i} step ${step}: a message at ${at - 1}, before nextAt ${at}`);
        checked++;
      }
      assert.equal(limiter.take(at, 1), 1, `case ${i} step ${step}: none at nextAt ${at}`);
      now = at + Math.floor(rnd() * 500);
    }
    assert.ok(checked > 100, `case ${i}: only ${checked} waits checked`);
  }
});

test('rate limiter: slowDown halves the rate in force, or the observed rate when that is slower, down to 1/s', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 40, perHour: null, now: 0 });
  limiter.slowDown(0, 100);
  assert.equal(limiter.rate, 20);
  limiter.slowDown(5000, 100);
  assert.equal(limiter.rate, 10);
  limiter.slowDown(10_000, 6);
  assert.equal(limiter.rate, 3, 'half of the 6/s actually reached, not of the 10/s allowed');
  limiter.slowDown(15_000, 0);
  assert.equal(limiter.rate, 1.5, 'an observed rate of 0 means unknown: the rate in force is halved');
  limiter.slowDown(20_000, 2);
  assert.equal(limiter.rate, 1);
  limiter.slowDown(25_000, 1);
  assert.equal(limiter.rate, 1, 'never below 1/s');
});

test('rate limiter: complaints within a second of a halving count once', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 40, perHour: null, now: 0 });
  for (let i = 0; i < 5; i++) limiter.slowDown(100 + i * 100, 100);
  assert.equal(limiter.rate, 20, 'five connections refused together halve once');
  limiter.slowDown(1100, 100);
  assert.equal(limiter.rate, 10);
});

test('rate limiter: after slowDown the burst is gone and the new rate holds', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 10, perHour: null, now: 0 });
  assert.equal(limiter.take(0, 3), 3);
  limiter.slowDown(0, 10);
  assert.equal(limiter.take(0, 10), 0);
  assert.equal(limiter.nextAt(0), 200);
  let sent = 0;
  for (let now = 0; now <= 10_000; now += 10) sent += limiter.take(now, 100);
  assert.equal(sent, 50, '5/s for 10 s');
  assert.equal(limiter.take(100_000, 100), 5, 'the burst is a second at the new rate');
});

test('rate limiter: speedUp adds 5% of the cap per 100 successes, back to the cap and no further', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 10, perHour: null, now: 0 });
  limiter.speedUp(0);
  assert.equal(limiter.rate, 10, 'at the cap already');
  limiter.slowDown(0, 100);
  assert.equal(limiter.rate, 5);
  for (let i = 0; i < 100; i++) limiter.speedUp(i);
  assert.ok(Math.abs(limiter.rate! - 5.5) < 1e-9, `rate ${limiter.rate}`);
  for (let i = 0; i < 898; i++) limiter.speedUp(100 + i);
  assert.ok(limiter.rate! < 10, 'about 1,000 successes from half to full');
  for (let i = 0; i < 10; i++) limiter.speedUp(1000 + i);
  assert.equal(limiter.rate, 10);
  assert.equal(limiter.take(100_000, 100), 10, 'the full burst is back');
});

test('rate limiter: an uncapped run slows to half the observed rate and is uncapped again at twice it', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: null, now: 0 });
  limiter.slowDown(0, 400);
  assert.equal(limiter.rate, 200);
  assert.equal(limiter.take(0, 1000), 0, 'the burst allowance starts empty');
  assert.equal(limiter.take(1000, 1000), 200);
  // 5% of 400/s per 100 successes: from 200/s to 800/s takes 3,000 of them.
  let successes = 0;
  while (limiter.rate !== null && successes < 10_000) {
    limiter.speedUp(2000);
    successes++;
  }
  assert.ok(successes >= 2999 && successes <= 3001, `uncapped again after ${successes} successes`);
  assert.equal(limiter.take(2000, 100_000), 100_000);
  assert.equal(limiter.nextAt(2000), 2000);
});

test('rate limiter: an uncapped run with no measured rate falls to 1/s', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: null, now: 0 });
  limiter.slowDown(0, Number.NaN);
  assert.equal(limiter.rate, 1);
  assert.equal(limiter.nextAt(0), 1000);
});

test('rate limiter: the hourly bucket is not touched by slowDown or speedUp', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: 600, now: 0 });
  limiter.slowDown(0, 100);
  assert.equal(limiter.rate, 50);
  assert.equal(limiter.take(1000, 1000), 10, 'still a minute\'s share of the hourly cap');
  assert.equal(limiter.nextAt(1000), 7000);
});

test('rate limiter: a zero cap never lets anything go; a negative or NaN cap is refused', () => {
  const paused = new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: 0, now: 0 });
  assert.equal(paused.take(0, 10), 0);
  assert.equal(paused.nextAt(0), Infinity);
  assert.equal(paused.take(10 * 3_600_000, 10), 0);
  assert.throws(() => new RateLimiter({ burstSeconds: 1, perSecond: -1, perHour: null, now: 0 }), RangeError);
  assert.throws(() => new RateLimiter({ burstSeconds: 1, perSecond: null, perHour: Number.NaN, now: 0 }), RangeError);
});

test('rate limiter: a clock that steps back refills nothing and counts nothing twice', () => {
  const limiter = new RateLimiter({ burstSeconds: 1, perSecond: 10, perHour: null, now: 10_000 });
  assert.equal(limiter.take(10_000, 10), 10);
  assert.equal(limiter.take(5000, 10), 0);
  assert.equal(limiter.take(10_100, 10), 1);
});

test('rate limiter: by default the burst is a tenth of a second, so the first second of a send stays near the cap', () => {
  const limiter = new RateLimiter({ perSecond: 500, perHour: null, now: 0 });
  assert.equal(limiter.take(0, 1000), 50, 'a tenth of a second of 500/s');
  let sent = 50;
  for (let now = 1; now <= 1000; now++) sent += limiter.take(now, 1000);
  assert.ok(sent <= 550 && sent >= 540, `${sent} in the first second at --rate 500`);
  // A low cap still sends: the burst is at least one message.
  const slow = new RateLimiter({ perSecond: 3, perHour: null, now: 0 });
  assert.equal(slow.take(0, 10), 1);
  assert.equal(slow.nextAt(0), 334);
});

test('rate limiter: with the default burst, no window of a second holds more than 1.1× the cap, through slow-downs too', () => {
  const limiter = new RateLimiter({ perSecond: 40, perHour: null, now: 0 });
  const { times } = simulate(limiter, { steps: 5000, seed: 7, maxStepMs: 200, aimd: true });
  assert.ok(times.length > 1000, `sent ${times.length}`);
  assert.ok(busiest(times, 1000) <= 44, `${busiest(times, 1000)} in one second at 40/s`);
});
