import type { NewConsent } from '../subscribers/subscriber.ts';
import type { Db } from './open.ts';

/**
 * Consent on record (issue 16) for a row just added, in the caller's transaction: where they came from, when they
 * asked (the moment of the add unless said otherwise), the client address as kept, and an import's evidence. A
 * statement of its own, after the insert, so that the insert statements shared with imports stay as they are.
 */
export function recordConsent(db: Db, id: number, consent: NewConsent | undefined, at: string): void {
  db.prepare('UPDATE subscribers SET consent_source = ?, opted_in_at = ?, consent_ip = ?, consent_evidence = ? WHERE id = ?').run(
    consent?.source ?? null,
    consent?.optedInAt ?? at,
    consent?.ip ?? null,
    consent?.evidence ?? null,
    id,
  );
}

/**
 * A known subscriber asked again (pending, or unsubscribed and now pending): the request their click will confirm
 * is this one, so its page, time and address replace the last; an import's evidence stays.
 */
export function renewConsent(db: Db, id: number, consent: NewConsent | undefined, at: string): void {
  if (!consent) return;
  db.prepare('UPDATE subscribers SET consent_source = ?, opted_in_at = ?, consent_ip = ? WHERE id = ?').run(consent.source ?? null, consent.optedInAt ?? at, consent.ip ?? null, id);
}
