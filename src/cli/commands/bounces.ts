import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { readMailbox, type MailboxMessage } from '../../inbound/mailbox.ts';
import { applyFileEvents, applyReturnedMessage, type Result } from '../../inbound/apply-returned-mail.ts';
import { eventsFromFile, type EventFileEntry } from '../../feedback/event-file.ts';
import { countOutcomes, resultsSummary } from '../../inbound/results-summary.ts';
import type { Environment } from '../../config/environment.ts';
import type { Stores } from '../../store/stores.ts';
import { openCommandStores } from '../open-command-stores.ts';
import { parseImapUrl } from '../../inbound/imap-url.ts';
import { mailboxPass } from '../../inbound/mailbox-pass.ts';
import { returnedMailContext } from '../../inbound/returned-mail-context.ts';

export interface BouncesCommand {
  root: string;
  environment: Environment;
  /** .eml files, mbox files, folders (Maildir) and provider event files (.json, .jsonl), as given. */
  paths: string[];
  /** `--imap`: read the mailbox at IMAP_URL instead, and move handled messages to `moveTo` (`--imap-move`). */
  imap: { moveTo: string | null } | null;
  dryRun: boolean;
  json: boolean;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

const fail = (message: string): number => {
  process.stderr.write(`newsletter bounces: ${message}\n`);
  return 1;
};

export async function runBounces(cmd: BouncesCommand): Promise<number> {
  if (cmd.imap && cmd.paths.length > 0) return fail('give paths or --imap, not both');
  if (!cmd.imap && cmd.paths.length === 0) return fail('give the .eml files, mbox files or Maildir folders to read, or --imap for the mailbox at IMAP_URL');
  const config = await loadConfig(cmd.root);
  const context = (stores: Stores) => returnedMailContext(config, stores, cmd.dryRun);

  if (cmd.imap) {
    if (!cmd.environment.imapUrl) return fail('--imap reads the mailbox at IMAP_URL, which is not set (like imaps://user:password@mail.example.org/INBOX)');
    const parsed = parseImapUrl(cmd.environment.imapUrl);
    if (!parsed.ok) return fail(parsed.error);
    const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'bounces');
    let pass;
    try {
      pass = await mailboxPass(context(stores), parsed.target, cmd.imap.moveTo);
    } catch (error) {
      return fail((error as Error).message);
    } finally {
      await stores.close();
    }
    report(cmd, pass.messages, pass.results);
    return 0;
  }

  let messages;
  try {
    messages = await readMailbox(cmd.paths.map((p) => resolve(cmd.root, p)));
  } catch (error) {
    return fail(`cannot read ${(error as NodeJS.ErrnoException).path ?? 'the mail'}: ${(error as Error).message}`);
  }
  const shown = (label: string) => (label.startsWith(cmd.root) ? label.slice(cmd.root.length + 1) : label);
  // Every event file is read in full before anything is applied: a file with a bad line changes nothing.
  const now = Date.now();
  const eventFiles = new Map<MailboxMessage, EventFileEntry[]>();
  for (const message of messages.filter((m) => m.events)) {
    const parsed = eventsFromFile(shown(message.label), message.text, now);
    if (!parsed.ok) return fail(`${parsed.error}; nothing was applied`);
    eventFiles.set(message, parsed.entries);
  }
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'bounces');
  const results: Result[] = [];
  let read = 0;
  let events = 0;
  try {
    const ctx = context(stores);
    for (const message of messages) {
      const entries = eventFiles.get(message);
      if (entries) {
        results.push(...(await applyFileEvents(ctx, entries)));
        events += entries.length;
      } else {
        results.push(...(await applyReturnedMessage(ctx, { label: shown(message.label), text: message.text })));
        read++;
      }
    }
  } finally {
    await stores.close();
  }
  report(cmd, read, results, events);
  return 0;
}

/** The results, one line each, and a summary (or all of it as JSON). */
function report(cmd: { dryRun: boolean; json: boolean }, messages: number, results: readonly Result[], events = 0): void {
  const counts = countOutcomes(results);
  if (cmd.json) {
    out(JSON.stringify({ dryRun: cmd.dryRun, messages, events, counts, results }, null, 2));
    return;
  }
  for (const r of results) out([r.outcome.padEnd(15), (r.email ?? '—').padEnd(32), r.detail, `(${r.source})`].join(' '));
  out(`${cmd.dryRun ? 'Dry run, nothing changed: ' : ''}${resultsSummary(messages, results, events)}`);
}
