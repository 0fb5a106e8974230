/**
 * Big issues (issue 12, finding 8): the largest hostile inputs render right, and a table over 2,000 rows is refused.
 * That their cost grows linearly is a benchmark's to show, timed there: `npm run bench:linear`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyStyles } from '../../src/render/body-styles.ts';
import { bodyToMjml } from '../../src/render/body-to-mjml.ts';
import { parseMarkdown, TABLE_ROWS_MAX } from '../../src/render/markdown.ts';
import { expandBodyTags, placeholdersFor, TAG_ERRORS_MAX } from '../../src/render/merge-tags.ts';
import { neutralise } from '../../src/web/site.ts';
import { issueText, projectSetup, render } from '../support/fixtures.ts';
import { linksOnOneLine, mergeTagParagraph, richTable, spaceRuns, strayBraces } from '../support/large-inputs.ts';

async function renderBody(body: string) {
  const { rendered } = await render(issueText(body));
  assert.ok(rendered);
  return rendered;
}

test('many merge tags in one paragraph: every one is filled in for the reader', async () => {
  const rendered = await renderBody(mergeTagParagraph(30_000));
  assert.ok(rendered.html, JSON.stringify(rendered.diagnostics));
  assert.ok(rendered.recipientTemplate);
});

test('many links on one line: each gets its own warning, pointing at the line that holds them', async () => {
  const { config } = await projectSetup();
  const n = 30_000;
  const source = `Intro.\n\n${linksOnOneLine(n)}\n`;
  const body = bodyToMjml(parseMarkdown(source, 7).blocks, config.theme, bodyStyles(config.theme), 'issues/x.md', source, 7);
  assert.equal(body.diagnostics.length, n);
  assert.ok(body.diagnostics.every((d) => d.rule === 'links/http' && d.line === 9));
});

test('a big table under the row cap renders', async () => {
  const rendered = await renderBody(richTable(1_500));
  assert.ok(rendered.mjml);
  assert.match(rendered.mjml, /item 1499/);
  assert.deepEqual(rendered.diagnostics.filter((d) => d.rule === 'size/table'), []);
});

test('stray {{ never closed: the first 100 are errors, one more counts the rest', async () => {
  const n = 20_000;
  const out = expandBodyTags(strayBraces(n, false), 'issues/x.md', 7, placeholdersFor('nlmerge0'), 'https://example.org/x/');
  assert.equal(out.diagnostics.length, TAG_ERRORS_MAX + 1);
  assert.match(out.diagnostics.at(-1)!.message, new RegExp(`^${(n - TAG_ERRORS_MAX).toLocaleString('en')} more unknown merge tags`));
});

test('the web page of a body with long runs of spaces (a code block) drops the merge tags and keeps the rest', () => {
  const ph = placeholdersFor('nlmerge0');
  const html = `${spaceRuns(10_000, 10)}<p>Thanks, ${ph.name}.</p>`;
  const page = neutralise(html, ph);
  assert.ok(page.endsWith('<p>Thanks.</p>'));
  assert.ok(page.includes(' '.repeat(10_000)), 'the code block keeps its spaces');
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
