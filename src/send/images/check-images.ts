/** An image that did not answer 2xx at its URL: the status, or what went wrong. */
export interface ImageProblem {
  url: string;
  problem: string;
}

export interface ImageCheckOptions {
  /** Per request. */
  timeoutMs?: number;
  /** Requests at once. */
  concurrency?: number;
  /** The fetch to use; tests and other runtimes may pass their own. */
  fetch?: typeof fetch;
}

/**
 * Asks each URL whether the image is there: HEAD, or GET when the server does not allow HEAD (405, 501), following
 * redirects, each within the timeout, a few at a time. Answers the URLs that did not end in a 2xx, in input order.
 */
export async function checkImages(urls: readonly string[], options: ImageCheckOptions = {}): Promise<ImageProblem[]> {
  const { timeoutMs = 10_000, concurrency = 8 } = options;
  const get = options.fetch ?? fetch;
  const problems = new Array<ImageProblem | null>(urls.length).fill(null);
  const ask = async (url: string): Promise<string | null> => {
    try {
      let response = await get(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 405 || response.status === 501) {
        response = await get(url, { method: 'GET', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
        // Only the status matters: the body is not read.
        await response.body?.cancel();
      }
      return response.ok ? null : `${response.status} ${response.statusText}`.trim();
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
      return e.cause?.code ?? e.cause?.message ?? e.message;
    }
  };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < urls.length; i = next++) {
      const problem = await ask(urls[i]!);
      if (problem) problems[i] = { url: urls[i]!, problem };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  return problems.filter((p): p is ImageProblem => p !== null);
}

/** What `send` says when images are missing: each with its problem, then how to publish or go on regardless. */
export function imageRefusal(problems: readonly ImageProblem[]): string | null {
  if (problems.length === 0) return null;
  const lines = problems.map((p) => `  ${p.url}: ${p.problem}`);
  return [
    `${problems.length === 1 ? 'an image in this email does' : `${problems.length} images in this email do`} not answer at ${problems.length === 1 ? 'its' : 'their'} published URL; readers would see ${problems.length === 1 ? 'it' : 'them'} broken:`,
    ...lines,
    'Publish the archive first (`newsletter build`, then upload dist/web/ to the site at url), or send anyway with --skip-image-check.',
  ].join('\n');
}
