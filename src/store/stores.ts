import type { SubscriberStore, Subscriber } from '../subscribers/subscriber.ts';
import type { ConfirmationQueue } from './confirmation-queue.ts';
import type { Ledger } from './ledger/ledger.ts';
import type { SignUpRequest, SignUpResult } from './sign-up-decision.ts';

/**
 * A sign-up or a resend, decided and recorded in one transaction (see sign-up-decision.ts): the subscriber's
 * status and the confirmation queue's row commit together or not at all.
 */
export interface SignUps {
  signUp(request: SignUpRequest, now: Date): Promise<SignUpResult>;
  resendConfirmation(subscriber: Subscriber, now: Date): Promise<SignUpResult>;
}

export type Engine = 'sqlite' | 'postgres';

/** Everything the newsletter keeps, on one engine, opened by `openStores` (open-stores.ts). */
export interface Stores {
  engine: Engine;
  /** Where the data is, for messages: the file, or `host:port/database`; never a password. */
  where: string;
  subscribers: SubscriberStore;
  ledger: Ledger;
  confirmations: ConfirmationQueue;
  signUps: SignUps;
  close(): Promise<void>;
}
