import type { Pool } from 'pg';
import { PgLedgerReports } from '../store/pg/pg-ledger-reports.ts';
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
    reports: new PgLedgerReports(pool),
    // The pool is the preview's, closed with it.
    close: async () => {},
  };
}
