/**
 * The schema, one migration per version, applied in order at open (`PRAGMA user_version` records how far a database
 * has come). Never edit a released migration; add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced', 'complained')),
    source TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT
  );
  CREATE INDEX subscribers_status ON subscribers (status);
  CREATE TABLE subscriber_events (
    id INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    via TEXT NOT NULL
  );
  CREATE INDEX subscriber_events_subscriber ON subscriber_events (subscriber_id, id);
  `,
  `
  CREATE TABLE sends (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    issue_file TEXT NOT NULL,
    subject TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    placeholder_prefix TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX sends_slug ON sends (slug, id);
  CREATE TABLE send_runs (
    id INTEGER PRIMARY KEY,
    send_id INTEGER NOT NULL REFERENCES sends (id) ON DELETE CASCADE,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    transport TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    ended_at INTEGER,
    outcome TEXT,
    sent INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX send_runs_send ON send_runs (send_id, id);
  CREATE TABLE deliveries (
    send_id INTEGER NOT NULL REFERENCES sends (id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'retry', 'failed', 'in_doubt', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    first_attempt_at INTEGER,
    run_id INTEGER,
    updated_at INTEGER NOT NULL,
    reply TEXT,
    message_id TEXT,
    PRIMARY KEY (send_id, subscriber_id)
  ) WITHOUT ROWID;
  CREATE INDEX deliveries_due ON deliveries (send_id, state, next_attempt_at);
  CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id);
  `,
  // 3: every subscriber gets a random token key, generated once and kept; links are signed with it instead of the id,
  // which SQLite reuses after a purge. Rows here now still accept their old id-based (version 1) links: only they
  // have legacy_tokens = 1, so a row created later under a reused id never does.
  `
  ALTER TABLE subscribers ADD COLUMN token_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE subscribers ADD COLUMN legacy_tokens INTEGER NOT NULL DEFAULT 0;
  UPDATE subscribers SET token_key = lower(hex(randomblob(16))), legacy_tokens = 1;
  CREATE UNIQUE INDEX subscribers_token_key ON subscribers (token_key);
  `,
  // 4: the confirmation queue (src/store/confirmation-queue.ts): one row per sign-up request, written in the request's
  // transaction; the server's sender mails the `queued` ones. Times are in ms.
  `
  CREATE TABLE confirmation_emails (
    id INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'in_doubt', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    requested_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    updated_at INTEGER NOT NULL,
    last_error TEXT,
    reply TEXT
  );
  CREATE INDEX confirmation_emails_due ON confirmation_emails (state, next_attempt_at);
  CREATE INDEX confirmation_emails_subscriber ON confirmation_emails (subscriber_id, requested_at);
  `,
  // 5: the send-wide rate caps (src/send/pace/shared-bucket.ts), one bucket per send and cap, shared by every
  // worker of the send; and the public server's request counters (src/store/sqlite-request-counter.ts), shared by
  // every `serve` on the database. A counter's key is a keyed hash, never the client's address.
  `
  CREATE TABLE send_pace (
    send_id INTEGER NOT NULL REFERENCES sends (id) ON DELETE CASCADE,
    cap TEXT NOT NULL CHECK (cap IN ('second', 'hour')),
    tokens REAL NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (send_id, cap)
  ) WITHOUT ROWID;
  CREATE TABLE request_counts (
    key TEXT NOT NULL,
    slot INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (key, slot)
  ) WITHOUT ROWID;
  CREATE INDEX request_counts_slot ON request_counts (slot);
  `,
  // 6: the audience (issue 16). Tags: lower-case words, at most 40 characters, any number per subscriber. Topics a
  // subscriber left (a row per topic; leaving every topic is `unsubscribed`, as before). Consent on record: how the
  // subscriber came (`source` already says form, import or cli), where (the form's page or the imported file),
  // when they asked, from which client address (as privacy.ip keeps it), and what an imported file said (JSON).
  // A send keeps the segment and topic it was planned for.
  `
  CREATE TABLE subscriber_tags (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX subscriber_tags_tag ON subscriber_tags (tag, subscriber_id);
  CREATE TABLE subscriber_topics_left (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    left_at TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, topic)
  ) WITHOUT ROWID;
  ALTER TABLE subscribers ADD COLUMN consent_source TEXT;
  ALTER TABLE subscribers ADD COLUMN opted_in_at TEXT;
  ALTER TABLE subscribers ADD COLUMN consent_ip TEXT;
  ALTER TABLE subscribers ADD COLUMN consent_evidence TEXT;
  ALTER TABLE sends ADD COLUMN segment TEXT;
  ALTER TABLE sends ADD COLUMN topic TEXT;
  `,
  // 7: automation (issue 17). Scheduled sends: one row per schedule, at most one still to run per slug; `send_id`
  // is the ledger send it started. Workers: one row per `newsletter worker` process, its heartbeat its lease. A
  // sequence's step is a ledger send that stays open (`automation` names the step, unique), so the deliveries'
  // primary key makes each (step, subscriber) at most one message. Enrolments: who entered which sequence, once.
  // `automation_cursors` keeps how far each sequence has read the subscriber events (only later events enrol).
  `
  CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    issue_file TEXT NOT NULL,
    send_at INTEGER NOT NULL,
    segment TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('command', 'front-matter')),
    state TEXT NOT NULL CHECK (state IN ('scheduled', 'starting', 'sending', 'sent', 'missed', 'cancelled', 'blocked')),
    reason TEXT,
    blocked_hash TEXT,
    send_id INTEGER REFERENCES sends (id) ON DELETE SET NULL,
    worker_id INTEGER,
    next_try_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER
  );
  CREATE UNIQUE INDEX schedules_open ON schedules (slug) WHERE state IN ('scheduled', 'starting', 'sending', 'blocked');
  CREATE INDEX schedules_state ON schedules (state, send_at);
  CREATE TABLE workers (
    id INTEGER PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'waiting', 'stopped')),
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    stopped_at INTEGER
  );
  ALTER TABLE sends ADD COLUMN automation TEXT;
  CREATE UNIQUE INDEX sends_automation ON sends (automation) WHERE automation IS NOT NULL;
  CREATE TABLE automation_enrolments (
    sequence TEXT NOT NULL,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    enrolled_at INTEGER NOT NULL,
    event_id INTEGER,
    PRIMARY KEY (sequence, subscriber_id)
  ) WITHOUT ROWID;
  CREATE TABLE automation_cursors (
    sequence TEXT PRIMARY KEY,
    event_id INTEGER NOT NULL,
    first_seen_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 8: provider feedback (issue 18). The provider's id from the 250 reply to DATA, indexed with our Message-ID, so
  // that an event finds its delivery row by either. One row per event from any source, recorded once (`event_key`:
  // the provider and a hash of the event's id at its source); `raw` is dropped after 30 days. Webhook nonces (Mailgun's
  // token, the Svix id, the SNS MessageId) are kept until they expire, so a replay is refused.
  `
  ALTER TABLE deliveries ADD COLUMN provider_id TEXT;
  CREATE INDEX deliveries_provider_id ON deliveries (provider_id) WHERE provider_id IS NOT NULL;
  CREATE INDEX deliveries_message_id ON deliveries (message_id) WHERE message_id IS NOT NULL;
  CREATE TABLE feedback_events (
    id INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('hard-bounce', 'soft-bounce', 'complaint', 'delivered', 'unsubscribed', 'deferred')),
    email TEXT,
    occurred_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    message_id TEXT,
    provider_message_id TEXT,
    status TEXT,
    diagnostic TEXT,
    send_id INTEGER REFERENCES sends (id) ON DELETE SET NULL,
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL CHECK (outcome IN ('suppressed', 'recorded', 'unmatched')),
    raw TEXT
  );
  CREATE INDEX feedback_events_subscriber ON feedback_events (subscriber_id, kind, occurred_at);
  CREATE INDEX feedback_events_send ON feedback_events (send_id, kind);
  CREATE INDEX feedback_events_received ON feedback_events (received_at);
  CREATE TABLE webhook_nonces (
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (provider, nonce)
  ) WITHOUT ROWID;
  CREATE INDEX webhook_nonces_expiry ON webhook_nonces (expires_at);
  `,
];
