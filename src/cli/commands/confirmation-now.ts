import { join, relative } from 'node:path';
import type { Environment } from '../../config/environment.ts';
import { loadConfig } from '../../config/load.ts';
import { openTransport } from '../../send/transport/open-transport.ts';
import { DEFAULT_INBOX_PORT } from '../../send/transport/preview-inbox.ts';
import { ConfirmationSender } from '../../server/confirmation-sender.ts';
import { loadConfirmationTemplate } from '../../server/confirmation-template.ts';
import type { Stores } from '../../store/stores.ts';
import type { Subscriber } from '../../subscribers/subscriber.ts';
import { keyringFromEnv, type Keyring } from '../../subscribers/tokens.ts';

/** Where the CLI's confirmation emails go when there is no SMTP_URL and no preview running. */
export const CLI_CONFIRMATION_OUTBOX = join('dist', 'outbox', 'confirmations');

/** The secret that signs the link, or why there is none; read before anything changes. */
export function confirmationKeyring(environment: Environment): { keyring: Keyring } | { problem: string } {
  try {
    return { keyring: keyringFromEnv(environment.secret) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/**
 * Queues a confirmation email for the subscriber `pending` answers (it queues the email itself, in the transaction that makes them pending) and
 * sends it at once through the one door for mail: SMTP_URL, else the preview's inbox, else an `.eml` file in
 * dist/outbox/confirmations/. It is the queue `serve` mails from, so an email SMTP did not take now stays queued and
 * `serve` retries it. Answers a line saying where it went, or what happened.
 */
export async function sendConfirmationNow(
  root: string,
  environment: Environment,
  stores: Stores,
  keyring: Keyring,
  /** Makes, or finds, the pending subscriber the email is for, with the email queued in the same transaction. */
  pending: () => Promise<Subscriber>,
): Promise<{ sent: boolean; line: string }> {
  const config = await loadConfig(root);
  const template = await loadConfirmationTemplate(root, config);
  const subscriber = await pending();
  const dir = join(root, CLI_CONFIRMATION_OUTBOX);
  const transport = await openTransport(
    {
      kind: 'first-that-answers',
      smtpUrl: environment.smtpUrl ?? undefined,
      inboxPort: environment.inboxPort ?? DEFAULT_INBOX_PORT,
      outbox: { dir, description: `.eml files in ${relative(root, dir)}/ (no SMTP_URL, and no preview running)`, naming: 'message' },
    },
    { concurrency: 1, timeoutMs: config.sending.timeout_seconds * 1000 },
  );
  const lines: string[] = [];
  // The sender closes what it opened after its batch; closed once here too, should nothing have been due.
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await transport.close();
  };
  const once = { description: transport.description, concurrency: 1, send: transport.send.bind(transport), close };
  const sender = new ConfirmationSender({ queue: stores.confirmations, config, template, keyring, openTransport: () => once, log: (line) => lines.push(line) });
  try {
    await sender.runOnce();
  } finally {
    await close();
  }
  const said = lines.find((l) => l.startsWith('confirmation email to ')) ?? '';
  const outcome = said.replace(/^confirmation email to \S+: /, '');
  if (outcome.startsWith('sent')) return { sent: true, line: `Sent the confirmation email to ${subscriber.email} through ${transport.description}.` };
  return {
    sent: false,
    line: `The confirmation email to ${subscriber.email} was not sent through ${transport.description}: ${outcome || 'nothing was due'}. It stays queued: \`newsletter serve\` retries it for a day.`,
  };
}
