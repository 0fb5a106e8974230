import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/start-worker.ts';
import type { BuildSources, WorkItem, WorkResult } from '../project/setup.ts';

/** Below this many issues, starting workers (each loads MJML) costs more than it saves. */
export const WORKER_THRESHOLD = 12;

/**
 * Renders items on one worker per core, handing each worker its next item as soon as it is free. A worker that
 * fails or exits early stops the whole pool with an error: a build must never end "finished" with issues missing.
 */
export async function renderInWorkers(
  items: readonly WorkItem[],
  sources: BuildSources,
  onResult: (result: WorkResult) => void,
): Promise<void> {
  const count = Math.max(1, Math.min(availableParallelism(), items.length));
  const workers: Worker[] = [];
  let next = 0;
  let failed = false;
  const stopAll = () => Promise.all(workers.map((w) => w.terminate()));
  try {
    await Promise.all(
      Array.from({ length: count }, () => {
        const worker = startWorker(import.meta.url, 'render-worker', sources);
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          let busy = false;
          let done = false;
          const feed = () => {
            if (failed) return;
            if (next < items.length) {
              busy = true;
              worker.postMessage(items[next++]);
            } else {
              done = true;
              void worker.terminate().then(() => resolve());
            }
          };
          worker.on('message', (result: WorkResult) => {
            busy = false;
            onResult(result);
            feed();
          });
          worker.on('online', feed);
          worker.on('error', (error) => {
            failed = true;
            reject(error);
          });
          worker.on('exit', (code) => {
            if (!done && !failed) {
              failed = true;
              reject(new Error(`a render worker stopped (exit code ${code})${busy ? ' while rendering an issue' : ''}`));
            }
          });
        });
      }),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
}
