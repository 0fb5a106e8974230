import type pg from 'pg';
import type { ImportRow, Status } from '../../subscribers/subscriber.ts';
import { importedFile } from '../import-consent.ts';

/** Addresses per statement, as for the import's other batched writes. */
const BATCH = 5000;

/**
 * Array literals made here, not by the driver as it sends the statement, so that they are made while the server
 * works. Every element is quoted, with `"` and `\` escaped: nothing else is special inside quotes.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** As {@link textArray}, with an unquoted NULL for null. */
export function nullableTextArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
}

/** What the import did beyond names and attributes: addresses moved to a suppressed status, and every address changed. */
export interface ExtrasWritten {
  became: Map<string, Status>;
  changed: Set<string>;
}

/**
 * After an import's rows are written, in its transaction: the addresses whose rows say they left, or carry tags, are
 * locked, an active one that left takes the file's status (with its event), and the tags are added (an event for
 * each one new). A plain CSV has neither, and costs nothing here.
 */
export async function importExtras(client: pg.ClientBase, byAddress: ReadonlyMap<string, ImportRow[]>, source: string, at: string): Promise<ExtrasWritten> {
  const written: ExtrasWritten = { became: new Map(), changed: new Set() };
  const wanted = [...byAddress].filter(([, rows]) => rows.some((r) => r.left || (r.tags?.length ?? 0) > 0)).map(([address]) => address);
  for (let i = 0; i < wanted.length; i += BATCH) {
    const batch = wanted.slice(i, i + BATCH);
    const { rows: found } = await client.query<{ id: number; email_normalized: string; status: Status }>(
      'SELECT id, email_normalized, status FROM subscribers WHERE email_normalized = ANY($1) ORDER BY id FOR UPDATE',
      [textArray(batch)],
    );
    const leaving: { id: number; address: string; to: Status }[] = [];
    const tags: { id: number; address: string; tag: string; status: Status }[] = [];
    for (const row of found) {
      const rows = byAddress.get(row.email_normalized)!;
      // The last row for an address that says it left decides; only an active address leaves.
      const left = rows.filter((r) => r.left && r.status).at(-1);
      if (left && row.status === 'active') leaving.push({ id: row.id, address: row.email_normalized, to: left.status! });
      // The status a tag's event shows: the file's, when the change below takes (it is checked there, locked).
      const status = left && row.status === 'active' ? left.status! : row.status;
      for (const tag of new Set(rows.flatMap((r) => r.tags ?? []))) tags.push({ id: row.id, address: row.email_normalized, tag, status });
    }
    if (leaving.length > 0) {
      const { rows } = await client.query<{ id: number }>(
        `WITH moved AS (
           UPDATE subscribers s SET status = u.status, unsubscribed_at = CASE WHEN u.status = 'unsubscribed' THEN $3::text ELSE s.unsubscribed_at END
           FROM unnest($1::integer[], $2::text[]) AS u(id, status)
           WHERE s.id = u.id AND s.status = 'active'
           RETURNING s.id, s.status
         ), events AS (
           INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via)
           SELECT id, $3::text, 'active', status, status || ' according to ' || $4::text, $5::text FROM moved
         )
         SELECT id FROM moved`,
        [`{${leaving.map((l) => l.id).join(',')}}`, textArray(leaving.map((l) => l.to)), at, importedFile(source), source],
      );
      const moved = new Set(rows.map((r) => r.id));
      for (const l of leaving) {
        if (!moved.has(l.id)) continue;
        written.became.set(l.address, l.to);
        written.changed.add(l.address);
      }
    }
    if (tags.length > 0) {
      // The tags new to each subscriber; then their events in the file's order, with the status each now has (the
      // change above included), in a second statement: joining the returned rows back to the batch made the planner
      // loop over one for each of the other.
      const { rows } = await client.query<{ subscriber_id: number; tag: string }>(
        `INSERT INTO subscriber_tags (subscriber_id, tag, added_at)
         SELECT u.id, u.tag, $3::text FROM unnest($1::integer[], $2::text[]) AS u(id, tag)
         ON CONFLICT DO NOTHING
         RETURNING subscriber_id, tag`,
        [`{${tags.map((t) => t.id).join(',')}}`, textArray(tags.map((t) => t.tag)), at],
      );
      const added = new Set(rows.map((r) => `${r.subscriber_id} ${r.tag}`));
      const fresh = tags.filter((t) => added.has(`${t.id} ${t.tag}`));
      if (fresh.length > 0) {
        await client.query(
          `INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via)
           SELECT u.id, $4::text, u.status, u.status, 'tag added: ' || u.tag, $5::text
           FROM unnest($1::integer[], $2::text[], $3::text[]) WITH ORDINALITY AS u(id, tag, status, n) ORDER BY u.n`,
          [`{${fresh.map((t) => t.id).join(',')}}`, textArray(fresh.map((t) => t.tag)), textArray(fresh.map((t) => t.status)), at, source],
        );
      }
      for (const t of fresh) written.changed.add(t.address);
    }
  }
  return written;
}
