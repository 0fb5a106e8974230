import type { Environment } from '../../config/environment.ts';
import { runWorker } from '../../automation/worker.ts';
import { openCommandStores } from '../open-command-stores.ts';

export interface WorkerCommand {
  root: string;
  environment: Environment;
  pollMs?: number;
}

/** A log line on stdout: when, then what. */
export function workerLog(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/**
 * `newsletter worker`: runs scheduled sends (and welcome and sequence mail) until SIGTERM or Ctrl-C, which let the
 * messages in flight finish and be recorded; then exit 0. A second signal ends it at once (the ledger reports the
 * messages it cut off as in doubt).
 */
export async function runWorkerCommand(cmd: WorkerCommand): Promise<number> {
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'worker', { server: true });
  const controller = new AbortController();
  const stop = (signal: string) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${signal} again: stopping at once; messages in flight are left for the next worker to report as in doubt.\n`);
      process.exit(130);
    }
    workerLog(`worker: ${signal}: finishing the messages in flight, then stopping`);
    controller.abort();
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    await runWorker({ root: cmd.root, environment: cmd.environment, stores, log: workerLog, pollMs: cmd.pollMs }, controller.signal);
    return 0;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await stores.close();
  }
}
