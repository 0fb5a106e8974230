import type { AppliedEvent, FeedbackEvent, FeedbackKind, Provider } from './feedback-event.ts';
import type { SoftBouncePolicy } from './suppression-policy.ts';

/** A nonce to claim with a batch: the batch is refused whole (`replay`) when the nonce was seen before. */
export interface Nonce {
  provider: Provider;
  value: string;
  expiresAt: number;
}

export interface ApplyOptions {
  nonce?: Nonce | undefined;
  dryRun?: boolean;
}

/** Feedback recorded against one send, for `status`. */
export type SendFeedback = Record<FeedbackKind, number>;

/**
 * Provider and mailbox feedback, one implementation per engine (sqlite-feedback.ts, pg/pg-feedback.ts), both held to
 * one contract (test/store/feedback-contract.ts). An event is matched to the delivery row it is about by our
 * Message-ID, else by the provider's id captured from the 250 reply (deliveries.provider_id); when it names
 * recipients, the row's subscriber must be one of them. It is then recorded once (by provider and source key) and the
 * suppression policy applied, in the same transaction.
 */
export interface FeedbackStore {
  /**
   * Records a batch in one transaction and returns what each event did, in order. With a nonce already seen, nothing
   * is recorded and the answer is `replay`. Raw payloads older than 30 days are dropped on the way. `dryRun` works
   * the batch out in full and rolls it back: what `bounces --dry-run` shows.
   */
  apply(events: readonly FeedbackEvent[], now: number, policy: SoftBouncePolicy, options?: ApplyOptions): Promise<{ replay: true } | { replay: false; applied: AppliedEvent[] }>;
  /** Counts of recorded events by kind for each of these sends. */
  sendFeedback(sendIds: readonly number[]): Promise<Map<number, SendFeedback>>;
  /** Events received since `since` by provider and outcome, unmatched included: what `status` shows. */
  recent(since: number): Promise<{ provider: Provider; kind: FeedbackKind; matched: boolean; count: number }[]>;
}
