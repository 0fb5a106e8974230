import { workerFromRow, type WorkerInfo, type WorkerLiveness, type WorkerRecord, type WorkerRegistry, type WorkerRow } from '../automation/worker-registry.ts';
import { transaction, type Db } from './open.ts';

/** The workers on SQLite; `takeOver` reads the running ones and takes over in one IMMEDIATE transaction. */
export class SqliteWorkers implements WorkerRegistry {
  constructor(private readonly db: Db) {}

  async register(info: WorkerInfo, now: number): Promise<WorkerRecord> {
    return transaction(this.db, () => {
      const { lastInsertRowid } = this.db
        .prepare("INSERT INTO workers (pid, host, state, started_at, heartbeat_at) VALUES (?, ?, 'waiting', ?, ?)")
        .run(info.pid, info.host, now, now);
      return this.#byId(Number(lastInsertRowid))!;
    });
  }

  async heartbeat(id: number, now: number): Promise<void> {
    transaction(this.db, () => this.db.prepare('UPDATE workers SET heartbeat_at = ? WHERE id = ?').run(now, id));
  }

  async takeOver(id: number, exclusive: boolean, now: number, alive: WorkerLiveness): Promise<WorkerRecord | null> {
    return transaction(this.db, () => {
      if (exclusive) {
        const running = this.db.prepare<[number], WorkerRow>("SELECT * FROM workers WHERE state = 'running' AND id <> ? ORDER BY id").all(id).map(workerFromRow);
        const holder = running.find((w) => alive(w, now));
        if (holder) return holder;
        // The ones judged dead will never stop themselves.
        for (const w of running) this.db.prepare("UPDATE workers SET state = 'stopped', stopped_at = ? WHERE id = ?").run(now, w.id);
      }
      this.db.prepare("UPDATE workers SET state = 'running', heartbeat_at = ? WHERE id = ?").run(now, id);
      return null;
    });
  }

  async stop(id: number, now: number): Promise<void> {
    transaction(this.db, () => this.db.prepare("UPDATE workers SET state = 'stopped', stopped_at = ?, heartbeat_at = ? WHERE id = ?").run(now, now, id));
  }

  async list(): Promise<WorkerRecord[]> {
    return this.db.prepare<[], WorkerRow>("SELECT * FROM workers WHERE state <> 'stopped' ORDER BY id DESC").all().map(workerFromRow);
  }

  #byId(id: number): WorkerRecord | null {
    const row = this.db.prepare<[number], WorkerRow>('SELECT * FROM workers WHERE id = ?').get(id);
    return row ? workerFromRow(row) : null;
  }
}
