import { parseMail, type Part } from './parse-mail.ts';
import { addressIn, field, fieldBlocks, type Fields } from './report-fields.ts';

/**
 * What a message that came back to the newsletter says: a delivery status notification (RFC 3464) for each
 * recipient it reports, an abuse complaint (ARF, RFC 5965), an unsubscribe request sent to the `List-Unsubscribe`
 * mailto address, or none of these. Pure: it reads the text it is given and decides nothing about the list. The
 * message is read by mailparser (./parse-mail.ts); the report blocks inside it by ./report-fields.ts.
 */
export type ReturnedMail =
  | {
      kind: 'bounce';
      /** Addresses the report may mean, most likely first: the original recipient, the final one, the message's To. */
      candidates: string[];
      action: string;
      /** The enhanced status code, `5.1.1`. */
      status: string;
      diagnostic: string;
      /** A permanent failure that says the address does not exist, as a 5.1.x reply to RCPT does. */
      badAddress: boolean;
      permanent: boolean;
      /** The Message-ID of the message that failed, when the report includes its header. */
      messageId: string | null;
    }
  | { kind: 'complaint'; candidates: string[]; feedbackType: string; messageId: string | null }
  | { kind: 'unsubscribe'; address: string }
  | { kind: 'other'; why: string };

/** 5.1.7 and 5.1.8 are about the sender's address, never the subscriber's (as in src/send/transport/smtp-reply.ts). */
const SENDER_STATUS = new Set(['5.1.7', '5.1.8']);

const REPORT_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const FEEDBACK_TYPES = new Set(['message/feedback-report']);
const ORIGINAL_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

/** The header of the message a report is about: its Message-ID and recipients. An unreadable one is absent. */
async function original(parts: readonly Part[]): Promise<{ messageId: string | null; to: string[] }> {
  const part = parts.find((p) => ORIGINAL_TYPES.has(p.type));
  const parsed = part ? await parseMail(part.content) : null;
  if (!parsed?.ok) return { messageId: null, to: [] };
  const id = /<[^<>\s]+>/.exec(parsed.mail.header('message-id') ?? '')?.[0] ?? null;
  return { messageId: id, to: parsed.mail.addresses('to') };
}

const unique = (list: (string | null)[]) => [...new Set(list.filter((a): a is string => !!a).map((a) => a.trim()))];

/** The enhanced code to judge by: the Status field, or the one in the diagnostic when Status only says 5.0.0. */
function enhancedCode(status: string, diagnostic: string): string {
  const inDiagnostic = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagnostic)?.[1];
  return (status === '' || /^[45]\.0\.0$/.test(status)) && inDiagnostic ? inDiagnostic : status;
}

function badAddress(code: string, diagnostic: string): boolean {
  if (/^5\.1\.\d{1,3}$/.test(code)) return !SENDER_STATUS.has(code);
  // "550 user unknown" with no enhanced code anywhere: the reply code alone decides, as for a reply to RCPT.
  const reply = /^\s*(?:smtp\s*;\s*)?(\d{3})\b(.*)$/is.exec(diagnostic);
  return code === '5.0.0' && !!reply && ['550', '551', '553'].includes(reply[1]!) && !/\b\d\.\d{1,3}\.\d{1,3}\b/.test(reply[2]!);
}

async function deliveryReports(parts: readonly Part[]): Promise<ReturnedMail[] | null> {
  const report = parts.find((p) => REPORT_TYPES.has(p.type));
  if (!report) return null;
  const { messageId, to } = await original(parts);
  // Read as UTF-8, as before mailparser: a report is ASCII, a global one (RFC 6533) UTF-8.
  const blocks = fieldBlocks(report.content.toString('utf8')).filter((f: Fields) => f.has('final-recipient') || f.has('original-recipient'));
  return blocks.map((f) => {
    const action = (field(f, 'action') ?? '').toLowerCase();
    const status = (/\d\.\d{1,3}\.\d{1,3}/.exec(field(f, 'status') ?? '')?.[0] ?? '').trim();
    const diagnostic = field(f, 'diagnostic-code') ?? '';
    const code = enhancedCode(status, diagnostic);
    const permanent = action === 'failed' && code.startsWith('5.');
    return {
      kind: 'bounce' as const,
      candidates: unique([addressIn(field(f, 'original-recipient')), addressIn(field(f, 'final-recipient')), ...to]),
      action,
      status: code,
      diagnostic: diagnostic.replace(/^\s*smtp\s*;\s*/i, ''),
      permanent,
      badAddress: permanent && badAddress(code, diagnostic),
      messageId,
    };
  });
}

async function complaint(parts: readonly Part[]): Promise<ReturnedMail | null> {
  const report = parts.find((p) => FEEDBACK_TYPES.has(p.type));
  if (!report) return null;
  const f = fieldBlocks(report.content.toString('utf8'))[0] ?? new Map();
  const feedbackType = (field(f, 'feedback-type') ?? '').toLowerCase();
  if (feedbackType === 'not-spam') return { kind: 'other', why: 'a not-spam report' };
  const { messageId, to } = await original(parts);
  return { kind: 'complaint', candidates: unique([addressIn(field(f, 'original-rcpt-to')), ...to]), feedbackType: feedbackType || 'abuse', messageId };
}

/**
 * Classifies one message. `unsubscribeAddress` is `sending.unsubscribe_mailto`: a message to it whose subject asks to
 * unsubscribe is a request from its sender. A message mailparser refuses (over its limits) is 'other'.
 */
export async function classifyReturnedMail(raw: string, unsubscribeAddress: string | null): Promise<ReturnedMail[]> {
  const parsed = await parseMail(raw);
  if (!parsed.ok) return [{ kind: 'other', why: `not readable as mail: ${parsed.reason}` }];
  const { mail } = parsed;
  const reports = await deliveryReports(mail.parts);
  if (reports) return reports.length > 0 ? reports : [{ kind: 'other', why: 'a delivery report naming no recipient' }];
  const feedback = await complaint(mail.parts);
  if (feedback) return [feedback];

  const autoSubmitted = (mail.header('auto-submitted') ?? 'no').toLowerCase();
  if (autoSubmitted !== 'no' || mail.header('x-autoreply') !== null || mail.header('x-autorespond') !== null) return [{ kind: 'other', why: 'an automatic reply' }];
  const recipients = [...mail.addresses('to'), ...mail.addresses('cc'), ...mail.addresses('delivered-to')];
  const toUnsubscribe = unsubscribeAddress !== null && recipients.some((a) => a.toLowerCase() === unsubscribeAddress.toLowerCase());
  const from = mail.addresses('from')[0] ?? null;
  if (toUnsubscribe && from && /unsubscribe/i.test(mail.header('subject') ?? '')) return [{ kind: 'unsubscribe', address: from }];
  return [{ kind: 'other', why: toUnsubscribe ? 'a message to the unsubscribe address without "unsubscribe" in its subject' : 'not a delivery report, complaint or unsubscribe request' }];
}
