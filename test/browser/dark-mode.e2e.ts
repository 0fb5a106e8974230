/**
 * Dark mode in Chromium (issue 14): the default template, with `prefers-color-scheme: dark` emulated, paints its
 * own dark colours, different from the light ones, and every piece of text it shows keeps a WCAG AA contrast ratio
 * (at least 4.5:1) against what is behind it, in both schemes. Run with `npm run test:e2e`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from '../../src/publish/build.ts';
import { SAMPLES, sampleProject } from '../support/fixtures.ts';
import { ARTEFACTS, launch } from './browser.ts';

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

type Rgb = [number, number, number];

/** WCAG 2 relative luminance and contrast ratio. */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

interface Painted {
  text: string;
  colour: Rgb;
  background: Rgb;
}

/** Every visible element that holds text of its own, with its colour and the first opaque background behind it. */
// Sent to the page as text: tsx's transform would wrap the named helpers in a function the page does not have.
const PAINTED_TEXT = `(() => {
  const rgb = (css) => {
    const m = /rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)/.exec(css);
    if (!m) throw new Error('not an rgb colour: ' + css);
    return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  };
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const [r, g, b, a] = rgb(getComputedStyle(e).backgroundColor);
      if (a > 0) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const texts = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent || '').join('').trim();
    if (!own) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.opacity === '0' || style.visibility === 'hidden') continue;
    const [r, g, b] = rgb(style.color);
    texts.push({ text: own.slice(0, 40), colour: [r, g, b], background: behind(el) });
  }
  const content = document.querySelector('.nl-content, main') || document.body;
  return { body: behind(document.body), content: behind(content), texts };
})()`;

/** Every visible element that holds text of its own, with its colour and the first opaque background behind it. */
function paintedText(page: Page): Promise<{ body: Rgb; content: Rgb; texts: Painted[] }> {
  return page.evaluate(PAINTED_TEXT);
}

/** Each scheme's painted text of the page at `url`; a screenshot of each when `shot` names one. */
async function bothSchemes(url: string, shot: string | null): Promise<Record<'light' | 'dark', Awaited<ReturnType<typeof paintedText>>>> {
  const seen: Partial<Record<'light' | 'dark', Awaited<ReturnType<typeof paintedText>>>> = {};
  for (const scheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 }, colorScheme: scheme });
    try {
      await page.goto(url);
      seen[scheme] = await paintedText(page);
      if (shot) await page.screenshot({ path: join(ARTEFACTS, `${shot}-${scheme}.png`) });
    } finally {
      await page.close();
    }
  }
  return seen as Record<'light' | 'dark', Awaited<ReturnType<typeof paintedText>>>;
}

function assertDarkAndReadable(seen: Awaited<ReturnType<typeof bothSchemes>>, least = 20): void {
  const { light, dark } = seen;
  assert.ok(light.texts.length >= least, 'the page shows its text');
  assert.equal(dark.texts.length, light.texts.length, 'dark mode shows the same text');
  assert.notDeepEqual(dark.body, light.body, 'the background around the text changes');
  assert.notDeepEqual(dark.content, light.content, 'the background behind the text changes');
  assert.ok(luminance(dark.content) < 0.05, `a dark content background, not ${dark.content.join(',')}`);
  assert.notDeepEqual(
    dark.texts.map((t) => t.colour),
    light.texts.map((t) => t.colour),
    'the text colours change',
  );
  for (const [scheme, { texts }] of Object.entries(seen)) {
    const poor = texts
      .map((t) => ({ ...t, ratio: contrast(t.colour, t.background) }))
      .filter((t) => t.ratio < 4.5)
      .map((t) => `"${t.text}" ${t.colour.join(',')} on ${t.background.join(',')}: ${t.ratio.toFixed(2)}:1`);
    assert.deepEqual(poor, [], `${scheme}: text below 4.5:1`);
  }
}

for (const name of SAMPLES) {
  const slug = name.replace(/^\d{4}-\d{2}-\d{2}-/, '').replace(/\.md$/, '');
  test(`dark mode: ${slug}: the email has its own dark colours, and every text at least 4.5:1 in both schemes`, async () => {
    const url = pathToFileURL(join(project.dir, 'dist', slug, 'email.html')).href;
    assertDarkAndReadable(await bothSchemes(url, slug === 'harrowgate-camera-contract' ? `${slug}-email` : null));
  });
}

test('dark mode: the web archive\'s issue pages and index follow the reader\'s scheme, every text at least 4.5:1', async () => {
  const web = join(project.dir, 'dist', 'web');
  const pages = readdirSync(web, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(web, d.name, 'index.html'));
  assert.ok(pages.length >= 2, 'the published samples have pages');
  for (const file of pages) assertDarkAndReadable(await bothSchemes(pathToFileURL(file).href, null));
  assertDarkAndReadable(await bothSchemes(pathToFileURL(join(web, 'index.html')).href, 'archive-index'), 5);
});
