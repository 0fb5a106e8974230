import type { ImportCounts, ImportOptions, ImportRow, ListFilter, NewSubscriber, Status, Subscriber, SubscriberEvent, SubscriberStore, TagCount } from '../subscribers/subscriber.ts';
import type { Db } from './open.ts';
import { SqliteSubscriberTags } from './sqlite-subscriber-tags.ts';
import { SqliteSubscriberTopics } from './sqlite-subscriber-topics.ts';
import { SqliteSubscriberTable } from './sqlite-subscribers.ts';

/** The SubscriberStore on SQLite: the table's calls, each committed before it resolves. */
export class SqliteSubscriberStore implements SubscriberStore {
  readonly #table: SqliteSubscriberTable;
  readonly #tags: SqliteSubscriberTags;
  readonly #topics: SqliteSubscriberTopics;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#table = new SqliteSubscriberTable(db, now);
    this.#tags = new SqliteSubscriberTags(db, now);
    this.#topics = new SqliteSubscriberTopics(db, now);
  }

  async get(emailNormalized: string): Promise<Subscriber | null> {
    return this.#table.get(emailNormalized);
  }
  async byId(id: number): Promise<Subscriber | null> {
    return this.#table.byId(id);
  }
  async byTokenKey(tokenKey: string): Promise<Subscriber | null> {
    return this.#table.byTokenKey(tokenKey);
  }
  async list(filter: ListFilter = {}): Promise<Subscriber[]> {
    return filter.tag === undefined ? this.#table.list(filter) : this.#tags.list({ ...filter, tag: filter.tag });
  }
  async countByStatus(): Promise<Record<Status, number>> {
    return this.#table.countByStatus();
  }
  async add(subscriber: NewSubscriber): Promise<Subscriber> {
    return this.#table.add(subscriber);
  }
  async setStatus(emailNormalized: string, to: Status, reason: string, via: string): Promise<boolean> {
    return this.#table.setStatus(emailNormalized, to, reason, via);
  }
  async markBounced(id: number, reason: string, at?: Date): Promise<boolean> {
    return this.#table.markBounced(id, reason, at);
  }
  async purge(emailNormalized: string): Promise<boolean> {
    return this.#table.purge(emailNormalized);
  }
  async events(emailNormalized: string): Promise<SubscriberEvent[]> {
    return this.#table.events(emailNormalized);
  }
  async importMany(rows: readonly ImportRow[], source: string, options?: ImportOptions): Promise<ImportCounts> {
    return this.#table.importMany(rows, source, options);
  }
  async tags(emailNormalized: string): Promise<string[]> {
    return this.#tags.tags(emailNormalized);
  }
  async addTags(emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null> {
    return this.#tags.addTags(emailNormalized, tags, via);
  }
  async removeTags(emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null> {
    return this.#tags.removeTags(emailNormalized, tags, via);
  }
  async topicsLeft(emailNormalized: string): Promise<string[]> {
    return this.#topics.topicsLeft(emailNormalized);
  }
  async leaveTopic(emailNormalized: string, topic: string, via: string): Promise<boolean | null> {
    return this.#topics.leaveTopic(emailNormalized, topic, via);
  }
  async rejoinTopic(emailNormalized: string, topic: string, via: string): Promise<boolean | null> {
    return this.#topics.rejoinTopic(emailNormalized, topic, via);
  }
  async tagCounts(): Promise<TagCount[]> {
    return this.#tags.tagCounts();
  }
  async tagsById(): Promise<Map<number, string[]>> {
    return this.#tags.tagsById();
  }
}
