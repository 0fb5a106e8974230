/** `server.trust_proxy` (issue 12, finding 6): behind a proxy, each client gets its own rate-limit bucket. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { parseConfig } from '../../src/config/load.ts';
import { clientAddress } from '../../src/server/client-address.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { openDatabase } from '../../src/store/open.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';
import { projectFor } from '../support/fixtures.ts';
import { sqliteStoresOn } from '../../src/store/open-stores.ts';

test('clientAddress: the N-th address from the right with N hops; the socket with 0 or a malformed header', () => {
  assert.equal(clientAddress('10.0.0.1', '203.0.113.7', 0), '10.0.0.1', '0 hops: the header is ignored');
  assert.equal(clientAddress('10.0.0.1', undefined, 1), '10.0.0.1');
  assert.equal(clientAddress('10.0.0.1', '203.0.113.7', 1), '203.0.113.7');
  assert.equal(clientAddress('10.0.0.1', '198.51.100.1, 203.0.113.7', 1), '203.0.113.7', 'what the client prepended is ignored');
  assert.equal(clientAddress('10.0.0.1', '198.51.100.1, 203.0.113.7, 10.0.0.2', 2), '203.0.113.7');
  assert.equal(clientAddress('10.0.0.1', '203.0.113.7', 3), '203.0.113.7', 'fewer addresses than hops: the leftmost, as Express does');
  assert.equal(clientAddress('10.0.0.1', ' 2001:DB8::1 ', 1), '2001:db8::1');
  assert.equal(clientAddress('10.0.0.1', 'garbage, 203.0.113.7', 1), '203.0.113.7', 'only the entries the proxies wrote are read');
  for (const bad of ['', 'not-an-ip', '203.0.113.7:4711', '203.0.113.7,', 'unknown', '203.0.113.7, ,']) {
    assert.equal(clientAddress('10.0.0.1', bad, 1), '10.0.0.1', JSON.stringify(bad));
  }
});

const keyring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');

/** The public server on a real socket on 127.0.0.1, as it runs behind a reverse proxy on the same machine. */
async function listen(t: TestContext, trustProxy: number): Promise<string> {
  const dir = projectFor(t);
  const db = openDatabase(join(dir, 'data', 'test.db'));
  t.after(() => db.close());
  const config = parseConfig(`server:\n  trust_proxy: ${trustProxy}\n`);
  // The honeypot answers without sending mail: the rate limit, counted first, is all that is exercised here.
  const app = publicApp({ root: dir, config, stores: sqliteStoresOn(db, { server: true }), keyring, now: () => new Date('2026-11-25T10:00:00Z') });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return `http://127.0.0.1:${address.port}`;
}

/** What the proxy sends on for one sign-up: the client's own header, if any, with the client's address appended. */
async function signUp(base: string, forwardedFor: string): Promise<number> {
  const r = await fetch(`${base}/subscribe`, {
    method: 'POST',
    headers: { 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams({ email: 'bot@example.com', website: 'http://spam.example' }),
  });
  await r.arrayBuffer();
  return r.status;
}

test('trust_proxy 1: two clients behind the proxy get a bucket each, and prepending addresses does not escape it', async (t) => {
  const base = await listen(t, 1);
  for (let i = 0; i < 10; i++) assert.equal(await signUp(base, '203.0.113.1'), 200);
  assert.equal(await signUp(base, '203.0.113.1'), 429, 'the first client is over its limit');
  assert.equal(await signUp(base, '198.51.100.77, 203.0.113.1'), 429, 'a spoofed address in front changes nothing');
  assert.equal(await signUp(base, '203.0.113.2'), 200, 'the second client has its own bucket');
});

test('trust_proxy 0 (the default): X-Forwarded-For is ignored, so everyone behind the proxy shares one bucket', async (t) => {
  const base = await listen(t, 0);
  for (let i = 0; i < 10; i++) assert.equal(await signUp(base, `203.0.113.${i + 1}`), 200);
  assert.equal(await signUp(base, '203.0.113.99'), 429, 'a header the server does not trust cannot buy a fresh bucket');
});

test('server.trust_proxy: a whole number of hops from 0 to 10, 0 by default; anything else names the key', () => {
  assert.equal(parseConfig('').server.trust_proxy, 0);
  assert.equal(parseConfig('server:\n  trust_proxy: 2\n').server.trust_proxy, 2);
  for (const bad of ['-1', '1.5', 'yes', '11']) {
    assert.throws(() => parseConfig(`server:\n  trust_proxy: ${bad}\n`), (error: Error & { diagnostics?: { field?: string; line: number; message: string }[] }) => {
      const d = error.diagnostics?.[0];
      assert.ok(d, String(error));
      assert.match(`${d.field ?? ''} ${d.message}`, /server\.trust_proxy/, bad);
      assert.equal(d.line, 2, bad);
      return true;
    });
  }
});
