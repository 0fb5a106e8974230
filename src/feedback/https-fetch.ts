import type { Fetch } from './webhook-provider.ts';

/** An SNS certificate is about 2 KB and a confirmation answer less: anything much bigger is not what was asked for. */
const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 10_000;

/**
 * The real fetch behind the feedback code's one injectable function (webhook-provider.ts): GET only, no redirects
 * (a redirect could lead away from the host the SNS rule allowed), a 10 s timeout and a bounded body. Its callers
 * check the URL first (sns-certificate-url.ts).
 */
export const httpsFetch: Fetch = async (url) => {
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: '*/*' } });
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BYTES) {
      await reader.cancel();
      throw new Error(`the answer from ${new URL(url).host} is over ${MAX_BYTES / 1024} KB`);
    }
    chunks.push(value);
  }
  return { status: response.status, body: Buffer.concat(chunks).toString('utf8') };
};
