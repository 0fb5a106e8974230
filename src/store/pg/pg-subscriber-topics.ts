import type pg from 'pg';
import { topicLeftReason, topicRejoinedReason, type Status } from '../../subscribers/subscriber.ts';
import { transaction } from './pg-transaction.ts';

/*
 * The topics a subscriber left, on PostgreSQL, as sqlite-subscriber-topics.ts on SQLite: leaving and coming back are
 * events whose status stays as it was. The subscriber's row is locked first, so the event records the status the
 * change happened under.
 */

async function lockedStatus(client: pg.ClientBase, emailNormalized: string): Promise<{ id: number; status: Status } | null> {
  const { rows } = await client.query<{ id: number; status: Status }>('SELECT id, status FROM subscribers WHERE email_normalized = $1 FOR UPDATE', [emailNormalized]);
  return rows[0] ? { id: Number(rows[0].id), status: rows[0].status } : null;
}

async function sameStatusEvent(client: pg.ClientBase, id: number, status: Status, reason: string, via: string, at: string): Promise<void> {
  await client.query('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES ($1, $2, $3, $3, $4, $5)', [id, at, status, reason, via]);
}

export async function topicsLeft(pool: pg.Pool, emailNormalized: string): Promise<string[]> {
  const { rows } = await pool.query<{ topic: string }>(
    'SELECT l.topic FROM subscriber_topics_left l JOIN subscribers s ON s.id = l.subscriber_id WHERE s.email_normalized = $1 ORDER BY l.topic COLLATE "C"',
    [emailNormalized],
  );
  return rows.map((r) => r.topic);
}

export async function leaveTopic(pool: pg.Pool, now: () => Date, emailNormalized: string, topic: string, via: string): Promise<boolean | null> {
  return transaction(pool, async (client) => {
    const s = await lockedStatus(client, emailNormalized);
    if (!s) return null;
    const at = now().toISOString();
    const { rowCount } = await client.query('INSERT INTO subscriber_topics_left (subscriber_id, topic, left_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [s.id, topic, at]);
    if (rowCount !== 1) return false;
    await sameStatusEvent(client, s.id, s.status, topicLeftReason(topic), via, at);
    return true;
  });
}

export async function rejoinTopic(pool: pg.Pool, now: () => Date, emailNormalized: string, topic: string, via: string): Promise<boolean | null> {
  return transaction(pool, async (client) => {
    const s = await lockedStatus(client, emailNormalized);
    if (!s) return null;
    const { rowCount } = await client.query('DELETE FROM subscriber_topics_left WHERE subscriber_id = $1 AND topic = $2', [s.id, topic]);
    if (rowCount !== 1) return false;
    await sameStatusEvent(client, s.id, s.status, topicRejoinedReason(topic), via, now().toISOString());
    return true;
  });
}
