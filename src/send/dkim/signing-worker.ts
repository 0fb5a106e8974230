import { parentPort, workerData } from 'node:worker_threads';
import { createDkimSigner, type DkimOptions } from './signer.ts';

/** Signs messages for the DKIM pool (signing-pool.ts): RSA signing is CPU work the sending thread should not wait on. */
const sign = createDkimSigner(workerData as DkimOptions);

parentPort!.on('message', (job: { id: number; message: Uint8Array }) => {
  sign(Buffer.from(job.message.buffer, job.message.byteOffset, job.message.byteLength)).then(
    (signed) => {
      const out = new Uint8Array(signed.buffer, signed.byteOffset, signed.byteLength);
      parentPort!.postMessage({ id: job.id, signed: out });
    },
    (error: unknown) => parentPort!.postMessage({ id: job.id, error: (error as Error).message }),
  );
});
