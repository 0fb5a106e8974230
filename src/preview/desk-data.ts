import type { Pool } from 'pg';
import { sendStatus, type SendStatus, type StatusReads } from '../send/run/send-status.ts';
import type { DayPoint } from './charts/line-chart.ts';
import type { MinuteBar } from './charts/bar-chart.ts';
import { STATUSES, type Status } from '../subscribers/subscriber.ts';
import { isPostgresUrl } from '../store/database-path.ts';

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

export interface DeskSendRow {
  id: number;
  slug: string;
  issue_file: string;
  subject: string;
  recipients: number;
  created_at: number;
  finished_at: number | null;
}

/**
 * The aggregates the desk reads, one implementation per engine (desk-sqlite.ts, desk-pg.ts), each read-only: the
 * preview never creates, migrates or changes the database.
 */
export interface DeskSource {
  /** Which of the tables the desk reads exist: none on a database no command has opened yet. */
  tables(): Promise<{ subscribers: boolean; sends: boolean }>;
  countsByStatus(): Promise<{ status: Status; n: number }[]>;
  /** Per UTC day (`YYYY-MM-DD`), joins to `active` minus leaves from it, in day order. */
  activeDeltas(): Promise<{ day: string; delta: number }[]>;
  recentSends(limit: number): Promise<DeskSendRow[]>;
  sentSpan(sendId: number): Promise<{ first: number | null; last: number | null }>;
  /** Messages sent per bucket of `size` ms from `start`. */
  sentPerBucket(sendId: number, start: number, size: number): Promise<{ bucket: number; n: number }[]>;
  reports: StatusReads;
  close(): Promise<void>;
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
export async function readDesk(location: string, now: number, pgPool?: () => Promise<Pool>): Promise<DeskData | null> {
  const source = isPostgresUrl(location)
    ? (await import('./desk-pg.ts')).pgDeskSource(await pgPool!())
    : (await import('./desk-sqlite.ts')).sqliteDeskSource(location);
  if (!source) return null;
  try {
    const tables = await source.tables();
    if (!tables.subscribers) return null;
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const row of await source.countsByStatus()) counts[row.status] = row.n;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return { counts, total, activeByDay: activeByDay(await source.activeDeltas(), now), sends: tables.sends ? await recentSends(source, now) : [] };
  } finally {
    await source.close();
  }
}

/** The desk, or the one line saying why the database could not be read (the rest of the preview goes on). */
export type DeskRead = { desk: DeskData | null; problem: null } | { desk: null; problem: string };

/**
 * `readDesk`, its failure turned into one line: on PostgreSQL the server, port and database (never the password), as
 * every command says it; on SQLite the driver's first line. Read again at the next visit, so a server that comes
 * back shows at once.
 */
export async function readDeskOrProblem(location: string, now: number, pgPool?: () => Promise<Pool>): Promise<DeskRead> {
  try {
    return { desk: await readDesk(location, now, pgPool), problem: null };
  } catch (error) {
    if (isPostgresUrl(location)) return { desk: null, problem: (await import('../store/pg/pg-errors.ts')).describePgFailure(error, location) };
    return { desk: null, problem: `cannot read ${location}: ${String((error as Error).message ?? error).split('\n')[0]}` };
  }
}

/** Each day's net change in active subscribers (joins minus leaves), summed into a running total, gaps filled. */
function activeByDay(deltas: { day: string; delta: number }[], now: number): DayPoint[] {
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

async function recentSends(source: DeskSource, now: number): Promise<DeskSend[]> {
  const rows = await source.recentSends(DESK_SENDS);
  const sends: DeskSend[] = [];
  for (const r of rows) {
    const status = await sendStatus(
      source.reports,
      { id: r.id, slug: r.slug, issueFile: r.issue_file, subject: r.subject, recipients: r.recipients, createdAt: r.created_at, finishedAt: r.finished_at },
      now,
      { rowLimit: 20 },
    );
    const { first, last } = await source.sentSpan(r.id);
    if (first === null || last === null) {
      sends.push({ status, bucketMinutes: 1, bars: [] });
      continue;
    }
    const start = Math.floor(first / MINUTE_MS) * MINUTE_MS;
    const minutes = Math.floor((last - start) / MINUTE_MS) + 1;
    const bucketMinutes = Math.max(1, Math.ceil(minutes / MAX_BARS));
    const size = bucketMinutes * MINUTE_MS;
    const counts = new Map((await source.sentPerBucket(r.id, start, size)).map((b) => [b.bucket, b.n]));
    // Every bucket from the first message to the last, quiet ones at zero: a pause shows as a gap, not as nothing.
    const bars: MinuteBar[] = [];
    for (let b = 0; b * size <= last - start; b++) bars.push({ minute: new Date(start + b * size), value: counts.get(b) ?? 0 });
    sends.push({ status, bucketMinutes, bars });
  }
  return sends;
}
