/**
 * The sign-up form and the audience (issue 16), through the real public server on a real socket, on both engines:
 * the tags a form may ask for (`signup.tags`), and consent on record (the page, the time, the client address as
 * `privacy.ip` keeps it).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { parseConfig } from '../../src/config/load.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { openStores } from '../../src/store/open-stores.ts';
import type { Stores } from '../../src/store/stores.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';
import { projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

const keyring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');
const NOW = new Date('2026-11-25T10:00:00Z');

type Engine = (t: TestContext, dir: string) => Promise<string>;
const ENGINES: [string, Engine, object][] = [
  ['SQLite', async (_t, dir) => join(dir, 'data', 'test.db'), {}],
  ['PostgreSQL', (t) => freshPgDatabase(t), needsPg],
];

/** The public server on 127.0.0.1 behind one trusted proxy (so a test can say the client's address), and its stores. */
async function listen(t: TestContext, engine: Engine, yaml: string): Promise<{ base: string; stores: Stores }> {
  const dir = projectFor(t);
  const stores = await openStores(await engine(t, dir), { server: true, now: () => NOW });
  t.after(() => stores.close());
  const config = parseConfig(`server:\n  trust_proxy: 1\n${yaml}`);
  const app = publicApp({ root: dir, config, stores, keyring, now: () => NOW });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { base: `http://127.0.0.1:${address.port}`, stores };
}

async function signUp(base: string, body: URLSearchParams | FormData, headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(`${base}/subscribe`, { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.7', ...headers }, body });
  await r.arrayBuffer();
  return r.status;
}

for (const [engine, make, options] of ENGINES) {
  test(`sign-up form (${engine}): only the tags signup.tags allows are given, repeated fields or comma-separated`, options, async (t) => {
    const { base, stores } = await listen(t, make, 'signup:\n  tags: [weekly, breaking-news]\n');
    const repeated = new URLSearchParams([
      ['email', 'ada@example.com'],
      ['tags', 'Weekly'],
      ['tags', 'paid'],
      ['tags', 'breaking-news'],
    ]);
    assert.equal(await signUp(base, repeated), 200);
    assert.deepEqual(await stores.subscribers.tags('ada@example.com'), ['breaking-news', 'weekly']);
    assert.equal((await stores.subscribers.get('ada@example.com'))?.status, 'pending');

    const multipart = new FormData();
    multipart.set('email', 'bo@example.com');
    multipart.set('tags', 'weekly, vip,not ok');
    assert.equal(await signUp(base, multipart), 200);
    assert.deepEqual(await stores.subscribers.tags('bo@example.com'), ['weekly']);
    assert.deepEqual(
      (await stores.subscribers.events('bo@example.com')).map((e) => [e.to, e.reason, e.via]),
      [
        ['pending', 'signed up on the web', 'form'],
        ['pending', 'tag added: weekly', 'form'],
      ],
    );
    assert.deepEqual(await stores.subscribers.tagCounts(), [
      { tag: 'breaking-news', subscribers: 1 },
      { tag: 'weekly', subscribers: 2 },
    ]);
  });

  test(`sign-up form (${engine}): without signup.tags, a posted tag is ignored and the sign-up goes on`, options, async (t) => {
    const { base, stores } = await listen(t, make, '');
    assert.equal(await signUp(base, new URLSearchParams({ email: 'cy@example.com', tags: 'paid' })), 200);
    assert.equal((await stores.subscribers.get('cy@example.com'))?.status, 'pending');
    assert.deepEqual(await stores.subscribers.tagCounts(), []);
  });

  test(`sign-up form (${engine}): the form's page, else the Referer, only under url; the request time; the address truncated by default`, options, async (t) => {
    const { base, stores } = await listen(t, make, '');
    const get = async (email: string) => (await stores.subscribers.get(email))!;
    assert.equal(await signUp(base, new URLSearchParams({ email: 'ada@example.com', page: 'http://localhost:8787/first-issue/' }), { referer: 'http://localhost:8787/' }), 200);
    const ada = await get('ada@example.com');
    assert.deepEqual(
      { source: ada.source, page: ada.consentSource, optedInAt: ada.optedInAt, ip: ada.consentIp, evidence: ada.consentEvidence, confirmedAt: ada.confirmedAt },
      { source: 'form', page: 'http://localhost:8787/first-issue/', optedInAt: NOW.toISOString(), ip: '203.0.113.0/24', evidence: null, confirmedAt: null },
    );
    await signUp(base, new URLSearchParams({ email: 'bo@example.com' }), { referer: 'http://localhost:8787/page/2/?utm=x', 'x-forwarded-for': '2001:db8:1234:5678::9' });
    const bo = await get('bo@example.com');
    assert.deepEqual([bo.consentSource, bo.consentIp], ['http://localhost:8787/page/2/', '2001:db8:1234::/48']);
    await signUp(base, new URLSearchParams({ email: 'cy@example.com', page: 'https://evil.example/' }), { referer: 'https://evil.example/form' });
    assert.equal((await get('cy@example.com')).consentSource, null, 'a page not under url is not ours to record');
  });

  for (const [policy, expected] of [
    ['full', '203.0.113.7'],
    ['none', null],
  ] as const) {
    test(`sign-up form (${engine}): privacy.ip ${policy} keeps ${expected ?? 'no address'}`, options, async (t) => {
      const { base, stores } = await listen(t, make, `privacy:\n  ip: ${policy}\n`);
      await signUp(base, new URLSearchParams({ email: 'ada@example.com' }));
      assert.equal((await stores.subscribers.get('ada@example.com'))?.consentIp, expected);
    });
  }
}
