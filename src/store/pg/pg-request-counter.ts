import type pg from 'pg';
import type { RequestCounter } from '../stores.ts';

/** The request counters on PostgreSQL: one upsert per hit; old windows deleted as new ones start. */
export class PgRequestCounter implements RequestCounter {
  #pruned = -1;

  constructor(private readonly pool: pg.Pool) {}

  async hit(key: string, now: number, limit: number, windowMs: number): Promise<boolean> {
    const window = Math.floor(now / windowMs);
    if (window !== this.#pruned) {
      this.#pruned = window;
      await this.pool.query('DELETE FROM request_counts WHERE slot < $1', [window]);
    }
    const { rows } = await this.pool.query<{ hits: number }>(
      `INSERT INTO request_counts (key, slot, hits) VALUES ($1, $2, 1)
       ON CONFLICT (key, slot) DO UPDATE SET hits = request_counts.hits + 1 RETURNING hits`,
      [key, window],
    );
    return rows[0]!.hits <= limit;
  }
}
