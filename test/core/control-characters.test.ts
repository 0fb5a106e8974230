import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlCharacterProblem, findControlCharacter } from '../../src/core/control-characters.ts';

test('every C0 control, DEL, the C1 controls and U+2028/U+2029 are found, with their name and place', () => {
  for (let code = 0; code < 0x20; code++) assert.ok(findControlCharacter(`ab${String.fromCharCode(code)}`), `U+${code.toString(16)}`);
  for (const c of ['\u007f', '\u0085', '\u009f', '\u2028', '\u2029']) assert.ok(findControlCharacter(`x${c}`), JSON.stringify(c));
  assert.deepEqual(findControlCharacter('Hello\u0000 world'), { name: 'NUL (U+0000)', position: 6, lineBreak: false });
  assert.deepEqual(findControlCharacter('a\tb'), { name: 'TAB (U+0009)', position: 2, lineBreak: false });
  assert.deepEqual(findControlCharacter('\u007f'), { name: 'DEL (U+007F)', position: 1, lineBreak: false });
  assert.deepEqual(findControlCharacter('ab\u001b[31m'), { name: 'ESC (U+001B)', position: 3, lineBreak: false });
  assert.deepEqual(findControlCharacter('a\u0085'), { name: 'NEL (U+0085)', position: 2, lineBreak: true });
  // Positions count characters, not UTF-16 units: an emoji before it is one.
  assert.deepEqual(findControlCharacter('😀\u0000'), { name: 'NUL (U+0000)', position: 2, lineBreak: false });
});

test('ordinary text has none: letters of any script, emoji, non-breaking and other spaces, soft hyphen', () => {
  for (const text of ['Café Society', 'Война и мир', '東京', '😀 👍🏽', 'a\u00a0b', 'a\u2003b', 'co\u00adop', '']) {
    assert.equal(findControlCharacter(text), null, JSON.stringify(text));
    assert.equal(controlCharacterProblem(text), null);
  }
});

test('the problem says "one line" for a line break and names any other control character', () => {
  assert.equal(controlCharacterProblem('Hello\r\nBcc: x'), 'must be one line (it contains a line break: CR (U+000D) at character 6)');
  assert.equal(controlCharacterProblem('a\u2028b'), 'must be one line (it contains a line break: LINE SEPARATOR (U+2028) at character 2)');
  assert.equal(controlCharacterProblem('Hello\u0000'), 'must not contain control characters: NUL (U+0000) at character 6');
  assert.equal(controlCharacterProblem('a\tb'), 'must not contain control characters: TAB (U+0009) at character 2 (use a space)');
});
