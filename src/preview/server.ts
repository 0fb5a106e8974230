import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { formatDiagnostic } from '../core/diagnostic.ts';
import { composeMessage } from '../send/compose/message.ts';
import { MimeTemplate } from '../send/compose/mime-template.ts';
import { openTransport } from '../send/transport/open-transport.ts';
import { readFileNoFollow } from '../core/read-no-follow.ts';
import { extname, join } from 'node:path';
import { hostChecker } from './allowed-host.ts';
import { emulateColourMode } from './dark-mode.ts';
import { IMAGE_TYPES, localImages, safeDecode } from './issue-images.ts';
import { Inbox } from './inbox.ts';
import { inboxListPage, messageNotFoundPage, messagePage, messageTab } from './inbox-pages.ts';
import { pageAsset } from './page-assets.ts';
import { filePage, indexPage, issuePage, notFoundPage, pageState } from './pages.ts';
import { sampleSubscriber } from './sample-subscribers.ts';
import { watchProject } from './watch.ts';
import { Workspace } from './workspace.ts';
import { isPlainAddress } from '../subscribers/email-address.ts';
import { databaseFile } from '../store/database-path.ts';
import { deskPanels } from './desk.ts';
import type { Pool } from 'pg';
import { readDeskOrProblem } from './desk-data.ts';

export interface PreviewOptions {
  root: string;
  port: number;
  host: string;
  /** The local inbox's SMTP port (2525 from the CLI); null for no inbox. */
  smtpPort: number | null;
  /** `NEWSLETTER_DB` as read, for the home page's desk; null or absent for the default (data/newsletter.db). */
  databasePath?: string | null;
  /** Told each new reason the desk cannot read the database (one line), so the terminal says it too. */
  onDeskProblem?: (problem: string) => void;
}

export interface Preview {
  url: string;
  workspace: Workspace;
  /** The local inbox, or null when it is off or its port was taken (`inboxProblem` says which). */
  inbox: Inbox | null;
  inboxProblem: string | null;
  close(): Promise<void>;
}

/** No script at all; images, styles and fonts as an email client loads them; links may open in a new tab. */
const RECEIVED_MAIL_CSP = [
  "default-src 'none'",
  "script-src 'none'",
  'img-src http: https: data: cid:',
  "style-src 'unsafe-inline' http: https:",
  'font-src http: https: data:',
  "base-uri 'none'",
  "form-action 'none'",
  'sandbox allow-popups allow-popups-to-escape-sandbox',
].join('; ');

/** The preview's own pages: only their own stylesheet, script, frames and forms; nothing inline runs. */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
const PAGE_HEADERS = { 'Content-Security-Policy': PAGE_CSP };

interface Client {
  slug: string | null;
  send(slugs: string[]): void;
  inbox(): void;
}

/**
 * `newsletter preview`: the render core behind a local web server. The watcher feeds changed paths to the workspace;
 * issues open in a browser are re-rendered at once and their pages told over server-sent events.
 */
export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const workspace = new Workspace(options.root);
  await workspace.load();
  const clients = new Set<Client>();
  const app = new Hono();
  /** Known once the server listens (the port may be chosen by the system). */
  let url = '';
  let inbox: Inbox | null = null;
  let inboxProblem: string | null = options.smtpPort === null ? 'off' : null;
  if (options.smtpPort !== null) {
    const started = new Inbox(() => {
      for (const client of clients) client.inbox();
    });
    try {
      await started.listen(options.smtpPort, '127.0.0.1');
      inbox = started;
    } catch (error) {
      inboxProblem = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${options.smtpPort} is in use` : (error as Error).message;
    }
  }

  app.use(async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    // Nothing is cached but the pages' own assets, whose URLs change with their bytes.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });

  // Every route, the event stream and the POSTs included, answers only to this computer's own names (DNS
  // rebinding), and a change is made only at the preview's own page's request (no other site's form or script).
  let hostAllowed: (header: string | undefined) => boolean = () => false;
  app.use(async (c, next) => {
    if (!hostAllowed(c.req.header('host'))) return c.text(`Refused: this preview answers only at ${url}\n`, 403);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      const site = c.req.header('sec-fetch-site');
      const ownOrigin = new URL(c.req.url).origin;
      if ((origin !== undefined && origin !== ownOrigin) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
        return c.text('Cross-origin request refused\n', 403);
      }
    }
    await next();
  });

  // The desk: the issues, then the audience and the recent sends, read afresh (read-only) at each visit.
  const database = databaseFile(options.root, options.databasePath ?? null);
  // On PostgreSQL the desk reads through one small pool, made at the first visit and closed with the preview.
  let deskPool: Promise<Pool> | null = null;
  const pgPool = () => (deskPool ??= import('../store/pg/pg-pool.ts').then(({ openPool }) => openPool(database, { max: 2, applicationName: 'newsletter preview' })));
  // Said once per new reason, not at every visit; a visit that reads again clears it.
  let lastProblem: string | null = null;
  app.get('/', async (c) => {
    const views = await workspace.views();
    const slugs = new Set(views.map((v) => v.slug));
    const read = await readDeskOrProblem(database, Date.now(), pgPool);
    if (read.problem !== null && read.problem !== lastProblem) options.onDeskProblem?.(read.problem);
    lastProblem = read.problem;
    const desk = deskPanels(read.desk, (slug) => slugs.has(slug), read.problem);
    return c.html(indexPage(views, workspace.setup?.config.name ?? 'Newsletter', desk), 200, PAGE_HEADERS);
  });

  app.get('/assets/:name', (c) => {
    const asset = pageAsset(c.req.param('name'));
    if (!asset) return c.text('No such file\n', 404);
    return c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable' });
  });

  app.get('/issues/:slug', async (c) => {
    const slug = c.req.param('slug');
    const file = workspace.fileOf(slug);
    const view = file ? await workspace.view(file) : null;
    if (!file || !view) return c.html(notFoundPage(slug), 404, PAGE_HEADERS);
    const state = pageState((name) => c.req.query(name));
    const config = workspace.setup?.config;
    const from = config ? `${config.from.name ?? config.name} <${config.from.email}>` : '—';
    const reader = sampleSubscriber(state.reader, config?.url ?? '');
    const template = view.rendered?.recipientTemplate;
    const email = template?.render(reader);
    let headers: string | null = null;
    if (state.tab === 'message' && template && config && view.rendered) {
      const mime = new MimeTemplate({ config, slug: view.slug, subject: view.rendered.subject, template, date: new Date(), topic: view.rendered.issue.topic });
      headers = mime.headers(reader).replace(/\r\n/g, '\n');
    }
    return c.html(
      issuePage(view, {
        state,
        source: workspace.source(file),
        from,
        replyTo: config?.reply_to ?? null,
        personalised: email ? { html: email.html.toString('utf8'), text: email.text.toString('utf8') } : null,
        inbox: inbox ? { messages: inbox.messages, selected: Number(c.req.query('msg')) || null } : null,
        headers,
      }),
      200,
      PAGE_HEADERS,
    );
  });

  // "Send test": the real message, built as a real send builds it, delivered to the local inbox only.
  app.post('/issues/:slug/test', async (c) => {
    const slug = c.req.param('slug');
    const file = workspace.fileOf(slug);
    const view = file ? await workspace.view(file) : null;
    const template = view?.rendered?.recipientTemplate;
    const config = workspace.setup?.config;
    if (!inbox) return c.text('The local inbox is not running\n', 503);
    if (!view?.rendered || !template || !config) return c.text('This issue does not render; fix its problems first\n', 422);
    const form = await c.req.parseBody();
    const to = typeof form.to === 'string' ? form.to.trim() : '';
    if (!isPlainAddress(to, { allowLocalDomain: true })) return c.text('Give one plain email address, like you@example.com\n', 400);
    const state = pageState((name) => c.req.query(name));
    const sample = sampleSubscriber(state.reader, config.url);
    const recipient = { ...sample, email: to };
    const { envelope, raw } = composeMessage({
      config,
      slug: view.slug,
      subject: view.rendered.subject,
      template,
      recipient,
      date: new Date(),
      test: { nonce: `${Date.now()}-${Math.random()}` },
      topic: view.rendered.issue.topic,
    });
    // Through the same door as every other mail, to this preview's own inbox and nowhere else.
    const transport = await openTransport({ kind: 'preview-inbox', port: inbox.port }, { concurrency: 1, timeoutMs: 10_000 });
    let outcome;
    try {
      outcome = await transport.send(envelope, raw);
    } finally {
      await transport.close();
    }
    if (outcome.kind !== 'sent') return c.text(`The preview's inbox did not take the test: ${outcome.reply}\n`, 502);
    // The writer lands on the message just received: the one with this send's (unique, test) Message-ID.
    const messageId = /^Message-ID:\s*(<[^>\s]+>)/im.exec(raw.toString('utf8'))?.[1];
    const received = inbox.messages.find((m) => messageId !== undefined && m.headers.some((hd) => hd.key === 'message-id' && hd.line.includes(messageId)));
    return c.redirect(received ? `/inbox/${received.id}` : '/inbox', 303);
  });

  // Only files the preview already knows (the config and the templates it loaded) are shown; no path is opened.
  app.get('/files/*', (c) => {
    const path = decodeURIComponent(c.req.path.slice('/files/'.length));
    const source = workspace.knownFile(path);
    return source === null ? c.text('No such file\n', 404) : c.html(filePage(path, source));
  });

  app.get('/inbox/:id/:part{html|raw}', async (c) => {
    const message = inbox?.message(Number(c.req.param('id')));
    if (!message) return c.text('No such message\n', 404);
    if (c.req.param('part') === 'raw') return c.text(message.raw);
    // Received mail is anyone's HTML: served so that no script in it runs, even opened directly, and sandboxed
    // into an origin of its own, so it can never act as the preview.
    // The issue's own images point at the published site, which may not exist yet: as in the issue's frames,
    // they load from the preview instead (http: is in the received-mail CSP's img-src).
    let body = message.html ?? '<p>(no HTML part)</p>';
    const baseUrl = workspace.setup?.config.url ?? '';
    if (message.html && baseUrl) {
      for (const v of await workspace.views()) if (v.rendered?.assets.length) body = localImages(body, v.slug, v.rendered.assets, baseUrl);
    }
    return c.html(body, 200, { 'Content-Security-Policy': RECEIVED_MAIL_CSP, 'Referrer-Policy': 'no-referrer' });
  });

  // The inbox's own pages (inbox-pages.ts): the list, one message, and deleting (POST only, so the cross-origin
  // check above covers it; a GET to these URLs finds no route and changes nothing).
  app.get('/inbox', (c) => c.html(inboxListPage(inbox ? inbox.messages : null, inbox?.port ?? null), 200, PAGE_HEADERS));
  app.get('/inbox/:id{[0-9]+}', (c) => {
    const message = inbox?.message(Number(c.req.param('id')));
    if (!message) return c.html(messageNotFoundPage(c.req.param('id')), 404, PAGE_HEADERS);
    return c.html(messagePage(message, messageTab(c.req.query('tab'))), 200, PAGE_HEADERS);
  });
  app.post('/inbox/delete', (c) => {
    inbox?.clear();
    return c.redirect('/inbox', 303);
  });
  app.post('/inbox/:id{[0-9]+}/delete', (c) => {
    inbox?.remove(Number(c.req.param('id')));
    return c.redirect('/inbox', 303);
  });

  // The current email, raw, for the frames and for other tools; while it does not render, the reasons, as text.
  for (const [name, type] of [['email.html', 'text/html'], ['email.txt', 'text/plain']] as const) {
    app.get(`/issues/:slug/${name}`, async (c) => {
      const file = workspace.fileOf(c.req.param('slug'));
      const view = file ? await workspace.view(file) : null;
      if (!view) return c.text('No such issue\n', 404);
      const template = view.rendered?.recipientTemplate;
      if (!template) return c.text(`${view.diagnostics.map(formatDiagnostic).join('\n')}\n`, 422);
      const state = pageState((q) => c.req.query(q));
      const email = template.render(sampleSubscriber(state.reader, workspace.setup?.config.url ?? ''));
      const body =
        name === 'email.html'
          ? emulateColourMode(localImages(email.html.toString('utf8'), view.slug, view.rendered?.assets ?? [], workspace.setup?.config.url ?? ''), state.mode)
          : email.text.toString('utf8');
      return c.body(body, 200, { 'Content-Type': `${type}; charset=utf-8` });
    });
  }

  // An issue's own images (issues/<slug>/, issues/images/): the email points at their published URLs, which do not
  // exist until the site is deployed, so the frames load them from here. Only the files the issue uses are served.
  app.get('/issues/:slug/assets/*', async (c) => {
    const file = workspace.fileOf(c.req.param('slug'));
    const view = file ? await workspace.view(file) : null;
    const prefix = `/issues/${encodeURIComponent(c.req.param('slug'))}/assets/`;
    const wanted = c.req.path.startsWith(prefix) ? safeDecode(c.req.path.slice(prefix.length)) : null;
    const asset = view?.rendered?.assets.find((a) => a.to === wanted);
    if (!asset) return c.text('No such image\n', 404);
    const type = IMAGE_TYPES[extname(asset.to).toLowerCase()];
    if (!type) return c.text('Not an image\n', 415);
    try {
      const bytes = await readFileNoFollow(join(workspace.root, asset.from));
      // An SVG is a document: sandboxed, so any script in it cannot run on the preview's origin.
      return c.body(bytes, 200, { 'Content-Type': type, 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox" });
    } catch {
      return c.text('No such image\n', 404);
    }
  });

  app.get('/events', (c) => {
    const slug = c.req.query('slug') ?? null;
    return streamSSE(c, async (stream) => {
      const client: Client = {
        slug,
        send: (slugs) => void stream.writeSSE({ event: 'change', data: JSON.stringify({ slugs }) }),
        inbox: () => void stream.writeSSE({ event: 'inbox', data: '{}' }),
      };
      clients.add(client);
      // Held open until the page goes away; a comment now and then keeps idle timeouts from closing it.
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), 15_000).unref();
      const closed = new Promise<void>((resolve) => {
        stream.onAbort(() => {
          clearInterval(keepAlive);
          clients.delete(client);
          resolve();
        });
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      await closed;
    });
  });

  // One change at a time, in order: a burst of saves never renders an issue twice at once.
  let queue = Promise.resolve();
  const stopWatching = watchProject(options.root, (paths) => {
    queue = queue.then(async () => {
      const changed = await workspace.changed(paths);
      if (changed.length === 0) return;
      const open = new Set([...clients].map((c) => c.slug));
      const slugs = new Set<string>();
      for (const { file, slug } of changed) {
        slugs.add(slug);
        // Render now what a browser shows, so its refresh is instant; the rest waits until asked for.
        if (open.has(null) || open.has(slug)) {
          const view = await workspace.view(file);
          if (view) slugs.add(view.slug); // the front matter may have changed the slug
        }
      }
      for (const client of clients) client.send([...slugs]);
    });
  });

  let server: ServerType;
  try {
    server = await new Promise((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    stopWatching();
    await inbox?.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  url = `http://${host}:${port}/`;
  hostAllowed = hostChecker(options.host, port);
  return {
    url,
    workspace,
    inbox,
    inboxProblem,
    close: async () => {
      stopWatching();
      await queue;
      await inbox?.close();
      await (await deskPool)?.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
