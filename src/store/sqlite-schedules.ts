import { OPEN_SCHEDULE_STATES, SCHEDULE_FIELD_COLUMNS, scheduleFromRow, ScheduleStartedError, type NewSchedule, type ScheduleFields, type ScheduleRecord, type ScheduleRow, type ScheduleState, type ScheduleStore } from '../automation/schedule-store.ts';
import { transaction, type Db } from './open.ts';

const OPEN = `(${OPEN_SCHEDULE_STATES.map((s) => `'${s}'`).join(', ')})`;

/** The schedules on SQLite: each change one IMMEDIATE transaction, so a compare-and-set sees the latest row. */
export class SqliteSchedules implements ScheduleStore {
  constructor(private readonly db: Db) {}

  async add(input: NewSchedule, now: number): Promise<{ schedule: ScheduleRecord; replaced: ScheduleRecord | null }> {
    return transaction(this.db, () => {
      const open = this.#open(input.slug);
      if (open && (open.state === 'starting' || open.state === 'sending')) throw new ScheduleStartedError(open);
      if (open) this.db.prepare("UPDATE schedules SET state = 'cancelled', reason = ?, updated_at = ? WHERE id = ?").run('replaced by a new schedule', now, open.id);
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO schedules (slug, issue_file, send_at, segment, origin, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?)`,
        )
        .run(input.slug, input.issueFile, input.sendAt, input.segment, input.origin, now, now);
      return { schedule: this.#byId(Number(lastInsertRowid))!, replaced: open };
    });
  }

  async open(slug: string): Promise<ScheduleRecord | null> {
    return this.#open(slug);
  }

  async latest(slug: string): Promise<ScheduleRecord | null> {
    const row = this.db.prepare<[string], ScheduleRow>('SELECT * FROM schedules WHERE slug = ? ORDER BY id DESC LIMIT 1').get(slug);
    return row ? scheduleFromRow(row) : null;
  }

  async byId(id: number): Promise<ScheduleRecord | null> {
    return this.#byId(id);
  }

  async list(states?: readonly ScheduleState[]): Promise<ScheduleRecord[]> {
    const where = states ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
    return this.db
      .prepare<unknown[], ScheduleRow>(`SELECT * FROM schedules ${where} ORDER BY send_at, id`)
      .all(...(states ?? []))
      .map(scheduleFromRow);
  }

  async transition(id: number, from: readonly ScheduleState[], to: ScheduleState, fields: ScheduleFields, now: number): Promise<ScheduleRecord | null> {
    const set = SCHEDULE_FIELD_COLUMNS.filter(([field]) => field in fields);
    return transaction(this.db, () => {
      const { changes } = this.db
        .prepare(
          `UPDATE schedules SET state = ?, updated_at = ?${set.map(([, column]) => `, ${column} = ?`).join('')}
           WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`,
        )
        .run(to, now, ...set.map(([field]) => fields[field] ?? null), id, ...from);
      return changes === 1 ? this.#byId(id) : null;
    });
  }

  #open(slug: string): ScheduleRecord | null {
    const row = this.db.prepare<[string], ScheduleRow>(`SELECT * FROM schedules WHERE slug = ? AND state IN ${OPEN}`).get(slug);
    return row ? scheduleFromRow(row) : null;
  }

  #byId(id: number): ScheduleRecord | null {
    const row = this.db.prepare<[number], ScheduleRow>('SELECT * FROM schedules WHERE id = ?').get(id);
    return row ? scheduleFromRow(row) : null;
  }
}
