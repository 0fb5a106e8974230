import type { Ledger } from '../../store/ledger/ledger.ts';
import { LEASE_RENEW_MS, type Claimed, type DeliveryResult, type DeliveryState } from '../../store/ledger/records.ts';
import { nextAttempt } from '../pace/backoff.ts';
import type { Envelope, MessageTransport, Outcome } from '../transport/message-transport.ts';
import { RateMeter } from './progress.ts';
import type { RateLimiter } from '../pace/rate-limiter.ts';

/** One subscriber's message, built when its row is claimed. */
export interface Composed {
  envelope: Envelope;
  message: Buffer | Promise<Buffer>;
  messageId: string;
}

export interface RunnerOptions {
  ledger: Ledger;
  sendId: number;
  runId: number;
  transport: MessageTransport;
  compose: (claimed: Claimed) => Composed;
  limiter: RateLimiter;
  /**
   * The send-wide caps, shared with the send's other workers through the database (send/pace/shared-bucket.ts):
   * grants up to `wanted` of what the local limiter allowed. None when the send has no caps.
   */
  shared?: (wanted: number, now: number) => Promise<{ granted: number; nextAt: number }>;
  /** Messages in flight at once (never more than the transport's connections are useful for). */
  concurrency: number;
  /** How long temporary failures are retried before a row counts as failed. */
  retryForMs: number;
  /** Temporary failures in a row, with no success between, that pause the whole send. */
  pauseAfter: number;
  /** Wait for retries that are not due yet (true), or end the run with outcome `waiting` (false). */
  waitForRetries: boolean;
  clock: () => number;
  /** Aborting pauses cleanly: nothing new is claimed, messages in flight finish and are recorded. */
  signal: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunProgress {
  counts: Record<DeliveryState, number>;
  /** Messages a second over the last few seconds. */
  rate: number;
  /** When the next retry is due, while the run only waits for retries. */
  waitingUntil: number | null;
}

export type RunOutcome =
  /** No row is queued, sending or retry. */
  | { outcome: 'finished' }
  /** Ctrl-C: rows not yet claimed stay queued. */
  | { outcome: 'interrupted' }
  /** The server kept answering with temporary failures. */
  | { outcome: 'paused'; reason: string }
  /** Nothing can be sent (authentication refused, sender refused): no subscriber is blamed. */
  | { outcome: 'stopped'; reason: string }
  /** Only retries that are not due yet remain, and the run was told not to wait. */
  | { outcome: 'waiting'; nextRetryAt: number };

/** The longest a run waits between flushes, however idle: each flush beats its heartbeat (renews its lease). */
const HEARTBEAT_MS = LEASE_RENEW_MS;

/** How often, at most, the counts shown are refreshed from the ledger. */
const RECOUNT_MS = 5_000;
/**
 * A recount reads every row of the send (about 300 ms at 1,000,000 rows on PostgreSQL, docs/scaling.md), and only
 * catches up with other workers; a run keeps its own counts between recounts. So the next one waits at least this
 * many times as long as the last took, keeping recounts under 2% of a worker's time and of the database's.
 */
const RECOUNT_SHARE = 50;

/**
 * The send loop: claim → compose → send → record, with the ledger's group commit in between. Each commit records
 * every message finished since the last one and claims as many rows as there are free slots and rate tokens, so the
 * number of rows `sending` never exceeds the concurrency: after a crash, at most that many are in doubt.
 */
export function runSend(options: RunnerOptions, initialCounts: Record<DeliveryState, number>): Promise<RunOutcome> {
  const { ledger, sendId, runId, transport, limiter, clock, signal } = options;
  const counts = { ...initialCounts };
  const meter = new RateMeter();
  const results: DeliveryResult[] = [];
  let inFlight = 0;
  let temporaryInARow = 0;
  let ending: RunOutcome | null = null;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  let waitingUntil: number | null = null;
  let countedAt = clock();
  let recountEvery = RECOUNT_MS;
  let flushing = false;
  let again = false;

  return new Promise<RunOutcome>((resolve, reject) => {
    const onAbort = () => schedule(0);
    signal.addEventListener('abort', onAbort);
    // The lease is renewed even while every slot waits on a slow server and nothing else would commit.
    const lease = setInterval(() => schedule(0), LEASE_RENEW_MS);

    const schedule = (delay: number) => {
      if (delay <= 0) {
        if (timer) clearTimeout(timer);
        timer = null;
        immediate ??= setImmediate(flush);
      } else if (!immediate && !timer) {
        timer = setTimeout(flush, Math.min(delay, HEARTBEAT_MS));
      }
    };

    const done = (outcome: RunOutcome) => {
      signal.removeEventListener('abort', onAbort);
      clearInterval(lease);
      if (timer) clearTimeout(timer);
      resolve(outcome);
    };

    const record = (claimed: Claimed, outcome: Outcome, messageId: string) => {
      const now = clock();
      const key = { subscriberId: claimed.subscriberId, reply: outcome.reply };
      counts.sending--;
      switch (outcome.kind) {
        case 'sent':
          temporaryInARow = 0;
          meter.add(now, 1);
          limiter.speedUp(now);
          results.push({ ...key, state: 'sent', messageId });
          counts.sent++;
          return;
        case 'retry': {
          if (outcome.slowDown) limiter.slowDown(now, meter.rate(now));
          if (++temporaryInARow >= options.pauseAfter && !ending) {
            ending = { outcome: 'paused', reason: `the server answered ${temporaryInARow} messages in a row with a temporary failure (the last: ${outcome.reply})` };
          }
          const next = nextAttempt({ attempt: claimed.attempts, firstAttemptAt: claimed.firstAttemptAt, now, retryForMs: options.retryForMs, seed: claimed.subscriberId });
          if ('giveUp' in next) {
            results.push({ ...key, state: 'failed', bounce: false, reply: `gave up after ${claimed.attempts} attempts: ${outcome.reply}` });
            counts.failed++;
          } else {
            results.push({ ...key, state: 'retry', nextAttemptAt: next.at });
            counts.retry++;
          }
          return;
        }
        case 'failed':
          temporaryInARow = 0;
          results.push({ ...key, state: 'failed', bounce: outcome.bounce });
          counts.failed++;
          return;
        case 'in_doubt':
          results.push({ ...key, state: 'in_doubt' });
          counts.in_doubt++;
          return;
        case 'stop':
          ending ??= { outcome: 'stopped', reason: outcome.reply };
          results.push({ ...key, state: 'queued' });
          counts.queued++;
      }
    };

    const dispatch = (claimed: Claimed) => {
      inFlight++;
      counts[claimed.previous]--;
      counts.sending++;
      let composed: Composed;
      try {
        composed = options.compose(claimed);
      } catch (error) {
        inFlight--;
        record(claimed, { kind: 'stop', reply: `could not build the message: ${(error as Error).message}` }, '');
        schedule(0);
        return;
      }
      Promise.resolve(composed.message)
        .then((message) => transport.send(composed.envelope, message))
        .then(
          (outcome) => record(claimed, outcome, composed.messageId),
          // A transport never rejects for what the server did; anything else may have happened after the data went out.
          (error: unknown) => record(claimed, { kind: 'in_doubt', reply: `unexpected error: ${(error as Error).message}` }, composed.messageId),
        )
        .finally(() => {
          inFlight--;
          schedule(0);
        });
    };

    const flush = () => {
      immediate = null;
      timer = null;
      // One flush at a time: the ledger is asynchronous, and a flush asked for meanwhile runs right after.
      if (flushing) {
        again = true;
        return;
      }
      flushing = true;
      again = false;
      step().then(
        (finished) => {
          flushing = false;
          if (finished) return done(finished);
          if (again) schedule(0);
        },
        (error: unknown) => {
          flushing = false;
          signal.removeEventListener('abort', onAbort);
          clearInterval(lease);
          if (timer) clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };

    /** One group commit and what follows from it; resolves with the run's outcome once it has ended. */
    const step = async (): Promise<RunOutcome | null> => {
      const now = clock();
      if (signal.aborted && !ending) ending = { outcome: 'interrupted' };
      const free = ending ? 0 : options.concurrency - inFlight;
      let wanted = free > 0 ? limiter.take(now, free) : 0;
      let sharedNextAt = now;
      if (wanted > 0 && options.shared) {
        const { granted, nextAt } = await options.shared(wanted, now);
        limiter.refund(wanted - granted);
        wanted = granted;
        sharedNextAt = nextAt;
      }
      const claimed = await ledger.commit(sendId, runId, results.splice(0), wanted, now, (previous) => {
        counts[previous]--;
        counts.suppressed++;
      });
      if (now - countedAt >= recountEvery) {
        // Another process may be sending the same issue; the ledger's counts are the truth.
        const started = performance.now();
        const fresh = await ledger.counts(sendId);
        recountEvery = Math.max(RECOUNT_MS, RECOUNT_SHARE * (performance.now() - started));
        // Rows claimed in this commit are already counted as theirs by the ledger; dispatch below moves them again.
        for (const c of claimed) {
          fresh[c.previous]++;
          fresh.sending--;
        }
        Object.assign(counts, fresh);
        countedAt = now;
      }
      for (const c of claimed) dispatch(c);
      waitingUntil = null;
      if (inFlight === 0 && ending) {
        // A message that failed while being built is recorded in this same flush; nothing may be left unrecorded.
        if (results.length > 0) await ledger.commit(sendId, runId, results.splice(0), 0, now);
        return ending;
      }
      const nothingClaimable = async () => inFlight === 0 && !(await ledger.hasQueued(sendId)) && ((await ledger.nextRetryAt(sendId)) ?? Infinity) > now;
      if (!ending && (claimed.length < wanted || (wanted < free && (await nothingClaimable())))) {
        // Nothing more to claim now: finished, or only retries that are not due yet.
        if (inFlight === 0 && results.length > 0) {
          // Messages that finished while this flush awaited the ledger are not recorded yet: the next flush does.
          again = true;
        } else if (inFlight === 0 && !(await ledger.hasQueued(sendId))) {
          const next = await ledger.nextRetryAt(sendId);
          if (next === null) return { outcome: 'finished' };
          if (next > now && !options.waitForRetries) return { outcome: 'waiting', nextRetryAt: next };
          waitingUntil = next;
          schedule(Math.max(1, next - now));
        } else if (inFlight === 0) {
          again = true;
        }
      } else if (!ending && free > 0 && wanted < free) {
        schedule(Math.max(1, Math.max(limiter.nextAt(now), sharedNextAt) - now));
      }
      options.onProgress?.({ counts: { ...counts }, rate: meter.rate(now), waitingUntil });
      return null;
    };

    schedule(0);
  });
}
