/// <reference lib="dom" />
/**
 * The archive's sign-up form end to end (issue 14), as a writer tries it on day one: `newsletter build`, then
 * `newsletter serve --outbox`, open the archive in Chromium through the address serve prints, type an address,
 * submit, read "Check your inbox", and find the person pending in the database with their confirmation email in
 * the outbox. With the sample config (its `url` a public domain that does not exist here), with the README's
 * default (`url` unset: http://localhost:8787, while the browser comes through 127.0.0.1) and with a `url` that has
 * a path (`https://example.org/news`), which serve routes under. Run with `npm run test:e2e` (after `npm test`
 * built the CLI bundle).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { editFile, issueText, ROOT, runCli, tempProject } from '../support/fixtures.ts';
import { ARTEFACTS, launch } from './browser.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const CLI = join(ROOT, 'bin', 'newsletter.cjs');

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** `newsletter serve --port 0 --outbox` in `dir`; resolves with the address it prints, which the writer would open. */
async function serveIn(dir: string): Promise<{ address: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--outbox'], {
    cwd: dir,
    env: { ...process.env, SMTP_URL: '', NEWSLETTER_DB: '', NEWSLETTER_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const found = /Serving sign-up, confirm and unsubscribe at (http:\/\/\S+\/) /.exec(output)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', () => reject(new Error(`serve exited early: ${output}`)));
  });
  const exited = once(child, 'exit');
  // Called by the test and again after it: a second call only waits for the same exit.
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  return { address, stop };
}

/** A project from the sample, its config edited by `config`, built with the real CLI. */
function builtProject(config: (dir: string) => void): { dir: string; cleanup: () => void } {
  const project = tempProject({ 'issues/2026-10-01-hello.md': issueText('Hello, readers.', 'title: Hello\ndate: 2026-10-01\nstatus: ready') });
  config(project.dir);
  const built = runCli(['build'], project.dir);
  assert.equal(built.status, 0, built.stderr);
  return project;
}

const CASES: { name: string; config: (dir: string) => void; path: string }[] = [
  { name: 'the sample config (url: a public domain)', config: () => {}, path: '/' },
  { name: "the README's default (no url)", config: (dir) => editFile(dir, 'newsletter.yaml', 'url: https://dissentdesk.example.org\n', ''), path: '/' },
  { name: 'a url with a path', config: (dir) => editFile(dir, 'newsletter.yaml', 'url: https://dissentdesk.example.org', 'url: https://example.org/news'), path: '/news/' },
];

for (const c of CASES) {
  test(`sign-up form through newsletter serve, with ${c.name}: "Check your inbox", a pending subscriber, a confirmation email`, async (t) => {
    const project = builtProject(c.config);
    t.after(project.cleanup);
    const served = await serveIn(project.dir);
    t.after(served.stop);
    assert.equal(new URL(served.address).pathname, c.path, 'serve prints the address of the archive');
    const page = await browser.newPage();
    t.after(() => page.close());
    const blocked: string[] = [];
    // Chromium asks every site for /favicon.ico on its own; the archive has none, and that is not the page's doing.
    page.on('response', (r) => {
      if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') blocked.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) blocked.push(m.text());
    });
    await page.goto(served.address, { waitUntil: 'load' });
    assert.match((await page.textContent('main')) ?? '', /Hello/, 'the archive lists the issue');
    // The archive's own links stay on the server the reader came through.
    await page.click('main a[href*="hello"]');
    assert.equal(new URL(page.url()).origin, new URL(served.address).origin);
    assert.equal(new URL(page.url()).pathname, `${c.path}hello/`);
    await page.fill('#signup-email', 'reader@example.com');
    await Promise.all([page.waitForURL(/\/subscribe$/), page.click('form.signup button[type=submit]')]);
    assert.equal(new URL(page.url()).pathname, `${c.path}subscribe`);
    assert.match((await page.textContent('body')) ?? '', /Check your inbox/);
    if (c.path !== '/') await page.screenshot({ path: join(ARTEFACTS, 'signup-check-inbox.png') });
    assert.deepEqual(blocked, [], 'nothing blocked or broken on the way');
    await served.stop();
    const db = new Database(join(project.dir, 'data', 'newsletter.db'), { readonly: true });
    t.after(() => db.close());
    assert.deepEqual(db.prepare('SELECT email, status FROM subscribers').all(), [{ email: 'reader@example.com', status: 'pending' }]);
    const outbox = join(project.dir, 'dist', 'outbox', 'confirmations');
    const [mail] = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    assert.ok(mail, 'the confirmation email is in the outbox');
    const base = c.path === '/news/' ? 'https://example.org/news' : c.name.includes('default') ? 'http://localhost:8787' : 'https://dissentdesk.example.org';
    assert.match(readFileSync(join(outbox, mail), 'utf8').replace(/=\r?\n/g, ''), new RegExp(`${base.replace(/[./]/g, '\\$&')}/confirm/`), 'its link is under url');
  });
}
