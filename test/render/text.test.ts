/**
 * The plain-text version (issue 3, "Markdown to email"): readable, headings marked, link URLs after the link text
 * without bracket noise, images as their alt text, the hidden preheader left out, and no markup of any kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mjmlToText } from '../../src/render/text.ts';
import { issueText, render, ROOT } from '../support/fixtures.ts';

const PREHEADER = 'Zebra preheader 41c9 that only the inbox shows';

const FIELDS = [
  'title: Text Test Issue',
  'date: 2026-10-14',
  `preheader: ${PREHEADER}`,
  'image:',
  '  src: https://example.org/hero.jpg',
  '  alt: Hero alt text of a dome camera',
  '  caption: "Photo: Someone (CC BY)"',
].join('\n');

const BODY = `Opening paragraph about AT&T and "quotes" with a [records portal](https://example.org/portal) link.

## Second-level heading here

### Third-level heading here

> A pull quote that is long enough to wrap across more than one line of plain text so that every line of it needs the prefix.
>
> Second paragraph of the quote.

![A chart of camera counts by year](https://example.org/chart.png)

Inline ![tiny icon of a bridge](https://example.org/icon.png) image, a bare https://example.org/bare, [https://example.org/same](https://example.org/same) and [mail me](mailto:me@example.org).

1. First item
2. Second item
   - nested item

Thanks, {{subscriber.name}}, see [the web version]({{web_url}}).
`;

async function textOf(body = BODY, fields = FIELDS): Promise<string> {
  const { parsed, rendered } = await render(issueText(body, fields));
  assert.deepEqual(parsed.diagnostics, []);
  assert.ok(rendered?.sample, JSON.stringify(rendered?.diagnostics));
  assert.deepEqual(rendered.diagnostics, []);
  return rendered.sample.text.toString('utf8');
}

const lines = (text: string) => text.split('\n');

/** Any HTML or MJML tag, opening, closing or self-closing, or a comment. */
const MARKUP = /<\/?[a-z][a-z0-9-]*(\s[^<>]*)?\/?>|<!--/i;

test('headings are marked: the title underlined with =, section headings with -', async () => {
  const text = await textOf();
  const l = lines(text);
  for (const [heading, rule] of [['Text Test Issue', '='], ['Second-level heading here', '-'], ['Third-level heading here', '-']] as const) {
    const at = l.indexOf(heading);
    assert.ok(at !== -1, `${heading} on a line of its own`);
    assert.match(l[at + 1]!, new RegExp(`^\\${rule}{${heading.length}}$`), `${heading} is underlined with ${rule}`);
    assert.equal(l[at - 1], '', `a blank line before ${heading}`);
  }
});

test('a link is its text followed by its URL, with no brackets', async () => {
  const text = await textOf();
  const flat = text.replace(/\s+/g, ' ');
  assert.ok(flat.includes('a records portal https://example.org/portal link.'), flat);
  assert.ok(flat.includes('mail me me@example.org'), 'mailto shows the address');
  assert.ok(flat.includes('see the web version https://dissentdesk.example.org/test/'), 'the web URL merge tag');
  assert.doesNotMatch(text, /\[https?:|\(https?:|<https?:|\[mailto|\]\(/);
  assert.doesNotMatch(text, /\[[^\]]*\]/, 'no brackets at all');
});

test('a link whose text is its URL, or a bare URL, shows the URL once', async () => {
  const text = await textOf();
  assert.equal(text.split('https://example.org/same').length - 1, 1);
  assert.equal(text.split('https://example.org/bare').length - 1, 1);
});

test('images are their alt text, never their URL', async () => {
  const text = await textOf();
  assert.ok(lines(text).includes('Hero alt text of a dome camera'), 'the hero is its alt text on its own line');
  assert.ok(lines(text).includes('A chart of camera counts by year'), 'a block image is its alt text on its own line');
  assert.ok(text.includes('Inline tiny icon of a bridge image'), 'an inline image is its alt text in the sentence');
  assert.ok(text.includes('Photo: Someone (CC BY)'), 'the hero credit');
  for (const src of ['hero.jpg', 'chart.png', 'icon.png']) assert.ok(!text.includes(src), `${src} is not in the text`);
});

test('an image with no alt text leaves nothing behind, not its URL', async () => {
  const { rendered } = await render(issueText('Before.\n\n![](https://example.org/no-alt.png)\n\nAfter.'));
  const text = rendered!.sample!.text.toString('utf8');
  assert.ok(!text.includes('no-alt.png'));
  assert.match(text, /Before\.\n\nAfter\./);
});

test('the hidden preheader is not in the text', async () => {
  const { rendered } = await render(issueText(BODY, FIELDS));
  assert.equal(rendered!.preheader, PREHEADER);
  assert.ok(rendered!.sample!.html.toString('utf8').includes(PREHEADER), 'the HTML has the preheader');
  assert.ok(!rendered!.sample!.text.toString('utf8').includes('Zebra'), 'the text does not');
  assert.equal(rendered!.sample!.text.toString('utf8').split('Text Test Issue').length - 1, 1, 'the <mj-title> is not repeated');
});

test('no HTML or MJML tags, no entities, no inline CSS in the text', async () => {
  const text = await textOf();
  assert.doesNotMatch(text, MARKUP);
  assert.doesNotMatch(text, /mj-|style=|font-family|padding:|&(amp|quot|lt|gt|#\d+|#x[0-9a-f]+);/i);
  assert.ok(text.includes('AT&T and "quotes"'), 'entities are decoded');
});

test('block quotes are prefixed with "> " on every line, blank lines inside with ">"', async () => {
  const text = await textOf();
  const l = lines(text);
  const start = l.findIndex((x) => x.includes('A pull quote'));
  const end = l.findIndex((x) => x.includes('Second paragraph of the quote.'));
  assert.ok(start !== -1 && end > start + 1, 'the quote wraps over several lines');
  for (let i = start; i <= end; i++) assert.match(l[i]!, /^>( |$)/, `line ${i}: ${l[i]}`);
  assert.equal(l[start - 1], '');
});

test('lists keep their numbers and nesting; subscriber fields are filled in as plain text', async () => {
  const text = await textOf();
  assert.match(text, /^ ?1\. First item$/m);
  assert.match(text, /^ ?2\. Second item$/m);
  assert.match(text, /^ +[*-] nested item$/m);
  assert.ok(text.includes('Thanks, Sample Reader, see'));
  assert.ok(!/nlmerge\d/.test(text), 'no placeholder left');
});

test('code keeps literal angle brackets as text (written by the author, not markup)', async () => {
  const text = await textOf('Some code:\n\n```\nif (a < b) return "<div>";\n```\n');
  assert.ok(text.includes('if (a < b) return "<div>";'));
});

test('the layout parts are in the text: byline, footer with both links written out', async () => {
  const text = await textOf();
  assert.ok(text.includes('By Mara Ellison · October 14, 2026 · 1 min read'));
  const flat = text.replace(/\s+/g, ' ');
  assert.ok(flat.includes('View in browser https://dissentdesk.example.org/test/'));
  assert.ok(flat.includes('Unsubscribe https://dissentdesk.example.org/unsubscribe/sample'));
  assert.ok(flat.includes('The Dissent Desk, PO Box 1234, Springfield, IL 62701, USA'));
});

test('text lines are wrapped at 78 columns (URLs aside) and carry no trailing spaces', async () => {
  const text = await textOf();
  for (const line of lines(text)) {
    if (!/https?:\/\//.test(line)) assert.ok(line.length <= 78, line);
    assert.doesNotMatch(line, /[ \t]$/);
  }
  assert.doesNotMatch(text, /\n{3,}/);
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
});

for (const file of readdirSync(join(ROOT, 'issues')).filter((n) => n.endsWith('.md')).sort()) {
  test(`issues/${file}: the text has no markup and no preheader text hidden from the HTML view`, async () => {
    const source = readFileSync(join(ROOT, 'issues', file), 'utf8');
    const { rendered } = await render(source, `issues/${file}`);
    const text = rendered!.sample!.text.toString('utf8');
    assert.doesNotMatch(text, MARKUP);
    assert.doesNotMatch(text, /&(amp|quot|lt|gt|nbsp|#\d+|#x[0-9a-f]+);/i);
    assert.ok(text.includes(rendered!.issue.title));
    const explicit = rendered!.issue.preheader;
    if (explicit) assert.ok(!text.replace(/\s+/g, ' ').includes(explicit), 'an explicit preheader is not in the text');
  });
}

test('mjmlToText skips mj-head (title, preview, styles) and reads self-closing MJML tags', () => {
  const mjml = [
    '<mjml>',
    '  <mj-head>',
    '    <mj-title>Head title</mj-title>',
    '    <mj-preview>Hidden preview</mj-preview>',
    '    <mj-style>.x { color: red; }</mj-style>',
    '  </mj-head>',
    '  <mj-body>',
    '    <mj-section><mj-column>',
    '      <mj-image src="https://example.org/a.png" alt="Alt of a" />',
    '      <mj-divider border-width="1px" />',
    '      <mj-text style="color:red"><h2 style="margin:0">Heading</h2><p>Para with <a href="https://example.org/x" style="color:red">a link</a>.</p></mj-text>',
    '      <mj-image src="https://example.org/b.png" alt="Alt of b"/>',
    '      <mj-spacer height="10px" />',
    '    </mj-column></mj-section>',
    '  </mj-body>',
    '</mjml>',
  ].join('\n');
  const text = mjmlToText(mjml);
  assert.ok(!/Head title|Hidden preview|color: red/.test(text), text);
  assert.ok(text.startsWith('Alt of a\n'), text);
  assert.match(text, /Heading\n-------/);
  assert.ok(text.includes('Para with a link https://example.org/x.'));
  assert.ok(text.includes('Alt of b'));
  assert.doesNotMatch(text, MARKUP);
});
