/**
 * `serve`'s web archive (issue 12, findings 5 and 14): its own content security policy, and never a dotfile or
 * anything reached through a symbolic link.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import { archivePath } from '../../src/server/archive-files.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { openDatabase } from '../../src/store/open.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';
import { projectFor } from '../support/fixtures.ts';
import { sqliteStoresOn } from '../../src/store/open-stores.ts';

const keyring = keyringFromEnv('a-test-secret-that-is-long-enough-0123456789');

function archive(t: TestContext, files: Record<string, string>, url = 'https://news.example.org') {
  const dir = projectFor(t, files);
  const db = openDatabase(join(dir, 'data', 'test.db'));
  t.after(() => db.close());
  const config = parseConfig(`url: ${url}\n`);
  const app = publicApp({ root: dir, webRoot: join(dir, 'dist', 'web'), config, stores: sqliteStoresOn(db, { server: true }), keyring });
  return { dir, app };
}

const policy = (r: Response) => r.headers.get('content-security-policy') ?? '';

test('archive pages get their own policy: images from self, url, https and data:, forms to the url origin; server pages keep the strict one', async (t) => {
  const { app } = archive(t, { 'dist/web/index.html': '<!doctype html><title>Archive</title>', 'dist/web/some-issue/chart.png': 'png' });
  const page = await app.request('/');
  assert.equal(page.status, 200);
  const csp = policy(page);
  assert.match(csp, /default-src 'none'/, 'still nothing by default: no script, frame or plugin');
  assert.match(csp, /img-src 'self' https:\/\/news\.example\.org https: data:/);
  assert.match(csp, /style-src 'unsafe-inline'/);
  assert.match(csp, /form-action 'self' https:\/\/news\.example\.org(;|$)/);
  assert.doesNotMatch(csp, /script-src/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(policy(await app.request('/some-issue/chart.png')), csp, 'the images too');
  for (const path of ['/nowhere', '/confirm/not-a-token']) {
    const strict = policy(await app.request(path));
    assert.match(strict, /^default-src 'none'; style-src 'unsafe-inline'; form-action 'self';/, path);
    assert.doesNotMatch(strict, /img-src/, path);
  }
});

/** GETs and HEADs of each path get a 404 and none of the hidden content. */
async function refused(app: ReturnType<typeof archive>['app'], paths: readonly string[]) {
  for (const path of paths) {
    for (const method of ['GET', 'HEAD']) {
      const r = await app.request(path, { method });
      assert.equal(r.status, 404, `${method} ${path}`);
      if (method === 'GET') assert.doesNotMatch(await r.text(), /SECRET|outside the archive|\[core\]|<title>Issue/, path);
    }
  }
}

test('the archive never serves a dotfile or dot-folder', async (t) => {
  const { app } = archive(t, {
    'dist/web/index.html': '<!doctype html><title>Archive</title>',
    'dist/web/.env': 'SECRET=1',
    'dist/web/.git/config': '[core]',
    'dist/web/some-issue/.hidden.png': 'SECRET png',
    'dist/web/plain.txt': 'plain',
  });
  assert.equal(await (await app.request('/plain.txt')).text(), 'plain');
  await refused(app, ['/.env', '/.git/config', '/.git/', '/some-issue/.hidden.png', '/%2eenv', '/.git%2fconfig', '/%2e%2e/newsletter.yaml', '//.env']);
});

test('the archive never follows a symbolic link, whether it leads out of dist/web or within it', async (t) => {
  const { dir, app } = archive(t, {
    'dist/web/index.html': '<!doctype html><title>Archive</title>',
    'dist/web/some-issue/index.html': '<!doctype html><title>Issue</title>',
    'secret.txt': 'outside the archive',
  });
  const web = join(dir, 'dist', 'web');
  symlinkSync(join(dir, 'secret.txt'), join(web, 'leak.txt'));
  symlinkSync(join(web, 'some-issue', 'index.html'), join(web, 'alias.html'));
  symlinkSync(join(web, 'some-issue'), join(web, 'alias'));
  symlinkSync(dir, join(web, 'project'));
  mkdirSync(join(web, 'linked-index'));
  symlinkSync(join(dir, 'secret.txt'), join(web, 'linked-index', 'index.html'));
  writeFileSync(join(web, 'plain.txt'), 'plain');
  assert.equal((await app.request('/some-issue/')).status, 200);
  assert.equal((await app.request('/some-issue/', { method: 'HEAD' })).status, 200);
  assert.equal(await (await app.request('/plain.txt')).text(), 'plain');
  await refused(app, ['/leak.txt', '/alias.html', '/alias/', '/alias/index.html', '/project/secret.txt', '/project/newsletter.yaml', '/linked-index/', '/linked-index']);
});

test('archivePath: dot segments, dotfiles, separators and bad encoding are refused', () => {
  assert.deepEqual(archivePath('/'), []);
  assert.deepEqual(archivePath('/a/b.png'), ['a', 'b.png']);
  assert.deepEqual(archivePath('/a%20b/'), ['a b']);
  for (const bad of ['/.', '/..', '/a/../b', '/.well-known/x', '/a//b', '/a%2fb', '/a%5cb', '/a%00', '/%zz', 'relative']) assert.equal(archivePath(bad), null, bad);
});
