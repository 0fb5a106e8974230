/** The PostgreSQL URL as node-postgres is given it: libpq's sslmode meanings, and one line when TLS is refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openPool, withLibpqSslModes } from '../../src/store/pg/pg-pool.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

test('pg url: an sslmode is read as libpq reads it; a URL without one, or that already chose, is left alone', () => {
  const url = new URL(withLibpqSslModes('postgres://news:s%40cret@db.example.org:6432/letters?sslmode=require'));
  assert.equal(url.searchParams.get('sslmode'), 'require');
  assert.equal(url.searchParams.get('uselibpqcompat'), 'true');
  assert.equal(url.password, 's%40cret', 'the password keeps its escaping');
  assert.equal(url.host, 'db.example.org:6432');
  assert.equal(withLibpqSslModes('postgres://news@db/letters'), 'postgres://news@db/letters');
  assert.equal(withLibpqSslModes('postgres://news@db/letters?sslmode=require&uselibpqcompat=false'), 'postgres://news@db/letters?sslmode=require&uselibpqcompat=false');
});

test('pg url: sslmode=require against a server without TLS fails in one line naming the server, without node-postgres\'s warning or the password', needsPg, async (t) => {
  const url = new URL(await freshPgDatabase(t));
  url.searchParams.set('sslmode', 'require');
  const script = `import { connectPg } from ${JSON.stringify(new URL('../../src/store/pg/pg-connect.ts', import.meta.url).pathname)};
    try { await connectPg(process.env.URL); console.log('connected'); } catch (e) { console.error(e.message); process.exitCode = 1; }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, URL: url.toString() } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, /does not offer TLS/);
  assert.ok(lines[0]!.includes(`${url.hostname}:${url.port}`), lines[0]);
  assert.doesNotMatch(stderr, /SECURITY WARNING/);
  assert.ok(!stderr.includes(decodeURIComponent(url.password)), 'the password is never shown');
});

test('pg pool: every connection runs with JIT off, so a big send\'s generic commit plan never compiles', needsPg, async (t) => {
  const pool = openPool(await freshPgDatabase(t), { max: 2 });
  t.after(() => pool.end());
  const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
  try {
    for (const client of [a, b]) assert.deepEqual((await client.query('SHOW jit')).rows, [{ jit: 'off' }]);
  } finally {
    a.release();
    b.release();
  }
});
