import type { AppliedEvent, FeedbackEvent } from '../feedback/feedback-event.ts';
import type { FeedbackStore } from '../feedback/feedback-store.ts';
import type { SoftBouncePolicy } from '../feedback/suppression-policy.ts';
import type { Subscriber, SubscriberStore } from '../subscribers/subscriber.ts';
import { checkAddress } from '../subscribers/email-address.ts';
import { classifyReturnedMail, type ReturnedMail } from './returned-mail.ts';
import { eventsFromReturnedMail } from './returned-mail-events.ts';

/** What was done about one report. */
export type Outcome = 'bounced' | 'complained' | 'unsubscribed' | 'unchanged' | 'kept' | 'unverified' | 'not on the list' | 'skipped';

export const OUTCOMES: readonly Outcome[] = ['bounced', 'complained', 'unsubscribed', 'unchanged', 'kept', 'unverified', 'not on the list', 'skipped'];

export interface Result {
  /** The message: a file (and its number in an mbox), or an IMAP mailbox and uid. */
  source: string;
  outcome: Outcome;
  email: string | null;
  detail: string;
}

export interface ReturnedMailContext {
  subscribers: SubscriberStore;
  feedback: FeedbackStore;
  /** `sending.unsubscribe_mailto`: mail to it is an unsubscribe request. */
  unsubscribeAddress: string | null;
  policy: SoftBouncePolicy;
  dryRun: boolean;
  now: () => number;
}

async function lookup(store: SubscriberStore, address: string): Promise<Subscriber | null> {
  const check = checkAddress(address);
  return check.ok ? store.get(check.normalized) : null;
}

/** An unsubscribe request by mail: whoever sent it leaves, when they are on the list. */
async function unsubscribe(ctx: ReturnedMailContext, address: string): Promise<Omit<Result, 'source'>> {
  const subscriber = await lookup(ctx.subscribers, address);
  if (!subscriber) return { outcome: 'not on the list', email: address, detail: 'no subscriber has this address' };
  if (!['active', 'pending'].includes(subscriber.status)) return { outcome: 'unchanged', email: subscriber.email, detail: `already ${subscriber.status}` };
  const reason = 'asked to unsubscribe by email';
  if (!ctx.dryRun) await ctx.subscribers.setStatus(subscriber.emailNormalized, 'unsubscribed', reason, 'mailto');
  return { outcome: 'unsubscribed', email: subscriber.email, detail: reason };
}

/**
 * What the feedback store did, in `bounces`' words. An event that matches no message this newsletter sent changes
 * nothing: a forged or foreign report cannot take anyone off the list.
 */
async function outcomeOf(ctx: ReturnedMailContext, applied: AppliedEvent): Promise<Omit<Result, 'source'>> {
  const { event, detail } = applied;
  switch (applied.outcome) {
    case 'suppressed':
      return { outcome: event.kind === 'complaint' ? 'complained' : 'bounced', email: applied.email, detail };
    case 'recorded':
      return { outcome: detail.startsWith('already') ? 'unchanged' : 'kept', email: applied.email, detail };
    case 'duplicate':
      return { outcome: 'unchanged', email: applied.email, detail: 'read before' };
    case 'unmatched': {
      for (const candidate of event.recipients) {
        const known = await lookup(ctx.subscribers, candidate);
        if (!known) continue;
        const why = event.messageId === null ? 'the report does not include the original message, so it cannot be checked; see `subscribers remove`' : detail;
        return { outcome: 'unverified', email: known.email, detail: why };
      }
      return { outcome: 'not on the list', email: event.recipients[0] ?? null, detail: 'no subscriber has this address' };
    }
  }
}

/**
 * One returned message, start to end: classified, its bounce and complaint reports recorded through the feedback
 * store (matching by Message-ID, recorded once, the suppression policy) in one batch, an unsubscribe request applied
 * directly. With `dryRun`, what it would do. The same for files and the IMAP mailbox.
 */
export async function applyReturnedMessage(ctx: ReturnedMailContext, message: { label: string; text: string }): Promise<Result[]> {
  const mails: ReturnedMail[] = await classifyReturnedMail(message.text, ctx.unsubscribeAddress);
  const now = ctx.now();
  const slots: (Omit<Result, 'source'> | number)[] = [];
  const events: FeedbackEvent[] = [];
  for (const [index, mail] of mails.entries()) {
    if (mail.kind === 'other') slots.push({ outcome: 'skipped', email: null, detail: mail.why });
    else if (mail.kind === 'unsubscribe') slots.push(await unsubscribe(ctx, mail.address));
    else {
      const event = eventsFromReturnedMail(mail, index, message.text, now);
      if (event) slots.push(events.push(event) - 1);
      else slots.push({ outcome: 'kept', email: mail.candidates[0] ?? null, detail: 'a report that changes nothing' });
    }
  }
  const result = events.length ? await ctx.feedback.apply(events, now, ctx.policy, { dryRun: ctx.dryRun }) : { replay: false as const, applied: [] };
  // Only a nonce can be a replay, and none is given.
  const applied = result.replay ? [] : result.applied;
  const out: Result[] = [];
  for (const slot of slots) out.push({ source: message.label, ...(typeof slot === 'number' ? await outcomeOf(ctx, applied[slot]!) : slot) });
  return out;
}

/**
 * Events from a provider's event file (../feedback/event-file.ts), recorded through the feedback store like a
 * webhook's, in batches of a thousand: each result names the place in the file it came from. Values that hold no
 * delivery feedback (opens, clicks, sends) are counted as skipped.
 */
export async function applyFileEvents(ctx: ReturnedMailContext, entries: readonly { where: string; events: readonly FeedbackEvent[]; ignored: number }[]): Promise<Result[]> {
  const out: Result[] = [];
  const pending: { where: string; event: FeedbackEvent }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const result = await ctx.feedback.apply(
      pending.map((p) => p.event),
      ctx.now(),
      ctx.policy,
      { dryRun: ctx.dryRun },
    );
    const applied = result.replay ? [] : result.applied;
    for (const [i, p] of pending.entries()) out.push({ source: p.where, ...(await outcomeOf(ctx, applied[i]!)) });
    pending.length = 0;
  };
  for (const entry of entries) {
    for (const event of entry.events) {
      pending.push({ where: entry.where, event });
      if (pending.length >= 1000) await flush();
    }
    if (entry.ignored > 0) {
      await flush();
      out.push({ source: entry.where, outcome: 'skipped', email: null, detail: `${entry.ignored === 1 ? 'an event' : `${entry.ignored} events`} not about delivery (a send, an open, a click)` });
    }
  }
  await flush();
  return out;
}
