import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Diagnostic } from '../core/diagnostic.ts';
import { MODES, type ColourMode } from './dark-mode.ts';
import { highlighted, highlightedSourceLines } from './highlight-cache.ts';
import { assetUrl } from './page-assets.ts';
import { SAMPLE_LABELS } from './sample-subscribers.ts';
import type { ReceivedMessage } from './inbox.ts';
import type { IssueView } from './workspace.ts';

/** What the issue page shows; it lives in the URL (`?view=…&tab=…`) so a reload keeps the place. */
export const VIEWS = ['both', 'desktop', 'phone'] as const;
export const TABS = ['email', 'text', 'html', 'mjml', 'message', 'source', 'inbox'] as const;
export type View = (typeof VIEWS)[number];
export type Tab = (typeof TABS)[number];

/** Everything the issue page's URL holds. */
export interface PageState {
  view: View;
  tab: Tab;
  mode: ColourMode;
  /** Index into the sample subscribers. */
  reader: number;
}

/** Reads the page state from query parameters, falling back to the defaults for anything missing or unknown. */
export function pageState(query: (name: string) => string | undefined): PageState {
  const pick = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
    allowed.includes(value as T) ? (value as T) : fallback;
  const reader = Number(query('reader') ?? 0);
  return {
    view: pick(query('view'), VIEWS, 'both'),
    tab: pick(query('tab'), TABS, 'email'),
    mode: pick(query('mode'), MODES.map((m) => m.mode), 'light'),
    reader: Number.isInteger(reader) && reader >= 0 && reader < SAMPLE_LABELS.length ? reader : 0,
  };
}

function query(state: PageState): string {
  return `view=${state.view}&tab=${state.tab}&mode=${state.mode}&reader=${state.reader}`;
}

type Html = HtmlEscapedString;

/**
 * Hono's `html` tag: every interpolated value is escaped unless it is itself markup made by the tag (or `raw`).
 * Held to the synchronous case, since these pages never interpolate a promise.
 */
function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error('A preview page interpolated a promise');
  return out;
}

/** The whole document; the stylesheet and the live-reload script are files (src/preview/assets/). */
function page(title: string, body: Html, slug: string | null, version = 0): string {
  return String(h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assetUrl('preview.css')}">
<link rel="stylesheet" href="${assetUrl('highlight.css')}">
<link rel="stylesheet" href="${assetUrl('desk.css')}">
</head>
<body data-version="${version}"${slug === null ? '' : h` data-slug="${slug}"`}>
${body}
<script type="module" src="${assetUrl('preview.js')}"></script>
</body>
</html>
`);
}

function counts(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

function badges(view: IssueView): Html {
  const { errors, warnings } = counts(view.diagnostics);
  return h`${view.status === 'draft' ? h`<span class="badge draft">draft</span>` : view.status === 'ready' ? h`<span class="badge">ready</span>` : ''} ${
    errors ? h`<span class="badge error">${errors} error${errors === 1 ? '' : 's'}</span>` : ''
  } ${warnings ? h`<span class="badge warning">${warnings} warning${warnings === 1 ? '' : 's'}</span>` : ''}`;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** `GET /`: every issue, newest first, with its status, size and problem counts. */
export function indexPage(views: readonly IssueView[], newsletter: string, desk: Html | null = null): string {
  const rows = views.map((v, i) => {
    const { errors, warnings } = counts(v.diagnostics);
    const size = v.rendered?.sample ? kb(v.rendered.sample.html.length) : '—';
    const status = v.status === 'draft' ? h`<span class="badge draft">draft</span>` : (v.status ?? '—');
    return h`${i === 0 ? '' : '\n'}<tr><td><a href="/issues/${encodeURIComponent(v.slug)}">${v.title}</a></td><td>${v.date ?? '—'}</td><td>${status}</td><td>${size}</td><td>${errors}</td><td>${warnings}</td></tr>`;
  });
  const body = h`<header id="top"><h1>${newsletter}: preview</h1><span>${views.length} issue${views.length === 1 ? '' : 's'}</span>${inboxLink}</header>
<main id="content">
<table class="issues">
<thead><tr><th>Title</th><th>Date</th><th>Status</th><th>Size</th><th>Errors</th><th>Warnings</th></tr></thead>
<tbody>
${rows.length ? rows : h`<tr><td colspan="6">No issues yet: add a Markdown file to issues/ (or run <code>newsletter new "Title"</code>).</td></tr>`}
</tbody>
</table>
${desk ?? ''}
</main>`;
  return page(`${newsletter}: preview`, body, null);
}

/** A link to the issue page in `state`, as text: the template escapes it where it lands. */
function link(slug: string, state: PageState): string {
  return `/issues/${encodeURIComponent(slug)}?${query(state)}`;
}

function diagnosticList(view: IssueView, state: PageState): Html {
  if (view.diagnostics.length === 0) return h`<p>No problems found.</p>`;
  const items = view.diagnostics.map((d) => {
    const target = d.line <= 0 ? null : d.file === view.file ? `${link(view.slug, { ...state, tab: 'source' })}#L${d.line}` : `/files/${d.file}#L${d.line}`;
    const where = `${d.file}:${d.line}`;
    return h`<li class="${d.severity}">${target ? h`<a href="${target}">${where}</a>` : where} <strong>${d.severity}</strong> <code>${d.rule}</code> ${d.message}</li>`;
  });
  return h`<ul class="diagnostics">${items}</ul>`;
}

function emailTab(view: IssueView, state: PageState): Html {
  if (!view.rendered?.sample) return h`<p>Nothing to show until the problems above are fixed.</p>`;
  const src = `/issues/${encodeURIComponent(view.slug)}/email.html?v=${view.version}&mode=${state.mode}&reader=${state.reader}`;
  const note =
    state.mode === 'media' && view.rendered.html && !/prefers-color-scheme\s*:\s*dark/i.test(view.rendered.html)
      ? h`<p>This email has no <code>prefers-color-scheme: dark</code> styles: Apple Mail shows it as designed.</p>`
      : '';
  const current = state.view;
  const frames: Html[] = [];
  if (current !== 'phone') frames.push(h`<figure class="desktop"><figcaption>Desktop, <span class="frame-width">up to 1024</span> px wide</figcaption><iframe class="desktop" title="The email on a desktop" sandbox="allow-same-origin allow-popups" src="${src}"></iframe></figure>`);
  if (current !== 'desktop') frames.push(h`<figure class="phone"><figcaption>Phone, <span class="frame-width">375</span> px wide</figcaption><iframe class="phone" title="The email on a phone" sandbox="allow-same-origin allow-popups" src="${src}"></iframe></figure>`);
  return h`${note}<div class="frames">${frames}</div>`;
}

function messageTab(view: IssueView, from: string, replyTo: string | null): Html {
  const r = view.rendered;
  if (!r) return h`<p>Nothing to show until the problems above are fixed.</p>`;
  const rows: [string, string][] = [
    ['Subject', r.subject],
    ['Preheader', r.preheader],
    ['From', from],
    ['Reply-To', replyTo ?? '(none)'],
    ['Web page', r.webUrl],
    ['Words', `${r.words} (${r.readingMinutes} min read)`],
    ['HTML size', r.sample ? kb(r.sample.html.length) : '—'],
  ];
  return h`<dl class="message">${rows.map(([k, v]) => h`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

export interface IssuePageOptions {
  state: PageState;
  /** The local inbox's messages, newest first (null when it is not running), and the one to show. */
  inbox: { messages: readonly ReceivedMessage[]; selected: number | null } | null;
  source: string;
  from: string;
  replyTo: string | null;
  /** The email personalised for the chosen sample subscriber. */
  personalised: { html: string; text: string } | null;
  /** The message's header block as a send builds it, on the message tab. */
  headers: string | null;
}

/** `GET /issues/<slug>`: the email in frames, its text, sources and message data, and every diagnostic. */
export function issuePage(v: IssueView, o: IssuePageOptions): string {
  const { state } = o;
  const nav = (label: string, items: readonly { text: string; state: PageState; current: boolean }[]) =>
    h`<div class="group"><span>${label}</span>${items.map((i) => h`<a href="${link(v.slug, i.state)}" aria-current="${String(i.current)}">${i.text}</a>`)}</div>`;
  const navs = [
    nav('Width', VIEWS.map((view) => ({ text: view, state: { ...state, view }, current: view === state.view }))),
    nav('Colours', MODES.map(({ mode, label }) => ({ text: label, state: { ...state, mode }, current: mode === state.mode }))),
    nav('Reader', SAMPLE_LABELS.map((text, reader) => ({ text, state: { ...state, reader }, current: reader === state.reader }))),
    nav('Show', TABS.map((tab) => ({ text: tab, state: { ...state, tab }, current: tab === state.tab }))),
  ];
  const email = o.personalised;
  const content: Record<Tab, () => Html | ''> = {
    email: () => emailTab(v, state),
    text: () => (email ? codeBlock('text part', 'plaintext', email.text) : ''),
    html: () => (email ? codeBlock('HTML', 'xml', email.html) : ''),
    mjml: () => (v.rendered?.mjml ? codeBlock('MJML', 'xml', v.rendered.mjml) : ''),
    message: () => h`${messageTab(v, o.from, o.replyTo)}${o.headers ? h`<h2>Headers</h2><pre class="headers">${o.headers}</pre>` : ''}`,
    inbox: () => inboxTab(o.inbox, state),
    source: () => highlightedSource(o.source),
  };
  const sendTest =
    o.inbox && v.rendered?.recipientTemplate
      ? h`<form class="send-test" method="post" action="/issues/${encodeURIComponent(v.slug)}/test?${query({ ...state, tab: 'inbox' })}"><label>Send a test to <input type="email" name="to" required value="you@example.com"></label> <button type="submit">Send test</button></form>`
      : '';
  const body = h`<header id="top"><a href="/">← All issues</a>${inboxLink}<h1>${v.title}</h1>${badges(v)}${sendTest}</header>
<nav>${navs}</nav>
<main id="content" data-version="${v.version}">
${diagnosticList(v, state)}
${content[state.tab]()}
</main>`;
  return page(`${v.title}: preview`, body, v.slug, v.version);
}

/** The local inbox's own pages (inbox-pages.ts), linked from the index's and the issue page's headers. */
const inboxLink = h`<a class="inbox-link" href="/inbox">Inbox</a>`;

function inboxTab(inbox: IssuePageOptions['inbox'], state: PageState): Html {
  if (!inbox) return h`<p>The local inbox is not running (its SMTP port was taken when the preview started).</p>`;
  if (inbox.messages.length === 0) return h`<p>The local inbox is empty: use "Send test" to deliver this issue to it. Received mail is listed in the <a href="/inbox">inbox</a>.</p>`;
  const shown = inbox.messages.find((m) => m.id === inbox.selected) ?? inbox.messages[0]!;
  const list = inbox.messages.map((m) => {
    // Built as text: an `&` written in the template itself would not be escaped.
    const href = `?${query({ ...state, tab: 'inbox' })}&msg=${m.id}`;
    return h`<li${m.id === shown.id ? h` aria-current="true"` : ''}><a href="${href}">${m.subject}</a> <span>to ${m.envelope.to.join(', ')}, ${m.receivedAt}</span></li>`;
  });
  const headers = shown.headers.map((hd) => h`<tr><th>${hd.key}</th><td><code>${hd.line}</code></td></tr>`);
  // Received mail is anyone's HTML, not the author's: its frame gets no scripts and an origin of its own.
  return h`<p><a href="/inbox/${shown.id}">Open this message in the inbox</a> (headers, link check, raw source) · <a href="/inbox">All received mail</a></p>
<ul class="inbox">${list}</ul>
<h2>${shown.subject}</h2>
<table class="headers">${headers}</table>
<h3>HTML</h3><iframe class="desktop" title="The received HTML" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" src="/inbox/${shown.id}/html"></iframe>
<h3>Text</h3><pre>${shown.text ?? '(none)'}</pre>
<h3>Raw source</h3><pre>${shown.raw}</pre>`;
}

// ---- Highlighted code with a Copy button (the text, HTML, MJML and source tabs) ----

/**
 * highlight.js's output is markup it made from the code, every character of which it escaped: the one place
 * where the pages take a string as HTML without escaping it again.
 */
function trustedHighlight(markup: string): Html {
  return raw(markup) as Html;
}

/** The bar above a code block: what it is and a Copy button (preview.js copies the block's text, not its markup). */
function copyBar(what: string): Html {
  return h`<div class="code-bar"><span>${what}</span><button type="button" class="copy" aria-label="Copy the ${what}">Copy</button><span class="copy-status" role="status" aria-live="polite"></span></div>`;
}

function codeBlock(what: string, language: 'plaintext' | 'xml', code: string): Html {
  return h`<div class="code">${copyBar(what)}<pre>${trustedHighlight(highlighted(code, language))}</pre></div>`;
}

/** The issue's Markdown, highlighted, one `<li id="L<n>">` per line where a diagnostic's link lands. */
function highlightedSource(source: string): Html {
  const lines = highlightedSourceLines(source).map((l, i) => h`<li id="L${i + 1}">${trustedHighlight(l)}</li>`);
  return h`<div class="code">${copyBar('Markdown source')}<ol class="source">${lines}</ol></div>`;
}

// ---- end of highlighted code ----

function numbered(source: string): Html {
  return h`<ol class="source">${source.split('\n').map((l, i) => h`<li id="L${i + 1}">${l || ' '}</li>`)}</ol>`;
}

/** `GET /files/<path>`: a template or the config with numbered lines, where a diagnostic's link lands. */
export function filePage(path: string, source: string): string {
  return page(path, h`<header id="top"><a href="/">← All issues</a><h1>${path}</h1></header><main id="content">${numbered(source)}</main>`, null);
}

/** An issue that does not exist (any more): says so, and the index link gets the writer back. */
export function notFoundPage(slug: string): string {
  return page('Not found', h`<header id="top"><a href="/">← All issues</a><h1>No issue "${slug}"</h1></header><main id="content"><p>It may have been renamed or deleted.</p></main>`, slug);
}
