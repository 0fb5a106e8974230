/**
 * The webhook endpoint end to end (issue 18), the same for every provider and both engines: the real public server
 * over HTTP on 127.0.0.1, real stores, each provider's real verifier with keys and certificates made by the tests.
 * - a valid signed event is applied: its reader is suppressed, nobody else;
 * - every forgery (a changed byte, a wrong key, an old timestamp, a replay, a certificate from elsewhere, an unknown
 *   topic, a body over 1 MB) gets the same 401 and body, and changes nothing: no status, no recorded event;
 * - a provider not enabled answers 404; no log line holds a secret.
 * webhooks.test.ts runs it on SQLite, pg-webhooks.test.ts on PostgreSQL.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { FeedbackKind } from '../../../src/feedback/feedback-event.ts';
import { DEFAULT_SOFT_BOUNCE_POLICY } from '../../../src/feedback/suppression-policy.ts';
import type { Fetch, WebhookProvider } from '../../../src/feedback/webhook-provider.ts';
import { MAX_EVENTS_BODY_BYTES, REFUSED_BODY, REFUSED_STATUS } from '../../../src/server/events-routes.ts';
import { publicApp } from '../../../src/server/public-server.ts';
import { openStores } from '../../../src/store/open-stores.ts';
import type { Stores } from '../../../src/store/stores.ts';
import { keyringFromEnv } from '../../../src/subscribers/tokens.ts';
import { projectSetup, ROOT } from '../../support/fixtures.ts';

/** The reader an event is about: the address, our Message-ID and the provider's id from the 250 reply. */
export interface Target {
  email: string;
  messageId: string;
  providerId: string;
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: string | Buffer;
}

/** One provider as the tests drive it. */
export interface WebhookCase {
  /** The path segment: `/events/<name>`. */
  name: string;
  /** The provider, enabled with the test's secret (and, for SES, a fetch that serves the test's certificate). */
  provider(): WebhookProvider;
  /** Secrets that must never be logged. */
  secrets: string[];
  /** A valid signed request saying `kind` happened to the target, at `now`. */
  valid(target: Target, kind: FeedbackKind, now: number): SignedRequest;
  /** What the valid request's event does to its reader's status. */
  suppresses: { kind: FeedbackKind; status: string };
  /** Requests that must be refused, each named by what is wrong with it. */
  forgeries(target: Target, now: number): { why: string; request: SignedRequest }[];
  /** The valid request with its signature taken away; by default, its headers (SNS signs inside the body). */
  unsigned?(request: SignedRequest): SignedRequest;
  /** A signed subscription confirmation and the URL serve must fetch to confirm it (SNS). */
  confirmation?(now: number): { request: SignedRequest; url: string };
  /** A fetch the provider's checks use (SES: certificates; the SubscribeURL). */
  fetch?: Fetch;
}

// The real clock, to the second: an SNS test certificate made by openssl is valid from the moment it is made.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const keyring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');

export type OpenTestStores = (t: TestContext) => Promise<Stores>;

/** SQLite in a temporary folder. */
export const sqliteTestStores: OpenTestStores = async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-webhooks-'));
  const stores = await openStores(join(dir, 'newsletter.db'), { server: true });
  t.after(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return stores;
};

/** A world: two readers, one send to both with known Message-IDs and 250 replies, and the server on a free port. */
async function world(t: TestContext, open: OpenTestStores, c: WebhookCase) {
  const stores = await open(t);
  const targets: Target[] = [];
  for (const name of ['ann', 'bob']) {
    await stores.subscribers.add({ email: `${name}@example.org`, emailNormalized: `${name}@example.org`, name, status: 'active', source: 'cli', reason: 'test' });
  }
  const { send } = await stores.ledger.plan({ slug: 'issue-1', issueFile: 'issues/issue-1.md', subject: 'Issue 1', sourceHash: 'h1', html: '<p>x</p>', text: 'x', placeholderPrefix: 'nlmerge0' }, NOW - 3_600_000);
  const run = await stores.ledger.startRun(send.id, { pid: 1, host: 'here', transport: 'test' }, NOW - 3_600_000);
  const claimed = await stores.ledger.commit(send.id, run, [], 100, NOW - 3_600_000);
  for (const r of claimed) {
    const name = r.email.split('@')[0]!;
    targets.push({ email: r.email, messageId: `<i1.${name}.${r.subscriberId}@news.example.org>`, providerId: `0100019ae1${name === 'ann' ? 'aa' : 'bb'}${r.subscriberId.toString(16).padStart(8, '0')}-000000` });
  }
  await stores.ledger.commit(
    send.id,
    run,
    claimed.map((r, i) => ({ subscriberId: r.subscriberId, state: 'sent' as const, reply: `250 Ok ${targets[i]!.providerId}`, messageId: targets[i]!.messageId })),
    0,
    NOW - 3_600_000,
  );
  await stores.ledger.endRun(run, 'done', NOW - 3_600_000);
  const { config } = await projectSetup();
  const log: string[] = [];
  const provider = c.provider();
  const app = publicApp({
    root: ROOT,
    config,
    stores,
    keyring,
    now: () => new Date(NOW),
    log: (line) => log.push(line),
    events: { providers: new Map([[provider.name, provider]]), policy: DEFAULT_SOFT_BOUNCE_POLICY, fetch: c.fetch ?? (() => Promise.reject(new Error('no fetch in this test'))) },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  // All connections: the one a refused 1 MB upload was on is not idle, and close() alone would wait for it.
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as Server).closeAllConnections();
  }));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(config.url).pathname.replace(/\/$/, '')}`;
  const post = (path: string, request: SignedRequest) => postRaw(`${base}${path}`, request);
  const statuses = async () => Promise.all(targets.map(async (x) => (await stores.subscribers.get(x.email))!.status));
  const recorded = async () => (await stores.feedback.recent(0)).reduce((n, r) => n + r.count, 0);
  return { stores, targets, post, statuses, recorded, log, ann: targets.find((x) => x.email.startsWith('ann'))! };
}

/**
 * A POST with node:http rather than fetch: the server answers a body over the limit before reading it, then drains
 * or cuts the upload, and the answer counts even when the rest of the upload fails (fetch would throw instead).
 */
function postRaw(url: string, request: SignedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    // A connection per request: the server cuts the one an oversize upload came on, and a pooled reuse would fail.
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(request.body);
  });
}

export function webhookContract(engine: string, open: OpenTestStores, cases: readonly WebhookCase[], options: { skip?: string } = {}): void {
  for (const c of cases) {
    test(`${engine} webhooks, ${c.name}: a valid signed event is applied to its reader alone, and sending it again changes nothing`, options, async (t) => {
      const w = await world(t, open, c);
      const request = c.valid(w.ann, c.suppresses.kind, NOW);
      const first = await w.post(`/events/${c.name}`, request);
      assert.equal(first.status, 200, first.body);
      assert.equal(JSON.parse(first.body).suppressed, 1, first.body);
      assert.deepEqual(await w.statuses(), [c.suppresses.status, 'active']);
      assert.equal(await w.recorded(), 1);
      assert.equal((await w.stores.feedback.recent(0))[0]!.provider, c.name);
      const again = await w.post(`/events/${c.name}`, request);
      assert.equal(again.status, REFUSED_STATUS, 'a replayed request is refused');
      assert.equal(again.body, REFUSED_BODY);
      assert.equal(await w.recorded(), 1);
      for (const secret of c.secrets) assert.ok(!w.log.some((line) => line.includes(secret)), 'no log line holds the secret');
    });

    test(`${engine} webhooks, ${c.name}: every forgery and a body over 1 MB get the same 401 and change nothing`, options, async (t) => {
      const w = await world(t, open, c);
      const valid = c.valid(w.ann, c.suppresses.kind, NOW);
      const forgeries = [
        ...c.forgeries(w.ann, NOW),
        { why: 'no signature at all', request: c.unsigned ? c.unsigned(valid) : { headers: { 'content-type': 'application/json' }, body: valid.body } },
        { why: 'a body over 1 MB', request: { headers: valid.headers, body: Buffer.concat([Buffer.from(valid.body), Buffer.alloc(MAX_EVENTS_BODY_BYTES, 32)]) } },
      ];
      assert.ok(forgeries.length >= 4, 'each provider names its own forgeries');
      for (const { why, request } of forgeries) {
        const answer = await w.post(`/events/${c.name}`, request);
        assert.equal(answer.status, REFUSED_STATUS, `${why}: ${answer.body}`);
        assert.equal(answer.body, REFUSED_BODY, why);
        assert.deepEqual(await w.statuses(), ['active', 'active'], why);
        assert.equal(await w.recorded(), 0, why);
      }
      const refusals = w.log.filter((line) => line.includes('refused'));
      assert.equal(refusals.length, forgeries.length, 'each refusal is logged');
      assert.match(refusals.at(-1)!, new RegExp(`${forgeries.length} refused since start`));
      assert.match(refusals.at(-1)!, /over 1048576 bytes/);
      for (const secret of c.secrets) assert.ok(!w.log.some((line) => line.includes(secret)), 'no log line holds the secret');
      // The real request still works after all that.
      assert.equal((await w.post(`/events/${c.name}`, valid)).status, 200);
    });

    const confirmation = c.confirmation;
    if (confirmation) {
      test(`${engine} webhooks, ${c.name}: a signed subscription confirmation is confirmed by fetching its URL, and changes nothing else`, options, async (t) => {
        const asked: string[] = [];
        const fetch: Fetch = async (url) => {
          asked.push(url);
          return c.fetch!(url);
        };
        const w = await world(t, open, { ...c, fetch });
        const { request, url } = confirmation(NOW);
        const answer = await w.post(`/events/${c.name}`, request);
        assert.equal(answer.status, 200, answer.body);
        assert.ok(asked.includes(url), 'the SubscribeURL was fetched');
        assert.deepEqual(await w.statuses(), ['active', 'active']);
        assert.equal(await w.recorded(), 0);
      });
    }
  }

  test(`${engine} webhooks: a provider that is not enabled answers 404, and so does an unknown one`, options, async (t) => {
    const c = cases[0]!;
    const w = await world(t, open, c);
    const other = c.name === 'generic' ? 'mailgun' : 'generic';
    for (const name of [other, 'nosuch']) {
      const answer = await w.post(`/events/${name}`, c.valid(w.ann, c.suppresses.kind, NOW));
      assert.equal(answer.status, 404, name);
    }
    assert.deepEqual(await w.statuses(), ['active', 'active']);
  });
}
