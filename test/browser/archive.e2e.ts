/// <reference lib="dom" />
/**
 * The web archive as `newsletter serve` serves it, in Chromium (issue 12, finding 5): its own content security policy
 * lets its images load (from the server, from `url`, from https hosts, data: URLs) and its sign-up form post to
 * `/subscribe` on the server the reader came through, even when `url` names another origin (issue 14). Run with
 * `npm run test:e2e`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Browser, Page } from 'playwright-core';
import { build } from '../../src/publish/build.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Inbox } from '../../src/preview/inbox.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';
import { editFile, issueText, tempProject } from '../support/fixtures.ts';
import { ARTEFACTS, launch } from './browser.ts';
import { sqliteStoresOn } from '../../src/store/open-stores.ts';

/** A real 1×1 PNG, so that a loaded image has a natural width. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const DATA_URL = `data:image/png;base64,${PNG.toString('base64')}`;

let browser: Browser;
let project: { dir: string; cleanup: () => void };
let server: ReturnType<typeof serve>;
let db: Db;
let inbox: Inbox;
/** The origin the browser uses; `url` in the config names the same server as `localhost`, another origin. */
let base: string;

before(async () => {
  project = tempProject({
    'issues/images/chart.png': '',
    'issues/2026-10-01-pictures.md': issueText(
      'Intro.\n\n![A local chart](images/chart.png)\n\nA remote one: ![A remote photo](https://images.example/photo.png)',
      'title: Pictures\ndate: 2026-10-01\nstatus: ready',
    ),
  });
  writeFileSync(join(project.dir, 'issues', 'images', 'chart.png'), PNG);
  // Templates are the author's: one shows a logo as a data: URL.
  editFile(project.dir, 'templates/web/archive.hbs', '<h1>{{newsletter.name}}</h1>', `<h1>{{newsletter.name}}</h1><img id="logo" alt="Logo" src="${DATA_URL}">`);
  // The server listens before the archive is built, so that `url` can name its port.
  const late: { app?: Hono } = {};
  server = await new Promise((resolve) => {
    const s = serve({ fetch: (request, env) => late.app!.fetch(request, env), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
  editFile(project.dir, 'newsletter.yaml', 'url: https://dissentdesk.example.org', `url: http://localhost:${address.port}`);
  const report = await build({ root: project.dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, true, JSON.stringify(report.issues.map((i) => i.diagnostics)));
  inbox = new Inbox();
  await inbox.listen(0);
  db = openDatabase(join(project.dir, 'data', 'test.db'));
  const config = await loadConfig(project.dir);
  late.app = publicApp({
    root: project.dir,
    webRoot: join(project.dir, 'dist', 'web'),
    config,
    stores: sqliteStoresOn(db, { server: true }),
    keyring: keyringFromEnv('a-test-secret-that-is-long-enough-0123456789'),
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await inbox?.close();
  db?.close();
  project?.cleanup();
});

/** A page that records every content security policy violation and console error, across navigations. */
async function open(path: string): Promise<{ page: Page; problems: string[]; violation: Promise<string> }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  let violated: (text: string) => void = () => {};
  const violation = new Promise<string>((resolve) => (violated = resolve));
  const report = (text: string) => {
    problems.push(text);
    violated(text);
  };
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) report(m.text());
  });
  await page.exposeFunction('reportViolation', report);
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportViolation: (t: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  // No network here: the https image is answered by the browser's own router, which only sees requests the page's
  // policy let through.
  await page.route('https://images.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PNG }));
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  return { page, problems, violation };
}

const widths = (page: Page) =>
  page.evaluate(() => Object.fromEntries(Array.from(document.images, (img) => [img.getAttribute('src') ?? '', img.complete ? img.naturalWidth : -1])));

test('archive in Chromium: the issue page loads its local image (from url) and its https image; no policy violation', async () => {
  const { page, problems } = await open('/pictures/');
  const loaded = await widths(page);
  const local = Object.keys(loaded).find((src) => src.endsWith('/pictures/chart.png'));
  assert.ok(local?.startsWith('http://localhost:'), `the local image points at url: ${JSON.stringify(loaded)}`);
  assert.equal(loaded[local!], 1, 'the local image loaded');
  assert.equal(loaded['https://images.example/photo.png'], 1, 'the https image was allowed');
  await page.screenshot({ path: join(ARTEFACTS, 'archive-issue.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('archive in Chromium: a data: image loads, and the sign-up form posts to the server the reader came through, whatever origin url names', async () => {
  const { page, problems, violation } = await open('/');
  assert.equal((await widths(page))[DATA_URL], 1, 'the data: image loaded');
  await page.fill('#signup-email', 'reader@example.com');
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/subscribe');
  const clicked = page.click('form.signup button[type=submit]');
  // A blocked form never navigates (and the click keeps waiting for it): the violation ends the wait.
  for (const pending of [posted, clicked]) pending.catch(() => {});
  const response = await Promise.race([posted, violation.then((text) => assert.fail(`the form was blocked: ${text}`))]);
  await clicked;
  assert.equal(response.url(), `${base}/subscribe`, 'not to url (http://localhost:…), another origin');
  assert.equal(response.status(), 200);
  await page.waitForLoadState('load');
  assert.match(await page.textContent('body') ?? '', /Check your inbox/);
  assert.equal(new SqliteSubscriberTable(db).get('reader@example.com')?.status, 'pending', 'the sign-up reached the server');
  assert.deepEqual(problems, []);
  await page.close();
});
