import { createHash, sign, type KeyObject } from 'node:crypto';
import { domainToASCII } from 'node:url';

/**
 * A DKIM signature (RFC 6376: rsa-sha256, relaxed/relaxed) that over-signs: `h=` names each field one time more than
 * the message holds it, so a field added on top after signing (a second Subject, another List-Unsubscribe, a
 * Reply-To the message never had) breaks the signature instead of being shown to the reader as signed.
 *
 * Written here because neither signer at hand can do it: Nodemailer's DKIM names each field once and only when
 * present, and mailauth's signer lists the fields present and adds a timestamp from the clock. The rest is the
 * standard's canonicalisation, checked in tests by two other implementations (mailauth, Python's dkim).
 */
export interface DkimKey {
  /** The signing domain (`d=`); an internationalised one is signed in its ASCII form. */
  domain: string;
  /** The selector (`s=`) under which the domain's DNS holds the public key. */
  selector: string;
  privateKey: KeyObject;
  /** The header fields to sign and over-sign, in the order they are listed in `h=`. */
  fields: readonly string[];
}

/**
 * The message as the receiver will see it: the transport turns each bare CR or LF into CRLF, and SMTP ends the data
 * with a line end. Signed as it arrives, so no verifier depends on how it treats a body without a final CRLF.
 */
function asTransmitted(message: Buffer): string {
  let text = message.toString('latin1');
  // Checked first: the MIME template writes CRLF only, and a copy of the whole message costs more than the check.
  if (hasBareLineEnd(text)) text = text.replace(/\r\n|\r|\n/g, '\r\n');
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}

function hasBareLineEnd(text: string): boolean {
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (text.charCodeAt(i - 1) !== 13) return true;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) return true;
  return false;
}

interface HeaderField {
  /** Lower-cased name. */
  name: string;
  /** The whole field, folded lines included, CRLF between them. */
  raw: string;
}

/** The header fields, top to bottom, and where the body starts (the message is latin1 text: one char a byte). */
function splitMessage(text: string): { fields: HeaderField[]; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 4);
  const fields: HeaderField[] = [];
  for (const line of head.split('\r\n')) {
    const last = fields[fields.length - 1];
    if (last && /^[ \t]/.test(line)) last.raw += `\r\n${line}`;
    else if (line !== '') fields.push({ name: fieldName(line.slice(0, Math.max(0, line.indexOf(':')))), raw: line });
  }
  return { fields, body };
}

/** RFC 6376 §3.4.2: lower-case name, unfolded value, runs of space and tab as one space, none around the colon or at the end. */
function relaxedField(raw: string): string {
  const colon = raw.indexOf(':');
  const name = fieldName(raw.slice(0, colon));
  // Only space and tab count: trim() would also take a byte 0xA0, the second half of a UTF-8 "à".
  const value = raw
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
  return `${name}:${value}`;
}

function fieldName(name: string): string {
  return name.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase();
}

/**
 * RFC 6376 §3.4.4: no space or tab at line ends, other runs of them as one space, no empty lines at the end. Only
 * what needs changing is matched (a tab, two in a row, a run before a line end), so a clean body is not copied.
 */
function relaxedBody(body: string): string {
  let lines = body;
  if (lines.includes(' \r\n') || lines.includes('\t\r\n')) lines = lines.replace(/[ \t]+\r\n/g, '\r\n');
  if (lines.includes('\t') || lines.includes('  ')) lines = lines.replace(/\t[ \t]*| [ \t]+/g, ' ');
  let end = lines.length;
  while (end >= 2 && lines.charCodeAt(end - 2) === 13 && lines.charCodeAt(end - 1) === 10) end -= 2;
  // Unchanged (the usual case) is returned as the same string, so the caller can hash the message's own bytes.
  if (lines === body && end > 0 && end === body.length - 2) return body;
  return end === 0 ? '' : `${lines.slice(0, end)}\r\n`;
}

/** `h=`: each name as many times as the message has the field, plus once more. */
function signedNames(fields: readonly HeaderField[], wanted: readonly string[]): string[] {
  return wanted.flatMap((field) => {
    const name = field.toLowerCase();
    const count = fields.filter((f) => f.name === name).length;
    return Array.from({ length: count + 1 }, () => field);
  });
}

/**
 * The fields `h=` selects, canonicalised: the nth listing of a name takes its nth instance from the bottom; a
 * listing past the last instance selects nothing (RFC 6376 §5.4.2), which is what over-signing relies on.
 */
function selectedFields(fields: readonly HeaderField[], names: readonly string[]): string {
  const used = new Map<string, number>();
  let out = '';
  for (const field of names) {
    const name = field.toLowerCase();
    const skip = used.get(name) ?? 0;
    used.set(name, skip + 1);
    const instances = fields.filter((f) => f.name === name);
    const chosen = instances[instances.length - 1 - skip];
    if (chosen) out += `${relaxedField(chosen.raw)}\r\n`;
  }
  return out;
}

/** Pieces (`tag=value;`) joined by spaces onto lines of about 76 characters at most, continuation lines starting with a space. */
function fold(prefix: string, pieces: readonly string[]): string {
  const lines = [prefix];
  for (const piece of pieces) {
    const current = lines[lines.length - 1]!;
    if (current.length + 1 + piece.length > 76 && current.trim() !== '') lines.push(` ${piece}`);
    else lines[lines.length - 1] = `${current} ${piece}`;
  }
  return lines.join('\r\n');
}

/** A long value cut after separators into pieces of about `width` characters (FWS may follow each `:` of h=). */
function chunks(value: string, separator: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const part of value.split(separator)) {
    const next = line === '' ? part : `${line}${separator}${part}`;
    if (next.length > width && line !== '') {
      out.push(`${line}${separator}`);
      line = part;
    } else line = next;
  }
  out.push(line);
  return out;
}

/** Returns the message with a `DKIM-Signature` field on top; the message's own bytes follow unchanged. */
export function signDkim(message: Buffer, key: DkimKey): Buffer {
  const text = asTransmitted(message);
  const { fields, body } = splitMessage(text);
  const canonical = relaxedBody(body);
  // A body canonicalisation left as it is, in a message transmitted as it is, is hashed from the message's bytes:
  // encoding 60 KB of text back to bytes for the hash cost about a fifth of a signature.
  const bodyBytes = canonical === body && text.length === message.length ? message.subarray(message.length - body.length) : Buffer.from(canonical, 'latin1');
  const bodyHash = createHash('sha256').update(bodyBytes).digest('base64');
  const names = signedNames(fields, key.fields);
  const domain = domainToASCII(key.domain) || key.domain;
  const head = fold('DKIM-Signature:', [
    'v=1;',
    'a=rsa-sha256;',
    'c=relaxed/relaxed;',
    `d=${domain};`,
    `s=${key.selector};`,
    'q=dns/txt;',
    `bh=${bodyHash};`,
    ...chunks(`h=${names.join(':')};`, ':', 70),
  ]) + '\r\n b=';
  // The signature covers the selected fields, then its own field with an empty b= and no line end (§3.7).
  const signed = selectedFields(fields, names) + relaxedField(head);
  const signature = sign('sha256', Buffer.from(signed, 'latin1'), key.privateKey).toString('base64');
  const b = signature.match(/.{1,72}/g)!.join('\r\n ');
  return Buffer.concat([Buffer.from(`${head}${b}\r\n`, 'latin1'), message]);
}
