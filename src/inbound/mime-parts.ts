/**
 * Just enough MIME to read returned mail: header fields, the leaf parts of a multipart message, and the field
 * blocks of delivery-status (RFC 3464) and feedback (RFC 5965) reports. Reports are plain 7-bit text; a part in
 * base64 or quoted-printable is decoded. Nothing here trusts the input's structure: a malformed message gives fewer
 * parts, never an exception.
 */

/** Header fields by lower-case name, unfolded; a repeated field keeps every value. */
export type Fields = Map<string, string[]>;

export interface Part {
  fields: Fields;
  /** The body, transfer-decoded, read as UTF-8. */
  body: string;
}

/** Splits at the first empty line: the header fields, and the rest. */
export function splitHeader(text: string): { fields: Fields; body: string } {
  const end = /\r?\n\r?\n/.exec(text);
  const head = end ? text.slice(0, end.index) : text;
  const body = end ? text.slice(end.index + end[0].length) : '';
  return { fields: parseFields(head), body };
}

/** Header-style fields (`Name: value`, continuation lines indented), as in a header or a report block. */
export function parseFields(text: string): Fields {
  const fields: Fields = new Map();
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    fields.set(name, [...(fields.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return fields;
}

export function field(fields: Fields, name: string): string | null {
  return fields.get(name)?.[0] ?? null;
}

/** A Content-Type's type (lower case) and parameters (names lower case, quotes removed). */
export function contentType(fields: Fields): { type: string; params: Record<string, string> } {
  const value = field(fields, 'content-type') ?? 'text/plain';
  const [type = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const m of rest.join(';').matchAll(/([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/g)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeBody(fields: Fields, body: string): string {
  const encoding = (field(fields, 'content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = Buffer.from(body.replace(/=\r?\n/g, ''), 'latin1');
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const hex = bytes[i] === 0x3d ? bytes.subarray(i + 1, i + 3).toString('latin1') : '';
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
      } else out.push(bytes[i]!);
    }
    return Buffer.from(out).toString('utf8');
  }
  return body;
}

/** The leaf parts of a message in order, the message itself when it is not multipart. Nesting is bounded. */
export function leafParts(text: string, depth = 0): Part[] {
  const { fields, body } = splitHeader(text);
  const { type, params } = contentType(fields);
  const boundary = params.boundary;
  if (!type.startsWith('multipart/') || !boundary || depth > 8) return [{ fields, body: decodeBody(fields, body) }];
  const delimiter = `--${boundary}`;
  const out: Part[] = [];
  const chunks = body.split(new RegExp(`(?:^|\\r?\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // Before the first delimiter is the preamble; a chunk starting with `--` is the closing delimiter's epilogue.
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    out.push(...leafParts(chunk.replace(/^[ \t]*\r?\n/, ''), depth + 1));
  }
  return out;
}

/** The blocks of a report part: fields separated by empty lines (RFC 3464 §2.1, RFC 5965 §3.1). */
export function fieldBlocks(body: string): Fields[] {
  return body
    .split(/\r?\n[ \t]*\r?\n/)
    .map((block) => parseFields(block))
    .filter((fields) => fields.size > 0);
}

/** The address in `rfc822; user@example.org`, `<user@example.org>` or `Name <user@example.org>`. */
export function addressIn(value: string | null): string | null {
  if (!value) return null;
  // An address is at most 254 characters; a longer field is cut first, so a hostile one costs nothing to read.
  value = value.slice(0, 1000);
  const typed = /^\s*[\w-]+\s*;\s*(.+)$/.exec(value);
  const text = typed ? typed[1]! : value;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(text);
  const bare = angle ? angle[1]! : /([^\s<>"(),;:]+@[^\s<>"(),;:]+)/.exec(text)?.[1];
  return bare ? bare.trim() : null;
}
