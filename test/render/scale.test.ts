/**
 * Big issues (issue 12, finding 8): rendering is linear in the input, and a table over 2,000 rows is refused.
 * Each linearity check times n and 10n in the same test, the best of 3 runs after a warm-up, and allows a ratio of
 * 25: quadratic work makes it about 100. Alone on a machine the ratios are about 10 to 12.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyStyles } from '../../src/render/body-styles.ts';
import { bodyToMjml } from '../../src/render/body-to-mjml.ts';
import { parseMarkdown, TABLE_ROWS_MAX } from '../../src/render/markdown.ts';
import { expandBodyTags, placeholdersFor, TAG_ERRORS_MAX } from '../../src/render/merge-tags.ts';
import { neutralise } from '../../src/web/site.ts';
import { issueText, projectSetup, render } from '../support/fixtures.ts';

const RATIO_MAX = 25;

async function bestOf3(run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    await run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

/** The time of 10n over the time of n, with both times for the test's report. */
async function growth(label: string, run: (n: number) => Promise<unknown>, n: number): Promise<{ ratio: number; report: string }> {
  await run(n);
  const small = await bestOf3(() => run(n));
  const large = await bestOf3(() => run(10 * n));
  const ratio = large / small;
  return { ratio, report: `${label}: ${small.toFixed(1)} ms for n = ${n}, ${large.toFixed(1)} ms for 10n, ratio ${ratio.toFixed(1)}` };
}

async function renderBody(body: string) {
  const { rendered } = await render(issueText(body));
  assert.ok(rendered);
  return rendered;
}

test('many merge tags in one paragraph: 10 times the tags cost at most about 10 times the time', async (t) => {
  const body = (n: number) => `Dear reader, ${'hello {{subscriber.name}}, '.repeat(n)}and {{subscriber.name default="friend"}}.`;
  const rendered = await renderBody(body(3));
  assert.ok(rendered.html, JSON.stringify(rendered.diagnostics));
  const { ratio, report } = await growth('merge tags', async (n) => {
    const r = await renderBody(body(n));
    assert.ok(r.recipientTemplate);
  }, 3_000);
  t.diagnostic(report);
  assert.ok(ratio <= RATIO_MAX, `merge tags: 10n took ${ratio.toFixed(1)} times n`);
});

test('many links on one line, each with a diagnostic: 10 times the links cost at most about 10 times the time', async (t) => {
  const { config } = await projectSetup();
  const styles = bodyStyles(config.theme);
  const markdown = (n: number) => Array.from({ length: n }, (_, i) => `[link ${i}](http://example.org/${i})`).join(' ');
  const run = async (n: number) => {
    const source = `Intro.\n\n${markdown(n)}\n`;
    const body = bodyToMjml(parseMarkdown(source, 7).blocks, config.theme, styles, 'issues/x.md', source, 7);
    assert.equal(body.diagnostics.length, n);
    // Every warning points at the line holding the links.
    assert.ok(body.diagnostics.every((d) => d.rule === 'links/http' && d.line === 9));
  };
  const { ratio, report } = await growth('links', run, 3_000);
  t.diagnostic(report);
  assert.ok(ratio <= RATIO_MAX, `links: 10n took ${ratio.toFixed(1)} times n`);
});

test('a big table under the row cap: 10 times the rows cost at most about 10 times the time', async (t) => {
  const table = (rows: number) =>
    `Intro.\n\n| Item | Amount |\n| --- | ---: |\n${Array.from({ length: rows }, (_, i) => `| **item ${i}** [see](https://example.org/${i}) | ${i} |`).join('\n')}`;
  const { ratio, report } = await growth('table', async (n) => {
    const r = await renderBody(table(n));
    assert.ok(r.mjml);
  }, 150);
  t.diagnostic(report);
  assert.ok(ratio <= RATIO_MAX, `table: 10n took ${ratio.toFixed(1)} times n`);
});

/** The time of `slow` over the time of `fast`, two inputs of the same size, best of 3 each after a warm-up. */
async function sameSize(label: string, fast: () => Promise<unknown>, slow: () => Promise<unknown>): Promise<{ ratio: number; report: string }> {
  await fast();
  await slow();
  const a = await bestOf3(fast);
  const b = await bestOf3(slow);
  return { ratio: b / a, report: `${label}: ${a.toFixed(1)} ms and ${b.toFixed(1)} ms, ratio ${(b / a).toFixed(1)}` };
}

test('stray {{ never closed cost no more than as many closed ones; the first 100 are errors, one counts the rest', async (t) => {
  const ph = placeholdersFor('nlmerge0');
  const n = 20_000;
  const expand = (body: string) => async () => {
    const out = expandBodyTags(body, 'issues/x.md', 7, ph, 'https://example.org/x/');
    assert.equal(out.diagnostics.length, TAG_ERRORS_MAX + 1);
    assert.match(out.diagnostics.at(-1)!.message, new RegExp(`^${(n - TAG_ERRORS_MAX).toLocaleString('en')} more unknown merge tags`));
  };
  // Unclosed, each `{{` once looked for a `}}` through the rest of the body, and counted lines to its end.
  const { ratio, report } = await sameSize('stray braces', expand(`Text ${'{{oops}} '.repeat(n)}end.`), expand(`Text ${'{{oops   '.repeat(n)}end.`));
  t.diagnostic(report);
  assert.ok(ratio <= RATIO_MAX, report);
});

test('the web page of a body with long runs of spaces (a code block) costs no more than one with short runs', async (t) => {
  const ph = placeholdersFor('nlmerge0');
  const page = (run: number, runs: number) => async () => {
    const html = `<pre><code>${`x${' '.repeat(run)}y\n`.repeat(runs)}</code></pre><p>Thanks, ${ph.name}.</p>`;
    assert.ok(neutralise(html, ph).endsWith('<p>Thanks.</p>'));
  };
  // The same 100,000 spaces: 1,000 runs of 100, or 10 runs of 10,000 (a pattern once rescanned each run from each space).
  const { ratio, report } = await sameSize('spaces on the web page', page(100, 1_000), page(10_000, 10));
  t.diagnostic(report);
  assert.ok(ratio <= RATIO_MAX, report);
});

const tableOf = (rows: number) => `| a | b |\n| - | - |\n${'| 1 | 2 |\n'.repeat(rows)}`;

test('a table of 2,000 rows renders; one of 2,001 is a size/table error naming its line, and is never rendered', async () => {
  assert.equal(TABLE_ROWS_MAX, 2000);
  const ok = await renderBody(`Intro.\n\n${tableOf(TABLE_ROWS_MAX)}`);
  assert.ok(ok.mjml, JSON.stringify(ok.diagnostics.filter((d) => d.severity === 'error')));
  assert.deepEqual(ok.diagnostics.filter((d) => d.rule === 'size/table'), []);

  const big = await renderBody(`Intro.\n\nAnother paragraph.\n\n${tableOf(TABLE_ROWS_MAX + 1)}\nAfter.`);
  assert.deepEqual(big.diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.rule}`), ['issues/2026-10-14-test.md:11 error size/table']);
  assert.match(big.diagnostics[0]!.message, /2,001 rows; at most 2,000/);
  assert.equal(big.mjml, null);
  assert.doesNotMatch(big.webBody, /<table/, 'the table is left out of every output');
});

test('a table over the cap inside a list or a quote is found too', async () => {
  const nested = tableOf(TABLE_ROWS_MAX + 5).split('\n').map((l) => `> ${l}`).join('\n');
  const rendered = await renderBody(`Intro.\n\n- item\n\n${nested}`);
  assert.deepEqual(rendered.diagnostics.map((d) => `${d.line} ${d.rule}`), ['11 size/table']);
});
