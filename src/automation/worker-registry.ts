/**
 * The workers (`newsletter worker`, `serve --worker`) on a database, one row per process, its heartbeat its lease
 * (the ledger's LEASE_MS): a worker whose heartbeat lapsed, or whose pid is gone on this host, is taken for dead.
 * On PostgreSQL any number run at once. On SQLite one runs and the others wait (`waiting`), taking over when it stops
 * or dies: one writer is all SQLite has, and two workers would only queue on its lock.
 */
export type WorkerState = 'running' | 'waiting' | 'stopped';

export interface WorkerInfo {
  pid: number;
  host: string;
}

export interface WorkerRecord extends WorkerInfo {
  id: number;
  state: WorkerState;
  startedAt: number;
  heartbeatAt: number;
  stoppedAt: number | null;
}

/** Whether a worker's process still lives (processLiveness fits: it reads pid, host and heartbeatAt). */
export type WorkerLiveness = (worker: WorkerRecord, now: number) => boolean;

export interface WorkerRegistry {
  /** Registers this process, `waiting` until `takeOver` says it runs. */
  register(info: WorkerInfo, now: number): Promise<WorkerRecord>;
  /** Renews the lease. */
  heartbeat(id: number, now: number): Promise<void>;
  /**
   * Makes worker `id` a running one, unless `exclusive` and another worker runs and is alive: then that one is
   * returned and `id` stays waiting. Decided in one transaction, so two waiting workers never both take over.
   */
  takeOver(id: number, exclusive: boolean, now: number, alive: WorkerLiveness): Promise<WorkerRecord | null>;
  /** The worker stopped cleanly. */
  stop(id: number, now: number): Promise<void>;
  /** Workers not stopped, newest first (dead ones too: the caller judges). */
  list(): Promise<WorkerRecord[]>;
}

export interface WorkerRow {
  id: number;
  pid: number;
  host: string;
  state: WorkerState;
  started_at: number;
  heartbeat_at: number;
  stopped_at: number | null;
}

export const workerFromRow = (r: WorkerRow): WorkerRecord => ({
  id: Number(r.id),
  pid: Number(r.pid),
  host: r.host,
  state: r.state,
  startedAt: Number(r.started_at),
  heartbeatAt: Number(r.heartbeat_at),
  stoppedAt: r.stopped_at === null ? null : Number(r.stopped_at),
});
