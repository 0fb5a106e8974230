import type pg from 'pg';
import { parseTags } from '../../audience/tags.ts';
import type { NewSubscriber, Subscriber } from '../../subscribers/subscriber.ts';
import { DuplicateSubscriberError } from '../sqlite-subscribers.ts';
import { mailedWindowStart, refusal, resendRefusal, type SignUpRequest, type SignUpResult } from '../sign-up-decision.ts';
import type { SignUps } from '../stores.ts';
import { enqueueConfirmation, mailedSince, skipConfirmation } from './pg-confirmation-queue.ts';
import { changeStatus, insertSubscriber, lockSubscriber, lockSubscriberById } from './pg-subscribers.ts';
import { renewConsent } from './pg-subscriber-consent.ts';
import { tagSubscriber } from './pg-subscriber-tags.ts';
import { transaction } from './pg-transaction.ts';

/**
 * Sign-ups and resends on PostgreSQL, decided by the rules of sign-up-decision.ts, one transaction each. The
 * subscriber's row is locked before anything is decided, so requests for one address, from any number of servers,
 * take turns: the second sees the first's queued email and is held to the daily limit. `now` is the clock of the
 * subscriber rows and their events; the queue's times are the request's own.
 */
export class PgSignUps implements SignUps {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async signUp(request: SignUpRequest, now: Date): Promise<SignUpResult> {
    const at = now.getTime();
    return transaction(this.pool, async (client) => {
      const stamp = this.now().toISOString();
      for (;;) {
        // A concurrent sign-up of the same new address makes this wait for it, then insert nothing.
        const added = await insertSubscriber(client, { ...request, status: 'pending', source: 'form', reason: 'signed up on the web' }, stamp);
        if (added) {
          await enqueueConfirmation(client, added.id, at);
          return { queued: true, subscriber: added, was: null };
        }
        const known = await lockSubscriber(client, request.emailNormalized);
        // Erased between the two statements: it is unknown again.
        if (!known) continue;
        const refused = refusal(known, await mailedSince(client, known.id, mailedWindowStart(at)));
        if (refused) {
          await skipConfirmation(client, known.id, at, refused);
          return { queued: false, subscriber: known, why: refused };
        }
        if (known.status === 'unsubscribed') await changeStatus(client, known, 'pending', 'asked to subscribe again on the web', 'form', stamp);
        // Queued means pending now: the tags asked for come with the request that the click will confirm.
        await tagSubscriber(client, known.id, 'pending', parseTags(request.tags ?? []), 'form', stamp);
        await renewConsent(client, known.id, request.consent, now.toISOString());
        await enqueueConfirmation(client, known.id, at);
        return { queued: true, subscriber: known, was: known.status };
      }
    });
  }

  async resendConfirmation(subscriber: Subscriber, now: Date): Promise<SignUpResult> {
    const at = now.getTime();
    return transaction(this.pool, async (client) => {
      const current = (await lockSubscriberById(client, subscriber.id)) ?? subscriber;
      const refused = resendRefusal(current, await mailedSince(client, current.id, mailedWindowStart(at)));
      if (refused) {
        await skipConfirmation(client, current.id, at, refused);
        return { queued: false, subscriber: current, why: refused };
      }
      await enqueueConfirmation(client, current.id, at);
      return { queued: true, subscriber: current, was: current.status };
    });
  }

  async addPending(subscriber: Omit<NewSubscriber, 'status'>, now: Date): Promise<Subscriber> {
    return transaction(this.pool, async (client) => {
      const added = await insertSubscriber(client, { ...subscriber, status: 'pending' }, this.now().toISOString());
      if (!added) throw new DuplicateSubscriberError(subscriber.email);
      await enqueueConfirmation(client, added.id, now.getTime());
      return added;
    });
  }
}
