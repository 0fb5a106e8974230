import { z } from 'zod';
import { durationValue } from './duration-value.ts';

const HOUR_MS = 3_600_000;

/**
 * `schedule:` (issue 17). `max_delay`: how late a scheduled send may still start by itself; one missed by more (no
 * worker ran overnight) is marked missed instead of mailing stale news (listmonk #1801). The parsed config holds it
 * in milliseconds, as `maxDelayMs`.
 */
export const scheduleSchema = z
  .strictObject({ max_delay: durationValue().default(HOUR_MS) })
  .transform((s) => ({ maxDelayMs: s.max_delay }));

export type Schedule = z.output<typeof scheduleSchema>;
