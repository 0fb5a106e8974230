/**
 * `npm run bench:linear`: hostile inputs that grow (issue 12, findings 8 and 18) cost time in proportion to their
 * size. Each figure times n and 10n (or two inputs of one size) in the same run, best of 3 after a warm-up, so the
 * ratio is what counts: linear work gives about 10 (or 1), quadratic about 100 (or 10 and more). A ratio over 25 is
 * a FAIL. The tests check the same inputs give the right answer; timing them belongs here, not in `npm test`.
 */
import { bodyStyles } from '../src/render/body-styles.ts';
import { bodyToMjml } from '../src/render/body-to-mjml.ts';
import { parseMarkdown } from '../src/render/markdown.ts';
import { expandBodyTags, placeholdersFor } from '../src/render/merge-tags.ts';
import { neutralise } from '../src/web/site.ts';
import { classifyReturnedMail } from '../src/inbound/returned-mail.ts';
import { issueText, projectSetup, render } from '../test/support/fixtures.ts';
import { hugeHeader, linksOnOneLine, mergeTagParagraph, repeatedReportField, richTable, spaceRuns, strayBraces } from '../test/support/large-inputs.ts';

const RATIO_MAX = 25;
const results: boolean[] = [];

async function bestOf3(run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    await run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

function report(label: string, a: number, b: number, what: string): void {
  const ratio = b / a;
  const ok = ratio <= RATIO_MAX;
  results.push(ok);
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}: ${a.toFixed(1)} ms and ${b.toFixed(1)} ms for ${what}, ratio ${ratio.toFixed(1)} (target ≤ ${RATIO_MAX})`);
}

/** n against 10n. */
async function growth(label: string, n: number, run: (n: number) => Promise<unknown>): Promise<void> {
  await run(n);
  const small = await bestOf3(() => run(n));
  const large = await bestOf3(() => run(10 * n));
  report(label, small, large, `n = ${n.toLocaleString('en')} and 10n`);
}

/** Two inputs of the same size, the second the one that was once slow. */
async function sameSize(label: string, fast: () => Promise<unknown>, slow: () => Promise<unknown>): Promise<void> {
  await fast();
  await slow();
  report(label, await bestOf3(fast), await bestOf3(slow), 'two inputs of one size');
}

const { config } = await projectSetup();
const styles = bodyStyles(config.theme);
const ph = placeholdersFor('nlmerge0');
const UNSUBSCRIBE = 'unsubscribe@example.org';

await growth('merge tags in one paragraph', 3_000, (n) => render(issueText(mergeTagParagraph(n))));
await growth('links on one line, each warned about', 3_000, async (n) => {
  const source = `Intro.\n\n${linksOnOneLine(n)}\n`;
  bodyToMjml(parseMarkdown(source, 7).blocks, config.theme, styles, 'issues/x.md', source, 7);
});
await growth('a table under the row cap', 150, (n) => render(issueText(richTable(n))));
await sameSize(
  'stray {{ never closed vs closed ones',
  async () => expandBodyTags(strayBraces(20_000, true), 'issues/x.md', 7, ph, 'https://example.org/x/'),
  async () => expandBodyTags(strayBraces(20_000, false), 'issues/x.md', 7, ph, 'https://example.org/x/'),
);
await sameSize(
  'long runs of spaces on the web page vs short ones',
  async () => neutralise(spaceRuns(100, 1_000), ph),
  async () => neutralise(spaceRuns(10_000, 10), ph),
);
await growth("returned mail with a huge header (under mailparser's header cap)", 10_000, (n) => classifyReturnedMail(hugeHeader(n, UNSUBSCRIBE), UNSUBSCRIBE));
await growth('a report block of one field repeated', 10_000, (n) => classifyReturnedMail(repeatedReportField(n), UNSUBSCRIBE));

const failed = results.filter((ok) => !ok).length;
console.log(failed ? `${failed} of ${results.length} figures missed their target` : `all ${results.length} figures met their targets`);
process.exitCode = failed ? 1 : 0;
