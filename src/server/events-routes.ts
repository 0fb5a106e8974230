import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppliedEvent, EventOutcome } from '../feedback/feedback-event.ts';
import type { FeedbackStore } from '../feedback/feedback-store.ts';
import type { SoftBouncePolicy } from '../feedback/suppression-policy.ts';
import type { Fetch, WebhookProvider } from '../feedback/webhook-provider.ts';
import { retryWhileBusy } from '../store/busy-retry.ts';
import { maskAddress } from '../subscribers/mask-address.ts';

/** A webhook body bigger than this is refused before it is read whole: a batch of events is a few hundred KB. */
export const MAX_EVENTS_BODY_BYTES = 1024 * 1024;

/** Every refusal, whatever was wrong, gets this: nothing tells a prober which check failed. */
export const REFUSED_STATUS = 401;
export const REFUSED_BODY = '{"error":"not accepted"}';

export interface EventsOptions {
  /** The providers enabled by their secrets (feedback/enabled-providers.ts); any other name is a 404. */
  providers: ReadonlyMap<string, WebhookProvider>;
  feedback: FeedbackStore;
  policy: SoftBouncePolicy;
  /** Fetches an SNS SubscribeURL (the same injectable function the SES verifier fetches certificates with). */
  fetch: Fetch;
  now: () => Date;
  log: (line: string) => void;
}

/** Refusals since the server started, by provider: the log line counts them, so a wrong secret shows at once. */
export type RefusalCounts = Map<string, number>;

const OUTCOMES: EventOutcome[] = ['suppressed', 'recorded', 'duplicate', 'unmatched'];

/**
 * `POST <base>/events/<provider>`: provider feedback. Verification runs on the raw body bytes, before anything is
 * parsed; a verified batch is applied in one transaction (feedback-store.ts), its nonce with it, and answered 200
 * with what it did, as is a batch recorded before. Every refusal (a bad or missing signature, a wrong key, an old
 * timestamp, a replay, a body over 1 MB or not readable) is the same 401, changes nothing, and is logged with its
 * reason and counted; no secret is ever in the line.
 */
export function eventsRoutes(routes: Hono, options: EventsOptions): RefusalCounts {
  const refusals: RefusalCounts = new Map();
  const refuse = (c: Context, provider: string, reason: string) => {
    const n = (refusals.get(provider) ?? 0) + 1;
    refusals.set(provider, n);
    options.log(`events ${provider}: refused (${reason}); ${n} refused since start`);
    return c.body(REFUSED_BODY, REFUSED_STATUS, { 'Content-Type': 'application/json' });
  };
  const known = async (c: Context, next: () => Promise<void>) => {
    if (!options.providers.has(c.req.param('provider') ?? '')) return c.body('{"error":"not found"}', 404, { 'Content-Type': 'application/json' });
    await next();
  };
  const limit = bodyLimit({ maxSize: MAX_EVENTS_BODY_BYTES, onError: (c) => refuse(c, c.req.param('provider') ?? '?', `a body over ${MAX_EVENTS_BODY_BYTES} bytes`) });

  routes.post('/events/:provider', known, limit, async (c) => {
    const name = c.req.param('provider');
    const provider = options.providers.get(name)!;
    const body = Buffer.from(await c.req.arrayBuffer());
    const request = { header: (h: string) => c.req.header(h) ?? null, body };
    const verdict = await provider.verify(request, options.now().getTime());
    if (!verdict.ok) return refuse(c, name, verdict.reason);
    const parsed = provider.parse(body, options.now().getTime());
    if (!parsed.ok) return refuse(c, name, parsed.reason);
    if (parsed.subscribeUrl) {
      const answer = await options.fetch(parsed.subscribeUrl).catch((error: Error) => ({ status: 0, body: error.message }));
      if (answer.status !== 200) {
        options.log(`events ${name}: confirming the SNS subscription failed (${answer.status || answer.body.slice(0, 200)}); SNS will send the confirmation again`);
        return c.body('{"error":"subscription not confirmed"}', 502, { 'Content-Type': 'application/json' });
      }
      options.log(`events ${name}: confirmed the SNS subscription`);
    }
    const now = options.now().getTime();
    const nonce = verdict.nonce ? { provider: provider.name, ...verdict.nonce } : undefined;
    const result = await retryWhileBusy(() => options.feedback.apply(parsed.events, now, options.policy, { nonce }));
    if (result.replay) return refuse(c, name, 'a replay of a request already accepted');
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, result.applied.filter((a) => a.outcome === o).length])) as Record<EventOutcome, number>;
    if (parsed.events.length > 0 || parsed.ignored > 0) options.log(`events ${name}: ${summary(result.applied, parsed.ignored)}`);
    return c.json({ events: parsed.events.length, ...counts, ignored: parsed.ignored }, 200);
  });
  return refusals;
}

/** One line per batch: the counts, and each suppression with the address masked. */
function summary(applied: readonly AppliedEvent[], ignored: number): string {
  const parts = OUTCOMES.map((o) => [o, applied.filter((a) => a.outcome === o).length] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o}`);
  if (ignored > 0) parts.push(`${ignored} ignored`);
  const suppressed = applied.filter((a) => a.outcome === 'suppressed').slice(0, 5);
  const who = suppressed.map((a) => `${maskAddress(a.email ?? '')} ${a.event.kind}`).join(', ');
  return `${applied.length} event${applied.length === 1 ? '' : 's'}: ${parts.join(', ') || 'none'}${who ? ` (${who}${applied.filter((a) => a.outcome === 'suppressed').length > 5 ? ', …' : ''})` : ''}`;
}
