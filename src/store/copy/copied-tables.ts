/**
 * What `db copy` moves from SQLite to PostgreSQL, table by table, parents before children, with each column's
 * PostgreSQL array type (rows go across as one array per column). The rate buckets, request counters and workers are
 * not copied: they describe the last few seconds or the processes running now, and start afresh.
 */
export interface CopiedTable {
  table: string;
  columns: readonly (readonly [name: string, pgType: string])[];
  /** The identity column whose sequence must continue after the copied ids. */
  identity?: string;
  /** SQLite's order, so that rows go in as they were made. */
  orderBy: string;
}

export const COPIED_TABLES: readonly CopiedTable[] = [
  {
    table: 'subscribers',
    columns: [
      ['id', 'integer'],
      ['email', 'text'],
      ['email_normalized', 'text'],
      ['name', 'text'],
      ['status', 'text'],
      ['source', 'text'],
      ['attributes', 'text'],
      ['created_at', 'text'],
      ['confirmed_at', 'text'],
      ['unsubscribed_at', 'text'],
      ['token_key', 'text'],
      ['legacy_tokens', 'integer'],
      ['consent_source', 'text'],
      ['opted_in_at', 'text'],
      ['consent_ip', 'text'],
      ['consent_evidence', 'text'],
    ],
    identity: 'id',
    orderBy: 'id',
  },
  {
    table: 'subscriber_tags',
    columns: [
      ['subscriber_id', 'integer'],
      ['tag', 'text'],
      ['added_at', 'text'],
    ],
    orderBy: 'subscriber_id, tag',
  },
  {
    table: 'subscriber_topics_left',
    columns: [
      ['subscriber_id', 'integer'],
      ['topic', 'text'],
      ['left_at', 'text'],
    ],
    orderBy: 'subscriber_id, topic',
  },
  {
    table: 'subscriber_events',
    columns: [
      ['id', 'bigint'],
      ['subscriber_id', 'integer'],
      ['at', 'text'],
      ['from_status', 'text'],
      ['to_status', 'text'],
      ['reason', 'text'],
      ['via', 'text'],
    ],
    identity: 'id',
    orderBy: 'id',
  },
  {
    table: 'sends',
    columns: [
      ['id', 'integer'],
      ['slug', 'text'],
      ['issue_file', 'text'],
      ['subject', 'text'],
      ['source_hash', 'text'],
      ['html', 'text'],
      ['text', 'text'],
      ['placeholder_prefix', 'text'],
      ['recipients', 'integer'],
      ['created_at', 'bigint'],
      ['finished_at', 'bigint'],
      ['segment', 'text'],
      ['topic', 'text'],
      ['automation', 'text'],
    ],
    identity: 'id',
    orderBy: 'id',
  },
  {
    table: 'send_runs',
    columns: [
      ['id', 'integer'],
      ['send_id', 'integer'],
      ['pid', 'integer'],
      ['host', 'text'],
      ['transport', 'text'],
      ['started_at', 'bigint'],
      ['heartbeat_at', 'bigint'],
      ['ended_at', 'bigint'],
      ['outcome', 'text'],
      ['sent', 'integer'],
    ],
    identity: 'id',
    orderBy: 'id',
  },
  {
    table: 'deliveries',
    columns: [
      ['send_id', 'integer'],
      ['subscriber_id', 'integer'],
      ['state', 'text'],
      ['attempts', 'integer'],
      ['next_attempt_at', 'bigint'],
      ['first_attempt_at', 'bigint'],
      ['run_id', 'integer'],
      ['updated_at', 'bigint'],
      ['reply', 'text'],
      ['message_id', 'text'],
    ],
    orderBy: 'send_id, subscriber_id',
  },
  {
    table: 'confirmation_emails',
    columns: [
      ['id', 'integer'],
      ['subscriber_id', 'integer'],
      ['state', 'text'],
      ['attempts', 'integer'],
      ['requested_at', 'bigint'],
      ['next_attempt_at', 'bigint'],
      ['lease_until', 'bigint'],
      ['updated_at', 'bigint'],
      ['last_error', 'text'],
      ['reply', 'text'],
    ],
    identity: 'id',
    orderBy: 'id',
  },
  {
    table: 'schedules',
    columns: [
      ['id', 'integer'],
      ['slug', 'text'],
      ['issue_file', 'text'],
      ['send_at', 'bigint'],
      ['segment', 'text'],
      ['origin', 'text'],
      ['state', 'text'],
      ['reason', 'text'],
      ['blocked_hash', 'text'],
      ['send_id', 'integer'],
      ['worker_id', 'integer'],
      ['next_try_at', 'bigint'],
      ['created_at', 'bigint'],
      ['updated_at', 'bigint'],
      ['started_at', 'bigint'],
    ],
    identity: 'id',
    orderBy: 'id',
  },
  {
    table: 'automation_enrolments',
    columns: [
      ['sequence', 'text'],
      ['subscriber_id', 'integer'],
      ['enrolled_at', 'bigint'],
      ['event_id', 'bigint'],
    ],
    orderBy: 'sequence, subscriber_id',
  },
  {
    table: 'automation_cursors',
    columns: [
      ['sequence', 'text'],
      ['event_id', 'bigint'],
      ['first_seen_at', 'bigint'],
    ],
    orderBy: 'sequence',
  },
];
