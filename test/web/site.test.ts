/** The web archive (issue 7): pages, index, feed and sitemap written by `build`; drafts nowhere. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'htmlparser2';
import { findAll, getAttributeValue, textContent } from 'domutils';
import { build } from '../../src/publish/build.ts';
import { namePlaceholder, placeholdersFor } from '../../src/render/merge-tags.ts';
import { parseIssue } from '../../src/issue/parse.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import { archivePages, neutralise, webEntry, type WebEntry } from '../../src/web/site.ts';
import { issueText, projectFor, projectSetup } from '../support/fixtures.ts';

const ISSUES = {
  'issues/2026-10-01-first.md': issueText(
    'Body with <b>bold</b> & more.\n\nThanks for reading, {{subscriber.name}}. [Unsubscribe]({{unsubscribe_url}}) or [read online]({{web_url}}).',
    'title: "Tom & <Jerry> say \\"hi\\""\ndate: 2026-10-01\nstatus: ready\npreheader: First preheader.',
  ),
  'issues/2026-10-02-hidden.md': issueText('Hidden body.', 'title: Hidden Issue\ndate: 2026-10-02\nstatus: ready\narchive: false'),
  'issues/2026-10-03-draft.md': issueText('Secret draft body.', 'title: Draft Zebra Issue\ndate: 2026-10-03\nstatus: draft'),
};

function allWebText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(join(dir, 'dist', 'web'));
  return out.join('\n');
}

test('web: ready issues get pages with canonical and social meta; drafts appear nowhere; archive: false stays out of lists', async (t) => {
  const dir = projectFor(t, ISSUES);
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, true, JSON.stringify(report.issues.map((i) => i.diagnostics)));
  const { config } = await projectSetup();
  const page = readFileSync(join(dir, 'dist/web/first/index.html'), 'utf8');
  const doc = parseDocument(page);
  const meta = (attr: string, value: string) => findAll((e) => e.name === 'meta' && e.attribs[attr] === value, doc.children)[0]?.attribs.content;
  assert.equal(findAll((e) => e.name === 'link' && e.attribs.rel === 'canonical', doc.children)[0]?.attribs.href, `${config.url}/first/`);
  assert.equal(meta('property', 'og:title'), 'Tom & <Jerry> say "hi"', 'the title, escaped in the HTML and read back whole');
  assert.equal(meta('property', 'og:url'), `${config.url}/first/`);
  assert.equal(meta('name', 'twitter:card'), 'summary');
  assert.match(page, /<title>Tom &amp; &lt;Jerry&gt; say &quot;hi&quot; · /);
  // Subscriber fields are neutral: no name, no unsubscribe link, no placeholder.
  assert.doesNotMatch(page, /nlmerge/);
  assert.match(page, /Thanks for reading\. Unsubscribe or <a href="[^"]+\/first\/"/);
  assert.equal(findAll((e) => e.name === 'a' && /unsubscribe/i.test(getAttributeValue(e, 'href') ?? ''), doc.children).length, 0);
  // The sign-up form posts to the server the reader came through (`serve`, locally or behind the site), with the
  // honeypot: a root-relative action under url's path (here none), so it works whatever host name reached it.
  const form = findAll((e) => e.name === 'form', doc.children)[0];
  assert.equal(new URL(config.url).pathname, '/');
  assert.equal(form?.attribs.action, '/subscribe');
  assert.equal(form?.attribs.method, 'post');
  assert.equal(findAll((e) => e.name === 'input' && e.attribs.name === 'website', doc.children).length, 1);

  assert.ok(existsSync(join(dir, 'dist/web/hidden/index.html')), 'an issue kept out of the archive still has its page');
  assert.equal(existsSync(join(dir, 'dist/web/draft')), false);
  const everything = allWebText(dir);
  assert.doesNotMatch(everything, /Draft Zebra|Secret draft/, 'a draft appears nowhere in dist/web');
  const index = readFileSync(join(dir, 'dist/web/index.html'), 'utf8');
  assert.match(index, /Tom &amp; &lt;Jerry&gt;/);
  assert.doesNotMatch(index, /Hidden Issue/);
  assert.doesNotMatch(readFileSync(join(dir, 'dist/web/feed.xml'), 'utf8'), /Hidden Issue/);
  assert.doesNotMatch(readFileSync(join(dir, 'dist/web/sitemap.xml'), 'utf8'), /hidden/);
});

test('web: the Atom feed parses as XML, each entry with id, updated, title, link and escaped full content', async (t) => {
  const dir = projectFor(t, ISSUES);
  await build({ root: dir, files: [], outDir: 'dist' });
  const xml = readFileSync(join(dir, 'dist/web/feed.xml'), 'utf8');
  assert.match(xml, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
  const doc = parseDocument(xml, { xmlMode: true });
  const entries = findAll((e) => e.name === 'entry', doc.children);
  assert.equal(entries.length, 1);
  const entry = entries[0]!;
  const child = (name: string) => findAll((e) => e.name === name, entry.children)[0];
  assert.equal(textContent(child('title')!), 'Tom & <Jerry> say "hi"');
  assert.match(textContent(child('id')!), /\/first\/$/);
  assert.equal(textContent(child('updated')!), '2026-10-01T00:00:00Z');
  assert.match(child('link')!.attribs.href ?? '', /\/first\/$/);
  assert.equal(child('content')!.attribs.type, 'html');
  assert.match(textContent(child('content')!), /<p[^>]*>Body with <b[^>]*>bold<\/b> &amp; more\.<\/p>/, 'the content, decoded, is the HTML');
  assert.match(xml, /&lt;p/, 'and it is escaped in the XML');
  const sitemap = parseDocument(readFileSync(join(dir, 'dist/web/sitemap.xml'), 'utf8'), { xmlMode: true });
  assert.equal(findAll((e) => e.name === 'loc', sitemap.children).length, 2, 'the archive and the one listed issue');
});

test('web: a draft that becomes ready is published; made a draft again, its page goes; unchanged rebuilds rewrite nothing', async (t) => {
  const dir = projectFor(t, ISSUES);
  await build({ root: dir, files: [], outDir: 'dist' });
  const feed = join(dir, 'dist/web/feed.xml');
  utimesSync(feed, new Date('2001-01-01'), new Date('2001-01-01'));
  await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(statSync(feed).mtime.getFullYear(), 2001, 'nothing changed, nothing rewritten');
  const draft = join(dir, 'issues/2026-10-03-draft.md');
  writeFileSync(draft, readFileSync(draft, 'utf8').replace('status: draft', 'status: ready'));
  await build({ root: dir, files: [], outDir: 'dist' });
  assert.ok(existsSync(join(dir, 'dist/web/draft/index.html')));
  assert.match(readFileSync(feed, 'utf8'), /Draft Zebra Issue/);
  writeFileSync(draft, readFileSync(draft, 'utf8').replace('status: ready', 'status: draft'));
  await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(existsSync(join(dir, 'dist/web/draft')), false);
  assert.doesNotMatch(readFileSync(feed, 'utf8'), /Draft Zebra Issue/);
});

test('web: the archive index pages past 50 issues, newest first', async () => {
  const { config, templates } = await projectSetup();
  const entries: WebEntry[] = Array.from({ length: 51 }, (_, i) => ({
    slug: `issue-${i}`,
    title: `Issue ${i}`,
    date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
    preheader: 'p',
    readingMinutes: 1,
    url: `${config.url}/issue-${i}/`,
    archive: true,
    author: 'A',
    content: '<p>x</p>',
  }));
  const pages = archivePages(entries, config, templates);
  assert.deepEqual(Object.keys(pages), ['index.html', 'page/2/index.html']);
  assert.equal((pages['index.html']!.match(/<li>/g) ?? []).length, 50);
  assert.equal((pages['page/2/index.html']!.match(/<li>/g) ?? []).length, 1);
  assert.match(pages['index.html']!, /href="\/page\/2\/">Older issues/);
  assert.match(pages['page/2/index.html']!, /href="\/">Newer issues/);
  assert.match(pages['index.html']!, /<a href="\/issue-50\/">Issue 50</);
  // Under a url with a path, every link between the archive's pages, and the form, stay under it.
  const news = { ...config, url: 'https://example.org/news' };
  const under = archivePages(entries.map((e) => ({ ...e, url: `${news.url}/${e.slug}/` })), news, templates);
  assert.match(under['index.html']!, /href="\/news\/page\/2\/">Older issues/);
  assert.match(under['page/2/index.html']!, /href="\/news\/">Newer issues/);
  assert.match(under['index.html']!, /<a href="\/news\/issue-50\/">Issue 50</);
  assert.match(under['index.html']!, /<form class="signup" method="post" action="\/news\/subscribe">/);
  // The form says which page it was on, for the consent on record (issue 16).
  assert.match(under['index.html']!, /<input type="hidden" name="page" value="https:\/\/example\.org\/news\/">/);
  assert.match(under['page/2/index.html']!, /<input type="hidden" name="page" value="https:\/\/example\.org\/news\/page\/2\/">/);
  assert.match(under['index.html']!, /<link rel="canonical" href="https:\/\/example\.org\/news\/">/, 'the canonical link stays absolute');
});

test('web: a deleted issue leaves the web, and a changed slug moves its page', async (t) => {
  const dir = projectFor(t, ISSUES);
  await build({ root: dir, files: [], outDir: 'dist' });
  assert.ok(existsSync(join(dir, 'dist/web/first/index.html')));
  rmSync(join(dir, 'issues/2026-10-02-hidden.md'));
  const first = join(dir, 'issues/2026-10-01-first.md');
  writeFileSync(first, readFileSync(first, 'utf8').replace('status: ready', 'status: ready\nslug: renamed'));
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, true);
  assert.equal(existsSync(join(dir, 'dist/web/hidden')), false, 'the deleted issue is gone from the web');
  assert.equal(existsSync(join(dir, 'dist/hidden')), false);
  assert.equal(existsSync(join(dir, 'dist/web/first')), false, 'the old slug is gone');
  assert.ok(existsSync(join(dir, 'dist/web/renamed/index.html')));
  assert.match(readFileSync(join(dir, 'dist/web/feed.xml'), 'utf8'), /\/renamed\//);
  assert.doesNotMatch(readFileSync(join(dir, 'dist/web/feed.xml'), 'utf8'), /\/first\//);
});


test('web: a project without templates/web gets an error naming the missing template, not a crash', async (t) => {
  const dir = projectFor(t, ISSUES);
  rmSync(join(dir, 'templates/web'), { recursive: true, force: true });
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, false);
  const first = report.issues.find((i) => i.file.endsWith('first.md'))!;
  assert.ok(first.diagnostics.some((d) => d.file === 'templates/web/issue.hbs' && d.severity === 'error'), JSON.stringify(first.diagnostics));
  assert.ok(report.diagnostics.some((d) => d.file === 'templates/web/archive.hbs'), JSON.stringify(report.diagnostics));
  assert.ok(existsSync(join(dir, 'dist/draft/email.html')), 'the draft, which needs no web page, still built');
});

test('web: a name with a default shows the default on the page; one without is left out', () => {
  const ph = placeholdersFor('nlmerge0');
  const html = `<p>Dear ${namePlaceholder(ph, 'friend & <ally>')}, hello.</p><p>Thanks, ${ph.name}.</p>`;
  assert.equal(neutralise(html, ph), '<p>Dear friend &amp; &lt;ally&gt;, hello.</p><p>Thanks.</p>');
});

/** Characters outside XML 1.0's `Char` production: a single one makes a feed unreadable to every feed reader. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

test('web: a NUL in a title stops that issue, named with its field and line, and feed.xml stays well-formed XML (issue 12, finding 10)', async (t) => {
  const dir = projectFor(t, {
    // Line 2: the title, with a NUL written as YAML's escape (a raw NUL byte is refused before YAML, see decode-text).
    'issues/2026-10-01-nul.md': issueText('Body.', 'title: "Council\\0 vote"\ndate: 2026-10-01\nstatus: ready'),
    // Control characters in a body are not one-line fields, but they must not break the feed either.
    'issues/2026-10-02-body.md': issueText('A form feed \f and an escape \u001b[1m from a PDF.', 'title: Body Controls\ndate: 2026-10-02\nstatus: ready'),
  });
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  const nul = report.issues.find((i) => i.file === 'issues/2026-10-01-nul.md')!;
  assert.equal(nul.ok, false);
  assert.deepEqual(
    nul.diagnostics.map((d) => [d.line, d.field, d.rule, d.message]),
    [[2, 'title', 'front-matter/field', '"title" must not contain control characters: NUL (U+0000) at character 8']],
  );
  const feed = readFileSync(join(dir, 'dist/web/feed.xml'), 'utf8');
  assert.doesNotMatch(feed, /Council/, 'the refused issue is not published');
  assert.equal(NOT_XML_CHAR.exec(feed), null, 'no character XML forbids');
  const doc = parseDocument(feed, { xmlMode: true });
  const entries = findAll((e) => e.name === 'entry', doc.children);
  assert.deepEqual(entries.map((e) => textContent(findAll((c) => c.name === 'title', e.children)[0]!)), ['Body Controls']);
  assert.match(textContent(findAll((c) => c.name === 'content', entries[0]!.children)[0]!), /A form feed\s+and an escape \[1m from a PDF\./);
});

test('web: relative links, root-relative images and anchors in the body resolve against the page\'s own URL', async () => {
  const { config, templates } = await projectSetup();
  const body = [
    'See [the last issue](../older/) and [about](/about) and [part two](#part-2), [home](https://example.org/?a=1&b=2).',
    '',
    '<p>Raw <a href="notes.html?x=1&amp;y=2">notes</a> and <img src="/images/raw.png" alt="raw">, not text like href="x".</p>',
    '',
    '![A chart](/images/chart.png)',
  ].join('\n');
  const parsed = parseIssue('issues/2026-10-14-page.md', issueText(body), { author: config.author.name, layout: config.layout });
  const rendered = await renderIssue(parsed.issue!, config, templates);
  // The email refuses them; the page content still points where the writer meant.
  assert.ok(rendered.diagnostics.some((d) => d.rule === 'links/relative'));
  const doc = parseDocument(webEntry(rendered).content);
  const urls = findAll((e) => e.name === 'a' || e.name === 'img', doc.children).map((e) => getAttributeValue(e, 'href') ?? getAttributeValue(e, 'src'));
  const page = `${config.url}/page/`;
  assert.deepEqual(urls, [
    new URL('../older/', page).href,
    new URL('/about', page).href,
    `${page}#part-2`,
    'https://example.org/?a=1&b=2',
    `${page}notes.html?x=1&y=2`,
    new URL('/images/raw.png', page).href,
    new URL('/images/chart.png', page).href,
  ]);
  assert.match(webEntry(rendered).content, /not text like href="x"/);
});
