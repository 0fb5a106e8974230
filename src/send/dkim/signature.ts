import { createHash, sign, type KeyObject } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { relaxedBody } from './relaxed-body.ts';

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

/** The header fields of a header block (latin1 text: one char a byte), top to bottom. */
function headerFields(head: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of head.split('\r\n')) {
    const last = fields[fields.length - 1];
    if (last && /^[ \t]/.test(line)) last.raw += `\r\n${line}`;
    else if (line !== '') fields.push({ name: fieldName(line.slice(0, Math.max(0, line.indexOf(':')))), raw: line });
  }
  return fields;
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

/** The body hash (`bh=`) of a canonical body's bytes. */
export function bodyHash(canonicalBody: Uint8Array): string {
  return createHash('sha256').update(canonicalBody).digest('base64');
}

/**
 * What an RSA signature is made over, and the field it goes into: the `DKIM-Signature` field up to its empty `b=`,
 * and the selected header fields followed by that field, canonicalised (§3.7). `header` is the message's header
 * block as latin1 text (one char a byte), CRLF between fields, the blank line not included.
 */
export function signatureInput(header: string, bodyHashValue: string, key: Omit<DkimKey, 'privateKey'>): { head: string; input: Buffer } {
  const fields = headerFields(header);
  const names = signedNames(fields, key.fields);
  const domain = domainToASCII(key.domain) || key.domain;
  const head = fold('DKIM-Signature:', [
    'v=1;',
    'a=rsa-sha256;',
    'c=relaxed/relaxed;',
    `d=${domain};`,
    `s=${key.selector};`,
    'q=dns/txt;',
    `bh=${bodyHashValue};`,
    ...chunks(`h=${names.join(':')};`, ':', 70),
  ]) + '\r\n b=';
  // The signature covers the selected fields, then its own field with an empty b= and no line end (§3.7).
  return { head, input: Buffer.from(selectedFields(fields, names) + relaxedField(head), 'latin1') };
}

/** The RSA signature over {@link signatureInput}'s input, base64. */
export function rsaSignature(input: Uint8Array, privateKey: KeyObject): string {
  return sign('sha256', input, privateKey).toString('base64');
}

/** The whole `DKIM-Signature` field, CRLF at its end: the head with the signature folded in. */
export function signatureField(head: string, signature: string): string {
  return `${head}${signature.match(/.{1,72}/g)!.join('\r\n ')}\r\n`;
}

/** The header block and the relaxed body hash of a whole message, as it will be transmitted. */
export function headerAndBodyHash(message: Buffer): { header: string; bodyHash: string } {
  const text = asTransmitted(message);
  const end = text.indexOf('\r\n\r\n');
  const header = end === -1 ? text.replace(/\r\n$/, '') : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 4);
  const canonical = relaxedBody(body);
  // A body canonicalisation left as it is, in a message transmitted as it is, is hashed from the message's bytes:
  // encoding 60 KB of text back to bytes for the hash cost about a fifth of a signature.
  const bytes = canonical === body && text.length === message.length ? message.subarray(message.length - body.length) : Buffer.from(canonical, 'latin1');
  return { header, bodyHash: bodyHash(bytes) };
}

/** Returns the message with a `DKIM-Signature` field on top; the message's own bytes follow unchanged. */
export function signDkim(message: Buffer, key: DkimKey): Buffer {
  const { header, bodyHash: bh } = headerAndBodyHash(message);
  const { head, input } = signatureInput(header, bh, key);
  return Buffer.concat([Buffer.from(signatureField(head, rsaSignature(input, key.privateKey)), 'latin1'), message]);
}
