import { hostname } from 'node:os';
import { relative, resolve } from 'node:path';
import { processLiveness } from '../../send/run/liveness.ts';
import { formatDuration } from '../../send/run/progress.ts';
import { SqliteLedger } from '../../store/ledger/sqlite-ledger.ts';
import type { DeliveryState, SendRecord } from '../../store/ledger/records.ts';
import { databaseFile } from '../../store/database-path.ts';
import { openDatabase } from '../../store/open.ts';

export interface StatusCommand {
  root: string;
  /** Where the command was run: a file name given is relative to it. */
  cwd: string;
  /** `NEWSLETTER_DB` as read (config/environment.ts); null for the default. */
  databasePath: string | null;
  /** A slug or an issue file; none lists every send. */
  issue: string | null;
  json: boolean;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Replies grouped by their code and enhanced code (`550 5.1.1`), so a thousand bounces read as one line. */
function groupReplies(rows: { reply: string | null }[]): { reply: string; count: number; example: string }[] {
  const groups = new Map<string, { reply: string; count: number; example: string }>();
  for (const { reply } of rows) {
    const text = reply ?? 'no reply';
    const key = /^(\d{3}(?:[ -]\d\.\d{1,3}\.\d{1,3})?)/.exec(text)?.[1] ?? text.slice(0, 60);
    const group = groups.get(key) ?? { reply: key, count: 0, example: text };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

interface SendStatus {
  slug: string;
  send: number;
  issueFile: string;
  subject: string;
  state: 'finished' | 'sending' | 'paused';
  createdAt: string;
  finishedAt: string | null;
  recipients: number;
  counts: Record<DeliveryState, number>;
  /** Messages a second over the last minute, or over the last run when it is over. */
  rate: number;
  etaSeconds: number | null;
  errors: { reply: string; count: number; example: string }[];
  inDoubt: string[];
}

function statusOf(ledger: SqliteLedger, send: SendRecord, now: number): SendStatus {
  const counts = ledger.counts(send.id);
  const runs = ledger.runs(send.id);
  const alive = processLiveness(hostname());
  const running = runs.some((r) => r.endedAt === null && alive(r, now));
  const lastRun = runs.at(-1);
  let rate = running ? ledger.sentSince(send.id, now - 60_000) / 60 : 0;
  if (!running && lastRun && lastRun.sent > 0) rate = (lastRun.sent * 1000) / Math.max(1, (lastRun.endedAt ?? lastRun.heartbeatAt) - lastRun.startedAt);
  const remaining = counts.queued + counts.retry + counts.sending;
  return {
    slug: send.slug,
    send: send.id,
    issueFile: send.issueFile,
    subject: send.subject,
    state: send.finishedAt !== null ? 'finished' : running ? 'sending' : 'paused',
    createdAt: new Date(send.createdAt).toISOString(),
    finishedAt: send.finishedAt === null ? null : new Date(send.finishedAt).toISOString(),
    recipients: send.recipients,
    counts,
    rate: Math.round(rate * 10) / 10,
    etaSeconds: remaining > 0 && running && rate > 0 ? Math.ceil(remaining / rate) : null,
    errors: groupReplies([...ledger.rows(send.id, 'failed', 100_000), ...ledger.rows(send.id, 'retry', 100_000)]),
    inDoubt: ledger.rows(send.id, 'in_doubt', 100_000).map((r) => r.email),
  };
}

function describe(s: SendStatus): string[] {
  const c = s.counts;
  const lines = [
    `${s.slug}: ${s.state}${s.finishedAt ? ` ${s.finishedAt}` : ''} (send ${s.send}, begun ${s.createdAt}, ${fmt(s.recipients)} recipients)`,
    `  subject    ${s.subject}`,
    `  sent       ${fmt(c.sent)}`,
    `  queued     ${fmt(c.queued)}`,
    `  sending    ${fmt(c.sending)}`,
    `  retry      ${fmt(c.retry)}`,
    `  failed     ${fmt(c.failed)}`,
    `  in doubt   ${fmt(c.in_doubt)}`,
    `  suppressed ${fmt(c.suppressed)}`,
    `  rate       ${s.rate > 0 ? `${fmt(s.rate)}/s` : '—'}${s.etaSeconds !== null ? `, ETA ${formatDuration(s.etaSeconds * 1000)}` : ''}`,
  ];
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
export function runStatus(cmd: StatusCommand): number {
  const db = openDatabase(databaseFile(cmd.root, cmd.databasePath));
  try {
    const ledger = new SqliteLedger(db);
    const now = Date.now();
    let sends = ledger.sends();
    if (cmd.issue !== null) {
      const asFile = relative(cmd.root, resolve(cmd.cwd, cmd.issue));
      sends = sends.filter((s) => s.slug === cmd.issue || s.issueFile === asFile);
      if (sends.length === 0) {
        process.stderr.write(`newsletter status: ${cmd.issue} has not been sent (give its slug or its file)\n`);
        return 1;
      }
      sends = sends.slice(0, 1);
    }
    const statuses = sends.map((s) => statusOf(ledger, s, now));
    if (cmd.json) {
      process.stdout.write(`${JSON.stringify(cmd.issue === null ? statuses : statuses[0], null, 2)}\n`);
    } else if (statuses.length === 0) {
      process.stdout.write('No issue has been sent yet.\n');
    } else {
      process.stdout.write(`${statuses.map((s) => describe(s).join('\n')).join('\n\n')}\n`);
    }
    return 0;
  } finally {
    db.close();
  }
}
