import { createHash } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { IssueForSend } from './compose/issue-for-send.ts';
import { messageComposer } from './compose/compose.ts';
import { dkimFromEnv, dkimKeySource } from './dkim/from-env.ts';
import { RateLimiter } from './pace/rate-limiter.ts';
import { processLiveness } from './run/liveness.ts';
import { runSend as runRows, type RunOutcome, type RunProgress } from './run/runner.ts';
import type { MessageTransport } from './transport/message-transport.ts';
import type { Ledger } from '../store/ledger/ledger.ts';
import type { SendPacer } from '../store/stores.ts';
import type { DeliveryState, SendRecord } from '../store/ledger/records.ts';
import { DatabaseBusyError } from '../store/open.ts';
import type { SubscriberStore } from '../subscribers/subscriber.ts';
import { keyringFromEnv } from '../subscribers/tokens.ts';
import type { Environment } from '../config/environment.ts';
import { resolveSegment, UnknownSegmentError, type ChosenSegment } from '../audience/segment-choice.ts';
import { SegmentSyntaxError } from '../audience/segment-parse.ts';
import type { Audience } from '../store/ledger/audience-sql.ts';

/** What the writer chose on the command line that changes what a send does. */
export interface SendChoices {
  /** Messages a second, overriding the config's cap. */
  rate: number | null;
  concurrency: number | null;
  /** Only continue a send already begun; never plan a new one. */
  resume: boolean;
  resendInDoubt: boolean;
  forceResend: boolean;
  /** Wait for retries that are not due yet, rather than ending the run. */
  wait: boolean;
  /** `--segment`: a segment expression or a config name, overriding the issue's `segment:`; null for none. */
  segment?: string | null;
}

/** What signs the unsubscribe links and, when configured, the messages. */
export interface SendKeys {
  keyring: ReturnType<typeof keyringFromEnv>;
  sign: ReturnType<typeof dkimFromEnv>;
}

/** A send that cannot go, and why, in words for the writer. */
export interface SendRefusal {
  refused: string;
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

/** What a send freezes: if any of it changes, the subscribers still to be mailed would get a different issue. */
export function contentHash(r: IssueForSend): string {
  return createHash('sha256').update(`${r.subject}\0${r.html ?? ''}\0${r.text ?? ''}`).digest('hex');
}

/** Whether the issue may go to the list at all, and its keys: checked before the database is opened. */
export function checkSendable(issue: IssueForSend, env: Pick<Environment, 'secret' | 'dkimPrivateKey' | 'dkimPrivateKeyFile'>): SendKeys | SendRefusal {
  const { config } = issue;
  if (issue.status !== 'ready') {
    return { refused: `${issue.file} is a draft; set "status: ready" in its front matter to send it (or send a test with --test you@example.com)` };
  }
  if (!config.url.startsWith('https://') && !isLocal(config.url)) {
    return { refused: `the unsubscribe links would use ${config.url}; a real send needs an https:// "url" in newsletter.yaml (mail clients and providers expect one-click unsubscribe over https)` };
  }
  try {
    return { keyring: keyringFromEnv(env.secret), sign: dkimFromEnv(config, dkimKeySource(env), availableParallelism()) };
  } catch (error) {
    return { refused: `${(error as Error).message}${env.secret ? '' : ' (it signs the unsubscribe links; `openssl rand -hex 32` makes one)'}` };
  }
}

/** What a send will do, read from the ledger and the list without changing either: what `--dry-run` shows. */
export interface SendPlan {
  issue: IssueForSend;
  keys: SendKeys;
  choices: SendChoices;
  /** The latest send of this slug, finished or not. */
  latest: SendRecord | null;
  /** A finished send reopened to resend its messages in doubt. */
  reopen: boolean;
  /** The send this run continues, its counts, and whether the issue changed since it began; null for a new send. */
  resuming: { send: SendRecord; counts: Record<DeliveryState, number>; changed: boolean } | null;
  /** Active subscribers now in the audience: who a new send goes to. */
  active: number;
  /** Who a new send goes to (a resumed send keeps its frozen rows). */
  audience: Audience;
  /** The segment chosen, where it came from, and up to five of its members now; null for everyone. */
  segment: { chosen: ChosenSegment; from: string; sample: string[] } | null;
  /** Said before anything is sent: tags nobody has, a resumed send planned for another segment. */
  warnings: string[];
  concurrency: number;
  rate: number | null;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Reads what a send of `issue` would do; refuses a resume with nothing to resume and an issue already sent. */
export async function prepareSend(
  request: { issue: IssueForSend; keys: SendKeys; choices: SendChoices },
  stores: { ledger: Ledger; subscribers: Pick<SubscriberStore, 'countByStatus'> },
): Promise<SendPlan | SendRefusal> {
  const { issue, choices } = request;
  const { ledger } = stores;
  const slug = issue.slug;
  const latest = await ledger.latestSend(slug);
  // A finished send whose only open question is the messages in doubt is reopened to send those again (once the
  // writer has confirmed; a dry run changes nothing).
  const reopen = latest !== null && latest.finishedAt !== null && choices.resendInDoubt && (await ledger.counts(latest.id)).in_doubt > 0;
  const unfinished = latest && (latest.finishedAt === null || reopen) ? latest : null;
  if (choices.resume && !unfinished) return { refused: `there is no unfinished send of ${slug} to resume${latest ? ' (it was sent in full; see `newsletter status ' + slug + '`)' : ''}` };
  const chosen = chooseSegment(issue, choices);
  if ('refused' in chosen) return chosen;
  const topic = chooseTopic(issue);
  if (typeof topic === 'object' && topic !== null) return topic;
  const audience: Audience = { ...(chosen.segment ? { segment: chosen.segment } : {}), ...(topic !== null ? { topic } : {}) };
  const warnings: string[] = [];
  let active: number;
  let segment: SendPlan['segment'] = null;
  if (chosen.segment || topic !== null) {
    const preview = await ledger.previewAudience(audience, 5);
    active = preview.count;
    if (chosen.segment) segment = { chosen: chosen.segment, from: chosen.from, sample: preview.sample };
    for (const tag of preview.unknownTags) {
      const known = preview.knownTags.length > 0 ? `the known tags are ${preview.knownTags.slice(0, 50).join(', ')}${preview.knownTags.length > 50 ? ', …' : ''}` : 'no subscriber has any tag yet';
      warnings.push(`no subscriber has the tag "${tag}" (${known})`);
    }
    if (!unfinished && active === 0) {
      const who = [
        chosen.segment ? `the segment "${chosen.segment.text}"${chosen.segment.name ? ` (${chosen.segment.name})` : ''}` : '',
        topic !== null ? `the topic "${topic}"` : '',
      ].filter(Boolean);
      return { refused: `${who.join(' with ')} ${who.length > 1 ? 'match' : 'matches'} no active subscriber; nothing sent` };
    }
  } else {
    active = (await stores.subscribers.countByStatus()).active;
  }
  if (unfinished && (unfinished.segment ?? null) !== (chosen.segment?.text ?? null)) {
    warnings.push(
      `this send was planned ${unfinished.segment ? `for the segment "${unfinished.segment}"` : 'for every active subscriber'}; ` +
        `it continues with the subscribers frozen then, not ${chosen.segment ? `the segment "${chosen.segment.text}"` : 'every active subscriber'} asked for now`,
    );
  }
  if (unfinished && (unfinished.topic ?? null) !== topic) {
    const named = (t: string | null) => (t ? `the topic "${t}"` : 'the main list');
    warnings.push(`this send was planned for ${named(unfinished.topic ?? null)}; it continues with the subscribers frozen then, not ${named(topic)} asked for now`);
  }
  if (latest && !unfinished && !choices.forceResend) {
    const c = await ledger.counts(latest.id);
    return {
      refused:
        `${slug} was already sent: ${fmt(c.sent)} sent, ${fmt(c.failed)} failed, finished ${new Date(latest.finishedAt!).toISOString()}.\n` +
        `To send it again to ${chosen.segment ? 'the segment' : 'everyone active'} now (${fmt(active)} subscribers, including those who already got it), add --force-resend.`,
    };
  }
  return {
    issue,
    keys: request.keys,
    choices,
    latest,
    reopen,
    resuming: unfinished ? { send: unfinished, counts: await ledger.counts(unfinished.id), changed: unfinished.sourceHash !== contentHash(issue) } : null,
    active,
    audience,
    segment,
    warnings,
    concurrency: choices.concurrency ?? issue.config.sending.concurrency,
    rate: choices.rate ?? issue.config.sending.rate_per_second,
  };
}

/** The segment asked for (`--segment` beats the issue's `segment:`), resolved through the config's `segments:`. */
function chooseSegment(issue: IssueForSend, choices: SendChoices): { segment: ChosenSegment | null; from: string } | SendRefusal {
  const fromOption = choices.segment ?? null;
  const value = fromOption ?? issue.segment?.value ?? null;
  if (value === null) return { segment: null, from: '' };
  const where = fromOption !== null ? '--segment' : `${issue.file}:${issue.segment!.line}`;
  try {
    return { segment: resolveSegment(value, issue.config.segments), from: fromOption !== null ? '--segment' : `segment: in ${issue.file}` };
  } catch (error) {
    if (error instanceof SegmentSyntaxError) return { refused: `${where}: ${error.message.replace(/^segment, /, 'the segment, ')}` };
    if (error instanceof UnknownSegmentError) return { refused: `${where}: ${error.message}` };
    throw error;
  }
}

/** The issue's `topic:`, null for the main list; one the config does not name is refused at its line. */
function chooseTopic(issue: IssueForSend): string | null | SendRefusal {
  if (issue.topic === null) return null;
  const { id, line } = issue.topic;
  if (issue.config.topics.some((t) => t.id === id)) return id;
  return { refused: `${issue.file}:${line}: the topic "${id}" is not in newsletter.yaml's "topics:"` };
}

/** Temporary failures in a row that pause a send: some, however small the send, and more for a wide one. */
const pauseAfter = (concurrency: number) => Math.max(20, 4 * concurrency);

export interface SendDeps {
  ledger: Ledger;
  /** The send-wide caps, shared by every worker of the send through the database; without it, caps are per process. */
  pacer?: SendPacer;
  transport: MessageTransport;
  /** Told once recovery is done, before any message goes: the rows an earlier run left in doubt. */
  onRecovered?: (send: SendRecord, inDoubt: { email: string }[]) => void;
  clock?: () => number;
  host?: string;
  pid?: number;
}

export interface SendProgress extends RunProgress {
  total: number;
  startedAt: number;
}

export type SendSummary =
  | {
      outcome: RunOutcome;
      send: SendRecord;
      /** Whether no row still owes a message (another run may still be sending). */
      finished: boolean;
      counts: Record<DeliveryState, number>;
      startedAt: number;
      endedAt: number;
      recoveredInDoubt: string[];
      inDoubt: string[];
      errors: { email: string; reply: string | null; attempts: number }[];
    }
  /** The ledger could not be written: the run stopped at once, and rows not recorded stay `sending` for the next run. */
  | { outcome: { outcome: 'busy'; reason: string }; send: SendRecord };

/**
 * Plans (or resumes) the send, recovers rows abandoned by dead runs, and runs until every row is settled, `signal`
 * aborts (a clean pause), or the server makes it stop or pause. Throws AlreadySentError when another process sent
 * the issue meanwhile.
 */
export async function runSend(plan: SendPlan, deps: SendDeps, signal: AbortSignal, onProgress?: (progress: SendProgress) => void): Promise<SendSummary> {
  const { ledger } = deps;
  const clock = deps.clock ?? Date.now;
  const { issue, choices } = plan;
  const now = clock();
  if (plan.reopen) await ledger.reopen(plan.latest!.id);
  const { send } = await ledger.plan(
    { slug: issue.slug, issueFile: issue.file, subject: issue.subject, sourceHash: contentHash(issue), html: issue.html!, text: issue.text!, placeholderPrefix: issue.placeholderPrefix },
    now,
    { force: choices.forceResend && !plan.resuming, audience: plan.audience },
  );
  return runPlannedSend(send, plan, deps, signal, onProgress);
}

/**
 * Runs a send already in the ledger (planned just now, or a sequence step's standing send: automation/): recovers
 * rows abandoned by dead runs, then sends until every row is settled, `signal` aborts, or the server makes it stop.
 * The messages are composed from `send`'s frozen content with `plan`'s config and keys.
 */
export async function runPlannedSend(send: SendRecord, plan: Pick<SendPlan, 'issue' | 'keys' | 'choices' | 'concurrency' | 'rate'>, deps: SendDeps, signal: AbortSignal, onProgress?: (progress: SendProgress) => void): Promise<SendSummary> {
  const { ledger, transport } = deps;
  const clock = deps.clock ?? Date.now;
  const host = deps.host ?? hostname();
  const { choices } = plan;
  const { config } = plan.issue;
  const started = clock();
  const recovered = await ledger.recoverAbandoned(send.id, started, processLiveness(host));
  deps.onRecovered?.(send, await ledger.rows(send.id, 'in_doubt', 100_000));
  if (choices.resendInDoubt) await ledger.requeueInDoubt(send.id, started);
  await ledger.suppressInactive(send.id, started);
  const runId = await ledger.startRun(send.id, { pid: deps.pid ?? process.pid, host, transport: transport.description }, started);
  let outcome: RunOutcome;
  try {
    const perHour = config.sending.rate_per_hour;
    // Messages that went in the last hour, by this send's earlier runs or another send, count against the cap too.
    const sentBefore = perHour === null ? [] : await ledger.sentTimesSince(started - 3_600_000);
    const limiter = new RateLimiter({ perSecond: plan.rate, perHour, now: started, sentBefore });
    outcome = await runRows(
      {
        ledger,
        sendId: send.id,
        runId,
        transport,
        compose: messageComposer({ config, send, keyring: plan.keys.keyring, date: new Date(started), sign: plan.keys.sign }),
        limiter,
        shared: deps.pacer && (plan.rate !== null || perHour !== null) ? (wanted, at) => deps.pacer!.take(send.id, wanted, { perSecond: plan.rate, perHour }, at) : undefined,
        concurrency: Math.min(plan.concurrency, transport.concurrency),
        retryForMs: config.sending.retry_for_minutes * 60_000,
        pauseAfter: pauseAfter(plan.concurrency),
        waitForRetries: choices.wait,
        clock,
        signal,
        onProgress: (p) => onProgress?.({ ...p, total: send.recipients, startedAt: started }),
      },
      await ledger.counts(send.id),
    );
  } catch (error) {
    if (!(error instanceof DatabaseBusyError)) throw error;
    return { outcome: { outcome: 'busy', reason: error.message }, send };
  }
  const ended = clock();
  await ledger.endRun(runId, outcome.outcome, ended);
  // Workers that died meanwhile (their lease lapsed, or their pid is gone here) leave rows `sending` that no one
  // else would settle: this run reports them in doubt before it says whether the send is done.
  if (outcome.outcome === 'finished') recovered.push(...(await ledger.recoverAbandoned(send.id, ended, processLiveness(host))));
  const finished = await ledger.finishIfDone(send.id, ended);
  const errors = [...(await ledger.rows(send.id, 'failed', 50)), ...(await ledger.rows(send.id, 'retry', 50))];
  return {
    outcome,
    send,
    finished,
    counts: await ledger.counts(send.id),
    startedAt: started,
    endedAt: ended,
    recoveredInDoubt: recovered.map((r) => r.email),
    inDoubt: (await ledger.rows(send.id, 'in_doubt', 100_000)).map((r) => r.email),
    errors: errors.map((r) => ({ email: r.email, reply: r.reply, attempts: r.attempts })),
  };
}
