/**
 * The rendered email's structure, asserted on the parsed HTML of every sample issue (issue 3, "Tests must show"):
 * doctype, lang, title, hidden preheader, alt texts, presentation tables, and what the layout adds (title, byline,
 * hero credit, author bio, footer). Also the reading time in whole minutes at 265 words a minute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { AnyNode, Document, Element } from 'domhandler';
import { sampleRecipient } from '../../src/render/render-issue.ts';
import { issueText, projectSetup, render, ROOT } from '../support/fixtures.ts';

const SAMPLES = readdirSync(join(ROOT, 'issues'))
  .filter((n) => n.endsWith('.md'))
  .sort()
  .map((n) => `issues/${n}`);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-10-14" → "October 14, 2026", computed here rather than with the code under test. */
function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${MONTHS[m! - 1]} ${d}, ${y}`;
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
const text = (node: AnyNode | AnyNode[]) => squash(DomUtils.textContent(node));
const byTag = (name: string, root: AnyNode | AnyNode[]) => DomUtils.getElementsByTagName(name, root, true);
const attr = (el: Element, name: string) => DomUtils.getAttributeValue(el, name);

function isHidden(el: Element): boolean {
  const style = (attr(el, 'style') ?? '').replace(/\s+/g, '').toLowerCase();
  return style.includes('display:none');
}

/** The markup inside Outlook's conditional comments, which parseDocument leaves as comment text. */
function conditionalMarkup(doc: Document): Document {
  const comments = DomUtils.filter((n) => n.type === 'comment', doc, true) as unknown as { data: string }[];
  const inner = comments
    .map((c) => /^\[if [^\]]*\]>([\s\S]*?)<!\[endif\]$/.exec(c.data)?.[1] ?? '')
    .join('\n');
  return parseDocument(inner);
}

async function renderSample(file: string) {
  const { parsed, rendered } = await render(readFileSync(join(ROOT, file), 'utf8'), file);
  assert.deepEqual(parsed.diagnostics, [], `${file} parses cleanly`);
  assert.ok(rendered?.sample, `${file} renders: ${JSON.stringify(rendered?.diagnostics)}`);
  const html = rendered.sample.html.toString('utf8');
  return { issue: parsed.issue!, rendered, html, doc: parseDocument(html) };
}

test('there are sample issues to check', () => {
  assert.ok(SAMPLES.length >= 2, SAMPLES.join(', '));
});

for (const file of SAMPLES) {
  test(`${file}: doctype, <html lang="en">, <title> = subject, viewport`, async () => {
    const { issue, html, doc } = await renderSample(file);
    assert.match(html, /^<!doctype html>/i);
    const first = doc.children.find((n) => n.type !== 'text');
    assert.equal(first?.type, 'directive');
    assert.match((first as unknown as { data: string }).data, /^!doctype html$/i);
    const htmlEl = byTag('html', doc);
    assert.equal(htmlEl.length, 1);
    assert.equal(attr(htmlEl[0]!, 'lang'), 'en');
    const titles = byTag('title', doc);
    assert.equal(titles.length, 1);
    assert.equal(text(titles[0]!), issue.subject);
    assert.ok(byTag('meta', doc).some((m) => attr(m, 'name') === 'viewport'));
  });

  test(`${file}: a hidden preheader element with the preheader text, before the content`, async () => {
    const { rendered, doc } = await renderSample(file);
    const body = byTag('body', doc)[0]!;
    assert.ok(rendered.preheader.trim().length > 0);
    const hidden = DomUtils.findAll((el) => isHidden(el) && text(el).includes(squash(rendered.preheader)), body.children);
    assert.equal(hidden.length, 1, 'exactly one hidden element holds the preheader');
    const all = DomUtils.findAll(() => true, body.children);
    assert.ok(all.indexOf(hidden[0]!) < all.indexOf(byTag('h1', body)[0]!), 'the preheader comes before the title');
    if (rendered.issue.preheader) assert.equal(squash(rendered.preheader), squash(rendered.issue.preheader));
  });

  test(`${file}: every <img> has a non-empty alt, the hero's alt is the front matter's`, async () => {
    const { issue, doc } = await renderSample(file);
    const images = [...byTag('img', doc), ...byTag('img', conditionalMarkup(doc))];
    assert.ok(images.length > 0 || !issue.image);
    for (const img of images) assert.ok((attr(img, 'alt') ?? '').trim().length > 0, `img ${attr(img, 'src')} has no alt`);
    if (issue.image) {
      const hero = images.filter((img) => attr(img, 'src') === issue.image!.src);
      assert.ok(hero.length >= 1);
      assert.equal(attr(hero[0]!, 'alt'), issue.image.alt);
    }
  });

  test(`${file}: layout tables carry role="presentation"; data tables from the body do not`, async () => {
    const { doc } = await renderSample(file);
    const tables = [...byTag('table', doc), ...byTag('table', conditionalMarkup(doc))];
    assert.ok(tables.length > 5);
    let layout = 0;
    for (const table of tables) {
      // A data table is one whose own cells are headers; the layout tables around it merely contain it.
      const own = (el: Element) => {
        let up = el.parent;
        while (up && !(up.type === 'tag' && (up as Element).name === 'table')) up = up.parent;
        return up === table;
      };
      const isData = byTag('th', table).some(own);
      if (isData) assert.notEqual(attr(table, 'role'), 'presentation', 'a data table must stay a table for screen readers');
      else {
        assert.equal(attr(table, 'role'), 'presentation', DomUtils.getOuterHTML(table).slice(0, 200));
        layout++;
      }
    }
    assert.ok(layout > 5);
  });

  test(`${file}: one <h1> with the title, then the byline with author, date and reading time`, async () => {
    const { issue, rendered, doc } = await renderSample(file);
    const h1 = byTag('h1', doc);
    assert.equal(h1.length, 1);
    assert.equal(text(h1[0]!), issue.title);
    const { config } = await projectSetup();
    assert.equal(issue.author, /^author:/m.test(readFileSync(join(ROOT, file), 'utf8')) ? issue.author : config.author.name);
    const minutes = Math.max(1, Math.ceil(rendered.words / 265));
    assert.equal(rendered.readingMinutes, minutes);
    const byline = DomUtils.findAll((el) => el.name === 'div' && /min read/.test(text(el)) && !DomUtils.findOne((c) => c.name === 'div', el.children), doc);
    assert.equal(byline.length, 1, 'one byline');
    assert.equal(text(byline[0]!), `By ${issue.author} · ${longDate(issue.date)} · ${minutes} min read`);
    assert.equal(text(byTag('strong', byline[0]!)), issue.author);
    const all = DomUtils.findAll(() => true, doc);
    assert.ok(all.indexOf(h1[0]!) < all.indexOf(byline[0]!));
    if (issue.subtitle) assert.ok(text(doc).includes(squash(issue.subtitle)));
  });

  test(`${file}: the hero image with its credit, when the issue has one`, async (t) => {
    const { issue, doc } = await renderSample(file);
    if (!issue.image) {
      t.diagnostic('no hero image in this sample');
      return;
    }
    const all = DomUtils.findAll(() => true, doc);
    const hero = all.find((el) => el.name === 'img' && attr(el, 'src') === issue.image!.src)!;
    assert.ok(hero);
    if (issue.image.caption) {
      const credit = all.find((el) => el.name === 'div' && text(el) === issue.image!.caption && !DomUtils.findOne((c) => c.name === 'div', el.children));
      assert.ok(credit, `the credit "${issue.image.caption}" is rendered`);
      // mj-divider renders as an empty <p>; the body starts at the first paragraph with text.
      const first = byTag('p', doc).find((el) => text(el) !== '')!;
      assert.ok(all.indexOf(hero) < all.indexOf(credit) && all.indexOf(credit) < all.indexOf(first), 'hero, credit, then the body');
    }
  });

  test(`${file}: the author bio only when the author is the config's author`, async () => {
    const { issue, doc } = await renderSample(file);
    const { config } = await projectSetup();
    const body = text(doc);
    if (issue.author === config.author.name) {
      assert.ok(body.includes(`About ${config.author.name}`));
      assert.ok(body.includes(squash(config.author.bio!)));
    } else {
      assert.ok(!body.includes('About '), 'a guest author gets no bio');
      assert.ok(!body.includes(squash(config.author.bio!)), "the config author's bio is not shown for a guest");
    }
  });

  test(`${file}: footer with the newsletter name, postal address, view-in-browser and unsubscribe links`, async () => {
    const { issue, doc } = await renderSample(file);
    const { config } = await projectSetup();
    const anchors = byTag('a', doc);
    const view = anchors.filter((a) => /view in browser/i.test(text(a)));
    assert.equal(view.length, 1);
    assert.equal(attr(view[0]!, 'href'), `${config.url}/${issue.slug}/`);
    const unsubscribe = anchors.filter((a) => /^unsubscribe$/i.test(text(a)));
    assert.equal(unsubscribe.length, 1);
    assert.equal(attr(unsubscribe[0]!, 'href'), sampleRecipient(config).unsubscribeUrl);
    // The footer is the block that holds both links; it also carries the name and the postal address.
    let footer: AnyNode | null = view[0]!;
    while (footer && !DomUtils.getElementsByTagName('a', footer, true).includes(unsubscribe[0]!)) footer = footer.parent;
    assert.ok(footer);
    const footerText = text(footer);
    assert.ok(footerText.includes(config.name), footerText);
    assert.ok(footerText.includes(squash(config.address!)), footerText);
    assert.ok(!footerText.includes(issue.title));
  });
}

test('the guest-author sample exists and has no bio (the other samples have one)', async () => {
  const { config } = await projectSetup();
  const authors = await Promise.all(SAMPLES.map(async (f) => (await renderSample(f)).issue.author));
  assert.ok(authors.some((a) => a !== config.author.name), 'a sample with a guest author');
  assert.ok(authors.some((a) => a === config.author.name), 'a sample by the config author');
});

test('the byline date reads "October 14, 2026" for the 2026-10-14 issue', async () => {
  const { html } = await renderSample(SAMPLES.find((f) => f.includes('2026-10-14'))!);
  assert.ok(text(parseDocument(html)).includes('· October 14, 2026 ·'));
});

// ---------------------------------------------------------------------------------------------------------------
// Reading time: 265 words a minute, rounded up to whole minutes
// ---------------------------------------------------------------------------------------------------------------

/** A body of exactly `words` words, in paragraphs of up to 40. */
function wordsBody(words: number): string {
  const vocabulary = ['council', 'records', 'camera', 'contract', 'vote', 'audit', 'public', 'bridge', 'plate', 'reader'];
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(vocabulary[i % vocabulary.length]!);
  const paragraphs: string[] = [];
  for (let i = 0; i < out.length; i += 40) paragraphs.push(`${out.slice(i, i + 40).join(' ')}.`);
  return paragraphs.join('\n\n');
}

for (const [words, minutes] of [[1666, 7], [265, 1], [266, 2], [1, 1], [530, 2], [531, 3]] as const) {
  test(`a body of exactly ${words} words reads "${minutes} min read"`, async () => {
    const { rendered } = await render(issueText(wordsBody(words)));
    assert.ok(rendered?.sample);
    assert.equal(rendered.words, words);
    assert.equal(rendered.readingMinutes, minutes);
    const doc = parseDocument(rendered.sample.html.toString('utf8'));
    assert.ok(text(doc).includes(`· ${minutes} min read`), `byline says ${minutes} min read`);
    assert.ok(rendered.sample.text.toString('utf8').includes(`${minutes} min read`));
  });
}

test('the title, subtitle and layout text do not count towards reading time', async () => {
  const fields = `title: ${'Long title '.repeat(12).trim()}\nsubtitle: ${'a long subtitle '.repeat(30).trim()}\ndate: 2026-10-14`;
  const { rendered } = await render(issueText(wordsBody(265), fields));
  assert.equal(rendered!.words, 265);
  assert.equal(rendered!.readingMinutes, 1);
});
