import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Sending } from '../../config/schema.ts';
import type { MessageTransport } from './message-transport.ts';
import { createOutboxTransport } from './outbox-transport.ts';
import { createSmtpTransport } from './smtp-transport.ts';
import { parseSmtpUrl } from './smtp-url.ts';
import { DEFAULT_INBOX_PORT, previewInbox } from './preview-inbox.ts';

/**
 * Where a send goes: `SMTP_URL` when set; else the preview's local inbox when one is running; else `.eml` files in
 * `dist/outbox/<slug>/`, so a whole send can be tried with no server at all.
 */
export async function chooseTransport(where: { root: string; env: NodeJS.ProcessEnv; slug: string; sending: Sending; concurrency: number }): Promise<MessageTransport> {
  const timeoutMs = where.sending.timeout_seconds * 1000;
  const url = where.env.SMTP_URL?.trim();
  if (url) {
    try {
      return createSmtpTransport({ url, concurrency: where.concurrency, timeoutMs });
    } catch (error) {
      throw new Error(`SMTP_URL: ${(error as Error).message}`);
    }
  }
  const port = Number(where.env.NEWSLETTER_INBOX_PORT ?? DEFAULT_INBOX_PORT);
  const inbox = await previewInbox(port);
  if (inbox) {
    inbox.transport.close();
    const transport = createSmtpTransport({ url: `smtp://127.0.0.1:${port}/?ignoreTLS=true`, concurrency: Math.min(where.concurrency, 4), timeoutMs });
    return {
      description: `the preview's local inbox (127.0.0.1:${port})`,
      concurrency: transport.concurrency,
      send: (envelope, message) => transport.send(envelope, message),
      close: () => transport.close(),
    };
  }
  const dir = join(where.root, 'dist', 'outbox', where.slug);
  return createOutboxTransport(dir, `.eml files in ${relative(where.root, dir)}/ (no SMTP_URL, and no preview running)`);
}

/** Where `serve` sends confirmation emails: a transport opened per batch, and where it goes, said at start-up. */
export interface ServerMail {
  open: () => MessageTransport;
  description: string;
}

/**
 * Where `serve` sends confirmation emails: only where it was told, never a guess. `--outbox` (a folder, by default
 * `dist/outbox/confirmations/`) writes `.eml` files; else `SMTP_URL`; else it throws, saying how to fix it. Nothing
 * here looks for a preview inbox, which on a server could be anything listening on that port.
 */
export function chooseServerMail(where: { root: string; env: NodeJS.ProcessEnv; outbox: string | null; sending: Sending }): ServerMail {
  if (where.outbox !== null) {
    const dir = resolve(where.root, where.outbox);
    const shown = relative(where.root, dir);
    const description = `.eml files in ${shown && !shown.startsWith('..') && !isAbsolute(shown) ? `${shown}/` : `${dir}/`} (--outbox; nothing is sent)`;
    return { description, open: () => createOutboxTransport(dir, description, 'message') };
  }
  const url = where.env.SMTP_URL?.trim();
  if (!url) {
    throw new Error(
      'no SMTP_URL: set SMTP_URL (smtp://user:password@host:587 or smtps://…) so confirmation emails can be sent, or pass --outbox [dir] to write them as .eml files instead (default dir: dist/outbox/confirmations)',
    );
  }
  let target;
  try {
    target = parseSmtpUrl(url);
  } catch (error) {
    throw new Error(`SMTP_URL: ${(error as Error).message}`);
  }
  const timeoutMs = where.sending.timeout_seconds * 1000;
  return {
    description: `${target.description} (SMTP_URL)`,
    open: () => createSmtpTransport({ url, concurrency: Math.min(where.sending.concurrency, 4), timeoutMs }),
  };
}
