/// <reference lib="dom" />
/**
 * The hidden preheader in Chromium (issue 12, finding 17): each sample email opens with its preheader, which takes
 * no space and shows no text; with display:none stripped, as some mail clients strip it, it still takes no space and
 * is transparent. Run with `npm run test:e2e`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { build } from '../../src/publish/build.ts';
import { SAMPLES, sampleProject } from '../support/fixtures.ts';
import { launch } from './browser.ts';

let browser: Browser;
let project: { dir: string; cleanup: () => void };

before(async () => {
  project = sampleProject();
  const report = await build({ root: project.dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, true);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  project?.cleanup();
});

for (const name of SAMPLES) {
  const slug = name.replace(/^\d{4}-\d{2}-\d{2}-/, '').replace(/\.md$/, '');
  test(`preheader: ${slug}: hidden in the email, and still invisible when a client drops display:none`, async () => {
    const dir = join(project.dir, 'dist', slug);
    const { preheader } = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { preheader: string };
    assert.ok(preheader.length > 20, 'a real preheader');
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    try {
      await page.goto(pathToFileURL(join(dir, 'email.html')).href);
      const box = () =>
        page.evaluate(() => {
          const div = document.body.firstElementChild as HTMLElement;
          const rect = div.getBoundingClientRect();
          return { text: div.textContent, width: rect.width, height: rect.height, opacity: getComputedStyle(div).opacity, shown: document.body.innerText };
        });
      const hidden = await box();
      assert.equal(hidden.text, preheader, 'the body opens with the preheader');
      assert.deepEqual([hidden.width, hidden.height], [0, 0]);
      assert.ok(!hidden.shown.includes(preheader), 'the preheader is not among the text shown');
      // Some clients strip display:none from inline styles: no height, no width and no opacity still hide it.
      await page.evaluate(() => {
        const div = document.body.firstElementChild as HTMLElement;
        div.style.removeProperty('display');
      });
      const stripped = await box();
      assert.deepEqual([stripped.width, stripped.height, stripped.opacity], [0, 0, '0']);
    } finally {
      await page.close();
    }
  });
}
