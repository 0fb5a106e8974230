/**
 * The field blocks of delivery-status (RFC 3464 §2.1) and feedback (RFC 5965 §3.1) reports, and the address in a
 * report's typed values. mailparser reads a message's header and hands a report part over as bytes: the blocks inside
 * it (header-style fields, blocks separated by empty lines) are ours to read. Reports are 7-bit text; nothing here
 * trusts their structure, so a malformed block gives fewer fields, never an exception.
 */

/** Fields by lower-case name, unfolded; a repeated field keeps every value. */
export type Fields = Map<string, string[]>;

/** Header-style fields (`Name: value`, continuation lines indented). */
function parseFields(text: string): Fields {
  const fields: Fields = new Map();
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    // Appended in place: copying the list for each repeat was quadratic in a block of one field repeated.
    const values = fields.get(name);
    if (values) values.push(line.slice(colon + 1).trim());
    else fields.set(name, [line.slice(colon + 1).trim()]);
  }
  return fields;
}

export function field(fields: Fields, name: string): string | null {
  return fields.get(name)?.[0] ?? null;
}

/** The blocks of a report part: fields separated by empty lines. */
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
