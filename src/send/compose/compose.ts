import type { Config } from '../../config/schema.ts';
import { placeholdersFor } from '../../render/merge-tags.ts';
import { RecipientTemplate } from '../../render/personalise.ts';
import type { Claimed, SendRecord } from '../../store/ledger/records.ts';
import { signToken, type Keyring } from '../../subscribers/tokens.ts';
import type { DkimSigner } from '../dkim/signer.ts';
import { MimeTemplate, type SignableMessage } from './mime-template.ts';
import type { Composed } from '../run/runner.ts';

export interface ComposeOptions {
  config: Config;
  send: SendRecord;
  keyring: Keyring;
  /** The run's clock reading: the Date header and the unsubscribe tokens' issue time. */
  date: Date;
  /** DKIM signing, when configured. */
  sign: DkimSigner | null;
}

/**
 * Builds each subscriber's message from the send's frozen HTML and text: the MIME template is compiled once per run,
 * so a message is a join of prepared bytes, the subscriber's escaped values and their own unsubscribe token (which,
 * for a topic's send, leaves that topic only).
 */
export function messageComposer(options: ComposeOptions): (claimed: Claimed) => Composed {
  const { config, send, keyring, date, sign } = options;
  const template = new RecipientTemplate(send.html, send.text, placeholdersFor(send.placeholderPrefix));
  const mime = new MimeTemplate({ config, slug: send.slug, subject: send.subject, template, date, topic: send.topic });
  return (claimed) => {
    // The preferences page takes the same signed token: it names the reader, and the topic the mail came for.
    const token = signToken(keyring, 'unsubscribe', claimed.tokenKey, date, send.topic);
    const recipient = {
      name: claimed.name,
      email: claimed.email,
      unsubscribeUrl: `${config.url}/unsubscribe/${token}`,
      preferencesUrl: `${config.url}/preferences/${token}`,
    };
    const message = sign ? signed(mime.signable(recipient), sign) : mime.message(recipient);
    return { envelope: mime.envelope(recipient), message, messageId: mime.messageId(recipient) };
  };
}

/** The message with its `DKIM-Signature` on top, joined once: the field's bytes, then the message's chunks. */
async function signed(message: SignableMessage, sign: DkimSigner): Promise<Buffer> {
  const { header, chunks, length, bodyHash } = message;
  if (bodyHash === null) return sign(Buffer.concat(chunks, length));
  const field = Buffer.from(await sign.field(header, bodyHash), 'latin1');
  return Buffer.concat([field, ...chunks], field.length + length);
}
