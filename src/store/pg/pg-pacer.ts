import type pg from 'pg';
import { takeShared, type BucketState, type CapName, type SendCaps } from '../../send/pace/shared-bucket.ts';
import type { SendPacer } from '../stores.ts';
import { transaction } from './pg-transaction.ts';

/** Two-key advisory locks of this class serialise the takes of one send; the second key is the send's id. */
const PACE_LOCK_CLASS = 0x70616365; // 'pace'

/**
 * The send-wide caps on PostgreSQL. The buckets are refilled by the database server's clock, not the workers', so
 * hosts whose clocks disagree still share one pace. A take is serialised per send by an advisory lock and committed
 * without waiting for the disk (`synchronous_commit = off`): a bucket lost in a crash only starts full again.
 */
export class PgPacer implements SendPacer {
  constructor(private readonly pool: pg.Pool) {}

  async take(sendId: number, wanted: number, caps: SendCaps, callerNow: number): Promise<{ granted: number; nextAt: number }> {
    return transaction(this.pool, async (client) => {
      await client.query('SET LOCAL synchronous_commit = off');
      // The lock first, in a statement of its own: a statement's snapshot is taken when it starts, so reading the
      // buckets in the statement that waits for the lock would read them as they were before the holder wrote.
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [PACE_LOCK_CLASS, sendId]);
      const { rows } = await client.query<{ now: number; cap: CapName | null; tokens: number | null; at: number | null }>(
        `SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now, p.cap, p.tokens, p.at
         FROM (SELECT 1) AS one LEFT JOIN send_pace p ON p.send_id = $1`,
        [sendId],
      );
      const now = Number(rows[0]!.now);
      const stored: Partial<Record<CapName, BucketState>> = {};
      for (const r of rows) if (r.cap !== null) stored[r.cap] = { tokens: Number(r.tokens), at: Number(r.at) };
      const decision = takeShared(caps, stored, wanted, now);
      const entries = Object.entries(decision.states) as [CapName, BucketState][];
      if (entries.length > 0) {
        await client.query(
          `INSERT INTO send_pace (send_id, cap, tokens, at) SELECT $1, * FROM unnest($2::text[], $3::float8[], $4::bigint[])
           ON CONFLICT (send_id, cap) DO UPDATE SET tokens = excluded.tokens, at = excluded.at`,
          [sendId, entries.map(([c]) => c), entries.map(([, s]) => s.tokens), entries.map(([, s]) => s.at)],
        );
      }
      // The server's clock dated the next token; the caller schedules by its own, so it gets a delay, not a time.
      return { granted: decision.granted, nextAt: callerNow + (decision.nextAt - now) };
    });
  }
}
