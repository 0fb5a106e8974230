import type { Pool } from 'pg';
import { DELIVERY_STATES, type DeliveryState } from '../store/ledger/records.ts';
import type { Status } from '../subscribers/subscriber.ts';
import type { DeskSendRow, DeskSource } from './desk-data.ts';

/**
 * The desk's reads on PostgreSQL, through the preview's own small pool, read-only (`SET TRANSACTION READ ONLY` is not
 * needed: every statement here is a SELECT). The database is never created or migrated from here.
 */
export function pgDeskSource(pool: Pool): DeskSource {
  const q = async <R extends object>(sql: string, params: unknown[] = []) => (await pool.query<R>(sql, params)).rows;
  return {
    tables: async () => {
      const [r] = await q<{ subscribers: boolean; sends: boolean }>(
        `SELECT to_regclass('subscriber_events') IS NOT NULL AND to_regclass('subscribers') IS NOT NULL AS subscribers,
                to_regclass('sends') IS NOT NULL AND to_regclass('deliveries') IS NOT NULL AS sends`,
      );
      return r!;
    },
    countsByStatus: () => q<{ status: Status; n: number }>('SELECT status, count(*)::int AS n FROM subscribers GROUP BY status'),
    activeDeltas: () =>
      q<{ day: string; delta: number }>(
        `SELECT substr(at, 1, 10) AS day,
                (count(*) FILTER (WHERE to_status = 'active') - count(*) FILTER (WHERE from_status IS NOT DISTINCT FROM 'active'))::int AS delta
         FROM subscriber_events
         WHERE (to_status = 'active') <> (from_status IS NOT DISTINCT FROM 'active')
         GROUP BY day ORDER BY day`,
      ),
    recentSends: (limit) => q<DeskSendRow>('SELECT id, slug, issue_file, subject, recipients, created_at, finished_at FROM sends ORDER BY id DESC LIMIT $1', [limit]),
    sentSpan: async (sendId) => (await q<{ first: number | null; last: number | null }>(`SELECT min(updated_at) AS first, max(updated_at) AS last FROM deliveries WHERE send_id = $1 AND state = 'sent'`, [sendId]))[0]!,
    sentPerBucket: (sendId, start, size) =>
      q<{ bucket: number; n: number }>(
        `SELECT ((updated_at - $2) / $3)::int AS bucket, count(*)::int AS n FROM deliveries WHERE send_id = $1 AND state = 'sent' GROUP BY bucket ORDER BY bucket`,
        [sendId, start, size],
      ),
    reports: {
      counts: async (sendId) => {
        const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
        for (const r of await q<{ state: DeliveryState; n: number }>('SELECT state, count(*)::int AS n FROM deliveries WHERE send_id = $1 GROUP BY state', [sendId])) counts[r.state] = r.n;
        return counts;
      },
      runs: async (sendId) =>
        (await q<{ id: number; send_id: number; pid: number; host: string; transport: string; started_at: number; heartbeat_at: number; ended_at: number | null; outcome: string | null; sent: number }>(
          'SELECT * FROM send_runs WHERE send_id = $1 ORDER BY id',
          [sendId],
        )).map((r) => ({ id: r.id, sendId: r.send_id, pid: r.pid, host: r.host, transport: r.transport, startedAt: r.started_at, heartbeatAt: r.heartbeat_at, endedAt: r.ended_at, outcome: r.outcome, sent: r.sent })),
      rows: async (sendId, state, limit = 1000) =>
        (await q<{ subscriber_id: number; email: string; reply: string | null; attempts: number }>(
          `SELECT d.subscriber_id, s.email, d.reply, d.attempts FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
           WHERE d.send_id = $1 AND d.state = $2 ORDER BY d.subscriber_id LIMIT $3`,
          [sendId, state, limit],
        )).map((r) => ({ subscriberId: r.subscriber_id, email: r.email, reply: r.reply, attempts: r.attempts })),
      sentSince: async (sendId, since) => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE send_id = $1 AND state = 'sent' AND updated_at >= $2`, [sendId, since]))[0]!.n,
    },
    // The pool is the preview's, closed with it.
    close: async () => {},
  };
}
