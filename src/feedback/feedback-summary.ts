import type { FeedbackKind } from './feedback-event.ts';
import type { SendFeedback } from './feedback-store.ts';

/** Gmail's and Yahoo's bulk-sender rules: keep spam complaints under 0.3% of messages delivered. */
export const COMPLAINT_LIMIT = 0.003;

const WORDS: [FeedbackKind, string, string][] = [
  ['delivered', 'delivered', 'delivered'],
  ['deferred', 'deferral', 'deferrals'],
  ['soft-bounce', 'soft bounce', 'soft bounces'],
  ['hard-bounce', 'hard bounce', 'hard bounces'],
  ['complaint', 'complaint', 'complaints'],
  ['unsubscribed', 'unsubscribe', 'unsubscribes'],
];

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * `status`'s feedback line for a send: what providers and the bounce mailbox reported, and the complaint rate against
 * the 0.3% that Gmail holds bulk senders to; null when nothing came back. Pure.
 */
export function describeFeedback(feedback: SendFeedback | undefined, sent: number): string | null {
  if (!feedback) return null;
  const parts = WORDS.filter(([k]) => feedback[k] > 0).map(([k, one, many]) => `${fmt(feedback[k])} ${feedback[k] === 1 ? one : many}`);
  if (parts.length === 0) return null;
  const rate = sent > 0 ? feedback.complaint / sent : 0;
  const complaints = feedback.complaint > 0 ? `; complaints ${(rate * 100).toFixed(2)}% of sent${rate >= COMPLAINT_LIMIT ? ' — over the 0.3% Gmail allows bulk senders' : ''}` : '';
  return `${parts.join(', ')}${complaints}`;
}
