import { OUTCOMES, type Outcome, type Result } from './apply-returned-mail.ts';

/** How many results had each outcome. */
export function countOutcomes(results: readonly Result[]): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, results.filter((r) => r.outcome === o).length])) as Record<Outcome, number>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `5 messages read; 1 bounced, 1 complained`: the outcomes that happened, in OUTCOMES' order. `events`, the entries
 * read from provider event files, are said beside the messages when there are any.
 */
export function resultsSummary(messages: number, results: readonly Result[], events = 0): string {
  const counts = countOutcomes(results);
  const summary = OUTCOMES.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${o}`);
  const read = events > 0 ? (messages > 0 ? `${plural(messages, 'message')} and ${plural(events, 'event')}` : plural(events, 'event')) : plural(messages, 'message');
  return `${read} read${summary.length ? `; ${summary.join(', ')}` : ''}`;
}
