import { z } from 'zod';
import { CONTROL_CHARACTER, controlCharacterProblem } from '../core/control-characters.ts';
import { isRealDate } from './date.ts';
import { SLUG_PATTERN } from './slug.ts';
import { segmentValueProblem } from '../audience/segment-choice.ts';
import { TOPIC_ID } from '../audience/topic-id.ts';

/**
 * One-line text: header values built from these must never carry CR or LF (header injection), and no other control
 * character either (a NUL made the feed invalid XML; a TAB folds headers): the rule of `core/control-characters.ts`.
 */
export const oneLine = (max?: number) => {
  let s = z.string({ error: 'text' }).refine((v) => !CONTROL_CHARACTER.test(v), {
    error: (issue) => controlCharacterProblem(String(issue.input)) ?? 'must not contain control characters',
  });
  s = s.refine((v) => v.trim().length > 0, { message: 'must not be empty' });
  if (max !== undefined) {
    s = s.refine((v) => v.length <= max, { message: `must be at most ${max} characters` });
  }
  return s;
};

export const SUBJECT_MAX = 150;

export const frontMatterSchema = z.strictObject({
  title: oneLine(),
  date: z
    .string({ error: 'a date written YYYY-MM-DD' })
    .refine(isRealDate, { message: 'must be a real date written YYYY-MM-DD' }),
  subject: oneLine(SUBJECT_MAX).optional(),
  subtitle: oneLine().optional(),
  preheader: oneLine(300).optional(),
  author: oneLine().optional(),
  image: z
    .strictObject({
      src: oneLine(),
      alt: oneLine(),
      caption: oneLine().optional(),
    })
    .optional(),
  tags: z.array(oneLine(60)).optional(),
  layout: z
    .string({ error: 'a layout name' })
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'must be a layout name from templates/layouts/ (letters, digits, - and _)')
    .optional(),
  slug: z
    .string({ error: 'a slug' })
    .regex(SLUG_PATTERN, 'must be lower-case letters, digits and single hyphens, like "ceasefire-talks"')
    .optional(),
  status: z.enum(['draft', 'ready'], { error: 'must be "draft" or "ready"' }).optional(),
  archive: z.boolean({ error: 'must be true or false' }).optional(),
  /** Who the issue goes to: a name from the config's `segments:` or a segment expression (`--segment` overrides it). */
  segment: oneLine(2000)
    .superRefine((v, ctx) => {
      const problem = segmentValueProblem(v);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `is not a segment name or expression (${problem})` });
    })
    .optional(),
  /** The topic the issue goes to: an id from the config's `topics:`; without it, the main list. */
  topic: z
    .string({ error: 'a topic id' })
    .regex(TOPIC_ID, 'must be a topic id from the config\'s "topics:" (lower-case words joined by hyphens)')
    .optional(),
  /**
   * When the worker sends it (issue 17): ISO 8601 with an offset, or a local time in the config's `timezone`. Read
   * against the config when the issue is rendered, which knows the zone.
   */
  send_at: oneLine(100).optional(),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;
