/** Send times: ISO 8601 with an offset, or a local time in the config's zone; every other text a problem naming the forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSendTime, parseSendTime, SEND_TIME_FORMS } from '../../src/automation/send-time.ts';

const at = (text: string, tz: string | null) => {
  const result = parseSendTime(text, tz);
  assert.ok('at' in result, `expected a time for ${text}: ${JSON.stringify(result)}`);
  return new Date(result.at).toISOString();
};
const problem = (text: string, tz: string | null) => {
  const result = parseSendTime(text, tz);
  assert.ok('problem' in result, `expected a problem for ${text}, got ${JSON.stringify(result)}`);
  return result.problem;
};

test('ISO 8601 with an offset or Z is that instant, whatever the zone', () => {
  assert.equal(at('2026-12-04T07:00:00+01:00', null), '2026-12-04T06:00:00.000Z');
  assert.equal(at('2026-12-04T06:00Z', 'America/New_York'), '2026-12-04T06:00:00.000Z');
  assert.equal(at('2026-12-04 07:00-05:00', null), '2026-12-04T12:00:00.000Z');
});

test('a local time is read in the config zone, with or without seconds, with a space or a T', () => {
  assert.equal(at('2026-12-04 07:00', 'Europe/Berlin'), '2026-12-04T06:00:00.000Z');
  assert.equal(at('2026-12-04T07:00:30', 'Europe/Berlin'), '2026-12-04T06:00:30.000Z');
  // Summer time: the same wall clock is an hour earlier in UTC.
  assert.equal(at('2026-07-04 07:00', 'Europe/Berlin'), '2026-07-04T05:00:00.000Z');
});

test('a local time in a daylight-saving gap moves forward; in an overlap it is the first', () => {
  // Berlin skips 02:00–03:00 on 29 March 2026 and repeats it on 25 October 2026.
  assert.equal(at('2026-03-29 02:30', 'Europe/Berlin'), '2026-03-29T01:30:00.000Z');
  assert.equal(at('2026-10-25 02:30', 'Europe/Berlin'), '2026-10-25T00:30:00.000Z');
});

test('a local time without a timezone in the config says to add one or give an offset', () => {
  const message = problem('2026-12-04 07:00', null);
  assert.match(message, /"timezone:"/);
  assert.match(message, /newsletter\.yaml/);
  assert.match(message, /offset/);
});

for (const bad of ['2026-12-04', 'tomorrow at 7', '', '2026-02-30 07:00', '2026-02-30T07:00Z', '2026-12-04 25:00', '07:00', '2026-12-04T07:00+25:00', '2026-12-04T07:00[Europe/Berlin]']) {
  test(`${JSON.stringify(bad)} is refused with the accepted forms`, () => {
    assert.ok(problem(bad, 'Europe/Berlin').includes(SEND_TIME_FORMS));
  });
}

test('the time shows in the zone and in UTC, seconds only when not zero', () => {
  const t = Date.parse('2026-12-04T06:00:00Z');
  assert.equal(formatSendTime(t, 'Europe/Berlin'), '2026-12-04 07:00 Europe/Berlin (06:00 UTC)');
  assert.equal(formatSendTime(t, null), '2026-12-04 06:00 UTC');
  assert.equal(formatSendTime(t + 30_000, null), '2026-12-04 06:00:30 UTC');
  assert.equal(formatSendTime(Date.parse('2026-12-03T23:30:00Z'), 'Europe/Berlin'), '2026-12-04 00:30 Europe/Berlin (2026-12-03 23:30 UTC)');
});

test('a formatted local time parses back to the same instant', () => {
  const t = Date.parse('2026-07-01T15:45:00Z');
  const shown = formatSendTime(t, 'America/New_York');
  assert.equal(shown, '2026-07-01 11:45 America/New_York (15:45 UTC)');
  assert.equal(at(shown.slice(0, 16), 'America/New_York'), '2026-07-01T15:45:00.000Z');
});
