import type pg from 'pg';
import type { NewConsent } from '../../subscribers/subscriber.ts';

/** Consent on record for a row just added, in the caller's transaction, as sqlite-subscriber-consent.ts on SQLite. */
export async function recordConsent(client: pg.ClientBase, id: number, consent: NewConsent | undefined, at: string): Promise<void> {
  await client.query('UPDATE subscribers SET consent_source = $1, opted_in_at = $2, consent_ip = $3, consent_evidence = $4 WHERE id = $5', [
    consent?.source ?? null,
    consent?.optedInAt ?? at,
    consent?.ip ?? null,
    consent?.evidence ?? null,
    id,
  ]);
}

/** A known subscriber asked again: this request's page, time and address replace the last, as on SQLite. */
export async function renewConsent(client: pg.ClientBase, id: number, consent: NewConsent | undefined, at: string): Promise<void> {
  if (!consent) return;
  await client.query('UPDATE subscribers SET consent_source = $1, opted_in_at = $2, consent_ip = $3 WHERE id = $4', [consent.source ?? null, consent.optedInAt ?? at, consent.ip ?? null, id]);
}
