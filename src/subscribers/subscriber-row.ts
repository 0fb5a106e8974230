import type { Status, Subscriber } from './subscriber.ts';

/**
 * A `subscribers` row as either engine returns it, and the one mapping to a Subscriber. Both schemas keep the times
 * as ISO text and `legacy_tokens` as an integer, but the drivers differ at the edges: node-postgres gives a Date for
 * a timestamp column and a string for a bigint unless told otherwise, better-sqlite3 a bigint under safeIntegers.
 * Each is turned into the one form here, so that a change of column type on one engine cannot leak a Date or a
 * string into the rest of the code.
 */
export interface SubscriberRow {
  id: number | bigint | string;
  email: string;
  email_normalized: string;
  name: string;
  status: Status;
  source: string;
  attributes: string;
  created_at: string | Date;
  confirmed_at: string | Date | null;
  unsubscribed_at: string | Date | null;
  token_key: string;
  legacy_tokens: number | bigint | string | boolean;
  /** Absent from rows read before the audience migration (SQLite 6, PostgreSQL 3) and from hand-made rows. */
  consent_source?: string | null;
  opted_in_at?: string | Date | null;
  consent_ip?: string | null;
  consent_evidence?: string | null;
}

export function subscriberFromRow(row: SubscriberRow): Subscriber {
  return {
    id: Number(row.id),
    email: row.email,
    emailNormalized: row.email_normalized,
    name: row.name,
    status: row.status,
    source: row.source,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    createdAt: isoText(row.created_at),
    confirmedAt: row.confirmed_at === null ? null : isoText(row.confirmed_at),
    unsubscribedAt: row.unsubscribed_at === null ? null : isoText(row.unsubscribed_at),
    consentSource: row.consent_source ?? null,
    optedInAt: row.opted_in_at === null || row.opted_in_at === undefined ? null : isoText(row.opted_in_at),
    consentIp: row.consent_ip ?? null,
    consentEvidence: row.consent_evidence ?? null,
    tokenKey: row.token_key,
    legacyTokens: Number(row.legacy_tokens) === 1,
  };
}

/** A time as the ISO text the rest of the code compares and shows. */
const isoText = (at: string | Date): string => (typeof at === 'string' ? at : at.toISOString());
