import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DURATION_MAX_MS, formatDuration, parseDuration } from '../../src/schedule/duration.ts';

test('parseDuration reads 0 and a whole number with one unit', () => {
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('45s'), 45_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('3d'), 259_200_000);
  assert.equal(parseDuration('1w'), 604_800_000);
  assert.equal(parseDuration(' 2h '), 7_200_000);
});

test('parseDuration refuses bare numbers, other units, signs, fractions and the absurdly long', () => {
  for (const v of [5, '5', '-1h', '1.5h', '0h', '01h', '2 h', '1h30m', '2H', '3 days', '', null, undefined, true, {}, ['1h'], -0.5, '521w', '99999999999s']) {
    assert.equal(parseDuration(v), null, JSON.stringify(v));
  }
  assert.equal(parseDuration('520w'), DURATION_MAX_MS);
});

test('formatDuration gives the two largest units', () => {
  assert.equal(formatDuration(259_200_000), '3d');
  assert.equal(formatDuration(1_800_000), '30m');
  assert.equal(formatDuration(5_400_000), '1h 30m');
  assert.equal(formatDuration(90_061_000), '1d 1h');
  assert.equal(formatDuration(86_400_000 + 60_000), '1d', 'a gap between units ends the list');
  assert.equal(formatDuration(45_000), '45s');
  assert.equal(formatDuration(400), '0s');
  assert.equal(formatDuration(-7_200_000), '2h');
});
