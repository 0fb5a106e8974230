import type pg from 'pg';
import type { AutomationStore, QueueStep, StepContent, StepCounts } from '../../automation/automation-store.ts';
import { checkStepKey } from '../../automation/step-key.ts';
import type { Trigger } from '../../automation/trigger.ts';
import { sendFromRow, type SendRecord, type SendRow } from '../ledger/records.ts';
import { enrolSql, ensureSequenceSql, NEWEST_EVENT_SQL, nextCursorSql, queueStepSql, stepCountsFromRow, stepCountsSql, stepSendSql, isCurrent, type BoundSql, type StepCountsRow } from '../automation-sql.ts';
import { transaction } from './pg-transaction.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

const run = async (client: Queryable, bound: BoundSql): Promise<number> => (await client.query(bound.sql, bound.params)).rowCount ?? 0;

/**
 * The automation store on PostgreSQL (automation/automation-store.ts), as the SQLite one behaves. Several workers
 * may call it at once: an enrolment locks its sequence's cursor row, so two of them take turns; queueing and the
 * step's send rely on their unique keys (ON CONFLICT), which make a second process wait for the first's rows and
 * then skip them.
 */
export class PgAutomationStore implements AutomationStore {
  constructor(private readonly pool: pg.Pool) {}

  async ensureSequence(sequence: string, now: number): Promise<boolean> {
    return (await run(this.pool, ensureSequenceSql('pg', sequence, now))) > 0;
  }

  enrol(sequence: string, trigger: Trigger, now: number): Promise<number> {
    return transaction(this.pool, async (client) => {
      const { rows } = await client.query<{ event_id: number }>('SELECT event_id FROM automation_cursors WHERE sequence = $1 FOR UPDATE', [sequence]);
      const cursor = rows[0]?.event_id;
      if (cursor === undefined) {
        await run(client, ensureSequenceSql('pg', sequence, now));
        return 0;
      }
      // Where the cursor may go is read first: every event it passes was then visible to the INSERT that follows.
      const next = nextCursorSql('pg', cursor, now);
      const to = (await client.query<{ event_id: number }>(next.sql, next.params)).rows[0]!.event_id;
      const enrolled = await run(client, enrolSql('pg', sequence, trigger, { live: true }, cursor, now));
      if (to !== cursor) await client.query('UPDATE automation_cursors SET event_id = $1 WHERE sequence = $2', [to, sequence]);
      return enrolled;
    });
  }

  enrolImported(sequence: string, trigger: Trigger, via: string, afterEventId: number, now: number): Promise<number> {
    return transaction(this.pool, async (client) => {
      await run(client, ensureSequenceSql('pg', sequence, now));
      return run(client, enrolSql('pg', sequence, trigger, { via }, afterEventId, now));
    });
  }

  async newestEventId(): Promise<number> {
    return (await this.pool.query<{ id: number }>(NEWEST_EVENT_SQL)).rows[0]!.id;
  }

  async stepSend(key: string, content: StepContent, now: number): Promise<SendRecord> {
    checkStepKey(key);
    // Asked at every tick of a worker: a send already as asked is only read.
    const current = (await this.pool.query<SendRow>('SELECT * FROM sends WHERE automation = $1', [key])).rows[0];
    if (current && isCurrent(sendFromRow(current), content)) return sendFromRow(current);
    return transaction(this.pool, async (client) => {
      await run(client, stepSendSql('pg', key, content, now));
      const { rows } = await client.query<SendRow>('SELECT * FROM sends WHERE automation = $1', [key]);
      return sendFromRow(rows[0]!);
    });
  }

  queueStep(step: QueueStep): Promise<number> {
    return transaction(this.pool, async (client) => {
      const queued = await run(client, queueStepSql('pg', step));
      if (queued > 0) await client.query('UPDATE sends SET recipients = recipients + $1 WHERE id = $2', [queued, step.sendId]);
      return queued;
    });
  }

  async stepCounts(sequence: string, sendId: number, topic: string | null): Promise<StepCounts> {
    const bound = stepCountsSql('pg', sequence, sendId, topic);
    return stepCountsFromRow((await this.pool.query<StepCountsRow>(bound.sql, bound.params)).rows[0]!);
  }

  async enrolled(sequence: string): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM automation_enrolments WHERE sequence = $1', [sequence])).rows[0]!.n;
  }
}
