import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { formatDiagnostic } from '../core/diagnostic.ts';
import { emulateColourMode } from './dark-mode.ts';
import { indexPage, issuePage, notFoundPage, pageState } from './pages.ts';
import { sampleSubscriber } from './sample-subscribers.ts';
import { watchProject } from './watch.ts';
import { Workspace } from './workspace.ts';

export interface PreviewOptions {
  root: string;
  port: number;
  host: string;
}

export interface Preview {
  url: string;
  workspace: Workspace;
  close(): Promise<void>;
}

interface Client {
  slug: string | null;
  send(slugs: string[]): void;
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

  app.use(async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  });

  app.get('/', async (c) => c.html(indexPage(await workspace.views(), workspace.setup?.config.name ?? 'Newsletter')));

  app.get('/issues/:slug', async (c) => {
    const slug = c.req.param('slug');
    const file = workspace.fileOf(slug);
    const view = file ? await workspace.view(file) : null;
    if (!file || !view) return c.html(notFoundPage(slug), 404);
    const state = pageState((name) => c.req.query(name));
    const config = workspace.setup?.config;
    const from = config ? `${config.from.name ?? config.name} <${config.from.email}>` : '—';
    const email = view.rendered?.recipientTemplate?.render(sampleSubscriber(state.reader, config?.url ?? ''));
    return c.html(
      issuePage(view, {
        state,
        source: workspace.source(file),
        from,
        replyTo: config?.reply_to ?? null,
        personalised: email ? { html: email.html.toString('utf8'), text: email.text.toString('utf8') } : null,
      }),
    );
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
      const body = name === 'email.html' ? emulateColourMode(email.html.toString('utf8'), state.mode) : email.text.toString('utf8');
      return c.body(body, 200, { 'Content-Type': `${type}; charset=utf-8` });
    });
  }

  app.get('/events', (c) => {
    const slug = c.req.query('slug') ?? null;
    return streamSSE(c, async (stream) => {
      const client: Client = {
        slug,
        send: (slugs) => void stream.writeSSE({ event: 'change', data: JSON.stringify({ slugs }) }),
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
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    workspace,
    close: async () => {
      stopWatching();
      await queue;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
