/**
 * The send ledger: one row per (send, subscriber), frozen when the send is planned. A row is `sending` before its
 * SMTP transaction and `sent` only after the server's 250 to DATA; a send is finished only when no row is
 * `queued`, `sending` or `retry` (see "Sending semantics" in the README).
 */
export const DELIVERY_STATES = ['queued', 'sending', 'sent', 'retry', 'failed', 'in_doubt', 'suppressed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** What a send freezes when it is planned. */
export interface NewSend {
  slug: string;
  issueFile: string;
  subject: string;
  /** Hash of what was frozen, to notice an issue edited after its send began. */
  sourceHash: string;
  /** The final HTML and text with placeholders, frozen so a resumed send mails exactly what the first run did. */
  html: string;
  text: string;
  placeholderPrefix: string;
}

export interface SendRecord extends NewSend {
  id: number;
  recipients: number;
  /** The segment expression the send was planned for, as given, or null for everyone (issue 16). */
  segment: string | null;
  /** The topic id the send was planned for, or null for the main list. */
  topic: string | null;
  /**
   * The sequence step this send stands for (`onboarding:2026-01-01-welcome`: sequence id, colon, the step issue's
   * slug), or null for a broadcast (issue 17). A step's send stays open: each reader's row is added when they are due.
   */
  automation: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** A row claimed for sending, with the subscriber's current address and name. */
export interface Claimed {
  subscriberId: number;
  /** The row's state before this claim, so a caller can keep its own counts. */
  previous: 'queued' | 'retry';
  email: string;
  name: string;
  /** What the subscriber's unsubscribe link is signed with. */
  tokenKey: string;
  /** Attempts including this one. */
  attempts: number;
  firstAttemptAt: number;
}

export type DeliveryResult =
  | { subscriberId: number; state: 'sent'; reply: string; messageId: string }
  | { subscriberId: number; state: 'retry'; reply: string; nextAttemptAt: number }
  | { subscriberId: number; state: 'failed'; reply: string; bounce: boolean }
  | { subscriberId: number; state: 'in_doubt'; reply: string }
  /** Not attempted after all (the run stopped before this message could go): back in the queue, attempt undone. */
  | { subscriberId: number; state: 'queued'; reply: string };

export interface RunInfo {
  pid: number;
  host: string;
  transport: string;
}

export interface RunRecord extends RunInfo {
  id: number;
  sendId: number;
  startedAt: number;
  heartbeatAt: number;
  endedAt: number | null;
  outcome: string | null;
  sent: number;
}

/** Whether the process that started a run is still alive; decides whether its `sending` rows are abandoned. */
export type Liveness = (run: RunRecord, now: number) => boolean;

/**
 * Each run holds a lease on its `sending` rows: its heartbeat, renewed every LEASE_RENEW_MS while the process lives
 * (at every group commit, and by a timer when nothing else commits). A run whose heartbeat is older than LEASE_MS
 * is taken for dead, on any host, and another run recovers its rows as `in_doubt`. On the run's own host a dead pid
 * is seen at once. Hosts must keep their clocks in step (NTP): a clock more than LEASE_MS - LEASE_RENEW_MS behind
 * makes its live runs look dead to the others (their rows then become `in_doubt`: reported, never sent twice).
 */
export const LEASE_MS = 30_000;
export const LEASE_RENEW_MS = 5_000;

export class AlreadySentError extends Error {
  constructor(readonly send: SendRecord) {
    super(`${send.slug} was already sent to ${send.recipients} subscribers (finished ${new Date(send.finishedAt ?? 0).toISOString()})`);
    this.name = 'AlreadySentError';
  }
}

export interface SendRow {
  id: number;
  slug: string;
  issue_file: string;
  subject: string;
  source_hash: string;
  html: string;
  text: string;
  placeholder_prefix: string;
  recipients: number;
  segment: string | null;
  topic: string | null;
  automation: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface RunRow {
  id: number;
  send_id: number;
  pid: number;
  host: string;
  transport: string;
  started_at: number;
  heartbeat_at: number;
  ended_at: number | null;
  outcome: string | null;
  sent: number;
}

export const sendFromRow = (r: SendRow): SendRecord => ({
  id: r.id,
  slug: r.slug,
  issueFile: r.issue_file,
  subject: r.subject,
  sourceHash: r.source_hash,
  html: r.html,
  text: r.text,
  placeholderPrefix: r.placeholder_prefix,
  recipients: r.recipients,
  segment: r.segment ?? null,
  topic: r.topic ?? null,
  automation: r.automation ?? null,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export const runFromRow = (r: RunRow): RunRecord => ({
  id: r.id,
  sendId: r.send_id,
  pid: r.pid,
  host: r.host,
  transport: r.transport,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  endedAt: r.ended_at,
  outcome: r.outcome,
  sent: r.sent,
});
