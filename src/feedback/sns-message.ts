/**
 * An SNS message as POSTed to an HTTPS subscription, checked for the fields verification needs. Pure.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
 */
export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
}

const TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];

export function readSnsMessage(body: Buffer): { ok: true; message: SnsMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'a body that is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'a body that is not an SNS message' };
  const m = json as Record<string, unknown>;
  if (typeof m.Type !== 'string' || !TYPES.includes(m.Type)) return { ok: false, reason: 'an SNS message of no known Type' };
  for (const field of ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'Signature', 'SigningCertURL']) {
    if (typeof m[field] !== 'string') return { ok: false, reason: `an SNS message without ${field}` };
  }
  if (m.SignatureVersion !== '1' && m.SignatureVersion !== '2') return { ok: false, reason: 'an SNS SignatureVersion other than 1 or 2' };
  if (m.Type !== 'Notification' && (typeof m.Token !== 'string' || typeof m.SubscribeURL !== 'string')) {
    return { ok: false, reason: `an SNS ${m.Type} without Token and SubscribeURL` };
  }
  if (m.Subject !== undefined && m.Subject !== null && typeof m.Subject !== 'string') return { ok: false, reason: 'an SNS Subject that is not text' };
  return { ok: true, message: m as unknown as SnsMessage };
}

/**
 * The string SNS signs: the fields below, in this order, each as `Name\nvalue\n`, Subject only when present.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html
 */
export function snsStringToSign(m: SnsMessage): string {
  const fields =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', ...(typeof m.Subject === 'string' ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields.map((f) => `${f}\n${(m as unknown as Record<string, string>)[f]}\n`).join('');
}

/** Version 1 signs with SHA1, version 2 (what AWS recommends) with SHA256; both are RSA over the same string. */
export const snsDigest = (version: SnsMessage['SignatureVersion']) => (version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
