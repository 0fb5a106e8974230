/**
 * Markdown features in the final email HTML (issue 3, "Markdown to email"): each asserted on the parsed HTML the
 * subscriber gets, with the theme's styles, and on the plain text where it has a form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'htmlparser2';
import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Document, Element } from 'domhandler';
import { bodyStyles, type BodyStyles } from '../../src/render/body-styles.ts';
import type { Config } from '../../src/config/schema.ts';
import { issueText, projectSetup, render } from '../support/fixtures.ts';

const FILE = 'issues/2026-10-14-markdown.md';

async function email(body: string) {
  const { config } = await projectSetup();
  const { parsed, rendered } = await render(issueText(body), FILE);
  assert.ok(rendered?.sample, JSON.stringify(rendered?.diagnostics ?? parsed.diagnostics));
  const html = rendered.sample.html.toString('utf8');
  return { config, theme: bodyStyles(config.theme), rendered, html, text: rendered.sample.text.toString('utf8'), doc: parseDocument(html) };
}

const all = (doc: Document | Element, test: (e: Element) => boolean): Element[] => findAll(test, doc.children);
const byTag = (doc: Document | Element, name: string): Element[] => all(doc, (e) => e.name === name);
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
const withText = (doc: Document | Element, name: string, text: string): Element => {
  const found = byTag(doc, name).filter((e) => squash(textContent(e)) === text);
  assert.equal(found.length, 1, `expected one <${name}> with text "${text}", found ${found.length}`);
  return found[0]!;
};
const children = (e: Element, name: string): Element[] => e.children.filter((c): c is Element => c.type === 'tag' && c.name === name);
const ancestors = (e: Element): Element[] => {
  const out: Element[] = [];
  for (let p = e.parent; p && p.type === 'tag'; p = p.parent) out.push(p as Element);
  return out;
};

test('markdown: headings become h1–h4 with the theme heading styles, and are underlined in the text', async () => {
  const { doc, text, theme } = await email('# Level one\n\n## Level two\n\n### Level three\n\n#### Level four\n\nBody.');
  assert.equal(getAttributeValue(withText(doc, 'h1', 'Level one'), 'style'), theme.h1);
  assert.equal(getAttributeValue(withText(doc, 'h2', 'Level two'), 'style'), theme.h2);
  assert.equal(getAttributeValue(withText(doc, 'h3', 'Level three'), 'style'), theme.h3);
  assert.equal(getAttributeValue(withText(doc, 'h4', 'Level four'), 'style'), theme.h4);
  assert.match(text, /^Level one\n={9}$/m);
  assert.match(text, /^Level two\n-{9}$/m);
  assert.match(text, /^Level three\n-{11}$/m);
});

test('markdown: emphasis, strong, strikethrough and hard breaks', async () => {
  const { doc, text } = await email('Some *leaning* and _also leaning_, **heavy** and ~~struck~~ words.  \nA new line.');
  withText(doc, 'em', 'leaning');
  withText(doc, 'em', 'also leaning');
  withText(doc, 'strong', 'heavy');
  withText(doc, 'del', 'struck');
  const p = withText(doc, 'p', 'Some leaning and also leaning, heavy and struck words. A new line.');
  assert.equal(children(p, 'br').length, 1);
  assert.ok(text.includes('Some leaning and also leaning, heavy and struck words.\nA new line.'), text);
});

test('markdown: ordered and nested lists keep their structure, numbering and theme styles', async () => {
  const { doc, text, theme } = await email(
    ['1. First', '2. Second', '   1. Second, a', '   2. Second, b', '      - deeper', '3. Third', '', 'Gap.', '', '5. Five', '6. Six'].join('\n'),
  );
  const outer = byTag(doc, 'ol').filter((ol) => !ancestors(ol).some((a) => a.name === 'ol' || a.name === 'ul'));
  assert.equal(outer.length, 2);
  const [first, second] = outer as [Element, Element];
  assert.equal(getAttributeValue(first, 'style'), theme.ol);
  assert.equal(getAttributeValue(first, 'start'), undefined);
  const items = children(first, 'li');
  assert.deepEqual(items.map((li) => squash(textContent(li)).split(' ')[0]), ['First', 'Second', 'Third']);
  for (const li of items) assert.equal(getAttributeValue(li, 'style'), theme.li);
  const nested = children(items[1]!, 'ol');
  assert.equal(nested.length, 1, 'the nested list sits inside the second item');
  assert.deepEqual(children(nested[0]!, 'li').map((li) => squash(textContent(li))), ['Second, a', 'Second, b deeper']);
  const deepest = children(children(nested[0]!, 'li')[1]!, 'ul');
  assert.equal(deepest.length, 1);
  assert.equal(getAttributeValue(deepest[0]!, 'style'), theme.ul);
  assert.equal(getAttributeValue(second, 'start'), '5');
  assert.match(text, /^ 1\. First$/m);
  assert.match(text, /^ {4}1\. Second, a$/m);
  assert.match(text, /^ 5\. Five$/m);
});

test("markdown: a block quote is a pull quote with the theme's left border and background", async () => {
  const { doc, text, theme, config } = await email('Before.\n\n> The minister said, at length,\n> that nothing had happened.\n>\n> And then it did.\n\nAfter.');
  const quote = byTag(doc, 'blockquote');
  assert.equal(quote.length, 1);
  const style = getAttributeValue(quote[0]!, 'style') ?? '';
  assert.equal(style, theme.blockquote);
  assert.ok(style.includes(`border-left:4px solid ${config.theme.colors.accent}`), style);
  assert.ok(style.includes(`background-color:${config.theme.colors.quote_background}`), style);
  assert.deepEqual(children(quote[0]!, 'p').map((p) => squash(textContent(p))), [
    'The minister said, at length, that nothing had happened.',
    'And then it did.',
  ]);
  assert.match(text, /^> The minister said, at length, that nothing had happened\.$/m);
});

test('markdown: a raw-HTML run styles its block quote the same way', async () => {
  const { doc, theme } = await email('> A quote with <em>raw</em> emphasis.');
  assert.equal(getAttributeValue(withText(doc, 'blockquote', 'A quote with raw emphasis.'), 'style'), theme.blockquote);
});

test('markdown: code spans and fenced blocks keep their text exactly, escaped, in monospace', async () => {
  const code = 'function f(a, b) {\n  if (a < b && b > 0) return "<ok>";\n    return \'&amp;\';\n}';
  const { doc, html, text, theme } = await email(`Call \`f(a < b && c)\` now.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter.`);
  const span = withText(doc, 'code', 'f(a < b && c)');
  assert.equal(getAttributeValue(span, 'style'), theme.code);
  assert.ok(html.includes('f(a &lt; b &amp;&amp; c)'));
  const pre = byTag(doc, 'pre');
  assert.equal(pre.length, 1);
  assert.equal(getAttributeValue(pre[0]!, 'style'), theme.pre);
  assert.ok((theme.pre ?? '').includes('white-space:pre-wrap'), 'long lines wrap on phones');
  const inner = children(pre[0]!, 'code');
  assert.equal(inner.length, 1);
  assert.equal(getAttributeValue(inner[0]!, 'class'), 'language-ts');
  assert.equal(textContent(inner[0]!), `${code}\n`);
  for (const line of code.split('\n')) assert.ok(text.includes(line), `code line missing from the text: ${line}`);
});

test('markdown: an indented code block is styled like a fence', async () => {
  const { doc, theme } = await email('Para.\n\n    indented <code>\n    block\n\nAfter.');
  const pre = byTag(doc, 'pre');
  assert.equal(pre.length, 1);
  assert.equal(getAttributeValue(pre[0]!, 'style'), theme.pre);
  assert.equal(textContent(pre[0]!), 'indented <code>\nblock\n');
});

const dividers = (doc: Document, config: Config): Element[] =>
  all(doc, (e) => e.name === 'p' && (getAttributeValue(e, 'style') ?? '').startsWith(`border-top:solid 1px ${config.theme.colors.border}`));

test('markdown: ---, *** and ___ become mj-divider, not <hr>', async () => {
  const base = await email('Above.\n\nBelow.');
  for (const rule of ['---', '***', '___']) {
    const ruled = await email(`Above.\n\n${rule}\n\nBelow.`);
    assert.ok(ruled.rendered.mjml!.includes('<mj-divider'), rule);
    assert.equal(dividers(ruled.doc, ruled.config).length, dividers(base.doc, base.config).length + 1, rule);
    assert.deepEqual(byTag(ruled.doc, 'hr'), [], rule);
    withText(ruled.doc, 'p', 'Above.');
    withText(ruled.doc, 'p', 'Below.');
  }
});

test('markdown: an image alone in its paragraph becomes a fluid mj-image with alt text and its title as caption', async () => {
  const { doc, html, text, rendered, config } = await email('Before.\n\n![A river at dusk](https://img.example/river.jpg "Photo: Jane Doe / Agency")\n\nAfter.');
  assert.match(rendered.mjml!, /<mj-image [^>]*alt="A river at dusk"[^>]*fluid-on-mobile="true"/);
  const img = byTag(doc, 'img').filter((e) => getAttributeValue(e, 'src') === 'https://img.example/river.jpg');
  assert.equal(img.length, 1);
  assert.equal(getAttributeValue(img[0]!, 'alt'), 'A river at dusk');
  const style = getAttributeValue(img[0]!, 'style') ?? '';
  assert.ok(style.includes('width:100%') && style.includes('height:auto'), style);
  assert.equal(getAttributeValue(img[0]!, 'height'), 'auto');
  assert.ok(
    ancestors(img[0]!).some((a) => (getAttributeValue(a, 'class') ?? '').split(' ').includes('mj-full-width-mobile')),
    'fluid on mobile',
  );
  assert.ok(/\.mj-full-width-mobile\s*\{\s*width:\s*100%\s*!important/.test(html), 'the fluid rule is in the head');
  assert.ok(!ancestors(img[0]!).some((a) => a.name === 'p'), 'a block image, not one inside a paragraph');
  const caption = all(doc, (e) => e.name === 'div' && squash(textContent(e)) === 'Photo: Jane Doe / Agency');
  assert.equal(caption.length, 1, 'the title is the caption');
  assert.ok((getAttributeValue(caption[0]!, 'style') ?? '').includes(`color:${config.theme.colors.muted}`));
  assert.ok(html.indexOf('https://img.example/river.jpg') < html.indexOf('Photo: Jane Doe / Agency'), 'the caption follows the image');
  assert.match(text, /^A river at dusk$/m);
  assert.match(text, /^Photo: Jane Doe \/ Agency$/m);
});

test('markdown: a lone image without a title has no caption; a linked one keeps its link', async () => {
  const { doc, rendered } = await email('![Chart of spending](https://img.example/chart.png)\n\n[![The front page](https://img.example/front.png)](https://example.org/front)');
  assert.match(rendered.mjml!, /<mj-image [^>]*alt="Chart of spending"/);
  assert.match(rendered.mjml!, /<mj-image [^>]*alt="The front page"[^>]*href="https:\/\/example.org\/front"/);
  assert.ok(!/<mj-text padding="0 0 20px" font-size="14px"/.test(rendered.mjml!), 'no caption block');
  const front = byTag(doc, 'img').find((e) => getAttributeValue(e, 'alt') === 'The front page');
  assert.ok(front);
  const link = ancestors(front).find((a) => a.name === 'a');
  assert.equal(link && getAttributeValue(link, 'href'), 'https://example.org/front');
});

test('markdown: an image inside a sentence stays inline, styled to fit', async () => {
  const { doc, rendered, theme } = await email('A small ![icon](https://img.example/icon.png) in text.');
  assert.doesNotMatch(rendered.mjml!, /<mj-image [^>]*alt="icon"/);
  const img = byTag(doc, 'img').find((e) => getAttributeValue(e, 'alt') === 'icon');
  assert.ok(img);
  assert.equal(img.parent && (img.parent as Element).name, 'p');
  assert.equal(getAttributeValue(img, 'style'), theme.img);
});

/** Widths that would push a table past a 375 px screen: fixed pixel widths in attributes or styles. */
function fixedWidths(table: Element): string[] {
  const found: string[] = [];
  for (const e of [table, ...findAll(() => true, table.children)]) {
    const width = getAttributeValue(e, 'width');
    if (width !== undefined && !/^\d+(\.\d+)?%$/.test(width)) found.push(`<${e.name} width="${width}">`);
    const style = getAttributeValue(e, 'style') ?? '';
    for (const m of style.matchAll(/(?:^|;)\s*((?:min-)?width)\s*:\s*([^;]+)/gi)) {
      if (!/^\s*\d+(\.\d+)?%\s*$/.test(m[2]!)) found.push(`<${e.name} style="${m[1]}:${m[2]}">`);
    }
  }
  return found;
}

function bodyTables(doc: Document, firstCell: string): Element[] {
  return byTag(doc, 'table').filter((t) => {
    const cell = all(t, (e) => e.name === 'th' || e.name === 'td')[0];
    return cell !== undefined && squash(textContent(cell)) === firstCell;
  });
}

const TABLE = [
  '| Agency | Requests filed | Median days to answer |',
  '|:-------|:--------------:|----------------------:|',
  '| Department of Justice | 1,204 | 187 |',
  '| Department of Homeland Security, Immigration and Customs Enforcement | 98 | 411 |',
].join('\n');

test('markdown: a GFM table is 100% wide with no fixed pixel widths, so it fits a 375 px screen', async () => {
  const { doc, theme } = await email(`Numbers:\n\n${TABLE}\n\nAfter.`);
  const tables = bodyTables(doc, 'Agency');
  assert.equal(tables.length, 1);
  const table = tables[0]!;
  assert.equal(getAttributeValue(table, 'style'), theme.table);
  assert.ok((theme.table ?? '').startsWith('width:100%;'));
  assert.deepEqual(fixedWidths(table), []);
  for (const cell of all(table, (e) => e.name === 'td')) {
    assert.ok((getAttributeValue(cell, 'style') ?? '').includes('word-wrap:break-word'), 'long cells wrap');
  }
  const head = all(table, (e) => e.name === 'th').map((e) => squash(textContent(e)));
  assert.deepEqual(head, ['Agency', 'Requests filed', 'Median days to answer']);
  assert.equal(all(table, (e) => e.name === 'tr').length, 3);
});

test('markdown: a GFM table keeps column alignment as align attributes on every cell', async () => {
  const { doc, text } = await email(TABLE);
  const table = bodyTables(doc, 'Agency')[0]!;
  for (const row of all(table, (e) => e.name === 'tr')) {
    const cells = row.children.filter((c): c is Element => c.type === 'tag');
    assert.deepEqual(cells.map((c) => getAttributeValue(c, 'align')), ['left', 'center', 'right']);
  }
  const unaligned = await email('| a | b |\n|---|---|\n| 1 | 2 |');
  const plain = bodyTables(unaligned.doc, 'a')[0]!;
  assert.deepEqual(all(plain, (e) => e.name === 'th' || e.name === 'td').map((c) => getAttributeValue(c, 'align')), ['left', 'left', 'left', 'left']);
  assert.ok(text.includes('Department of Justice'), text);
  assert.ok(text.includes('1,204') && text.includes('187'), text);
});

test("markdown: a raw HTML table loses the writer's fixed widths and takes the theme's", async () => {
  const { doc, theme } = await email(
    '<table width="800" style="width:800px"><tr><th width="500" style="min-width:500px">Wide</th><td width="300">cell</td></tr></table>\n\nAfter.',
  );
  const table = bodyTables(doc, 'Wide');
  assert.equal(table.length, 1);
  assert.deepEqual(fixedWidths(table[0]!), []);
  assert.equal(getAttributeValue(table[0]!, 'style'), theme.table);
});

test('markdown: links keep their title; paragraphs are styled by the theme', async () => {
  const { doc, theme } = await email('See [the filing](https://courts.example/f.pdf "Filed 3 March") here.');
  const a = withText(doc, 'a', 'the filing');
  assert.equal(getAttributeValue(a, 'title'), 'Filed 3 March');
  assert.equal(getAttributeValue(a, 'style'), theme.a);
  assert.equal(getAttributeValue(withText(doc, 'p', 'See the filing here.'), 'style'), theme.p);
});

test('markdown: every body element takes exactly the theme style, in plain and raw-HTML runs alike', async () => {
  const md = '## Head\n\nPara with [link](https://a.example/).\n\n- item\n\n> quote\n\n| h |\n|---|\n| d |';
  const plain = await email(md);
  const raw = await email(`${md}\n\n<small>raw</small>`);
  const styled = (doc: Document, theme: BodyStyles) => {
    for (const name of ['h2', 'ul', 'li', 'blockquote', 'table', 'th', 'td']) {
      const e = byTag(doc, name).filter((x) => getAttributeValue(x, 'style') === theme[name]);
      assert.ok(e.length > 0, `<${name}> without the theme style`);
    }
  };
  styled(plain.doc, plain.theme);
  styled(raw.doc, raw.theme);
});
