import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sendStatus, type SendStatus } from '../send/run/send-status.ts';
import { LedgerReports } from '../store/ledger/reports.ts';
import type { DayPoint } from './charts/line-chart.ts';
import type { MinuteBar } from './charts/bar-chart.ts';
import { STATUSES, type Status } from '../subscribers/subscriber.ts';

/** A recent send as the desk shows it: its status, and its messages bucketed by the minute they were accepted. */
export interface DeskSend {
  status: SendStatus;
  /** Minutes per bar: 1, or more when a send ran for hours, so the chart keeps about a hundred bars. */
  bucketMinutes: number;
  bars: MinuteBar[];
}

export interface DeskData {
  counts: Record<Status, number>;
  total: number;
  /** Active subscribers at the end of each day, from the first event to today (or the last event), UTC. */
  activeByDay: DayPoint[];
  sends: DeskSend[];
}

/** How many sends the desk lists; `newsletter status` shows them all. */
export const DESK_SENDS = 5;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** The history charted: at most a year of days, so a long-lived list still draws a few hundred points. */
const MAX_DAYS = 366;
const MAX_BARS = 96;

/**
 * What the preview's home page knows of the audience and the sends, read from the database read-only (the preview
 * never creates or changes it) and only as aggregates, so the page stays fast with a large list. Null when there is
 * no database yet. `now` ends the subscriber history, so a quiet week still reaches today.
 */
export async function readDesk(path: string, now: number): Promise<DeskData | null> {
  if (path === ':memory:' || !existsSync(path)) return null;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const tables = new Set(db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`).all().map((r) => r.name));
    if (!tables.has('subscribers') || !tables.has('subscriber_events')) return null;
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const row of db.prepare<[], { status: Status; n: number }>('SELECT status, count(*) AS n FROM subscribers GROUP BY status').all()) counts[row.status] = row.n;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return { counts, total, activeByDay: activeByDay(db, now), sends: tables.has('sends') && tables.has('deliveries') ? await recentSends(db, now) : [] };
  } finally {
    db.close();
  }
}

/** Each day's net change in active subscribers (joins minus leaves), summed into a running total, gaps filled. */
function activeByDay(db: Database.Database, now: number): DayPoint[] {
  const deltas = db
    .prepare<[], { day: string; delta: number }>(
      `SELECT substr(at, 1, 10) AS day,
              sum(CASE WHEN to_status = 'active' THEN 1 ELSE 0 END) - sum(CASE WHEN from_status IS 'active' THEN 1 ELSE 0 END) AS delta
       FROM subscriber_events
       WHERE (to_status = 'active') <> (from_status IS 'active')
       GROUP BY day ORDER BY day`,
    )
    .all();
  if (deltas.length === 0) return [];
  const byDay = new Map(deltas.map((d) => [Date.parse(`${d.day}T00:00:00Z`), d.delta]));
  const first = Date.parse(`${deltas[0]!.day}T00:00:00Z`);
  const lastEvent = Date.parse(`${deltas.at(-1)!.day}T00:00:00Z`);
  const last = Math.max(lastEvent, Math.floor(now / DAY_MS) * DAY_MS);
  const points: DayPoint[] = [];
  let active = 0;
  for (let day = first; day <= last; day += DAY_MS) {
    active += byDay.get(day) ?? 0;
    points.push({ day: new Date(day), value: active });
  }
  return points.slice(-MAX_DAYS);
}

async function recentSends(db: Database.Database, now: number): Promise<DeskSend[]> {
  const reports = new LedgerReports(db);
  const rows = db
    .prepare<[number], { id: number; slug: string; issue_file: string; subject: string; recipients: number; created_at: number; finished_at: number | null }>(
      'SELECT id, slug, issue_file, subject, recipients, created_at, finished_at FROM sends ORDER BY id DESC LIMIT ?',
    )
    .all(DESK_SENDS);
  const span = db.prepare<[number], { first: number | null; last: number | null }>(
    `SELECT min(updated_at) AS first, max(updated_at) AS last FROM deliveries WHERE send_id = ? AND state = 'sent'`,
  );
  const perBucket = db.prepare<[number, number, number], { bucket: number; n: number }>(
    `SELECT CAST((updated_at - ?) / ? AS INTEGER) AS bucket, count(*) AS n FROM deliveries WHERE send_id = ? AND state = 'sent' GROUP BY bucket ORDER BY bucket`,
  );
  const sends: DeskSend[] = [];
  for (const r of rows) {
    const status = await sendStatus(
      reports,
      { id: r.id, slug: r.slug, issueFile: r.issue_file, subject: r.subject, recipients: r.recipients, createdAt: r.created_at, finishedAt: r.finished_at },
      now,
      { rowLimit: 20 },
    );
    const { first, last } = span.get(r.id)!;
    if (first === null || last === null) {
      sends.push({ status, bucketMinutes: 1, bars: [] });
      continue;
    }
    const start = Math.floor(first / MINUTE_MS) * MINUTE_MS;
    const minutes = Math.floor((last - start) / MINUTE_MS) + 1;
    const bucketMinutes = Math.max(1, Math.ceil(minutes / MAX_BARS));
    const size = bucketMinutes * MINUTE_MS;
    const counts = new Map(perBucket.all(start, size, r.id).map((b) => [b.bucket, b.n]));
    // Every bucket from the first message to the last, quiet ones at zero: a pause shows as a gap, not as nothing.
    const bars: MinuteBar[] = [];
    for (let b = 0; b * size <= last - start; b++) bars.push({ minute: new Date(start + b * size), value: counts.get(b) ?? 0 });
    sends.push({ status, bucketMinutes, bars });
  }
  return sends;
}
