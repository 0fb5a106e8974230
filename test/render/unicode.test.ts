/**
 * Unicode round trip (issue 3: "Unicode … comes out byte for byte"): the writer's characters reach the email HTML
 * and plain text as the same UTF-8 bytes, never as entities or normalised forms; only `<`, `>` and `&` are escaped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'htmlparser2';
import { findAll, textContent } from 'domutils';
import type { Document, Element } from 'domhandler';
import type { Recipient } from '../../src/render/personalise.ts';
import { issueText, render } from '../support/fixtures.ts';

const FILE = 'issues/2026-10-14-unicode.md';

/** Each sample is short enough that the plain text's 78-column wrap cannot split it. */
const SAMPLES: Record<string, string> = {
  cyrillic: 'Съешь же ещё этих мягких булок',
  emoji: 'Reporters 📰🔍 at work',
  zwj: 'Family 👩‍👩‍👧‍👦 and 🧑🏽‍💻 and 🏳️‍🌈',
  flags: 'Flags 🇺🇦🇯🇵🇧🇷 🏴󠁧󠁢󠁳󠁣󠁴󠁿',
  skin: 'Thumbs 👍🏽👍🏿',
  quotes: '“Double,” ‘single,’ „low“ «guillemets»',
  dashes: 'em — en – ellipsis … minus −',
  hebrew: 'שלום עולם',
  arabic: 'مرحبا بالعالم',
  combining: 'Cafe\u0301 vs Café',
  astral: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛',
  cjk: '日本語のテキスト 한국어',
  nbsp: 'ten\u00a0km',
};

const byTag = (doc: Document, name: string): Element[] => findAll((e) => e.name === name, doc.children);

async function email(body: string, fields?: string, recipient?: Recipient) {
  const { parsed, rendered } = await render(issueText(body, fields), FILE);
  assert.ok(rendered?.recipientTemplate, JSON.stringify(rendered?.diagnostics ?? parsed.diagnostics));
  const out = recipient ? rendered.recipientTemplate.render(recipient) : rendered.sample!;
  return { rendered, htmlBytes: out.html, textBytes: out.text, html: out.html.toString('utf8'), text: out.text.toString('utf8') };
}

/** Entities in the HTML that stand for a non-ASCII character: the writer's bytes would have been rewritten. */
function nonAsciiEntities(html: string): string[] {
  return [...html.matchAll(/&#(x[0-9a-f]+|[0-9]+);/gi)]
    .filter((m) => {
      const v = m[1]!;
      return (v[0] === 'x' || v[0] === 'X' ? parseInt(v.slice(1), 16) : parseInt(v, 10)) > 0x7f;
    })
    .map((m) => m[0]);
}

for (const [name, sample] of Object.entries(SAMPLES)) {
  test(`unicode: ${name} comes out byte for byte in the HTML and the text`, async () => {
    const body = `# ${sample}\n\n${sample}\n\n- ${sample}\n\n> ${sample}\n\n[${sample}](https://example.org/)\n\n| ${sample} |\n|---|\n| x |`;
    const { htmlBytes, textBytes, html, text } = await email(body);
    const bytes = Buffer.from(sample, 'utf8');
    assert.ok(htmlBytes.includes(bytes), `${name} is not in the HTML bytes`);
    assert.ok(textBytes.includes(bytes), `${name} is not in the text bytes`);
    // Heading, paragraph, list item, quote, link text and table cell each hold it exactly (the default preheader,
    // cut from the text, may add more).
    assert.ok(html.split(sample).length - 1 >= 6, `${name} in the HTML`);
    const doc = parseDocument(html);
    for (const tag of ['h1', 'p', 'li', 'blockquote', 'a', 'th']) {
      assert.ok(byTag(doc, tag).some((e) => textContent(e).trim() === sample), `${name} is not the text of a <${tag}>`);
    }
    assert.ok(text.split(sample).length - 1 >= 5, `${name} in the text:\n${text}`);
    assert.deepEqual(nonAsciiEntities(html), []);
  });
}

test('unicode: NFD stays NFD and NFC stays NFC (nothing normalises the text)', async () => {
  const nfd = 'Cafe\u0301';
  const nfc = 'Caf\u00e9';
  const { html, text } = await email(`${nfd} and ${nfc}.`);
  assert.ok(html.includes(`${nfd} and ${nfc}.`));
  assert.ok(text.includes(`${nfd} and ${nfc}.`));
});

test('unicode: front matter fields (title, subtitle, preheader) keep their characters in the HTML and text', async () => {
  const fields = [
    'title: "Привет, “мир” — 🇺🇦"',
    'date: 2026-10-14',
    'subtitle: "שלום 👩‍👩‍👧 ‘quoted’"',
    'preheader: "Ёлки-палки … 🧑🏽‍💻"',
  ].join('\n');
  const { html, text } = await email('Body text.', fields);
  const doc = parseDocument(html);
  assert.equal(textContent(byTag(doc, 'title')[0]!), 'Привет, “мир” — 🇺🇦');
  assert.ok(byTag(doc, 'h1').some((h) => textContent(h) === 'Привет, “мир” — 🇺🇦'));
  for (const s of ['Привет, “мир” — 🇺🇦', 'שלום 👩‍👩‍👧 ‘quoted’', 'Ёлки-палки … 🧑🏽‍💻']) assert.ok(html.includes(s), s);
  for (const s of ['Привет, “мир” — 🇺🇦', 'שלום 👩‍👩‍👧 ‘quoted’']) assert.ok(text.includes(s), s);
  assert.ok(!text.includes('Ёлки-палки'), 'the hidden preheader stays out of the text');
  assert.deepEqual(nonAsciiEntities(html), []);
});

test('unicode: a subscriber name with emoji, RTL and quotes is written byte for byte', async () => {
  const name = 'Zoë “Zo” Ünal 👩‍👩‍👧 שלום';
  const { htmlBytes, textBytes } = await email('Dear {{subscriber.name}},', undefined, {
    name,
    email: 'zoe@example.net',
    unsubscribeUrl: 'https://dissentdesk.example.org/u/z',
  });
  assert.ok(htmlBytes.includes(Buffer.from(`Dear ${name},`, 'utf8')));
  assert.ok(textBytes.includes(Buffer.from(`Dear ${name},`, 'utf8')));
});

test('unicode: entities the writer types become the characters they name', async () => {
  const { html, text } = await email('&copy; 2026 &mdash; caf&eacute; &#x1F4F0; &#8220;x&#8221;');
  assert.ok(html.includes('© 2026 — café 📰 “x”'), 'the characters, not entities');
  assert.ok(text.includes('© 2026 — café 📰 “x”'));
  assert.deepEqual(nonAsciiEntities(html), []);
});

test('unicode: <, > and & in text are escaped in the HTML, literal in the text', async () => {
  const { html, text } = await email('If 1 < 2 && 3 > 2 then AT&T wins <not a tag.\n\n## Q&A <sure>');
  const doc = parseDocument(html);
  const p = byTag(doc, 'p').map((e) => textContent(e));
  assert.ok(p.includes('If 1 < 2 && 3 > 2 then AT&T wins <not a tag.'), p.join('\n'));
  assert.ok(html.includes('If 1 &lt; 2 &amp;&amp; 3 &gt; 2 then AT&amp;T wins &lt;not a tag.'));
  assert.ok(html.includes('Q&amp;A'));
  assert.ok(!html.includes('<sure>') && !html.includes('<not a tag'), 'never a tag');
  assert.ok(text.includes('If 1 < 2 && 3 > 2 then AT&T wins <not a tag.'), text);
  assert.ok(text.includes('Q&A'), text);
});

test('unicode: the HTML declares UTF-8 so the bytes are read as written', async () => {
  const { html } = await email('Привет.');
  assert.match(html, /<meta[^>]+charset=["']?utf-8/i);
});
