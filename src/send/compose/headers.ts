import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { encodeWord, encodeWords, foldLines, quoteString } from 'nodemailer/lib/mime-funcs';
import type { Config } from '../../config/schema.ts';
import { checkAddress } from '../../subscribers/email-address.ts';

/** One header value on one line: CR and LF never reach a header, whatever the data (header injection). */
export function oneLine(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The longest `<…>` identifier (a Message-ID, a List-Id) that still fits a header line of 78 characters on a line of
 * its own after folding: identifiers cannot be folded inside.
 */
const LONGEST_ID = 77 - 2;

/**
 * The List-Id's description and identifier, apart, so the header can encode the description. A topic is a list of
 * its own (RFC 2919, and RFC 8058's one-click applies to the list the header names): `<topic>.<main list id>`,
 * described by the topic's name. A topic the config does not know (a send planned before it was removed) falls back
 * to the main list's id with the topic id in front, so it still names a list apart.
 */
export function listIdParts(config: Config, topic: string | null = null): { description: string; id: string } {
  const domain = domainOf(config.from.email);
  const name = config.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'newsletter';
  const prefix = topic === null ? '' : `${topic}.`;
  // A long name is cut, so the identifier folds within the line limit; the domain and the topic keep it unique.
  const room = Math.max(8, LONGEST_ID - domain.length - 1 - prefix.length);
  const id = name.length > room ? name.slice(0, room).replace(/-+$/, '') : name;
  const described = topic === null ? config.name : (config.topics.find((t) => t.id === topic)?.name ?? topic);
  return { description: oneLine(described).replace(/[<>"]/g, ''), id: `${prefix}${id}.${domain}` };
}

/** `List-Id`: the newsletter's (or the topic's) name and a stable identifier under the sender's domain (RFC 2919). */
export function listId(config: Config, topic: string | null = null): string {
  const { description, id } = listIdParts(config, topic);
  return `${description} <${id}>`;
}

/**
 * Stable per issue and subscriber, so a resend of the same message is recognisable as such. The slug is there for
 * people reading headers; a long one is cut so the id fits a header line (the hash covers the whole slug).
 */
export function messageId(slug: string, address: string, fromAddress: string, nonce = ''): string {
  const hash = createHash('sha256').update(`${slug}\0${address.toLowerCase()}\0${nonce}`).digest('hex').slice(0, 32);
  const domain = domainOf(fromAddress);
  const room = LONGEST_ID - hash.length - domain.length - 2;
  const shown = slug.length > room ? slug.slice(0, Math.max(0, room)).replace(/-+$/, '') : slug;
  return shown ? `<${shown}.${hash}@${domain}>` : `<${hash}@${domain}>`;
}

/** `Name: <id>`, or folded before the id when the line would pass 78 characters. */
export function idHeader(field: string, id: string): string {
  return field.length + 2 + id.length > 78 ? `${field}:\r\n ${id}` : `${field}: ${id}`;
}

/** Header lines are folded to this (RFC 5322 §2.1.1 asks for 78 with CRLF excluded; words need slack). */
export const HEADER_LINE = 76;
/** A plain word longer than this cannot be folded under the limit, so the text goes as encoded words. */
const LONGEST_PLAIN_WORD = 60;
/** Encoded words of at most this many characters, so they fold well inside the limit (RFC 2047 allows 75). */
const ENCODED_WORD = 52;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Words of RFC 5322 atext separated by single spaces: a phrase that needs no quotes. */
const ATOM_PHRASE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** What an addr-spec in a header may not hold: anything that would end it or start another one. */
const NOT_IN_ADDRESS = /[\s<>()[\]\\,;:"\p{Cc}\u2028\u2029]/u;
/** URL characters that go into `<…>` as they are; anything else is percent-encoded. */
const PLAIN_URL = /^[!#-;=?-~]*$/;

function longestWord(text: string): number {
  let longest = 0;
  for (const word of text.split(' ')) longest = Math.max(longest, word.length);
  return longest;
}

/** B (base64) for text that is mostly non-ASCII, where it is shorter; Q otherwise, as Nodemailer chooses. */
function wordEncoding(text: string): 'B' | 'Q' {
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) nonAscii++;
  return nonAscii > text.length / 2 ? 'B' : 'Q';
}

/**
 * Untrusted text as it can stand in a header: printable ASCII that folds as it is, or else RFC 2047 encoded words.
 * Text that looks like an encoded word (`=?`) is encoded too, so a reader's client shows it as typed.
 */
function needsWords(text: string): boolean {
  return !PRINTABLE_ASCII.test(text) || text.includes('=?') || longestWord(text) > LONGEST_PLAIN_WORD;
}

/** A display name (RFC 5322 phrase): atoms as they are, a quoted string when it has specials, else encoded words. */
export function phrase(name: string): string {
  if (needsWords(name)) return encodeWord(name, wordEncoding(name), ENCODED_WORD);
  return ATOM_PHRASE.test(name) ? name : quoteString(name);
}

/** An address for a header or the envelope; one that could end the header's address or start another is refused. */
export function plainAddress(address: string): string {
  if (NOT_IN_ADDRESS.test(address) || !checkAddress(address, { allowLocalDomain: true }).ok) throw new Error(`not a plain email address: ${JSON.stringify(address)}`);
  return wireAddress(address);
}

/**
 * The address as it goes on the wire. An internationalised domain after an ASCII local part goes as its ASCII form
 * (`ada@xn--e1afmkfd.xn--p1ai`), which every server accepts; only a non-ASCII local part needs SMTPUTF8 (RFC 6531),
 * which the SMTP connection asks for when the server offers it.
 */
function wireAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!/[^\x20-\x7e]/.test(domain) || /[^\x20-\x7e]/.test(local)) return address;
  const ascii = domainToASCII(domain);
  return ascii ? `${local}@${ascii}` : address;
}

/** `Name <address>`, or the bare address when there is no name; folded. */
export function mailboxHeader(field: string, name: string, address: string): string {
  const display = oneLine(name);
  const mailbox = display ? `${phrase(display)} <${plainAddress(address)}>` : plainAddress(address);
  return foldLines(`${field}: ${mailbox}`, HEADER_LINE);
}

/** Unstructured text (Subject): plain when it can be, else encoded words from the first non-ASCII word on. */
export function textHeader(field: string, value: string): string {
  const text = oneLine(value);
  if (!needsWords(text)) return foldLines(`${field}: ${text}`, HEADER_LINE);
  const encoding = wordEncoding(text);
  // Only the words that need it, when what is left plain is printable and can fold; the whole text otherwise.
  const partial = text.includes('=?') ? text : encodeWords(text, encoding, ENCODED_WORD);
  const plainLeft = partial !== text && PRINTABLE_ASCII.test(partial) && longestWord(partial) <= LONGEST_PLAIN_WORD;
  const encoded = plainLeft ? partial : encodeWord(text, encoding, ENCODED_WORD);
  return foldLines(`${field}: ${encoded}`, HEADER_LINE);
}

/** A URL for `<…>` in a header: on one line, and nothing in it can close the brackets. */
export function headerUrl(url: string): string {
  const line = oneLine(url);
  if (PLAIN_URL.test(line)) return line;
  return line.replace(/[^!#-;=?-~]/gu, (c) => Buffer.from(c, 'utf8').toString('hex').toUpperCase().replace(/../g, '%$&'));
}

/** RFC 5322 date-time in UTC. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}
