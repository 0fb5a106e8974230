/**
 * Per-subscriber output (issue 3, "Per-subscriber fields"; HOSTILE-INPUTS items 11 and 12): subscriber data is
 * escaped in the HTML, literal in the text, never compiled, and lands only in its slots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'htmlparser2';
import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Document, Element } from 'domhandler';
import { escapeHtml } from '../../src/core/escape.ts';
import { makePlaceholders } from '../../src/render/merge-tags.ts';
import { RecipientTemplate, type Recipient } from '../../src/render/personalise.ts';
import type { RenderedIssue } from '../../src/render/render-issue.ts';
import { issueText, render } from '../support/fixtures.ts';

const FILE = 'issues/2026-10-14-personal.md';

/** A body that uses every per-subscriber tag in text and in link targets. */
const BODY = [
  'Dear {{subscriber.name}},',
  '',
  'This copy is for {{subscriber.email}} only. [Write to us about it](mailto:desk@example.org?subject={{subscriber.email}}).',
  '',
  '> Quoted for {{subscriber.name}}.',
  '',
  '[Leave the list]({{unsubscribe_url}}) whenever you like, {{subscriber.name}}.',
].join('\n');

let cached: Promise<RenderedIssue> | undefined;
function issue(): Promise<RenderedIssue> {
  cached ??= render(issueText(BODY), FILE).then(({ parsed, rendered }) => {
    assert.ok(rendered?.recipientTemplate, JSON.stringify(rendered?.diagnostics ?? parsed.diagnostics));
    return rendered;
  });
  return cached;
}

const recipient = (name: string, email = 'reader@example.net', unsubscribeUrl = 'https://dissentdesk.example.org/u/tok'): Recipient => ({
  name,
  email,
  unsubscribeUrl,
});

async function personalise(r: Recipient) {
  const rendered = await issue();
  const out = rendered.recipientTemplate!.render(r);
  const html = out.html.toString('utf8');
  return { rendered, out, html, text: out.text.toString('utf8'), doc: parseDocument(html) };
}

const byTag = (doc: Document, name: string): Element[] => findAll((e) => e.name === name, doc.children);
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
const paragraphs = (doc: Document): string[] => byTag(doc, 'p').map((p) => squash(textContent(p)));

/** What the email must be: the issue's HTML and text with each placeholder replaced by the (escaped) value. */
function expected(rendered: RenderedIssue, r: Recipient): { html: string; text: string } {
  const ph = rendered.placeholders;
  // The body's mailto link carries the email inside a URL, where it is percent-encoded as well.
  const fill = (s: string, enc: (v: string) => string) =>
    s
      .split(`subject=${ph.email}`)
      .join(`subject=${enc(encodeURIComponent(r.email))}`)
      .split(ph.name)
      .join(enc(r.name))
      .split(ph.email)
      .join(enc(r.email))
      .split(ph.unsubscribe)
      .join(enc(r.unsubscribeUrl))
      .split(ph.preferences)
      .join(enc(r.preferencesUrl ?? r.unsubscribeUrl));
  return { html: fill(rendered.html!, escapeHtml), text: fill(rendered.text!, (v) => v) };
}

const HOSTILE_NAME = `<img src=x onerror=alert(1)>"'`;

test('personalising: a name with markup is escaped text in the HTML, never an element or attribute', async () => {
  const { html, doc } = await personalise(recipient(HOSTILE_NAME));
  const imgs = byTag(doc, 'img').filter((e) => getAttributeValue(e, 'src') === 'x' || 'onerror' in e.attribs);
  assert.deepEqual(imgs.map((e) => e.attribs), [], 'the name became an <img>');
  for (const e of findAll(() => true, doc.children)) {
    assert.deepEqual(Object.keys(e.attribs).filter((a) => a.startsWith('on')), [], `<${e.name}> got a handler`);
  }
  assert.ok(paragraphs(doc).includes(`Dear ${HOSTILE_NAME},`), paragraphs(doc).join('\n'));
  assert.ok(paragraphs(doc).includes(`Quoted for ${HOSTILE_NAME}.`));
  assert.ok(html.includes('Dear &lt;img src=x onerror=alert(1)&gt;&quot;&#39;,'));
  assert.ok(!html.includes('<img src=x'));
});

test('personalising: a name with markup is literal in the plain text', async () => {
  const { text } = await personalise(recipient(HOSTILE_NAME));
  assert.ok(text.includes(`Dear ${HOSTILE_NAME},`), text);
  assert.ok(squash(text).includes(`whenever you like, ${HOSTILE_NAME}.`), text);
  assert.ok(!text.includes('&lt;'), 'the text is not HTML-escaped');
});

test('personalising: quotes in a value cannot break out of an attribute', async () => {
  const email = `x"onmouseover="alert(1)"'@example.net`;
  const { doc } = await personalise(recipient('Ann', email));
  const a = byTag(doc, 'a').find((e) => textContent(e) === 'Write to us about it');
  assert.ok(a);
  assert.deepEqual(Object.keys(a.attribs).sort(), ['href', 'style']);
  assert.equal(getAttributeValue(a, 'href'), `mailto:desk@example.org?subject=${encodeURIComponent(email)}`);
});

for (const name of ['{{constructor}}', '{{#with "constructor"}}{{/with}}', '{{{subscriber.email}}}', '{{> footer}}', '${process.exit()}']) {
  test(`personalising: the name ${name} appears literally, never compiled`, async () => {
    const { html, text, doc } = await personalise(recipient(name));
    assert.ok(paragraphs(doc).includes(`Dear ${name},`), paragraphs(doc).join('\n'));
    assert.ok(html.includes(`Dear ${escapeHtml(name)},`));
    assert.ok(text.includes(`Dear ${name},`), text);
    assert.ok(!html.includes('[object Object]') && !html.includes('function Object'));
  });
}

test('personalising: "&" in a name is escaped once in the HTML and literal in the text', async () => {
  for (const name of ['Tom & Jerry', 'AT&amp;T', '&lt;b&gt;']) {
    const { html, text, doc } = await personalise(recipient(name));
    assert.ok(html.includes(`Dear ${escapeHtml(name)},`), name);
    assert.ok(paragraphs(doc).includes(`Dear ${name},`), `${name}: ${paragraphs(doc).join('\n')}`);
    assert.ok(text.includes(`Dear ${name},`), name);
  }
});

test('personalising: a value holding another slot\'s placeholder stays literal (values are never re-scanned)', async () => {
  const rendered = await issue();
  const { text, doc } = await personalise(recipient(`${rendered.placeholders.email} ${rendered.placeholders.unsubscribe}`));
  assert.ok(paragraphs(doc).includes(`Dear ${rendered.placeholders.email} ${rendered.placeholders.unsubscribe},`));
  assert.ok(text.includes(`Dear ${rendered.placeholders.email} ${rendered.placeholders.unsubscribe},`));
});

test('personalising: the email and the unsubscribe URL land in their places, in the body and the layout', async () => {
  const unsub = 'https://dissentdesk.example.org/unsubscribe/abc123?list=main&src=email';
  const { doc, text } = await personalise(recipient('Bea', 'bea@example.net', unsub));
  assert.ok(paragraphs(doc).includes('This copy is for bea@example.net only. Write to us about it.'), paragraphs(doc).join('\n'));
  const links = (label: string) => byTag(doc, 'a').filter((e) => squash(textContent(e)) === label).map((e) => getAttributeValue(e, 'href'));
  assert.deepEqual(links('Leave the list'), [unsub]);
  assert.deepEqual(links('Unsubscribe'), [unsub], "the footer's unsubscribe link");
  assert.deepEqual(links('Write to us about it'), ['mailto:desk@example.org?subject=bea%40example.net']);
  const footer = findAll((e) => e.name === 'div' && squash(textContent(e)).includes('This email was sent to'), doc.children).at(-1);
  assert.ok(footer && squash(textContent(footer)).includes('This email was sent to bea@example.net.'));
  assert.ok(squash(text).includes('This email was sent to bea@example.net.'), text);
  assert.ok(squash(text).includes(`Leave the list ${unsub} whenever you like, Bea.`), text);
  assert.ok(squash(text).includes(`Unsubscribe ${unsub}`), text);
});

test('personalising: the output differs from the issue only in the slots, for HTML and text', async () => {
  const rendered = await issue();
  for (const r of [recipient(HOSTILE_NAME, 'a&b@example.net', 'https://x.example/u?a=1&b=2'), recipient('Ünïcødé 👩‍👩‍👧', 'u@example.net')]) {
    const out = rendered.recipientTemplate!.render(r);
    const want = expected(rendered, r);
    assert.equal(out.html.toString('utf8'), want.html);
    assert.equal(out.text.toString('utf8'), want.text);
    assert.ok(!out.html.includes(rendered.placeholders.prefix) && !out.text.includes(rendered.placeholders.prefix));
  }
  // The slots really are there: the name three times in the body and twice in the preheader made from it; the
  // email and unsubscribe URL in the body and the layout.
  assert.equal(rendered.html!.split(rendered.placeholders.name).length - 1, 5);
  assert.ok(rendered.html!.includes(rendered.placeholders.email));
  assert.ok(rendered.html!.includes(rendered.placeholders.unsubscribe));
});

test('personalising: 1,000 subscribers give 1,000 distinct, correct emails', async () => {
  const rendered = await issue();
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const r = recipient(`Reader ${i} <${i}> & co`, `reader${i}@example.net`, `https://dissentdesk.example.org/u/${i.toString(36)}`);
    const out = rendered.recipientTemplate!.render(r);
    const html = out.html.toString('utf8');
    const text = out.text.toString('utf8');
    const want = expected(rendered, r);
    assert.equal(html, want.html, `subscriber ${i}`);
    assert.equal(text, want.text, `subscriber ${i}`);
    seen.add(html + '\u0000' + text);
  }
  assert.equal(seen.size, 1000);
});

test('personalising: the template is compiled once; rendering twice gives equal bytes', async () => {
  const rendered = await issue();
  const template = rendered.recipientTemplate!;
  const r = recipient(HOSTILE_NAME);
  const a = template.render(r);
  const b = template.render({ ...r });
  assert.ok(a.html.equals(b.html) && a.text.equals(b.text));
  // The sample the build wrote came from the same compiled template.
  const sample = template.render({ name: 'Sample Reader', email: 'reader@example.com', unsubscribeUrl: 'https://dissentdesk.example.org/unsubscribe/sample', preferencesUrl: 'https://dissentdesk.example.org/preferences/sample' });
  assert.ok(sample.html.equals(rendered.sample!.html) && sample.text.equals(rendered.sample!.text));
  // And a full re-render of the same issue gives the same bytes.
  const again = await render(issueText(BODY), FILE);
  assert.equal(again.rendered!.html, rendered.html);
  assert.equal(again.rendered!.text, rendered.text);
});

test('RecipientTemplate: splits only at placeholders; other text is copied byte for byte, values escaped per part', () => {
  const ph = makePlaceholders(['']);
  const template = new RecipientTemplate(
    `<p>Hi ${ph.name}! nlmerge0 nlmerge0namy ${ph.name}</p><a href="${ph.unsubscribe}">u</a> ${ph.email}`,
    `Hi ${ph.name}! ${ph.unsubscribe}`,
    ph,
  );
  const out = template.render({ name: 'A&B "<c>"', email: "o'k@example.net", unsubscribeUrl: 'https://u.example/?a=1&b=2' });
  assert.equal(
    out.html.toString('utf8'),
    '<p>Hi A&amp;B &quot;&lt;c&gt;&quot;! nlmerge0 nlmerge0namy A&amp;B &quot;&lt;c&gt;&quot;</p><a href="https://u.example/?a=1&amp;b=2">u</a> o&#39;k@example.net',
  );
  assert.equal(out.text.toString('utf8'), 'Hi A&B "<c>"! https://u.example/?a=1&b=2');
  const empty = template.render({ name: '', email: '', unsubscribeUrl: '' });
  assert.equal(empty.text.toString('utf8'), 'Hi ! ');
});

test('personalising: a link whose target starts with the subscriber\'s name is removed, so a name cannot be a javascript: URL', async () => {
  const source = issueText('[My profile]({{subscriber.name}}) and <a href="{{subscriber.email}}">raw</a> and ![me]({{subscriber.name}})');
  const { rendered } = await render(source, FILE);
  assert.ok(rendered?.recipientTemplate);
  const unsafe = rendered.diagnostics.filter((d) => d.rule === 'links/unsafe' || d.rule === 'images/unsafe');
  assert.equal(unsafe.length, 3, JSON.stringify(rendered.diagnostics));
  assert.ok(unsafe.every((d) => d.line === 7 && d.message.includes('{{subscriber.')), JSON.stringify(unsafe));
  const out = rendered.recipientTemplate.render(recipient('javascript:alert(1)', 'javascript:alert(2)'));
  const doc = parseDocument(out.html.toString('utf8'));
  for (const e of findAll(() => true, doc.children)) {
    for (const attr of ['href', 'src']) {
      const v = getAttributeValue(e, attr);
      if (v !== undefined) assert.ok(!/^\s*javascript:/i.test(v), `<${e.name} ${attr}="${v}">`);
    }
  }
});

test('personalise: a value inside a URL is percent-encoded, so a name cannot add query parameters', async () => {
  const body = 'Take [the survey](https://survey.example/?who={{subscriber.name}}&from=mail) today.';
  const { rendered } = await render(issueText(body), FILE);
  assert.ok(rendered?.recipientTemplate, JSON.stringify(rendered?.diagnostics));
  const out = rendered.recipientTemplate.render(recipient('Ann & Bo=1 <x>'));
  const doc = parseDocument(out.html.toString('utf8'));
  const survey = findAll((e) => e.name === 'a' && (getAttributeValue(e, 'href') ?? '').startsWith('https://survey.example/'), doc.children);
  assert.equal(survey.length, 1);
  const url = new URL(getAttributeValue(survey[0]!, 'href')!);
  assert.equal(url.searchParams.get('who'), 'Ann & Bo=1 <x>');
  assert.deepEqual([...url.searchParams.keys()], ['who', 'from']);
  const textUrl = /https:\/\/survey\.example\/\S+/.exec(out.text.toString('utf8'))?.[0];
  assert.ok(textUrl, out.text.toString('utf8'));
  assert.equal(new URL(textUrl).searchParams.get('who'), 'Ann & Bo=1 <x>');
});

test('personalise: a value that is the whole link, or running text, is not percent-encoded', async () => {
  const { rendered } = await render(issueText('Hello {{subscriber.name}}. [Leave]({{unsubscribe_url}}).'), FILE);
  assert.ok(rendered?.recipientTemplate);
  const out = rendered.recipientTemplate.render(recipient('Zoë & Co', 'r@example.net', 'https://x.example/u/a?b=1&c=2'));
  const html = out.html.toString('utf8');
  assert.ok(html.includes('Hello Zoë &amp; Co.'), 'name in text is escaped, not encoded');
  assert.ok(html.includes('href="https://x.example/u/a?b=1&amp;c=2"'), 'the unsubscribe URL is kept whole');
  assert.ok(out.text.toString('utf8').includes('https://x.example/u/a?b=1&c=2'));
});
