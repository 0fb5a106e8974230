import { createHash, type Hash } from 'node:crypto';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import type { Config } from '../../config/schema.ts';
import type { Recipient, RecipientTemplate } from '../../render/personalise.ts';
import type { Envelope } from '../transport/message-transport.ts';
import { HEADER_LINE, headerUrl, idHeader, listIdParts, mailboxHeader, messageId, oneLine, phrase, plainAddress, rfc5322Date, textHeader } from './headers.ts';
import { EncodedPart } from './qp-runs.ts';
import { relaxedChunk } from '../dkim/relaxed-body.ts';

/** A message in the pieces DKIM signing needs; see {@link MimeTemplate.signable}. */
export interface SignableMessage {
  /** The header block as latin1 text (one char a byte), CRLF between fields, the blank line not included. */
  header: string;
  /** The message's bytes, in order, and their total length. */
  chunks: Buffer[];
  length: number;
  /** The body's DKIM hash (relaxed), or null when only the whole message's canonicalisation can tell it. */
  bodyHash: string | null;
}

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
  /** The topic the issue goes to (its own List-Id), or null or absent for the main list. */
  topic?: string | null;
}


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
  /** The opening's body half (after the header's blank line), the middle and the closing, DKIM-relaxed. */
  private readonly openingBody: Buffer;
  private readonly middleRelaxed: Buffer;
  private readonly closingRelaxed: Buffer;
  /** The SHA-256 state after the body's chunks that are the same in every message, made by the first signed one. */
  private bodyPrefix: Hash | null = null;

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
    const { description, id } = listIdParts(config, input.topic ?? null);
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
    // The body starts after the header's blank line, four bytes into the opening.
    this.openingBody = relaxedChunk(this.opening.subarray(4));
    this.middleRelaxed = relaxedChunk(this.middle);
    this.closingRelaxed = relaxedChunk(this.closing);
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

  /**
   * The message with its DKIM body hash, for a signed send. Each constant chunk is canonicalised once per template
   * (its relaxed form is kept with it), and the hash state after the body's opening chunks, those before the first
   * subscriber value, is kept and copied: a message is hashed from its first value on, without rereading the rest.
   * Every chunk stands alone (qp-runs ends none in a space, a tab or a CR); that is checked, not assumed, and a
   * chunk that did not, or a bare line end in the header, leaves the hash to the whole message's canonicalisation.
   */
  signable(recipient: Recipient): SignableMessage {
    const head = Buffer.from(this.headers(recipient), 'utf8');
    const chunks: Buffer[] = [head, this.opening];
    const relaxed: (Buffer | null)[] = [this.openingBody];
    let length = head.length + this.opening.length;
    length += this.text.fill(recipient, chunks, relaxed);
    chunks.push(this.middle);
    relaxed.push(this.middleRelaxed);
    length += this.middle.length;
    length += this.html.fill(recipient, chunks, relaxed);
    chunks.push(this.closing);
    relaxed.push(this.closingRelaxed);
    length += this.closing.length;
    const header = head.toString('latin1');
    if (relaxed.includes(null) || /\r(?!\n)|(?<!\r)\n/.test(header)) return { header, chunks, length, bodyHash: null };
    const lead = this.leadingChunks();
    if (!this.bodyPrefix) {
      this.bodyPrefix = createHash('sha256');
      for (let i = 0; i < lead; i++) this.bodyPrefix.update(relaxed[i]!);
    }
    const hash = this.bodyPrefix.copy();
    for (let i = lead; i < relaxed.length; i++) hash.update(relaxed[i]!);
    return { header, chunks, length, bodyHash: hash.digest('base64') };
  }

  /** How many of the body's chunks come before the first subscriber value (all of them when there is none). */
  private leadingChunks(): number {
    let count = 1 + this.text.leadingChunks;
    if (!this.text.constant) return count;
    count += 1 + this.html.leadingChunks;
    return this.html.constant ? count + 1 : count;
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
