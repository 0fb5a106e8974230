import type { ScheduleRecord } from './schedule-store.ts';

/** What a worker does about one schedule now: decided from the row, the clock and the file, with no I/O. */
export type ScheduleDecision =
  /** Nothing yet: not due (until `until`), already settled, or another live worker has it. */
  | { action: 'wait'; until: number | null }
  /** Due and not started: claim it, check the issue as it is now, and start its send. */
  | { action: 'start' }
  /** Its send has begun: take part in it (another worker may be sending too; the ledger shares the rows). */
  | { action: 'join' }
  /** Not started within max_delay of its time: never sent by itself; the writer sends it by hand. */
  | { action: 'miss'; reason: string }
  /** Claimed by a worker that died before its send was planned: hand it back. */
  | { action: 'release' };

export interface ScheduleFacts {
  now: number;
  /** `schedule.max_delay` in ms. */
  maxDelayMs: number;
  /** The issue file's hash now, or null when it is gone: a blocked schedule is tried again once it changes. */
  fileHash: string | null;
  /** Whether the worker that claimed it still lives (for `starting`). */
  claimantAlive: boolean;
}

const LATE = (s: ScheduleRecord, now: number) => `its time, ${new Date(s.sendAt).toISOString()}, passed ${Math.round((now - s.sendAt) / 60_000)} min ago with no worker to send it`;

export function decideSchedule(s: ScheduleRecord, facts: ScheduleFacts): ScheduleDecision {
  const { now, maxDelayMs } = facts;
  const tooLate = now > s.sendAt + maxDelayMs;
  switch (s.state) {
    case 'scheduled':
      if (now < s.sendAt) return { action: 'wait', until: s.sendAt };
      if (tooLate) return { action: 'miss', reason: `missed: ${LATE(s, now)} (more than schedule.max_delay late); send it by hand with newsletter send ${s.slug}` };
      if (now < s.nextTryAt) return { action: 'wait', until: s.nextTryAt };
      return { action: 'start' };
    case 'blocked':
      if (tooLate) return { action: 'miss', reason: `missed: blocked until more than schedule.max_delay after its time (${s.reason ?? 'check errors'}); send it by hand with newsletter send ${s.slug}` };
      // Tried again only once the writer has changed the file (or restored a deleted one).
      return facts.fileHash !== null && facts.fileHash !== s.blockedHash ? { action: 'start' } : { action: 'wait', until: null };
    case 'starting':
      return facts.claimantAlive ? { action: 'wait', until: null } : { action: 'release' };
    case 'sending':
      return now < s.nextTryAt ? { action: 'wait', until: s.nextTryAt } : { action: 'join' };
    default:
      return { action: 'wait', until: null };
  }
}
