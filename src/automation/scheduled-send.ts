import { createHash } from 'node:crypto';
import { loadConfig } from '../config/load.ts';
import { DiagnosticError, formatDiagnostic, hasErrors } from '../core/diagnostic.ts';
import { readBuildSources } from '../project/sources.ts';
import { readIssueFile } from '../project/issue-file.ts';
import { renderForSend } from '../send/compose/render-for-send.ts';
import { checkSendable, contentHash, prepareSend, runSend, type SendChoices } from '../send/session.ts';
import { chooseTransport } from '../send/transport/open-transport.ts';
import { AlreadySentError } from '../store/ledger/records.ts';
import { EmptyAudienceError } from '../store/ledger/audience-sql.ts';
import type { ScheduleRecord } from './schedule-store.ts';
import { issueFromSend } from './issue-from-send.ts';
import type { JobContext } from './job-context.ts';

/** How long a scheduled send that paused (the server refused for now, credentials wrong) waits before trying again. */
export const RETRY_PAUSED_MS = 60_000;
/** How soon to look again at a send another worker is finishing. */
const REJOIN_MS = 5_000;

const fmt = (n: number) => n.toLocaleString('en-US');

/** The issue file's text hash, or null when it cannot be read: a blocked schedule is tried again when it changes. */
export function fileHash(root: string, file: string): string | null {
  try {
    return createHash('sha256').update(readIssueFile(root, file)).digest('hex');
  } catch {
    return null;
  }
}

/** A scheduled send's choices: never a question, never a resend, the segment given when it was scheduled. */
const choices = (s: ScheduleRecord, resume: boolean): SendChoices => ({
  rate: null,
  concurrency: null,
  resume,
  resendInDoubt: false,
  forceResend: false,
  // Retries not due yet end the run; the schedule comes back for them, so one slow address never holds up the rest.
  wait: false,
  segment: s.segment,
});

/**
 * Claims a due schedule and starts its send: the issue is read and checked as the file is now, and the recipients
 * are frozen now. Anything that would stop `newsletter send` (check errors, a draft, no secret, an empty segment)
 * blocks the schedule instead, with the reason; it is tried again when the file changes.
 */
export async function startSchedule(ctx: JobContext, s: ScheduleRecord): Promise<void> {
  const { stores, clock, log } = ctx;
  const claimed = await stores.schedules.transition(s.id, ['scheduled', 'blocked'], 'starting', { workerId: ctx.workerId, startedAt: clock(), reason: null }, clock());
  if (!claimed) return; // another worker took it, or the writer cancelled it meanwhile
  const hash = fileHash(ctx.root, s.issueFile);
  const block = async (reason: string) => {
    await stores.schedules.transition(s.id, ['starting'], 'blocked', { reason, blockedHash: hash, workerId: null }, clock());
    log(`schedule ${s.slug}: blocked, nothing sent: ${reason}${hash === null ? '' : ` (tried again when ${s.issueFile} changes)`}`);
  };
  let source: string;
  try {
    source = readIssueFile(ctx.root, s.issueFile);
  } catch (error) {
    return block(`${s.issueFile} cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let issue;
  try {
    issue = await renderForSend(await readBuildSources(ctx.root), s.issueFile, source);
  } catch (error) {
    if (error instanceof DiagnosticError) return block(error.diagnostics.map(formatDiagnostic).join('; '));
    if ((error as Error).name === 'DiagnosticError') return block((error as Error).message);
    throw error;
  }
  if (issue.html === null || issue.text === null || hasErrors(issue.diagnostics)) {
    const errors = issue.diagnostics.filter((d) => d.severity === 'error');
    return block(`check errors: ${errors.slice(0, 3).map(formatDiagnostic).join('; ')}${errors.length > 3 ? ` and ${errors.length - 3} more (newsletter check ${s.issueFile})` : ''}`);
  }
  if (issue.slug !== s.slug) return block(`${s.issueFile} now has the slug "${issue.slug}", not "${s.slug}"; schedule it again`);
  const keys = checkSendable(issue, ctx.environment);
  if ('refused' in keys) return block(keys.refused);
  const plan = await prepareSend({ issue, keys, choices: choices(s, false) }, stores);
  if ('refused' in plan) return block(plan.refused);
  if (plan.resuming) return block(`a send of ${s.slug} begun ${new Date(plan.resuming.send.createdAt).toISOString()} is unfinished; finish it with newsletter send ${s.slug} --resume`);
  if (plan.active === 0) return block('there are no active subscribers to send to');
  let send;
  try {
    ({ send } = await stores.ledger.plan(
      { slug: issue.slug, issueFile: issue.file, subject: issue.subject, sourceHash: contentHash(issue), html: issue.html, text: issue.text, placeholderPrefix: issue.placeholderPrefix },
      clock(),
      { audience: plan.audience },
    ));
  } catch (error) {
    if (error instanceof AlreadySentError || error instanceof EmptyAudienceError) return block(error.message);
    throw error;
  }
  const started = await stores.schedules.transition(s.id, ['starting'], 'sending', { sendId: send.id, nextTryAt: 0 }, clock());
  if (!started) return;
  const segment = plan.segment ? ` in the segment ${plan.segment.chosen.name ?? plan.segment.chosen.text}` : '';
  log(`schedule ${s.slug}: due ${new Date(s.sendAt).toISOString()}; sending "${issue.subject}" to ${fmt(send.recipients)} subscribers${segment}, frozen now (scheduled ${new Date(s.createdAt).toISOString()})`);
  await joinSchedule(ctx, started);
}

/** Sends (or goes on sending) a started schedule's send, beside any other worker doing the same, until it settles. */
export async function joinSchedule(ctx: JobContext, s: ScheduleRecord): Promise<void> {
  const { stores, clock, log } = ctx;
  const send = s.sendId === null ? null : await stores.ledger.send(s.sendId);
  if (!send) {
    await stores.schedules.transition(s.id, ['sending'], 'blocked', { reason: 'its send is no longer in the ledger', blockedHash: null }, clock());
    log(`schedule ${s.slug}: blocked: its send is no longer in the ledger`);
    return;
  }
  const settle = async () => {
    const c = await stores.ledger.counts(send.id);
    const reason = `${fmt(c.sent)} sent, ${fmt(c.failed)} failed, ${fmt(c.in_doubt)} in doubt, ${fmt(c.suppressed)} skipped (left meanwhile)`;
    if (await stores.schedules.transition(s.id, ['sending'], 'sent', { reason }, clock())) log(`schedule ${s.slug}: sent: ${reason}`);
  };
  if (send.finishedAt !== null) return settle();
  const later = async (ms: number, reason: string | null) => {
    await stores.schedules.transition(s.id, ['sending'], 'sending', { nextTryAt: clock() + ms, ...(reason === null ? {} : { reason }) }, clock());
  };
  let config;
  try {
    config = await loadConfig(ctx.root);
  } catch (error) {
    log(`schedule ${s.slug}: waiting: newsletter.yaml has errors (${(error as Error).message}); trying again in a minute`);
    return later(RETRY_PAUSED_MS, 'newsletter.yaml has errors');
  }
  const issue = issueFromSend(send, config);
  const keys = checkSendable(issue, ctx.environment);
  if ('refused' in keys) {
    log(`schedule ${s.slug}: waiting: ${keys.refused}; trying again in a minute`);
    return later(RETRY_PAUSED_MS, keys.refused);
  }
  const plan = await prepareSend({ issue, keys, choices: choices(s, true) }, stores);
  if ('refused' in plan) {
    // Finished by another worker between the two reads.
    if (((await stores.ledger.send(send.id))?.finishedAt ?? null) !== null) return settle();
    log(`schedule ${s.slug}: waiting: ${plan.refused}`);
    return later(RETRY_PAUSED_MS, plan.refused);
  }
  const transport = await chooseTransport({ root: ctx.root, environment: ctx.environment, slug: send.slug, sending: config.sending, concurrency: plan.concurrency });
  log(`schedule ${s.slug}: sending through ${transport.description}`);
  let summary;
  try {
    summary = await runSend(plan, {
      ledger: stores.ledger,
      pacer: stores.pacer,
      transport,
      clock,
      host: ctx.host,
      onRecovered: (_send, inDoubt) => {
        if (inDoubt.length > 0) log(`schedule ${s.slug}: ${fmt(inDoubt.length)} messages are in doubt (in flight when a worker stopped; not resent: newsletter status ${s.slug})`);
      },
    }, ctx.signal);
  } finally {
    await transport.close();
  }
  const { outcome } = summary;
  if (!('counts' in summary)) {
    log(`schedule ${s.slug}: paused: ${outcome.outcome === 'busy' ? outcome.reason : ''}; trying again shortly`);
    return later(REJOIN_MS, null);
  }
  switch (outcome.outcome) {
    case 'finished':
      if (summary.finished) return settle();
      return later(REJOIN_MS, null); // another worker still has messages in flight
    case 'interrupted':
      log(`schedule ${s.slug}: stopping: ${fmt(summary.counts.sent)} sent so far; the next worker goes on from here`);
      return;
    case 'waiting':
      log(`schedule ${s.slug}: waiting for retries, the next due ${new Date(outcome.nextRetryAt).toISOString()}`);
      return later(Math.max(0, outcome.nextRetryAt - clock()), null);
    case 'paused':
    case 'stopped':
      log(`schedule ${s.slug}: ${outcome.outcome}: ${outcome.reason}; trying again in a minute`);
      return later(RETRY_PAUSED_MS, outcome.reason);
  }
}
