import type Database from 'better-sqlite3';
import type { Db } from './open.ts';
import type { ImportRow, Status } from '../subscribers/subscriber.ts';
import { importedFile } from './import-consent.ts';

/** What an import row did beyond name and attributes: a status the file gave a known active address, tags added. */
export interface ExtrasDone {
  changed: boolean;
  became: Status | null;
}

/**
 * The part of an import on SQLite that reads and writes under the write lock, row by row, after the row's insert or
 * update: an active address whose file says it left takes the file's status; the file's tags are added. Both are
 * events, so the history says which file did it.
 */
export class SqliteImportExtras {
  private readonly status: Database.Statement<[number], { status: Status }>;
  private readonly leave: Database.Statement;
  private readonly tag: Database.Statement;
  private readonly event: Database.Statement;

  constructor(db: Db) {
    this.status = db.prepare<[number], { status: Status }>('SELECT status FROM subscribers WHERE id = ?');
    this.leave = db.prepare(
      `UPDATE subscribers SET status = @to, unsubscribed_at = CASE WHEN @to = 'unsubscribed' THEN @at ELSE unsubscribed_at END
       WHERE id = @id AND status = 'active'`,
    );
    this.tag = db.prepare('INSERT INTO subscriber_tags (subscriber_id, tag, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.event = db.prepare('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Applies `r`'s status and tags to subscriber `id`; nothing to do (and no read) for a plain row. */
  apply(id: number, r: ImportRow, source: string, at: string): ExtrasDone {
    const done: ExtrasDone = { changed: false, became: null };
    if (!r.left && !r.tags?.length) return done;
    let status = this.status.get(id)!.status;
    // Only an active address leaves: a pending one never confirmed, a suppressed one keeps its own reason.
    if (r.left && r.status && status === 'active' && this.leave.run({ to: r.status, at, id }).changes === 1) {
      this.event.run(id, at, 'active', r.status, `${r.status} according to ${importedFile(source)}`, source);
      status = r.status;
      done.changed = true;
      done.became = r.status;
    }
    for (const tag of r.tags ?? []) {
      if (this.tag.run(id, tag, at).changes === 0) continue;
      this.event.run(id, at, status, status, `tag added: ${tag}`, source);
      done.changed = true;
    }
    return done;
  }
}
