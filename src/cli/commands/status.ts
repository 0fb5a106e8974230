import { relative, resolve } from 'node:path';
import { formatDuration } from '../../send/run/progress.ts';
import { sendStatus, type SendStatus } from '../../send/run/send-status.ts';
import { openCommandStores } from '../open-command-stores.ts';
import type { Stores } from '../../store/stores.ts';
import { describeFeedback } from '../../feedback/feedback-summary.ts';
import type { SendFeedback } from '../../feedback/feedback-store.ts';

export interface StatusCommand {
  root: string;
  /** Where the command was run: a file name given is relative to it. */
  cwd: string;
  /** `NEWSLETTER_DB` as read (config/environment.ts); null for the default. */
  databasePath: string | null;
  /** A slug or an issue file; none lists every send. */
  issue: string | null;
  json: boolean;
  /** `--automations`: each sequence's steps and their counts instead of the sends. */
  automations?: boolean;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** A send's status with what came back from providers and the bounce mailbox (issue 18). */
type WithFeedback = SendStatus & { feedback: SendFeedback | null };

function describe(s: WithFeedback): string[] {
  const c = s.counts;
  const feedback = describeFeedback(s.feedback ?? undefined, c.sent);
  const lines = [
    `${s.slug}: ${s.state}${s.finishedAt ? ` ${s.finishedAt}` : ''} (send ${s.send}, begun ${s.createdAt}, ${fmt(s.recipients)} recipients)`,
    `  subject    ${s.subject}`,
    ...(s.segment !== null ? [`  segment    ${s.segment}`] : []),
    ...(s.topic !== null ? [`  topic      ${s.topic}`] : []),
    `  sent       ${fmt(c.sent)}`,
    `  queued     ${fmt(c.queued)}`,
    `  sending    ${fmt(c.sending)}`,
    `  retry      ${fmt(c.retry)}`,
    `  failed     ${fmt(c.failed)}`,
    `  in doubt   ${fmt(c.in_doubt)}`,
    `  suppressed ${fmt(c.suppressed)}`,
    `  rate       ${s.rate > 0 ? `${fmt(s.rate)}/s` : '—'}${s.etaSeconds !== null ? `, ETA ${formatDuration(s.etaSeconds * 1000)}` : ''}`,
    ...(feedback !== null ? [`  feedback   ${feedback}`] : []),
  ];
  if (s.workers.length > 0) {
    lines.push(`  workers    ${s.workers.length} alive`);
    for (const w of s.workers) lines.push(`    ${w.host} pid ${w.pid}: ${fmt(w.rate)}/s, last heartbeat ${w.lastHeartbeat} (${w.transport})`);
  }
  if (s.errors.length > 0) {
    lines.push('  replies    (failed and retrying)');
    for (const e of s.errors.slice(0, 10)) lines.push(`    ${fmt(e.count).padStart(7)}  ${e.example}`);
  }
  if (s.inDoubt.length > 0) {
    lines.push('  in doubt   (may have arrived; resend with `newsletter send <issue> --resume --resend-in-doubt`)');
    for (const address of s.inDoubt.slice(0, 20)) lines.push(`    ${address}`);
    if (s.inDoubt.length > 20) lines.push(`    … and ${fmt(s.inDoubt.length - 20)} more (--json lists them all)`);
  }
  return lines;
}

/** `newsletter status [<issue>] [--json]`: where each send stands: counts by state, rate, ETA, errors, rows in doubt. */
export async function runStatus(cmd: StatusCommand): Promise<number> {
  const stores = await openCommandStores(cmd.root, cmd.databasePath, 'status');
  try {
    const { ledger } = stores;
    const now = Date.now();
    if (cmd.automations) {
      const { automationStatus, describeAutomations } = await import('./status-automations.ts');
      const list = await automationStatus(cmd.root, stores);
      process.stdout.write(cmd.json ? `${JSON.stringify(list, null, 2)}\n` : describeAutomations(list));
      return 0;
    }
    // A sequence step's standing send is shown by --automations, with its counts per step.
    let sends = (await ledger.sends()).filter((s) => s.automation === null);
    const schedules = await scheduleNotes(stores, cmd.issue === null ? null : sends.find((s) => s.slug === cmd.issue)?.slug ?? cmd.issue, now);
    if (cmd.issue !== null) {
      const asFile = relative(cmd.root, resolve(cmd.cwd, cmd.issue));
      sends = sends.filter((s) => s.slug === cmd.issue || s.issueFile === asFile);
      if (sends.length === 0) {
        if (schedules.length > 0) {
          process.stdout.write(`${schedules.join('\n')}\n`);
          return 0;
        }
        process.stderr.write(`newsletter status: ${cmd.issue} has not been sent (give its slug or its file)\n`);
        return 1;
      }
      sends = sends.slice(0, 1);
    }
    const feedback = await stores.feedback.sendFeedback(sends.map((s) => s.id));
    const statuses: WithFeedback[] = [];
    for (const s of sends) statuses.push({ ...(await sendStatus(ledger, s, now)), feedback: feedback.get(s.id) ?? null });
    const unmatched = cmd.issue === null ? await unmatchedNote(stores, now) : null;
    if (cmd.json) {
      process.stdout.write(`${JSON.stringify(cmd.issue === null ? statuses : statuses[0], null, 2)}\n`);
    } else {
      if (schedules.length > 0) process.stdout.write(`${schedules.join('\n')}\n\n`);
      if (unmatched) process.stdout.write(`${unmatched}\n\n`);
      if (statuses.length === 0) process.stdout.write('No issue has been sent yet.\n');
      else process.stdout.write(`${statuses.map((s) => describe(s).join('\n')).join('\n\n')}\n`);
    }
    return 0;
  } finally {
    await stores.close();
  }
}

/** How long a missed or blocked schedule keeps being pointed out. */
const NOTE_FOR_MS = 14 * 24 * 3_600_000;

/** Lines about schedules that need the writer: missed ones, blocked ones, and (for one issue) any still to come. */
async function scheduleNotes(stores: Stores, slug: string | null, now: number): Promise<string[]> {
  const all = await stores.schedules.list();
  const lines: string[] = [];
  for (const s of all) {
    if (slug !== null && s.slug !== slug) continue;
    const at = new Date(s.sendAt).toISOString();
    if (s.state === 'missed' && now - s.updatedAt < NOTE_FOR_MS) lines.push(`${s.slug}: schedule MISSED, not sent (was due ${at}): ${s.reason ?? ''}`);
    else if (s.state === 'blocked') lines.push(`${s.slug}: schedule BLOCKED (due ${at}), nothing sent: ${s.reason ?? ''}`);
    else if (slug !== null && (s.state === 'scheduled' || s.state === 'starting')) lines.push(`${s.slug}: scheduled for ${at} (newsletter schedule shows it; newsletter schedule cancel ${s.slug} cancels it)`);
  }
  return lines;
}

/** How far back `status` looks for feedback that matched nothing. */
const UNMATCHED_FOR_MS = 30 * 24 * 3_600_000;

/**
 * Events in the last 30 days that matched no message this newsletter sent: a few are noise (an old list's bounces,
 * a test), many mean the provider's events cannot be tied to our messages (a relay that rewrites the Message-ID).
 */
async function unmatchedNote(stores: Stores, now: number): Promise<string | null> {
  const rows = (await stores.feedback.recent(now - UNMATCHED_FOR_MS)).filter((r) => !r.matched);
  if (rows.length === 0) return null;
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.provider, (by.get(r.provider) ?? 0) + r.count);
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  return `feedback: ${fmt(total)} event${total === 1 ? '' : 's'} in the last 30 days matched no message this newsletter sent (${[...by].map(([p, n]) => `${p} ${fmt(n)}`).join(', ')}); they changed nothing`;
}
