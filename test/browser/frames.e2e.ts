/// <reference lib="dom" />
/**
 * The issue page's layout, highlighting and Copy buttons in a real browser (issue 14): both frames fit side by
 * side on a laptop screen, everything is usable at 375 px, the code tabs are highlighted and copy their raw text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startPreview, type Preview } from '../../src/preview/server.ts';
import { sampleSubscriber } from '../../src/preview/sample-subscribers.ts';
import { sampleProject } from '../support/fixtures.ts';
import { ARTEFACTS, launch } from './browser.ts';

let browser: Browser;
let preview: Preview;
let project: { dir: string; cleanup: () => void };
const SLUG = 'harrowgate-camera-contract';

before(async () => {
  project = sampleProject();
  preview = await startPreview({ root: project.dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await preview?.close();
  project?.cleanup();
});

async function open(path: string, width: number, height = 900, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(preview.url).origin });
  const page = await context.newPage();
  await page.goto(new URL(path, preview.url).href);
  return { page, context };
}

const pageScroll = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));

async function frameBoxes(page: Page) {
  const desktop = await page.locator('iframe.desktop').boundingBox();
  const phone = await page.locator('iframe.phone').boundingBox();
  assert.ok(desktop && phone, 'both frames are laid out');
  return { desktop, phone };
}

for (const [width, height] of [[1280, 800], [1440, 900]] as const) {
  test(`frames: at ${width}×${height} the desktop and phone frames are fully visible side by side`, async () => {
    const { page, context } = await open(`/issues/${SLUG}`, width, height);
    const { scroll, inner } = await pageScroll(page);
    assert.ok(scroll <= inner, `no horizontal scroll: scrollWidth ${scroll} > innerWidth ${inner}`);
    const { desktop, phone } = await frameBoxes(page);
    for (const [name, box] of [['desktop', desktop], ['phone', phone]] as const) {
      assert.ok(box.x >= 0 && box.x + box.width <= inner, `the ${name} frame (${box.x}–${box.x + box.width}) lies within ${inner} px`);
    }
    assert.ok(desktop.x + desktop.width <= phone.x, 'the desktop frame ends before the phone frame begins');
    assert.ok(Math.abs(desktop.y - phone.y) < 1, 'side by side, on one row');
    assert.equal(await page.frameLocator('iframe.phone').locator('html').evaluate(() => window.innerWidth), 375, 'the phone frame is 375 px inside');
    // The caption says the width the desktop frame really shows.
    await page.waitForFunction((w) => document.querySelector('figure.desktop .frame-width')?.textContent === String(w), Math.round(desktop.width - 2));
    if (width === 1280) {
      await page.frameLocator('iframe.desktop').locator('body').waitFor();
      await page.screenshot({ path: join(ARTEFACTS, 'issue-1280.png') });
    }
    await context.close();
  });
}

test('frames: at 375 px the home page and the issue page (email and source tabs) have no horizontal scroll, and the frames stack', async () => {
  for (const path of ['/', `/issues/${SLUG}`, `/issues/${SLUG}?tab=source`, `/issues/${SLUG}?tab=html`]) {
    const { page, context } = await open(path, 375, 800);
    const { scroll } = await pageScroll(page);
    assert.ok(scroll <= 375, `${path}: scrollWidth ${scroll} > 375`);
    if (path === `/issues/${SLUG}`) {
      const { desktop, phone } = await frameBoxes(page);
      assert.ok(phone.y >= desktop.y + desktop.height, 'the phone frame is below the desktop frame');
      assert.ok(phone.x + phone.width <= 375 && desktop.x + desktop.width <= 375, 'neither frame is cut off');
      await page.frameLocator('iframe.desktop').locator('body').waitFor();
      await page.screenshot({ path: join(ARTEFACTS, 'issue-375.png'), fullPage: true });
    }
    if (path === '/') await page.screenshot({ path: join(ARTEFACTS, 'home-375.png'), fullPage: true });
    if (path.endsWith('tab=source')) await page.screenshot({ path: join(ARTEFACTS, 'issue-375-source.png') });
    await context.close();
  }
});

test('frames: the HTML tab is highlighted, the source tab keeps its line anchors, and Copy puts the raw text on the clipboard', async () => {
  const { page, context } = await open(`/issues/${SLUG}?tab=html`, 1280, 800);
  assert.ok((await page.locator('main pre .hljs-tag').count()) > 10, 'the HTML has highlighted tags');
  const view = await preview.workspace.view(preview.workspace.fileOf(SLUG)!);
  const raw = view!.rendered!.recipientTemplate!.render(sampleSubscriber(0, preview.workspace.setup!.config.url)).html.toString('utf8');
  await page.getByRole('button', { name: 'Copy the HTML' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, raw, "the email's HTML as the first sample reader gets it, not the page's markup");
  await page.screenshot({ path: join(ARTEFACTS, 'issue-1280-html.png') });

  await page.goto(new URL(`/issues/${SLUG}?tab=source#L1`, preview.url).href);
  assert.equal(await page.locator('ol.source li#L1').innerText(), '---');
  assert.ok((await page.locator('ol.source .hljs-attr').count()) > 0, 'the front matter is highlighted');
  await page.getByRole('button', { name: 'Copy the Markdown source' }).click();
  await page.getByRole('button', { name: 'Copy the Markdown source' }).filter({ hasText: 'Copied' }).waitFor();
  const source = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(source, preview.workspace.source(preview.workspace.fileOf(SLUG)!), 'the source exactly, line breaks and blank lines included');
  await page.screenshot({ path: join(ARTEFACTS, 'issue-1280-source.png') });
  await context.close();
});

test('frames: the page follows the system colour scheme, code colours included', async () => {
  const colours: Record<string, { page: string; tag: string }> = {};
  for (const scheme of ['light', 'dark'] as const) {
    const { page, context } = await open(`/issues/${SLUG}?tab=html`, 1280, 800, scheme);
    colours[scheme] = await page.evaluate(() => ({
      page: getComputedStyle(document.body).backgroundColor,
      tag: getComputedStyle(document.querySelector('.hljs-tag .hljs-name')!).color,
    }));
    await page.screenshot({ path: join(ARTEFACTS, `issue-1280-html-${scheme}.png`) });
    if (scheme === 'dark') {
      await page.goto(new URL(`/issues/${SLUG}`, preview.url).href);
      await page.frameLocator('iframe.desktop').locator('body').waitFor();
      await page.screenshot({ path: join(ARTEFACTS, 'issue-1280-dark.png') });
    }
    await context.close();
  }
  assert.notEqual(colours.light!.page, colours.dark!.page, 'the page background changes');
  assert.notEqual(colours.light!.tag, colours.dark!.tag, 'the code colours change');
  const brightness = (rgb: string) => (rgb.match(/\d+/g) ?? []).slice(0, 3).reduce((a, b) => a + Number(b), 0);
  assert.ok(brightness(colours.dark!.page) < brightness(colours.light!.page), 'dark is darker');
});
