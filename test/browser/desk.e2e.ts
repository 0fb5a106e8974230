/**
 * The home page as the writer's desk, in Debian's Chromium: a database seeded through the store and the ledger
 * (subscribers over five days, one finished send over four minutes), the preview started on it, the charts and
 * their tables checked, no sideways scrolling at 1280 and at 375 px, and screenshots in test-results/ (desk.png is
 * also docs/images/preview-desk.png).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startPreview, type Preview } from '../../src/preview/server.ts';
import { sampleProject } from '../support/fixtures.ts';
import { SEEDED_ACTIVE_BY_DAY, SEEDED_COUNTS, SEEDED_PER_MINUTE, seedDesk } from '../support/desk-seed.ts';
import { ARTEFACTS, launch } from './browser.ts';

const DAY = 86_400_000;
let browser: Browser;
let preview: Preview;
let project: { dir: string; cleanup: () => void };

before(async () => {
  project = sampleProject();
  // Five days ending today, so the history ends where the seeded events do.
  await seedDesk(join(project.dir, 'data', 'newsletter.db'), Math.floor(Date.now() / DAY) * DAY - 4 * DAY);
  preview = await startPreview({ root: project.dir, port: 0, host: '127.0.0.1', smtpPort: null });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await preview?.close();
  project?.cleanup();
});

async function home(width: number, height: number, colorScheme: 'light' | 'dark' = 'light', url = preview.url): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(url);
  assert.deepEqual(problems, [], 'no CSP violation or other error');
  return page;
}

const cells = (page: Page, selector: string) =>
  page.$$eval(`${selector} tbody tr`, (rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));

test('desk: counts by status, the audience chart and its table, the send with its outcomes and per-minute chart', async () => {
  const page = await home(1280, 800);
  for (const [status, n] of Object.entries(SEEDED_COUNTS)) {
    assert.equal((await page.textContent(`.stat-${status} .stat-n`))?.trim(), String(n), status);
  }
  const charts = await page.$$eval('svg[role=img]', (svgs) =>
    svgs.map((s) => ({ title: s.querySelector(':scope > title')?.textContent ?? '', desc: s.querySelector(':scope > desc')?.textContent ?? '', ticks: s.querySelectorAll('.chart-tick').length })),
  );
  assert.equal(charts.length, 2, 'the audience chart and one send chart');
  for (const c of charts) {
    assert.notEqual(c.title, '');
    assert.notEqual(c.desc, '');
    assert.ok(c.ticks >= 2, 'axis tick labels');
  }
  assert.match(charts[0]!.desc, /^Active subscribers from .+: from 3 to 7\.$/);
  assert.match(charts[1]!.desc, /^7 messages sent from \d\d:00 to \d\d:03 UTC .*, at most 3 a minute\.$/);
  assert.ok(await page.isVisible('.audience svg .chart-line'), 'the line is drawn');
  assert.equal(await page.locator('.send-card .chart-bar').count(), SEEDED_PER_MINUTE.length);

  const days = await cells(page, '.audience .desk-table');
  assert.deepEqual(days.map((r) => Number(r[1])), [...SEEDED_ACTIVE_BY_DAY].reverse(), 'newest day first');
  const minutes = await cells(page, '.send-card .desk-table');
  assert.deepEqual(minutes.map((r) => Number(r[1])), SEEDED_PER_MINUTE);
  assert.equal((await page.textContent('.outcome-sent dd'))?.trim(), '7');
  assert.equal((await page.textContent('.outcome-failed dd'))?.trim(), '1');
  assert.equal((await page.textContent('.send-card .badge'))?.trim(), 'finished');
  assert.match((await page.textContent('.send-subject')) ?? '', /^The fifth <issue> & more$/, 'escaped, shown as text');

  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1280, `no sideways scroll at 1280 (${width})`);
  await page.screenshot({ path: join(ARTEFACTS, 'desk.png'), fullPage: true });
  await page.close();
});

test('desk: at 375 px nothing scrolls sideways, in light and dark', async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await home(375, 800, scheme);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${scheme}: scrollWidth ${width} within 375`);
    await page.screenshot({ path: join(ARTEFACTS, `desk-375-${scheme}.png`), fullPage: true });
    await page.close();
  }
  const dark = await home(1280, 800, 'dark');
  const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(246, 244, 239)', 'dark mode changes the page');
  await dark.screenshot({ path: join(ARTEFACTS, 'desk-dark.png'), fullPage: true });
  await dark.close();
});

test('desk: with no database it says how to add the first subscriber, and creates no file', async () => {
  const bare = sampleProject();
  const p = await startPreview({ root: bare.dir, port: 0, host: '127.0.0.1', smtpPort: null });
  try {
    const page = await home(1280, 800, 'light', p.url);
    assert.match((await page.textContent('.audience')) ?? '', /No subscribers yet\. Add the first with newsletter subscribers add you@example\.org/);
    assert.match((await page.textContent('.sends')) ?? '', /No issue has been sent yet/);
    assert.equal(await page.locator('.issues tbody tr').count() > 0, true, 'the issues are still listed');
    await page.screenshot({ path: join(ARTEFACTS, 'desk-empty.png'), fullPage: true });
    await page.close();
    assert.equal(existsSync(join(bare.dir, 'data')), false, 'no database made');
  } finally {
    await p.close();
    bare.cleanup();
  }
});
