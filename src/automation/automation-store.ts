import type { NewSend, SendRecord } from '../store/ledger/records.ts';
import type { Trigger } from './trigger.ts';

/** What a step's standing send carries: the issue as rendered now, and the sequence's topic (null: the main list). */
export interface StepContent extends NewSend {
  topic: string | null;
}

export interface QueueStep {
  sequence: string;
  /** The step's standing send (stepSend). */
  sendId: number;
  /** The previous step's standing send, or null for the first step. */
  previousSendId: number | null;
  /** How long after enrolment (first step) or after the previous step settled a subscriber is due. */
  delayMs: number;
  /** The sequence's topic: a subscriber who left it gets no further step. Null for the main list. */
  topic: string | null;
  now: number;
}

/** One step's subscribers, for `newsletter status --automations`; together they add up to `enrolled`. */
export interface StepCounts {
  /** Enrolled, still active and in the topic, and not yet sent this step (no row yet, or one queued, sending or retrying). */
  waiting: number;
  sent: number;
  /** Rows suppressed, plus enrolled subscribers no longer active or gone from the topic who were not sent this step. */
  skipped: number;
  failed: number;
  inDoubt: number;
}

/**
 * Who entered which sequence and what each step owes them (issue 17), one implementation per engine
 * (../store/sqlite-automations.ts, ../store/pg/pg-automations.ts), both held to test/store/automations-contract.ts.
 * Each (step, subscriber) is at most one delivery row in the step's standing ledger send, so restarts and several
 * workers never mail a step twice: the database's primary key decides, not the caller. Every method that changes
 * rows commits in one transaction before it resolves. Times are milliseconds from the caller's clock.
 */
export interface AutomationStore {
  /**
   * The first time a sequence is seen, its cursor starts at the newest subscriber event, so only later triggers
   * enrol (a writer adding a welcome email does not mail the whole list). Later calls change nothing. Returns
   * whether this call was the first.
   */
  ensureSequence(sequence: string, now: number): Promise<boolean>;
  /**
   * Enrols, in one set-based statement, every subscriber who is `active` now and whose event since the cursor matches
   * the trigger; returns how many were enrolled (each subscriber enters a sequence once ever), and advances the
   * cursor (see ENROL_HORIZON_MS). `confirmed`: an event to `active` from `pending` or from nothing (serve's confirm
   * link, `subscribers confirm`, `subscribers add --confirmed`). `tag-added`: a `tag added: <tag>` event while active,
   * or a confirmation as above, of a subscriber who has the tag now (a form that gave it while pending). Events of an
   * import (`via` starting `import:`) never enrol here: see enrolImported. A sequence not seen before is first
   * ensured (and enrols nobody).
   */
  enrol(sequence: string, trigger: Trigger, now: number): Promise<number>;
  /**
   * For `subscribers import --trigger`: enrols the active subscribers whose events with exactly this `via` and an id
   * above `afterEventId` (newestEventId before the import) match the trigger as a confirmation would: a new address
   * imported as active, or, for `tag-added`, also a tag the import gave; for `tag-added` they must have the tag now.
   * Returns how many were enrolled. The cursor does not move.
   */
  enrolImported(sequence: string, trigger: Trigger, via: string, afterEventId: number, now: number): Promise<number>;
  /** The id of the newest subscriber event, 0 when there is none: noted before an import, for enrolImported. */
  newestEventId(): Promise<number>;
  /**
   * The standing ledger send of a step, named by `key` (`<sequence>:<step slug>`, step-key.ts; any other shape
   * throws, naming it): made the first time (no rows, never
   * finished), its content replaced in place when `content.sourceHash` or the topic differs (the writer fixed a
   * typo: readers still to come get the new version). Two processes asking at once for a send not yet made make one.
   */
  stepSend(key: string, content: StepContent, now: number): Promise<SendRecord>;
  /**
   * Queues this step, in one INSERT … SELECT, for the enrolled subscribers now due: for the first step, `delayMs` after
   * their enrolment; for a later step, `delayMs` after their row of the previous step settled (sent, failed, in doubt
   * or suppressed). Only subscribers still active and in the topic, each at most once per step whoever else queues
   * it meanwhile. Adds them to the send's recipients and returns how many were queued.
   */
  queueStep(step: QueueStep): Promise<number>;
  /** The step's counts over the sequence's enrolled subscribers. */
  stepCounts(sequence: string, sendId: number, topic: string | null): Promise<StepCounts>;
  /** How many subscribers ever entered the sequence (still on the list). */
  enrolled(sequence: string): Promise<number>;
}
