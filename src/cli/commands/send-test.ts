import { join, relative } from 'node:path';
import { placeholdersFor } from '../../render/merge-tags.ts';
import { RecipientTemplate } from '../../render/personalise.ts';
import type { IssueForSend } from '../../send/compose/issue-for-send.ts';
import { composeMessage } from '../../send/compose/message.ts';
import { dkimFromEnv, dkimKeySource } from '../../send/dkim/from-env.ts';
import type { Environment } from '../../config/environment.ts';
import { openTransport } from '../../send/transport/open-transport.ts';
import { DEFAULT_INBOX_PORT } from '../../send/transport/preview-inbox.ts';
import { writtenFile } from '../../send/transport/outbox-transport.ts';

export interface TestSend {
  root: string;
  environment: Environment;
  issue: IssueForSend;
  addresses: string[];
}

/**
 * `newsletter send <issue> --test a@example.com`: the real message, marked as a test, to those addresses only and
 * recorded nowhere. It goes through `SMTP_URL` when set, else to the preview's local inbox when one is running, else
 * into an `.eml` file under `dist/outbox/`, and says which. A test the server did not take is said, with its reply.
 * It is DKIM-signed as a list send is (`sending.dkim`), so a test to one's own mailbox shows whether DKIM passes.
 */
export async function runTestSend(cmd: TestSend): Promise<number> {
  const { config } = cmd.issue;
  const template = new RecipientTemplate(cmd.issue.html!, cmd.issue.text!, placeholdersFor(cmd.issue.placeholderPrefix));
  const slug = cmd.issue.slug;
  const dir = join(cmd.root, 'dist', 'outbox', slug);
  // Read before the transport opens, so a bad key is reported without touching SMTP.
  const sign = dkimFromEnv(config, dkimKeySource(cmd.environment));
  // The transport a list send uses, so a test meets the same checks (SMTPUTF8) and replies; one message at a time.
  const transport = await openTransport(
    { kind: 'first-that-answers', smtpUrl: cmd.environment.smtpUrl ?? undefined, inboxPort: cmd.environment.inboxPort ?? DEFAULT_INBOX_PORT, outbox: { dir, description: `.eml files in ${relative(cmd.root, dir)}/`, naming: 'timestamped' } },
    { concurrency: 1, timeoutMs: config.sending.timeout_seconds * 1000 },
  );
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
        topic: cmd.issue.topic?.id ?? null,
      });
      const outcome = await transport.send(envelope, sign ? await sign(raw) : raw);
      if (outcome.kind !== 'sent') {
        process.stderr.write(`newsletter send: the test to ${address} was not sent through ${transport.description}: ${outcome.reply}\n`);
        code = 1;
        if (outcome.kind === 'stop') break;
        continue;
      }
      const file = writtenFile(outcome.reply);
      if (file !== null) process.stdout.write(`No SMTP_URL and no preview running: wrote ${relative(cmd.root, join(dir, file))}\n`);
      else process.stdout.write(`Sent a test of ${slug} to ${address} through ${transport.description} (${outcome.reply})\n`);
    }
  } finally {
    await transport.close();
  }
  return code;
}
