import { parseTags } from '../audience/tags.ts';
import type { NewSubscriber, Subscriber } from '../subscribers/subscriber.ts';
import { transaction, type Db } from './open.ts';
import { mailedWindowStart, refusal, resendRefusal, type SignUpRequest, type SignUpResult } from './sign-up-decision.ts';
import { SqliteConfirmationTable } from './sqlite-confirmation-queue.ts';
import { renewConsent } from './sqlite-subscriber-consent.ts';
import { SqliteSubscriberTags } from './sqlite-subscriber-tags.ts';
import { SqliteSubscriberTable } from './sqlite-subscribers.ts';
import type { SignUps } from './stores.ts';

/**
 * Sign-ups on SQLite: each decided (sign-up-decision.ts) and recorded in one IMMEDIATE transaction, so the
 * subscriber's status and the queue's row commit together, and two requests for one address run one after the other.
 */
export class SqliteSignUps implements SignUps {
  readonly #db: Db;
  readonly #store: SqliteSubscriberTable;
  readonly #queue: SqliteConfirmationTable;
  readonly #tags: SqliteSubscriberTags;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#store = new SqliteSubscriberTable(db, now);
    this.#queue = new SqliteConfirmationTable(db);
    this.#tags = new SqliteSubscriberTags(db, now);
  }

  async signUp(request: SignUpRequest, now: Date): Promise<SignUpResult> {
    const at = now.getTime();
    return transaction(this.#db, () => {
      const known = this.#store.get(request.emailNormalized);
      if (!known) {
        const subscriber = this.#store.add({ ...request, status: 'pending', source: 'form', reason: 'signed up on the web' });
        this.#queue.enqueue(subscriber.id, at);
        return { queued: true, subscriber, was: null };
      }
      const refused = refusal(known, this.#queue.mailedSince(known.id, mailedWindowStart(at)));
      if (refused) {
        this.#queue.skip(known.id, at, refused);
        return { queued: false, subscriber: known, why: refused };
      }
      if (known.status === 'unsubscribed') this.#store.setStatus(known.emailNormalized, 'pending', 'asked to subscribe again on the web', 'form');
      // Queued means pending now: the tags asked for come with the request that the click will confirm.
      this.#tags.tag(known.id, 'pending', parseTags(request.tags ?? []), 'form');
      renewConsent(this.#db, known.id, request.consent, now.toISOString());
      this.#queue.enqueue(known.id, at);
      return { queued: true, subscriber: known, was: known.status };
    });
  }

  async resendConfirmation(subscriber: Subscriber, now: Date): Promise<SignUpResult> {
    const at = now.getTime();
    return transaction(this.#db, () => {
      const current = this.#store.byId(subscriber.id) ?? subscriber;
      const refused = resendRefusal(current, this.#queue.mailedSince(current.id, mailedWindowStart(at)));
      if (refused) {
        this.#queue.skip(current.id, at, refused);
        return { queued: false, subscriber: current, why: refused };
      }
      this.#queue.enqueue(current.id, at);
      return { queued: true, subscriber: current, was: current.status };
    });
  }

  async addPending(subscriber: Omit<NewSubscriber, 'status'>, now: Date): Promise<Subscriber> {
    return transaction(this.#db, () => {
      const added = this.#store.add({ ...subscriber, status: 'pending' });
      this.#queue.enqueue(added.id, now.getTime());
      return added;
    });
  }
}
