/** The send's progress line, its throttling on a terminal and in a log, the summary, and the rate meter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatCount,
  formatDuration,
  formatEta,
  formatRate,
  formatSummary,
  plainLine,
  ProgressReporter,
  type ProgressSnapshot,
  RateMeter,
  terminalLine,
} from '../../src/send/run/progress.ts';

const CLEAR = '\r\x1b[2K';

function snapshot(overrides: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  const base = { total: 10_000, sent: 1234, failed: 3, retrying: 12, inDoubt: 1, suppressed: 2, queued: 8700, sending: 48 };
  return { ...base, ratePerSecond: 43.6, startedAt: 1000, ...overrides };
}

function recorder(opts: { isTTY: boolean; columns?: number; intervalMs?: number }) {
  const writes: string[] = [];
  const reporter = new ProgressReporter({ write: (s) => writes.push(s), columns: 100, ...opts });
  return { writes, reporter };
}

test('progress: durations read as people say them', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [499, '0s'],
    [500, '1s'],
    [59_000, '59s'],
    [59_500, '1m 0s'],
    [200_000, '3m 20s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 0m'],
    [3_723_000, '1h 2m'],
    [2 * 86_400_000 + 3 * 3_600_000 + 59_000, '2d 3h'],
    [-5000, '0s'],
    [Number.NaN, '—'],
    [Infinity, '—'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`);
});

test('progress: counts and rates have thousands separators; slow rates go per minute', () => {
  assert.equal(formatCount(1_234_567), '1,234,567');
  assert.equal(formatCount(0), '0');
  assert.equal(formatRate(1234.4), '1,234/s');
  assert.equal(formatRate(12.6), '13/s');
  assert.equal(formatRate(2.54), '2.5/s');
  assert.equal(formatRate(1), '1/s');
  assert.equal(formatRate(500 / 3600), '8.3/min');
  assert.equal(formatRate(0), '0/s');
  assert.equal(formatRate(Number.NaN), '0/s');
});

test('progress: the ETA is the rows not final at the recent rate, and — when nothing moves', () => {
  // 10,000 - (1,234 + 3 + 1 + 2) = 8,760 rows at 43.6/s: 200.9 s, rounded up.
  assert.equal(formatEta(snapshot()), '3m 21s');
  assert.equal(formatEta(snapshot({ total: 1000, sent: 0, failed: 0, inDoubt: 0, suppressed: 0, ratePerSecond: 5 })), '3m 20s');
  assert.equal(formatEta(snapshot({ total: 1, sent: 0, failed: 0, inDoubt: 0, suppressed: 0, ratePerSecond: 0.3 })), '4s');
  assert.equal(formatEta(snapshot({ ratePerSecond: 0 })), '—');
  assert.equal(formatEta(snapshot({ ratePerSecond: Number.NaN })), '—');
  assert.equal(formatEta(snapshot({ ratePerSecond: -3 })), '—');
  const done = snapshot({ total: 10, sent: 7, failed: 1, inDoubt: 1, suppressed: 1, retrying: 0, queued: 0, sending: 0, ratePerSecond: 0 });
  assert.equal(formatEta(done), '0s', 'nothing left: no wait, whatever the rate');
  // Rows waiting for a retry are still to do.
  assert.equal(formatEta(snapshot({ total: 10, sent: 8, failed: 0, inDoubt: 0, suppressed: 0, retrying: 2, ratePerSecond: 1 })), '2s');
});

test('progress: the terminal line, with a bar when there is room', () => {
  assert.equal(
    terminalLine(snapshot(), 120),
    '[###---------------------------] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s',
  );
  assert.equal(terminalLine(snapshot(), 80), '[#-------------] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s');
  const half = snapshot({ total: 200, sent: 90, failed: 5, inDoubt: 3, suppressed: 2, retrying: 4, ratePerSecond: 1234.4 });
  assert.equal(terminalLine(half, 120), '[###############---------------] 50% 90/200 sent, 5 failed, 4 retrying, 1,234/s, ETA 1s');
  const all = snapshot({ total: 200, sent: 200, failed: 0, inDoubt: 0, suppressed: 0, retrying: 0, ratePerSecond: 0 });
  assert.equal(terminalLine(all, 120), '[##############################] 100% 200/200 sent, 0 failed, 0 retrying, 0/s, ETA 0s');
  // Percent is progress through the list: failures and suppressions count as done.
  const failing = snapshot({ total: 100, sent: 50, failed: 49, inDoubt: 0, suppressed: 0, retrying: 1 });
  assert.match(terminalLine(failing, 120), /\] 99% 50\/100 sent, 49 failed/);
});

test('progress: a narrow terminal loses the bar, then the least useful fields, and never wraps', () => {
  const s = snapshot();
  assert.equal(terminalLine(s, 70), '12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s');
  assert.equal(terminalLine(s, 60), '12% 1,234/10,000 sent, 3 failed, 44/s, ETA 3m 21s');
  assert.equal(terminalLine(s, 48), '12% 1,234/10,000 sent, 3 failed, ETA 3m 21s');
  assert.equal(terminalLine(s, 40), '12% 1,234/10,000 sent, ETA 3m 21s');
  assert.equal(terminalLine(s, 30), '12% 1,234/10,000 sent');
  assert.equal(terminalLine(s, 20), '1,234/10,000 sent');
  assert.equal(terminalLine(s, 10), '1,234/10,');
  const big = snapshot({ total: 1_234_567, sent: 1_000_000, failed: 12_345, retrying: 2345, inDoubt: 10, suppressed: 20, ratePerSecond: 1234.4 });
  assert.equal(terminalLine(big, 40), '82% 1,000,000/1,234,567 sent, ETA 3m 0s');
  for (const s2 of [s, big, snapshot({ total: 0, sent: 0, failed: 0, inDoubt: 0, suppressed: 0, retrying: 0 })]) {
    for (let columns = 1; columns <= 200; columns++) {
      const line = terminalLine(s2, columns);
      assert.ok(line.length <= Math.max(1, columns - 1), `${line.length} characters on a terminal ${columns} wide: ${line}`);
    }
  }
});

test('progress: the log line has the elapsed time, no bar, and every field', () => {
  assert.equal(plainLine(snapshot(), 61_000), '[1m 0s] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s');
  assert.equal(plainLine(snapshot({ ratePerSecond: 0 }), 1000), '[0s] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 0/s, ETA —');
});

test('progress: on a terminal one line is redrawn in place, at most every 100 ms', () => {
  const { writes, reporter } = recorder({ isTTY: true, columns: 80 });
  const line = `${CLEAR}[#-------------] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s`;
  reporter.update(snapshot(), 5000);
  assert.deepEqual(writes, [line]);
  for (const now of [5001, 5050, 5099]) reporter.update(snapshot({ sent: 1300 }), now);
  assert.equal(writes.length, 1, 'nothing redrawn within 100 ms');
  reporter.update(snapshot({ sent: 1300 }), 5100);
  assert.equal(writes.length, 2);
  assert.equal(writes[1], `${CLEAR}[#-------------] 13% 1,300/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 20s`);
  reporter.update(snapshot(), 5150);
  reporter.update(snapshot(), 5250);
  assert.equal(writes.length, 3);
  for (const w of writes) {
    assert.ok(w.startsWith(CLEAR) && !w.includes('\n'), 'redrawn, never a new line');
    assert.ok(w.length - CLEAR.length <= 79);
  }
});

test('progress: a narrow terminal (40 columns) is redrawn within its width', () => {
  const { writes, reporter } = recorder({ isTTY: true, columns: 40 });
  for (let now = 0; now < 2000; now += 100) reporter.update(snapshot({ sent: now * 4, total: 1_000_000 }), now);
  assert.equal(writes.length, 20);
  assert.equal(writes[19], `${CLEAR}0% 7,600/1,000,000 sent, ETA 6h 19m`);
  for (const w of writes) assert.ok(w.length - CLEAR.length <= 39, w);
});

test('progress: elsewhere one plain line every intervalMs (5 s by default), the first at once', () => {
  const { writes, reporter } = recorder({ isTTY: false });
  for (const now of [1000, 2000, 5999, 6000, 9000, 10_999, 11_000]) reporter.update(snapshot(), now);
  assert.deepEqual(writes, [
    '[0s] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s\n',
    '[5s] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s\n',
    '[10s] 12% 1,234/10,000 sent, 3 failed, 12 retrying, 44/s, ETA 3m 21s\n',
  ]);
  const custom = recorder({ isTTY: false, intervalMs: 2000 });
  for (let now = 1000; now <= 9000; now += 500) custom.reporter.update(snapshot(), now);
  assert.equal(custom.writes.length, 5);
  assert.ok(custom.writes.every((w) => !w.includes('\x1b') && !w.includes('\r') && w.endsWith('\n')));
});

const finalSnapshot = snapshot({ sent: 9_950, failed: 30, suppressed: 5, inDoubt: 3, retrying: 12, queued: 0, sending: 0, ratePerSecond: 0 });
const finalSummary = [
  'Sent:              9,950 of 10,000',
  'Failed:            30',
  'Suppressed:        5',
  'In doubt:          3',
  'Waiting for retry: 12',
  'Elapsed:           3m 20s (50/s on average)',
].join('\n');

test('progress: the summary says what was sent, failed, suppressed, in doubt, waiting, and how long it took', () => {
  assert.equal(formatSummary(finalSnapshot, 200_000), finalSummary);
  const stopped = formatSummary(snapshot({ queued: 8700, sending: 48 }), 3_723_000);
  assert.equal(
    stopped,
    [
      'Sent:              1,234 of 10,000',
      'Failed:            3',
      'Suppressed:        2',
      'In doubt:          1',
      'Waiting for retry: 12',
      'Not sent yet:      8,748',
      'Elapsed:           1h 2m (19.9/min on average)',
    ].join('\n'),
  );
  assert.match(formatSummary(finalSnapshot, 0), /^Elapsed: {11}0s$/m, 'no average over no time');
});

test('progress: finish writes the final state and the summary, whatever the throttle, and then nothing more', () => {
  const tty = recorder({ isTTY: true, columns: 120 });
  tty.reporter.update(snapshot(), 200_950);
  tty.reporter.finish(finalSnapshot, 201_000);
  tty.reporter.update(snapshot(), 300_000);
  tty.reporter.finish(finalSnapshot, 300_000);
  assert.equal(tty.writes.length, 2);
  assert.equal(
    tty.writes[1],
    `${CLEAR}[#############################-] 99% 9,950/10,000 sent, 30 failed, 12 retrying, 0/s, ETA —\n${finalSummary}\n`,
  );
  const log = recorder({ isTTY: false });
  log.reporter.update(snapshot(), 200_000);
  log.reporter.finish(finalSnapshot, 201_000);
  assert.equal(log.writes.length, 2);
  assert.equal(log.writes[1], `[3m 20s] 99% 9,950/10,000 sent, 30 failed, 12 retrying, 0/s, ETA —\n${finalSummary}\n`);
});

test('progress: the reporter reads columns at each redraw, so a resized terminal is followed', () => {
  const writes: string[] = [];
  const out = { write: (s: string) => void writes.push(s), isTTY: true, columns: 120 };
  const reporter = new ProgressReporter(out);
  reporter.update(snapshot(), 0);
  out.columns = 40;
  reporter.update(snapshot(), 100);
  assert.equal(writes[1], `${CLEAR}12% 1,234/10,000 sent, ETA 3m 21s`);
});

test('rate meter: completions over the last 10 s', () => {
  const meter = new RateMeter({ now: 0 });
  assert.equal(meter.rate(0), 0);
  for (let t = 0; t < 20_000; t += 100) meter.add(t, 10);
  assert.equal(meter.rate(19_900), 100);
  assert.equal(meter.rate(25_000), 49, 'half the window has gone quiet');
  assert.equal(meter.rate(29_900), 0);
});

test('rate meter: the first seconds are measured over the time since counting began (at least 1 s)', () => {
  const meter = new RateMeter({ now: 1000 });
  meter.add(1500, 5);
  assert.equal(meter.rate(1500), 5);
  assert.equal(meter.rate(3000), 2.5);
  assert.equal(meter.rate(6000), 1);
  const unstarted = new RateMeter();
  assert.equal(unstarted.rate(5), 0);
  unstarted.add(1000, 3);
  assert.equal(unstarted.rate(1000), 3);
  assert.equal(unstarted.rate(4000), 1);
});

test('rate meter: many completions in a burst are counted, not stored one by one', () => {
  const meter = new RateMeter({ now: 0, windowMs: 10_000 });
  for (let i = 0; i < 200_000; i++) meter.add(10_000 + Math.floor(i / 20), 1);
  assert.equal(meter.rate(19_999), 20_000);
  // Private, but what keeps memory flat at any rate: one slot per 100 ms.
  assert.ok((meter as unknown as { slots: unknown[] }).slots.length <= 101);
});
