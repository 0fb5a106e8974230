/**
 * Which subscriber a verified token acts on: the one rule for every link (confirm, resend, unsubscribe).
 *
 * A version 2 token names a token key, random and never reused, so it finds its own subscriber or nobody. A version
 * 1 token names only an id, which SQLite hands out again after a purge; it is honoured only by a row that existed
 * when token keys were introduced (`legacyTokens`) and was created no later than the token was signed, so a link
 * from an erased subscriber never reaches whoever got their id afterwards.
 */
import type { Subscriber, SubscriberStore } from '../subscribers/subscriber.ts';
import type { TokenCheck } from '../subscribers/tokens.ts';

/** Not hex, so it never matches a key: looked up for a rejected token, so that it costs what a genuine one does. */
const NO_KEY = 'x'.repeat(32);

export async function subscriberForToken(store: Pick<SubscriberStore, 'byTokenKey' | 'byId'>, check: TokenCheck): Promise<Subscriber | null> {
  if (!check.ok) {
    await store.byTokenKey(NO_KEY);
    return null;
  }
  const { subject, issuedAt } = check;
  if ('key' in subject) return store.byTokenKey(subject.key);
  const subscriber = await store.byId(subject.legacyId);
  if (!subscriber || !subscriber.legacyTokens) return null;
  // Tokens carry whole seconds; a link signed before its row was created was for an earlier row with that id.
  const createdMs = Math.floor(Date.parse(subscriber.createdAt) / 1000) * 1000;
  return createdMs <= issuedAt.getTime() ? subscriber : null;
}
