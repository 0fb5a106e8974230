import { ImapFlow, type ImapFlowError } from 'imapflow';
import type { ImapTarget } from './imap-url.ts';

/** The keyword a message gets once handled: the next pass skips it. */
export const HANDLED_KEYWORD = '$NewsletterHandled';

/** The largest message read: a returned message is a report and maybe the original, never this big. */
const MAX_MESSAGE = 25 * 2 ** 20;

export interface ImapMessage {
  uid: number;
  /** `imap:INBOX/uid 12`. */
  label: string;
  text: string;
}

/** The bounce mailbox, open: messages not handled yet, and a way to mark one handled. */
export interface ImapMailbox {
  /** The messages without the handled keyword, oldest first, read one at a time. */
  unhandled(): AsyncGenerator<ImapMessage>;
  /** Marks a message handled: the keyword, and with `moveTo` a move to that folder (created when missing). */
  markHandled(uid: number): Promise<void>;
  close(): Promise<void>;
}

/** An error in words that never include the password (imapflow's own never do; the URL is never repeated). */
function described(target: ImapTarget, error: unknown): Error {
  const e = error as ImapFlowError;
  const where = `${target.host}:${target.port}`;
  if (e.authenticationFailed) return new Error(`the IMAP server ${where} refused the login for ${target.auth.user}${e.responseText ? `: ${e.responseText}` : ''}`);
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT') return new Error(`cannot reach the IMAP server ${where}: ${e.code}`);
  const text = e.responseText ?? e.message;
  return new Error(`IMAP ${where}: ${text.split(target.auth.pass).join('***')}`);
}

/**
 * Opens `target`'s folder with imapflow (its own logger off: it would log the conversation). The caller marks a
 * message only after its events were applied, so a crash loses nothing: at worst the message is read again, and the
 * feedback store records it as a duplicate.
 */
export async function openImapMailbox(target: ImapTarget, options: { moveTo: string | null }): Promise<ImapMailbox> {
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: target.auth,
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 30_000,
    clientInfo: { name: 'newsletter' },
  });
  // A connection dropping later surfaces as the failure of the command in flight; this only keeps it from crashing us.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.mailboxOpen(target.mailbox);
  } catch (error) {
    client.close();
    throw described(target, error);
  }
  let folderReady = false;
  return {
    async *unhandled() {
      let uids: number[];
      try {
        uids = ((await client.search({ unKeyword: HANDLED_KEYWORD }, { uid: true })) || []).sort((a, b) => a - b);
      } catch (error) {
        throw described(target, error);
      }
      for (const uid of uids) {
        let message;
        try {
          message = await client.fetchOne(String(uid), { uid: true, source: { start: 0, maxLength: MAX_MESSAGE } }, { uid: true });
        } catch (error) {
          throw described(target, error);
        }
        if (!message || !message.source) continue;
        yield { uid, label: `imap:${target.mailbox}/uid ${uid}`, text: message.source.toString('utf8') };
      }
    },
    async markHandled(uid) {
      try {
        await client.messageFlagsAdd(String(uid), [HANDLED_KEYWORD], { uid: true });
        if (!options.moveTo) return;
        if (!folderReady) {
          const folders = await client.list();
          if (!folders.some((f) => f.path === options.moveTo)) await client.mailboxCreate(options.moveTo);
          folderReady = true;
        }
        await client.messageMove(String(uid), options.moveTo, { uid: true });
      } catch (error) {
        throw described(target, error);
      }
    },
    async close() {
      try {
        await client.logout();
      } catch {
        client.close();
      }
    },
  };
}
