import type { Config } from '../../config/schema.ts';
import { placeholdersFor } from '../../render/merge-tags.ts';
import { RecipientTemplate } from '../../render/personalise.ts';
import type { Claimed, SendRecord } from '../../store/ledger/records.ts';
import { signToken, type Keyring } from '../../subscribers/tokens.ts';
import { MimeTemplate } from './mime-template.ts';
import type { Composed } from '../run/runner.ts';

export interface ComposeOptions {
  config: Config;
  send: SendRecord;
  keyring: Keyring;
  /** The run's clock reading: the Date header and the unsubscribe tokens' issue time. */
  date: Date;
  /** DKIM signing, when configured. */
  sign: ((message: Buffer) => Promise<Buffer>) | null;
}

/**
 * Builds each subscriber's message from the send's frozen HTML and text: the MIME template is compiled once per run,
 * so a message is a join of prepared bytes, the subscriber's escaped values and their own unsubscribe token.
 */
export function messageComposer(options: ComposeOptions): (claimed: Claimed) => Composed {
  const { config, send, keyring, date, sign } = options;
  const template = new RecipientTemplate(send.html, send.text, placeholdersFor(send.placeholderPrefix));
  const mime = new MimeTemplate({ config, slug: send.slug, subject: send.subject, template, date });
  return (claimed) => {
    const recipient = {
      name: claimed.name,
      email: claimed.email,
      unsubscribeUrl: `${config.url}/unsubscribe/${signToken(keyring, 'unsubscribe', claimed.tokenKey, date)}`,
    };
    const message = mime.message(recipient);
    return { envelope: mime.envelope(recipient), message: sign ? sign(message) : message, messageId: mime.messageId(recipient) };
  };
}
