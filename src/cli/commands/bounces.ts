import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { readMailbox } from '../../inbound/mailbox.ts';
import { classifyReturnedMail, type ReturnedMail } from '../../inbound/returned-mail.ts';
import type { Ledger } from '../../store/ledger/ledger.ts';
import type { Environment } from '../../config/environment.ts';
import { openCommandStores } from '../open-command-stores.ts';
import type { Status, Subscriber, SubscriberStore } from '../../subscribers/subscriber.ts';
import { checkAddress } from '../../subscribers/email-address.ts';

export interface BouncesCommand {
  root: string;
  environment: Environment;
  /** .eml files, mbox files and folders (Maildir), as given. */
  paths: string[];
  dryRun: boolean;
  json: boolean;
}

/** What was done about one report. */
export type Outcome = 'bounced' | 'complained' | 'unsubscribed' | 'unchanged' | 'kept' | 'unverified' | 'not on the list' | 'skipped';

export interface Result {
  /** The file (and the message's number in an mbox). */
  source: string;
  outcome: Outcome;
  email: string | null;
  detail: string;
}

const ORDER: Outcome[] = ['bounced', 'complained', 'unsubscribed', 'unchanged', 'kept', 'unverified', 'not on the list', 'skipped'];

async function lookup(store: SubscriberStore, address: string): Promise<Subscriber | null> {
  const check = checkAddress(address);
  return check.ok ? store.get(check.normalized) : null;
}

/**
 * A report counts only for a subscriber this newsletter sent the reported message to: its Message-ID must be one the
 * ledger recorded for them. A forged or foreign bounce cannot take anyone off the list.
 */
async function verified(
  store: SubscriberStore,
  ledger: Ledger,
  candidates: readonly string[],
  messageId: string | null,
): Promise<{ subscriber: Subscriber } | { outcome: Outcome; email: string | null; detail: string }> {
  const known: Subscriber[] = [];
  for (const a of candidates) {
    const s = await lookup(store, a);
    if (s) known.push(s);
  }
  if (known.length === 0) return { outcome: 'not on the list', email: candidates[0] ?? null, detail: 'no subscriber has this address' };
  if (messageId === null) {
    return { outcome: 'unverified', email: known[0]!.email, detail: 'the report does not include the original message, so it cannot be checked; see `subscribers remove`' };
  }
  let subscriber: Subscriber | undefined;
  for (const s of known) if (!subscriber && (await ledger.sentMessage(s.id, messageId))) subscriber = s;
  if (!subscriber) return { outcome: 'unverified', email: known[0]!.email, detail: `this newsletter sent no message ${messageId} to them` };
  return { subscriber };
}

/** Applies one classified report to the list (or, dry, says what it would do). */
export async function applyReturnedMail(
  store: SubscriberStore,
  ledger: Ledger,
  mail: ReturnedMail,
  dryRun: boolean,
): Promise<Omit<Result, 'source'>> {
  const change = async (subscriber: Subscriber, to: Status, from: readonly Status[], reason: string, via: string, outcome: Outcome): Promise<Omit<Result, 'source'>> => {
    if (!from.includes(subscriber.status)) return { outcome: 'unchanged', email: subscriber.email, detail: `already ${subscriber.status}` };
    if (!dryRun) await store.setStatus(subscriber.emailNormalized, to, reason, via);
    return { outcome, email: subscriber.email, detail: reason };
  };
  switch (mail.kind) {
    case 'other':
      return { outcome: 'skipped', email: null, detail: mail.why };
    case 'unsubscribe': {
      const subscriber = await lookup(store, mail.address);
      if (!subscriber) return { outcome: 'not on the list', email: mail.address, detail: 'no subscriber has this address' };
      return change(subscriber, 'unsubscribed', ['active', 'pending'], 'asked to unsubscribe by email', 'mailto', 'unsubscribed');
    }
    case 'complaint': {
      const found = await verified(store, ledger, mail.candidates, mail.messageId);
      if (!('subscriber' in found)) return found;
      const reason = `marked the newsletter as spam (${mail.feedbackType} report)`;
      return change(found.subscriber, 'complained', ['active', 'pending', 'unsubscribed', 'bounced'], reason, 'complaint-report', 'complained');
    }
    case 'bounce': {
      const what = `${mail.status || 'no status'}${mail.diagnostic ? ` ${mail.diagnostic}` : ''}`.slice(0, 300);
      if (!mail.permanent) return { outcome: 'kept', email: mail.candidates[0] ?? null, detail: `temporary (${mail.action || 'no action'}): ${what}` };
      if (!mail.badAddress) return { outcome: 'kept', email: mail.candidates[0] ?? null, detail: `refused, but not for a bad address: ${what}` };
      const found = await verified(store, ledger, mail.candidates, mail.messageId);
      if (!('subscriber' in found)) return found;
      return change(found.subscriber, 'bounced', ['active', 'pending'], `bounced: ${what}`, 'bounce-report', 'bounced');
    }
  }
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
    const { subscribers: store, ledger } = stores;
    for (const message of messages) {
      const source = message.label.startsWith(cmd.root) ? message.label.slice(cmd.root.length + 1) : message.label;
      for (const mail of await classifyReturnedMail(message.text, config.sending.unsubscribe_mailto ?? null)) {
        results.push({ source, ...(await applyReturnedMail(store, ledger, mail, cmd.dryRun)) });
      }
    }
  } finally {
    await stores.close();
  }

  const counts = Object.fromEntries(ORDER.map((o) => [o, results.filter((r) => r.outcome === o).length])) as Record<Outcome, number>;
  if (cmd.json) {
    out(JSON.stringify({ dryRun: cmd.dryRun, messages: messages.length, counts, results }, null, 2));
    return 0;
  }
  for (const r of results) out([r.outcome.padEnd(15), (r.email ?? '—').padEnd(32), r.detail, `(${r.source})`].join(' '));
  const summary = ORDER.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${o}`);
  out(`${cmd.dryRun ? 'Dry run, nothing changed: ' : ''}${messages.length} message${messages.length === 1 ? '' : 's'} read${summary.length ? `; ${summary.join(', ')}` : ''}`);
  return 0;
}
