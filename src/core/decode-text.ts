import { diag, type Diagnostic } from './diagnostic.ts';

/**
 * The one decoder for text files a person writes or exports (issues, templates, the config, CSV imports). Pure:
 * bytes in, text or the place of the first problem out.
 *
 * UTF-8 (a BOM dropped) and UTF-16 with a BOM are read. Anything else is refused with its line and column rather
 * than turned into U+FFFD without a word: a Latin-1 "é" read as UTF-8 silently becomes "�" in every email.
 * Validation is one fatal TextDecoder pass; the slow search for the bad byte's line runs only on failure.
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface TextProblem {
  /** 1-based line of the first bad byte (LF, CRLF and a lone CR end a line, as in the parsers). */
  line: number;
  /** 1-based column: characters before it on its line, plus one. */
  column: number;
  message: string;
}

export type DecodedText = { ok: true; text: string; encoding: TextEncoding } | { ok: false; problem: TextProblem };

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LOOSE_UTF8 = new TextDecoder('utf-8');
/**
 * Windows-1252's characters for 0x80–0x9F ("" where it has none); above, it is Latin-1, whose bytes are their code
 * points. Written out because Node's TextDecoder reads the "windows-1252" label as Latin-1 (0x93 as U+0093, not “).
 */
const CP1252_HIGH = '€\u0000‚ƒ„…†‡ˆ‰Š‹Œ\u0000Ž\u0000\u0000‘’“”•–—˜™š›œ\u0000žŸ';
/** Bytes Windows-1252 leaves undefined: a file holding them is not in that encoding. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

const windows1252 = (byte: number) => (byte >= 0x80 && byte < 0xa0 ? CP1252_HIGH[byte - 0x80]! : String.fromCharCode(byte));

const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** `in.csv` → `in.utf8.csv`, quoted for a shell when needed, for the conversion hint. */
function shellWord(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

function convertHint(file: string, from: string): string {
  const dot = file.lastIndexOf('.');
  const out = dot > file.lastIndexOf('/') ? `${file.slice(0, dot)}.utf8${file.slice(dot)}` : `${file}.utf8`;
  return `iconv -f ${from} -t UTF-8 ${shellWord(file)} > ${shellWord(out)}`;
}

/** Line and column of the character at `index` in `text`. */
function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  // Columns count characters, not UTF-16 units, as editors do.
  let column = 1;
  for (let i = start; i < index; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 0xdc00 && c <= 0xdfff && i > start)) column++;
  }
  return { line, column };
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode Table 3-7), or -1. */
function firstBadUtf8(bytes: Uint8Array, from = 0): number {
  const n = bytes.length;
  let i = from;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) [need, lo] = [2, 0xa0];
    else if (b === 0xed) [need, hi] = [2, 0x9f];
    else if (b >= 0xe1 && b <= 0xef) need = 2;
    else if (b === 0xf0) [need, lo] = [3, 0x90];
    else if (b === 0xf4) [need, hi] = [3, 0x8f];
    else if (b >= 0xf1 && b <= 0xf3) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < lo || c > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * True when the bytes read as a single-byte Western encoding: no well-formed multi-byte UTF-8 sequence anywhere
 * (a file that has some is UTF-8 with a pasted stray, and converting it whole would garble the rest), and every
 * high byte defined in Windows-1252.
 */
function looksLikeWindows1252(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    if (CP1252_UNDEFINED.has(b) || firstBadUtf8(bytes.subarray(i, i + 4)) !== 0) return false;
  }
  return true;
}

function utf8Problem(bytes: Uint8Array, file: string): TextProblem {
  const bad = firstBadUtf8(bytes);
  // Everything before the first bad byte is valid UTF-8, so its text gives the line and column.
  const before = LOOSE_UTF8.decode(bytes.subarray(0, bad));
  const { line, column } = position(before, before.length);
  const byte = bytes[bad]!;
  let message = `not UTF-8 text: byte ${hex(byte)} at line ${line}, column ${column} is not valid UTF-8`;
  if (looksLikeWindows1252(bytes)) {
    message +=
      `; the file looks like Latin-1 / Windows-1252, where it is "${windows1252(byte)}". ` +
      `Save it as UTF-8 (or UTF-16 with a BOM), or convert it: ${convertHint(file, 'WINDOWS-1252')}`;
  } else {
    message +=
      '; the file mixes UTF-8 with another encoding (or is not text): retype the character there, or convert the ' +
      `file from its encoding (${convertHint(file, '<ENCODING>')}); UTF-8 and UTF-16 with a BOM are read`;
  }
  return { line, column, message };
}

function nulProblem(text: string, at: number, encoding: TextEncoding): TextProblem {
  const { line, column } = position(text, at);
  const hint =
    encoding === 'utf-8'
      ? 'a text file holds none (UTF-16 without a byte-order mark? save it as UTF-8, or as UTF-16 with a BOM)'
      : 'a text file holds none';
  return { line, column, message: `not a text file: a NUL byte at line ${line}, column ${column}; ${hint}` };
}

function utf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): DecodedText {
  const body = bytes.subarray(2);
  const units = Math.floor(body.length / 2);
  const unit = (i: number) => (encoding === 'utf-16le' ? body[2 * i]! | (body[2 * i + 1]! << 8) : (body[2 * i]! << 8) | body[2 * i + 1]!);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    // An unpaired surrogate, or an odd byte at the end: find the first.
    let bad = units;
    for (let i = 0; i < units; i++) {
      const u = unit(i);
      if (u >= 0xd800 && u <= 0xdbff) {
        const next = i + 1 < units ? unit(i + 1) : -1;
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++;
          continue;
        }
        bad = i;
        break;
      }
      if (u >= 0xdc00 && u <= 0xdfff) {
        bad = i;
        break;
      }
    }
    const before = new TextDecoder(encoding, { ignoreBOM: true }).decode(body.subarray(0, bad * 2));
    const { line, column } = position(before, before.length);
    const what = bad === units ? 'the file ends in the middle of a character' : 'a broken character (an unpaired surrogate)';
    const name = encoding === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE';
    return { ok: false, problem: { line, column, message: `not valid ${name} text (it starts with a ${name} byte-order mark): ${what} at line ${line}, column ${column}` } };
  }
  const nul = text.indexOf('\0');
  return nul === -1 ? { ok: true, text, encoding } : { ok: false, problem: nulProblem(text, nul, encoding) };
}

/**
 * Decodes a text file's bytes. `file` (the project path) only goes into the conversion hint. UTF-16 needs its BOM
 * (FF FE or FE FF); without one, bytes are UTF-8, and a NUL byte (what UTF-16 without a BOM looks like) is refused.
 */
export function decodeText(bytes: Uint8Array, file: string): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes, 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes, 'utf-16be');
  let text: string;
  try {
    text = UTF8.decode(bytes); // drops a UTF-8 BOM
  } catch {
    return { ok: false, problem: utf8Problem(bytes, file) };
  }
  const nul = text.indexOf('\0');
  return nul === -1 ? { ok: true, text, encoding: 'utf-8' } : { ok: false, problem: nulProblem(text, nul, 'utf-8') };
}

/** The rule of every "this file is not text we read" diagnostic. */
export const ENCODING_RULE = 'file/encoding';

/** The problem as a diagnostic on `file`, at the line of the first bad byte. */
export function encodingDiagnostic(file: string, problem: TextProblem): Diagnostic {
  return diag(file, problem.line, 'error', ENCODING_RULE, problem.message);
}
