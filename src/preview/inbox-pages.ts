import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ReceivedMessage } from './inbox.ts';
import { checkLinks, PROBLEM_TEXT } from './link-check.ts';
import { assetUrl } from './page-assets.ts';

/** The local inbox's own pages (issue 14): the list at /inbox and one message at /inbox/<id>, as Mailpit shows them. */
export const MESSAGE_TABS = ['html', 'text', 'headers', 'raw', 'links'] as const;
export type MessageTab = (typeof MESSAGE_TABS)[number];

type Html = HtmlEscapedString;

/** Hono's auto-escaping `html` tag, held to the synchronous case (as in pages.ts). */
function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error('An inbox page interpolated a promise');
  return out;
}

/**
 * The document: the preview's stylesheet, the inbox's own, and the live-reload script, which refreshes
 * `#top` and `#content` when `data-inbox` says this page follows the inbox.
 */
function page(title: string, body: Html, kind: 'list' | 'message'): string {
  return String(h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assetUrl('preview.css')}">
<link rel="stylesheet" href="${assetUrl('inbox.css')}">
</head>
<body class="inbox-page" data-inbox="${kind}">
${body}
<script type="module" src="${assetUrl('preview.js')}"></script>
</body>
</html>
`);
}

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** A received time as the writer reads it (UTC, to the second), in a <time> that keeps the exact one. */
function when(iso: string): Html {
  return h`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>`;
}

const NOT_RUNNING = h`<div class="empty"><h2>The local inbox is not running</h2><p>Its SMTP port was taken when the preview started (or it was turned off). Restart <code>newsletter preview</code> with a free port.</p></div>`;

function topBar(title: Html | string, extra: Html | ''): Html {
  return h`<header id="top" class="inbox-top"><nav class="crumbs" aria-label="Preview"><a href="/">All issues</a><a href="/inbox" aria-current="${typeof title === 'string' && title === 'Inbox' ? 'page' : 'false'}">Inbox</a></nav><h1>${title}</h1>${extra}</header>`;
}

/** `GET /inbox`: every received message, newest first. `smtpPort` is null when the inbox is not running. */
export function inboxListPage(messages: readonly ReceivedMessage[] | null, smtpPort: number | null): string {
  if (messages === null) return page('Inbox: preview', h`${topBar('Inbox', '')}<main id="content" class="inbox-main">${NOT_RUNNING}</main>`, 'list');
  const count = h`<span class="count">${messages.length} message${messages.length === 1 ? '' : 's'}</span>`;
  const clear = messages.length
    ? h`<form class="inbox-action" method="post" action="/inbox/delete"><button type="submit" class="danger">Delete all</button></form>`
    : '';
  const rows = messages.map(
    (m) => h`<tr>
<td class="from">${m.from || m.envelope.from || '—'}</td>
<td class="to">${m.to || m.envelope.to.join(', ') || '—'}</td>
<td class="subject"><a href="/inbox/${m.id}">${m.subject || '(no subject)'}</a></td>
<td class="received">${when(m.receivedAt)}</td>
<td class="size">${size(m.size)}</td>
</tr>`,
  );
  const body = messages.length
    ? h`<div class="card"><table class="inbox-list">
<thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Received</th><th scope="col" class="size">Size</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : h`<div class="empty"><h2>No mail yet</h2><p>Open an issue and press <strong>Send test</strong>: the message a real send would make lands here, and nowhere else.</p><p>Or point any sender at this inbox: <code>SMTP_URL=smtp://127.0.0.1:${smtpPort ?? 2525}</code> (no login, no TLS).</p></div>`;
  return page('Inbox: preview', h`${topBar('Inbox', h`${count}${clear}`)}<main id="content" class="inbox-main">${body}</main>`, 'list');
}

/** A header line's value: what follows `Key:`, folded lines joined. */
function headerValue(line: string): string {
  const colon = line.indexOf(':');
  return (colon === -1 ? line : line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** The summary table: From, To, Subject, Date first, then every other header in the order received. */
function headerTable(m: ReceivedMessage): Html {
  const first = ['from', 'to', 'subject', 'date'];
  const label = (key: string, line: string) => {
    const colon = line.indexOf(':');
    return colon > 0 ? line.slice(0, colon) : key;
  };
  const rows: { name: string; value: string }[] = [];
  for (const key of first) {
    const found = m.headers.filter((hd) => hd.key === key);
    for (const hd of found) rows.push({ name: label(key, hd.line), value: headerValue(hd.line) });
  }
  for (const hd of m.headers) if (!first.includes(hd.key)) rows.push({ name: label(hd.key, hd.line), value: headerValue(hd.line) });
  return h`<table class="message-headers">${rows.map((r) => h`<tr><th scope="row">${r.name}</th><td>${r.value}</td></tr>`)}</table>`;
}

function linksTab(m: ReceivedMessage): Html {
  const links = checkLinks(m.html, m.text);
  if (links.length === 0) return h`<p class="note">This message has no links.</p>`;
  const flagged = links.filter((l) => l.problem).length;
  const summary = flagged
    ? h`<p class="note warn">${flagged} of ${links.length} link${links.length === 1 ? '' : 's'} will not work for readers, or should not be sent.</p>`
    : h`<p class="note ok">All ${links.length} link${links.length === 1 ? '' : 's'} look fine: https or mailto, to public hosts.</p>`;
  const rows = links.map(
    (l) => h`<tr class="${l.problem ? 'flagged' : 'fine'}"><td class="verdict">${l.problem ? h`<span class="flag">${l.problem}</span>` : h`<span class="okay">ok</span>`}</td><td class="url"><code>${l.url}</code>${l.problem ? h`<div class="why">${PROBLEM_TEXT[l.problem]}</div>` : ''}</td><td class="part">${l.part}</td></tr>`,
  );
  return h`${summary}<div class="card"><table class="link-check"><thead><tr><th scope="col">Check</th><th scope="col">Link</th><th scope="col">Part</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function tabContent(m: ReceivedMessage, tab: MessageTab): Html {
  switch (tab) {
    case 'html':
      // Received mail is anyone's HTML: its frame runs no script and has an origin of its own.
      return m.html === null
        ? h`<p class="note">This message has no HTML part.</p>`
        : h`<iframe class="received" title="The message's HTML" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" src="/inbox/${m.id}/html"></iframe>`;
    case 'text':
      return m.text === null ? h`<p class="note">This message has no text part.</p>` : h`<pre class="box text-part">${m.text}</pre>`;
    case 'headers':
      return h`<pre class="box raw">${m.headers.map((hd) => `${hd.line}\n`).join('')}</pre>`;
    case 'raw':
      return h`<p class="note"><a href="/inbox/${m.id}/raw">Open the raw source on its own</a></p><pre class="box raw">${m.raw}</pre>`;
    case 'links':
      return linksTab(m);
  }
}

export function messageTab(value: string | undefined): MessageTab {
  return MESSAGE_TABS.includes(value as MessageTab) ? (value as MessageTab) : 'html';
}

/** `GET /inbox/<id>`: the message's headers, and its HTML, text, headers, raw source and link check as tabs. */
export function messagePage(m: ReceivedMessage, tab: MessageTab): string {
  const links = checkLinks(m.html, m.text);
  const flagged = links.filter((l) => l.problem).length;
  const label: Record<MessageTab, Html | string> = {
    html: 'HTML',
    text: 'Text',
    headers: 'Headers',
    raw: 'Raw',
    links: flagged ? h`Links <span class="pill">${flagged}</span>` : 'Links',
  };
  const tabs = MESSAGE_TABS.map((t) => h`<a href="/inbox/${m.id}?tab=${t}" aria-current="${t === tab ? 'page' : 'false'}">${label[t]}</a>`);
  const del = h`<form class="inbox-action" method="post" action="/inbox/${m.id}/delete"><button type="submit" class="danger">Delete</button></form>`;
  const body = h`${topBar(m.subject || '(no subject)', h`<span class="count">${when(m.receivedAt)} · ${size(m.size)}</span>${del}`)}
<main id="content" class="inbox-main">
<div class="card">${headerTable(m)}</div>
<nav class="tabs" aria-label="Message parts">${tabs}</nav>
<section class="tab-panel">${tabContent(m, tab)}</section>
</main>`;
  return page(`${m.subject || '(no subject)'}: inbox`, body, 'message');
}

/** A message that is not (or no longer) in the inbox. */
export function messageNotFoundPage(id: string): string {
  return page('Not found: inbox', h`${topBar('No such message', '')}<main id="content" class="inbox-main"><div class="empty"><p>Message ${id} is not in the inbox: it was deleted, or the preview restarted.</p><p><a href="/inbox">Back to the inbox</a></p></div></main>`, 'message');
}
