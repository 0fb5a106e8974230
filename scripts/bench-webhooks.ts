/**
 * `npm run bench:webhooks` (issue 18): the webhook endpoint `POST /events/sendgrid` of `newsletter serve` takes
 * 1,000 signed SendGrid events, in batches of 100 (10 HTTP requests), in under 2 s, with every event applied once.
 *
 * Per engine, two stores seeded alike: 1,000 active subscribers, one send, and a delivery row for each with our
 * Message-ID and SendGrid's X-Message-Id from the 250 reply (the ledger's own commit), so that every event matches a
 * delivery. 900 events are deliveries, 50 hard bounces and 50 spam reports, each with its own sg_event_id (the test
 * helpers of test/server/webhooks/sendgrid-case.ts). Figures:
 * - over HTTP: the public server's real handler (publicApp, as `serve` makes it, on @hono/node-server) on 127.0.0.1,
 *   the 10 bodies signed beforehand with a P-256 key whose public half the provider holds, posted one after another
 *   with fetch: verification, parsing, the nonce and the batch's transaction. Target: under 2 s for the 1,000;
 * - the baseline, in the same run: the same 1,000 events, parsed from the same bodies, given to the second store's
 *   `feedback.apply` in the same batches, with no HTTP, no signature and no nonce.
 * Each engine first warms up both paths on a scratch store of its own (100 events each way), so neither figure pays
 * for the first compile of the apply path alone. Afterwards each store must hold exactly the 1,000 events, each once,
 * each on its own reader's delivery, and the readers' statuses must be those the bounces and complaints call for;
 * else the benchmark fails.
 * PostgreSQL: NEWSLETTER_BENCH_PG, else NEWSLETTER_TEST_PG (the tests' server, test/support/pg.ts), each figure on a
 * fresh database dropped at the end; neither set: the PostgreSQL lines say SKIP.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig } from '../src/config/load.ts';
import type { FeedbackEvent, FeedbackKind } from '../src/feedback/feedback-event.ts';
import { eventKey } from '../src/feedback/feedback-record.ts';
import { sendgridProvider } from '../src/feedback/sendgrid-provider.ts';
import type { SoftBouncePolicy } from '../src/feedback/suppression-policy.ts';
import type { WebhookProvider } from '../src/feedback/webhook-provider.ts';
import { publicApp } from '../src/server/public-server.ts';
import { openStores } from '../src/store/open-stores.ts';
import type { Stores } from '../src/store/stores.ts';
import { keyringFromEnv } from '../src/subscribers/tokens.ts';
import { sendgridEvent, sendgridHeaders, sendgridKeys } from '../test/server/webhooks/sendgrid-case.ts';
import type { Target } from '../test/server/webhooks/webhook-contract.ts';
import { benchPgServer } from './bench-pg-server.ts';
import { BENCH_SEND } from './bench-plan.ts';

const root = resolve(import.meta.dirname, '..');
const EVENTS = 1_000;
const BATCH = 100;
const WARM_UP = 100;
const TARGET_SECONDS = 2;
const SECRET = 'bench-secret-0123456789-0123456789-0123456789';
const results: boolean[] = [];

function report(name: string, line: string, ok: boolean | null | 'skip'): void {
  if (typeof ok === 'boolean') results.push(ok);
  console.log(`${ok === 'skip' ? 'SKIP' : ok === null ? 'INFO' : ok ? 'PASS' : 'FAIL'}  ${name}: ${line}`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Reader i's event: a hard bounce for every 20th from 0, a spam report for every 20th from 10, else a delivery. */
const kindFor = (i: number): FeedbackKind => (i % 20 === 0 ? 'hard-bounce' : i % 20 === 10 ? 'complaint' : 'delivered');
const statusAfter: Record<FeedbackKind, string> = { 'hard-bounce': 'bounced', complaint: 'complained', delivered: 'active', 'soft-bounce': 'active', unsubscribed: 'unsubscribed', deferred: 'active' };

/** `count` readers, prefix-named so a scratch store's never meet the measured ones': address, Message-ID, X-Message-Id. */
function targets(prefix: string, count: number): Target[] {
  return Array.from({ length: count }, (_, i) => ({
    email: `${prefix}${i}@example.org`,
    messageId: `<bench.${prefix}${i}.${randomBytes(6).toString('hex')}@news.example.org>`,
    // SendGrid's X-Message-Id: 22 characters of base64url, no dot (sg_message_id is it, a dot, and the filter's name).
    providerId: randomBytes(16).toString('base64url'),
  }));
}

/** The readers as active subscribers, one send to all of them, and each delivery recorded sent with its 250 reply. */
async function seed(stores: Stores, readers: readonly Target[], now: number): Promise<void> {
  await stores.subscribers.importMany(
    readers.map((r, i) => ({ email: r.email, emailNormalized: r.email, name: `Reader ${i}`, attributes: {} })),
    'bench',
  );
  const byEmail = new Map(readers.map((r) => [r.email, r]));
  const { send } = await stores.ledger.plan(BENCH_SEND, now - 3_600_000);
  const run = await stores.ledger.startRun(send.id, { pid: process.pid, host: 'bench', transport: 'bench' }, now - 3_600_000);
  let claimed = await stores.ledger.commit(send.id, run, [], 500, now - 3_600_000);
  while (claimed.length > 0) {
    const sent = claimed.map((c) => {
      const r = byEmail.get(c.email)!;
      return { subscriberId: c.subscriberId, state: 'sent' as const, reply: `250 Ok: queued as ${r.providerId}`, messageId: r.messageId };
    });
    claimed = await stores.ledger.commit(send.id, run, sent, 500, now - 3_600_000);
  }
  await stores.ledger.endRun(run, 'done', now - 3_600_000);
}

/** Rows of a query, on either engine (no parameters). */
async function rows<T>(stores: Stores, sql: string): Promise<T[]> {
  return stores.engine === 'sqlite' ? (stores.db.prepare(sql).all() as T[]) : (await stores.pool.query(sql)).rows as T[];
}

/** The bodies: batches of BATCH events, reader i's event in batch floor(i / BATCH). */
function bodies(readers: readonly Target[], now: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < readers.length; i += BATCH) {
    out.push(JSON.stringify(readers.slice(i, i + BATCH).map((r, j) => sendgridEvent(r, kindFor(i + j), now))));
  }
  return out;
}

interface Endpoint {
  url: string;
  close(): Promise<void>;
}

/** The public server's real handler on 127.0.0.1, SendGrid enabled, as `serve` makes it. */
async function startServer(stores: Stores, provider: WebhookProvider, policy: SoftBouncePolicy): Promise<Endpoint> {
  const config = await loadConfig(root);
  const app = publicApp({
    root,
    config,
    stores,
    keyring: keyringFromEnv(SECRET),
    log: () => {},
    events: { providers: new Map([[provider.name, provider]]), policy, fetch: () => Promise.reject(new Error('no fetch in this benchmark')) },
  });
  const server = await new Promise<ReturnType<typeof serve>>((r) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => r(s));
  });
  const base = new URL(config.url).pathname.replace(/\/$/, '');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}/events/sendgrid`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        (server as Server).closeAllConnections();
      }),
  };
}

interface Answer {
  events: number;
  suppressed: number;
  recorded: number;
  duplicate: number;
  unmatched: number;
}

/** Signs every body (untimed), then posts them one after another: the seconds from the first request to the last answer. */
async function overHttp(url: string, batches: readonly string[], key: KeyObject): Promise<{ seconds: number; answers: Answer[] }> {
  const signed = batches.map((body) => ({ body, headers: sendgridHeaders(key, body, Date.now()) }));
  const answers: Answer[] = [];
  const t0 = performance.now();
  for (const { body, headers } of signed) {
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`POST ${url}: ${response.status} ${text}`);
    answers.push(JSON.parse(text) as Answer);
  }
  return { seconds: (performance.now() - t0) / 1000, answers };
}

/** The baseline: the same bodies parsed and applied in the same batches, straight to the store. */
async function direct(stores: Stores, provider: WebhookProvider, policy: SoftBouncePolicy, batches: readonly string[]): Promise<{ seconds: number; answers: Answer[] }> {
  const answers: Answer[] = [];
  const t0 = performance.now();
  for (const body of batches) {
    const now = Date.now();
    const parsed = provider.parse(Buffer.from(body), now);
    if (!parsed.ok) throw new Error(`parse: ${parsed.reason}`);
    const result = await stores.feedback.apply(parsed.events, now, policy);
    if (result.replay) throw new Error('a replay without a nonce');
    const n = (o: string) => result.applied.filter((a) => a.outcome === o).length;
    answers.push({ events: parsed.events.length, suppressed: n('suppressed'), recorded: n('recorded'), duplicate: n('duplicate'), unmatched: n('unmatched') });
  }
  return { seconds: (performance.now() - t0) / 1000, answers };
}

/** What must be in the store after the run; the problems found, none when all is well. */
async function verify(stores: Stores, readers: readonly Target[], batches: readonly string[], provider: WebhookProvider, answers: readonly Answer[]): Promise<string[]> {
  const problems: string[] = [];
  const sum = (k: keyof Answer) => answers.reduce((a, x) => a + x[k], 0);
  const expectedSuppressed = readers.filter((_, i) => kindFor(i) !== 'delivered').length;
  if (sum('events') !== readers.length || sum('duplicate') !== 0 || sum('unmatched') !== 0 || sum('suppressed') !== expectedSuppressed || sum('recorded') !== readers.length - expectedSuppressed) {
    problems.push(`the answers said ${JSON.stringify({ events: sum('events'), suppressed: sum('suppressed'), recorded: sum('recorded'), duplicate: sum('duplicate'), unmatched: sum('unmatched') })}`);
  }
  const subscribers = await rows<{ id: number | string; email_normalized: string; status: string }>(stores, 'SELECT id, email_normalized, status FROM subscribers');
  const idOf = new Map(subscribers.map((s) => [s.email_normalized, Number(s.id)]));
  const statusOf = new Map(subscribers.map((s) => [s.email_normalized, s.status]));
  const sent: FeedbackEvent[] = batches.flatMap((body) => {
    const parsed = provider.parse(Buffer.from(body), Date.now());
    return parsed.ok ? parsed.events : [];
  });
  if (sent.length !== readers.length) problems.push(`${sent.length} events parsed from the bodies, not ${readers.length}`);
  const recorded = await rows<{ event_key: string; kind: string; outcome: string; subscriber_id: number | string | null; n: number | string }>(
    stores,
    "SELECT event_key, min(kind) AS kind, min(outcome) AS outcome, min(subscriber_id) AS subscriber_id, count(*) AS n FROM feedback_events WHERE provider = 'sendgrid' GROUP BY event_key",
  );
  const total = (await rows<{ n: number | string }>(stores, 'SELECT count(*) AS n FROM feedback_events'))[0]!;
  if (Number(total.n) !== readers.length) problems.push(`${total.n} events recorded, not ${readers.length}`);
  const byKey = new Map(recorded.map((r) => [r.event_key, r]));
  let wrong = 0;
  for (const event of sent) {
    const row = byKey.get(eventKey(event));
    const email = event.recipients[0]!;
    const suppresses = event.kind !== 'delivered';
    if (!row || Number(row.n) !== 1 || row.kind !== event.kind || Number(row.subscriber_id) !== idOf.get(email) || row.outcome !== (suppresses ? 'suppressed' : 'recorded')) wrong++;
  }
  if (wrong > 0) problems.push(`${wrong} events not recorded exactly once on their own reader's delivery with the right outcome`);
  const badStatus = readers.filter((r, i) => statusOf.get(r.email) !== statusAfter[kindFor(i)]).length;
  if (badStatus > 0) problems.push(`${badStatus} readers' statuses are not what their events call for`);
  return problems;
}

interface EngineStores {
  /** Opens a fresh, empty store; each is closed (and its files or database dropped) at the end. */
  open(): Promise<Stores>;
}

/** The figures of one engine. */
async function measure(name: string, engine: EngineStores, policy: SoftBouncePolicy): Promise<void> {
  const keys = sendgridKeys();
  const provider = sendgridProvider(keys.publicKey);
  const now = Date.now();

  // Warm-up on a scratch store: one batch over HTTP, one straight to the store.
  const scratch = await engine.open();
  const warm = targets('w', 2 * WARM_UP);
  await seed(scratch, warm, now);
  const warmServer = await startServer(scratch, provider, policy);
  try {
    const warmBodies = bodies(warm, now);
    await overHttp(warmServer.url, warmBodies.slice(0, WARM_UP / BATCH), keys.privateKey);
    await direct(scratch, provider, policy, warmBodies.slice(WARM_UP / BATCH));
  } finally {
    await warmServer.close();
  }

  const readers = targets('r', EVENTS);
  const viaHttp = await engine.open();
  const viaStore = await engine.open();
  const t0 = performance.now();
  await seed(viaHttp, readers, now);
  await seed(viaStore, readers, now);
  report(`${name} seed`, `two stores of ${fmt(EVENTS)} subscribers, each with a sent delivery (Message-ID and X-Message-Id), in ${fmt((performance.now() - t0) / 1000, 1)} s`, null);
  const batches = bodies(readers, Date.now());
  const mix = `${readers.filter((_, i) => kindFor(i) === 'delivered').length} delivered, ${readers.filter((_, i) => kindFor(i) === 'hard-bounce').length} bounces, ${readers.filter((_, i) => kindFor(i) === 'complaint').length} spam reports`;

  const server = await startServer(viaHttp, provider, policy);
  let http: { seconds: number; answers: Answer[] };
  try {
    http = await overHttp(server.url, batches, keys.privateKey);
  } finally {
    await server.close();
  }
  const base = await direct(viaStore, provider, policy, batches);

  const httpProblems = await verify(viaHttp, readers, batches, provider, http.answers);
  const baseProblems = await verify(viaStore, readers, batches, provider, base.answers);
  const rate = EVENTS / http.seconds;
  const baseRate = EVENTS / base.seconds;
  report(
    `${name} webhook`,
    `POST /events/sendgrid over HTTP took ${fmt(EVENTS)} signed events (${mix}) in ${batches.length} requests of ${BATCH} in ${fmt(http.seconds, 3)} s: ${fmt(rate)} events/s ` +
      `vs ${fmt(baseRate)} events/s straight to feedback.apply (${fmt(base.seconds, 3)} s): ${fmt(rate / baseRate, 2)}× (target < ${TARGET_SECONDS} s)`,
    http.seconds < TARGET_SECONDS && httpProblems.length === 0,
  );
  report(
    `${name} applied once`,
    httpProblems.length === 0
      ? `${fmt(EVENTS)} events recorded, each once on its own reader's delivery; statuses: ${readers.filter((_, i) => kindFor(i) === 'hard-bounce').length} bounced, ${readers.filter((_, i) => kindFor(i) === 'complaint').length} complained, the rest active`
      : httpProblems.join('; '),
    httpProblems.length === 0,
  );
  report(`${name} baseline applied once`, baseProblems.length === 0 ? `the same ${fmt(EVENTS)} events straight to the store: each recorded once, the same statuses` : baseProblems.join('; '), baseProblems.length === 0);
}

async function sqlite(policy: SoftBouncePolicy): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-webhooks-'));
  const opened: Stores[] = [];
  try {
    await measure(
      'sqlite',
      {
        open: async () => {
          const stores = await openStores(join(dir, `newsletter-${opened.length}.db`), { server: true });
          opened.push(stores);
          return stores;
        },
      },
      policy,
    );
  } finally {
    for (const stores of opened) await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(policy: SoftBouncePolicy): Promise<void> {
  const names = ['pg webhook', 'pg applied once', 'pg baseline applied once'];
  const from = process.env.NEWSLETTER_BENCH_PG ? 'NEWSLETTER_BENCH_PG' : process.env.NEWSLETTER_TEST_PG ? 'NEWSLETTER_TEST_PG' : '';
  if (!from) {
    for (const name of names) report(name, 'neither NEWSLETTER_BENCH_PG nor NEWSLETTER_TEST_PG is set (eval "$(bash scripts/pg-throwaway.sh start)" starts a server)', 'skip');
    return;
  }
  process.env.NEWSLETTER_BENCH_PG = process.env[from];
  const server = await benchPgServer();
  if ('skip' in server) {
    for (const name of names) report(name, server.skip, 'skip');
    return;
  }
  const opened: Stores[] = [];
  try {
    report('pg server', server.description.replace('NEWSLETTER_BENCH_PG', from), null);
    await measure(
      'pg',
      {
        open: async () => {
          const stores = await openStores(await server.fresh(), { server: true });
          opened.push(stores);
          return stores;
        },
      },
      policy,
    );
  } finally {
    for (const stores of opened) await stores.close();
    await server.stop();
  }
}

const config = await loadConfig(root);
console.log(`bench:webhooks: ${fmt(EVENTS)} signed SendGrid events in batches of ${BATCH}; Node ${process.version}\n`);
await sqlite(config.events.softBounce);
await postgres(config.events.softBounce);
console.log(`\n${results.every(Boolean) ? 'All targets met.' : 'Some targets missed.'}`);
process.exitCode = results.every(Boolean) ? 0 : 1;
