/** Returned mail as real servers write it: Postfix-style delivery reports, ARF complaints, emailed unsubscribes. */

export interface DsnOptions {
  to: string;
  /** Enhanced status, `5.1.1`. */
  status: string;
  action?: string;
  diagnostic?: string;
  /** The failed message's Message-ID; null leaves the original headers out. */
  messageId: string | null;
  /** How the original travels: its headers only (Postfix) or the whole message (Gmail). */
  original?: 'headers' | 'message' | 'message-base64';
  extraRecipients?: { to: string; status: string; action: string }[];
}

const CRLF = (text: string) => text.replace(/\r?\n/g, '\r\n');

export function dsn(o: DsnOptions): string {
  const boundary = 'B0UNDARY/mx.example.org';
  const originalHeaders = `From: The Dissent Desk <newsletter@dissentdesk.example.org>\nTo: Reader <${o.to}>\nSubject: The vote\nMessage-ID: ${o.messageId}\n`;
  const recipient = (to: string, status: string, action: string, diagnostic: string) =>
    `Final-Recipient: rfc822; ${to}\nOriginal-Recipient: rfc822;${to}\nAction: ${action}\nStatus: ${status}\nRemote-MTA: dns; mx.example.net\nDiagnostic-Code: smtp; ${diagnostic}\n    continued on a second line\n`;
  let originalPart = '';
  if (o.messageId !== null) {
    const kind = o.original ?? 'headers';
    if (kind === 'headers') originalPart = `--${boundary}\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n${originalHeaders}\n`;
    else if (kind === 'message') originalPart = `--${boundary}\nContent-Type: message/rfc822\n\n${originalHeaders}\nDear Reader, the council votes.\n\n`;
    else originalPart = `--${boundary}\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n${Buffer.from(`${originalHeaders}\nBody.\n`).toString('base64').replace(/(.{76})/g, '$1\n')}\n\n`;
  }
  return CRLF(
    [
      'Return-Path: <>',
      'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
      'To: bounces@dissentdesk.example.org',
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="${boundary}"`,
      '',
      'This is a MIME-encapsulated message.',
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `<${o.to}>: the mail system said no.`,
      '',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      'Arrival-Date: Wed, 25 Nov 2026 08:01:00 +0000',
      '',
      recipient(o.to, o.status, o.action ?? 'failed', o.diagnostic ?? `550 ${o.status} <${o.to}>: Recipient address rejected`),
      ...(o.extraRecipients ?? []).map((r) => recipient(r.to, r.status, r.action, `550 ${r.status} no`)),
      `${originalPart}--${boundary}--`,
      '',
    ].join('\n'),
  );
}

export function complaint(o: { to: string; messageId: string; feedbackType?: string }): string {
  const boundary = 'arf-boundary';
  return CRLF(
    [
      'From: feedback@fbl.example.net',
      'To: abuse@dissentdesk.example.org',
      'Subject: FW: The vote',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'This is an email abuse report.',
      '',
      `--${boundary}`,
      'Content-Type: message/feedback-report',
      '',
      `Feedback-Type: ${o.feedbackType ?? 'abuse'}`,
      'User-Agent: ExampleFBL/1.0',
      'Version: 1',
      `Original-Rcpt-To: ${o.to}`,
      '',
      `--${boundary}`,
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      'From: newsletter@dissentdesk.example.org',
      `To: ${o.to}`,
      'Subject: The vote',
      `Message-ID: ${o.messageId}`,
      '',
      'Body.',
      '',
      `--${boundary}--`,
      '',
    ].join('\n'),
  );
}

export function unsubscribeRequest(o: { from: string; to: string; subject?: string }): string {
  return CRLF(`From: Reader <${o.from}>\nTo: ${o.to}\nSubject: ${o.subject ?? 'unsubscribe'}\nMIME-Version: 1.0\nContent-Type: text/plain\n\nPlease take me off.\n`);
}

export function outOfOffice(to: string): string {
  return CRLF(`From: ${to}\nTo: bounces@dissentdesk.example.org\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nBack on Monday.\n`);
}
