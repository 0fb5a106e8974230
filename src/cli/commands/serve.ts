import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig } from '../../config/load.ts';
import { publicApp } from '../../server/public-server.ts';
import { databasePath, openDatabase } from '../../store/open.ts';
import { keyringFromEnv } from '../../tokens/tokens.ts';

export interface ServeCommand {
  root: string;
  port: number;
  host: string;
  env: NodeJS.ProcessEnv;
}

/** `newsletter serve`: the public sign-up, confirm and unsubscribe server, until Ctrl-C. Refuses to start without a secret. */
export async function runServe(cmd: ServeCommand): Promise<number> {
  let keyring;
  try {
    keyring = keyringFromEnv(cmd.env.NEWSLETTER_SECRET);
  } catch (error) {
    process.stderr.write(`newsletter serve: ${(error as Error).message}\n`);
    return 1;
  }
  const config = await loadConfig(cmd.root);
  const db = openDatabase(databasePath(cmd.root, cmd.env));
  const webRoot = join(cmd.root, 'dist', 'web');
  const app = publicApp({ root: cmd.root, webRoot: existsSync(webRoot) ? webRoot : null, config, db, keyring, env: cmd.env });
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: cmd.port, hostname: cmd.host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    db.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`newsletter serve: port ${cmd.port} is in use; choose another with --port\n`);
      return 1;
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cmd.port;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(cmd.host);
  process.stdout.write(`Serving sign-up, confirm and unsubscribe at http://${cmd.host}:${port}/ (${local ? 'this computer only; put it behind your web server or use --host' : `listening on ${cmd.host}`}). Ctrl-C stops.\n`);
  process.stdout.write(existsSync(webRoot) ? 'Serving the web archive from dist/web/.\n' : 'No dist/web/ yet: run `newsletter build` and restart to serve the web archive.\n');
  const hops = config.server.trust_proxy;
  if (hops > 0) process.stdout.write(`Rate limits take the client from X-Forwarded-For, behind ${hops} trusted prox${hops === 1 ? 'y' : 'ies'} (server.trust_proxy).\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  db.close();
  return 0;
}
