import type pg from 'pg';
import { workerFromRow, type WorkerInfo, type WorkerLiveness, type WorkerRecord, type WorkerRegistry, type WorkerRow } from '../../automation/worker-registry.ts';
import { transaction } from './pg-transaction.ts';

/** One advisory lock serialises exclusive take-overs (PostgreSQL's workers normally all run: see worker-registry.ts). */
const WORKER_LOCK = 0x776f726b; // 'work'

export class PgWorkers implements WorkerRegistry {
  constructor(private readonly pool: pg.Pool) {}

  async register(info: WorkerInfo, now: number): Promise<WorkerRecord> {
    const { rows } = await this.pool.query<WorkerRow>(
      "INSERT INTO workers (pid, host, state, started_at, heartbeat_at) VALUES ($1, $2, 'waiting', $3, $3) RETURNING *",
      [info.pid, info.host, now],
    );
    return workerFromRow(rows[0]!);
  }

  async heartbeat(id: number, now: number): Promise<void> {
    await this.pool.query('UPDATE workers SET heartbeat_at = $1 WHERE id = $2', [now, id]);
  }

  takeOver(id: number, exclusive: boolean, now: number, alive: WorkerLiveness): Promise<WorkerRecord | null> {
    return transaction(this.pool, async (client) => {
      if (exclusive) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [WORKER_LOCK]);
        const { rows } = await client.query<WorkerRow>("SELECT * FROM workers WHERE state = 'running' AND id <> $1 ORDER BY id", [id]);
        const running = rows.map(workerFromRow);
        const holder = running.find((w) => alive(w, now));
        if (holder) return holder;
        await client.query("UPDATE workers SET state = 'stopped', stopped_at = $1 WHERE id = ANY($2::int[])", [now, running.map((w) => w.id)]);
      }
      await client.query("UPDATE workers SET state = 'running', heartbeat_at = $1 WHERE id = $2", [now, id]);
      return null;
    });
  }

  async stop(id: number, now: number): Promise<void> {
    await this.pool.query("UPDATE workers SET state = 'stopped', stopped_at = $1, heartbeat_at = $1 WHERE id = $2", [now, id]);
  }

  async list(): Promise<WorkerRecord[]> {
    const { rows } = await this.pool.query<WorkerRow>("SELECT * FROM workers WHERE state <> 'stopped' ORDER BY id DESC");
    return rows.map(workerFromRow);
  }
}
