import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../core/start-worker.ts';
import type { DkimOptions, DkimSigner } from './signer.ts';

interface Pending {
  resolve: (signed: Buffer) => void;
  reject: (error: Error) => void;
}

/**
 * DKIM signing on `size` worker threads: an RSA-2048 signature costs about 0.6 ms, which alone would hold one thread
 * to about 1,600 messages a second. Messages go to the worker with the fewest waiting; each answer is matched to its
 * message by id. A worker keeps the process alive only while it has messages to sign, so a finished send exits.
 */
export function createDkimPool(options: DkimOptions, size: number): DkimSigner {
  const workers: { worker: Worker; waiting: Map<number, Pending> }[] = [];
  let next = 0;
  for (let i = 0; i < size; i++) {
    const worker = startWorker(import.meta.url, 'signing-worker', options);
    const waiting = new Map<number, Pending>();
    worker.on('message', (reply: { id: number; signed?: Uint8Array; error?: string }) => {
      const job = waiting.get(reply.id);
      if (!job) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) worker.unref();
      if (reply.signed) job.resolve(Buffer.from(reply.signed.buffer, reply.signed.byteOffset, reply.signed.byteLength));
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
  return (message) =>
    new Promise<Buffer>((resolve, reject) => {
      const target = workers.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
      const id = next++;
      // Held while it has work (the send may have nothing else keeping the process alive), let go when idle.
      if (target.waiting.size === 0) target.worker.ref();
      target.waiting.set(id, { resolve, reject });
      // A copy the worker owns: the message may sit in Node's shared buffer pool, which must not be transferred.
      target.worker.postMessage({ id, message: new Uint8Array(message) });
    });
}
