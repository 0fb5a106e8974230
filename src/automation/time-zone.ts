import { Temporal } from 'temporal-polyfill';

/** What a `timezone:` must be, for errors. */
export const TIME_ZONE_FORM = 'an IANA name like "Europe/Berlin" or "America/New_York"';

/**
 * The zone's canonical IANA name (`europe/berlin` → `Europe/Berlin`), or null when Temporal does not know it. Bare
 * offsets (`+01:00`) are refused: they have no daylight saving time, so "07:00" would drift by an hour twice a year.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z]/.test(name)) return null;
  try {
    return Temporal.Now.zonedDateTimeISO(name).timeZoneId;
  } catch {
    return null;
  }
}
