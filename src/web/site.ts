import type { Config } from '../config/schema.ts';
import { escapeHtml } from '../core/escape.ts';
import { absoluteUrls } from './absolute-urls.ts';
import { underUrlPath, urlPath } from './url-path.ts';
import { formatDate } from '../render/layout-context.ts';
import { decodeDefault, type Placeholders } from '../render/merge-tags.ts';
import type { RenderedIssue } from '../render/render-issue.ts';
import type { TemplateSet } from '../render/templates.ts';

/**
 * What the archive, the feed and the sitemap need of one published issue. Kept as `dist/<slug>/web.json`, with the
 * content apart in `web-content.html`: the index needs every issue's metadata, the feed only the latest contents.
 */
export interface WebEntry {
  slug: string;
  title: string;
  date: string;
  preheader: string;
  readingMinutes: number;
  url: string;
  /** False: the page exists, but the archive index, feed and sitemap leave it out. */
  archive: boolean;
  author: string;
  /** The body as HTML, with subscriber fields rendered neutrally. */
  content: string;
}

export type WebEntryMeta = Omit<WebEntry, 'content'>;

/** Issues shown in one page of the archive index. */
export const PAGE_SIZE = 50;

/** Issues in the feed, newest first: feed readers need the recent ones, and a feed of every issue grows without end. */
export const FEED_SIZE = 50;

/**
 * The web page has no subscriber: a name with a default shows the default ("Dear friend,"), other names and addresses
 * are left out (with the punctuation that led to them, so "Thanks for reading, {{subscriber.name}}." reads "Thanks
 * for reading.") and unsubscribe links become plain text.
 */
export function neutralise(html: string, ph: Placeholders): string {
  const unsubscribe = new RegExp(`<a\\b[^>]*\\bhref="${ph.unsubscribe}"[^>]*>([\\s\\S]*?)</a>`, 'g');
  let out = html.replace(unsubscribe, '$1');
  out = out.replace(new RegExp(`${ph.prefix}named([0-9a-f]+)z`, 'g'), (_, hex: string) => escapeHtml(decodeDefault(hex)));
  for (const field of [ph.name, ph.email]) {
    out = dropBeforePunctuation(out, field).replace(new RegExp(`${field},?[ \\t]?`, 'g'), '');
  }
  return out.replaceAll(ph.unsubscribe, '');
}

/**
 * Removes `field` where punctuation follows it, with the spaces and tabs and the one comma before it: what
 * `/,?[ \t]*field(?=[.!?;:])/g` removes, but linear: that pattern rescans a long run of spaces from each of its
 * characters (issue 12, finding 8: 20,000 spaces in a code block took seconds, 200,000 minutes).
 */
function dropBeforePunctuation(html: string, field: string): string {
  let out = '';
  let from = 0;
  for (let at = html.indexOf(field); at !== -1; at = html.indexOf(field, at + field.length)) {
    if (!/[.!?;:]/.test(html[at + field.length] ?? '')) continue;
    let start = at;
    while (start > from && (html[start - 1] === ' ' || html[start - 1] === '\t')) start--;
    if (start > from && html[start - 1] === ',') start--;
    out += html.slice(from, start);
    from = at + field.length;
  }
  return out + html.slice(from);
}

export function webEntry(rendered: RenderedIssue): WebEntry {
  const { issue } = rendered;
  return {
    slug: issue.slug,
    title: issue.title,
    date: issue.date,
    preheader: rendered.preheader,
    readingMinutes: rendered.readingMinutes,
    url: rendered.webUrl,
    archive: issue.archive,
    author: issue.author,
    content: absoluteUrls(neutralise(rendered.webBody, rendered.placeholders), rendered.webUrl),
  };
}

/** `path` is `url`'s path (`''` or `/news`): the archive's links between its own pages are root-relative (url-path.ts). */
function newsletterContext(config: Config) {
  return { name: config.name, description: config.description, url: config.url, path: urlPath(config.url), address: config.address, language: config.language };
}

/** `dist/web/<slug>/index.html`: the issue as a web page, from `templates/web/issue.hbs`. */
export function issuePage(rendered: RenderedIssue, entry: WebEntry, config: Config, templates: TemplateSet): string {
  const { issue } = rendered;
  return templates.renderWeb('issue', {
    newsletter: newsletterContext(config),
    // The page the sign-up form is on, which it posts as consent on record (issue 16).
    signup: { page: entry.url },
    theme: config.theme,
    issue: {
      title: issue.title,
      subtitle: issue.subtitle,
      preheader: entry.preheader,
      author: issue.author,
      date: issue.date,
      date_display: formatDate(issue.date, config.language),
      reading_time: `${entry.readingMinutes} min read`,
      image: issue.image,
      url: entry.url,
      body: entry.content,
    },
    author: { name: issue.author, bio: issue.author === config.author.name ? config.author.bio : null },
  });
}

/** Newest first; only what the archive lists. */
export function listed<T extends WebEntryMeta>(entries: readonly T[]): T[] {
  return entries.filter((e) => e.archive).sort((a, b) => b.date.localeCompare(a.date) || a.slug.localeCompare(b.slug));
}

/** The archive index: `index.html`, then `page/2/index.html` and on past every 50 issues. */
export function archivePages(entries: readonly WebEntryMeta[], config: Config, templates: TemplateSet): Record<string, string> {
  const all = listed(entries);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const pageUrl = (n: number) => (n === 1 ? `${config.url}/` : `${config.url}/page/${n}/`);
  const out: Record<string, string> = {};
  for (let n = 1; n <= pages; n++) {
    const slice = all.slice((n - 1) * PAGE_SIZE, n * PAGE_SIZE);
    out[n === 1 ? 'index.html' : `page/${n}/index.html`] = templates.renderWeb('archive', {
      newsletter: newsletterContext(config),
      signup: { page: pageUrl(n) },
      theme: config.theme,
      page: {
        number: n,
        url: pageUrl(n),
        previous: n > 1 ? underUrlPath(pageUrl(n - 1), config.url) : null,
        next: n < pages ? underUrlPath(pageUrl(n + 1), config.url) : null,
      },
      entries: slice.map((e) => ({
        title: e.title,
        url: e.url,
        path: underUrlPath(e.url, config.url),
        date: e.date,
        date_display: formatDate(e.date, config.language),
        reading_time: `${e.readingMinutes} min read`,
        preheader: e.preheader,
      })),
    });
  }
  return out;
}

/**
 * Characters XML 1.0 forbids even as references (C0 controls but TAB, LF and CR; U+FFFE, U+FFFF; lone surrogates):
 * one-line fields refuse them, but an issue's body may hold one (a form feed pasted from a PDF), and a single one
 * makes the whole feed unreadable to every feed reader. They are dropped.
 */
// eslint-disable-next-line no-control-regex -- these control characters are what is removed
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\p{Cs}]/gu;

const xml = (text: string) => escapeHtml(text.replace(NOT_XML, ''));

/** `feed.xml`: Atom (RFC 4287) with the full content of the latest listed issues. */
export function atomFeed(entries: readonly WebEntry[], config: Config): string {
  const all = listed(entries).slice(0, FEED_SIZE);
  const updated = `${all[0]?.date ?? '1970-01-01'}T00:00:00Z`;
  const items = all.map(
    (e) => `  <entry>
    <title>${xml(e.title)}</title>
    <link rel="alternate" type="text/html" href="${xml(e.url)}"/>
    <id>${xml(e.url)}</id>
    <published>${e.date}T00:00:00Z</published>
    <updated>${e.date}T00:00:00Z</updated>
    <author><name>${xml(e.author)}</name></author>
    <summary>${xml(e.preheader)}</summary>
    <content type="html">${xml(e.content)}</content>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xml(config.language)}">
  <title>${xml(config.name)}</title>
${config.description ? `  <subtitle>${xml(config.description)}</subtitle>\n` : ''}  <link rel="self" type="application/atom+xml" href="${xml(config.url)}/feed.xml"/>
  <link rel="alternate" type="text/html" href="${xml(config.url)}/"/>
  <id>${xml(config.url)}/</id>
  <updated>${updated}</updated>
  <author><name>${xml(config.author.name)}</name></author>
${items.join('\n')}
</feed>
`;
}

/** `sitemap.xml`: the archive and every listed issue. */
export function sitemap(entries: readonly WebEntryMeta[], config: Config): string {
  const urls = [`${config.url}/`, ...listed(entries).map((e) => e.url)];
  return `<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((u) => `  <url><loc>${xml(u)}</loc></url>`).join('\n')}
</urlset>
`;
}
