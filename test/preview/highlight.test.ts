/** The preview's syntax highlighting (src/preview/highlight.ts): escaped, balanced per line, plain when unknown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlight, highlightSourceLines, splitLines } from '../../src/preview/highlight.ts';

const text = (markup: string) =>
  markup.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');

test('highlight: HTML gets hljs spans, and a <script> in the code stays text', () => {
  const out = highlight('<p class="a">Hi &amp; bye</p><script>alert(1)</script>', 'xml');
  assert.match(out, /<span class="hljs-tag">/);
  assert.doesNotMatch(out, /<script>/, 'no live script tag in the output');
  assert.match(out, /&lt;<span class="hljs-name">script<\/span>&gt;/);
  assert.equal(text(out), '<p class="a">Hi &amp; bye</p><script>alert(1)</script>');
});

test('highlight: an unknown language falls back to escaped plain text', () => {
  assert.equal(highlight('<b>"x" & \'y\'</b>', 'cobol'), '&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;');
  assert.equal(highlight('<b>', 'plaintext'), '&lt;b&gt;');
});

test('splitLines: a span that runs over a line break is closed and reopened, so every line is balanced', () => {
  const lines = splitLines('<span class="hljs-comment">&lt;!-- one\ntwo --&gt;</span> three\nfour');
  assert.deepEqual(lines, ['<span class="hljs-comment">&lt;!-- one</span>', '<span class="hljs-comment">two --&gt;</span> three', 'four']);
  const html = highlight('<!-- a\nb\nc -->\n<p\n  class="x">\n</p>', 'xml');
  for (const line of splitLines(html)) {
    assert.equal((line.match(/<span /g) ?? []).length, (line.match(/<\/span>/g) ?? []).length, line);
  }
  assert.equal(splitLines(html).length, 6);
});

test('highlightSourceLines: one line per source line, front matter as YAML, the body as Markdown, all escaped', () => {
  const source = '---\ntitle: "Fish & <Chips>"\ndate: 2026-10-14\n---\n\n# Heading\n\nSome *text* <script>alert(1)</script>\n';
  const lines = highlightSourceLines(source);
  assert.equal(lines.length, source.split('\n').length);
  assert.deepEqual(lines.map(text), source.split('\n'));
  assert.match(lines[1]!, /<span class="hljs-attr">title:<\/span>/);
  assert.match(lines[5]!, /<span class="hljs-section">/);
  assert.ok(lines.every((l) => !l.includes('<script>')));
  assert.deepEqual(highlightSourceLines('no front matter\n<i>x</i>').map(text), ['no front matter', '<i>x</i>']);
});
