/** The preview's own pages: escaped by their template, styled and scripted from files, under a CSP with no inline code. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startPreview, type Preview } from '../../src/preview/server.ts';
import { filePage, notFoundPage } from '../../src/preview/pages.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

async function preview(t: TestContext): Promise<Preview> {
  const dir = projectFor(t, {
    'issues/2026-10-14-odd.md': issueText('Body.', 'title: "Fish & <Chips> \\"quoted\\" it\'s"\ndate: 2026-10-14\nstatus: ready\npreheader: P.'),
  });
  const p = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: 0 });
  t.after(() => p.close());
  return p;
}

test('preview pages: every interpolated value is escaped, in text and in attributes', () => {
  const file = filePage('templates/<a href="x">.mjml', 'one & two\n<script>alert(1)</script>\n');
  assert.match(file, /<h1>templates\/&lt;a href=&quot;x&quot;&gt;\.mjml<\/h1>/);
  assert.match(file, /<title>templates\/&lt;a href=&quot;x&quot;&gt;\.mjml<\/title>/);
  assert.match(file, /<li id="L1">one &amp; two<\/li><li id="L2">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/li><li id="L3"> <\/li>/);
  const missing = notFoundPage('"><script>x</script>');
  assert.match(missing, / data-slug="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
  assert.match(missing, /<h1>No issue "&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"<\/h1>/);
  assert.doesNotMatch(missing, /<script>x/);
});

test('preview pages: no inline style or script; both are files, linked with a hash of their bytes', async (t) => {
  const p = await preview(t);
  for (const path of ['/', '/issues/odd', '/issues/odd?tab=source', '/issues/missing']) {
    const response = await fetch(new URL(path, p.url));
    const body = await response.text();
    assert.doesNotMatch(body, /<style|<script(?![^>]* src=)/, `${path} has no inline style or script`);
    assert.match(body, /<link rel="stylesheet" href="\/assets\/preview\.css\?v=[0-9a-f]{12}">/);
    assert.match(body, /<script type="module" src="\/assets\/preview\.js\?v=[0-9a-f]{12}"><\/script>/);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  }
  const index = await (await fetch(p.url)).text();
  assert.match(index, />Fish &amp; &lt;Chips&gt; &quot;quoted&quot; it&#39;s</);
});

test('preview pages: the stylesheet and script are served with their types, cached for good, and nothing else is', async (t) => {
  const p = await preview(t);
  const page = await (await fetch(new URL('/issues/odd', p.url))).text();
  for (const [name, type] of [['preview.css', 'text/css; charset=utf-8'], ['preview.js', 'text/javascript; charset=utf-8']] as const) {
    const href = new RegExp(`"(/assets/${name.replace('.', '\\.')}\\?v=[0-9a-f]+)"`).exec(page)?.[1];
    assert.ok(href, `the page links ${name}`);
    const response = await fetch(new URL(href, p.url));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), type);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await response.text(), readFileSync(new URL(`../../src/preview/assets/${name}`, import.meta.url), 'utf8'));
  }
  for (const path of ['/assets/other.css', '/assets/..%2Fpages.ts', '/assets/']) {
    const response = await fetch(new URL(path, p.url));
    await response.body?.cancel();
    assert.equal(response.status, 404, path);
  }
});
