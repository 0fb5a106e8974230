import type { Environment } from '../config/environment.ts';
import type { Stores } from '../store/stores.ts';

/** What every job of a worker is given: where the project is, its database, its clock, its log and its stop signal. */
export interface JobContext {
  root: string;
  environment: Environment;
  stores: Stores;
  workerId: number;
  host: string;
  clock: () => number;
  /** One line per action, said as it happens. */
  log: (line: string) => void;
  /** Aborted by SIGTERM: sends in flight finish and are recorded, nothing new starts. */
  signal: AbortSignal;
}
