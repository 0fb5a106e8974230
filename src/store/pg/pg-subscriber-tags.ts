import type pg from 'pg';
import { parseTags } from '../../audience/tags.ts';
import { subscriberFromRow, type SubscriberRow } from '../../subscribers/subscriber-row.ts';
import { tagAddedReason, tagRemovedReason, type ListFilter, type Status, type Subscriber, type TagCount } from '../../subscribers/subscriber.ts';
import { transaction } from './pg-transaction.ts';

/*
 * Subscribers' tags on PostgreSQL, as sqlite-subscriber-tags.ts on SQLite: each tag given or taken is an event whose
 * status stays as it was (from = to). The subscriber's row is locked first, so the status the event records is the
 * one the change happened under.
 */

/** Tags a subscriber whose row this transaction has locked (or just added); returns the tags added. Tags must be parsed. */
export async function tagSubscriber(client: pg.ClientBase, id: number, status: Status, tags: readonly string[], via: string, at: string): Promise<string[]> {
  if (tags.length === 0) return [];
  const { rows } = await client.query<{ tag: string }>(
    'INSERT INTO subscriber_tags (subscriber_id, tag, added_at) SELECT $1, t, $3 FROM unnest($2::text[]) AS t ON CONFLICT DO NOTHING RETURNING tag',
    [id, tags, at],
  );
  const inserted = new Set(rows.map((r) => r.tag));
  const added = tags.filter((tag) => inserted.has(tag));
  await appendSameStatusEvents(client, id, status, added.map(tagAddedReason), via, at);
  return added;
}

/** Events that leave the status as it was (from = to): a tag given or taken. */
async function appendSameStatusEvents(client: pg.ClientBase, id: number, status: Status, reasons: readonly string[], via: string, at: string): Promise<void> {
  if (reasons.length === 0) return;
  await client.query(
    `INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via)
     SELECT $1, $2, $3, $3, r, $4 FROM unnest($5::text[]) WITH ORDINALITY AS u(r, n) ORDER BY n`,
    [id, at, status, via, reasons],
  );
}

async function lockedStatus(client: pg.ClientBase, emailNormalized: string): Promise<{ id: number; status: Status } | null> {
  const { rows } = await client.query<{ id: number; status: Status }>('SELECT id, status FROM subscribers WHERE email_normalized = $1 FOR UPDATE', [emailNormalized]);
  return rows[0] ? { id: Number(rows[0].id), status: rows[0].status } : null;
}

export async function addTags(pool: pg.Pool, now: () => Date, emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null> {
  const wanted = parseTags(tags);
  return transaction(pool, async (client) => {
    const s = await lockedStatus(client, emailNormalized);
    return s ? tagSubscriber(client, s.id, s.status, wanted, via, now().toISOString()) : null;
  });
}

export async function removeTags(pool: pg.Pool, now: () => Date, emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null> {
  const unwanted = parseTags(tags);
  return transaction(pool, async (client) => {
    const s = await lockedStatus(client, emailNormalized);
    if (!s) return null;
    const { rows } = await client.query<{ tag: string }>('DELETE FROM subscriber_tags WHERE subscriber_id = $1 AND tag = ANY($2::text[]) RETURNING tag', [s.id, unwanted]);
    const gone = new Set(rows.map((r) => r.tag));
    const removed = unwanted.filter((tag) => gone.has(tag));
    await appendSameStatusEvents(client, s.id, s.status, removed.map(tagRemovedReason), via, now().toISOString());
    return removed;
  });
}

export async function tagsOf(pool: pg.Pool, emailNormalized: string): Promise<string[]> {
  const { rows } = await pool.query<{ tag: string }>(
    'SELECT t.tag FROM subscriber_tags t JOIN subscribers s ON s.id = t.subscriber_id WHERE s.email_normalized = $1 ORDER BY t.tag COLLATE "C"',
    [emailNormalized],
  );
  return rows.map((r) => r.tag);
}

/** The list with a tag filter (PgSubscriberStore.list has the others). */
export async function listTagged(pool: pg.Pool, filter: ListFilter & { tag: string }): Promise<Subscriber[]> {
  const [tag] = parseTags([filter.tag]);
  const { rows } = filter.status
    ? await pool.query<SubscriberRow>('SELECT s.* FROM subscribers s JOIN subscriber_tags t ON t.subscriber_id = s.id WHERE t.tag = $1 AND s.status = $2 ORDER BY s.id', [
        tag,
        filter.status,
      ])
    : await pool.query<SubscriberRow>('SELECT s.* FROM subscribers s JOIN subscriber_tags t ON t.subscriber_id = s.id WHERE t.tag = $1 ORDER BY s.id', [tag]);
  return rows.map(subscriberFromRow);
}

export async function tagCounts(pool: pg.Pool): Promise<TagCount[]> {
  // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
  const { rows } = await pool.query<{ tag: string; n: string | number }>('SELECT tag, count(*) AS n FROM subscriber_tags GROUP BY tag ORDER BY tag COLLATE "C"');
  return rows.map((r) => ({ tag: r.tag, subscribers: Number(r.n) }));
}

export async function tagsById(pool: pg.Pool): Promise<Map<number, string[]>> {
  const { rows } = await pool.query<{ subscriber_id: number; tag: string }>('SELECT subscriber_id, tag FROM subscriber_tags ORDER BY subscriber_id, tag COLLATE "C"');
  const byId = new Map<number, string[]>();
  for (const r of rows) {
    const id = Number(r.subscriber_id);
    const list = byId.get(id);
    if (list) list.push(r.tag);
    else byId.set(id, [r.tag]);
  }
  return byId;
}
