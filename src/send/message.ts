import { createHash } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { Config } from '../config/schema.ts';
import type { PersonalisedEmail, Recipient } from '../render/personalise.ts';

export interface MessageInput {
  config: Config;
  /** The slug and subject line. */
  slug: string;
  subject: string;
  email: PersonalisedEmail;
  recipient: Recipient;
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

/** `List-Id`: the newsletter's name and a stable identifier under the sender's domain (RFC 2919). */
export function listId(config: Config): string {
  const id = config.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'newsletter';
  return `${oneLine(config.name).replace(/[<>"]/g, '')} <${id}.${domainOf(config.from.email)}>`;
}

/** Stable per issue and subscriber, so a resend of the same message is recognisable as such. */
export function messageId(slug: string, address: string, fromAddress: string, nonce = ''): string {
  const hash = createHash('sha256').update(`${slug}\0${address.toLowerCase()}\0${nonce}`).digest('hex').slice(0, 32);
  return `<${slug}.${hash}@${domainOf(fromAddress)}>`;
}

/**
 * The message every path sends (test sends, the preview's inbox, the real send): multipart/alternative with the
 * personalised text and HTML, and the headers bulk mail needs: Reply-To, List-Id, and one-click unsubscribe
 * (RFC 8058: `List-Unsubscribe` with an https URL on one unfolded line, and `List-Unsubscribe-Post`).
 */
export function composeMessage(input: MessageInput): SendMailOptions {
  const { config, recipient, email } = input;
  const fromName = oneLine(config.from.name ?? config.name);
  const toName = oneLine(recipient.name);
  const subject = oneLine(input.subject);
  return {
    from: { name: fromName, address: config.from.email },
    ...(config.reply_to ? { replyTo: config.reply_to } : {}),
    to: toName ? { name: toName, address: recipient.email } : recipient.email,
    subject: input.test ? `[Test] ${subject}` : subject,
    date: input.date,
    messageId: messageId(input.slug, recipient.email, config.from.email, input.test?.nonce),
    text: email.text,
    html: email.html,
    textEncoding: 'quoted-printable',
    headers: {
      'List-Id': { prepared: true, value: listId(config) },
      'List-Unsubscribe': { prepared: true, value: `<${oneLine(recipient.unsubscribeUrl)}>` },
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}
