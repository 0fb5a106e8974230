import type Database from 'better-sqlite3';
import { subscriberFromRow, type SubscriberRow } from '../subscribers/subscriber-row.ts';
import { newTokenKey } from '../subscribers/tokens.ts';
import { parseTags } from '../audience/tags.ts';
import { recordConsent } from './sqlite-subscriber-consent.ts';
import { SqliteSubscriberTags } from './sqlite-subscriber-tags.ts';
import { transaction, type Db } from './open.ts';
import { PROGRESS_EVERY, STATUSES, type ImportCounts, type ImportOptions, type ImportRow, type NewSubscriber, type Status, type Subscriber, type SubscriberEvent } from '../subscribers/subscriber.ts';

export class DuplicateSubscriberError extends Error {
  constructor(readonly email: string) {
    super(`${email} is already on the list`);
    this.name = 'DuplicateSubscriberError';
  }
}

/**
 * The subscribers on SQLite, synchronous, so that a caller's transaction (a sign-up, the ledger's bounce) can include
 * them; SqliteSubscriberStore (sqlite-subscriber-store.ts) is the engine's async store over it. `now` is the clock,
 * passed in so tests (and imports) control time.
 */
export class SqliteSubscriberTable {
  private readonly byEmail;
  private readonly byKey;
  private readonly insert;
  private readonly insertEvent;
  private readonly bounce;
  private readonly tags;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.byEmail = db.prepare<[string], SubscriberRow>('SELECT * FROM subscribers WHERE email_normalized = ?');
    this.insert = db.prepare(
      `INSERT INTO subscribers (email, email_normalized, name, status, source, attributes, created_at, confirmed_at, unsubscribed_at, token_key)
       VALUES (@email, @emailNormalized, @name, @status, @source, @attributes, @at, @confirmedAt, @unsubscribedAt, @tokenKey)`,
    );
    this.byKey = db.prepare<[string], SubscriberRow>('SELECT * FROM subscribers WHERE token_key = ?');
    this.insertEvent = db.prepare(
      'INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.bounce = db.prepare<[number]>(`UPDATE subscribers SET status = 'bounced' WHERE id = ? AND status = 'active'`);
    this.tags = new SqliteSubscriberTags(db, now);
  }

  get(emailNormalized: string): Subscriber | null {
    const row = this.byEmail.get(emailNormalized);
    return row ? subscriberFromRow(row) : null;
  }

  byId(id: number): Subscriber | null {
    const row = this.db.prepare<[number], SubscriberRow>('SELECT * FROM subscribers WHERE id = ?').get(id);
    return row ? subscriberFromRow(row) : null;
  }

  byTokenKey(tokenKey: string): Subscriber | null {
    const row = this.byKey.get(tokenKey);
    return row ? subscriberFromRow(row) : null;
  }

  list(filter: { status?: Status } = {}): Subscriber[] {
    const rows = filter.status
      ? this.db.prepare<[string], SubscriberRow>('SELECT * FROM subscribers WHERE status = ? ORDER BY id').all(filter.status)
      : this.db.prepare<[], SubscriberRow>('SELECT * FROM subscribers ORDER BY id').all();
    return rows.map(subscriberFromRow);
  }

  countByStatus(): Record<Status, number> {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const row of this.db.prepare<[], { status: Status; n: number }>('SELECT status, count(*) AS n FROM subscribers GROUP BY status').all()) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  add(s: NewSubscriber): Subscriber {
    const tags = parseTags(s.tags ?? []);
    return transaction(this.db, () => {
      if (this.byEmail.get(s.emailNormalized)) throw new DuplicateSubscriberError(s.email);
      const at = this.now().toISOString();
      const { lastInsertRowid } = this.insert.run({
        email: s.email,
        emailNormalized: s.emailNormalized,
        name: s.name,
        status: s.status,
        source: s.source,
        attributes: JSON.stringify(s.attributes ?? {}),
        at,
        confirmedAt: s.status === 'active' ? at : null,
        unsubscribedAt: s.status === 'unsubscribed' ? at : null,
        tokenKey: newTokenKey(),
      });
      this.insertEvent.run(lastInsertRowid, at, null, s.status, s.reason, s.source);
      recordConsent(this.db, Number(lastInsertRowid), s.consent, at);
      this.tags.tag(Number(lastInsertRowid), s.status, tags, s.source, at);
      return this.get(s.emailNormalized)!;
    });
  }

  markBounced(id: number, reason: string, at: Date = this.now()): boolean {
    // Inside the ledger's transaction this is a savepoint: the delivery row and the status commit together.
    return transaction(this.db, () => {
      if (this.bounce.run(id).changes === 0) return false;
      this.insertEvent.run(id, at.toISOString(), 'active', 'bounced', reason, 'bounce');
      return true;
    });
  }

  setStatus(emailNormalized: string, to: Status, reason: string, via: string): boolean {
    return transaction(this.db, () => {
      const row = this.byEmail.get(emailNormalized);
      if (!row || row.status === to) return false;
      const at = this.now().toISOString();
      this.db
        .prepare(
          `UPDATE subscribers SET status = ?,
             confirmed_at = CASE WHEN ? = 'active' THEN ? ELSE confirmed_at END,
             unsubscribed_at = CASE WHEN ? = 'unsubscribed' THEN ? ELSE unsubscribed_at END
           WHERE id = ?`,
        )
        .run(to, to, at, to, at, row.id);
      this.insertEvent.run(row.id, at, row.status, to, reason, via);
      return true;
    });
  }

  purge(emailNormalized: string): boolean {
    return transaction(this.db, () => this.db.prepare('DELETE FROM subscribers WHERE email_normalized = ?').run(emailNormalized).changes > 0);
  }

  /**
   * Plans against a read snapshot, with no write lock, so that sign-ups carry on meanwhile; then applies the plan in
   * one IMMEDIATE transaction, all or nothing. Each planned step checks, cheaply, that what it planned on still
   * holds (an insert that meets an address added meanwhile, an update of a row changed or deleted meanwhile); a step
   * that finds otherwise is redone the slow way inside the transaction, so the result is as if the whole import had
   * run under the lock.
   */
  importMany(rows: readonly ImportRow[], source: string, options: ImportOptions = {}): ImportCounts {
    const { plan, version } = this.planImport(rows, options);
    options.onPlanned?.();
    const counts: ImportCounts = { imported: 0, updated: 0, unchanged: 0 };
    const s = this.importStatements();
    const rollback = new Error('dry run');
    try {
      transaction(this.db, () => {
        const at = this.now().toISOString();
        // Nobody else committed since the snapshot: unchanged rows need no second look.
        const fresh = this.db.pragma('data_version', { simple: true }) === version;
        const slow = (r: ImportRow) => {
          const kind = this.importOneLocked(r, source, at, s);
          counts[kind]++;
        };
        for (const step of plan) {
          const r = step.row;
          if (step.kind === 'insert') {
            const { changes, lastInsertRowid } = s.insertNew.run(this.insertValues(r, source, at, step.tokenKey));
            if (changes === 1) {
              this.insertEvent.run(lastInsertRowid, at, null, r.status ?? 'active', 'imported from another service', source);
              counts.imported++;
            } else slow(r);
          } else if (step.kind === 'update') {
            if (s.updateIfSame.run(step.name, step.json, step.id, step.oldName, step.oldJson).changes === 1) counts.updated++;
            else slow(r);
          } else if (step.kind === 'unchanged') {
            if (fresh || s.stillSame.get(step.id, step.oldName, step.oldJson)) counts.unchanged++;
            else slow(r);
          } else slow(r);
        }
        if (options.dryRun) throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
    return counts;
  }

  /** The read-only half of an import: what each row would do, against one snapshot, and that snapshot's version. */
  private planImport(rows: readonly ImportRow[], options: ImportOptions): { plan: ImportStep[]; version: number } {
    return this.db
      .transaction(() => {
        const plan: ImportStep[] = [];
        const seen = new Set<string>();
        let done = 0;
        for (const r of rows) {
          if (++done % PROGRESS_EVERY === 0) options.onProgress?.(done, rows.length);
          // A second row for one address depends on the first: it is done the slow way, in order, under the lock.
          if (seen.has(r.emailNormalized)) {
            plan.push({ kind: 'slow', row: r });
            continue;
          }
          seen.add(r.emailNormalized);
          const existing = this.byEmail.get(r.emailNormalized);
          if (!existing) {
            plan.push({ kind: 'insert', row: r, tokenKey: newTokenKey() });
            continue;
          }
          const { name, json } = merged(existing, r);
          const same = name === existing.name && json === existing.attributes;
          plan.push({ kind: same ? 'unchanged' : 'update', row: r, id: Number(existing.id), name, json, oldName: existing.name, oldJson: existing.attributes });
        }
        options.onProgress?.(rows.length, rows.length);
        return { plan, version: this.db.pragma('data_version', { simple: true }) as number };
      })
      .deferred();
  }

  /** One import row the way it is done under the lock: look it up now, then insert, update or leave it. */
  private importOneLocked(r: ImportRow, source: string, at: string, s: ImportStatements): 'imported' | 'updated' | 'unchanged' {
    const existing = this.byEmail.get(r.emailNormalized);
    if (!existing) {
      const { lastInsertRowid } = this.insert.run(this.insertValues(r, source, at, newTokenKey()));
      this.insertEvent.run(lastInsertRowid, at, null, r.status ?? 'active', 'imported from another service', source);
      return 'imported';
    }
    const { name, json } = merged(existing, r);
    if (name === existing.name && json === existing.attributes) return 'unchanged';
    s.update.run(name, json, existing.id);
    return 'updated';
  }

  private insertValues(r: ImportRow, source: string, at: string, tokenKey: string) {
    return {
      email: r.email,
      emailNormalized: r.emailNormalized,
      name: r.name,
      status: r.status ?? 'active',
      source,
      attributes: JSON.stringify(r.attributes),
      at,
      confirmedAt: (r.status ?? 'active') === 'active' ? at : null,
      unsubscribedAt: r.status === 'unsubscribed' ? at : null,
      tokenKey,
    };
  }

  private importStatements(): ImportStatements {
    return {
      insertNew: this.db.prepare(
        `INSERT INTO subscribers (email, email_normalized, name, status, source, attributes, created_at, confirmed_at, unsubscribed_at, token_key)
         VALUES (@email, @emailNormalized, @name, @status, @source, @attributes, @at, @confirmedAt, @unsubscribedAt, @tokenKey)
         ON CONFLICT (email_normalized) DO NOTHING`,
      ),
      update: this.db.prepare('UPDATE subscribers SET name = ?, attributes = ? WHERE id = ?'),
      updateIfSame: this.db.prepare('UPDATE subscribers SET name = ?, attributes = ? WHERE id = ? AND name = ? AND attributes = ?'),
      stillSame: this.db.prepare<[number, string, string], { one: number }>('SELECT 1 AS one FROM subscribers WHERE id = ? AND name = ? AND attributes = ?'),
    };
  }

  events(emailNormalized: string): SubscriberEvent[] {
    return this.db
      .prepare<[string], { at: string; from_status: Status | null; to_status: Status; reason: string; via: string }>(
        `SELECT e.at, e.from_status, e.to_status, e.reason, e.via FROM subscriber_events e
         JOIN subscribers s ON s.id = e.subscriber_id WHERE s.email_normalized = ? ORDER BY e.id`,
      )
      .all(emailNormalized)
      .map((e) => ({ at: e.at, from: e.from_status, to: e.to_status, reason: e.reason, via: e.via }));
  }
}

type ImportStep =
  | { kind: 'insert'; row: ImportRow; tokenKey: string }
  | { kind: 'update' | 'unchanged'; row: ImportRow; id: number; name: string; json: string; oldName: string; oldJson: string }
  | { kind: 'slow'; row: ImportRow };

interface ImportStatements {
  insertNew: Database.Statement;
  update: Database.Statement;
  updateIfSame: Database.Statement;
  stillSame: Database.Statement<[number, string, string], { one: number }>;
}

/** An existing row with an import row laid over it: a new name if the row has one, attributes merged. */
function merged(existing: SubscriberRow, r: ImportRow): { name: string; json: string } {
  const attributes = { ...(JSON.parse(existing.attributes) as Record<string, string>), ...r.attributes };
  return { name: r.name || existing.name, json: JSON.stringify(attributes) };
}
