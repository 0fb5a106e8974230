import { OUTCOMES, type Outcome, type Result } from './apply-returned-mail.ts';

/** How many results had each outcome. */
export function countOutcomes(results: readonly Result[]): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, results.filter((r) => r.outcome === o).length])) as Record<Outcome, number>;
}

/** `5 messages read; 1 bounced, 1 complained`: the outcomes that happened, in OUTCOMES' order. */
export function resultsSummary(messages: number, results: readonly Result[]): string {
  const counts = countOutcomes(results);
  const summary = OUTCOMES.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${o}`);
  return `${messages} message${messages === 1 ? '' : 's'} read${summary.length ? `; ${summary.join(', ')}` : ''}`;
}
