import { BadTagError, parseTags } from '../../audience/tags.ts';
import { checkAddress } from '../../subscribers/email-address.ts';
import { NAME_MAX, nameProblem } from '../../subscribers/name.ts';
import type { Environment } from '../../config/environment.ts';
import type { Stores } from '../../store/stores.ts';
import { openCommandStores } from '../open-command-stores.ts';
import { confirmationKeyring, sendConfirmationNow } from './confirmation-now.ts';
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

/** Opens the stores for one command that needs more than the subscribers, and always closes them. */
async function withDatabase<T>(ctx: SubscribersContext, work: (stores: Stores, store: SubscriberStore) => Promise<T>): Promise<T> {
  const stores = await openCommandStores(ctx.root, ctx.environment.databasePath, 'subscribers');
  try {
    return await work(stores, stores.subscribers);
  } finally {
    await stores.close();
  }
}

/** Opens the subscriber store for one command and always closes it. */
function withStore<T>(ctx: SubscribersContext, work: (store: SubscriberStore) => Promise<T>): Promise<T> {
  return withDatabase(ctx, (_stores, store) => work(store));
}

/** The tags as stored, or the exit code after a one-line error naming the first bad one. */
function checkedTags(tags: readonly string[]): { ok: true; tags: string[] } | { ok: false; code: number } {
  try {
    return { ok: true, tags: parseTags(tags) };
  } catch (error) {
    if (error instanceof BadTagError) return { ok: false, code: fail(error.message, 2) };
    throw error;
  }
}

function normalized(email: string): { ok: true; address: string; normalized: string } | { ok: false; code: number } {
  const check = checkAddress(email);
  if (!check.ok) return { ok: false, code: fail(`${JSON.stringify(email)} ${check.reason}`, 2) };
  return check;
}

export async function runAdd(ctx: SubscribersContext, email: string, opts: { name?: string; confirmed: boolean; tag?: string[] }): Promise<number> {
  const address = normalized(email);
  if (!address.ok) return address.code;
  const tags = checkedTags(opts.tag ?? []);
  if (!tags.ok) return tags.code;
  const name = (opts.name ?? '').trim();
  const problem = nameProblem(name);
  if (problem) return fail(`--name: ${problem} (a name is one line of at most ${NAME_MAX} characters, without control characters)`, 2);
  return withDatabase(ctx, async (stores, store) => {
    const existing = await store.get(address.normalized);
    if (existing) {
      if (existing.status === 'pending' && opts.confirmed) {
        await store.setStatus(address.normalized, 'active', 'confirmed with the CLI', 'cli');
        out(`Confirmed ${existing.email}: now active`);
        return 0;
      }
      if (SUPPRESSED.has(existing.status)) {
        return fail(`${existing.email} is ${existing.status} and stays so: only they can subscribe again (see \`subscribers show\`)`);
      }
      const hint = existing.status === 'pending' ? `; \`subscribers resend-confirmation ${existing.email}\` sends a new link, \`subscribers confirm\` confirms them` : '';
      const tagHint = tags.tags.length > 0 ? `; \`subscribers tag ${existing.email} ${tags.tags.join(' ')}\` tags them` : '';
      out(`${existing.email} is already on the list (${existing.status}); nothing changed${hint}${tagHint}`);
      return 0;
    }
    const request = { email: address.address, emailNormalized: address.normalized, name, source: 'cli' as const, reason: 'added with the CLI', tags: tags.tags };
    if (opts.confirmed) {
      await store.add({ ...request, status: 'active' });
      out(`Added ${address.address} (active)`);
      return 0;
    }
    // Double opt-in, as from the form: pending until they click the link in the email sent now.
    const keys = confirmationKeyring(ctx.environment);
    if ('problem' in keys) {
      await store.add({ ...request, status: 'pending' });
      out(`Added ${address.address} (pending)`);
      process.stderr.write(
        `newsletter subscribers: no confirmation email sent: ${keys.problem}. Then: newsletter subscribers resend-confirmation ${address.address} (or add them with --confirmed if they already agreed)\n`,
      );
      return 0;
    }
    const sent = await sendConfirmationNow(ctx.root, ctx.environment, stores, keys.keyring, () => stores.signUps.addPending(request, new Date()));
    out(`Added ${address.address} (pending until they click the link)`);
    out(sent.line);
    return 0;
  });
}

/** `subscribers confirm <email>`: a pending subscriber becomes active, as their click would make them. */
export async function runConfirm(ctx: SubscribersContext, email: string): Promise<number> {
  const address = normalized(email);
  if (!address.ok) return address.code;
  return withStore(ctx, async (store) => {
    const existing = await store.get(address.normalized);
    if (!existing) return fail(`${address.address} is not on the list; add them with \`subscribers add ${address.address} --confirmed\``);
    if (existing.status === 'active') {
      out(`${existing.email} is already active; nothing changed`);
      return 0;
    }
    if (existing.status !== 'pending') return fail(`${existing.email} is ${existing.status}, not pending: only they can subscribe again`);
    await store.setStatus(address.normalized, 'active', 'confirmed with the CLI', 'cli');
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
  return withDatabase(ctx, async (stores, store) => {
    const existing = await store.get(address.normalized);
    if (!existing) return fail(`${address.address} is not on the list`);
    if (existing.status !== 'pending') {
      return fail(`${existing.email} is ${existing.status}, not pending: a confirmation email is only for someone who has not confirmed yet`);
    }
    // The writer asked for this one: the form's one-a-day limit protects readers from strangers, not from their editor.
    const sent = await sendConfirmationNow(ctx.root, ctx.environment, stores, keys.keyring, async () => {
      const current = (await store.get(address.normalized)) ?? existing;
      await stores.confirmations.enqueue(current.id, Date.now());
      return current;
    });
    out(sent.line);
    return sent.sent ? 0 : 1;
  });
}

export async function runRemove(ctx: SubscribersContext, email: string, opts: { purge: boolean }): Promise<number> {
  const address = normalized(email);
  if (!address.ok) return address.code;
  return withStore(ctx, async (store) => {
    if (!(await store.get(address.normalized))) return fail(`${address.address} is not on the list`);
    if (opts.purge) {
      await store.purge(address.normalized);
      out(`Deleted ${address.address} and their history (erasure)`);
    } else if (await store.setStatus(address.normalized, 'unsubscribed', 'removed with the CLI', 'cli')) {
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

export async function runList(ctx: SubscribersContext, opts: { status?: Status; tag?: string; json: boolean }): Promise<number> {
  const tag = opts.tag === undefined ? null : checkedTags([opts.tag]);
  if (tag && !tag.ok) return tag.code;
  return withStore(ctx, async (store) => {
    const list = await store.list({ ...(opts.status ? { status: opts.status } : {}), ...(tag ? { tag: tag.tags[0]! } : {}) });
    // The token key is the store's own business (what links are signed with), not part of the list a writer shares.
    if (opts.json) {
      const tags = await store.tagsById();
      out(JSON.stringify(list.map(({ tokenKey: _key, legacyTokens: _legacy, ...s }) => ({ ...s, tags: tags.get(s.id) ?? [] })), null, 2));
    } else {
      out(['email', 'name', 'status', 'since'].join('\t'));
      for (const s of list) out(row(s));
    }
    return 0;
  });
}

export async function runShow(ctx: SubscribersContext, email: string): Promise<number> {
  const address = normalized(email);
  if (!address.ok) return address.code;
  return withStore(ctx, async (store) => {
    const s = await store.get(address.normalized);
    if (!s) return fail(`${address.address} is not on the list`);
    out(`${s.email}${s.name ? ` (${s.name})` : ''}: ${s.status}`);
    out(`  source: ${s.source}; created ${s.createdAt}${s.confirmedAt ? `; confirmed ${s.confirmedAt}` : ''}${s.unsubscribedAt ? `; unsubscribed ${s.unsubscribedAt}` : ''}`);
    for (const [key, value] of Object.entries(s.attributes)) out(`  ${key}: ${value}`);
    for (const line of consentLines(s)) out(`  ${line}`);
    const tags = await store.tags(address.normalized);
    out(`  tags: ${tags.length > 0 ? tags.join(', ') : '(none)'}`);
    // Only when there are some: a list without topics shows what it always did.
    const left = await store.topicsLeft(address.normalized);
    if (left.length > 0) out(`  topics left: ${left.join(', ')}`);
    out('History:');
    for (const e of await store.events(address.normalized)) {
      // A tag change keeps the status (from = to): the reason says what changed.
      const change = e.from === e.to ? `${e.to}` : `${e.from ?? '(new)'} → ${e.to}`;
      out(`  ${e.at}  ${change}  ${e.reason} (via ${e.via})`);
    }
    return 0;
  });
}

/** Consent on record, as `show` prints it: how they came, when they asked and confirmed, from where, what evidence. */
function consentLines(s: Subscriber): string[] {
  const lines = [`consent: came by ${s.source}${s.consentSource && !s.source.endsWith(s.consentSource) ? ` (${s.consentSource})` : ''}`];
  lines.push(`  opted in: ${s.optedInAt ?? 'not recorded'}; confirmed: ${s.confirmedAt ?? 'not yet'}`);
  if (s.consentIp) lines.push(`  client address: ${s.consentIp}`);
  if (s.consentEvidence) lines.push(`  evidence: ${oneLineJson(s.consentEvidence)}`);
  return lines;
}

/** Evidence as one line a terminal only shows: JSON written again (its escapes keep control characters out). */
function oneLineJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return JSON.stringify(text);
  }
}

/** `subscribers tag <email> <tag…>` and `subscribers untag <email> <tag…>`: each tag that changes is an event. */
export async function runTag(ctx: SubscribersContext, email: string, given: readonly string[], opts: { remove: boolean }): Promise<number> {
  const address = normalized(email);
  if (!address.ok) return address.code;
  const tags = checkedTags(given);
  if (!tags.ok) return tags.code;
  return withStore(ctx, async (store) => {
    const changed = opts.remove ? await store.removeTags(address.normalized, tags.tags, 'cli') : await store.addTags(address.normalized, tags.tags, 'cli');
    const subscriber = changed === null ? null : await store.get(address.normalized);
    if (changed === null || !subscriber) return fail(`${address.address} is not on the list`);
    const unchanged = tags.tags.filter((tag) => !changed.includes(tag));
    if (changed.length > 0) out(`${opts.remove ? 'Untagged' : 'Tagged'} ${subscriber.email}: ${changed.join(', ')}`);
    if (unchanged.length > 0) out(`${subscriber.email} ${opts.remove ? 'did not have' : 'already had'} ${unchanged.join(', ')}; nothing changed for ${unchanged.length === 1 ? 'it' : 'them'}`);
    const now = await store.tags(address.normalized);
    out(`Tags now: ${now.length > 0 ? now.join(', ') : '(none)'}`);
    return 0;
  });
}

export async function runCount(ctx: SubscribersContext): Promise<number> {
  return withStore(ctx, async (store) => {
    const counts = await store.countByStatus();
    for (const status of STATUSES) out(`${status.padEnd(13)} ${counts[status]}`);
    out(`${'total'.padEnd(13)} ${STATUSES.reduce((n, s) => n + counts[s], 0)}`);
    return 0;
  });
}
