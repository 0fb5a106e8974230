/// <reference lib="dom" />
/**
 * The preview in a real browser (issue 4): Debian's Chromium through playwright-core. Run with `npm run test:e2e`;
 * screenshots go to test-results/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Browser, Frame, Page } from 'playwright-core';
import { startPreview, type Preview } from '../../src/preview/server.ts';
import { SAMPLES, sampleProject } from '../support/fixtures.ts';
import { ARTEFACTS, launch } from './browser.ts';

let browser: Browser;
let preview: Preview;
let project: { dir: string; cleanup: () => void };

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

async function open(path: string, width = 1500): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(new URL(path, preview.url).href);
  return page;
}

async function frame(page: Page, name: 'desktop' | 'phone'): Promise<Frame> {
  const handle = await page.waitForSelector(`iframe.${name}`);
  const f = await handle.contentFrame();
  assert.ok(f, `the ${name} frame has content`);
  await f.waitForLoadState('load');
  return f;
}

test('browser: the index lists the sample issues and opens one', async () => {
  const page = await open('/');
  const links = page.locator('table.issues a');
  assert.equal(await links.count(), SAMPLES.length);
  await links.first().click();
  await page.waitForURL(/\/issues\//);
  assert.equal(await page.locator('iframe.desktop').count(), 1);
  assert.equal(await page.locator('iframe.phone').count(), 1);
  await page.close();
});

test('browser: switching phone, desktop, dark and text changes what is shown, and the URL keeps it', async () => {
  const page = await open('/issues/harrowgate-camera-contract');
  await page.getByRole('link', { name: 'phone', exact: true }).click();
  await page.waitForURL(/view=phone/);
  assert.equal(await page.locator('iframe.desktop').count(), 0);
  const phone = await frame(page, 'phone');
  assert.equal(await phone.evaluate(() => window.innerWidth), 375, 'the phone frame is 375 px inside');

  await page.getByRole('link', { name: 'desktop', exact: true }).click();
  await page.waitForURL(/view=desktop/);
  assert.equal(await page.locator('iframe.phone').count(), 0);

  await page.getByRole('link', { name: /dark: inverted/ }).click();
  await page.waitForURL(/mode=invert/);
  const dark = await frame(page, 'desktop');
  assert.match(await dark.evaluate(() => getComputedStyle(document.documentElement).filter), /invert\(1\)/);

  await page.getByRole('link', { name: 'text', exact: true }).click();
  await page.waitForURL(/tab=text/);
  assert.match(await page.locator('main pre').innerText(), /Harrowgate Bought 400 Cameras/);
  await page.reload();
  assert.match(page.url(), /view=desktop&tab=text&mode=invert/, 'a reload keeps the place');
  await page.close();
});

test('browser: editing the issue file updates the open page without a reload', async () => {
  const page = await open('/issues/records-request-form-letter');
  const before = await frame(page, 'desktop');
  assert.equal(await before.getByText('Edited While Open').count(), 0);
  const file = join(project.dir, 'issues', SAMPLES.find((s) => s.includes('records-request'))!);
  const original = readFileSync(file, 'utf8');
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  writeFileSync(file, original.replace(/^title: .*$/m, 'title: "Edited While Open"'));
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Edited While Open', null, { timeout: 10_000 });
  const after = await frame(page, 'desktop');
  await after.getByText('Edited While Open').first().waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 1, 'the page was not reloaded');
  writeFileSync(file, original);
  await page.close();
});

for (const name of SAMPLES) {
  const slug = name.replace(/\.md$/, '').replace(/^\d{4}-\d{2}-\d{2}-/, '');
  test(`browser: ${slug} has no horizontal scroll at 375 px; screenshots at both widths`, async () => {
    for (const width of [375, 1024]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(new URL(`/issues/${slug}/email.html`, preview.url).href);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      assert.ok(scroll <= client, `${slug} at ${width} px: scrollWidth ${scroll} > clientWidth ${client}`);
      await page.screenshot({ path: join(ARTEFACTS, `${slug}-${width}.png`), fullPage: true });
      await page.close();
    }
  });
}

test('browser: inside the preview page, the phone frame of every sample has no horizontal scroll', async () => {
  for (const name of SAMPLES) {
    const slug = name.replace(/\.md$/, '').replace(/^\d{4}-\d{2}-\d{2}-/, '');
    const page = await open(`/issues/${slug}?view=phone`);
    const phone = await frame(page, 'phone');
    const { scroll, client } = await phone.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(scroll <= client, `${slug}: scrollWidth ${scroll} > clientWidth ${client}`);
    await page.screenshot({ path: join(ARTEFACTS, `preview-${slug}-phone.png`) });
    await page.close();
  }
});

test('browser: "Send test" delivers the issue to the local inbox, and the Inbox tab shows it', async () => {
  const page = await open('/issues/harrowgate-camera-contract');
  await page.fill('input[name="to"]', 'writer@example.net');
  await page.click('button:has-text("Send test")');
  // It lands on the message just received, on the inbox's own page (issue 14), the Inbox tab still lists it.
  await page.waitForURL(/\/inbox\/\d+$/);
  assert.match(await page.locator('h1').innerText(), /^\[Test\] Harrowgate/, "the subject, marked as a test");
  assert.match(await page.locator('table.message-headers').innerText(), /writer@example\.net/);
  assert.match(await page.locator('table.message-headers').innerText(), /List-Unsubscribe-Post\s+List-Unsubscribe=One-Click/);
  await page.goto(new URL('/issues/harrowgate-camera-contract?tab=inbox', preview.url).href);
  const item = page.locator('ul.inbox li').first();
  assert.match(await item.innerText(), /^\[Test\] Harrowgate/, "the subject, marked as a test");
  assert.match(await item.innerText(), /writer@example\.net/);
  assert.match(await page.locator('table.headers').innerText(), /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
  await page.screenshot({ path: join(ARTEFACTS, 'preview-inbox.png') });
  await page.close();
});

test('browser: a script in received mail does not run, opened directly or in the Inbox tab', async () => {
  const transport = createTransport({ host: '127.0.0.1', port: preview.inbox!.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({
      from: 'stranger@example.net',
      to: 'writer@example.org',
      subject: 'A hostile message',
      text: 'Hello from a stranger',
      html: `<title>Received</title><p>Hello from a stranger</p>
<script>document.title = 'script ran'; localStorage.setItem('ran', '1'); fetch('/beacon-script');</script>
<img src="/nothing-here.png" onerror="document.title = 'handler ran'; fetch('/beacon-handler')">`,
    });
  } finally {
    transport.close();
  }
  const message = preview.inbox!.messages.find((m) => m.subject === 'A hostile message')!;
  assert.ok(message, 'the inbox received it');
  const beacons: string[] = [];
  const page = await browser.newPage();
  page.on('request', (r) => {
    if (r.url().includes('/beacon')) beacons.push(r.url());
  });
  await page.goto(new URL(`/inbox/${message.id}/html`, preview.url).href);
  await page.getByText('Hello from a stranger').waitFor();
  // The broken image's error fires once it has been tried; wait for the page to settle before asking.
  await page.waitForLoadState('load');
  assert.equal(await page.title(), 'Received', 'neither the script nor the event handler ran');

  await page.goto(new URL(`/issues/harrowgate-camera-contract?tab=inbox&msg=${message.id}`, preview.url).href);
  const handle = await page.waitForSelector(`iframe[src="/inbox/${message.id}/html"]`);
  const frame = await handle.contentFrame();
  assert.ok(frame);
  await frame.getByText('Hello from a stranger').waitFor();
  await frame.waitForLoadState('load');
  assert.equal(await frame.title(), 'Received', 'nor in the Inbox tab');
  assert.equal(await page.evaluate(() => localStorage.getItem('ran')), null, "the preview's storage untouched");
  assert.deepEqual(beacons, [], 'no request made by the message');
  await page.close();
});
