import { createInterface } from 'node:readline/promises';
import type { Environment } from '../../config/environment.ts';
import { formatSendTime } from '../../automation/send-time.ts';
import { formatDuration, formatTimeAhead } from '../../automation/duration.ts';
import { ScheduleStartedError } from '../../automation/schedule-store.ts';
import type { IssueForSend } from '../../send/compose/issue-for-send.ts';
import { checkSendable, prepareSend } from '../../send/session.ts';
import { processLiveness } from '../../send/run/liveness.ts';
import { hostname } from 'node:os';
import { openCommandStores } from '../open-command-stores.ts';

export interface ScheduleSend {
  root: string;
  environment: Environment;
  issue: IssueForSend;
  /** When, in ms, and as the writer gave it (`--at`, or the front matter's `send_at:`). */
  at: number;
  /** `--segment`, kept with the schedule; null for the issue's own `segment:` when the send starts. */
  segment: string | null;
  yes: boolean;
  dryRun: boolean;
  /** The clock; tests give their own. */
  now?: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * `newsletter send <issue> --at <time>`: checks what `send` checks now (the issue renders without errors, it is
 * ready, the keys are there, it was not sent already), shows the plan and records the schedule; a worker sends it.
 * The recipients are counted now but frozen only when the send starts.
 */
export async function runScheduleSend(cmd: ScheduleSend): Promise<number> {
  const { issue } = cmd;
  const { config } = issue;
  const now = cmd.now ?? Date.now();
  const fail = (message: string, code = 1) => {
    process.stderr.write(`newsletter send: ${message}\n`);
    return code;
  };
  const tz = config.timezone;
  const maxDelay = config.schedule.maxDelayMs;
  if (cmd.at < now - maxDelay) {
    return fail(`${formatSendTime(cmd.at, tz)} is ${formatDuration(now - cmd.at)} in the past, more than schedule.max_delay (${formatDuration(maxDelay)}); give a later time, or send it now without --at; nothing scheduled`);
  }
  const keys = checkSendable(issue, cmd.environment);
  if ('refused' in keys) return fail(keys.refused);
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'send');
  try {
    const choices = { rate: null, concurrency: null, resume: false, resendInDoubt: false, forceResend: false, wait: false, segment: cmd.segment };
    const plan = await prepareSend({ issue, keys, choices }, stores);
    if ('refused' in plan) return fail(`${plan.refused}\nnothing scheduled`);
    if (plan.resuming) return fail(`a send of ${issue.slug} is unfinished; finish it with newsletter send ${issue.slug} --resume; nothing scheduled`);
    const open = await stores.schedules.open(issue.slug);
    const say = (line: string) => process.stdout.write(`${line}\n`);
    say(`Issue:        ${issue.title} (${issue.file})`);
    say(`Subject:      ${issue.subject}`);
    for (const warning of plan.warnings) process.stderr.write(`newsletter send: warning: ${warning}\n`);
    if (plan.segment) say(`Segment:      ${plan.segment.chosen.name ? `${plan.segment.chosen.name}: ` : ''}${plan.segment.chosen.text} (from ${plan.segment.from})`);
    if (plan.audience.topic !== undefined) say(`Topic:        ${plan.audience.topic}`);
    const ahead = cmd.at - now;
    say(`Send at:      ${formatSendTime(cmd.at, tz)} (${ahead > 0 ? formatTimeAhead(ahead) : 'now: it is due'})`);
    say(`Recipients:   ${fmt(plan.active)} ${plan.segment ? 'active subscribers in the segment' : 'active subscribers'} now; frozen when the send starts, so who joins or leaves before then counts`);
    if (open) say(`Replaces:     the schedule for ${formatSendTime(open.sendAt, tz)} (${open.state}${open.reason ? `: ${open.reason}` : ''})`);
    const workers = await stores.workers.list();
    const alive = processLiveness(hostname());
    if (!workers.some((w) => w.state === 'running' && alive(w, now))) {
      say('Worker:       none is running now; start one (newsletter worker, or serve --worker) before the time comes');
    }
    if (cmd.dryRun) {
      say('Dry run: nothing was scheduled.');
      return 0;
    }
    if (plan.active === 0) return fail('there are no active subscribers to send to (see `newsletter subscribers`); nothing scheduled');
    if (!cmd.yes) {
      if (!process.stdin.isTTY) return fail('add --yes to schedule without a question (no terminal to ask on)', 2);
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      let answer: string;
      try {
        answer = await rl.question(`Schedule "${issue.subject}" for ${formatSendTime(cmd.at, tz)}? [y/N] `);
      } finally {
        rl.close();
      }
      if (!/^y(es)?$/i.test(answer.trim())) {
        say('Nothing scheduled.');
        return 1;
      }
    }
    try {
      const { schedule } = await stores.schedules.add({ slug: issue.slug, issueFile: issue.file, sendAt: cmd.at, segment: cmd.segment, origin: 'command' }, now);
      say(`Scheduled:    ${issue.slug} for ${formatSendTime(schedule.sendAt, tz)}. Cancel with: newsletter schedule cancel ${issue.slug}`);
    } catch (error) {
      if (error instanceof ScheduleStartedError) return fail(error.message);
      throw error;
    }
    return 0;
  } finally {
    await stores.close();
  }
}
