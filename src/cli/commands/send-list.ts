import { createInterface } from 'node:readline/promises';
import type { IssueForSend } from '../../send/compose/issue-for-send.ts';
import { chooseTransport } from '../../send/transport/open-transport.ts';
import { ProgressReporter } from '../../send/run/progress.ts';
import type { RunOutcome } from '../../send/run/runner.ts';
import { checkSendable, prepareSend, runSend, type SendChoices, type SendPlan, type SendProgress } from '../../send/session.ts';
import type { Stores } from '../../store/stores.ts';
import { openCommandStores } from '../open-command-stores.ts';
import { AlreadySentError, type DeliveryState, type SendRecord } from '../../store/ledger/records.ts';
import type { Environment } from '../../config/environment.ts';
import { EmptyAudienceError } from '../../store/ledger/audience-sql.ts';

export interface ListSendOptions extends SendChoices {
  yes: boolean;
  dryRun: boolean;
  json: boolean;
}

export interface ListSend extends ListSendOptions {
  root: string;
  environment: Environment;
  issue: IssueForSend;
}

/** Exit codes: a send that only paused is not a failure of the tool, and scripts can tell the cases apart. */
const EXIT = { finished: 0, stopped: 1, paused: 75, waiting: 75, interrupted: 130 } as const;

const fmt = (n: number) => n.toLocaleString('en-US');

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `newsletter send <issue>`: the issue to every active subscriber, through the ledger. The session (send/session.ts)
 * plans and runs; this prints the plan, asks, maps Ctrl-C to a clean pause, and says what happened and what to do next.
 */
export async function runListSend(cmd: ListSend): Promise<number> {
  const rendered = cmd.issue;
  const say = (line: string) => (cmd.json ? process.stderr : process.stdout).write(`${line}\n`);
  const fail = (message: string, code = 1) => {
    process.stderr.write(`newsletter send: ${message}\n`);
    return code;
  };
  const keys = checkSendable(rendered, cmd.environment);
  if ('refused' in keys) return fail(keys.refused);
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'send');
  try {
    const plan = await prepareSend({ issue: rendered, keys, choices: cmd }, stores);
    if ('refused' in plan) return fail(plan.refused);
    const { config } = rendered;
    const { resuming, concurrency, rate } = plan;
    say(`Issue:        ${rendered.title} (${rendered.file})`);
    say(`Subject:      ${rendered.subject}`);
    for (const warning of plan.warnings) process.stderr.write(`newsletter send: warning: ${warning}\n`);
    if (plan.segment) {
      const { chosen, from } = plan.segment;
      say(`Segment:      ${chosen.name ? `${chosen.name}: ` : ''}${chosen.text} (from ${from})`);
    }
    if (plan.audience.topic !== undefined) {
      const topic = config.topics.find((t) => t.id === plan.audience.topic);
      say(`Topic:        ${plan.audience.topic}${topic ? ` (${topic.name})` : ''}; readers who left it are skipped`);
    }
    if (resuming) {
      const { send, counts: c } = resuming;
      say(`Resuming:     the send begun ${new Date(send.createdAt).toISOString()} to ${fmt(send.recipients)} subscribers: ${fmt(c.sent)} sent, ${fmt(c.queued + c.retry)} to go, ${fmt(c.sending)} in flight or interrupted, ${fmt(c.in_doubt)} in doubt`);
      if (resuming.changed) {
        say(`Note:         ${rendered.file} has changed since this send began; the rest of the list gets the version frozen then.`);
      }
    } else {
      const who = plan.segment ? 'active subscribers in the segment' : 'active subscribers';
      say(`Recipients:   ${fmt(plan.active)} ${who}${plan.latest ? ` (a new send: ${rendered.slug} was sent before, and --force-resend sends it again to ${plan.segment ? 'the segment' : 'everyone'})` : ''}`);
      if (plan.segment && cmd.dryRun) {
        say(`Sample:       ${plan.segment.sample[0] ?? ''}`);
        for (const address of plan.segment.sample.slice(1)) say(`              ${address}`);
      }
    }
    let transport;
    try {
      transport = await chooseTransport({ root: cmd.root, environment: cmd.environment, slug: rendered.slug, sending: config.sending, concurrency });
    } catch (error) {
      return fail((error as Error).message);
    }
    try {
      say(`Transport:    ${transport.description}`);
      say(`Pace:         ${rate ? `at most ${fmt(rate)}/s` : 'as fast as the server takes it'}${config.sending.rate_per_hour ? `, ${fmt(config.sending.rate_per_hour)}/hour` : ''}, ${concurrency} at once${keys.sign ? ', DKIM-signed' : ''}`);
      if (cmd.dryRun) {
        say('Dry run: nothing was sent and the ledger is unchanged.');
        return 0;
      }
      if (!resuming && plan.active === 0) return fail('there are no active subscribers to send to (see `newsletter subscribers`)');
      if (!cmd.yes) {
        if (!process.stdin.isTTY) return fail('add --yes to send without a question (no terminal to ask on)', 2);
        const count = resuming ? 'the rest of the list' : `${fmt(plan.active)} subscribers`;
        if (!(await confirm(`Send "${rendered.subject}" to ${count}? [y/N] `))) {
          say('Nothing sent.');
          return 1;
        }
      }
      // Sent by hand now: a schedule of this issue still to come would only find it sent.
      const open = await stores.schedules.open(rendered.slug);
      if (open && (open.state === 'scheduled' || open.state === 'blocked')) {
        await stores.schedules.transition(open.id, [open.state], 'cancelled', { reason: 'sent by hand with newsletter send' }, Date.now());
        say(`Schedule:     the schedule for ${new Date(open.sendAt).toISOString()} is cancelled: this send replaces it`);
      }
      return await runPlanned(cmd, plan, stores, transport, say);
    } finally {
      await transport.close();
    }
  } catch (error) {
    if (error instanceof AlreadySentError || error instanceof EmptyAudienceError) return fail(error.message);
    throw error;
  } finally {
    await stores.close();
  }
}

async function runPlanned(
  cmd: ListSend,
  plan: SendPlan,
  stores: Pick<Stores, 'ledger' | 'pacer'>,
  transport: Awaited<ReturnType<typeof chooseTransport>>,
  say: (line: string) => void,
): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) {
      process.stderr.write('\nStopped at once; messages in flight are left for `--resume` to report as in doubt.\n');
      process.exit(130);
    }
    process.stderr.write('\nPausing: letting the messages in flight finish (Ctrl-C again to stop at once)…\n');
    controller.abort();
  };
  const reporter = new ProgressReporter({
    write: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns ?? 80,
    intervalMs: 5000,
  });
  const snapshot = (total: number, startedAt: number, counts: Record<DeliveryState, number>, rate: number) => ({
    total,
    sent: counts.sent,
    failed: counts.failed,
    retrying: counts.retry,
    inDoubt: counts.in_doubt,
    suppressed: counts.suppressed,
    queued: counts.queued,
    sending: counts.sending,
    ratePerSecond: rate,
    startedAt,
  });
  let lastRate = 0;
  const onRecovered = (send: SendRecord, inDoubt: { email: string }[]) => {
    if (inDoubt.length > 0) {
      say(`In doubt:     ${fmt(inDoubt.length)} messages were in flight when an earlier run stopped; each may or may not have arrived:`);
      for (const row of inDoubt.slice(0, 20)) say(`                ${row.email}`);
      if (inDoubt.length > 20) say(`                … and ${fmt(inDoubt.length - 20)} more (newsletter status ${send.slug} --json lists them all)`);
      if (cmd.resendInDoubt) say(`                --resend-in-doubt: sending them again (a subscriber may get two copies).`);
      else say(`                They are not resent; add --resend-in-doubt to send them again.`);
    }
    // Ctrl-C pauses from here on; before it, nothing has been claimed and the default (end the process) is right.
    process.on('SIGINT', onSigint);
  };
  const onProgress = (p: SendProgress) => {
    lastRate = p.rate;
    reporter.update(snapshot(p.total, p.startedAt, p.counts, p.rate), Date.now());
  };
  let summary;
  try {
    summary = await runSend(plan, { ledger: stores.ledger, pacer: stores.pacer, transport, onRecovered }, controller.signal, onProgress);
  } finally {
    process.off('SIGINT', onSigint);
  }
  const { send } = summary;
  if (!('counts' in summary)) {
    // The ledger could not be written: stop at once. Rows already recorded stand; messages whose result could not be
    // recorded stay `sending`, and the next run reports them in doubt rather than guessing.
    controller.abort();
    process.stderr.write(`\nnewsletter send: ${summary.outcome.reason}\nStopped; continue with: newsletter send ${send.slug} --resume\n`);
    return 75;
  }
  const { outcome } = summary;
  reporter.finish(snapshot(send.recipients, summary.startedAt, summary.counts, lastRate), summary.endedAt);
  say(nextStep(outcome, summary.finished, send, summary.counts));
  if (cmd.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          slug: send.slug,
          send: send.id,
          outcome: outcome.outcome,
          ...('reason' in outcome ? { reason: outcome.reason } : {}),
          finished: summary.finished,
          transport: transport.description,
          counts: summary.counts,
          elapsedMs: summary.endedAt - summary.startedAt,
          recoveredInDoubt: summary.recoveredInDoubt,
          inDoubt: summary.inDoubt,
          errors: summary.errors,
        },
        null,
        2,
      )}\n`,
    );
  }
  return EXIT[outcome.outcome];
}

function nextStep(outcome: RunOutcome, finished: boolean, send: SendRecord, counts: Record<string, number>): string {
  switch (outcome.outcome) {
    case 'finished':
      return finished
        ? `Finished: every subscriber of ${send.slug} is settled.`
        : `This run is done; another run is still sending ${fmt(counts.sending ?? 0)} messages of ${send.slug} (newsletter status ${send.slug}).`;
    case 'interrupted':
      return `Paused. Nothing in flight was lost; continue with: newsletter send ${send.slug} --resume`;
    case 'paused':
      return `Paused: ${outcome.reason}.\nThe server is refusing mail for now; the rest stays queued. Continue later with: newsletter send ${send.slug} --resume`;
    case 'stopped':
      return `Stopped: ${outcome.reason}\nNo subscriber was marked for this; fix the cause (credentials, sender address, SMTP_URL) and continue with: newsletter send ${send.slug} --resume`;
    case 'waiting':
      return `Waiting: the next retry is due at ${new Date(outcome.nextRetryAt).toISOString()}; continue with: newsletter send ${send.slug} --resume`;
  }
}
