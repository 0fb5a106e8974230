import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { encodeWord, encodeWords, foldLines, quoteString } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import type { Config } from '../../config/schema.ts';
import type { Recipient, RecipientTemplate } from '../../render/personalise.ts';
import type { Envelope } from '../transport/message-transport.ts';
import { checkAddress } from '../../subscribers/email-address.ts';

export interface MimeTemplateInput {
  config: Config;
  /** The slug and subject line. */
  slug: string;
  subject: string;
  template: RecipientTemplate;
  /** When the message is dated; the caller's clock, so this stays pure. */
  date: Date;
  /** A test send: the subject says so, and the Message-ID is unique to this send rather than to the subscriber. */
  test?: { nonce: string };
}

/** One header value on one line: CR and LF never reach a header, whatever the data (header injection). */
function oneLine(value: string): string {
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

/** The List-Id's description and identifier, apart, so the header can encode the description. */
function listIdParts(config: Config): { description: string; id: string } {
  const domain = domainOf(config.from.email);
  const name = config.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'newsletter';
  // A long name is cut, so the identifier folds within the line limit; the domain keeps it unique.
  const room = Math.max(8, LONGEST_ID - domain.length - 1);
  const id = name.length > room ? name.slice(0, room).replace(/-+$/, '') : name;
  return { description: oneLine(config.name).replace(/[<>"]/g, ''), id: `${id}.${domain}` };
}

/** `List-Id`: the newsletter's name and a stable identifier under the sender's domain (RFC 2919). */
export function listId(config: Config): string {
  const { description, id } = listIdParts(config);
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
function idHeader(field: string, id: string): string {
  return field.length + 2 + id.length > 78 ? `${field}:\r\n ${id}` : `${field}: ${id}`;
}

/** Longest line of a quoted-printable body, `=` of a soft break included (RFC 2045 §6.7). */
const QP_LINE = 76;
/** Runs are wrapped one shorter, so a soft break always fits after the last line of one. */
const RUN_LINE = QP_LINE - 1;
const SOFT_BREAK = Buffer.from('=\r\n', 'latin1');
/** Header lines are folded to this (RFC 5322 §2.1.1 asks for 78 with CRLF excluded; words need slack). */
const HEADER_LINE = 76;
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
function phrase(name: string): string {
  if (needsWords(name)) return encodeWord(name, wordEncoding(name), ENCODED_WORD);
  return ATOM_PHRASE.test(name) ? name : quoteString(name);
}

/** An address for a header or the envelope; one that could end the header's address or start another is refused. */
function plainAddress(address: string): string {
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
function mailboxHeader(field: string, name: string, address: string): string {
  const display = oneLine(name);
  const mailbox = display ? `${phrase(display)} <${plainAddress(address)}>` : plainAddress(address);
  return foldLines(`${field}: ${mailbox}`, HEADER_LINE);
}

/** Unstructured text (Subject): plain when it can be, else encoded words from the first non-ASCII word on. */
function textHeader(field: string, value: string): string {
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
function headerUrl(url: string): string {
  const line = oneLine(url);
  if (PLAIN_URL.test(line)) return line;
  return line.replace(/[^!#-;=?-~]/gu, (c) => Buffer.from(c, 'utf8').toString('hex').toUpperCase().replace(/../g, '%$&'));
}

/** RFC 5322 date-time in UTC. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * A run of quoted-printable text that is joined to others: its bytes, the length of its first line (a soft break's
 * `=` included) and whether that line ends in a break, and the length of its last line.
 */
interface Run {
  bytes: Buffer;
  first: number;
  broken: boolean;
  last: number;
}

function run(qp: string): Run {
  // Every dot as =2E: then no line can start with one, wherever a wrap or a join falls, and SMTP's dot-stuffing has
  // nothing to change, so the transport's fast path takes every message (src/send/dot-stuffing.ts). About 3% more
  // bytes on the wire, for about a tenth of the CPU a message costs.
  const encoded = qp.includes('.') ? qp.replace(/\./g, '=2E') : qp;
  const wrapped = encoded.length <= RUN_LINE ? encoded : qpWrap(encoded, RUN_LINE);
  const firstBreak = wrapped.indexOf('\r\n');
  return {
    bytes: Buffer.from(wrapped, 'latin1'),
    first: firstBreak === -1 ? wrapped.length : firstBreak,
    broken: firstBreak !== -1,
    last: firstBreak === -1 ? wrapped.length : wrapped.length - wrapped.lastIndexOf('\r\n') - 2,
  };
}

/** Static text with every line end as CRLF, the only line break a text body has on the wire. */
function crlf(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  return /\r(?!\n)|(?<!\r)\n/.test(text) ? Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1') : bytes;
}

/**
 * A subscriber's value, quoted-printable. Its CR and LF are data, not line breaks, so they are encoded (`=0D`,
 * `=0A`): a value never adds a line of its own, and decodes to exactly the bytes render() inserts.
 */
function encodeValue(value: string): string {
  const encoded = qpEncode(value);
  return encoded.includes('\r') || encoded.includes('\n') ? encoded.replace(/\r/g, '=0D').replace(/\n/g, '=0A') : encoded;
}

/**
 * Joins runs into lines of at most 76 characters: a soft break goes in at a join only where the next run's first
 * line would not fit after the current line. Every run is complete on its own (no `=XX` or trailing space is split
 * across a join), so the decoded text is exactly the runs' decoded texts, in order.
 */
class Joiner {
  length = 0;
  private column = 0;

  constructor(private readonly out: Buffer[]) {}

  add(next: Run): void {
    if (next.bytes.length === 0) return;
    if (this.column > 0 && this.column + next.first > (next.broken ? QP_LINE : RUN_LINE)) {
      this.out.push(SOFT_BREAK);
      this.length += SOFT_BREAK.length;
      this.column = 0;
    }
    this.out.push(next.bytes);
    this.length += next.bytes.length;
    this.column = next.broken ? next.last : this.column + next.first;
  }
}

/** One body part (text or HTML) as quoted-printable: the static runs encoded once, the values per subscriber. */
class EncodedPart {
  private readonly runs: Run[];

  constructor(private readonly pieces: ReturnType<RecipientTemplate['pieces']>) {
    this.runs = pieces.parts.map((part) => run(qpEncode(crlf(part))));
  }

  /** The static runs' bytes, for the boundary's hash. */
  get statics(): readonly Buffer[] {
    return this.runs.map((r) => r.bytes);
  }

  /** Pushes the part's chunks for a recipient onto `out`; returns how many bytes they hold. */
  fill(recipient: Recipient, out: Buffer[]): number {
    const join = new Joiner(out);
    const values = this.runs.length > 1 ? this.pieces.values(recipient) : [];
    // The same value often fills several slots (the name in the greeting and the preheader): encoded once.
    const encoded = new Map<string, Run>();
    for (let i = 0; i < values.length; i++) {
      join.add(this.runs[i]!);
      const value = values[i]!;
      let valueRun = encoded.get(value);
      if (!valueRun) encoded.set(value, (valueRun = run(encodeValue(value))));
      join.add(valueRun);
    }
    join.add(this.runs[this.runs.length - 1]!);
    return join.length;
  }
}

/**
 * The message for one issue, compiled once: headers and quoted-printable bodies precomputed, so a subscriber's
 * message is a join of those bytes with a few small encoded values (the To header, the Message-ID, the unsubscribe
 * URL and the slots of the text and HTML). The bytes are an RFC 5322 message with CRLF line ends, not dot-stuffed:
 * multipart/alternative with the text, then the HTML, both UTF-8 and quoted-printable, and the headers bulk mail
 * needs: Reply-To, List-Id, and one-click unsubscribe (RFC 8058: `List-Unsubscribe` with an https URL on one
 * unfolded line, and `List-Unsubscribe-Post`).
 */
export class MimeTemplate {
  private readonly config: Config;
  private readonly slug: string;
  private readonly nonce: string | undefined;
  private readonly text: EncodedPart;
  private readonly html: EncodedPart;
  /** The header lines before To, between To and Message-ID, between it and List-Unsubscribe, and after. */
  private readonly headBlocks: [string, string, string, string];
  private readonly mailto: string;
  private readonly opening: Buffer;
  private readonly middle: Buffer;
  private readonly closing: Buffer;

  constructor(input: MimeTemplateInput) {
    const { config, template } = input;
    this.config = config;
    this.slug = input.slug;
    this.nonce = input.test?.nonce;
    this.text = new EncodedPart(template.pieces('text'));
    this.html = new EncodedPart(template.pieces('html'));
    this.mailto = config.sending.unsubscribe_mailto
      ? `, <mailto:${plainAddress(config.sending.unsubscribe_mailto)}?subject=unsubscribe>`
      : '';

    // "=_" never occurs in quoted-printable text (`=` always starts `=XX` or a soft break), whatever a subscriber's
    // values are; the hash makes the boundary deterministic and distinct per issue.
    const hash = createHash('sha256').update(input.slug);
    for (const bytes of [...this.text.statics, ...this.html.statics]) hash.update(bytes);
    const boundary = `=_nl_${hash.digest('hex').slice(0, 32)}`;

    const subject = `${input.test ? '[Test] ' : ''}${oneLine(input.subject)}`;
    const { description, id } = listIdParts(config);
    const list = description ? `${phrase(description)} <${id}>` : `<${id}>`;
    this.headBlocks = [
      [
        mailboxHeader('From', config.from.name ?? config.name, config.from.email),
        ...(config.reply_to ? [`Reply-To: ${plainAddress(config.reply_to)}`] : []),
      ].join('\r\n'),
      [textHeader('Subject', subject), `Date: ${rfc5322Date(input.date)}`].join('\r\n'),
      ['MIME-Version: 1.0', foldLines(`List-Id: ${list}`, HEADER_LINE)].join('\r\n'),
      ['List-Unsubscribe-Post: List-Unsubscribe=One-Click', `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`].join('\r\n'),
    ];
    const partHead = (type: string) =>
      `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`;
    this.opening = Buffer.from(`\r\n\r\n${partHead('text/plain')}`, 'latin1');
    this.middle = Buffer.from(`\r\n${partHead('text/html')}`, 'latin1');
    this.closing = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  }

  messageId(recipient: Recipient): string {
    return messageId(this.slug, recipient.email, this.config.from.email, this.nonce);
  }

  envelope(recipient: Recipient): Envelope {
    return { from: this.config.sending.return_path ?? this.config.from.email, to: plainAddress(recipient.email) };
  }

  /** The header block, CRLF between lines and none after the last. */
  headers(recipient: Recipient): string {
    const [beforeTo, beforeId, beforeUnsubscribe, after] = this.headBlocks;
    return (
      `${beforeTo}\r\n${mailboxHeader('To', recipient.name, recipient.email)}\r\n` +
      `${beforeId}\r\n${idHeader('Message-ID', this.messageId(recipient))}\r\n` +
      `${beforeUnsubscribe}\r\nList-Unsubscribe: <${headerUrl(recipient.unsubscribeUrl)}>${this.mailto}\r\n` +
      after
    );
  }

  message(recipient: Recipient): Buffer {
    const head = Buffer.from(this.headers(recipient), 'utf8');
    const chunks: Buffer[] = [head, this.opening];
    let length = head.length + this.opening.length;
    length += this.text.fill(recipient, chunks);
    chunks.push(this.middle);
    length += this.middle.length;
    length += this.html.fill(recipient, chunks);
    chunks.push(this.closing);
    length += this.closing.length;
    return Buffer.concat(chunks, length);
  }
}
