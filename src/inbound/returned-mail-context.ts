import type { Config } from '../config/schema.ts';
import type { Stores } from '../store/stores.ts';
import type { ReturnedMailContext } from './apply-returned-mail.ts';

/** What applying returned mail needs, from the config and the stores: the same for `bounces` and the worker's poll. */
export function returnedMailContext(config: Config, stores: Pick<Stores, 'subscribers' | 'feedback'>, dryRun: boolean, now: () => number = Date.now): ReturnedMailContext {
  return {
    subscribers: stores.subscribers,
    feedback: stores.feedback,
    unsubscribeAddress: config.sending.unsubscribe_mailto ?? null,
    policy: config.events.softBounce,
    dryRun,
    now,
  };
}
