/** The local inbox's own pages (issue 14): the list, one message, and deleting, through the real preview server. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createTransport } from 'nodemailer';
import { startPreview, type Preview } from '../../src/preview/server.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

async function preview(t: TestContext): Promise<Preview> {
  const dir = projectFor(t, { 'issues/2026-10-14-live.md': issueText('The text.', 'title: Live Issue\ndate: 2026-10-14\nstatus: ready\npreheader: A live one.') });
  const p = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  t.after(() => p.close());
  return p;
}

/** Delivers one message over real SMTP to the preview's inbox; its id. */
async function deliver(p: Preview, subject: string, html: string, text = 'Hello'): Promise<number> {
  const transport = createTransport({ host: '127.0.0.1', port: p.inbox!.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ from: 'Stranger <stranger@example.net>', to: 'writer@example.org', subject, html, text });
  } finally {
    transport.close();
  }
  return p.inbox!.messages[0]!.id;
}

async function get(p: Preview, path: string): Promise<{ status: number; body: string; csp: string | null }> {
  const response = await fetch(new URL(path, p.url));
  return { status: response.status, body: await response.text(), csp: response.headers.get('content-security-policy') };
}

const post = (p: Preview, path: string, headers: Record<string, string> = {}) => fetch(new URL(path, p.url), { method: 'POST', redirect: 'manual', headers });

test('inbox: an empty inbox says how to get mail there', async (t) => {
  const p = await preview(t);
  const list = await get(p, '/inbox');
  assert.equal(list.status, 200);
  assert.match(list.body, /Send test/);
  assert.match(list.body, new RegExp(`SMTP_URL=smtp://127\\.0\\.0\\.1:${p.inbox!.port}`));
  assert.match(list.csp ?? '', /script-src 'self'/, "the preview's own strict CSP");
  assert.doesNotMatch(list.body, /style="/, 'no inline styles');
});

test('inbox: the list shows every message newest first, escaped; the home and issue pages link to it', async (t) => {
  const p = await preview(t);
  await deliver(p, 'First <b>one</b>', '<p>one</p>');
  const second = await deliver(p, 'Hi <script>alert(1)</script>', '<p>two</p>');
  const list = (await get(p, '/inbox')).body;
  assert.doesNotMatch(list, /<script>alert/, 'the subject is escaped');
  assert.match(list, /Hi &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(list, new RegExp(`<a href="/inbox/${second}">`));
  assert.ok(list.indexOf('Hi &lt;script') < list.indexOf('First &lt;b&gt;'), 'newest first');
  assert.match(list, /<td class="from">&quot;Stranger&quot; &lt;stranger@example\.net&gt;<\/td>/, "from");
  assert.match(list, /writer@example\.org/, 'to');
  assert.match(list, /<time datetime="\d{4}-\d\d-\d\dT[^"]+">/, 'received time');
  assert.match(list, /\d+(\.\d)? (B|KB)</, 'size');
  assert.match((await get(p, '/')).body, /<a class="inbox-link" href="\/inbox">/);
  assert.match((await get(p, '/issues/live')).body, /<a class="inbox-link" href="\/inbox">/);
});

test('inbox: a message page has its headers first, then tabs for HTML, text, headers, raw and links', async (t) => {
  const p = await preview(t);
  const id = await deliver(p, 'Hi <script>alert(1)</script>', '<p><a href="https://example.org/ok">ok</a> <a href="http://localhost:4321/x">local</a> <a href="javascript:alert(2)">js</a></p>', 'See http://192.168.1.2/');
  const page = (await get(p, `/inbox/${id}`)).body;
  assert.doesNotMatch(page, /<script>alert/);
  const table = /<table class="message-headers">(.*?)<\/table>/s.exec(page)?.[1] ?? '';
  const names = [...table.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);
  assert.deepEqual(names.slice(0, 4), ['From', 'To', 'Subject', 'Date']);
  assert.ok(names.includes('Message-ID') && names.includes('Content-Type'), 'then the other headers');
  const frame = /<iframe[^>]*>/.exec(page)?.[0] ?? '';
  assert.match(frame, new RegExp(`src="/inbox/${id}/html"`));
  assert.match(frame, /sandbox="allow-popups allow-popups-to-escape-sandbox"/, 'no scripts, an origin of its own');
  for (const tab of ['html', 'text', 'headers', 'raw', 'links']) assert.match(page, new RegExp(`href="/inbox/${id}\\?tab=${tab}"`));
  assert.match((await get(p, `/inbox/${id}?tab=text`)).body, /See http:\/\/192\.168\.1\.2\//);
  assert.match((await get(p, `/inbox/${id}?tab=headers`)).body, /^Subject: Hi &lt;script&gt;/m);
  assert.match((await get(p, `/inbox/${id}?tab=raw`)).body, /^MIME-Version: 1\.0/m);
  const links = (await get(p, `/inbox/${id}?tab=links`)).body;
  assert.match(links, /3 of 4 links/);
  for (const [url, verdict] of [['https://example.org/ok', 'ok'], ['http://localhost:4321/x', 'local'], ['javascript:alert(2)', 'unsafe'], ['http://192.168.1.2/', 'private']] as const) {
    assert.match(links, new RegExp(`<span class="(?:flag|okay)">${verdict}</span></td><td class="url"><code>${url.replace(/[.()?/]/g, '\\$&')}</code>`), url);
  }
  assert.equal((await get(p, '/inbox/999')).status, 404);
});

test('inbox: delete one and delete all are POSTs answering 303 to the list; a GET changes nothing', async (t) => {
  const p = await preview(t);
  const first = await deliver(p, 'One', '<p>1</p>');
  const second = await deliver(p, 'Two', '<p>2</p>');
  const third = await deliver(p, 'Three', '<p>3</p>');
  for (const path of [`/inbox/${second}/delete`, '/inbox/delete']) assert.equal((await get(p, path)).status, 404, `GET ${path}`);
  assert.equal(p.inbox!.messages.length, 3, 'a GET deleted nothing');
  assert.equal((await post(p, `/inbox/${second}/delete`, { origin: 'https://evil.example' })).status, 403, 'another site cannot delete');
  assert.equal((await post(p, '/inbox/delete', { 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.equal(p.inbox!.messages.length, 3);
  const one = await post(p, `/inbox/${second}/delete`);
  assert.equal(one.status, 303);
  assert.equal(one.headers.get('location'), '/inbox');
  assert.deepEqual(p.inbox!.messages.map((m) => m.id), [third, first]);
  assert.equal((await get(p, `/inbox/${second}`)).status, 404);
  const all = await post(p, '/inbox/delete');
  assert.equal(all.status, 303);
  assert.equal(all.headers.get('location'), '/inbox');
  assert.equal(p.inbox!.messages.length, 0);
  assert.match((await get(p, '/inbox')).body, /No mail yet/);
  assert.ok((await deliver(p, 'Four', '<p>4</p>')) > third, 'ids keep counting: an old link never shows a newer message');
});

test("inbox: the received HTML loads the issue's own images from the preview, under the received-mail CSP", async (t) => {
  const dir = projectFor(t, {
    'issues/2026-10-14-pictures.md': issueText('![A chart](images/chart.png)\n\nText.', 'title: Pictures\ndate: 2026-10-14\nstatus: ready'),
    'issues/images/chart.png': 'png',
  });
  const p = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  t.after(() => p.close());
  const sent = await post(p, '/issues/pictures/test');
  assert.equal(sent.status, 400, 'no address given');
  const response = await fetch(new URL('/issues/pictures/test', p.url), { method: 'POST', body: new URLSearchParams({ to: 'w@example.net' }), redirect: 'manual' });
  const id = p.inbox!.messages[0]!.id;
  assert.equal(response.headers.get('location'), `/inbox/${id}`);
  assert.match(p.inbox!.messages[0]!.html ?? '', /src="https:\/\/dissentdesk\.example\.org\/pictures\/chart\.png"/, 'the mail itself keeps the published URL');
  const html = await get(p, `/inbox/${id}/html`);
  assert.match(html.body, /src="\/issues\/pictures\/assets\/chart\.png"/);
  assert.match(html.csp ?? '', /img-src http: https: data: cid:/);
  assert.match(html.csp ?? '', /script-src 'none'/);
  assert.equal((await get(p, '/issues/pictures/assets/chart.png')).status, 200);
});

test('inbox: when the inbox is not running, its pages say so and deleting changes nothing', async (t) => {
  const dir = projectFor(t, {});
  const p = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: null });
  t.after(() => p.close());
  const list = await get(p, '/inbox');
  assert.equal(list.status, 200);
  assert.match(list.body, /The local inbox is not running/);
  assert.equal((await get(p, '/inbox/1')).status, 404);
  assert.equal((await post(p, '/inbox/delete')).status, 303);
});
