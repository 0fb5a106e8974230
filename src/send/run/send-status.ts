import { hostname } from 'node:os';
import { processLiveness } from './liveness.ts';
import type { Ledger } from '../../store/ledger/ledger.ts';
import type { DeliveryState, SendRecord } from '../../store/ledger/records.ts';

/** A reply as many rows got it: grouped by code and enhanced code (`550 5.1.1`), with one full example. */
export interface ReplyGroup {
  reply: string;
  count: number;
  example: string;
}

/** Replies grouped by their code and enhanced code (`550 5.1.1`), so a thousand bounces read as one line. */
export function groupReplies(rows: { reply: string | null }[]): ReplyGroup[] {
  const groups = new Map<string, ReplyGroup>();
  for (const { reply } of rows) {
    const text = reply ?? 'no reply';
    const key = /^(\d{3}(?:[ -]\d\.\d{1,3}\.\d{1,3})?)/.exec(text)?.[1] ?? text.slice(0, 60);
    const group = groups.get(key) ?? { reply: key, count: 0, example: text };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** One live run of a send. */
export interface WorkerStatus {
  host: string;
  pid: number;
  transport: string;
  /** Its messages a second since it started. */
  rate: number;
  startedAt: string;
  lastHeartbeat: string;
}

/** Where one send stands, as `newsletter status` prints it and the preview's desk shows it. */
export interface SendStatus {
  slug: string;
  send: number;
  issueFile: string;
  subject: string;
  /** The segment expression the send was planned for, or null for every active subscriber (issue 16). */
  segment: string | null;
  /** The topic the send was planned for, or null for the main list. */
  topic: string | null;
  state: 'finished' | 'sending' | 'paused';
  createdAt: string;
  finishedAt: string | null;
  recipients: number;
  counts: Record<DeliveryState, number>;
  /** Messages a second over the last minute, or over the last run when it is over. */
  rate: number;
  etaSeconds: number | null;
  /** Each run still alive (on any host, by its lease): several workers may share one send. */
  workers: WorkerStatus[];
  errors: ReplyGroup[];
  inDoubt: string[];
}

/**
 * The ledger's reads a status needs: an engine's Ledger, or SQLite's reports alone (synchronous), so that the desk's
 * read-only connection will do.
 */
export type StatusReads = {
  [K in 'counts' | 'runs' | 'rows' | 'sentSince']: (...args: Parameters<Ledger[K]>) => ReturnType<Ledger[K]> | Awaited<ReturnType<Ledger[K]>>;
};

export interface StatusOptions {
  /** How many failed/retry rows are grouped and in-doubt addresses listed (the CLI's --json wants them all). */
  rowLimit?: number;
}

/** What a status reads of the send itself: not its frozen HTML and text, which the desk never loads. */
export type SendSummary = Pick<SendRecord, 'id' | 'slug' | 'issueFile' | 'subject' | 'recipients' | 'createdAt' | 'finishedAt'> & Partial<Pick<SendRecord, 'segment' | 'topic'>>;

/** One send's status at `now`: a run counts as sending only while its process (or, elsewhere, its heartbeat) lives. */
export async function sendStatus(ledger: StatusReads, send: SendSummary, now: number, options: StatusOptions = {}): Promise<SendStatus> {
  const limit = options.rowLimit ?? 100_000;
  const counts = await ledger.counts(send.id);
  const runs = await ledger.runs(send.id);
  const alive = processLiveness(hostname());
  const live = runs.filter((r) => r.endedAt === null && alive(r, now));
  const running = live.length > 0;
  const lastRun = runs.at(-1);
  let rate = running ? (await ledger.sentSince(send.id, now - 60_000)) / 60 : 0;
  if (!running && lastRun && lastRun.sent > 0) rate = (lastRun.sent * 1000) / Math.max(1, (lastRun.endedAt ?? lastRun.heartbeatAt) - lastRun.startedAt);
  const remaining = counts.queued + counts.retry + counts.sending;
  return {
    slug: send.slug,
    send: send.id,
    issueFile: send.issueFile,
    subject: send.subject,
    segment: send.segment ?? null,
    topic: send.topic ?? null,
    state: send.finishedAt !== null ? 'finished' : running ? 'sending' : 'paused',
    createdAt: new Date(send.createdAt).toISOString(),
    finishedAt: send.finishedAt === null ? null : new Date(send.finishedAt).toISOString(),
    recipients: send.recipients,
    counts,
    rate: Math.round(rate * 10) / 10,
    etaSeconds: remaining > 0 && running && rate > 0 ? Math.ceil(remaining / rate) : null,
    workers: live.map((r) => ({
      host: r.host,
      pid: r.pid,
      transport: r.transport,
      rate: Math.round(((r.sent * 1000) / Math.max(1000, r.heartbeatAt - r.startedAt)) * 10) / 10,
      startedAt: new Date(r.startedAt).toISOString(),
      lastHeartbeat: new Date(r.heartbeatAt).toISOString(),
    })),
    errors: groupReplies([...(await ledger.rows(send.id, 'failed', limit)), ...(await ledger.rows(send.id, 'retry', limit))]),
    inDoubt: (await ledger.rows(send.id, 'in_doubt', limit)).map((r) => r.email),
  };
}
