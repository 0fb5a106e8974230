/**
 * Checks on the finished email (HOSTILE-INPUTS item 10, issue 3 "Checks"): they fire on bad input, each with its
 * file and line, and stay completely quiet on the sample issues.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBuildSources } from '../../src/project/sources.ts';
import { setupFromSources } from '../../src/project/setup.ts';
import { checkPreheader, checkSize, checkUnsubscribe, runEmailChecks, SIZE_LIMIT, SIZE_WARNING, type EmailFacts } from '../../src/checks/email-checks.ts';
import { hasErrors, type Diagnostic } from '../../src/core/diagnostic.ts';
import { parseIssue } from '../../src/issue/parse.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import { editFile, issueText, projectFor, render, ROOT } from '../support/fixtures.ts';

const ISSUE = 'issues/2026-10-14-test.md';
const LAYOUT = 'templates/layouts/newsletter.mjml.hbs';
/** issueText puts the body's first line on line 7: `---`, three fields, `---`, a blank line. */
const BODY_LINE = 7;

const brief = (list: readonly Diagnostic[]) => list.map((d) => `${d.file}:${d.line} ${d.severity} ${d.rule}`);

function facts(over: Partial<EmailFacts> = {}): EmailFacts {
  return {
    file: ISSUE,
    layoutFile: LAYOUT,
    htmlBytes: 20_000,
    preheader: 'A preheader.',
    mjml: '<mjml><mj-head><mj-preview>A preheader.</mj-preview></mj-head><mj-body></mj-body></mjml>',
    html: '<a href="nlmerge0unsubz">Unsubscribe</a>',
    unsubscribePlaceholder: 'nlmerge0unsubz',
    ...over,
  };
}

/** A body of `words` words in paragraphs of 40. */
function wordsBody(words: number): string {
  const vocabulary = ['council', 'records', 'camera', 'contract', 'vote', 'audit', 'public', 'bridge', 'plate', 'reader'];
  const paragraphs: string[] = [];
  for (let i = 0; i < words; i += 40) {
    paragraphs.push(`${Array.from({ length: Math.min(40, words - i) }, (_, j) => vocabulary[(i + j) % vocabulary.length]).join(' ')}.`);
  }
  return paragraphs.join('\n\n');
}

async function renderBody(body: string) {
  const { parsed, rendered } = await render(issueText(body));
  assert.deepEqual(parsed.diagnostics, []);
  assert.ok(rendered);
  return rendered;
}


async function renderInProject(dir: string, body = 'A first paragraph for the preheader.') {
  const setup = setupFromSources(await readBuildSources(dir));
  const parsed = parseIssue(ISSUE, issueText(body), { author: setup.config.author.name, layout: setup.config.layout });
  assert.deepEqual(parsed.diagnostics, []);
  return renderIssue(parsed.issue!, setup.config, setup.templates);
}

// ---------------------------------------------------------------------------------------------------------------
// Size: warning over 80 KB, error over 102 KB (Gmail clips)
// ---------------------------------------------------------------------------------------------------------------

test('size thresholds: 80 KB and 102 KB in bytes, the limits themselves allowed', () => {
  assert.equal(SIZE_WARNING, 80 * 1024);
  assert.equal(SIZE_LIMIT, 102 * 1024);
  assert.deepEqual(checkSize(facts({ htmlBytes: SIZE_WARNING })), []);
  assert.deepEqual(brief(checkSize(facts({ htmlBytes: SIZE_WARNING + 1 }))), [`${ISSUE}:0 warning size/large`]);
  assert.deepEqual(brief(checkSize(facts({ htmlBytes: SIZE_LIMIT }))), [`${ISSUE}:0 warning size/large`]);
  assert.deepEqual(brief(checkSize(facts({ htmlBytes: SIZE_LIMIT + 1 }))), [`${ISSUE}:0 error size/clipped`]);
  assert.match(checkSize(facts({ htmlBytes: SIZE_LIMIT + 1 }))[0]!.message, /102\.0 KB.*clips/);
});

test('an issue whose HTML is over 102 KB gets a size/clipped error (and no size warning besides)', async () => {
  const rendered = await renderBody(wordsBody(13_000));
  assert.ok(rendered.sample!.html.length > SIZE_LIMIT, `${rendered.sample!.html.length} bytes`);
  const size = rendered.diagnostics.filter((d) => d.rule.startsWith('size/'));
  assert.deepEqual(brief(size), [`${ISSUE}:0 error size/clipped`]);
  assert.ok(hasErrors(rendered.diagnostics));
});

test('an issue whose HTML is between 80 and 102 KB gets a size/large warning only', async () => {
  const rendered = await renderBody(wordsBody(9_000));
  const bytes = rendered.sample!.html.length;
  assert.ok(bytes > SIZE_WARNING && bytes <= SIZE_LIMIT, `${bytes} bytes`);
  assert.deepEqual(brief(rendered.diagnostics), [`${ISSUE}:0 warning size/large`]);
});

test('size counts bytes, not characters: multi-byte text reaches the limit sooner', async () => {
  const cyrillic = wordsBody(6_000).replace(/[a-z]+/g, 'громада');
  const rendered = await renderBody(cyrillic);
  const bytes = rendered.sample!.html.length;
  const chars = rendered.sample!.html.toString('utf8').length;
  assert.ok(bytes > chars);
  const expected = bytes > SIZE_LIMIT ? 'size/clipped' : bytes > SIZE_WARNING ? 'size/large' : null;
  assert.ok(expected, `${bytes} bytes should cross a threshold (${chars} characters)`);
  assert.deepEqual(rendered.diagnostics.filter((d) => d.rule.startsWith('size/')).map((d) => d.rule), [expected]);
});

// ---------------------------------------------------------------------------------------------------------------
// Images and links in the body, each at its line
// ---------------------------------------------------------------------------------------------------------------

test('an image without alt text is a warning at its line (block, inline and raw HTML)', async () => {
  const body = ['Intro paragraph.', '', '![](https://example.org/a.jpg)', '', 'Inline ![ ](https://example.org/b.jpg) image.', '', '<img src="https://example.org/c.jpg">', ''].join('\n');
  const rendered = await renderBody(body);
  assert.deepEqual(brief(rendered.diagnostics), [
    `${ISSUE}:${BODY_LINE + 2} warning images/alt`,
    `${ISSUE}:${BODY_LINE + 4} warning images/alt`,
    `${ISSUE}:${BODY_LINE + 6} warning images/alt`,
  ]);
});

test('[x]() and [x](#) are empty-link warnings at their lines', async () => {
  const body = ['Intro paragraph.', '', 'See [x]() here.', '', 'And [y](#) there.', '', 'Also [z](<>) and <a href="#">raw</a>.'].join('\n');
  const rendered = await renderBody(body);
  assert.deepEqual(brief(rendered.diagnostics), [
    `${ISSUE}:${BODY_LINE + 2} warning links/empty`,
    `${ISSUE}:${BODY_LINE + 4} warning links/empty`,
    `${ISSUE}:${BODY_LINE + 6} warning links/empty`,
    `${ISSUE}:${BODY_LINE + 6} warning links/empty`,
  ]);
});

test('an http: link is a warning at its line, in any case; https and mailto links are quiet', async () => {
  const body = [
    'Intro paragraph.',
    '',
    'Fine [a](https://example.org/a), [b](mailto:a@example.org), [c]({{web_url}}), [d]({{unsubscribe_url}}).',
    '',
    'Old [e](http://example.org/e) link.',
    '',
    'Shouting [f](HTTP://EXAMPLE.ORG/F) link.',
  ].join('\n');
  const rendered = await renderBody(body);
  assert.deepEqual(brief(rendered.diagnostics), [`${ISSUE}:${BODY_LINE + 4} warning links/http`, `${ISSUE}:${BODY_LINE + 6} warning links/http`]);
  assert.match(rendered.diagnostics[0]!.message, /http:\/\/example\.org\/e/);
});

test('relative links are links/relative errors at their lines, in Markdown and raw HTML; no email is made', async () => {
  const body = [
    'Intro paragraph.',
    '',
    'Root [a](/archive/) and up [b](../older/) here,',
    'a page [c](older-issue.html#part-2) and a forgotten scheme [d](example.org/x).',
    '',
    '<p>Raw <a href="/about">about</a> too.</p>',
    '',
    '[![A chart](https://example.org/chart.png)](charts/)',
  ].join('\n');
  const rendered = await renderBody(body);
  assert.deepEqual(brief(rendered.diagnostics), [
    `${ISSUE}:${BODY_LINE + 2} error links/relative`,
    `${ISSUE}:${BODY_LINE + 2} error links/relative`,
    `${ISSUE}:${BODY_LINE + 3} error links/relative`,
    `${ISSUE}:${BODY_LINE + 3} error links/relative`,
    `${ISSUE}:${BODY_LINE + 5} error links/relative`,
    `${ISSUE}:${BODY_LINE + 7} error links/relative`,
  ]);
  assert.match(rendered.diagnostics[0]!.message, /"\/archive\/".*https:\/\//);
  assert.equal(rendered.html, null, 'an issue with a relative link is not rendered into an email');
});

test('root-relative images are images/relative errors; local files the build resolves are not', async (t) => {
  const body = [
    'Intro paragraph.',
    '',
    '![A chart](/images/chart.png)',
    '',
    'Inline ![a map](/map.png) and <img src="/raw.png" alt="raw"> here.',
    '',
    '![Local](images/chart.png)',
  ].join('\n');
  const dir = projectFor(t, { 'issues/images/chart.png': 'png' });
  const setup = setupFromSources(await readBuildSources(dir));
  const parsed = parseIssue(ISSUE, issueText(body), { author: setup.config.author.name, layout: setup.config.layout });
  const rendered = await renderIssue(parsed.issue!, setup.config, setup.templates, new Set(['issues/images/chart.png']));
  assert.deepEqual(brief(rendered.diagnostics), [
    `${ISSUE}:${BODY_LINE + 2} error images/relative`,
    `${ISSUE}:${BODY_LINE + 4} error images/relative`,
    `${ISSUE}:${BODY_LINE + 4} error images/relative`,
  ]);
  assert.match(rendered.diagnostics[0]!.message, /"\/images\/chart\.png"/);
});

test('a relative hero image is an images/relative error on the image field', async () => {
  const { rendered } = await render(issueText('Text.', 'title: T\ndate: 2026-10-14\nimage:\n  src: /hero.jpg\n  alt: A hero'));
  assert.ok(rendered);
  assert.deepEqual(brief(rendered.diagnostics), [`${ISSUE}:4 error images/relative`]);
  assert.equal(rendered.diagnostics[0]!.field, 'image.src');
});

test('an in-page anchor (#section) is a links/empty warning: nothing in an email has an id', async () => {
  const rendered = await renderBody('Intro paragraph.\n\nSee [below](#section) for more.');
  assert.deepEqual(brief(rendered.diagnostics), [`${ISSUE}:${BODY_LINE + 2} warning links/empty`]);
  assert.match(rendered.diagnostics[0]!.message, /#section/);
  assert.ok(rendered.html, 'a warning does not stop the email');
});

test('a link far down a long paragraph points at its own line, not the paragraph start', async () => {
  const body = ['Intro paragraph.', '', 'Line one of a paragraph', 'line two', 'line three with [bad](http://example.org/x)', 'line four.'].join('\n');
  const rendered = await renderBody(body);
  assert.deepEqual(brief(rendered.diagnostics), [`${ISSUE}:${BODY_LINE + 4} warning links/http`]);
});

// ---------------------------------------------------------------------------------------------------------------
// The layout: unsubscribe link and preheader
// ---------------------------------------------------------------------------------------------------------------

test('a layout without an {{unsubscribe_url}} link is an unsubscribe/missing error on the layout', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/footer.mjml.hbs', ' · <a href="{{unsubscribe_url}}" style="color:{{theme.colors.muted}};">Unsubscribe</a>', '');
  const rendered = await renderInProject(dir);
  assert.ok(rendered.html, 'the email still renders');
  assert.deepEqual(brief(rendered.diagnostics), [`${LAYOUT}:0 error unsubscribe/missing`]);
  assert.ok(hasErrors(rendered.diagnostics));
});

test('an unsubscribe URL written as text, not a link, is still missing', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/footer.mjml.hbs', '<a href="{{unsubscribe_url}}" style="color:{{theme.colors.muted}};">Unsubscribe</a>', 'Unsubscribe: {{unsubscribe_url}}');
  const rendered = await renderInProject(dir);
  assert.deepEqual(brief(rendered.diagnostics), [`${LAYOUT}:0 error unsubscribe/missing`]);
});

test('checkUnsubscribe looks for the exact placeholder href', () => {
  assert.deepEqual(checkUnsubscribe(facts()), []);
  assert.deepEqual(brief(checkUnsubscribe(facts({ html: '<p>nlmerge0unsubz</p>' }))), [`${LAYOUT}:0 error unsubscribe/missing`]);
  assert.deepEqual(brief(checkUnsubscribe(facts({ html: '<a href="https://example.org/unsubscribe">Unsubscribe</a>' }))), [`${LAYOUT}:0 error unsubscribe/missing`]);
});

test('a layout without <mj-preview> is a preheader/missing warning on the layout', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/head.mjml.hbs', '  <mj-preview>{{issue.preheader}}</mj-preview>\n', '');
  const rendered = await renderInProject(dir);
  assert.ok(rendered.html);
  assert.deepEqual(brief(rendered.diagnostics), [`${LAYOUT}:0 warning preheader/missing`]);
});

test('a layout whose <mj-preview> is empty is a preheader/missing warning on the layout', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/head.mjml.hbs', '<mj-preview>{{issue.preheader}}</mj-preview>', '<mj-preview>{{issue.subtitle}}</mj-preview>');
  const rendered = await renderInProject(dir);
  assert.ok(rendered.html);
  assert.deepEqual(brief(rendered.diagnostics), [`${LAYOUT}:0 warning preheader/missing`]);
});

test('an issue with an empty preheader (no opening paragraph, none set) is a warning on the issue', async () => {
  const rendered = await renderBody('## Only a heading\n\n![A photo](https://example.org/p.jpg)');
  assert.equal(rendered.preheader, '');
  assert.deepEqual(brief(rendered.diagnostics), [`${ISSUE}:1 warning preheader/missing`]);
});

test('checkPreheader: no mj-preview → layout warning; empty preheader → issue warning; otherwise quiet', () => {
  assert.deepEqual(checkPreheader(facts()), []);
  assert.deepEqual(brief(checkPreheader(facts({ mjml: '<mjml><mj-body></mj-body></mjml>' }))), [`${LAYOUT}:0 warning preheader/missing`]);
  assert.deepEqual(brief(checkPreheader(facts({ preheader: '  ', mjml: '<mj-preview>  </mj-preview>' }))), [`${ISSUE}:1 warning preheader/missing`]);
  assert.deepEqual(brief(checkPreheader(facts({ mjml: '<mj-head><mj-preview></mj-preview></mj-head>' }))), [`${LAYOUT}:0 warning preheader/missing`]);
});

test('runEmailChecks reports every problem at once', () => {
  const all = runEmailChecks(facts({ htmlBytes: SIZE_LIMIT + 10, mjml: '<mjml></mjml>', html: '<p>no link</p>' }));
  assert.deepEqual(brief(all), [`${ISSUE}:0 error size/clipped`, `${LAYOUT}:0 warning preheader/missing`, `${LAYOUT}:0 error unsubscribe/missing`]);
  assert.deepEqual(runEmailChecks(facts()), []);
});

// ---------------------------------------------------------------------------------------------------------------
// Quiet on the samples
// ---------------------------------------------------------------------------------------------------------------

for (const file of readdirSync(join(ROOT, 'issues')).filter((n) => n.endsWith('.md')).sort()) {
  test(`issues/${file}: no diagnostics at all`, async () => {
    const { parsed, rendered } = await render(readFileSync(join(ROOT, 'issues', file), 'utf8'), `issues/${file}`);
    assert.deepEqual(parsed.diagnostics, []);
    assert.ok(rendered?.html);
    assert.deepEqual(rendered.diagnostics, []);
  });
}
