import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BuildSources, WorkItem, WorkResult } from './setup.ts';

/** Below this many issues, starting workers (each loads MJML) costs more than it saves. */
export const WORKER_THRESHOLD = 12;

// From source (tsx) the worker is the .ts next to this file; in the bundle it is lib/render-worker.cjs.
const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './render-worker.ts' : './render-worker.cjs', import.meta.url);

/** Renders items on one worker per core, handing each worker its next item as soon as it is free. */
export async function renderInWorkers(
  items: readonly WorkItem[],
  sources: BuildSources,
  onResult: (result: WorkResult) => void,
): Promise<void> {
  const count = Math.max(1, Math.min(availableParallelism(), items.length));
  let next = 0;
  await Promise.all(
    Array.from({ length: count }, () => {
      const worker = new Worker(workerUrl, { workerData: sources });
      return new Promise<void>((resolve, reject) => {
        const feed = () => {
          if (next < items.length) worker.postMessage(items[next++]);
          else void worker.terminate().then(() => resolve());
        };
        worker.on('message', (result: WorkResult) => {
          onResult(result);
          feed();
        });
        worker.on('error', reject);
        worker.on('online', feed);
      });
    }),
  );
}
