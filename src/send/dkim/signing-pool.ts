import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../core/start-worker.ts';
import { dkimSigner, type DkimOptions, type DkimSigner } from './signer.ts';

interface Pending {
  resolve: (field: string) => void;
  reject: (error: Error) => void;
}

/**
 * DKIM signing on `size` worker threads: an RSA-2048 signature takes about 0.3 ms, which would hold the sending
 * thread to about 3,000 messages a second. Only the header block and the body hash (about a kilobyte) go to a
 * worker and only the `DKIM-Signature` field comes back: the body was hashed where the message was built, so no
 * 60 KB message crosses threads. Jobs go to the worker with the fewest waiting; each answer is matched by id. A
 * worker keeps the process alive only while it has work, so a finished send exits.
 */
export function createDkimPool(options: DkimOptions, size: number): DkimSigner {
  const workers: { worker: Worker; waiting: Map<number, Pending> }[] = [];
  let next = 0;
  for (let i = 0; i < size; i++) {
    const worker = startWorker(import.meta.url, 'signing-worker', options);
    const waiting = new Map<number, Pending>();
    worker.on('message', (reply: { id: number; field?: string; error?: string }) => {
      const job = waiting.get(reply.id);
      if (!job) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) worker.unref();
      if (reply.field !== undefined) job.resolve(reply.field);
      else job.reject(new Error(reply.error ?? 'DKIM signing failed'));
    });
    const fail = (error: Error) => {
      for (const job of waiting.values()) job.reject(error);
      waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a DKIM signing worker stopped (exit code ${code})`)));
    worker.unref();
    workers.push({ worker, waiting });
  }
  const field = (header: string, bodyHash: string) =>
    new Promise<string>((resolve, reject) => {
      const target = workers.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
      const id = next++;
      // Held while it has work (the send may have nothing else keeping the process alive), let go when idle.
      if (target.waiting.size === 0) target.worker.ref();
      target.waiting.set(id, { resolve, reject });
      target.worker.postMessage({ id, header, bodyHash });
    });
  return dkimSigner(field);
}
