import { z } from 'zod';
import { normalizeTag, TAG_RULE } from '../audience/tags.ts';
import { TOPIC_ID, TOPIC_ID_MAX } from '../audience/topic-id.ts';
import { durationValue } from './duration-value.ts';

import type { Trigger } from '../automation/trigger.ts';

export type { Trigger };

export interface SequenceStep {
  /** Project path of the issue file, `issues/<name>.md`. */
  issue: string;
  /** From the trigger for the first step, from the previous step for the others. */
  delayMs: number;
}

export interface Sequence {
  id: string;
  trigger: Trigger;
  steps: SequenceStep[];
}

/** The id `automations.welcome` expands to. */
export const WELCOME_ID = 'welcome';

export const SEQUENCE_STEPS_MAX = 50;

const TRIGGER_FORMS = '"confirmed" or "tag-added:<tag>"';

const trigger = z.string({ error: `a trigger: ${TRIGGER_FORMS}` }).transform((value, ctx): Trigger => {
  const text = value.trim();
  if (text === 'confirmed') return { kind: 'confirmed' };
  const tagged = /^tag-added:(.*)$/s.exec(text);
  if (tagged) {
    const tag = normalizeTag(tagged[1]!);
    if (tag !== null) return { kind: 'tag-added', tag };
    ctx.addIssue({ code: 'custom', message: `names a bad tag ${JSON.stringify(tagged[1])}: a tag is ${TAG_RULE}` });
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', message: `must be ${TRIGGER_FORMS}, not ${JSON.stringify(value.slice(0, 80))}` });
  return z.NEVER;
});

/**
 * An issue file directly in `issues/`, as `newsletter check` and `build` find them: relative to the project, so no
 * absolute path, no `..`, no folder, no hidden file.
 */
const issuePath = z
  .string({ error: 'an issue file path like "issues/welcome.md"' })
  .regex(/^issues\/(?!\.)[^/\\\p{Cc}]+\.md$/u, 'must be an issue file directly in issues/, like "issues/welcome.md" (relative to the project: no "..", no absolute path)');

const step = z.strictObject({ issue: issuePath, delay: durationValue() });

const sequence = z.strictObject({
  id: z
    .string({ error: 'a sequence id' })
    .max(TOPIC_ID_MAX, `must be at most ${TOPIC_ID_MAX} characters`)
    .regex(TOPIC_ID, 'must be a sequence id: lower-case words joined by hyphens, like "onboarding"'),
  trigger,
  steps: z
    .array(step, { error: 'a list of steps, each an "issue:" and a "delay:"' })
    .min(1, 'must list at least one step (an "issue:" and a "delay:")')
    .max(SEQUENCE_STEPS_MAX, `must be at most ${SEQUENCE_STEPS_MAX} steps`)
    // One (step, subscriber) pair is one delivery; the same issue twice would mail it twice.
    .superRefine((steps, ctx) => {
      const seen = new Set<string>();
      steps.forEach((s, index) => {
        if (seen.has(s.issue)) ctx.addIssue({ code: 'custom', path: [index, 'issue'], message: `names "${s.issue}" a second time in this sequence; each step needs its own issue` });
        seen.add(s.issue);
      });
    }),
});

/**
 * `automations:` (issue 17): `welcome:` (shorthand for a one-step sequence on `confirmed`, no delay) and `sequences:`,
 * normalised into one list, the welcome first.
 */
export const automationsSchema = z
  .strictObject({
    welcome: issuePath.nullable().default(null),
    sequences: z.array(sequence).max(100).default([]),
  })
  // Each id names the steps the database counts deliveries by; the second of a pair is the error, at its line.
  .superRefine((automations, ctx) => {
    const seen = new Set<string>(automations.welcome !== null ? [WELCOME_ID] : []);
    automations.sequences.forEach((s, index) => {
      if (seen.has(s.id)) {
        const why = s.id === WELCOME_ID && automations.welcome !== null ? ' (by "automations.welcome")' : '';
        ctx.addIssue({ code: 'custom', path: ['sequences', index, 'id'], message: `the sequence id "${s.id}" is used twice${why}; each sequence needs its own` });
      }
      seen.add(s.id);
    });
  })
  .transform((automations): { sequences: Sequence[] } => ({
    sequences: [
      ...(automations.welcome !== null
        ? [{ id: WELCOME_ID, trigger: { kind: 'confirmed' } as const, steps: [{ issue: automations.welcome, delayMs: 0 }] }]
        : []),
      ...automations.sequences.map((s) => ({ id: s.id, trigger: s.trigger, steps: s.steps.map((t) => ({ issue: t.issue, delayMs: t.delay })) })),
    ],
  }));

export type Automations = z.output<typeof automationsSchema>;

/** Every issue file a sequence step sends, so the build keeps them out of the archive. */
export function automationIssueFiles(automations: Automations): Set<string> {
  return new Set(automations.sequences.flatMap((s) => s.steps.map((t) => t.issue)));
}
