import { createHash } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { IssueForSend } from '../../send/compose/issue-for-send.ts';
import { messageComposer } from '../../send/compose/compose.ts';
import { chooseTransport } from '../../send/transport/open-transport.ts';
import { dkimFromEnv } from '../../send/dkim/from-env.ts';
import { processLiveness } from '../../send/run/liveness.ts';
import { ProgressReporter } from '../../send/run/progress.ts';
import { RateLimiter } from '../../send/pace/rate-limiter.ts';
import { runSend, type RunOutcome } from '../../send/run/runner.ts';
import { AlreadySentError, SqliteLedger, type SendRecord } from '../../store/ledger.ts';
import { databasePath, DatabaseBusyError, openDatabase } from '../../store/open.ts';
import { keyringFromEnv } from '../../subscribers/tokens.ts';

export interface ListSendOptions {
  yes: boolean;
  dryRun: boolean;
  /** Messages a second, overriding the config's cap. */
  rate: number | null;
  concurrency: number | null;
  /** Only continue a send already begun; never plan a new one. */
  resume: boolean;
  resendInDoubt: boolean;
  forceResend: boolean;
  /** Wait for retries that are not due yet, rather than ending the run. */
  wait: boolean;
  json: boolean;
}

export interface ListSend extends ListSendOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  issue: IssueForSend;
}

/** Exit codes: a send that only paused is not a failure of the tool, and scripts can tell the cases apart. */
const EXIT = { finished: 0, stopped: 1, paused: 75, waiting: 75, interrupted: 130 } as const;

/** Temporary failures in a row that pause a send: some, however small the send, and more for a wide one. */
const pauseAfter = (concurrency: number) => Math.max(20, 4 * concurrency);

const fmt = (n: number) => n.toLocaleString('en-US');

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

/** What a send freezes: if any of it changes, the subscribers still to be mailed would get a different issue. */
function contentHash(r: IssueForSend): string {
  return createHash('sha256').update(`${r.subject}\0${r.html ?? ''}\0${r.text ?? ''}`).digest('hex');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `newsletter send <issue>`: the issue to every active subscriber, through the ledger. Plans (or resumes) the send,
 * shows what will happen and asks, then runs until every row is settled, the writer presses Ctrl-C, or the server
 * makes it stop or pause; a summary says what happened and what to do next.
 */
export async function runListSend(cmd: ListSend): Promise<number> {
  const { config } = cmd.issue;
  const rendered = cmd.issue;
  const say = (line: string) => (cmd.json ? process.stderr : process.stdout).write(`${line}\n`);
  const fail = (message: string, code = 1) => {
    process.stderr.write(`newsletter send: ${message}\n`);
    return code;
  };
  if (rendered.status !== 'ready') {
    return fail(`${rendered.file} is a draft; set "status: ready" in its front matter to send it (or send a test with --test you@example.com)`);
  }
  if (!config.url.startsWith('https://') && !isLocal(config.url)) {
    return fail(`the unsubscribe links would use ${config.url}; a real send needs an https:// "url" in newsletter.yaml (mail clients and providers expect one-click unsubscribe over https)`);
  }
  let keyring;
  let sign;
  try {
    keyring = keyringFromEnv(cmd.env.NEWSLETTER_SECRET);
    sign = dkimFromEnv(config, cmd.env, availableParallelism());
  } catch (error) {
    return fail(`${(error as Error).message}${cmd.env.NEWSLETTER_SECRET ? '' : ' (it signs the unsubscribe links; `openssl rand -hex 32` makes one)'}`);
  }
  const db = openDatabase(databasePath(cmd.root, cmd.env));
  const ledger = new SqliteLedger(db);
  try {
    const slug = rendered.slug;
    const latest = ledger.latestSend(slug);
    // A finished send whose only open question is the messages in doubt is reopened to send those again (once the
    // writer has confirmed; a dry run changes nothing).
    const reopen = latest !== null && latest.finishedAt !== null && cmd.resendInDoubt && ledger.counts(latest.id).in_doubt > 0;
    const unfinished = latest && (latest.finishedAt === null || reopen) ? latest : null;
    if (cmd.resume && !unfinished) return fail(`there is no unfinished send of ${slug} to resume${latest ? ' (it was sent in full; see `newsletter status ' + slug + '`)' : ''}`);
    if (latest && !unfinished && !cmd.forceResend) {
      const c = ledger.counts(latest.id);
      return fail(
        `${slug} was already sent: ${fmt(c.sent)} sent, ${fmt(c.failed)} failed, finished ${new Date(latest.finishedAt!).toISOString()}.\n` +
          `To send it again to everyone active now (${fmt(activeCount(db))} subscribers, including those who already got it), add --force-resend.`,
      );
    }
    const concurrency = cmd.concurrency ?? config.sending.concurrency;
    const active = activeCount(db);
    say(`Issue:        ${rendered.title} (${rendered.file})`);
    say(`Subject:      ${rendered.subject}`);
    if (unfinished) {
      const c = ledger.counts(unfinished.id);
      say(`Resuming:     the send begun ${new Date(unfinished.createdAt).toISOString()} to ${fmt(unfinished.recipients)} subscribers: ${fmt(c.sent)} sent, ${fmt(c.queued + c.retry)} to go, ${fmt(c.sending)} in flight or interrupted, ${fmt(c.in_doubt)} in doubt`);
      if (unfinished.sourceHash !== contentHash(rendered)) {
        say(`Note:         ${rendered.file} has changed since this send began; the rest of the list gets the version frozen then.`);
      }
    } else {
      say(`Recipients:   ${fmt(active)} active subscribers${latest ? ` (a new send: ${slug} was sent before, and --force-resend sends it again to everyone)` : ''}`);
    }
    let transport;
    try {
      transport = await chooseTransport({ root: cmd.root, env: cmd.env, slug, sending: config.sending, concurrency });
    } catch (error) {
      return fail((error as Error).message);
    }
    try {
      const rate = cmd.rate ?? config.sending.rate_per_second;
      say(`Transport:    ${transport.description}`);
      say(`Pace:         ${rate ? `at most ${fmt(rate)}/s` : 'as fast as the server takes it'}${config.sending.rate_per_hour ? `, ${fmt(config.sending.rate_per_hour)}/hour` : ''}, ${concurrency} at once${sign ? ', DKIM-signed' : ''}`);
      if (cmd.dryRun) {
        say('Dry run: nothing was sent and the ledger is unchanged.');
        return 0;
      }
      if (!unfinished && active === 0) return fail('there are no active subscribers to send to (see `newsletter subscribers`)');
      if (!cmd.yes) {
        if (!process.stdin.isTTY) return fail('add --yes to send without a question (no terminal to ask on)', 2);
        const count = unfinished ? 'the rest of the list' : `${fmt(active)} subscribers`;
        if (!(await confirm(`Send "${rendered.subject}" to ${count}? [y/N] `))) {
          say('Nothing sent.');
          return 1;
        }
      }
      const now = Date.now();
      if (reopen) ledger.reopen(latest.id);
      const planned = ledger.plan(
        { slug, issueFile: rendered.file, subject: rendered.subject, sourceHash: contentHash(rendered), html: rendered.html!, text: rendered.text!, placeholderPrefix: rendered.placeholderPrefix },
        now,
        { force: cmd.forceResend && !unfinished },
      );
      return await runPlanned(cmd, ledger, planned.send, transport, { keyring, sign, concurrency, rate, say });
    } finally {
      await transport.close();
    }
  } catch (error) {
    if (error instanceof AlreadySentError) return fail(error.message);
    throw error;
  } finally {
    db.close();
  }
}

function activeCount(db: ReturnType<typeof openDatabase>): number {
  return (db.prepare(`SELECT count(*) AS n FROM subscribers WHERE status = 'active'`).get() as { n: number }).n;
}

interface RunSetup {
  keyring: ReturnType<typeof keyringFromEnv>;
  sign: ReturnType<typeof dkimFromEnv>;
  concurrency: number;
  rate: number | null;
  say: (line: string) => void;
}

async function runPlanned(cmd: ListSend, ledger: SqliteLedger, send: SendRecord, transport: Awaited<ReturnType<typeof chooseTransport>>, setup: RunSetup): Promise<number> {
  const { config } = cmd.issue;
  const { say } = setup;
  const host = hostname();
  const started = Date.now();
  const recovered = ledger.recoverAbandoned(send.id, started, processLiveness(host));
  const inDoubt = ledger.rows(send.id, 'in_doubt', 100_000);
  if (inDoubt.length > 0) {
    say(`In doubt:     ${fmt(inDoubt.length)} messages were in flight when an earlier run stopped; each may or may not have arrived:`);
    for (const row of inDoubt.slice(0, 20)) say(`                ${row.email}`);
    if (inDoubt.length > 20) say(`                … and ${fmt(inDoubt.length - 20)} more (newsletter status ${send.slug} --json lists them all)`);
    if (cmd.resendInDoubt) say(`                --resend-in-doubt: sending them again (a subscriber may get two copies).`);
    else say(`                They are not resent; add --resend-in-doubt to send them again.`);
  }
  if (cmd.resendInDoubt) ledger.requeueInDoubt(send.id, started);
  ledger.suppressInactive(send.id, started);
  const runId = ledger.startRun(send.id, { pid: process.pid, host, transport: transport.description }, started);
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
  process.on('SIGINT', onSigint);
  const reporter = new ProgressReporter({
    write: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns ?? 80,
    intervalMs: 5000,
  });
  const total = send.recipients;
  let outcome: RunOutcome;
  let last = ledger.counts(send.id);
  let lastRate = 0;
  const snapshot = () => ({
    total,
    sent: last.sent,
    failed: last.failed,
    retrying: last.retry,
    inDoubt: last.in_doubt,
    suppressed: last.suppressed,
    queued: last.queued,
    sending: last.sending,
    ratePerSecond: lastRate,
    startedAt: started,
  });
  try {
    const perHour = config.sending.rate_per_hour;
    // Messages that went in the last hour, by this send's earlier runs or another send, count against the cap too.
    const sentBefore = perHour === null ? [] : ledger.sentTimesSince(started - 3_600_000);
    const limiter = new RateLimiter({ perSecond: setup.rate, perHour, now: started, sentBefore });
    outcome = await runSend(
      {
        ledger,
        sendId: send.id,
        runId,
        transport,
        compose: messageComposer({ config, send, keyring: setup.keyring, date: new Date(started), sign: setup.sign }),
        limiter,
        concurrency: Math.min(setup.concurrency, transport.concurrency),
        retryForMs: config.sending.retry_for_minutes * 60_000,
        pauseAfter: pauseAfter(setup.concurrency),
        waitForRetries: cmd.wait,
        clock: Date.now,
        signal: controller.signal,
        onProgress: (p) => {
          last = p.counts;
          lastRate = p.rate;
          reporter.update(snapshot(), Date.now());
        },
      },
      ledger.counts(send.id),
    );
  } catch (error) {
    if (!(error instanceof DatabaseBusyError)) throw error;
    // The ledger could not be written: stop at once. Rows already recorded stand; messages whose result could not be
    // recorded stay `sending`, and the next run reports them in doubt rather than guessing.
    controller.abort();
    process.stderr.write(`\nnewsletter send: ${error.message}\nStopped; continue with: newsletter send ${send.slug} --resume\n`);
    return 75;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const ended = Date.now();
  ledger.endRun(runId, outcome.outcome, ended);
  const finished = ledger.finishIfDone(send.id, ended);
  last = ledger.counts(send.id);
  reporter.finish(snapshot(), ended);
  say(nextStep(outcome, finished, send, last));
  if (cmd.json) {
    const errors = [...ledger.rows(send.id, 'failed', 50), ...ledger.rows(send.id, 'retry', 50)];
    process.stdout.write(
      `${JSON.stringify(
        {
          slug: send.slug,
          send: send.id,
          outcome: outcome.outcome,
          ...('reason' in outcome ? { reason: outcome.reason } : {}),
          finished,
          transport: transport.description,
          counts: last,
          elapsedMs: ended - started,
          recoveredInDoubt: recovered.map((r) => r.email),
          inDoubt: ledger.rows(send.id, 'in_doubt', 100_000).map((r) => r.email),
          errors: errors.map((r) => ({ email: r.email, reply: r.reply, attempts: r.attempts })),
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
