/** The preview server (issue 4): its routes, live updates over server-sent events, and recovery from errors. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { startPreview, type Preview } from '../../src/preview/server.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

const ISSUE = 'issues/2026-10-14-live.md';
const SECOND = 'issues/2026-11-01-second.md';

async function preview(t: TestContext): Promise<{ dir: string; p: Preview }> {
  const dir = projectFor(t, {
    [ISSUE]: issueText('First version of the text.', 'title: Live Issue\ndate: 2026-10-14\nstatus: ready\npreheader: A live one.'),
    [SECOND]: issueText('Another.', 'title: Second Issue\ndate: 2026-11-01\npreheader: The second.'),
  });
  const p = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  t.after(() => p.close());
  return { dir, p };
}

/** Listens on /events: `ready` once the server has the subscription, `change` on the first change naming `slug`. */
function subscribe(p: Preview, slug: string, query: string): { ready: Promise<void>; change: Promise<{ slugs: string[] }> } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  let ready!: () => void;
  const readyNow = new Promise<void>((resolve) => (ready = resolve));
  const change = (async () => {
    const response = await fetch(`${p.url}events?${query}`, { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(event)?.[1];
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (name === 'ready') ready();
        if (name === 'change' && data) {
          const found = JSON.parse(data) as { slugs: string[] };
          if (found.slugs.includes(slug)) return found;
        }
      }
    }
  })().finally(() => {
    clearTimeout(timer);
    controller.abort();
  });
  // A failure before `ready` must not leave the caller waiting for it.
  change.catch(() => ready());
  return { ready: readyNow, change };
}

/** Subscribes, waits until the server has the subscription, then runs `edit`; resolves with the change event. */
async function afterEdit(p: Preview, slug: string, edit: () => void, query = `slug=${slug}`): Promise<{ slugs: string[] }> {
  const { ready, change } = subscribe(p, slug, query);
  await ready;
  edit();
  return change;
}

async function get(p: Preview, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(new URL(path, p.url));
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

test('preview: listens on 127.0.0.1 unless told otherwise', async (t) => {
  const { p } = await preview(t);
  assert.match(p.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('preview: GET / lists every issue newest first, with status, size and problem counts', async (t) => {
  const { p } = await preview(t);
  const index = await get(p, '/');
  assert.equal(index.status, 200);
  assert.match(index.type ?? '', /^text\/html/);
  const second = index.body.indexOf('Second Issue');
  const live = index.body.indexOf('Live Issue');
  assert.ok(second !== -1 && live !== -1 && second < live, 'newest first');
  assert.match(index.body, /href="\/issues\/live"/);
  assert.match(index.body, /badge draft/, 'the draft is marked');
  assert.match(index.body, /\d+\.\d KB/);
});

test('preview: GET /issues/<slug> shows the email in desktop and phone frames, and the view lives in the URL', async (t) => {
  const { p } = await preview(t);
  const page = await get(p, '/issues/live');
  assert.equal(page.status, 200);
  assert.match(page.body, /<iframe class="desktop"[^>]*src="\/issues\/live\/email\.html\?v=\d+&amp;mode=light&amp;reader=0"/);
  assert.match(page.body, /<iframe class="phone"/);
  const phone = await get(p, '/issues/live?view=phone&tab=email');
  assert.doesNotMatch(phone.body, /<iframe class="desktop"/);
  assert.match(phone.body, /<iframe class="phone"/);
  const text = await get(p, '/issues/live?view=phone&tab=text');
  assert.match(text.body, /<pre>[^<]*First version of the text\./);
  assert.match(text.body, /href="\/issues\/live\?view=phone&amp;tab=mjml&amp;mode=light&amp;reader=0"/, 'links keep the rest of the state');
  const message = await get(p, '/issues/live?tab=message');
  assert.match(message.body, /<dt>Subject<\/dt><dd>Live Issue<\/dd>/);
  assert.match(message.body, /<dt>Preheader<\/dt><dd>A live one\.<\/dd>/);
  assert.match(message.body, /^List-Unsubscribe: &lt;https:\/\/dissentdesk\.example\.org\/unsubscribe\/sample-0&gt;$/m, 'the headers a send builds');
  assert.match(message.body, /^Subject: Live Issue$/m);
  const bogus = await get(p, '/issues/live?view=%3Cscript%3E&tab=nope');
  assert.equal(bogus.status, 200);
  assert.doesNotMatch(bogus.body, /<script>/);
});

test('preview: the raw email routes serve the current HTML and text; unknown issues are 404', async (t) => {
  const { p } = await preview(t);
  const html = await get(p, '/issues/live/email.html');
  assert.equal(html.status, 200);
  assert.equal(html.type, 'text/html; charset=utf-8');
  assert.match(html.body, /^<!doctype html>/i);
  assert.match(html.body, /First version of the text\./);
  const text = await get(p, '/issues/live/email.txt');
  assert.equal(text.type, 'text/plain; charset=utf-8');
  assert.match(text.body, /First version of the text\./);
  assert.doesNotMatch(text.body, /<[a-z]/);
  assert.equal((await get(p, '/issues/nope')).status, 404);
  assert.equal((await get(p, '/issues/nope/email.html')).status, 404);
});

test('preview: saving an issue sends an event and the routes serve the new email', async (t) => {
  const { dir, p } = await preview(t);
  const file = join(dir, ISSUE);
  const change = await afterEdit(p, 'live', () => writeFileSync(file, readFileSync(file, 'utf8').replace('First version', 'Second version')));
  assert.ok(change.slugs.includes('live'));
  assert.match((await get(p, '/issues/live/email.html')).body, /Second version of the text\./);
  assert.match((await get(p, '/issues/live')).body, /\?v=[1-9]\d*&amp;/, 'the frames ask for the new version');
});

test('preview: a broken issue shows its error with file and line, keeps serving, and recovers when fixed', async (t) => {
  const { dir, p } = await preview(t);
  const file = join(dir, ISSUE);
  const good = readFileSync(file, 'utf8');
  await afterEdit(p, 'live', () => writeFileSync(file, good.replace('title: Live Issue', 'titel: Live Issue')));
  const page = await get(p, '/issues/live');
  assert.equal(page.status, 200);
  assert.match(page.body, /issues\/2026-10-14-live\.md:2<\/a> <strong>error<\/strong>/);
  assert.equal((await get(p, '/issues/live/email.html')).status, 422);
  assert.equal((await get(p, '/')).status, 200, 'the index still serves');
  await afterEdit(p, 'live', () => writeFileSync(file, good));
  assert.match((await get(p, '/issues/live/email.html')).body, /First version of the text\./);
});

test('preview: a template change re-renders the issues, and a broken template is shown until it is fixed', async (t) => {
  const { dir, p } = await preview(t);
  const footer = join(dir, 'templates/partials/footer.mjml.hbs');
  const good = readFileSync(footer, 'utf8');
  await afterEdit(p, 'live', () => writeFileSync(footer, good.replace('View in browser', 'Read it online')));
  assert.match((await get(p, '/issues/live/email.html')).body, /Read it online/);
  await afterEdit(p, 'live', () => writeFileSync(footer, good.replace('<mj-column>', '<mj-colum>')));
  const page = await get(p, '/issues/live');
  const linked = /<a href="(\/files\/templates\/partials\/footer\.mjml\.hbs#L(\d+))">templates\/partials\/footer\.mjml\.hbs:\d+<\/a> <strong>error<\/strong>/.exec(page.body);
  assert.ok(linked, 'the template diagnostic links to its line');
  const file = await get(p, linked[1]!.split('#')[0]!);
  assert.equal(file.status, 200);
  assert.match(file.body, new RegExp(`<li id="L${linked[2]}">[^<]*&lt;mj-colum&gt;`), 'the line it names holds the mistake');
  assert.equal((await get(p, '/files/..%2F..%2Fetc%2Fpasswd')).status, 404, 'only known files are shown');
  assert.equal((await get(p, '/files/package.json')).status, 404);
  await afterEdit(p, 'live', () => writeFileSync(footer, good));
  assert.match((await get(p, '/issues/live/email.html')).body, /View in browser/);
});

test('preview: a new issue appears in the index without a restart', async (t) => {
  const { dir, p } = await preview(t);
  await afterEdit(
    p,
    'brand-new',
    () => writeFileSync(join(dir, 'issues/2026-12-01-brand-new.md'), issueText('New.', 'title: Brand New\ndate: 2026-12-01')),
    'index=1',
  );
  assert.match((await get(p, '/')).body, /Brand New/);
  assert.equal((await get(p, '/issues/brand-new')).status, 200);
});

test('preview: the frames can show the email in both dark modes and for each sample subscriber', async (t) => {
  const { p } = await preview(t);
  const light = await get(p, '/issues/live/email.html');
  const inverted = await get(p, '/issues/live/email.html?mode=invert');
  assert.doesNotMatch(light.body, /data-preview="dark-mode"/);
  assert.match(inverted.body, /<style data-preview="dark-mode">html\{filter:invert\(1\) hue-rotate\(180deg\)/);
  assert.match(inverted.body, /img,picture,video\{filter:invert/, 'images are turned back');
  const media = await get(p, '/issues/live/email.html?mode=media');
  assert.match(media.body, /<style data-preview="dark-mode">:root\{color-scheme:dark\}/);
  const page = await get(p, '/issues/live?mode=media');
  assert.doesNotMatch(page.body, /has no <code>prefers-color-scheme: dark<\/code>/, 'the default template has dark-mode styles');
  assert.match(page.body, /aria-current="true">dark: prefers-color-scheme \(Apple Mail\)</);
  // The reader switcher: the footer names each sample subscriber's address; HTML in a name stays text.
  assert.match((await get(p, '/issues/live/email.html?reader=1')).body, /maximiliana\.featherstonehaugh/);
  const html = await get(p, '/issues/live?tab=html&reader=2');
  assert.match(html.body, /ada@example\.net/);
  const raw = (await get(p, '/issues/live/email.html?reader=2')).body;
  assert.doesNotMatch(raw, /<img src=x/);
  assert.equal((await get(p, '/issues/live/email.html?reader=99')).status, 200, 'an unknown reader falls back to the first');
});

test('preview: a template without dark-mode styles is named as such in the prefers-color-scheme view', async (t) => {
  const dir = projectFor(t, {
    [ISSUE]: issueText('Text.', 'title: Live Issue\ndate: 2026-10-14\nstatus: ready'),
    'templates/partials/dark-mode.mjml.hbs': '{{!-- no dark mode --}}\n',
  });
  const p = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  t.after(() => p.close());
  const page = await get(p, '/issues/live?mode=media');
  assert.match(page.body, /has no <code>prefers-color-scheme: dark<\/code> styles/);
  assert.doesNotMatch((await get(p, '/issues/live?mode=light')).body, /has no <code>prefers-color-scheme/, 'only the dark view needs the note');
});


test('preview: "Send test" delivers the real message to the local inbox, with the bulk-mail headers', async (t) => {
  const { p } = await preview(t);
  assert.ok(p.inbox, p.inboxProblem ?? 'no inbox');
  const response = await fetch(`${p.url}issues/live/test?view=both&tab=email&mode=light&reader=0`, {
    method: 'POST',
    body: new URLSearchParams({ to: 'tester@example.net' }),
    redirect: 'manual',
  });
  assert.equal(response.status, 303);
  const [message] = p.inbox.messages;
  assert.ok(message, 'the inbox received the message');
  // The writer lands on the message just received, on the inbox's own page.
  assert.equal(response.headers.get('location'), `/inbox/${message.id}`);
  assert.deepEqual(message.envelope.to, ['tester@example.net']);
  assert.equal(message.subject, '[Test] Live Issue');
  assert.equal(message.from, '"The Dissent Desk" <newsletter@dissentdesk.example.org>');
  const header = (key: string) => message.headers.filter((h) => h.key === key).map((h) => h.line);
  assert.deepEqual(header('list-unsubscribe'), ['List-Unsubscribe: <https://dissentdesk.example.org/unsubscribe/sample-0>']);
  assert.deepEqual(header('list-unsubscribe-post'), ['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
  assert.equal(header('subject').length, 1);
  assert.match(header('message-id')[0] ?? '', /^Message-ID: <live\.[0-9a-f]{32}@dissentdesk\.example\.org>$/);
  assert.match(header('reply-to')[0] ?? '', /editor@dissentdesk\.example\.org/);
  assert.match(header('content-type')[0] ?? '', /multipart\/alternative/);
  assert.match(message.text ?? '', /First version of the text\./);
  assert.match(message.html ?? '', /First version of the text\./);
  assert.match(message.text ?? '', /This email was sent to tester@example\.net\./, 'personalised for the address sent to');
  // The Inbox tab lists it, and its parts are served.
  const page = await get(p, '/issues/live?tab=inbox');
  assert.match(page.body, /\[Test\] Live Issue/);
  assert.match((await get(p, `/inbox/${message.id}/raw`)).body, /^List-Unsubscribe: </m);
  assert.match((await get(p, `/inbox/${message.id}/html`)).body, /First version of the text\./);
});

test('preview: "Send test" refuses another origin and a bad address, and sends nothing', async (t) => {
  const { p } = await preview(t);
  const post = (to: string, origin?: string) =>
    fetch(`${p.url}issues/live/test`, {
      method: 'POST',
      body: new URLSearchParams({ to }),
      headers: origin ? { origin } : {},
      redirect: 'manual',
    });
  assert.equal((await post('a@example.net', 'https://evil.example')).status, 403);
  for (const bad of ['nope', 'a@b.com\r\nBcc: x@evil.example', 'a@b.com, c@d.com']) assert.equal((await post(bad)).status, 400, bad);
  assert.equal(p.inbox!.messages.length, 0);
});

test('preview: the frames load the issue\'s own images from the preview; only those files are served', async (t) => {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const dir = projectFor(t, {
    'issues/2026-10-14-pictures.md': issueText(
      '![A chart of the budget](images/chart.png)\n\nText.',
      'title: Pictures\ndate: 2026-10-14\nstatus: ready\nimage:\n  src: hero photo.png\n  alt: The hero',
    ),
    'issues/images/chart.png': '',
    'issues/pictures/hero photo.png': '',
    'issues/images/unused.png': '',
    'newsletter.secret': 'not an image',
  });
  writeFileSync(join(dir, 'issues/images/chart.png'), png);
  writeFileSync(join(dir, 'issues/pictures/hero photo.png'), png);
  const p = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  t.after(() => p.close());

  const html = (await get(p, '/issues/pictures/email.html')).body;
  assert.match(html, /src="\/issues\/pictures\/assets\/chart\.png"/);
  assert.match(html, /src="\/issues\/pictures\/assets\/hero%20photo\.png"/);
  assert.doesNotMatch(html, /example\.org\/pictures\/chart\.png/, 'no image left pointing at the unpublished site');
  for (const path of ['chart.png', 'hero%20photo.png']) {
    const response = await fetch(new URL(`/issues/pictures/assets/${path}`, p.url));
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), png);
  }
  // The HTML tab and the sent message keep the real, published URLs.
  assert.match((await get(p, '/issues/pictures?tab=html')).body, /\/pictures\/chart\.png/);
  for (const path of ['unused.png', '..%2F..%2Fnewsletter.secret', '../../newsletter.secret', '%E0%A4%A', 'images/chart.png']) {
    assert.equal((await get(p, `/issues/pictures/assets/${path}`)).status, 404, path);
  }
  assert.equal((await get(p, '/issues/nope/assets/chart.png')).status, 404);
});

/** A raw HTTP request, so the Host and Origin headers are exactly what a hostile page's browser would send. */
function raw(
  p: Preview,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
  body = '',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(p.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      // The event stream never ends by itself: its first bytes are enough.
      res.on('data', (d: string) => {
        text += d;
        if (res.headers['content-type'] === 'text/event-stream') res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      res.on('end', done);
      res.on('close', done);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function deliver(p: Preview, html: string): Promise<number> {
  const transport = createTransport({ host: '127.0.0.1', port: p.inbox!.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ from: 'stranger@example.net', to: 'writer@example.org', subject: 'Hello', html, text: 'Hello' });
  } finally {
    transport.close();
  }
  return p.inbox!.messages[0]!.id;
}

test('preview: a foreign Host header (DNS rebinding) is refused on every route, the event stream and POSTs included', async (t) => {
  const { p } = await preview(t);
  const id = await deliver(p, '<p>A received message</p>');
  const port = new URL(p.url).port;
  const form = 'to=tester%40example.net';
  const routes: [string, string, string?][] = [
    ['GET', '/'],
    ['GET', '/issues/live'],
    ['GET', '/issues/live?tab=inbox'],
    ['GET', '/issues/live/email.html'],
    ['GET', '/issues/live/email.txt'],
    ['GET', '/files/newsletter.yaml'],
    ['GET', `/inbox/${id}/html`],
    ['GET', `/inbox/${id}/raw`],
    ['GET', '/events?slug=live'],
    ['HEAD', '/'],
    ['POST', '/issues/live/test', form],
  ];
  for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`, `localhost:${Number(port) + 1}`]) {
    for (const [method, path, body] of routes) {
      const headers: Record<string, string> = { host };
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const response = await raw(p, path, headers, method, body);
      assert.equal(response.status, 403, `${method} ${path} with Host ${host}`);
      assert.match(String(response.headers['content-type']), /^text\/plain/, `${method} ${path}`);
      if (method !== 'HEAD') assert.match(response.body, /^Refused: this preview answers only at http:\/\/127\.0\.0\.1:\d+\/\n$/, `${method} ${path}`);
      assert.doesNotMatch(response.body, /Live Issue|dissentdesk|A received message/, 'nothing of the drafts, the config or the inbox');
    }
  }
  assert.equal(p.inbox!.messages.length, 1, '"Send test" sent nothing');
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
    assert.equal((await raw(p, '/issues/live', { host })).status, 200, host);
    const events = await raw(p, '/events?slug=live', { host });
    assert.equal(events.status, 200, `events with ${host}`);
  }
});

test('preview: "Send test" refuses a sandboxed or cross-site request even with the right Host', async (t) => {
  const { p } = await preview(t);
  const host = new URL(p.url).host;
  const send = (extra: Record<string, string>) =>
    raw(p, '/issues/live/test', { host, 'content-type': 'application/x-www-form-urlencoded', ...extra }, 'POST', 'to=tester%40example.net');
  assert.equal((await send({ origin: 'null' })).status, 403, 'a form in a sandboxed frame (received mail) has Origin: null');
  assert.equal((await send({ origin: `http://localhost:${new URL(p.url).port}` })).status, 403, 'another origin of this computer');
  assert.equal((await send({ 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.equal(p.inbox!.messages.length, 0);
  assert.equal((await send({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status, 303, 'the preview\'s own page may');
  assert.equal(p.inbox!.messages.length, 1);
});

test('preview: received mail is served with a CSP that forbids scripts, sandboxed, and framed without scripts', async (t) => {
  const { p } = await preview(t);
  const id = await deliver(p, '<p>Hi</p><script>document.title = "ran"</script>');
  const response = await raw(p, `/inbox/${id}/html`, { host: new URL(p.url).host });
  assert.equal(response.status, 200);
  const csp = String(response.headers['content-security-policy'] ?? '');
  assert.match(csp, /(^|; )script-src 'none'(;|$)/);
  assert.match(csp, /(^|; )default-src 'none'(;|$)/);
  assert.match(csp, /(^|; )sandbox( [a-z-]+)*(;|$)/);
  assert.doesNotMatch(csp, /allow-scripts|allow-same-origin|unsafe-eval/);
  const page = (await get(p, `/issues/live?tab=inbox&msg=${id}`)).body;
  const frame = /<iframe[^>]*src="\/inbox\/\d+\/html"[^>]*>/.exec(page)?.[0] ?? '';
  assert.match(frame, /sandbox="[^"]*"/, 'the inbox frame is sandboxed');
  assert.doesNotMatch(frame, /allow-scripts|allow-same-origin/);
});
