import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LedgerReports } from '../store/ledger/reports.ts';
import type { Status } from '../subscribers/subscriber.ts';
import type { DeskSendRow, DeskSource } from './desk-data.ts';

/** The desk's reads on SQLite: the file opened read-only for one visit, never created; null when there is none. */
export function sqliteDeskSource(path: string): DeskSource | null {
  if (path === ':memory:' || !existsSync(path)) return null;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 2000');
  const names = new Set(db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`).all().map((r) => r.name));
  const hasSends = names.has('sends') && names.has('deliveries');
  return {
    tables: async () => ({ subscribers: names.has('subscribers') && names.has('subscriber_events'), sends: hasSends }),
    countsByStatus: async () => db.prepare<[], { status: Status; n: number }>('SELECT status, count(*) AS n FROM subscribers GROUP BY status').all(),
    activeDeltas: async () =>
      db
        .prepare<[], { day: string; delta: number }>(
          `SELECT substr(at, 1, 10) AS day,
                  sum(CASE WHEN to_status = 'active' THEN 1 ELSE 0 END) - sum(CASE WHEN from_status IS 'active' THEN 1 ELSE 0 END) AS delta
           FROM subscriber_events
           WHERE (to_status = 'active') <> (from_status IS 'active')
           GROUP BY day ORDER BY day`,
        )
        .all(),
    recentSends: async (limit) =>
      db.prepare<[number], DeskSendRow>('SELECT id, slug, issue_file, subject, recipients, created_at, finished_at FROM sends ORDER BY id DESC LIMIT ?').all(limit),
    sentSpan: async (sendId) =>
      db.prepare<[number], { first: number | null; last: number | null }>(`SELECT min(updated_at) AS first, max(updated_at) AS last FROM deliveries WHERE send_id = ? AND state = 'sent'`).get(sendId)!,
    sentPerBucket: async (sendId, start, size) =>
      db
        .prepare<[number, number, number], { bucket: number; n: number }>(
          `SELECT CAST((updated_at - ?) / ? AS INTEGER) AS bucket, count(*) AS n FROM deliveries WHERE send_id = ? AND state = 'sent' GROUP BY bucket ORDER BY bucket`,
        )
        .all(start, size, sendId),
    reports: hasSends ? new LedgerReports(db) : emptyReports(),
    close: async () => {
      db.close();
    },
  };
}

/** Never asked: the desk reads sends only when their tables exist; this keeps the type whole without preparing on them. */
function emptyReports(): DeskSource['reports'] {
  const none = () => {
    throw new Error('no sends table');
  };
  return { counts: none, runs: none, rows: none, sentSince: none };
}
