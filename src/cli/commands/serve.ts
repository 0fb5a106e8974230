import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig } from '../../config/load.ts';
import { chooseServerMail, type ServerMail } from '../../send/transport/open-transport.ts';
import { ConfirmationSender } from '../../server/confirmation-sender.ts';
import { loadConfirmationTemplate, type ConfirmationTemplate } from '../../server/confirmation-template.ts';
import { DiagnosticError } from '../../core/diagnostic.ts';
import { publicApp } from '../../server/public-server.ts';
import type { Environment } from '../../config/environment.ts';
import { openCommandStores } from '../open-command-stores.ts';
import { keyringFromEnv, type Keyring } from '../../subscribers/tokens.ts';
import { urlPath } from '../../web/url-path.ts';
import { runWorker } from '../../automation/worker.ts';
import { enabledProviders } from '../../feedback/enabled-providers.ts';
import { httpsFetch } from '../../feedback/https-fetch.ts';

export interface ServeCommand {
  root: string;
  port: number;
  host: string;
  /** The environment as read once (config/environment.ts). */
  environment: Environment;
  /** `--outbox [dir]`: write confirmation emails as `.eml` files there instead of sending them; null without it. */
  outbox: string | null;
  /** `--worker`: run the worker (scheduled sends, welcome emails, sequences) in this process too. */
  worker?: boolean;
}

/** Where `--outbox` with no folder writes. */
export const DEFAULT_CONFIRMATION_OUTBOX = join('dist', 'outbox', 'confirmations');

/** A log line on stdout: when, then what (addresses come masked). */
function logLine(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/**
 * `newsletter serve`: the public sign-up, confirm and unsubscribe server, and the sender of the confirmation
 * emails it queues, until Ctrl-C. Refuses to start without a secret, or without being told where mail goes.
 */
export async function runServe(cmd: ServeCommand): Promise<number> {
  const config = await loadConfig(cmd.root);
  const problems: string[] = [];
  let keyring: Keyring | undefined;
  let mail: ServerMail | undefined;
  try {
    keyring = keyringFromEnv(cmd.environment.secret);
  } catch (error) {
    problems.push((error as Error).message);
  }
  try {
    mail = chooseServerMail({ root: cmd.root, smtpUrl: cmd.environment.smtpUrl, outbox: cmd.outbox, sending: config.sending });
  } catch (error) {
    problems.push((error as Error).message);
  }
  let template: ConfirmationTemplate | undefined;
  try {
    template = await loadConfirmationTemplate(cmd.root, config);
  } catch (error) {
    if (!(error instanceof DiagnosticError)) throw error;
    problems.push(error.message);
  }
  // Provider webhooks (POST /events/<provider>): a secret of the wrong shape stops serve here, not at every event.
  const webhooks = enabledProviders(cmd.environment.webhooks, { topicArns: config.events.ses.topicArns, fetch: httpsFetch });
  problems.push(...webhooks.problems);
  if (!keyring || !mail || !template || webhooks.problems.length > 0) {
    for (const problem of problems) process.stderr.write(`newsletter serve: ${problem}\n`);
    return 1;
  }
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'serve', { server: true });
  const sender = new ConfirmationSender({ queue: stores.confirmations, config, template, keyring, openTransport: mail.open, log: logLine });
  const webRoot = join(cmd.root, 'dist', 'web');
  const app = publicApp({
    root: cmd.root,
    webRoot: existsSync(webRoot) ? webRoot : null,
    config,
    stores,
    keyring,
    log: logLine,
    onConfirmationQueued: () => sender.wake(),
    events: { providers: webhooks.providers, policy: config.events.softBounce, fetch: httpsFetch },
  });
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: cmd.port, hostname: cmd.host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    await stores.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`newsletter serve: port ${cmd.port} is in use; choose another with --port\n`);
      return 1;
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cmd.port;
  const local = ['127.0.0.1', 'localhost', '::1'].includes(cmd.host);
  // Listening for Ctrl-C before saying "Ctrl-C stops": until a listener exists, SIGINT ends the process outright.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(
    [
      `Serving sign-up, confirm and unsubscribe at http://${cmd.host.includes(':') ? `[${cmd.host}]` : cmd.host}:${port}${urlPath(config.url)}/ (${local ? 'this computer only; put it behind your web server or use --host' : `listening on ${cmd.host}`}). Ctrl-C stops.`,
      `Confirmation emails go to ${mail.description}, from a queue in the database that retries them for a day.`,
      webhooks.providers.size > 0
        ? `Provider feedback: POST ${urlPath(config.url)}/events/<provider> for ${[...webhooks.providers.keys()].join(', ')}.`
        : 'No provider webhooks enabled (set MAILGUN_WEBHOOK_SIGNING_KEY, SENDGRID_WEBHOOK_PUBLIC_KEY, POSTMARK_WEBHOOK_AUTH, RESEND_WEBHOOK_SECRET or EVENTS_WEBHOOK_SECRET, or events.ses.topic_arns).',
      existsSync(webRoot) ? `Serving the web archive from dist/web/${urlPath(config.url) ? ` at ${urlPath(config.url)}/, the path of url` : ''}.` : 'No dist/web/ yet: run `newsletter build` and restart to serve the web archive.',
      '',
    ].join('\n'),
  );
  const hops = config.server.trust_proxy;
  if (hops > 0) process.stdout.write(`Rate limits take the client from X-Forwarded-For, behind ${hops} trusted prox${hops === 1 ? 'y' : 'ies'} (server.trust_proxy).\n`);
  // Emails a previous run left queued (SMTP was down, or it was stopped) go out now.
  sender.start();
  const worker = new AbortController();
  const working = cmd.worker ? runWorker({ root: cmd.root, environment: cmd.environment, stores, log: logLine }, worker.signal) : Promise.resolve();
  // A worker that fails stops the server too: a set-up relying on it must not run half-alive.
  const failed = new Promise<Error>((resolve) => {
    working.catch((error: unknown) => resolve(error as Error));
  });
  const first = await Promise.race([stopped.then(() => null), failed]);
  if (first) process.stderr.write(`newsletter serve: the worker stopped: ${first.message}\n`);
  worker.abort();
  await working.catch(() => undefined);
  // A second Ctrl-C ends the process at once; an email it cuts off is sent again once its sender's hold has run out.
  if (sender.busy) process.stdout.write('Stopping: waiting for the confirmation emails in flight (Ctrl-C again to quit now).\n');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sender.stop();
  await stores.close();
  return first ? 1 : 0;
}
