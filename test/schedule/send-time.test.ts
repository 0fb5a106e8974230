import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { canonicalTimeZone, formatSendTime, parseSendTime, SEND_TIME_FORMS } from '../../src/schedule/send-time.ts';

const at = (text: string, tz: string | null) => {
  const r = parseSendTime(text, tz);
  assert.ok('at' in r, `expected a time for ${text}: ${JSON.stringify(r)}`);
  return r.at;
};
const problem = (text: string, tz: string | null) => {
  const r = parseSendTime(text, tz);
  assert.ok('problem' in r, `expected a problem for ${text}`);
  return r.problem;
};

test('an ISO 8601 time with an offset or Z is that instant, whatever the timezone', () => {
  const expected = Date.UTC(2026, 11, 4, 6, 0, 0);
  assert.equal(at('2026-12-04T07:00:00+01:00', null), expected);
  assert.equal(at('2026-12-04T06:00Z', 'America/New_York'), expected);
  assert.equal(at('2026-12-04 06:00:00Z', null), expected);
  assert.equal(at('  2026-12-04T01:00-05:00 ', 'Europe/Berlin'), expected);
});

test('a time without an offset is a local time in the config timezone, with or without seconds and T', () => {
  const expected = Date.UTC(2026, 11, 4, 6, 0, 0);
  assert.equal(at('2026-12-04 07:00', 'Europe/Berlin'), expected);
  assert.equal(at('2026-12-04T07:00', 'Europe/Berlin'), expected);
  assert.equal(at('2026-12-04 07:00:00', 'Europe/Berlin'), expected);
  assert.equal(at('2026-07-04 07:00', 'Europe/Berlin'), Date.UTC(2026, 6, 4, 5, 0, 0), 'summer time is UTC+2');
});

test('daylight saving: a skipped local time moves forward, a repeated one takes the earlier', () => {
  // Berlin skips 02:00–03:00 on 2026-03-29 and repeats 02:00–03:00 on 2026-10-25.
  assert.equal(at('2026-03-29 02:30', 'Europe/Berlin'), Date.UTC(2026, 2, 29, 1, 30));
  assert.equal(at('2026-10-25 02:30', 'Europe/Berlin'), Date.UTC(2026, 9, 25, 0, 30));
});

test('a local time without a timezone asks for timezone: or an offset', () => {
  const p = problem('2026-12-04 07:00', null);
  assert.match(p, /timezone:/);
  assert.match(p, /newsletter\.yaml/);
  assert.match(p, /offset/);
});

test('a date alone, garbage and impossible dates are refused with the accepted forms', () => {
  for (const text of ['2026-12-04', 'tomorrow 7am', '', '2026-02-30 07:00', '2026-02-30T07:00Z', '2026-12-04 25:00', '1796364000000', '2026-12-04T07:00+01:00[Europe/Berlin]']) {
    const p = problem(text, 'Europe/Berlin');
    assert.ok(p.includes(SEND_TIME_FORMS), `${text}: ${p}`);
    assert.ok(!p.includes('\n'));
  }
  // An impossible date is named as not a time even when no timezone is set.
  assert.ok(problem('2026-02-30 07:00', null).includes(SEND_TIME_FORMS));
});

test('parseSendTime never throws, even on an unknown zone', () => {
  assert.ok('problem' in parseSendTime('2026-12-04 07:00', 'Mars/Base'));
});

test('formatSendTime shows the local time, the zone and UTC; seconds only when not zero', () => {
  const t = Date.UTC(2026, 11, 4, 6, 0, 0);
  assert.equal(formatSendTime(t, 'Europe/Berlin'), '2026-12-04 07:00 Europe/Berlin (06:00 UTC)');
  assert.equal(formatSendTime(t, null), '2026-12-04 06:00 UTC');
  assert.equal(formatSendTime(t, 'UTC'), '2026-12-04 06:00 UTC');
  assert.equal(formatSendTime(t + 5_000, 'Europe/Berlin'), '2026-12-04 07:00:05 Europe/Berlin (06:00:05 UTC)');
  assert.equal(formatSendTime(Date.UTC(2026, 11, 4, 23, 30), 'Europe/Berlin'), '2026-12-05 00:30 Europe/Berlin (2026-12-04 23:30 UTC)');
});

test('a formatted local time parses back to the same instant', () => {
  const t = Date.UTC(2026, 5, 1, 12, 34, 56);
  const shown = formatSendTime(t, 'America/New_York');
  assert.equal(at(shown.split(' America/')[0]!, 'America/New_York'), t);
});

test('canonicalTimeZone knows IANA names in any case and refuses offsets and unknown names', () => {
  assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
  assert.equal(canonicalTimeZone('UTC'), 'UTC');
  assert.equal(canonicalTimeZone('Mars/Base'), null);
  assert.equal(canonicalTimeZone('+01:00'), null);
  assert.equal(canonicalTimeZone(''), null);
});
