import type { NewConsent, Status, Subscriber } from '../subscribers/subscriber.ts';
import { CONFIRMATION_INTERVAL_MS } from './confirmation-queue.ts';

export interface SignUpRequest {
  email: string;
  emailNormalized: string;
  name: string;
  /** Tags the form asked for, already checked against `signup.tags`: given when a confirmation is queued. */
  tags?: readonly string[];
  /** The request's consent on record (page, time, client address as kept): kept when a confirmation is queued. */
  consent?: NewConsent;
}

/** What a sign-up did, for the log line; the visitor's answer is the same whatever it says. */
export type SignUpResult =
  | { queued: true; subscriber: Subscriber; was: Status | null }
  | { queued: false; subscriber: Subscriber; why: string };

/**
 * What a sign-up from the form does, the same rule on every engine. Every case writes one queue row, mailed or
 * skipped, so even the database does the same work for a known address as for an unknown one.
 *
 * - unknown: added as `pending`, a confirmation queued;
 * - `pending`: a new confirmation queued (the first may be lost), their name left as it was;
 * - `unsubscribed`: `pending` again and a confirmation queued: only their own click brings them back;
 * - `active`: nothing (they already get the newsletter);
 * - `bounced`, `complained`: nothing, ever, from the form;
 * - and at most one confirmation email per address in any 24 hours: beyond that, nothing changes.
 *
 * `mailedRecently`: whether an email that may have reached them was queued in the last CONFIRMATION_INTERVAL_MS
 * (ask with `mailedSince(at - CONFIRMATION_INTERVAL_MS)`). Pure, so that each engine calls it inside its own
 * transaction.
 */
export function refusal(subscriber: Subscriber, mailedRecently: boolean): string | null {
  if (subscriber.status === 'active') return 'already active';
  if (subscriber.status === 'bounced' || subscriber.status === 'complained') return `${subscriber.status}: never mailed from the form`;
  if (mailedRecently) return 'a confirmation email was already queued in the last 24 hours';
  return null;
}

/** Why a resend (under an expired link) mails nothing, or null when it may: only someone still pending gets one. */
export function resendRefusal(current: Subscriber, mailedRecently: boolean): string | null {
  return current.status === 'pending' ? refusal(current, mailedRecently) : `${current.status}, no longer pending`;
}

/** Queued after this, an email counts against the daily limit of a sign-up at `at`. */
export const mailedWindowStart = (at: number) => at - CONFIRMATION_INTERVAL_MS;
