import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { readMailbox } from '../../inbound/mailbox.ts';
import { applyReturnedMessage, OUTCOMES, type Outcome, type Result } from '../../inbound/apply-returned-mail.ts';
import type { Environment } from '../../config/environment.ts';
import { openCommandStores } from '../open-command-stores.ts';

export interface BouncesCommand {
  root: string;
  environment: Environment;
  /** .eml files, mbox files and folders (Maildir), as given. */
  paths: string[];
  dryRun: boolean;
  json: boolean;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export async function runBounces(cmd: BouncesCommand): Promise<number> {
  const config = await loadConfig(cmd.root);
  let messages;
  try {
    messages = await readMailbox(cmd.paths.map((p) => resolve(cmd.root, p)));
  } catch (error) {
    process.stderr.write(`newsletter bounces: cannot read ${(error as NodeJS.ErrnoException).path ?? 'the mail'}: ${(error as Error).message}\n`);
    return 1;
  }
  const stores = await openCommandStores(cmd.root, cmd.environment.databasePath, 'bounces');
  const results: Result[] = [];
  try {
    const ctx = {
      subscribers: stores.subscribers,
      feedback: stores.feedback,
      unsubscribeAddress: config.sending.unsubscribe_mailto ?? null,
      policy: config.events.softBounce,
      dryRun: cmd.dryRun,
      now: Date.now,
    };
    for (const message of messages) {
      const label = message.label.startsWith(cmd.root) ? message.label.slice(cmd.root.length + 1) : message.label;
      results.push(...(await applyReturnedMessage(ctx, { label, text: message.text })));
    }
  } finally {
    await stores.close();
  }
  report(cmd, messages.length, results);
  return 0;
}

/** The results, one line each, and a summary (or all of it as JSON). */
function report(cmd: { dryRun: boolean; json: boolean }, messages: number, results: readonly Result[]): void {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, results.filter((r) => r.outcome === o).length])) as Record<Outcome, number>;
  if (cmd.json) {
    out(JSON.stringify({ dryRun: cmd.dryRun, messages, counts, results }, null, 2));
    return;
  }
  for (const r of results) out([r.outcome.padEnd(15), (r.email ?? '—').padEnd(32), r.detail, `(${r.source})`].join(' '));
  const summary = OUTCOMES.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${o}`);
  out(`${cmd.dryRun ? 'Dry run, nothing changed: ' : ''}${messages} message${messages === 1 ? '' : 's'} read${summary.length ? `; ${summary.join(', ')}` : ''}`);
}
