import type { Db } from './open.ts';
import type { RequestCounter } from './stores.ts';

/** The request counters on SQLite: one upsert per hit; a new window's first hit deletes the windows before it. */
export class SqliteRequestCounter implements RequestCounter {
  readonly #hit;
  readonly #prune;
  #pruned = -1;

  constructor(db: Db) {
    this.#hit = db.prepare<[string, number], { hits: number }>(
      'INSERT INTO request_counts (key, slot, hits) VALUES (?, ?, 1) ON CONFLICT (key, slot) DO UPDATE SET hits = hits + 1 RETURNING hits',
    );
    this.#prune = db.prepare<[number]>('DELETE FROM request_counts WHERE slot < ?');
  }

  async hit(key: string, now: number, limit: number, windowMs: number): Promise<boolean> {
    const window = Math.floor(now / windowMs);
    if (window !== this.#pruned) {
      this.#prune.run(window);
      this.#pruned = window;
    }
    return this.#hit.get(key, window)!.hits <= limit;
  }
}
