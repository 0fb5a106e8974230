import { LEASE_MS } from '../../store/ledger/records.ts';

/** What liveness is judged by: a send's run or a worker. */
export interface Leased {
  pid: number;
  host: string;
  heartbeatAt: number;
}

/**
 * Whether a run's (or a worker's) process is still alive: on this host, by asking the kernel about its pid (a kill -9 is seen at
 * once); on another host, by its lease (records.ts). A lapsed lease means dead either way, which also covers a pid that
 * was reused by some unrelated process.
 */
export function processLiveness(host: string): (process: Leased, now: number) => boolean {
  return (run, now) => {
    if (now - run.heartbeatAt > LEASE_MS) return false;
    if (run.host !== host) return true;
    try {
      process.kill(run.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
}
