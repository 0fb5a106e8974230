import { createHash } from 'node:crypto';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import type { Config } from '../../config/schema.ts';
import type { Recipient, RecipientTemplate } from '../../render/personalise.ts';
import type { Envelope } from '../transport/message-transport.ts';
import { HEADER_LINE, headerUrl, idHeader, listIdParts, mailboxHeader, messageId, oneLine, phrase, plainAddress, rfc5322Date, textHeader } from './headers.ts';
import { EncodedPart } from './qp-runs.ts';

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
