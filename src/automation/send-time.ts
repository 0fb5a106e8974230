import { Temporal } from 'temporal-polyfill';

/** The forms `send_at:` and `--at` accept, for errors. */
export const SEND_TIME_FORMS =
  '2026-12-04T07:00:00+01:00, 2026-12-04T06:00Z (ISO 8601 with an offset) or 2026-12-04 07:00 (a local time in the config\'s timezone)';

/** A date and a time without an offset: a wall-clock time in the config's zone. */
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
/** A date and a time with `Z` or an offset; Temporal then checks the parts. */
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

const unparsable = (text: string) => ({ problem: `${JSON.stringify(text.slice(0, 80))} is not a time: write ${SEND_TIME_FORMS}` });

/**
 * A send time as epoch milliseconds. A local time is read in `timezone`; in a daylight-saving gap or overlap it
 * resolves as Temporal's 'compatible' does (a skipped 02:30 is 03:30, a repeated 02:30 the first one). Never throws.
 */
export function parseSendTime(text: string, timezone: string | null): { at: number } | { problem: string } {
  const value = text.trim();
  const local = LOCAL.exec(value);
  if (local) {
    const [year, month, day, hour, minute, second = 0] = local.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
    let plain: Temporal.PlainDateTime;
    try {
      plain = Temporal.PlainDateTime.from({ year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second }, { overflow: 'reject' });
    } catch {
      return unparsable(text);
    }
    if (timezone === null) {
      return { problem: `${JSON.stringify(value)} has no offset and newsletter.yaml has no "timezone:": add "timezone:" (like "Europe/Berlin") to newsletter.yaml, or give an offset, like ${value.replace(' ', 'T')}+01:00` };
    }
    try {
      return { at: plain.toZonedDateTime(timezone, { disambiguation: 'compatible' }).epochMilliseconds };
    } catch {
      return { problem: `"${timezone}" is not a time zone` };
    }
  }
  if (!WITH_OFFSET.test(value)) return unparsable(text);
  try {
    return { at: Temporal.Instant.from(value.replace(' ', 'T')).epochMilliseconds };
  } catch {
    return unparsable(text);
  }
}

/** `2026-12-04 07:00` or `2026-12-04 07:00:30`: seconds only when they are not zero. */
function wallClock(t: Temporal.ZonedDateTime, withDate: boolean): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(t.hour)}:${pad(t.minute)}${t.second !== 0 ? `:${pad(t.second)}` : ''}`;
  return withDate ? `${t.year}-${pad(t.month)}-${pad(t.day)} ${time}` : time;
}

/**
 * A send time for people: `2026-12-04 07:00 Europe/Berlin (06:00 UTC)`, the UTC date added when it differs, or
 * `2026-12-04 06:00 UTC` without a zone.
 */
export function formatSendTime(at: number, timezone: string | null): string {
  const utc = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO('UTC');
  if (timezone === null || timezone === 'UTC') return `${wallClock(utc, true)} UTC`;
  const local = utc.withTimeZone(timezone);
  const sameDay = local.toPlainDate().equals(utc.toPlainDate());
  return `${wallClock(local, true)} ${local.timeZoneId} (${wallClock(utc, !sameDay)} UTC)`;
}
