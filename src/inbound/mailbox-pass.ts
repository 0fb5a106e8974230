import { applyReturnedMessage, type ReturnedMailContext, type Result } from './apply-returned-mail.ts';
import { openImapMailbox } from './imap-mailbox.ts';
import type { ImapTarget } from './imap-url.ts';

/**
 * One pass over the bounce mailbox, the same for `bounces --imap` and the worker's poll: read each message not yet
 * handled, apply it (./apply-returned-mail.ts), and only then mark it handled (or move it to `moveTo`). A dry run
 * marks nothing. A crash between applying and marking reads the message again next time: the feedback store then
 * records its reports as duplicates, so nothing is applied twice and nothing is lost.
 */
export async function mailboxPass(ctx: ReturnedMailContext, target: ImapTarget, moveTo: string | null): Promise<{ messages: number; results: Result[] }> {
  const mailbox = await openImapMailbox(target, { moveTo });
  const results: Result[] = [];
  let messages = 0;
  try {
    for await (const message of mailbox.unhandled()) {
      results.push(...(await applyReturnedMessage(ctx, message)));
      messages++;
      if (!ctx.dryRun) await mailbox.markHandled(message.uid);
    }
  } finally {
    await mailbox.close();
  }
  return { messages, results };
}
