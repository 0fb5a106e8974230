import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/load.ts';
import type { Environment } from '../config/environment.ts';
import { processLiveness } from '../send/run/liveness.ts';
import { LEASE_RENEW_MS } from '../store/ledger/records.ts';
import type { Stores } from '../store/stores.ts';
import { OPEN_SCHEDULE_STATES } from './schedule-store.ts';
import { decideSchedule } from './schedule-decision.ts';
import { syncFrontMatterSchedules } from './front-matter-schedules.ts';
import { sequenceTick } from './sequence-steps.ts';
import { fileHash, joinSchedule, startSchedule } from './scheduled-send.ts';
import type { JobContext } from './job-context.ts';
import { mailboxPollLoop } from './mailbox-poll.ts';

export interface WorkerOptions {
  root: string;
  environment: Environment;
  stores: Stores;
  log: (line: string) => void;
  /** How often it looks for due work. */
  pollMs?: number;
  clock?: () => number;
}

/** How often a worker looks for work by default: a schedule goes within a second of its time. */
export const DEFAULT_POLL_MS = 1000;

/**
 * A worker: registers itself, waits its turn on SQLite (one worker per file; the others stand by), then runs due
 * scheduled sends, welcome emails, sequence steps and (events.imap.interval) the bounce mailbox until `signal`
 * aborts; sends in flight then finish and are recorded before it returns.
 */
export async function runWorker(options: WorkerOptions, signal: AbortSignal): Promise<void> {
  const { stores, log } = options;
  const clock = options.clock ?? Date.now;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const host = hostname();
  const alive = processLiveness(host);
  const me = await stores.workers.register({ pid: process.pid, host }, clock());
  const beat = setInterval(() => {
    stores.workers.heartbeat(me.id, clock()).catch((error: unknown) => log(`worker ${me.id}: heartbeat not recorded: ${(error as Error).message}`));
  }, LEASE_RENEW_MS);
  beat.unref();
  try {
    const exclusive = stores.engine === 'sqlite';
    let waiting = false;
    for (;;) {
      let holder;
      try {
        holder = await stores.workers.takeOver(me.id, exclusive, clock(), alive);
      } catch (error) {
        // A database busy for a moment (SQLite's lock held by a long write) is asked again, not a reason to exit.
        log(`worker ${me.id}: ${(error as Error).message}; asking again`);
        if (!(await pause(pollMs, signal))) return;
        continue;
      }
      if (!holder) break;
      if (!waiting) {
        log(`worker ${me.id}: waiting: worker ${holder.id} (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.startedAt).toISOString()}) runs on this SQLite database; one worker runs per SQLite file, and this one takes over when it stops (PostgreSQL runs any number)`);
        waiting = true;
      }
      if (!(await pause(pollMs, signal))) return;
    }
    log(`worker ${me.id}: running (pid ${process.pid} on ${host}, ${stores.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${stores.where}); Ctrl-C or SIGTERM stops it after the messages in flight`);
    const ctx: JobContext = { root: options.root, environment: options.environment, stores, workerId: me.id, host, clock, log, signal };
    // Queueing a step reads the sequence's enrolments (about 0.4 s on SQLite, 1.4 s on PostgreSQL at 1,000,000):
    // sequences are looked at every fifth poll, which still mails a welcome within seconds.
    const sequences = sequenceLoop(ctx, options.root, pollMs * 5);
    // The bounce mailbox on its own interval (events.imap.interval), beside the rest.
    const mailbox = mailboxPollLoop(ctx);
    let configProblem: string | null = null;
    // Problems with send_at: lines, said once each rather than every second.
    let told = new Set<string>();
    while (!signal.aborted) {
      try {
        const config = await loadConfig(options.root);
        configProblem = null;
        const synced = await syncFrontMatterSchedules(options.root, config, stores, clock());
        for (const line of synced.changed) log(`schedule ${line}`);
        for (const problem of synced.problems) if (!told.has(problem)) log(`schedule: not scheduled: ${problem}`);
        told = new Set(synced.problems);
        await scheduleTick(ctx, config.schedule.maxDelayMs, alive);
      } catch (error) {
        const message = (error as Error).message;
        // Said once, not every second: the writer is editing the config.
        if (message !== configProblem) log(`worker ${me.id}: ${message}`);
        configProblem = message;
      }
      if (!(await pause(pollMs, signal))) break;
    }
    await Promise.all([sequences, mailbox]);
  } finally {
    clearInterval(beat);
    // Not recorded (the database busy): its lease lapses and the others take it for dead, as after a kill.
    await stores.workers.stop(me.id, clock()).catch((error: unknown) => log(`worker ${me.id}: stop not recorded: ${(error as Error).message}`));
    log(`worker ${me.id}: stopped`);
  }
}

/**
 * Welcome emails and sequences, beside the scheduled sends (a long send never holds up a welcome): a pass every
 * `pollMs`, errors logged once each, until the worker stops.
 */
async function sequenceLoop(ctx: JobContext, root: string, pollMs: number): Promise<void> {
  let last: string | null = null;
  while (!ctx.signal.aborted) {
    try {
      await sequenceTick(ctx, await loadConfig(root));
      last = null;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== last) ctx.log(`automation: ${message}`);
      last = message;
    }
    if (!(await pause(pollMs, ctx.signal))) return;
  }
}

/** Sleeps, or returns false at once when the worker is told to stop. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** One look at the open schedules, each decided (schedule-decision.ts) and acted on in time order. */
async function scheduleTick(ctx: JobContext, maxDelayMs: number, alive: ReturnType<typeof processLiveness>): Promise<void> {
  const { stores, clock, log } = ctx;
  const open = await stores.schedules.list(OPEN_SCHEDULE_STATES);
  if (open.length === 0) return;
  const workers = open.some((s) => s.state === 'starting') ? await stores.workers.list() : [];
  for (const s of open) {
    if (ctx.signal.aborted) return;
    const now = clock();
    const claimant = workers.find((w) => w.id === s.workerId);
    const decision = decideSchedule(s, {
      now,
      maxDelayMs,
      fileHash: s.state === 'blocked' ? fileHash(ctx.root, s.issueFile) : null,
      claimantAlive: claimant !== undefined && claimant.state !== 'stopped' && alive(claimant, now),
    });
    switch (decision.action) {
      case 'wait':
        break;
      case 'miss':
        if (await stores.schedules.transition(s.id, ['scheduled', 'blocked'], 'missed', { reason: decision.reason }, now)) log(`schedule ${s.slug}: ${decision.reason}`);
        break;
      case 'release': {
        // Its worker died between claiming it and recording the send: a send it planned is taken up, else it starts over.
        const latest = await stores.ledger.latestSend(s.slug);
        const planned = latest && latest.finishedAt === null && latest.createdAt >= (s.startedAt ?? Infinity) ? latest : null;
        if (planned) await stores.schedules.transition(s.id, ['starting'], 'sending', { sendId: planned.id }, now);
        else await stores.schedules.transition(s.id, ['starting'], 'scheduled', { workerId: null }, now);
        log(`schedule ${s.slug}: its worker ${s.workerId} died while starting it; ${planned ? 'its send goes on' : 'starting it again'}`);
        break;
      }
      case 'start':
        await startSchedule(ctx, s);
        break;
      case 'join':
        await joinSchedule(ctx, s);
        break;
    }
  }
}
