import { takeShared, type BucketState, type CapName, type SendCaps } from '../send/pace/shared-bucket.ts';
import { transaction, type Db } from './open.ts';
import type { SendPacer } from './stores.ts';

/** The send-wide caps on SQLite: the buckets read, taken from and written back in one IMMEDIATE transaction. */
export class SqlitePacer implements SendPacer {
  readonly #db: Db;
  readonly #read;
  readonly #write;

  constructor(db: Db) {
    this.#db = db;
    this.#read = db.prepare<[number], { cap: CapName; tokens: number; at: number }>('SELECT cap, tokens, at FROM send_pace WHERE send_id = ?');
    this.#write = db.prepare<[number, string, number, number]>(
      'INSERT INTO send_pace (send_id, cap, tokens, at) VALUES (?, ?, ?, ?) ON CONFLICT (send_id, cap) DO UPDATE SET tokens = excluded.tokens, at = excluded.at',
    );
  }

  async take(sendId: number, wanted: number, caps: SendCaps, now: number): Promise<{ granted: number; nextAt: number }> {
    return transaction(this.#db, () => {
      const stored: Partial<Record<CapName, BucketState>> = {};
      for (const row of this.#read.all(sendId)) stored[row.cap] = { tokens: row.tokens, at: row.at };
      const decision = takeShared(caps, stored, wanted, now);
      for (const [cap, state] of Object.entries(decision.states)) this.#write.run(sendId, cap, state.tokens, state.at);
      return { granted: decision.granted, nextAt: decision.nextAt };
    });
  }
}
