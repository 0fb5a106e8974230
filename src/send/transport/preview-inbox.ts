import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** Where test sends go when no SMTP server is configured: the preview's local inbox, if one is running. */
export const DEFAULT_INBOX_PORT = 2525;

/** The URL of the preview's inbox on 127.0.0.1, for the SMTP transport: a local sink, so never STARTTLS. */
export function previewInboxUrl(port: number): string {
  return `smtp://127.0.0.1:${port}/?ignoreTLS=true`;
}

/** Where the preview's inbox is, for messages. */
export function previewInboxDescription(port: number): string {
  return `the preview's local inbox (127.0.0.1:${port})`;
}

/** Whether something answers on 127.0.0.1:`port` as an SMTP server (a greeting, then EHLO), within a second. */
export function previewInboxAnswers(port: number): Promise<boolean> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 1000, greetingTimeout: 1000, socketTimeout: 1000, logger: false });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answers: boolean) => {
      if (settled) return;
      settled = true;
      if (answers) connection.quit();
      else connection.close();
      resolve(answers);
    };
    connection.on('error', () => finish(false));
    connection.on('end', () => finish(false));
    connection.connect((error) => finish(!error));
  });
}
