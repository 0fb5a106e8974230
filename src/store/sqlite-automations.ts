import type { AutomationStore, QueueStep, StepContent, StepCounts } from '../automation/automation-store.ts';
import { checkStepKey } from '../automation/step-key.ts';
import type { Trigger } from '../automation/trigger.ts';
import { sendFromRow, type SendRecord, type SendRow } from './ledger/records.ts';
import { anyDueSql, enrolSql, ensureSequenceSql, NEWEST_EVENT_SQL, nextCursorSql, queueStepSql, stepCountsSql, stepCountsFromRow, stepSendSql, isCurrent, type BoundSql, type StepCountsRow } from './automation-sql.ts';
import { transaction, type Db } from './open.ts';

/**
 * The automation store on SQLite (automation/automation-store.ts): each change one IMMEDIATE transaction, so a
 * second process on the same file waits for the first and then finds its rows (the primary keys do the rest).
 */
export class SqliteAutomationStore implements AutomationStore {
  constructor(private readonly db: Db) {}

  private run(bound: BoundSql): number {
    return this.db.prepare(bound.sql).run(...bound.params).changes;
  }

  private cursor(sequence: string): number | undefined {
    return this.db.prepare<[string], { event_id: number }>('SELECT event_id FROM automation_cursors WHERE sequence = ?').get(sequence)?.event_id;
  }

  async ensureSequence(sequence: string, now: number): Promise<boolean> {
    return transaction(this.db, () => this.run(ensureSequenceSql('sqlite', sequence, now)) > 0);
  }

  async enrol(sequence: string, trigger: Trigger, now: number): Promise<number> {
    return transaction(this.db, () => {
      const cursor = this.cursor(sequence);
      if (cursor === undefined) {
        this.run(ensureSequenceSql('sqlite', sequence, now));
        return 0;
      }
      const next = nextCursorSql('sqlite', cursor, now);
      const to = this.db.prepare<unknown[], { event_id: number }>(next.sql).get(...next.params)!.event_id;
      const enrolled = this.run(enrolSql('sqlite', sequence, trigger, { live: true }, cursor, now));
      if (to !== cursor) this.db.prepare('UPDATE automation_cursors SET event_id = ? WHERE sequence = ?').run(to, sequence);
      return enrolled;
    });
  }

  async enrolImported(sequence: string, trigger: Trigger, via: string, afterEventId: number, now: number): Promise<number> {
    return transaction(this.db, () => {
      this.run(ensureSequenceSql('sqlite', sequence, now));
      return this.run(enrolSql('sqlite', sequence, trigger, { via }, afterEventId, now));
    });
  }

  async newestEventId(): Promise<number> {
    return this.db.prepare<[], { id: number }>(NEWEST_EVENT_SQL).get()!.id;
  }

  async stepSend(key: string, content: StepContent, now: number): Promise<SendRecord> {
    checkStepKey(key);
    const byKey = this.db.prepare<[string], SendRow>('SELECT * FROM sends WHERE automation = ?');
    // Asked at every tick of a worker: a send already as asked is read without taking the write lock.
    const current = byKey.get(key);
    if (current && isCurrent(sendFromRow(current), content)) return sendFromRow(current);
    return transaction(this.db, () => {
      this.run(stepSendSql('sqlite', key, content, now));
      return sendFromRow(byKey.get(key)!);
    });
  }

  async queueStep(step: QueueStep): Promise<number> {
    // Mostly nobody is due, and finding that out reads every enrolment (0.4 s at 1,000,000): done first, in WAL's
    // snapshot, so that sign-ups are not kept waiting behind the write lock meanwhile.
    const probe = anyDueSql('sqlite', step);
    if (this.db.prepare<unknown[], { due: number }>(probe.sql).get(...probe.params)!.due === 0) return 0;
    return transaction(this.db, () => {
      const queued = this.run(queueStepSql('sqlite', step));
      if (queued > 0) this.db.prepare('UPDATE sends SET recipients = recipients + ? WHERE id = ?').run(queued, step.sendId);
      return queued;
    });
  }

  async stepCounts(sequence: string, sendId: number, topic: string | null): Promise<StepCounts> {
    const bound = stepCountsSql('sqlite', sequence, sendId, topic);
    return stepCountsFromRow(this.db.prepare<unknown[], StepCountsRow>(bound.sql).get(...bound.params)!);
  }

  async enrolled(sequence: string): Promise<number> {
    return this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM automation_enrolments WHERE sequence = ?').get(sequence)!.n;
  }
}
