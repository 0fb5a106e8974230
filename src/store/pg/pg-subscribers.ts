import type pg from 'pg';
import { subscriberFromRow, type SubscriberRow } from '../../subscribers/subscriber-row.ts';
import { newTokenKey } from '../../subscribers/tokens.ts';
import { DuplicateSubscriberError } from '../sqlite-subscribers.ts';
import { parseTags } from '../../audience/tags.ts';
import { recordConsent } from './pg-subscriber-consent.ts';
import { leaveTopic, rejoinTopic, topicsLeft } from './pg-subscriber-topics.ts';
import { addTags, listTagged, removeTags, tagCounts, tagsById, tagsOf, tagSubscriber } from './pg-subscriber-tags.ts';
import { transaction } from './pg-transaction.ts';
import { importExtras, nullableTextArray, textArray } from './pg-import-extras.ts';
import { consentValues } from '../import-consent.ts';
import {
  noImportCounts,
  PROGRESS_EVERY,
  STATUSES,
  type ImportCounts,
  type ImportOptions,
  type ImportRow,
  type ListFilter,
  type NewSubscriber,
  type Status,
  type Subscriber,
  type SubscriberEvent,
  type SubscriberStore,
  type TagCount,
} from '../../subscribers/subscriber.ts';

/*
 * The steps other PostgreSQL stores (sign-ups, the ledger) take inside their own transactions, on their client, so
 * that a subscriber's change and its event commit with whatever else that transaction writes.
 */

export async function appendEvent(client: pg.ClientBase, subscriberId: number, at: string, from: Status | null, to: Status, reason: string, via: string): Promise<void> {
  await client.query('INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via) VALUES ($1, $2, $3, $4, $5, $6)', [
    subscriberId,
    at,
    from,
    to,
    reason,
    via,
  ]);
}

/** Adds the subscriber and its first event; null, changing nothing, when the address is already on the list. */
export async function insertSubscriber(client: pg.ClientBase, s: NewSubscriber, at: string): Promise<Subscriber | null> {
  const tags = parseTags(s.tags ?? []);
  // ON CONFLICT waits for a concurrent insert of the same address to end, so two sign-ups never both add it.
  const { rows } = await client.query<SubscriberRow>(
    `INSERT INTO subscribers (email, email_normalized, name, status, source, attributes, created_at, confirmed_at, unsubscribed_at, token_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (email_normalized) DO NOTHING RETURNING *`,
    [
      s.email,
      s.emailNormalized,
      s.name,
      s.status,
      s.source,
      JSON.stringify(s.attributes ?? {}),
      at,
      s.status === 'active' ? at : null,
      s.status === 'unsubscribed' ? at : null,
      newTokenKey(),
    ],
  );
  if (!rows[0]) return null;
  const id = Number(rows[0].id);
  await appendEvent(client, id, at, null, s.status, s.reason, s.source);
  await recordConsent(client, id, s.consent, at);
  await tagSubscriber(client, id, s.status, tags, s.source, at);
  return (await lockSubscriberById(client, id))!;
}

/** The subscriber with this address, its row locked until the transaction ends; null when there is none. */
export async function lockSubscriber(client: pg.ClientBase, emailNormalized: string): Promise<Subscriber | null> {
  const { rows } = await client.query<SubscriberRow>('SELECT * FROM subscribers WHERE email_normalized = $1 FOR UPDATE', [emailNormalized]);
  return rows[0] ? subscriberFromRow(rows[0]) : null;
}

/** The subscriber with this id, its row locked until the transaction ends; null when there is none. */
export async function lockSubscriberById(client: pg.ClientBase, id: number): Promise<Subscriber | null> {
  const { rows } = await client.query<SubscriberRow>('SELECT * FROM subscribers WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] ? subscriberFromRow(rows[0]) : null;
}

/** Moves a subscriber whose row this transaction has locked to `to`, with its event; false when it was already there. */
export async function changeStatus(client: pg.ClientBase, subscriber: Subscriber, to: Status, reason: string, via: string, at: string): Promise<boolean> {
  if (subscriber.status === to) return false;
  await client.query(
    `UPDATE subscribers SET status = $1,
       confirmed_at = CASE WHEN $1 = 'active' THEN $2 ELSE confirmed_at END,
       unsubscribed_at = CASE WHEN $1 = 'unsubscribed' THEN $2 ELSE unsubscribed_at END
     WHERE id = $3`,
    [to, at, subscriber.id],
  );
  await appendEvent(client, subscriber.id, at, subscriber.status, to, reason, via);
  return true;
}

/** The subscriber store on PostgreSQL: the SQLite store's behaviour, every change in one transaction. */
export class PgSubscriberStore implements SubscriberStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(emailNormalized: string): Promise<Subscriber | null> {
    return this.one('SELECT * FROM subscribers WHERE email_normalized = $1', [emailNormalized]);
  }

  async byId(id: number): Promise<Subscriber | null> {
    return this.one('SELECT * FROM subscribers WHERE id = $1', [id]);
  }

  async byTokenKey(tokenKey: string): Promise<Subscriber | null> {
    return this.one('SELECT * FROM subscribers WHERE token_key = $1', [tokenKey]);
  }

  async list(filter: ListFilter = {}): Promise<Subscriber[]> {
    if (filter.tag !== undefined) return listTagged(this.pool, { ...filter, tag: filter.tag });
    const { rows } = filter.status
      ? await this.pool.query<SubscriberRow>('SELECT * FROM subscribers WHERE status = $1 ORDER BY id', [filter.status])
      : await this.pool.query<SubscriberRow>('SELECT * FROM subscribers ORDER BY id');
    return rows.map(subscriberFromRow);
  }

  async countByStatus(): Promise<Record<Status, number>> {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    const { rows } = await this.pool.query<{ status: Status; n: number }>('SELECT status, count(*) AS n FROM subscribers GROUP BY status');
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async add(s: NewSubscriber): Promise<Subscriber> {
    return transaction(this.pool, async (client) => {
      // Looked for first, before the clock is read, as on SQLite; the insert still refuses one added meanwhile.
      const { rowCount } = await client.query('SELECT 1 FROM subscribers WHERE email_normalized = $1', [s.emailNormalized]);
      const added = rowCount === 0 ? await insertSubscriber(client, s, this.now().toISOString()) : null;
      if (!added) throw new DuplicateSubscriberError(s.email);
      return added;
    });
  }

  async setStatus(emailNormalized: string, to: Status, reason: string, via: string): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const subscriber = await lockSubscriber(client, emailNormalized);
      // The clock is read only for a change, as on SQLite: a test's ticking clock then gives the same times.
      if (!subscriber || subscriber.status === to) return false;
      return changeStatus(client, subscriber, to, reason, via, this.now().toISOString());
    });
  }

  async markBounced(id: number, reason: string, at: Date = this.now()): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const { rowCount } = await client.query(`UPDATE subscribers SET status = 'bounced' WHERE id = $1 AND status = 'active'`, [id]);
      if (rowCount === 0) return false;
      await appendEvent(client, id, at.toISOString(), 'active', 'bounced', reason, 'bounce');
      return true;
    });
  }

  async purge(emailNormalized: string): Promise<boolean> {
    // One statement, its own transaction: the events go with the row (ON DELETE CASCADE).
    const { rowCount } = await this.pool.query('DELETE FROM subscribers WHERE email_normalized = $1', [emailNormalized]);
    return (rowCount ?? 0) > 0;
  }

  async events(emailNormalized: string): Promise<SubscriberEvent[]> {
    const { rows } = await this.pool.query<{ at: string; from_status: Status | null; to_status: Status; reason: string; via: string }>(
      `SELECT e.at, e.from_status, e.to_status, e.reason, e.via FROM subscriber_events e
       JOIN subscribers s ON s.id = e.subscriber_id WHERE s.email_normalized = $1 ORDER BY e.id`,
      [emailNormalized],
    );
    return rows.map((e) => ({ at: e.at, from: e.from_status, to: e.to_status, reason: e.reason, via: e.via }));
  }

  /**
   * Plans against the rows one query finds, holding no lock, so that sign-ups carry on meanwhile; then writes the
   * plan in batches, in one transaction, all or nothing. Every batched write checks that what it planned on still
   * holds (an insert meeting an address added meanwhile, an update or an unchanged row whose name or attributes
   * changed meanwhile, or whose row was deleted) and locks the rows it wrote or relied on; the addresses that
   * failed a check are planned again against their rows, read locked, and written again, so the result is as if the
   * whole import had run alone. Rows for one address are applied in order, folded into one write.
   */
  async importMany(rows: readonly ImportRow[], source: string, options: ImportOptions = {}): Promise<ImportCounts> {
    const byAddress = new Map<string, ImportRow[]>();
    for (const r of rows) {
      const same = byAddress.get(r.emailNormalized);
      if (same) same.push(r);
      else byAddress.set(r.emailNormalized, [r]);
    }
    const { rows: found } = await this.pool.query<Existing>('SELECT id, email_normalized, name, attributes FROM subscribers WHERE email_normalized = ANY($1)', [
      textArray([...byAddress.keys()]),
    ]);
    const first = planImport(byAddress, [...byAddress.keys()], found);
    // Awaited, so that a test may change the list from another connection, meanwhile, before the writes begin.
    await options.onPlanned?.();

    let counts = noImportCounts();
    const rollback = new Error('dry run');
    try {
      await transaction(this.pool, async (client) => {
        // From the start again if PostgreSQL made this transaction a deadlock's victim and it runs a second time.
        counts = noImportCounts();
        const progress = new Progress(rows.length, options.onProgress);
        let plan = first;
        const at = this.now().toISOString();
        // The step that held for each address, for the statuses and tags written after the plan.
        const held = new Map<string, ImportStep>();
        for (;;) {
          const again = await writePlan(client, plan, source, at, (step) => {
            counts.imported += step.counts.imported;
            counts.updated += step.counts.updated;
            counts.unchanged += step.counts.unchanged;
            if (step.kind === 'insert') counts.importedAs[step.first.status ?? 'active']++;
            held.set(step.address, step);
            progress.add(step.rows);
          });
          if (again.length === 0) break;
          // Changed meanwhile: read again, locked this time, so that the second plan holds (bar another new insert).
          const locked = await client.query<Existing>(
            'SELECT id, email_normalized, name, attributes FROM subscribers WHERE email_normalized = ANY($1) ORDER BY id FOR UPDATE',
            [again],
          );
          plan = planImport(byAddress, again, locked.rows);
        }
        const extras = await importExtras(client, byAddress, source, at);
        for (const to of extras.became.values()) counts.became[to]++;
        for (const address of extras.changed) {
          // An address the file only tagged, or moved to a suppressed status, was updated all the same.
          if (held.get(address)?.kind === 'unchanged' && counts.unchanged > 0) {
            counts.unchanged--;
            counts.updated++;
          }
        }
        progress.end();
        if (options.dryRun) throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
    return counts;
  }

  async tags(emailNormalized: string): Promise<string[]> {
    return tagsOf(this.pool, emailNormalized);
  }

  async addTags(emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null> {
    return addTags(this.pool, this.now, emailNormalized, tags, via);
  }

  async removeTags(emailNormalized: string, tags: readonly string[], via: string): Promise<string[] | null> {
    return removeTags(this.pool, this.now, emailNormalized, tags, via);
  }

  async topicsLeft(emailNormalized: string): Promise<string[]> {
    return topicsLeft(this.pool, emailNormalized);
  }

  async leaveTopic(emailNormalized: string, topic: string, via: string): Promise<boolean | null> {
    return leaveTopic(this.pool, this.now, emailNormalized, topic, via);
  }

  async rejoinTopic(emailNormalized: string, topic: string, via: string): Promise<boolean | null> {
    return rejoinTopic(this.pool, this.now, emailNormalized, topic, via);
  }

  async tagCounts(): Promise<TagCount[]> {
    return tagCounts(this.pool);
  }

  async tagsById(): Promise<Map<number, string[]>> {
    return tagsById(this.pool);
  }

  private async one(sql: string, values: unknown[]): Promise<Subscriber | null> {
    const { rows } = await this.pool.query<SubscriberRow>(sql, values);
    return rows[0] ? subscriberFromRow(rows[0]) : null;
  }
}

/** Rows written per statement: large enough that round trips do not count, small enough to keep statements modest. */
const BATCH = 5000;

interface Existing {
  id: number;
  email_normalized: string;
  name: string;
  attributes: string;
}

/** What one address's rows do together, and the state of its row they were planned against. */
interface StepCommon {
  address: string;
  /** How many import rows the step stands for. */
  rows: number;
  counts: RowCounts;
}
type RowCounts = Pick<ImportCounts, 'imported' | 'updated' | 'unchanged'>;
type InsertStep = StepCommon & { kind: 'insert'; first: ImportRow; name: string; json: string; tokenKey: string };
type UpdateStep = StepCommon & { kind: 'update'; id: number; name: string; json: string; oldName: string; oldJson: string };
type UnchangedStep = StepCommon & { kind: 'unchanged'; id: number; oldName: string; oldJson: string };
type ImportStep = InsertStep | UpdateStep | UnchangedStep;

/** Each address's rows laid, in order, over its row as found (or over nothing: the first row inserts). */
function planImport(byAddress: ReadonlyMap<string, ImportRow[]>, addresses: readonly string[], found: readonly Existing[]): ImportStep[] {
  const existing = new Map(found.map((e) => [e.email_normalized, e]));
  return addresses.map((address) => {
    const rows = byAddress.get(address)!;
    const known = existing.get(address);
    const counts: RowCounts = { imported: 0, updated: 0, unchanged: 0 };
    let state = known ? { name: known.name, json: known.attributes } : null;
    for (const r of rows) {
      if (!state) {
        state = { name: r.name, json: JSON.stringify(r.attributes) };
        counts.imported++;
        continue;
      }
      const next = merged(state, r);
      if (next.name === state.name && next.json === state.json) counts.unchanged++;
      else {
        counts.updated++;
        state = next;
      }
    }
    const { name, json } = state!;
    // Object literals, not spreads of a common part: a spread costs five times as much, half a second per 100,000.
    if (!known) return { kind: 'insert', address, rows: rows.length, counts, first: rows[0]!, name, json, tokenKey: newTokenKey() };
    if (name === known.name && json === known.attributes) {
      return { kind: 'unchanged', address, rows: rows.length, counts, id: known.id, oldName: known.name, oldJson: known.attributes };
    }
    return { kind: 'update', address, rows: rows.length, counts, id: known.id, name, json, oldName: known.name, oldJson: known.attributes };
  });
}

/**
 * Writes a plan in batches, inserts in address order and the rest in id order (two imports then lock rows in the same
 * order, so they queue rather than deadlock); calls `done` for each step that held, and returns the addresses whose
 * step did not.
 */
async function writePlan(client: pg.ClientBase, plan: readonly ImportStep[], source: string, at: string, done: (step: ImportStep) => void): Promise<string[]> {
  const again: string[] = [];
  const settle = <S extends ImportStep>(batch: readonly S[], held: (step: S) => boolean) => {
    for (const step of batch) {
      if (held(step)) done(step);
      else again.push(step.address);
    }
  };
  const inserts = plan.filter((s): s is InsertStep => s.kind === 'insert').sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  await pipelined(client, inserts, insertBatch(source, at), (batch, rows: { email_normalized: string }[]) => {
    const inserted = new Set(rows.map((r) => r.email_normalized));
    settle(batch, (s) => inserted.has(s.address));
  });
  const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
  const updates = plan.filter((s): s is UpdateStep => s.kind === 'update').sort(byId);
  await pipelined(client, updates, UPDATE_BATCH, (batch, rows: { id: number }[]) => {
    const updated = new Set(rows.map((r) => r.id));
    settle(batch, (s) => updated.has(s.id));
  });
  const unchanged = plan.filter((s): s is UnchangedStep => s.kind === 'unchanged').sort(byId);
  await pipelined(client, unchanged, LOCK_UNCHANGED, (batch, rows: { id: number }[]) => {
    const same = new Set(rows.map((r) => r.id));
    settle(batch, (s) => same.has(s.id));
  });
  return again;
}

/** One statement for a batch of steps, and its parameters. */
interface BatchStatement<S> {
  sql: string;
  values(batch: readonly S[]): unknown[];
}

/**
 * Runs `statement` for each batch of `steps`, in order, one at a time, making the next batch's parameters while the
 * server writes the current one (the two sides then share the work); `took` gets each batch's returned rows.
 */
async function pipelined<S, R extends pg.QueryResultRow>(
  client: pg.ClientBase,
  steps: readonly S[],
  statement: BatchStatement<S>,
  took: (batch: readonly S[], rows: R[]) => void,
): Promise<void> {
  const all: S[][] = [];
  for (let i = 0; i < steps.length; i += BATCH) all.push(steps.slice(i, i + BATCH));
  let values = all.length > 0 ? statement.values(all[0]!) : [];
  for (let i = 0; i < all.length; i++) {
    const running = client.query<R>(statement.sql, values);
    if (i + 1 < all.length) values = statement.values(all[i + 1]!);
    took(all[i]!, (await running).rows);
  }
}

/** New rows and their events, in one statement; returns the addresses inserted (the others were added meanwhile). */
const insertBatch = (source: string, at: string): BatchStatement<InsertStep> => ({
  sql: `WITH added AS (
          INSERT INTO subscribers (email, email_normalized, name, status, source, attributes, created_at, confirmed_at, unsubscribed_at, token_key,
                                   consent_source, opted_in_at, consent_ip, consent_evidence)
          SELECT u.email, u.email_normalized, u.name, u.status, $7::text, u.attributes, $8::text,
                 CASE WHEN u.status = 'active' THEN $8::text END, CASE WHEN u.status = 'unsubscribed' THEN $8::text END, u.token_key,
                 $9::text, u.opted_in_at, u.consent_ip, u.consent_evidence
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $10::text[], $11::text[], $12::text[])
            AS u(email, email_normalized, name, status, attributes, token_key, opted_in_at, consent_ip, consent_evidence)
          ON CONFLICT (email_normalized) DO NOTHING
          RETURNING id, status, email_normalized
        ), events AS (
          INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via)
          SELECT id, $8::text, NULL, status, 'imported from another service', $7::text FROM added
        )
        SELECT email_normalized FROM added`,
  values: (batch) => [
    textArray(batch.map((s) => s.first.email)),
    textArray(batch.map((s) => s.address)),
    textArray(batch.map((s) => s.name)),
    textArray(batch.map((s) => s.first.status ?? 'active')),
    textArray(batch.map((s) => s.json)),
    textArray(batch.map((s) => s.tokenKey)),
    source,
    at,
    consentValues(batch[0]?.first ?? NO_ROW, source).consentSource,
    ...consentArrays(batch, source),
  ],
});

const NO_ROW: ImportRow = { email: '', emailNormalized: '', name: '', attributes: {} };

/** The opt-in times, IPs and evidence of a batch of new addresses, as three array literals (NULL where none). */
function consentArrays(batch: readonly InsertStep[], source: string): [string, string, string] {
  const values = batch.map((s) => consentValues(s.first, source));
  return [nullableTextArray(values.map((v) => v.optedInAt)), nullableTextArray(values.map((v) => v.consentIp)), nullableTextArray(values.map((v) => v.consentEvidence))];
}

/** Changed names and attributes, each only where the row is still as planned; returns the ids updated. */
const UPDATE_BATCH: BatchStatement<UpdateStep> = {
  sql: `UPDATE subscribers s SET name = u.name, attributes = u.attributes
        FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, name, attributes, old_name, old_attributes)
        WHERE s.id = u.id AND s.name = u.old_name AND s.attributes = u.old_attributes
        RETURNING s.id`,
  values: (batch) => [
    integerArray(batch.map((s) => s.id)),
    textArray(batch.map((s) => s.name)),
    textArray(batch.map((s) => s.json)),
    textArray(batch.map((s) => s.oldName)),
    textArray(batch.map((s) => s.oldJson)),
  ],
};

/** Rows the import leaves as they are, locked against change until it commits; returns the ids still as planned. */
const LOCK_UNCHANGED: BatchStatement<UnchangedStep> = {
  sql: `SELECT s.id FROM subscribers s JOIN unnest($1::integer[], $2::text[], $3::text[]) AS u(id, name, attributes) ON s.id = u.id
        WHERE s.name = u.name AND s.attributes = u.attributes ORDER BY s.id FOR SHARE OF s`,
  values: (batch) => [integerArray(batch.map((s) => s.id)), textArray(batch.map((s) => s.oldName)), textArray(batch.map((s) => s.oldJson))],
};

function integerArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** A row's name and attributes with an import row laid over it: a new name if the row has one, attributes merged. */
function merged(state: { name: string; json: string }, r: ImportRow): { name: string; json: string } {
  const attributes = { ...(JSON.parse(state.json) as Record<string, string>), ...r.attributes };
  return { name: r.name || state.name, json: JSON.stringify(attributes) };
}

/** `onProgress` at every PROGRESS_EVERY rows written, and once at the end. */
class Progress {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly report: ImportOptions['onProgress'],
  ) {}

  add(rows: number): void {
    const before = this.done;
    this.done += rows;
    for (let mark = (Math.floor(before / PROGRESS_EVERY) + 1) * PROGRESS_EVERY; mark <= this.done && mark < this.total; mark += PROGRESS_EVERY) {
      this.report?.(mark, this.total);
    }
  }

  end(): void {
    this.report?.(this.total, this.total);
  }
}
