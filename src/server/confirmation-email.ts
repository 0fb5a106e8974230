import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Config } from '../config/schema.ts';
import type { Envelope } from '../send/transport/message-transport.ts';
import type { ConfirmationTemplate } from './confirmation-template.ts';

/** The double opt-in email: who it is from, the question, and the one link that answers it. */
export function confirmationEmail(config: Config, template: ConfirmationTemplate, to: string, link: string, date: Date): SendMailOptions {
  return {
    from: { name: config.from.name ?? config.name, address: config.from.email },
    to,
    // Bounces go where the issues' bounces go.
    envelope: { from: config.sending.return_path ?? config.from.email, to },
    date,
    subject: `Confirm your subscription to ${config.name}`,
    text: template.text(link),
    html: template.html(link),
  };
}

/** The same as raw RFC 5322 bytes (CRLF line ends) and its envelope, for a MessageTransport. */
export async function composeConfirmation(config: Config, template: ConfirmationTemplate, to: string, link: string, date: Date): Promise<{ envelope: Envelope; raw: Buffer }> {
  const node = new MailComposer(confirmationEmail(config, template, to, link, date)).compile();
  const envelope = node.getEnvelope();
  const recipient = envelope.to[0];
  if (envelope.to.length !== 1 || !recipient || !envelope.from) throw new Error('a confirmation email has one sender and one recipient');
  return { envelope: { from: envelope.from, to: recipient }, raw: await node.build() };
}
