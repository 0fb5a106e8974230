/** The one decoder for text files (issue 12, finding 9): UTF-8 or UTF-16 with a BOM; anything else refused with its place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeText, type DecodedText } from '../../src/core/decode-text.ts';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? utf8(p) : Buffer.from(p))));
const problem = (decoded: DecodedText) => {
  assert.equal(decoded.ok, false, 'expected a problem');
  return (decoded as Extract<DecodedText, { ok: false }>).problem;
};

test('UTF-8 is read as it is, a UTF-8 BOM dropped', () => {
  assert.deepEqual(decodeText(utf8('Café 😀\r\nline'), 'a.md'), { ok: true, text: 'Café 😀\r\nline', encoding: 'utf-8' });
  assert.deepEqual(decodeText(utf8('\uFEFFtitle: é'), 'a.md'), { ok: true, text: 'title: é', encoding: 'utf-8' });
  assert.deepEqual(decodeText(new Uint8Array(), 'a.md'), { ok: true, text: '', encoding: 'utf-8' });
});

test('UTF-16 with a BOM, little- and big-endian, is read; the BOM dropped', () => {
  const text = '---\ntitle: Zoé 李 😀\n---\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le).swap16();
  assert.deepEqual(decodeText(le, 'a.md'), { ok: true, text, encoding: 'utf-16le' });
  assert.deepEqual(decodeText(be, 'a.md'), { ok: true, text, encoding: 'utf-16be' });
});

test('Windows-1252 (Latin-1) text is refused at the first bad byte, named as such, with the iconv command', () => {
  const p = problem(decodeText(Buffer.from('---\ntitle: Caf\u00e9 Society\ndate: 2026-10-14\n---\n\nNa\u00efve.\n', 'latin1'), 'issues/2026-10-14-cafe.md'));
  assert.equal(p.line, 2);
  assert.equal(p.column, 11);
  assert.equal(
    p.message,
    'not UTF-8 text: byte 0xE9 at line 2, column 11 is not valid UTF-8; the file looks like Latin-1 / Windows-1252, where it is "é". ' +
      'Save it as UTF-8 (or UTF-16 with a BOM), or convert it: iconv -f WINDOWS-1252 -t UTF-8 issues/2026-10-14-cafe.md > issues/2026-10-14-cafe.utf8.md',
  );
  // Windows-1252's own characters (curly quotes, the euro sign) are recognised too; a name with spaces is quoted.
  const quotes = problem(decodeText(bytes('a,b\r\n', [0x93], 'hi', [0x94, 0x20, 0x80], '\r\n'), 'My List.csv'));
  assert.deepEqual([quotes.line, quotes.column], [2, 1]);
  assert.match(quotes.message, /where it is "“"/);
  assert.ok(quotes.message.endsWith(`iconv -f WINDOWS-1252 -t UTF-8 'My List.csv' > 'My List.utf8.csv'`), quotes.message);
});

test('lines end at LF, CRLF or a lone CR, and columns count characters, as the parsers and editors do', () => {
  assert.deepEqual(problem(decodeText(bytes('a\r\nb\rc\n😀é', [0xff]), 'x')).line, 4);
  const p = problem(decodeText(bytes('a\r\nb\rc\n😀é', [0xff]), 'x'));
  assert.deepEqual([p.line, p.column], [4, 3]);
});

test('UTF-8 with a stray byte from elsewhere is not called Windows-1252: converting the whole file would garble it', () => {
  const p = problem(decodeText(bytes('Zoë is fine here\nbut not ', [0xe9], ' here\n'), 'a.md'));
  assert.deepEqual([p.line, p.column], [2, 9]);
  assert.match(p.message, /mixes UTF-8 with another encoding/);
  assert.doesNotMatch(p.message, /looks like Latin-1/);
});

test('malformed UTF-8 is refused: truncated sequences, overlongs, surrogates, bytes above U+10FFFF', () => {
  for (const bad of [[0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]]) {
    const p = problem(decodeText(bytes('ok ', bad, ' end'), 'a.md'));
    assert.deepEqual([p.line, p.column], [1, 4], JSON.stringify(bad));
    assert.match(p.message, /^not UTF-8 text: byte 0x[0-9A-F]{2} at line 1, column 4/);
  }
});

test('a NUL byte is refused: what UTF-16 without a BOM (or a binary file) looks like', () => {
  const noBom = Buffer.from('title: x\n', 'utf16le');
  const p = problem(decodeText(noBom, 'a.md'));
  assert.deepEqual([p.line, p.column], [1, 2]);
  assert.match(p.message, /NUL byte at line 1, column 2.*UTF-16 without a byte-order mark/);
  assert.deepEqual(problem(decodeText(utf8('a\nb\u0000'), 'a.md')).line, 2);
});

test('broken UTF-16 is refused with its place: an unpaired surrogate, an odd last byte', () => {
  const lone = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ab\nc', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('d', 'utf16le')]);
  const p = problem(decodeText(lone, 'a.md'));
  assert.deepEqual([p.line, p.column], [2, 2]);
  assert.match(p.message, /not valid UTF-16LE text.*unpaired surrogate\) at line 2, column 2/);
  const odd = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('ab', 'utf16le').swap16(), Buffer.from([0x00])]);
  assert.match(problem(decodeText(odd, 'a.md')).message, /UTF-16BE.*ends in the middle of a character at line 1, column 3/);
});

test('a big file is decoded whole and right (100,000 CSV rows, an accent on the last line)', () => {
  const rows = ['email,name'];
  for (let i = 0; i < 100_000; i++) rows.push(`reader${i}@example.com,Reader ${i}`);
  const text = `${rows.join('\r\n')}\r\nlast@example.com,Zoé\r\n`;
  const good = decodeText(utf8(text), 'big.csv');
  assert.ok(good.ok && good.text === text);
  const bad = problem(decodeText(Buffer.from(text, 'latin1'), 'big.csv'));
  assert.deepEqual([bad.line, bad.column], [100_002, 20]);
});
