import { createHash } from 'node:crypto';
import { FEEDBACK_KINDS, type FeedbackEvent } from './feedback-event.ts';
import type { SendFeedback } from './feedback-store.ts';
import type { SoftBouncePolicy } from './suppression-policy.ts';
import { checkAddress } from '../subscribers/email-address.ts';

/** How long an event's raw payload is kept: long enough to look into a surprise, short enough to hold little. */
export const RAW_KEPT_MS = 30 * 24 * 3_600_000;

/** The most an event's text fields keep: a diagnostic is a line, not a document. */
const FIELD = 1000;

/** What makes an event unique: its provider and a hash of its id at the source (a provider's retry is the same). */
export function eventKey(event: FeedbackEvent): string {
  return `${event.provider}:${createHash('sha256').update(event.sourceKey).digest('hex').slice(0, 40)}`;
}

/** The recipients an event names, as the list stores them (normalised); unreadable ones are left out. */
export function normalizedRecipients(event: FeedbackEvent): Set<string> {
  const out = new Set<string>();
  for (const r of event.recipients) {
    const bare = /<([^<>\s]+@[^<>\s]+)>/.exec(r)?.[1] ?? r.trim();
    const check = checkAddress(bare);
    if (check.ok) out.add(check.normalized);
  }
  return out;
}

/** A row's columns for an event, the text fields bounded. */
export function eventColumns(event: FeedbackEvent) {
  const cut = (v: string | null) => (v === null ? null : v.slice(0, FIELD));
  return {
    provider: event.provider,
    kind: event.kind,
    email: cut(event.recipients[0] ?? null),
    occurredAt: Math.trunc(event.at),
    messageId: cut(event.messageId),
    providerMessageId: cut(event.providerMessageId),
    status: cut(event.status),
    diagnostic: cut(event.diagnostic),
  };
}

/** The words a status change or a policy decision gives: `5.1.1 user unknown`. */
export function eventDetail(event: FeedbackEvent): string {
  return [event.status, event.diagnostic].filter((v) => v).join(' ').slice(0, 240);
}

/** Why an event matched nothing, for the log and `bounces`. */
export function unmatchedDetail(event: FeedbackEvent): string {
  const id = event.messageId ?? event.providerMessageId;
  return id ? `this newsletter sent no message ${id}${event.recipients[0] ? ` to ${event.recipients[0]}` : ''}` : 'the event names no message this newsletter sent';
}

export const emptyFeedback = (): SendFeedback => Object.fromEntries(FEEDBACK_KINDS.map((k) => [k, 0])) as SendFeedback;

/** Why a matched event changed nothing. */
export function recordedDetail(event: FeedbackEvent, softSends: number, policy: SoftBouncePolicy): string {
  if (event.kind === 'soft-bounce') return `soft bounce ${softSends} of ${policy.limit} across different sends`;
  return event.kind === 'delivered' ? 'delivered' : event.kind === 'deferred' ? 'deferred: still being tried' : event.kind;
}
