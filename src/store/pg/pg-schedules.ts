import type pg from 'pg';
import { OPEN_SCHEDULE_STATES, SCHEDULE_FIELD_COLUMNS, scheduleFromRow, ScheduleStartedError, type NewSchedule, type ScheduleFields, type ScheduleRecord, type ScheduleRow, type ScheduleState, type ScheduleStore } from '../../automation/schedule-store.ts';
import { retried, transaction } from './pg-transaction.ts';

const OPEN = `(${OPEN_SCHEDULE_STATES.map((s) => `'${s}'`).join(', ')})`;

/** Two-key advisory locks of this class serialise adding schedules per slug (the second key hashes the slug). */
const SCHEDULE_LOCK = 0x7363686c; // 'schl'

/** The schedules on PostgreSQL; a transition is one conditional UPDATE, so two workers racing for a row get one each. */
export class PgSchedules implements ScheduleStore {
  constructor(private readonly pool: pg.Pool) {}

  add(input: NewSchedule, now: number): Promise<{ schedule: ScheduleRecord; replaced: ScheduleRecord | null }> {
    return transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SCHEDULE_LOCK, input.slug]);
      const open = await this.#open(input.slug, client);
      if (open && (open.state === 'starting' || open.state === 'sending')) throw new ScheduleStartedError(open);
      if (open) await client.query("UPDATE schedules SET state = 'cancelled', reason = $1, updated_at = $2 WHERE id = $3", ['replaced by a new schedule', now, open.id]);
      const { rows } = await client.query<ScheduleRow>(
        `INSERT INTO schedules (slug, issue_file, send_at, segment, origin, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $6) RETURNING *`,
        [input.slug, input.issueFile, input.sendAt, input.segment, input.origin, now],
      );
      return { schedule: scheduleFromRow(rows[0]!), replaced: open };
    });
  }

  open(slug: string): Promise<ScheduleRecord | null> {
    return this.#open(slug, this.pool);
  }

  async latest(slug: string): Promise<ScheduleRecord | null> {
    const { rows } = await this.pool.query<ScheduleRow>('SELECT * FROM schedules WHERE slug = $1 ORDER BY id DESC LIMIT 1', [slug]);
    return rows[0] ? scheduleFromRow(rows[0]) : null;
  }

  async byId(id: number): Promise<ScheduleRecord | null> {
    const { rows } = await this.pool.query<ScheduleRow>('SELECT * FROM schedules WHERE id = $1', [id]);
    return rows[0] ? scheduleFromRow(rows[0]) : null;
  }

  async list(states?: readonly ScheduleState[]): Promise<ScheduleRecord[]> {
    const { rows } = states
      ? await this.pool.query<ScheduleRow>('SELECT * FROM schedules WHERE state = ANY($1::text[]) ORDER BY send_at, id', [states])
      : await this.pool.query<ScheduleRow>('SELECT * FROM schedules ORDER BY send_at, id');
    return rows.map(scheduleFromRow);
  }

  async transition(id: number, from: readonly ScheduleState[], to: ScheduleState, fields: ScheduleFields, now: number): Promise<ScheduleRecord | null> {
    const set = SCHEDULE_FIELD_COLUMNS.filter(([field]) => field in fields);
    const { rows } = await retried(() =>
      this.pool.query<ScheduleRow>(
        `UPDATE schedules SET state = $1, updated_at = $2${set.map(([, column], i) => `, ${column} = $${i + 5}`).join('')}
         WHERE id = $3 AND state = ANY($4::text[]) RETURNING *`,
        [to, now, id, from, ...set.map(([field]) => fields[field] ?? null)],
      ),
    );
    return rows[0] ? scheduleFromRow(rows[0]) : null;
  }

  async #open(slug: string, db: pg.Pool | pg.PoolClient): Promise<ScheduleRecord | null> {
    const { rows } = await db.query<ScheduleRow>(`SELECT * FROM schedules WHERE slug = $1 AND state IN ${OPEN}`, [slug]);
    return rows[0] ? scheduleFromRow(rows[0]) : null;
  }
}
