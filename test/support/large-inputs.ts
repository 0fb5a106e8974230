/**
 * Hostile inputs that grow with n (issue 12, findings 8 and 18). The tests check each is handled right at its
 * largest size; `npm run bench:linear` times n against 10n, since speed belongs in a benchmark, not a test.
 */

/** A paragraph of n merge tags. */
export const mergeTagParagraph = (n: number) => `Dear reader, ${'hello {{subscriber.name}}, '.repeat(n)}and {{subscriber.name default="friend"}}.`;

/** n plain-http links on one line, each of which earns a links/http warning. */
export const linksOnOneLine = (n: number) => Array.from({ length: n }, (_, i) => `[link ${i}](http://example.org/${i})`).join(' ');

/** A table of n rows, each with bold text and a link. */
export const richTable = (rows: number) =>
  `Intro.\n\n| Item | Amount |\n| --- | ---: |\n${Array.from({ length: rows }, (_, i) => `| **item ${i}** [see](https://example.org/${i}) | ${i} |`).join('\n')}`;

/** n merge tags, closed or never closed: unclosed, each `{{` once looked for a `}}` through the rest of the body. */
export const strayBraces = (n: number, closed: boolean) => `Text ${(closed ? '{{oops}} ' : '{{oops   ').repeat(n)}end.`;

/** A code block of `runs` runs of `run` spaces (a pattern once rescanned each run from each space). */
export const spaceRuns = (run: number, runs: number) => `<pre><code>${`x${' '.repeat(run)}y\n`.repeat(runs)}</code></pre>`;

/** A returned message whose From is n bytes and whose To lists n/2 addresses before the unsubscribe address. */
export const hugeHeader = (n: number, unsubscribe: string) => `From: ${'a'.repeat(n)}\r\nTo: ${'b,'.repeat(n / 2)}${unsubscribe}\r\nSubject: unsubscribe\r\n\r\nx`;

const FAILED = 'Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; ada@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n';

/** A delivery-status report (a hard bounce) whose block repeats one field n times (it was quadratic). */
export const repeatedReportField = (n: number) => `From: m@example.org\r\nContent-Type: message/delivery-status\r\n\r\n${FAILED}${'X-Repeated: x\r\n'.repeat(n)}`;
