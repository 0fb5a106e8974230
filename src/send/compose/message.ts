import type { Config } from '../../config/schema.ts';
import type { Recipient, RecipientTemplate } from '../../render/personalise.ts';
import { MimeTemplate } from './mime-template.ts';
import type { Envelope } from '../transport/message-transport.ts';


export interface MessageInput {
  config: Config;
  /** The issue's slug and subject line. */
  slug: string;
  subject: string;
  template: RecipientTemplate;
  recipient: Recipient;
  /** When the message is dated; the caller's clock, so this stays pure. */
  date: Date;
  /** A test send: the subject says so, and the Message-ID is unique to this send rather than to the subscriber. */
  test?: { nonce: string };
  /** The topic the issue goes to (its own List-Id), or null or absent for the main list. */
  topic?: string | null;
}

/**
 * One message, built as the real send builds every message (through the issue's MimeTemplate), so a test send, the
 * preview's inbox and the list send carry the same bytes: the envelope and the raw RFC 5322 message (CRLF line
 * ends, not dot-stuffed), ready for `transport.sendMail({ envelope, raw })` or an `.eml` file.
 */
export function composeMessage(input: MessageInput): { envelope: Envelope; raw: Buffer } {
  const { recipient, ...issue } = input;
  const mime = new MimeTemplate(issue);
  return { envelope: mime.envelope(recipient), raw: mime.message(recipient) };
}
