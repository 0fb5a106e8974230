/** Local images (issue 7): copied beside the web page, pointed at by absolute URL in the email; missing ones are errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/publish/build.ts';
import { resolveLocalImage } from '../../src/render/local-images.ts';
import { issueText, projectFor, projectSetup } from '../support/fixtures.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

test('images: local images are copied beside the web page and the email uses their absolute URLs', async (t) => {
  const dir = projectFor(t, {
    'issues/2026-10-01-pictures.md': issueText(
      'Intro.\n\n![A chart of votes](images/chart.png "Chart: the author")\n\nInline ![a small map](map.png) here, and a remote ![remote](https://cdn.example/r.png).',
      'title: Pictures\ndate: 2026-10-01\nstatus: ready\nimage:\n  src: images/hero.png\n  alt: The council chamber',
    ),
    'issues/images/chart.png': PNG.toString('latin1'),
    'issues/images/hero.png': 'hero-bytes',
    'issues/pictures/map.png': 'map-bytes',
  });
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, true, JSON.stringify(report.issues[0]?.diagnostics));
  const { config } = await projectSetup();
  const html = readFileSync(join(dir, 'dist/pictures/email.html'), 'utf8');
  assert.match(html, new RegExp(`src="${config.url}/pictures/chart\\.png"`));
  assert.match(html, new RegExp(`src="${config.url}/pictures/map\\.png"`));
  assert.match(html, new RegExp(`src="${config.url}/pictures/hero\\.png"`), 'the hero image too');
  assert.match(html, /src="https:\/\/cdn\.example\/r\.png"/, 'remote images stay as they are');
  assert.doesNotMatch(html, /src="(images\/)?(chart|map|hero)\.png"/, 'no relative path is left');
  for (const [copy, from] of [['chart.png', 'issues/images/chart.png'], ['map.png', 'issues/pictures/map.png'], ['hero.png', 'issues/images/hero.png']] as const) {
    assert.deepEqual(readFileSync(join(dir, 'dist/web/pictures', copy)), readFileSync(join(dir, from)), copy);
  }
  assert.match(readFileSync(join(dir, 'dist/web/pictures/index.html'), 'utf8'), new RegExp(`${config.url}/pictures/chart\\.png`));
});

test('images: a missing image file is a build error naming the file and line; nothing is published for it', async (t) => {
  const dir = projectFor(t, {
    'issues/2026-10-01-broken.md': issueText('Line one.\n\n![Gone](images/gone.png)', 'title: Broken\ndate: 2026-10-01\nstatus: ready'),
  });
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, false);
  const problem = report.issues[0]!.diagnostics.find((d) => d.rule === 'images/missing');
  assert.ok(problem, JSON.stringify(report.issues[0]!.diagnostics));
  assert.equal(problem.file, 'issues/2026-10-01-broken.md');
  assert.equal(problem.line, 9, 'the line of the image in the file');
  assert.equal(problem.severity, 'error');
  assert.match(problem.message, /images\/gone\.png/);
  assert.equal(existsSync(join(dir, 'dist/web/broken')), false);
});

test('images: resolving stays inside issues/ and prefers the issue folder', () => {
  const files = new Set(['issues/images/a.png', 'issues/x/a.png', 'issues/images/sub/b.png']);
  assert.deepEqual(resolveLocalImage('a.png', 'x', 'https://n.example', files), { url: 'https://n.example/x/a.png', asset: { from: 'issues/x/a.png', to: 'a.png' } });
  assert.deepEqual(resolveLocalImage('images/sub/b.png', 'x', 'https://n.example', files), { url: 'https://n.example/x/sub/b.png', asset: { from: 'issues/images/sub/b.png', to: 'sub/b.png' } });
  assert.match((resolveLocalImage('../../etc/passwd', 'x', 'https://n.example', files) as { error: string }).error, /outside issues\//);
  assert.match((resolveLocalImage('images/../../secret.png', 'x', 'https://n.example', files) as { error: string }).error, /outside issues\//);
  assert.equal(resolveLocalImage('https://cdn.example/a.png', 'x', 'https://n.example', files), null);
  assert.equal(resolveLocalImage('/abs.png', 'x', 'https://n.example', files), null);
});

test('images: an image the issue no longer uses is removed from its web folder on the next build', async (t) => {
  const file = 'issues/2026-10-01-pictures.md';
  const body = (images: string) => issueText(`Intro.\n\n${images}`, 'title: Pictures\ndate: 2026-10-01\nstatus: ready');
  const dir = projectFor(t, {
    [file]: body('![A chart](images/chart.png)\n\n![A nested map](images/maps/city.png)'),
    'issues/images/chart.png': 'chart-bytes',
    'issues/images/maps/city.png': 'city-bytes',
  });
  assert.equal((await build({ root: dir, files: [], outDir: 'dist' })).ok, true);
  const listing = () => readdirSync(join(dir, 'dist/web/pictures'), { recursive: true }).map(String).sort();
  assert.deepEqual(listing(), ['chart.png', 'index.html', 'maps', 'maps/city.png']);

  writeFileSync(join(dir, file), body('![A chart](images/chart.png)'));
  assert.equal((await build({ root: dir, files: [], outDir: 'dist' })).ok, true);
  assert.deepEqual(listing(), ['chart.png', 'index.html'], 'the unused image and its emptied folder are gone');
  assert.equal(readFileSync(join(dir, 'issues/images/maps/city.png'), 'utf8'), 'city-bytes', 'the source image is untouched');
});
