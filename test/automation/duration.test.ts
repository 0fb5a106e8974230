/** Delays and `schedule.max_delay`: 0 or a whole number with one unit; a bare number is ambiguous and refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatTimeAhead, parseDuration } from '../../src/automation/duration.ts';

test('each unit', () => {
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('45s'), 45_000);
  assert.equal(parseDuration('30m'), 30 * 60_000);
  assert.equal(parseDuration('2h'), 2 * 3_600_000);
  assert.equal(parseDuration('3d'), 3 * 86_400_000);
  assert.equal(parseDuration('1w'), 7 * 86_400_000);
});

for (const bad of [5, '5', '-1h', '1.5h', '1h30m', '3 days', '3D', 'h', '', null, undefined, true, '0m0', '01h', '99999999w']) {
  test(`${JSON.stringify(bad) ?? 'undefined'} is not a duration`, () => {
    assert.equal(parseDuration(bad), null);
  });
}

test('formatted with the largest units first', () => {
  assert.equal(formatDuration(0), '0');
  assert.equal(formatDuration(3 * 86_400_000), '3d');
  assert.equal(formatDuration(30 * 60_000), '30m');
  assert.equal(formatDuration(90 * 60_000), '1h 30m');
  assert.equal(formatDuration(8 * 86_400_000 + 45_000), '1w 1d 45s');
  assert.equal(formatDuration(parseDuration('2h')!), '2h');
});

test('a time just ahead reads "in 1s", never "in 0"; whole seconds round up', () => {
  assert.equal(formatTimeAhead(1), 'in 1s');
  assert.equal(formatTimeAhead(400), 'in 1s');
  assert.equal(formatTimeAhead(2_100), 'in 3s');
  assert.equal(formatTimeAhead(90 * 60_000), 'in 1h 30m');
});
