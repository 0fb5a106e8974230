import type { Audience, AudiencePreview } from './audience-sql.ts';
import type { Claimed, DeliveryResult, DeliveryState, Liveness, NewSend, RunInfo, RunRecord, SendRecord } from './records.ts';

export interface PlanOptions {
  force?: boolean;
  audience?: Audience;
}

/** One row in a given state, with the subscriber's address and the last reply. */
export interface DeliveryRow {
  subscriberId: number;
  email: string;
  reply: string | null;
  attempts: number;
}

/**
 * The send ledger, one implementation per engine (sqlite-ledger.ts, ../pg/pg-ledger.ts), both held to the same
 * contract suite (test/store/ledger-contract.ts). Every method that changes rows commits in one transaction before
 * it resolves. Times are milliseconds from the caller's clock.
 */
export interface Ledger {
  // A send's life.
  /**
   * Freezes the recipients of a send: one `queued` row per active subscriber in the audience (all of them when none
   * is given: see audience-sql.ts), in one transaction, the send's row keeping the segment's text and the topic. An
   * unfinished broadcast of the same slug (a sequence step's standing send is not one: see latestSend) is returned as it is (`created: false`: the caller resumes it, with its frozen
   * rows, whatever audience is asked for now); a finished one raises AlreadySentError unless `force`, which plans
   * a new send to the audience as it is now. An audience with a segment or topic that selects nobody raises
   * EmptyAudienceError and plans nothing.
   */
  plan(input: NewSend, now: number, options?: PlanOptions): Promise<{ send: SendRecord; created: boolean }>;
  /** How many active subscribers an audience selects now, the first `sampleSize` addresses, and unknown tags. */
  previewAudience(audience: Audience, sampleSize: number): Promise<AudiencePreview>;
  startRun(sendId: number, info: RunInfo, now: number): Promise<number>;
  endRun(runId: number, outcome: string, now: number): Promise<void>;
  /**
   * Rows left `sending` by runs that are gone (ended, or judged dead by `alive`) become `in_doubt`, never silently
   * resent; runs still alive keep theirs. Returns the addresses moved.
   */
  recoverAbandoned(sendId: number, now: number, alive: Liveness): Promise<{ subscriberId: number; email: string }[]>;
  /** `in_doubt` rows go back to the queue; returns how many. */
  requeueInDoubt(sendId: number, now: number): Promise<number>;
  /** Marks a finished send unfinished again (to resend its messages in doubt). */
  reopen(sendId: number): Promise<void>;
  /** Rows still owed a message whose subscriber is no longer active become `suppressed`; returns how many. */
  suppressInactive(sendId: number, now: number): Promise<number>;
  /**
   * Marks the send finished when no row still owes a message; returns whether it is finished. A sequence step's
   * standing send (`automation` set) is never finished, and this returns false for it: readers still to come get
   * their rows in it later (automation/automation-store.ts).
   */
  finishIfDone(sendId: number, now: number): Promise<boolean>;

  // The send loop's hot path.
  /**
   * One transaction that records finished messages, beats the run's heartbeat and claims up to `wanted` more rows
   * (due retries first, then the queue in subscriber order). A claimed row whose subscriber has left since planning
   * becomes `suppressed` instead (`onSuppressed` is told); a bounce marks the subscriber in the same transaction.
   */
  commit(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number, onSuppressed?: (previous: 'queued' | 'retry') => void): Promise<Claimed[]>;
  hasQueued(sendId: number): Promise<boolean>;
  /** When the earliest retry is due, or null when none waits. */
  nextRetryAt(sendId: number): Promise<number | null>;

  // Reports.
  /** The newest broadcast of this slug, or null; sequence steps' standing sends (`automation` set) are left out. */
  latestSend(slug: string): Promise<SendRecord | null>;
  send(id: number): Promise<SendRecord | null>;
  /** Every send, newest first, sequence steps' standing sends included (with `automation` set). */
  sends(): Promise<SendRecord[]>;
  runs(sendId: number): Promise<RunRecord[]>;
  counts(sendId: number): Promise<Record<DeliveryState, number>>;
  /** Rows in one state with the subscriber's address and the last reply, in subscriber order. */
  rows(sendId: number, state: DeliveryState, limit?: number): Promise<DeliveryRow[]>;
  /** When each message of any send went out since `since` (sent, or in doubt), for an hourly cap that spans runs. */
  sentTimesSince(since: number): Promise<number[]>;
  /** Whether a message with this Message-ID went to this subscriber in some send: how returned mail is verified. */
  sentMessage(subscriberId: number, messageId: string): Promise<boolean>;
  /** Messages recorded sent since `since`, for a recent rate. */
  sentSince(sendId: number, since: number): Promise<number>;
}
