import { Worker } from 'node:worker_threads';

/**
 * Starts the worker `name` that sits beside `from` (a module's import.meta.url): in the bundle it is
 * lib/<name>.cjs; from source (tsx) it is the .ts file, loaded through tsx's API because Node 20 does not apply
 * tsx's loader hooks (from `--import tsx`) inside worker threads.
 */
export function startWorker(from: string, name: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.cjs`, from), { workerData });
  const entry = JSON.stringify(new URL(`./${name}.ts`, from).href);
  const code = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${entry}, ${JSON.stringify(from)}))`;
  return new Worker(code, { eval: true, workerData });
}
