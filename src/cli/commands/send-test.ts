import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { placeholdersFor } from '../../render/merge-tags.ts';
import { RecipientTemplate } from '../../render/personalise.ts';
import type { IssueForSend } from '../../send/compose/issue-for-send.ts';
import { composeMessage } from '../../send/compose/message.ts';
import type { MessageTransport } from '../../send/transport/message-transport.ts';
import { createSmtpTransport } from '../../send/transport/smtp-transport.ts';
import { DEFAULT_INBOX_PORT, previewInbox, type Delivery } from '../../send/transport/preview-inbox.ts';

export interface TestSend {
  root: string;
  env: NodeJS.ProcessEnv;
  issue: IssueForSend;
  addresses: string[];
}

/** `SMTP_URL` through the transport a list send uses, so a test meets the same checks (SMTPUTF8) and replies. */
function smtpFromEnv(env: NodeJS.ProcessEnv, timeoutSeconds: number): MessageTransport | null {
  const url = env.SMTP_URL?.trim();
  if (!url) return null;
  try {
    return createSmtpTransport({ url, concurrency: 1, timeoutMs: timeoutSeconds * 1000 });
  } catch (error) {
    throw new Error(`SMTP_URL: ${(error as Error).message}`);
  }
}

/**
 * `newsletter send <issue> --test a@example.com`: the real message, marked as a test, to those addresses only and
 * recorded nowhere. It goes through `SMTP_URL` when set, else to the preview's local inbox when one is running, else
 * into an `.eml` file under `dist/outbox/`, and says which. A test the server did not take is said, with its reply.
 */
export async function runTestSend(cmd: TestSend): Promise<number> {
  const { config } = cmd.issue;
  const template = new RecipientTemplate(cmd.issue.html!, cmd.issue.text!, placeholdersFor(cmd.issue.placeholderPrefix));
  const inboxPort = Number(cmd.env.NEWSLETTER_INBOX_PORT ?? DEFAULT_INBOX_PORT);
  const smtp = smtpFromEnv(cmd.env, config.sending.timeout_seconds);
  const delivery: Delivery | null = smtp ? null : await previewInbox(inboxPort);
  const slug = cmd.issue.slug;
  const stamp = new Date();
  let code = 0;
  try {
    for (const address of cmd.addresses) {
      const recipient = { name: 'Sample Reader', email: address, unsubscribeUrl: `${config.url}/unsubscribe/test` };
      const { envelope, raw } = composeMessage({
        config,
        slug,
        subject: cmd.issue.subject,
        template,
        recipient,
        date: stamp,
        test: { nonce: `${stamp.getTime()}-${address}` },
      });
      if (smtp) {
        const outcome = await smtp.send(envelope, raw);
        if (outcome.kind !== 'sent') {
          process.stderr.write(`newsletter send: the test to ${address} was not sent through ${smtp.description}: ${outcome.reply}\n`);
          code = 1;
          if (outcome.kind === 'stop') break;
          continue;
        }
        process.stdout.write(`Sent a test of ${slug} to ${address} through ${smtp.description} (${outcome.reply})\n`);
      } else if (delivery) {
        const info = (await delivery.transport.sendMail({ envelope: { ...envelope }, raw })) as { response?: string };
        process.stdout.write(`Sent a test of ${slug} to ${address} through ${delivery.description}${info.response ? ` (${info.response})` : ''}\n`);
      } else {
        const dir = join(cmd.root, 'dist', 'outbox', slug);
        await mkdir(dir, { recursive: true });
        const name = `${stamp.toISOString().replace(/[:.]/g, '-')}-${address.replace(/[^a-z0-9@._-]/gi, '_')}.eml`;
        await writeFile(join(dir, name), raw, { flag: 'wx' });
        process.stdout.write(`No SMTP_URL and no preview running: wrote ${relative(cmd.root, join(dir, name))}\n`);
      }
    }
  } finally {
    await smtp?.close();
    delivery?.transport.close();
  }
  return code;
}
