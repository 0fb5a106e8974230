import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { listIssueFiles, readBuildSources } from '../../build/build.ts';
import { parseIssue, renderIssue, setupFromSources } from '../../build/render-stack.ts';
import { formatDiagnostic, hasErrors } from '../../core/diagnostic.ts';
import { composeMessage } from '../../send/message.ts';
import { configuredSmtp, DEFAULT_INBOX_PORT, previewInbox, type Delivery } from '../../send/transport.ts';

export interface SendCommand {
  root: string;
  /** The issue's file or slug. */
  issue: string;
  test: string[];
  env: NodeJS.ProcessEnv;
}

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** An issue named by its file (`issues/x.md`) or its slug. */
async function findIssue(root: string, name: string): Promise<{ file: string; source: string } | null> {
  const files = await listIssueFiles(root);
  const asFile = relative(root, resolve(root, name));
  if (files.includes(asFile)) return { file: asFile, source: await readFile(join(root, asFile), 'utf8') };
  for (const file of files) {
    const source = await readFile(join(root, file), 'utf8');
    const slug = /^slug:\s*(\S+)\s*$/m.exec(source)?.[1] ?? file.replace(/^issues\//, '').replace(/\.md$/, '').replace(/^\d{4}-\d{2}-\d{2}-/, '');
    if (slug === name) return { file, source };
  }
  return null;
}

/**
 * `newsletter send <issue> --test a@example.com`: the real message, marked as a test, to those addresses only.
 * It goes through `SMTP_URL` when set, else to the preview's local inbox when one is running, else into an `.eml`
 * file under `dist/outbox/`, and says which.
 */
export async function runSend(cmd: SendCommand): Promise<number> {
  const bad = cmd.test.filter((a) => !ADDRESS.test(a));
  if (bad.length > 0) {
    process.stderr.write(`newsletter send: not one plain email address: ${bad.map((a) => JSON.stringify(a)).join(', ')}\n`);
    return 2;
  }
  const found = await findIssue(cmd.root, cmd.issue);
  if (!found) {
    process.stderr.write(`newsletter send: no issue "${cmd.issue}" (give its file, like issues/2026-10-14-title.md, or its slug)\n`);
    return 2;
  }
  const { config, templates, files } = setupFromSources(await readBuildSources(cmd.root));
  const parsed = parseIssue(found.file, found.source, { author: config.author.name, layout: config.layout });
  const rendered = parsed.issue ? await renderIssue(parsed.issue, config, templates, files) : null;
  const diagnostics = [...parsed.diagnostics, ...(rendered?.diagnostics ?? [])];
  if (!rendered?.recipientTemplate || hasErrors(diagnostics)) {
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write(`newsletter send: ${found.file} has errors; nothing sent\n`);
    return 1;
  }
  const inboxPort = Number(cmd.env.NEWSLETTER_INBOX_PORT ?? DEFAULT_INBOX_PORT);
  const delivery: Delivery | null = configuredSmtp(cmd.env) ?? (await previewInbox(inboxPort));
  const slug = rendered.issue.slug;
  const stamp = new Date();
  try {
    for (const address of cmd.test) {
      const recipient = { name: 'Sample Reader', email: address, unsubscribeUrl: `${config.url}/unsubscribe/test` };
      const message = composeMessage({
        config,
        slug,
        subject: rendered.subject,
        email: rendered.recipientTemplate.render(recipient),
        recipient,
        date: stamp,
        test: { nonce: `${stamp.getTime()}-${address}` },
      });
      if (delivery) {
        const info = (await delivery.transport.sendMail(message)) as { response?: string };
        process.stdout.write(`Sent a test of ${slug} to ${address} through ${delivery.description}${info.response ? ` (${info.response})` : ''}\n`);
      } else {
        const dir = join(cmd.root, 'dist', 'outbox', slug);
        await mkdir(dir, { recursive: true });
        const name = `${stamp.toISOString().replace(/[:.]/g, '-')}-${address.replace(/[^a-z0-9@._-]/gi, '_')}.eml`;
        await writeFile(join(dir, name), await new MailComposer(message).compile().build(), { flag: 'wx' });
        process.stdout.write(`No SMTP_URL and no preview running: wrote ${relative(cmd.root, join(dir, name))}\n`);
      }
    }
  } finally {
    delivery?.transport.close();
  }
  return 0;
}
