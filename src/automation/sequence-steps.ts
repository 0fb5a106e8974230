import { createHash } from 'node:crypto';
import { formatDiagnostic, hasErrors } from '../core/diagnostic.ts';
import type { Config } from '../config/schema.ts';
import { readBuildSources } from '../project/sources.ts';
import { readIssueFile } from '../project/issue-file.ts';
import type { IssueForSend } from '../send/compose/issue-for-send.ts';
import { renderForSend } from '../send/compose/render-for-send.ts';
import { checkSendable, contentHash, runPlannedSend, type SendChoices } from '../send/session.ts';
import { chooseTransport } from '../send/transport/open-transport.ts';
import type { SendRecord } from '../store/ledger/records.ts';
import type { JobContext } from './job-context.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

/** A step's issue as rendered for a given file text and project sources: rendered again only when either changes. */
const rendered = new Map<string, { key: string; issue: IssueForSend | string }>();

/** The step's issue ready to send, or why it cannot go (check errors, a draft, missing): the step waits meanwhile. */
async function stepIssue(root: string, file: string, sourcesKey: string, sources: Awaited<ReturnType<typeof readBuildSources>>): Promise<IssueForSend | string> {
  let source: string;
  try {
    source = readIssueFile(root, file);
  } catch (error) {
    return `${file} cannot be read (${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message})`;
  }
  const key = createHash('sha256').update(sourcesKey).update('\0').update(source).digest('hex');
  const cached = rendered.get(file);
  if (cached?.key === key) return cached.issue;
  let issue: IssueForSend | string;
  try {
    const r = await renderForSend(sources, file, source);
    if (r.status !== 'ready') issue = `${file} is a draft (set "status: ready" in its front matter)`;
    else if (r.html === null || r.text === null || hasErrors(r.diagnostics)) issue = `${file} has check errors: ${r.diagnostics.filter((d) => d.severity === 'error').slice(0, 3).map(formatDiagnostic).join('; ')}`;
    else issue = r;
  } catch (error) {
    issue = (error as Error).message;
  }
  rendered.set(file, { key, issue });
  return issue;
}

/** Said once per distinct problem, not every tick. */
const told = new Map<string, string>();

function tellOnce(ctx: JobContext, where: string, problem: string | null): void {
  if (problem === null) {
    told.delete(where);
    return;
  }
  if (told.get(where) === problem) return;
  told.set(where, problem);
  ctx.log(`${where}: waiting: ${problem}`);
}

/** Step sends the SMTP server refused lately (paused, stopped), by send id: not tried again before this time. */
const held = new Map<number, number>();
const HOLD_MS = 60_000;

const STEP_CHOICES: SendChoices = { rate: null, concurrency: null, resume: true, resendInDoubt: false, forceResend: false, wait: false };

/**
 * One pass over the config's sequences: new triggers enrol (set-based), each step queues the readers now due (its
 * delay after enrolment or after the previous step), and each step send with rows owed is sent through the ledger,
 * as any send is. A step whose issue cannot go waits, and so do the steps after it; enrolment goes on meanwhile.
 */
export async function sequenceTick(ctx: JobContext, config: Config): Promise<void> {
  const { stores, clock, log } = ctx;
  const sequences = config.automations.sequences;
  if (sequences.length === 0) return;
  const sources = await readBuildSources(ctx.root);
  const sourcesKey = createHash('sha256').update(JSON.stringify(sources)).digest('hex');
  for (const sequence of sequences) {
    if (ctx.signal.aborted) return;
    const entered = await stores.automations.enrol(sequence.id, sequence.trigger, clock());
    if (entered > 0) log(`automation ${sequence.id}: ${fmt(entered)} subscriber${entered === 1 ? '' : 's'} entered (${sequence.trigger.kind === 'confirmed' ? 'confirmed' : `tag added: ${sequence.trigger.tag}`})`);
    let previous: SendRecord | null = null;
    for (const [index, step] of sequence.steps.entries()) {
      const where = `automation ${sequence.id} step ${index + 1} (${step.issue})`;
      const issue = await stepIssue(ctx.root, step.issue, sourcesKey, sources);
      if (typeof issue === 'string') {
        tellOnce(ctx, where, issue);
        break;
      }
      const keys = checkSendable(issue, ctx.environment);
      if ('refused' in keys) {
        tellOnce(ctx, where, keys.refused);
        break;
      }
      tellOnce(ctx, where, null);
      const topic = issue.topic?.id ?? null;
      const send = await stores.automations.stepSend(
        `${sequence.id}:${issue.slug}`,
        { slug: issue.slug, issueFile: issue.file, subject: issue.subject, sourceHash: contentHash(issue), html: issue.html!, text: issue.text!, placeholderPrefix: issue.placeholderPrefix, topic },
        clock(),
      );
      const queued = await stores.automations.queueStep({ sequence: sequence.id, sendId: send.id, previousSendId: previous?.id ?? null, delayMs: step.delayMs, topic, now: clock() });
      if (queued > 0) log(`${where}: ${fmt(queued)} due now, queued`);
      const owed = await stores.ledger.counts(send.id);
      const dueRetry = owed.retry > 0 && ((await stores.ledger.nextRetryAt(send.id)) ?? Infinity) <= clock();
      if ((owed.queued > 0 || owed.sending > 0 || dueRetry) && (held.get(send.id) ?? 0) <= clock()) await sendStep(ctx, where, send, issue, keys);
      previous = send;
    }
  }
}

/** Sends what a step owes, with the step's standing send as the ledger has it (content updated in place). */
async function sendStep(ctx: JobContext, where: string, send: SendRecord, issue: IssueForSend, keys: Exclude<ReturnType<typeof checkSendable>, { refused: string }>): Promise<void> {
  const { stores, log } = ctx;
  const { config } = issue;
  const current = (await stores.ledger.send(send.id)) ?? send;
  const concurrency = config.sending.concurrency;
  const transport = await chooseTransport({ root: ctx.root, environment: ctx.environment, slug: send.slug, sending: config.sending, concurrency });
  let summary;
  try {
    summary = await runPlannedSend(current, { issue, keys, choices: STEP_CHOICES, concurrency, rate: config.sending.rate_per_second }, { ledger: stores.ledger, pacer: stores.pacer, transport, clock: ctx.clock, host: ctx.host }, ctx.signal);
  } finally {
    await transport.close();
  }
  if (!('counts' in summary)) {
    log(`${where}: paused: ${summary.outcome.reason}`);
    return;
  }
  const c = summary.counts;
  const outcome = summary.outcome.outcome;
  const detail = 'reason' in summary.outcome ? `: ${summary.outcome.reason}` : '';
  if (outcome === 'paused' || outcome === 'stopped') held.set(send.id, ctx.clock() + HOLD_MS);
  log(`${where}: ${outcome}${detail}${outcome === 'paused' || outcome === 'stopped' ? ' (trying again in a minute)' : ''} (through ${transport.description}); ${fmt(c.sent)} sent in all, ${fmt(c.failed)} failed, ${fmt(c.retry)} to retry, ${fmt(c.in_doubt)} in doubt`);
}
