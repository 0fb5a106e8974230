import { escapeHtml } from '../core/escape.ts';
import type { Diagnostic } from '../core/diagnostic.ts';
import { MODES, type ColourMode } from './dark-mode.ts';
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

const STYLE = `
:root { color-scheme: light; --ink:#1f1f1f; --muted:#6b6560; --line:#e4ded5; --bg:#f6f4ef; --accent:#a3261c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--ink); background: var(--bg); }
header, nav { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 10px 20px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 17px; margin: 0; }
a { color: var(--accent); }
nav a { text-decoration: none; padding: 3px 10px; border-radius: 4px; color: var(--ink); }
nav a[aria-current="true"] { background: var(--ink); color: #fff; }
.group { display: flex; gap: 2px; align-items: center; }
.group span { color: var(--muted); margin-right: 4px; }
main { padding: 20px; }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: var(--line); }
.badge.draft { background: #fff3cd; } .badge.error { background: #f8d7da; } .badge.warning { background: #fff3cd; }
table.issues { border-collapse: collapse; width: 100%; background: #fff; }
table.issues th, table.issues td { text-align: left; padding: 8px 12px; border-bottom: 1px solid var(--line); }
.frames { display: flex; gap: 20px; align-items: flex-start; overflow-x: auto; }
figure { margin: 0; } figcaption { color: var(--muted); font-size: 13px; margin-bottom: 6px; }
iframe { display: block; box-sizing: content-box; border: 1px solid var(--line); background: #fff; height: 80vh; }
iframe.desktop { width: 1024px; } iframe.phone { width: 375px; }
pre { background: #fff; border: 1px solid var(--line); padding: 12px; overflow: auto; white-space: pre-wrap; word-break: break-word; }
ol.source { background: #fff; border: 1px solid var(--line); padding: 12px 12px 12px 56px; font: 13px/1.5 ui-monospace, Menlo, monospace; white-space: pre-wrap; }
ol.source li:target { background: #fff3cd; }
.diagnostics { list-style: none; padding: 0; margin: 0 0 16px; }
.send-test { margin-left: auto; } .send-test input { width: 14em; }
ul.inbox { list-style: none; padding: 0; background: #fff; border: 1px solid var(--line); }
ul.inbox li { padding: 6px 10px; border-bottom: 1px solid var(--line); } ul.inbox li[aria-current="true"] { background: #fff3cd; }
ul.inbox span { color: var(--muted); font-size: 13px; }
table.headers { background: #fff; border-collapse: collapse; width: 100%; font-size: 13px; }
table.headers th, table.headers td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--line); }
table.headers code { white-space: pre-wrap; word-break: break-all; }
.diagnostics li { padding: 6px 10px; background: #fff; border-left: 4px solid var(--line); margin-bottom: 4px; }
.diagnostics li.error { border-color: #c0392b; } .diagnostics li.warning { border-color: #d4a017; }
dl.message { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; background: #fff; padding: 12px; border: 1px solid var(--line); }
dl.message dt { color: var(--muted); }
`;

/** Reloads the part of the page that changed when the server says so; the URL keeps the view and tab. */
const LIVE = (slug: string | null) => `
const source = new EventSource(${JSON.stringify(slug === null ? '/events?index=1' : `/events?slug=${encodeURIComponent(slug)}`)});
async function refresh() {
  const response = await fetch(location.href, { headers: { 'x-preview-refresh': '1' } });
  const next = new DOMParser().parseFromString(await response.text(), 'text/html');
  for (const id of ['top', 'content']) {
    const here = document.getElementById(id), there = next.getElementById(id);
    if (here && there) here.replaceWith(there);
  }
  document.title = next.title;
  document.body.dataset.version = next.body.dataset.version || '';
}
source.addEventListener('change', (event) => {
  const change = JSON.parse(event.data);
  if (${slug === null ? 'true' : `change.slugs.indexOf(${JSON.stringify(slug)}) !== -1`}) refresh();
});
source.addEventListener('inbox', () => {
  if (new URLSearchParams(location.search).get('tab') === 'inbox') refresh();
});
`;

function page(title: string, body: string, slug: string | null, version = 0): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-version="${version}">
${body}
<script type="module">${LIVE(slug)}</script>
</body>
</html>
`;
}

function counts(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

function badges(view: IssueView): string {
  const { errors, warnings } = counts(view.diagnostics);
  return [
    view.status === 'draft' ? '<span class="badge draft">draft</span>' : view.status === 'ready' ? '<span class="badge">ready</span>' : '',
    errors ? `<span class="badge error">${errors} error${errors === 1 ? '' : 's'}</span>` : '',
    warnings ? `<span class="badge warning">${warnings} warning${warnings === 1 ? '' : 's'}</span>` : '',
  ].join(' ');
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** `GET /`: every issue, newest first, with its status, size and problem counts. */
export function indexPage(views: readonly IssueView[], newsletter: string): string {
  const rows = views
    .map((v) => {
      const { errors, warnings } = counts(v.diagnostics);
      const size = v.rendered?.sample ? kb(v.rendered.sample.html.length) : '—';
      return `<tr><td><a href="/issues/${encodeURIComponent(v.slug)}">${escapeHtml(v.title)}</a></td><td>${escapeHtml(v.date ?? '—')}</td><td>${v.status === 'draft' ? '<span class="badge draft">draft</span>' : escapeHtml(v.status ?? '—')}</td><td>${size}</td><td>${errors}</td><td>${warnings}</td></tr>`;
    })
    .join('\n');
  const body = `<header id="top"><h1>${escapeHtml(newsletter)}: preview</h1><span>${views.length} issue${views.length === 1 ? '' : 's'}</span></header>
<main id="content">
<table class="issues">
<thead><tr><th>Title</th><th>Date</th><th>Status</th><th>Size</th><th>Errors</th><th>Warnings</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No issues yet: add a Markdown file to issues/ (or run <code>newsletter new "Title"</code>).</td></tr>'}
</tbody>
</table>
</main>`;
  return page(`${newsletter}: preview`, body, null);
}

/** A link to the issue page in `state`, escaped for an attribute. */
function link(slug: string, state: PageState): string {
  return escapeHtml(`/issues/${encodeURIComponent(slug)}?${query(state)}`);
}

function diagnosticList(view: IssueView, state: PageState): string {
  if (view.diagnostics.length === 0) return '<p>No problems found.</p>';
  const items = view.diagnostics.map((d) => {
    const target =
      d.line <= 0 ? null : d.file === view.file ? `${link(view.slug, { ...state, tab: 'source' })}#L${d.line}` : `/files/${escapeHtml(d.file)}#L${d.line}`;
    const where = `${escapeHtml(d.file)}:${d.line}`;
    return `<li class="${d.severity}">${target ? `<a href="${target}">${where}</a>` : where} <strong>${d.severity}</strong> <code>${escapeHtml(d.rule)}</code> ${escapeHtml(d.message)}</li>`;
  });
  return `<ul class="diagnostics">${items.join('')}</ul>`;
}

function emailTab(view: IssueView, state: PageState): string {
  if (!view.rendered?.sample) return '<p>Nothing to show until the problems above are fixed.</p>';
  const src = `/issues/${encodeURIComponent(view.slug)}/email.html?v=${view.version}&amp;mode=${state.mode}&amp;reader=${state.reader}`;
  const note =
    state.mode === 'media' && view.rendered.html && !/prefers-color-scheme\s*:\s*dark/i.test(view.rendered.html)
      ? '<p>This email has no <code>prefers-color-scheme: dark</code> styles: Apple Mail shows it as designed.</p>'
      : '';
  const current = state.view;
  const frames: string[] = [];
  if (current !== 'phone') frames.push(`<figure><figcaption>Desktop, 1024 px</figcaption><iframe class="desktop" title="The email on a desktop" sandbox="allow-same-origin allow-popups" src="${src}"></iframe></figure>`);
  if (current !== 'desktop') frames.push(`<figure><figcaption>Phone, 375 px</figcaption><iframe class="phone" title="The email on a phone" sandbox="allow-same-origin allow-popups" src="${src}"></iframe></figure>`);
  return `${note}<div class="frames">${frames.join('')}</div>`;
}

function messageTab(view: IssueView, from: string, replyTo: string | null): string {
  const r = view.rendered;
  if (!r) return '<p>Nothing to show until the problems above are fixed.</p>';
  const rows: [string, string][] = [
    ['Subject', r.subject],
    ['Preheader', r.preheader],
    ['From', from],
    ['Reply-To', replyTo ?? '(none)'],
    ['Web page', r.webUrl],
    ['Words', `${r.words} (${r.readingMinutes} min read)`],
    ['HTML size', r.sample ? kb(r.sample.html.length) : '—'],
  ];
  return `<dl class="message">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
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
    `<div class="group"><span>${label}</span>${items
      .map((i) => `<a href="${link(v.slug, i.state)}" aria-current="${i.current}">${escapeHtml(i.text)}</a>`)
      .join('')}</div>`;
  const navs = [
    nav('Width', VIEWS.map((view) => ({ text: view, state: { ...state, view }, current: view === state.view }))),
    nav('Colours', MODES.map(({ mode, label }) => ({ text: label, state: { ...state, mode }, current: mode === state.mode }))),
    nav('Reader', SAMPLE_LABELS.map((text, reader) => ({ text, state: { ...state, reader }, current: reader === state.reader }))),
    nav('Show', TABS.map((tab) => ({ text: tab, state: { ...state, tab }, current: tab === state.tab }))),
  ];
  const email = o.personalised;
  const content: Record<Tab, () => string> = {
    email: () => emailTab(v, state),
    text: () => (email ? `<pre>${escapeHtml(email.text)}</pre>` : ''),
    html: () => (email ? `<pre>${escapeHtml(email.html)}</pre>` : ''),
    mjml: () => (v.rendered?.mjml ? `<pre>${escapeHtml(v.rendered.mjml)}</pre>` : ''),
    message: () => messageTab(v, o.from, o.replyTo) + (o.headers ? `<h2>Headers</h2><pre class="headers">${escapeHtml(o.headers)}</pre>` : ''),
    inbox: () => inboxTab(o.inbox, state),
    source: () => numbered(o.source),
  };
  const sendTest = o.inbox && v.rendered?.recipientTemplate
    ? `<form class="send-test" method="post" action="/issues/${encodeURIComponent(v.slug)}/test?${escapeHtml(query({ ...state, tab: 'inbox' }))}"><label>Send a test to <input type="email" name="to" required value="you@example.com"></label> <button type="submit">Send test</button></form>`
    : '';
  const body = `<header id="top"><a href="/">← All issues</a><h1>${escapeHtml(v.title)}</h1>${badges(v)}${sendTest}</header>
<nav>${navs.join('')}</nav>
<main id="content" data-version="${v.version}">
${diagnosticList(v, state)}
${content[state.tab]()}
</main>`;
  return page(`${v.title}: preview`, body, v.slug, v.version);
}

function inboxTab(inbox: IssuePageOptions['inbox'], state: PageState): string {
  if (!inbox) return '<p>The local inbox is not running (its SMTP port was taken when the preview started).</p>';
  if (inbox.messages.length === 0) return '<p>The local inbox is empty: use "Send test" to deliver this issue to it.</p>';
  const shown = inbox.messages.find((m) => m.id === inbox.selected) ?? inbox.messages[0]!;
  const list = inbox.messages
    .map((m) => `<li${m.id === shown.id ? ' aria-current="true"' : ''}><a href="?${escapeHtml(query({ ...state, tab: 'inbox' }))}&amp;msg=${m.id}">${escapeHtml(m.subject)}</a> <span>to ${escapeHtml(m.envelope.to.join(', '))}, ${escapeHtml(m.receivedAt)}</span></li>`)
    .join('');
  const headers = shown.headers.map((h) => `<tr><th>${escapeHtml(h.key)}</th><td><code>${escapeHtml(h.line)}</code></td></tr>`).join('');
  // Received mail is anyone's HTML, not the author's: its frame gets no scripts and an origin of its own.
  return `<ul class="inbox">${list}</ul>
<h2>${escapeHtml(shown.subject)}</h2>
<table class="headers">${headers}</table>
<h3>HTML</h3><iframe class="desktop" title="The received HTML" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" src="/inbox/${shown.id}/html"></iframe>
<h3>Text</h3><pre>${escapeHtml(shown.text ?? '(none)')}</pre>
<h3>Raw source</h3><pre>${escapeHtml(shown.raw)}</pre>`;
}

function numbered(source: string): string {
  return `<ol class="source">${source.split('\n').map((l, i) => `<li id="L${i + 1}">${escapeHtml(l) || ' '}</li>`).join('')}</ol>`;
}

/** `GET /files/<path>`: a template or the config with numbered lines, where a diagnostic's link lands. */
export function filePage(path: string, source: string): string {
  return page(path, `<header id="top"><a href="/">← All issues</a><h1>${escapeHtml(path)}</h1></header><main id="content">${numbered(source)}</main>`, null);
}

/** An issue that does not exist (any more): says so, and the index link gets the writer back. */
export function notFoundPage(slug: string): string {
  return page('Not found', `<header id="top"><a href="/">← All issues</a><h1>No issue "${escapeHtml(slug)}"</h1></header><main id="content"><p>It may have been renamed or deleted.</p></main>`, slug);
}
