/// <reference lib="dom" />
/**
 * Accessibility (issue 7): the web archive's pages and the emails pass axe-core in Chromium with no serious or
 * critical violations. Run with `npm run test:e2e`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { build } from '../../src/publish/build.ts';
import { SAMPLES, sampleProject } from '../support/fixtures.ts';
import { launch } from './browser.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
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

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function audit(file: string): Promise<Violation[]> {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run: (o: object) => Promise<{ violations: Violation[] }> } }).axe.run({ resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  } finally {
    await page.close();
  }
}

const describe = (violations: Violation[]) => violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');

test('accessibility: the audit really runs: a page with an unlabelled image and form field fails it', async () => {
  const bad = join(project.dir, 'bad.html');
  writeFileSync(bad, '<!doctype html><html><head><title>x</title></head><body><img src="x.png"><input type="text"></body></html>');
  const found = await audit(bad);
  assert.ok(found.some((v) => v.id === 'image-alt'), describe(found));
  assert.ok(found.some((v) => v.id === 'label'), describe(found));
});

test('accessibility: the web archive index has no serious or critical axe violations', async () => {
  const found = await audit(join(project.dir, 'dist/web/index.html'));
  assert.deepEqual(found, [], describe(found));
});

for (const name of SAMPLES) {
  const slug = name.replace(/\.md$/, '').replace(/^\d{4}-\d{2}-\d{2}-/, '');
  test(`accessibility: ${slug}: the email, and its web page when published, pass axe with no serious or critical violations`, async () => {
    const email = await audit(join(project.dir, 'dist', slug, 'email.html'));
    assert.deepEqual(email, [], describe(email));
    const pagePath = join(project.dir, 'dist/web', slug, 'index.html');
    if (readdirSync(join(project.dir, 'dist/web')).includes(slug)) {
      const web = await audit(pagePath);
      assert.deepEqual(web, [], describe(web));
    }
  });
}

test('web: the archive and every published page read on a 375 px phone without horizontal scrolling', async () => {
  const pages = ['index.html', ...readdirSync(join(project.dir, 'dist/web'), { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'page').map((e) => `${e.name}/index.html`)];
  assert.ok(pages.length >= 3, pages.join(', '));
  for (const path of pages) {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(pathToFileURL(join(project.dir, 'dist/web', path)).href);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${path}: scrollWidth ${scroll} > ${client}`);
    await page.close();
  }
});

