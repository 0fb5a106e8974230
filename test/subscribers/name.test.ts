/** Subscriber names (issue 12, finding 10): data, never trusted; no control character is ever stored. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findControlCharacter } from '../../src/core/control-characters.ts';
import { cleanFormName, NAME_MAX, nameProblem } from '../../src/subscribers/name.ts';

test('names from the CLI and CSV: a control character is refused, naming it and where it is', () => {
  assert.equal(nameProblem('Ada Lovelace'), null);
  assert.equal(nameProblem('Zoë Ñúñez 😀'), null);
  assert.equal(nameProblem('Ada\u0000'), 'the name contains NUL (U+0000) at character 4');
  assert.equal(nameProblem('Ada\tLovelace'), 'the name contains TAB (U+0009) at character 4');
  assert.equal(nameProblem('Ada\r\nBcc: x@evil.example'), 'the name contains a line break, CR (U+000D) at character 4');
  assert.equal(nameProblem('\u001b[31mAda'), 'the name contains ESC (U+001B) at character 1');
  assert.equal(nameProblem('Ada\u007f'), 'the name contains DEL (U+007F) at character 4');
  assert.equal(nameProblem('x'.repeat(NAME_MAX)), null);
  assert.equal(nameProblem('x'.repeat(NAME_MAX + 1)), `the name is ${NAME_MAX + 1} characters; at most ${NAME_MAX}`);
});

test('names from the public form: control characters become a space, then trimmed and cut; the result always passes', () => {
  assert.equal(cleanFormName('Ada\u0000Lovelace'), 'Ada Lovelace');
  assert.equal(cleanFormName('Ada\r\n\r\nBcc: x@evil.example'), 'Ada Bcc: x@evil.example');
  assert.equal(cleanFormName('\tAda\u001b[1m \u007f'), 'Ada [1m');
  assert.equal(cleanFormName('Ada  Lovelace'), 'Ada  Lovelace', 'ordinary spaces are the reader\'s own');
  assert.equal(cleanFormName('😀'.repeat(NAME_MAX + 5)), '😀'.repeat(NAME_MAX), 'cut by characters, never inside one');
  for (const raw of ['a\u0000b', '\u2028', 'x'.repeat(500), ` ${'y\t'.repeat(150)}`, '\u0085\u009f z']) {
    const name = cleanFormName(raw);
    assert.equal(nameProblem(name), null, JSON.stringify(name));
    assert.equal(findControlCharacter(name), null);
  }
});
