import { z } from 'zod';
import { durationValue } from './duration-value.ts';

const DAY_MS = 24 * 3_600_000;

/** An SNS topic ARN: `arn:aws:sns:<region>:<account>:<name>` (or the `aws-cn`/`aws-us-gov` partitions). */
const TOPIC_ARN = /^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

/**
 * `events:` (issue 18): provider feedback.
 * - `ses.topic_arns`: the SNS topics whose notifications are accepted; SES's webhook is enabled by listing one.
 * - `soft_bounce.limit` and `soft_bounce.window`: soft bounces across different sends within the window that
 *   suppress an address (3 in 30 days).
 * - `imap.interval`: how often the worker reads the bounce mailbox (`IMAP_URL`); `0`, the default, never.
 * - `imap.move_to`: a folder the worker moves handled messages to (created when missing); unset, they are flagged.
 * The parsed config holds durations in milliseconds.
 */
export const eventsSchema = z
  .strictObject({
    ses: z
      .strictObject({
        topic_arns: z
          .array(z.string().regex(TOPIC_ARN, 'must be an SNS topic ARN, like arn:aws:sns:us-east-1:123456789012:ses-feedback'))
          .default([]),
      })
      .default({ topic_arns: [] }),
    soft_bounce: z
      .strictObject({
        limit: z.number().int().min(1).max(100).default(3),
        window: durationValue().default(30 * DAY_MS),
      })
      .default({ limit: 3, window: 30 * DAY_MS }),
    imap: z
      .strictObject({
        interval: durationValue().default(0),
        move_to: z.string().trim().min(1, 'must name a folder, like Handled').max(200).optional(),
      })
      .default({ interval: 0 }),
  })
  .transform((e) => ({
    ses: { topicArns: e.ses.topic_arns },
    softBounce: { limit: e.soft_bounce.limit, windowMs: e.soft_bounce.window },
    imap: { intervalMs: e.imap.interval, moveTo: e.imap.move_to ?? null },
  }));

export type EventsConfig = z.output<typeof eventsSchema>;
