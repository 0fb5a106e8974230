/**
 * Scheduled sends (issue 17): one row per schedule. A schedule is `scheduled` until a worker claims it when it is
 * due (`starting`), plans its send in the ledger (`sending`, with the send's id) and sees the send through (`sent`).
 * One not started within `schedule.max_delay` of its time is `missed`; one whose issue has `check` errors when it is
 * due is `blocked` (tried again when the file changes); the writer can cancel one not yet started. At most one
 * schedule of a slug is open (scheduled, starting, sending or blocked): a unique index says so.
 */
export const SCHEDULE_STATES = ['scheduled', 'starting', 'sending', 'sent', 'missed', 'cancelled', 'blocked'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

/** The states in which a schedule still has something to do. */
export const OPEN_SCHEDULE_STATES: readonly ScheduleState[] = ['scheduled', 'starting', 'sending', 'blocked'];

/** Where a schedule came from: `send --at`, or `send_at:` in the issue's front matter. */
export type ScheduleOrigin = 'command' | 'front-matter';

export interface NewSchedule {
  slug: string;
  issueFile: string;
  /** When to send, in ms. */
  sendAt: number;
  /** `--segment` given when scheduling; null for the issue's own `segment:` as it is when the send starts. */
  segment: string | null;
  origin: ScheduleOrigin;
}

export interface ScheduleRecord extends NewSchedule {
  id: number;
  state: ScheduleState;
  /** Why it is missed, blocked or cancelled, or how the send ended when it paused; null otherwise. */
  reason: string | null;
  /** The issue file's hash when it was blocked: a changed file is tried again. */
  blockedHash: string | null;
  /** The ledger send it started. */
  sendId: number | null;
  /** The worker that claimed it. */
  workerId: number | null;
  /** Not tried again before this (a send that paused, say because the SMTP server refused for a while). */
  nextTryAt: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
}

/** What a transition may set besides the state. */
export interface ScheduleFields {
  reason?: string | null;
  blockedHash?: string | null;
  sendId?: number | null;
  workerId?: number | null;
  nextTryAt?: number;
  startedAt?: number | null;
  sendAt?: number;
}

/** Scheduling an issue whose send has already begun. */
export class ScheduleStartedError extends Error {
  constructor(readonly schedule: ScheduleRecord) {
    super(`${schedule.slug} is already being sent (its schedule started ${new Date(schedule.startedAt ?? schedule.updatedAt).toISOString()}); see newsletter status ${schedule.slug}`);
    this.name = 'ScheduleStartedError';
  }
}

/**
 * The schedules, one implementation per engine (sqlite-schedules.ts, ../store/pg/pg-schedules.ts), held to one
 * contract suite. Each method is one transaction; `transition` is a compare-and-set, which is how two workers never
 * take the same schedule: only one of them moves it out of the state both saw.
 */
export interface ScheduleStore {
  /**
   * Adds a schedule. An open one of the same slug that has not started (scheduled or blocked) is cancelled in the
   * same transaction and returned as `replaced`; one starting or sending raises ScheduleStartedError.
   */
  add(input: NewSchedule, now: number): Promise<{ schedule: ScheduleRecord; replaced: ScheduleRecord | null }>;
  /** The slug's open schedule, if any. */
  open(slug: string): Promise<ScheduleRecord | null>;
  /** The slug's newest schedule in any state. */
  latest(slug: string): Promise<ScheduleRecord | null>;
  byId(id: number): Promise<ScheduleRecord | null>;
  /** Schedules in these states (every state when none is given), by time to send, then id. */
  list(states?: readonly ScheduleState[]): Promise<ScheduleRecord[]>;
  /**
   * Moves schedule `id` from one of `from` to `to`, setting `fields`; returns the row after, or null when it was not
   * in one of those states (another worker moved it first, or the writer cancelled it).
   */
  transition(id: number, from: readonly ScheduleState[], to: ScheduleState, fields: ScheduleFields, now: number): Promise<ScheduleRecord | null>;
}

export interface ScheduleRow {
  id: number;
  slug: string;
  issue_file: string;
  send_at: number;
  segment: string | null;
  origin: ScheduleOrigin;
  state: ScheduleState;
  reason: string | null;
  blocked_hash: string | null;
  send_id: number | null;
  worker_id: number | null;
  next_try_at: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** One row mapper for both engines (PostgreSQL's bigint arrives as text). */
export function scheduleFromRow(r: ScheduleRow): ScheduleRecord {
  return {
    id: Number(r.id),
    slug: r.slug,
    issueFile: r.issue_file,
    sendAt: Number(r.send_at),
    segment: r.segment,
    origin: r.origin,
    state: r.state,
    reason: r.reason,
    blockedHash: r.blocked_hash,
    sendId: num(r.send_id),
    workerId: num(r.worker_id),
    nextTryAt: Number(r.next_try_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    startedAt: num(r.started_at),
  };
}

/** The columns `transition` may set, by field, in a fixed order. */
export const SCHEDULE_FIELD_COLUMNS: readonly (readonly [keyof ScheduleFields, string])[] = [
  ['reason', 'reason'],
  ['blockedHash', 'blocked_hash'],
  ['sendId', 'send_id'],
  ['workerId', 'worker_id'],
  ['nextTryAt', 'next_try_at'],
  ['startedAt', 'started_at'],
  ['sendAt', 'send_at'],
];
