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

/** The time of 10n over the time of n. */
async function growth(label: string, run: (n: number) => Promise<unknown>, n: number): Promise<number> {
  await run(n);
  const small = await bestOf3(() => run(n));
  const large = await bestOf3(() => run(10 * n));
  const ratio = large / small;
  return ratio;
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
  const ratio = await growth('merge tags', async (n) => {
    const r = await renderBody(body(n));
    assert.ok(r.recipientTemplate);
  }, 3_000);
  t.diagnostic(`merge tags: ratio ${ratio.toFixed(1)}`);
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
  const ratio = await growth('links', run, 3_000);
  t.diagnostic(`links: ratio ${ratio.toFixed(1)}`);
  assert.ok(ratio <= RATIO_MAX, `links: 10n took ${ratio.toFixed(1)} times n`);
});

test('a big table under the row cap: 10 times the rows cost at most about 10 times the time', async (t) => {
  const table = (rows: number) =>
    `Intro.\n\n| Item | Amount |\n| --- | ---: |\n${Array.from({ length: rows }, (_, i) => `| **item ${i}** [see](https://example.org/${i}) | ${i} |`).join('\n')}`;
  const ratio = await growth('table', async (n) => {
    const r = await renderBody(table(n));
    assert.ok(r.mjml);
  }, 150);
  t.diagnostic(`table: ratio ${ratio.toFixed(1)}`);
  assert.ok(ratio <= RATIO_MAX, `table: 10n took ${ratio.toFixed(1)} times n`);
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
