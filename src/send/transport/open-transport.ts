import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Environment } from '../../config/environment.ts';
import type { Sending } from '../../config/schema.ts';
import type { MessageTransport } from './message-transport.ts';
import { createOutboxTransport, type OutboxNaming } from './outbox-transport.ts';
import { createSmtpTransport } from './smtp-transport.ts';
import { parseSmtpUrl } from './smtp-url.ts';
import { DEFAULT_INBOX_PORT, previewInboxAnswers, previewInboxDescription, previewInboxUrl } from './preview-inbox.ts';

/** The `.eml` folder a route falls back to (or is told to use), and how it is shown. */
export interface Outbox {
  dir: string;
  description: string;
  naming?: OutboxNaming;
}

/**
 * Where mail goes; the one rule, for every kind of mail:
 * - `first-that-answers` (a list send, `send --test`): `SMTP_URL` when set; else the preview's local inbox when one
 *   is running; else `.eml` files in the outbox, so a whole send can be tried with no server at all.
 * - `told` (`serve`'s confirmation emails): only where it was told, never a guess: the outbox when given (`--outbox`),
 *   else `SMTP_URL`, else an error saying how to fix it. Nothing looks for a preview inbox, which on a server could be
 *   anything listening on that port.
 * - `preview-inbox` (the preview's own "Send test"): the preview's inbox on that port, nothing else.
 * Values come already read (an `SMTP_URL` string or undefined, a port), not as the environment.
 */
export type MailRoute =
  | { kind: 'first-that-answers'; smtpUrl: string | undefined; inboxPort: number; outbox: Outbox }
  | { kind: 'told'; smtpUrl: string | undefined; outbox: Outbox | null }
  | { kind: 'preview-inbox'; port: number };

export interface TransportLimits {
  /** Most messages in flight at once. */
  concurrency: number;
  /** How long connecting, the greeting and every reply may take. */
  timeoutMs: number;
}

/** `SMTP_URL`, trimmed; empty is unset. */
function smtpUrlOf(value: string | undefined): string | undefined {
  return value?.trim() || undefined;
}

function smtp(url: string, limits: TransportLimits): MessageTransport {
  try {
    return createSmtpTransport({ url, concurrency: limits.concurrency, timeoutMs: limits.timeoutMs });
  } catch (error) {
    throw new Error(`SMTP_URL: ${(error as Error).message}`);
  }
}

function inbox(port: number, limits: TransportLimits): MessageTransport {
  // A local sink: a few connections are plenty.
  const transport = createSmtpTransport({ url: previewInboxUrl(port), concurrency: Math.min(limits.concurrency, 4), timeoutMs: limits.timeoutMs });
  return {
    description: previewInboxDescription(port),
    concurrency: transport.concurrency,
    send: (envelope, message) => transport.send(envelope, message),
    close: () => transport.close(),
  };
}

/** Where `told` mail would go, said before anything is opened: so `serve` fails at start-up, not at a first sign-up. */
export function toldTransport(route: Extract<MailRoute, { kind: 'told' }>, limits: TransportLimits): { description: string; open: () => MessageTransport } {
  const outbox = route.outbox;
  if (outbox) return { description: outbox.description, open: () => createOutboxTransport(outbox.dir, outbox.description, outbox.naming) };
  const url = smtpUrlOf(route.smtpUrl);
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
  return { description: `${target.description} (SMTP_URL)`, open: () => smtp(url, limits) };
}

/** The one door for mail: a MessageTransport that takes composed bytes, chosen by the route's rule (see MailRoute). */
export async function openTransport(route: MailRoute, limits: TransportLimits): Promise<MessageTransport> {
  switch (route.kind) {
    case 'told':
      return toldTransport(route, limits).open();
    case 'preview-inbox':
      return inbox(route.port, limits);
    case 'first-that-answers': {
      const url = smtpUrlOf(route.smtpUrl);
      if (url) return smtp(url, limits);
      if (await previewInboxAnswers(route.inboxPort)) return inbox(route.inboxPort, limits);
      return createOutboxTransport(route.outbox.dir, route.outbox.description, route.outbox.naming);
    }
  }
}

/** A list send's transport: `dist/outbox/<slug>/` as the last resort, one file per subscriber. */
export function chooseTransport(where: { root: string; environment: Pick<Environment, 'smtpUrl' | 'inboxPort'>; slug: string; sending: Sending; concurrency: number }): Promise<MessageTransport> {
  const dir = join(where.root, 'dist', 'outbox', where.slug);
  return openTransport(
    {
      kind: 'first-that-answers',
      smtpUrl: where.environment.smtpUrl ?? undefined,
      inboxPort: where.environment.inboxPort ?? DEFAULT_INBOX_PORT,
      outbox: { dir, description: `.eml files in ${relative(where.root, dir)}/ (no SMTP_URL, and no preview running)` },
    },
    { concurrency: where.concurrency, timeoutMs: where.sending.timeout_seconds * 1000 },
  );
}

/** Where `serve` sends confirmation emails: a transport opened per batch, and where it goes, said at start-up. */
export interface ServerMail {
  open: () => MessageTransport;
  description: string;
}

/** `serve`'s confirmation emails, by the `told` rule; `outbox` is `--outbox` (a folder, or null when not given). */
export function chooseServerMail(where: { root: string; smtpUrl: string | null; outbox: string | null; sending: Sending }): ServerMail {
  let outbox: Outbox | null = null;
  if (where.outbox !== null) {
    const dir = resolve(where.root, where.outbox);
    const shown = relative(where.root, dir);
    const description = `.eml files in ${shown && !shown.startsWith('..') && !isAbsolute(shown) ? `${shown}/` : `${dir}/`} (--outbox; nothing is sent)`;
    outbox = { dir, description, naming: 'message' };
  }
  return toldTransport({ kind: 'told', smtpUrl: where.smtpUrl ?? undefined, outbox }, { concurrency: Math.min(where.sending.concurrency, 4), timeoutMs: where.sending.timeout_seconds * 1000 });
}
