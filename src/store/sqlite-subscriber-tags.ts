import { parseTags } from '../audience/tags.ts';
import { subscriberFromRow, type SubscriberRow } from '../subscribers/subscriber-row.ts';
import { tagAddedReason, tagRemovedReason, type ListFilter, type Status, type Subscriber, type TagCount } from '../subscribers/subscriber.ts';
import { transaction, type Db } from './open.ts';

/**
 * Subscribers' tags on SQLite, synchronous like SqliteSubscriberTable, so that a sign-up's transaction can tag the
 * subscriber it adds. Each tag given or taken is an event whose status stays as it was (from = to): the history
 * shows it, and counts of joins and leaves (the desk's) pass over it.
 */
export class SqliteSubscriberTags {
  private readonly insertTag;
  private readonly deleteTag;
  private readonly insertEvent;
  private readonly byEmail;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insertTag = db.prepare<[number, string, string]>('INSERT INTO subscriber_tags (subscriber_id, tag, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.deleteTag = db.prepare<[number, string]>('DELETE FROM subscriber_tags WHERE subscriber_id = ? AND tag = ?');
    this.insertEvent = db.prepare('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES (?, ?, ?, ?, ?, ?)');
    this.byEmail = db.prepare<[string], { id: number; status: Status }>('SELECT id, status FROM subscribers WHERE email_normalized = ?');
  }

  tags(emailNormalized: string): string[] {
    return this.db
      .prepare<[string], { tag: string }>(
        'SELECT t.tag FROM subscriber_tags t JOIN subscribers s ON s.id = t.subscriber_id WHERE s.email_normalized = ? ORDER BY t.tag',
      )
      .all(emailNormalized)
      .map((r) => r.tag);
  }

  addTags(emailNormalized: string, tags: readonly string[], via: string): string[] | null {
    const wanted = parseTags(tags);
    return transaction(this.db, () => {
      const s = this.byEmail.get(emailNormalized);
      return s ? this.tag(Number(s.id), s.status, wanted, via) : null;
    });
  }

  /** Tags a subscriber this transaction knows (a sign-up's new row); returns the tags added. Tags must be parsed. */
  tag(id: number, status: Status, tags: readonly string[], via: string, at: string = this.now().toISOString()): string[] {
    const added = tags.filter((tag) => this.insertTag.run(id, tag, at).changes === 1);
    for (const tag of added) this.insertEvent.run(id, at, status, status, tagAddedReason(tag), via);
    return added;
  }

  removeTags(emailNormalized: string, tags: readonly string[], via: string): string[] | null {
    const unwanted = parseTags(tags);
    return transaction(this.db, () => {
      const s = this.byEmail.get(emailNormalized);
      if (!s) return null;
      const at = this.now().toISOString();
      const removed = unwanted.filter((tag) => this.deleteTag.run(s.id, tag).changes === 1);
      for (const tag of removed) this.insertEvent.run(s.id, at, s.status, s.status, tagRemovedReason(tag), via);
      return removed;
    });
  }

  /** The list with a tag filter (SqliteSubscriberTable.list has the others). */
  list(filter: ListFilter & { tag: string }): Subscriber[] {
    const [tag] = parseTags([filter.tag]);
    const rows = filter.status
      ? this.db
          .prepare<[string, string], SubscriberRow>(
            'SELECT s.* FROM subscribers s JOIN subscriber_tags t ON t.subscriber_id = s.id WHERE t.tag = ? AND s.status = ? ORDER BY s.id',
          )
          .all(tag!, filter.status)
      : this.db.prepare<[string], SubscriberRow>('SELECT s.* FROM subscribers s JOIN subscriber_tags t ON t.subscriber_id = s.id WHERE t.tag = ? ORDER BY s.id').all(tag!);
    return rows.map(subscriberFromRow);
  }

  tagCounts(): TagCount[] {
    return this.db
      .prepare<[], { tag: string; n: number }>('SELECT tag, count(*) AS n FROM subscriber_tags GROUP BY tag ORDER BY tag')
      .all()
      .map((r) => ({ tag: r.tag, subscribers: Number(r.n) }));
  }

  tagsById(): Map<number, string[]> {
    const byId = new Map<number, string[]>();
    for (const r of this.db.prepare<[], { subscriber_id: number; tag: string }>('SELECT subscriber_id, tag FROM subscriber_tags ORDER BY subscriber_id, tag').all()) {
      const id = Number(r.subscriber_id);
      const list = byId.get(id);
      if (list) list.push(r.tag);
      else byId.set(id, [r.tag]);
    }
    return byId;
  }
}
