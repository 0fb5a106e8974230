import { checkAddress } from '../../subscribers/email-address.ts';
import { NAME_MAX, nameProblem } from '../../subscribers/name.ts';
import type { Environment } from '../../config/environment.ts';
import { databaseFile } from '../../store/database-path.ts';
import { openDatabase, type Db } from '../../store/open.ts';
import { confirmationKeyring, sendConfirmationNow } from './confirmation-now.ts';
import { SqliteSubscriberStore } from '../../store/sqlite-subscribers.ts';
import { STATUSES, SUPPRESSED, type Status, type Subscriber, type SubscriberStore } from '../../subscribers/subscriber.ts';

export interface SubscribersContext {
  root: string;
  /** Where the command was run: a file name given is relative to it. */
  cwd: string;
  environment: Environment;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string, code = 1) => {
  process.stderr.write(`newsletter subscribers: ${line}\n`);
  return code;
};

/** Opens the database for one command that needs more than the store, and always closes it. */
async function withDatabase<T>(ctx: SubscribersContext, work: (db: Db, store: SqliteSubscriberStore) => Promise<T>): Promise<T> {
  const db = openDatabase(databaseFile(ctx.root, ctx.environment.databasePath));
  try {
    return await work(db, new SqliteSubscriberStore(db));
  } finally {
    db.close();
  }
}

/** Opens the store for one command and always closes it. */
function withStore<T>(ctx: SubscribersContext, work: (store: SubscriberStore) => T): T {
  const db = openDatabase(databaseFile(ctx.root, ctx.environment.databasePath));
  try {
    return work(new SqliteSubscriberStore(db));
  } finally {
    db.close();
  }
}

function normalized(email: string): { ok: true; address: string; normalized: string } | { ok: false; code: number } {
  const check = checkAddress(email);
  if (!check.ok) return { ok: false, code: fail(`${JSON.stringify(email)} ${check.reason}`, 2) };
  return check;
}

export async function runAdd(ctx: SubscribersContext, email: string, opts: { name?: string; confirmed: boolean }): Promise<number> {
  const address = normalized(email);
  if (!address.ok) return address.code;
  const name = (opts.name ?? '').trim();
  const problem = nameProblem(name);
  if (problem) return fail(`--name: ${problem} (a name is one line of at most ${NAME_MAX} characters, without control characters)`, 2);
  return withDatabase(ctx, async (db, store) => {
    const existing = store.get(address.normalized);
    if (existing) {
      if (existing.status === 'pending' && opts.confirmed) {
        store.setStatus(address.normalized, 'active', 'confirmed with the CLI', 'cli');
        out(`Confirmed ${existing.email}: now active`);
        return 0;
      }
      if (SUPPRESSED.has(existing.status)) {
        return fail(`${existing.email} is ${existing.status} and stays so: only they can subscribe again (see \`subscribers show\`)`);
      }
      const hint = existing.status === 'pending' ? `; \`subscribers resend-confirmation ${existing.email}\` sends a new link, \`subscribers confirm\` confirms them` : '';
      out(`${existing.email} is already on the list (${existing.status}); nothing changed${hint}`);
      return 0;
    }
    const request = { email: address.address, emailNormalized: address.normalized, name, source: 'cli' as const, reason: 'added with the CLI' };
    if (opts.confirmed) {
      store.add({ ...request, status: 'active' });
      out(`Added ${address.address} (active)`);
      return 0;
    }
    // Double opt-in, as from the form: pending until they click the link in the email sent now.
    const keys = confirmationKeyring(ctx.environment);
    if ('problem' in keys) {
      store.add({ ...request, status: 'pending' });
      out(`Added ${address.address} (pending)`);
      process.stderr.write(
        `newsletter subscribers: no confirmation email sent: ${keys.problem}. Then: newsletter subscribers resend-confirmation ${address.address} (or add them with --confirmed if they already agreed)\n`,
      );
      return 0;
    }
    const sent = await sendConfirmationNow(ctx.root, ctx.environment, db, keys.keyring, () => store.add({ ...request, status: 'pending' }));
    out(`Added ${address.address} (pending until they click the link)`);
    out(sent.line);
    return 0;
  });
}

/** `subscribers confirm <email>`: a pending subscriber becomes active, as their click would make them. */
export function runConfirm(ctx: SubscribersContext, email: string): number {
  const address = normalized(email);
  if (!address.ok) return address.code;
  return withStore(ctx, (store) => {
    const existing = store.get(address.normalized);
    if (!existing) return fail(`${address.address} is not on the list; add them with \`subscribers add ${address.address} --confirmed\``);
    if (existing.status === 'active') {
      out(`${existing.email} is already active; nothing changed`);
      return 0;
    }
    if (existing.status !== 'pending') return fail(`${existing.email} is ${existing.status}, not pending: only they can subscribe again`);
    store.setStatus(address.normalized, 'active', 'confirmed with the CLI', 'cli');
    out(`Confirmed ${existing.email}: now active`);
    return 0;
  });
}

/** `subscribers resend-confirmation <email>`: a fresh link for someone still pending; nobody else gets one. */
export async function runResendConfirmation(ctx: SubscribersContext, email: string): Promise<number> {
  const address = normalized(email);
  if (!address.ok) return address.code;
  const keys = confirmationKeyring(ctx.environment);
  if ('problem' in keys) return fail(`no confirmation email sent: ${keys.problem}`);
  return withDatabase(ctx, async (db, store) => {
    const existing = store.get(address.normalized);
    if (!existing) return fail(`${address.address} is not on the list`);
    if (existing.status !== 'pending') {
      return fail(`${existing.email} is ${existing.status}, not pending: a confirmation email is only for someone who has not confirmed yet`);
    }
    // The writer asked for this one: the form's one-a-day limit protects readers from strangers, not from their editor.
    const sent = await sendConfirmationNow(ctx.root, ctx.environment, db, keys.keyring, () => store.get(address.normalized) ?? existing);
    out(sent.line);
    return sent.sent ? 0 : 1;
  });
}

export function runRemove(ctx: SubscribersContext, email: string, opts: { purge: boolean }): number {
  const address = normalized(email);
  if (!address.ok) return address.code;
  return withStore(ctx, (store) => {
    if (!store.get(address.normalized)) return fail(`${address.address} is not on the list`);
    if (opts.purge) {
      store.purge(address.normalized);
      out(`Deleted ${address.address} and their history (erasure)`);
    } else if (store.setStatus(address.normalized, 'unsubscribed', 'removed with the CLI', 'cli')) {
      out(`Unsubscribed ${address.address}`);
    } else {
      out(`${address.address} was already unsubscribed; nothing changed`);
    }
    return 0;
  });
}

function row(s: Subscriber): string {
  return [s.email, s.name || '—', s.status, s.createdAt.slice(0, 10)].join('\t');
}

export function runList(ctx: SubscribersContext, opts: { status?: Status; json: boolean }): number {
  return withStore(ctx, (store) => {
    const list = store.list(opts.status ? { status: opts.status } : {});
    // The token key is the store's own business (what links are signed with), not part of the list a writer shares.
    if (opts.json) out(JSON.stringify(list.map(({ tokenKey: _key, legacyTokens: _legacy, ...s }) => s), null, 2));
    else {
      out(['email', 'name', 'status', 'since'].join('\t'));
      for (const s of list) out(row(s));
    }
    return 0;
  });
}

export function runShow(ctx: SubscribersContext, email: string): number {
  const address = normalized(email);
  if (!address.ok) return address.code;
  return withStore(ctx, (store) => {
    const s = store.get(address.normalized);
    if (!s) return fail(`${address.address} is not on the list`);
    out(`${s.email}${s.name ? ` (${s.name})` : ''}: ${s.status}`);
    out(`  source: ${s.source}; created ${s.createdAt}${s.confirmedAt ? `; confirmed ${s.confirmedAt}` : ''}${s.unsubscribedAt ? `; unsubscribed ${s.unsubscribedAt}` : ''}`);
    for (const [key, value] of Object.entries(s.attributes)) out(`  ${key}: ${value}`);
    out('History:');
    for (const e of store.events(address.normalized)) out(`  ${e.at}  ${e.from ?? '(new)'} → ${e.to}  ${e.reason} (via ${e.via})`);
    return 0;
  });
}

export function runCount(ctx: SubscribersContext): number {
  return withStore(ctx, (store) => {
    const counts = store.countByStatus();
    for (const status of STATUSES) out(`${status.padEnd(13)} ${counts[status]}`);
    out(`${'total'.padEnd(13)} ${STATUSES.reduce((n, s) => n + counts[s], 0)}`);
    return 0;
  });
}
