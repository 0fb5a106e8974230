import { parentPort, workerData } from 'node:worker_threads';
import { createDkimSigner, type DkimOptions } from './signer.ts';

/** Makes `DKIM-Signature` fields for the DKIM pool (signing-pool.ts): RSA signing is CPU work the sending thread should not wait on. */
const signer = createDkimSigner(workerData as DkimOptions);

parentPort!.on('message', (job: { id: number; header: string; bodyHash: string }) => {
  signer.field(job.header, job.bodyHash).then(
    (field) => parentPort!.postMessage({ id: job.id, field }),
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: (error as Error).message }),
  );
});
