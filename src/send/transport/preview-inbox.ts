import { createTransport, type Transporter } from 'nodemailer';
import { parseSmtpUrl } from './smtp-url.ts';

/** Where test sends go when no SMTP server is configured: the preview's local inbox, if one is running. */
export const DEFAULT_INBOX_PORT = 2525;

export interface Delivery {
  transport: Transporter;
  /** Where the mail goes, for messages: never credentials. */
  description: string;
}

/** `SMTP_URL` (smtp:// or smtps://, with credentials) from the environment; secrets never live in the repo. */
export function configuredSmtp(env: NodeJS.ProcessEnv): Delivery | null {
  const url = env.SMTP_URL?.trim();
  if (!url) return null;
  let description: string;
  try {
    description = parseSmtpUrl(url).description;
  } catch (error) {
    throw new Error(`SMTP_URL: ${(error as Error).message}`);
  }
  return { transport: createTransport(url), description };
}

/** The preview's inbox on 127.0.0.1, when something answers there as an SMTP server. */
export async function previewInbox(port: number): Promise<Delivery | null> {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 1000, greetingTimeout: 1000 });
  try {
    await transport.verify();
    return { transport, description: `the preview's local inbox (127.0.0.1:${port})` };
  } catch {
    transport.close();
    return null;
  }
}
