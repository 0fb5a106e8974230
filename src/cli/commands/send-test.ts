import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { placeholdersFor } from '../../render/merge-tags.ts';
import { RecipientTemplate } from '../../render/personalise.ts';
import type { IssueForSend } from '../../send/issue-for-send.ts';
import { composeMessage } from '../../send/message.ts';
import { configuredSmtp, DEFAULT_INBOX_PORT, previewInbox, type Delivery } from '../../send/transport.ts';

export interface TestSend {
  root: string;
  env: NodeJS.ProcessEnv;
  issue: IssueForSend;
  addresses: string[];
}

/**
 * `newsletter send <issue> --test a@example.com`: the real message, marked as a test, to those addresses only and
 * recorded nowhere. It goes through `SMTP_URL` when set, else to the preview's local inbox when one is running, else
 * into an `.eml` file under `dist/outbox/`, and says which.
 */
export async function runTestSend(cmd: TestSend): Promise<number> {
  const { config } = cmd.issue;
  const template = new RecipientTemplate(cmd.issue.html!, cmd.issue.text!, placeholdersFor(cmd.issue.placeholderPrefix));
  const inboxPort = Number(cmd.env.NEWSLETTER_INBOX_PORT ?? DEFAULT_INBOX_PORT);
  const delivery: Delivery | null = configuredSmtp(cmd.env) ?? (await previewInbox(inboxPort));
  const slug = cmd.issue.slug;
  const stamp = new Date();
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
      if (delivery) {
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
    delivery?.transport.close();
  }
  return 0;
}
