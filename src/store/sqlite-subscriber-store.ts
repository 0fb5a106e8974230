import type { ImportCounts, ImportOptions, ImportRow, NewSubscriber, Status, Subscriber, SubscriberEvent, SubscriberStore } from '../subscribers/subscriber.ts';
import type { Db } from './open.ts';
import { SqliteSubscriberTable } from './sqlite-subscribers.ts';

/** The SubscriberStore on SQLite: the table's calls, each committed before it resolves. */
export class SqliteSubscriberStore implements SubscriberStore {
  readonly #table: SqliteSubscriberTable;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#table = new SqliteSubscriberTable(db, now);
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
  async list(filter: { status?: Status } = {}): Promise<Subscriber[]> {
    return this.#table.list(filter);
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
}
