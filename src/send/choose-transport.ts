import { join, relative } from 'node:path';
import type { Sending } from '../config/schema.ts';
import type { MessageTransport } from './outcome.ts';
import { createOutboxTransport } from './outbox-transport.ts';
import { createSmtpTransport } from './smtp-transport.ts';
import { DEFAULT_INBOX_PORT, previewInbox } from './transport.ts';

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
