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
];
