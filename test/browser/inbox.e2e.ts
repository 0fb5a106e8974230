/// <reference lib="dom" />
/**
 * The local inbox's own pages in a real browser (issue 14): Debian's Chromium through playwright-core, from the
 * issue page's real "Send test" button to deleting the message. Screenshots go to test-results/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { startPreview, type Preview } from '../../src/preview/server.ts';
import { sampleProject } from '../support/fixtures.ts';
import { ARTEFACTS, launch } from './browser.ts';

const ISSUE = 'issues/2026-10-14-harrowgate-camera-contract.md';
const SLUG = 'harrowgate-camera-contract';

/** A real, decodable PNG of one colour (a truncated one would load with naturalWidth 0 and prove nothing). */
function png(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => [r, g, b][i % 3]!)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

let browser: Browser;
let preview: Preview;
let project: { dir: string; cleanup: () => void };

before(async () => {
  project = sampleProject();
  // The sample issue gets an image of its own, which the preview serves (the site is not published yet).
  const path = join(project.dir, ISSUE);
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n\n![A chart of the contract's cost](images/cost-chart.png)\n`);
  mkdirSync(join(project.dir, 'issues/images'), { recursive: true });
  writeFileSync(join(project.dir, 'issues/images/cost-chart.png'), png(320, 160, [163, 38, 28]));
  preview = await startPreview({ root: project.dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await preview?.close();
  project?.cleanup();
});

async function open(path: string, width = 1280, height = 800): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  // The sample's remote images stand for the published site, which this closed network cannot reach.
  await page.route('https://example.org/images/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png(600, 300, [90, 110, 130]) }));
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  (page as Page & { problems: string[] }).problems = problems;
  // The live-reload stream answers once the server has the page's subscription.
  const events = page.waitForResponse((r) => new URL(r.url()).pathname === '/events');
  (page as Page & { events: Promise<unknown> }).events = events;
  await page.goto(new URL(path, preview.url).href);
  return page;
}

const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;

async function noSideScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${page.url()}: the page scrolls sideways (${scroll} > ${client})`);
}

test('browser: Send test lands on the message page; its headers, HTML with images, links; the list; delete', async () => {
  const page = await open(`/issues/${SLUG}`);
  await page.locator('header a[href="/inbox"]').waitFor();
  await page.fill('input[name="to"]', 'writer@example.net');
  await page.click('button:has-text("Send test")');
  await page.waitForURL(/\/inbox\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  assert.equal(preview.inbox!.messages[0]!.id, id, 'the newest message');

  // The headers, From, To, Subject and Date first.
  const table = page.locator('table.message-headers');
  const names = await table.locator('th').allInnerTexts();
  assert.deepEqual(names.slice(0, 4), ['From', 'To', 'Subject', 'Date']);
  const text = await table.innerText();
  assert.match(text, /Subject\s+\[Test\] Harrowgate/);
  assert.match(text, /From\s+"?The Dissent Desk"? <newsletter@dissentdesk\.example\.org>/);
  assert.match(text, /To\s+Sample Reader <writer@example\.net>/);

  // The HTML tab: the email in its sandboxed frame, every image loaded, the issue's own one from the preview.
  const handle = await page.waitForSelector(`iframe.received[src="/inbox/${id}/html"]`);
  const frame = (await handle.contentFrame())!;
  await frame.waitForLoadState('load');
  await frame.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
  const images = await frame.evaluate(() => Array.from(document.images, (img) => ({ src: img.getAttribute('src') ?? '', width: img.naturalWidth })));
  assert.ok(images.length >= 3, `the email's images: ${JSON.stringify(images)}`);
  for (const image of images) assert.ok(image.width > 0, `${image.src} did not load`);
  assert.ok(images.some((i) => i.src.startsWith(`/issues/${SLUG}/assets/`) && i.src.endsWith('cost-chart.png')), `the issue's own image comes from the preview: ${JSON.stringify(images)}`);
  assert.match(await frame.locator('body').innerText(), /Harrowgate/);
  await page.screenshot({ path: join(ARTEFACTS, 'inbox.png') });

  // The links tab lists the issue's links (the unsubscribe link and the web page, at least), each checked.
  await page.click('nav.tabs a:has-text("Links")');
  await page.waitForURL(/tab=links/);
  const links = await page.locator('table.link-check td.url code').allInnerTexts();
  const sent = preview.inbox!.messages[0]!.html!;
  assert.ok(links.length > 0);
  for (const url of links.filter((u) => u.startsWith('https://'))) assert.ok(sent.includes(url.replaceAll('&', '&amp;')) || sent.includes(url), url);
  assert.ok(links.some((u) => /\/unsubscribe\//.test(u)), `the unsubscribe link: ${links.join(' ')}`);
  await page.screenshot({ path: join(ARTEFACTS, 'inbox-links.png') });

  // The raw source scrolls inside its box at 375 px; nothing else does.
  await page.setViewportSize({ width: 375, height: 800 });
  for (const tab of ['html', 'headers', 'raw', 'links', 'text']) {
    await page.goto(new URL(`/inbox/${id}?tab=${tab}`, preview.url).href);
    await noSideScroll(page);
  }
  await page.screenshot({ path: join(ARTEFACTS, 'inbox-raw-375.png') });

  // The list shows it; at 375 px as well.
  await page.goto(new URL('/inbox', preview.url).href);
  await noSideScroll(page);
  await page.screenshot({ path: join(ARTEFACTS, 'inbox-list-375.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  const row = page.locator(`table.inbox-list a[href="/inbox/${id}"]`);
  assert.match(await row.innerText(), /^\[Test\] Harrowgate/);
  await page.screenshot({ path: join(ARTEFACTS, 'inbox-list.png') });
  // Dark, as the writer's system asks for it.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(new URL(`/inbox/${id}?tab=links`, preview.url).href);
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(247, 245, 241)', 'the dark colours apply');
  await page.screenshot({ path: join(ARTEFACTS, 'inbox-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Delete it from its page: back on the list, which is empty.
  await page.goto(new URL(`/inbox/${id}`, preview.url).href);
  await page.click('form[action$="/delete"] button');
  await page.waitForURL(/\/inbox$/);
  assert.equal(await page.locator('table.inbox-list').count(), 0);
  assert.match(await page.locator('main').innerText(), /No mail yet/);
  assert.equal(preview.inbox!.messages.length, 0);
  await noSideScroll(page);
  await page.screenshot({ path: join(ARTEFACTS, 'inbox-empty.png') });
  assert.deepEqual(problemsOf(page), [], 'no CSP violation or script error');
  await page.close();
});

test('browser: the inbox list follows new mail live, and Delete all empties it', async () => {
  const page = await open('/inbox');
  assert.equal(await page.evaluate(() => document.body.dataset.inbox), 'list');
  // The live-reload script has its event stream before anything is sent.
  await (page as Page & { events: Promise<unknown> }).events;
  for (const to of ['one@example.net', 'two@example.net']) {
    const response = await fetch(new URL(`/issues/${SLUG}/test`, preview.url), { method: 'POST', body: new URLSearchParams({ to }), redirect: 'manual' });
    assert.equal(response.status, 303);
  }
  await page.locator('table.inbox-list tbody tr').nth(1).waitFor();
  assert.match(await page.locator('table.inbox-list tbody tr').first().innerText(), /two@example\.net/, 'newest first');
  await page.click('button:has-text("Delete all")');
  await page.waitForURL(/\/inbox$/);
  await page.locator('text=No mail yet').waitFor();
  assert.equal(preview.inbox!.messages.length, 0);
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});
