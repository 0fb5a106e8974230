import { CONFIRMATION_INTERVAL_MS, type SqliteConfirmationQueue } from '../store/confirmation-queue.ts';
import { transaction, type Db } from '../store/open.ts';
import type { SqliteSubscriberStore } from '../store/sqlite-subscribers.ts';
import type { Status, Subscriber } from '../subscribers/subscriber.ts';

export interface SignUpDesk {
  db: Db;
  store: SqliteSubscriberStore;
  queue: SqliteConfirmationQueue;
}

/** What a sign-up did, for the log line; the visitor's answer is the same whatever it says. */
export type SignUpResult =
  | { queued: true; subscriber: Subscriber; was: Status | null }
  | { queued: false; subscriber: Subscriber; why: string };

/**
 * A sign-up from the form, decided and recorded in one transaction, with no email sent here (the sender mails queued
 * rows later), so every address gets the same answer in the same time. Every case writes one queue row, mailed or
 * skipped, so even the database does the same work for a known address as for an unknown one.
 *
 * - unknown: added as `pending`, a confirmation queued;
 * - `pending`: a new confirmation queued (the first may be lost), their name left as it was;
 * - `unsubscribed`: `pending` again and a confirmation queued: only their own click brings them back;
 * - `active`: nothing (they already get the newsletter);
 * - `bounced`, `complained`: nothing, ever, from the form;
 * - and at most one confirmation email per address in any 24 hours: beyond that, nothing changes.
 */
export function signUp(desk: SignUpDesk, request: { email: string; emailNormalized: string; name: string }, now: Date): SignUpResult {
  const at = now.getTime();
  return transaction(desk.db, () => {
    const known = desk.store.get(request.emailNormalized);
    if (!known) {
      const subscriber = desk.store.add({ ...request, status: 'pending', source: 'form', reason: 'signed up on the web' });
      desk.queue.enqueue(subscriber.id, at);
      return { queued: true, subscriber, was: null };
    }
    const refused = refusal(desk, known, at);
    if (refused) {
      desk.queue.skip(known.id, at, refused);
      return { queued: false, subscriber: known, why: refused };
    }
    if (known.status === 'unsubscribed') desk.store.setStatus(known.emailNormalized, 'pending', 'asked to subscribe again on the web', 'form');
    desk.queue.enqueue(known.id, at);
    return { queued: true, subscriber: known, was: known.status };
  });
}

/**
 * "Send me a new link" under an expired confirmation link: its signature proves whom it was for. Only someone still
 * pending gets one, within the same daily limit.
 */
export function resendConfirmation(desk: SignUpDesk, subscriber: Subscriber, now: Date): SignUpResult {
  const at = now.getTime();
  return transaction(desk.db, () => {
    const current = desk.store.byId(subscriber.id) ?? subscriber;
    const refused = current.status === 'pending' ? refusal(desk, current, at) : `${current.status}, no longer pending`;
    if (refused) {
      desk.queue.skip(current.id, at, refused);
      return { queued: false, subscriber: current, why: refused };
    }
    desk.queue.enqueue(current.id, at);
    return { queued: true, subscriber: current, was: current.status };
  });
}

/** Why a known subscriber gets no email now, or null when one may be queued. */
function refusal(desk: SignUpDesk, subscriber: Subscriber, at: number): string | null {
  if (subscriber.status === 'active') return 'already active';
  if (subscriber.status === 'bounced' || subscriber.status === 'complained') return `${subscriber.status}: never mailed from the form`;
  if (desk.queue.mailedSince(subscriber.id, at - CONFIRMATION_INTERVAL_MS)) return 'a confirmation email was already queued in the last 24 hours';
  return null;
}
