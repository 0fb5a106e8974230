import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { configuredSmtp, DEFAULT_INBOX_PORT, previewInbox } from './transport.ts';

/**
 * Delivers one message where mail can go: `SMTP_URL` when set, else the preview's local inbox when one is running,
 * else an `.eml` file in `dist/outbox/<folder>/`. Returns where it went, for the person who asked.
 */
export async function deliver(message: SendMailOptions, where: { root: string; env: NodeJS.ProcessEnv; folder: string }): Promise<string> {
  const delivery = configuredSmtp(where.env) ?? (await previewInbox(Number(where.env.NEWSLETTER_INBOX_PORT ?? DEFAULT_INBOX_PORT)));
  if (delivery) {
    try {
      await delivery.transport.sendMail(message);
      return `through ${delivery.description}`;
    } finally {
      delivery.transport.close();
    }
  }
  const dir = join(where.root, 'dist', 'outbox', where.folder);
  await mkdir(dir, { recursive: true });
  const to = typeof message.to === 'string' ? message.to : JSON.stringify(message.to);
  const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${to.replace(/[^a-z0-9@._-]/gi, '_').slice(0, 80)}.eml`;
  await writeFile(join(dir, name), await new MailComposer(message).compile().build(), { flag: 'wx' });
  return `into ${relative(where.root, join(dir, name))}`;
}
