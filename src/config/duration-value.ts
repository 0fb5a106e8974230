import { z } from 'zod';
import { DURATION_FORMS, parseDuration } from '../automation/duration.ts';

/** A duration in the config (`0`, `30m`, `3d`), parsed to milliseconds; a bad one names the forms. */
export const durationValue = () =>
  z.unknown().transform((value, ctx): number => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `is required: a duration (${DURATION_FORMS})` });
      return z.NEVER;
    }
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `must be a duration (${DURATION_FORMS}), not ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });
