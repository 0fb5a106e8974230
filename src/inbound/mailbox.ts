import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENT_FILE } from '../feedback/event-file.ts';

/** The largest file read whole: a bigger mbox is better split than held in memory. */
const MAX_FILE = 256 * 2 ** 20;

export interface MailboxMessage {
  /** Where it came from: the file, and the message's number in an mbox. */
  label: string;
  text: string;
  /** A provider's JSON event file (.json, .jsonl, .ndjson: ../feedback/event-file.ts), not mail. */
  events?: true;
}

/**
 * Messages from the given files and folders: a file is one message (`.eml`), or an mbox when it starts with a
 * `From ` line, or a provider's event file (`.json`, `.jsonl`, `.ndjson`); a folder is read whole, Maildir included
 * (`cur/` and `new/`; `tmp/` holds unfinished deliveries).
 * Read as UTF-8: reports are ASCII, and an address with a non-ASCII local part (SMTPUTF8) is UTF-8.
 */
export async function readMailbox(paths: readonly string[]): Promise<MailboxMessage[]> {
  const out: MailboxMessage[] = [];
  const visit = async (path: string, label: string): Promise<void> => {
    if ((await stat(path)).isDirectory()) {
      const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.name.startsWith('.') || (entry.isDirectory() && entry.name === 'tmp')) continue;
        await visit(join(path, entry.name), `${label}/${entry.name}`);
      }
      return;
    }
    const size = (await stat(path)).size;
    if (size > MAX_FILE) throw Object.assign(new Error(`${size} bytes is more than ${MAX_FILE / 2 ** 20} MB; split the mailbox`), { path });
    const text = (await readFile(path)).toString('utf8');
    if (EVENT_FILE.test(path)) {
      out.push({ label, text, events: true });
      return;
    }
    if (!text.startsWith('From ')) {
      out.push({ label, text });
      return;
    }
    splitMbox(text).forEach((message, i) => out.push({ label: `${label}#${i + 1}`, text: message }));
  };
  for (const path of paths) await visit(path, path);
  return out;
}

/** An mbox's messages: each starts at a `From ` line; `>From ` quoting in bodies is undone (mboxrd). */
export function splitMbox(text: string): string[] {
  return text
    .split(/^From [^\r\n]*\r?\n/m)
    .slice(1)
    .map((message) => message.replace(/^>(>*From )/gm, '$1').replace(/\r?\n$/, ''));
}
