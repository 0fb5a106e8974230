import { test } from 'node:test';
import assert from 'node:assert/strict';
import { darkRules, emulateColourMode } from '../../src/preview/dark-mode.ts';

const EMAIL = `<html><head><style>
p { color: #111; }
@media (prefers-color-scheme: dark) { body { background: #000 !important; } .x { color: #eee; } }
@media only screen and (max-width:480px) { .y { width: 100%; } }
@media screen and (prefers-color-scheme:dark) { a { color: #9cf; } }
</style></head><body><p>Hi</p></body></html>`;

test('dark mode: the prefers-color-scheme rules are found, and only those, nested braces included', () => {
  assert.deepEqual(
    darkRules(EMAIL).map((r) => r.trim()),
    ['body { background: #000 !important; } .x { color: #eee; }', 'a { color: #9cf; }'],
  );
  assert.deepEqual(darkRules('<p>no styles</p>'), []);
});

test('dark mode: the media emulation applies the dark rules unconditionally, inside the head', () => {
  const out = emulateColourMode(EMAIL, 'media');
  const injected = /<style data-preview="dark-mode">([\s\S]*?)<\/style><\/head>/.exec(out)?.[1];
  assert.ok(injected, out);
  assert.match(injected, /^:root\{color-scheme:dark\}/);
  assert.match(injected, /body \{ background: #000 !important; \}/);
  assert.match(injected, /a \{ color: #9cf; \}/);
  assert.doesNotMatch(injected, /max-width/);
});

test('dark mode: inversion inverts the page and turns images back; light changes nothing', () => {
  assert.equal(emulateColourMode(EMAIL, 'light'), EMAIL);
  const out = emulateColourMode(EMAIL, 'invert');
  assert.match(out, /<style data-preview="dark-mode">html\{filter:invert\(1\) hue-rotate\(180deg\);background:#fff\}img,picture,video\{filter:invert\(1\) hue-rotate\(180deg\)\}<\/style><\/head>/);
});
