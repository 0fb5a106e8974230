import type { FeedbackKind } from './feedback-event.ts';
import type { Status } from '../subscribers/subscriber.ts';

/** Soft bounces suppress after `limit` of them across different sends within `windowMs` (config `events.soft_bounce`). */
export interface SoftBouncePolicy {
  limit: number;
  windowMs: number;
}

export const DEFAULT_SOFT_BOUNCE_POLICY: SoftBouncePolicy = { limit: 3, windowMs: 30 * 24 * 3_600_000 };

/** A status change the policy asks for: to `to`, from any of `from`. */
export interface StatusChange {
  to: Status;
  from: readonly Status[];
  reason: string;
  via: string;
}

/**
 * The one suppression policy, documented in the README:
 * - a hard bounce and a complaint suppress at once;
 * - a soft bounce suppresses once `limit` of them, across different sends, fall within `windowMs` (this one counted);
 * - an unsubscribe from the provider unsubscribes;
 * - `delivered` and `deferred` never suppress.
 * `softBounceSends` is how many different sends had a soft bounce for this subscriber in the window, this one included.
 * Pure: the store asks, in its transaction, and applies the answer.
 */
export function statusChangeFor(kind: FeedbackKind, provider: string, detail: string, softBounceSends: number, policy: SoftBouncePolicy): StatusChange | null {
  const what = detail ? `: ${detail}` : '';
  switch (kind) {
    case 'hard-bounce':
      return { to: 'bounced', from: ['active', 'pending'], reason: `bounced (${provider})${what}`.slice(0, 300), via: `${provider}-bounce` };
    case 'complaint':
      return { to: 'complained', from: ['active', 'pending', 'unsubscribed', 'bounced'], reason: `marked the newsletter as spam (${provider})`, via: `${provider}-complaint` };
    case 'unsubscribed':
      return { to: 'unsubscribed', from: ['active', 'pending'], reason: `unsubscribed through ${provider}`, via: `${provider}-unsubscribe` };
    case 'soft-bounce':
      if (softBounceSends < policy.limit) return null;
      return { to: 'bounced', from: ['active', 'pending'], reason: `bounced: ${softBounceSends} soft bounces across different sends (${provider})${what}`.slice(0, 300), via: `${provider}-bounce` };
    case 'delivered':
    case 'deferred':
      return null;
  }
}
