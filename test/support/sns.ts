import { execFileSync } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fetch } from '../../src/feedback/webhook-provider.ts';
import { snsDigest, snsStringToSign, type SnsMessage } from '../../src/feedback/sns-message.ts';

/** An RSA key and a self-signed certificate for it, made by openssl for this test run: SNS's signing pair, stood in. */
export interface SigningPair {
  key: string;
  cert: string;
}

export function signingPair(days = 2): SigningPair {
  const dir = mkdtempSync(join(tmpdir(), 'nl-sns-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=sns.amazonaws.com', '-days', String(days)], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';
export const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

/** A fetch that serves `certs` by URL and records every URL asked for; anything else is a 404. */
export function certificateFetch(certs: Record<string, string>): Fetch & { asked: string[] } {
  const asked: string[] = [];
  const fetch = async (url: string) => {
    asked.push(url);
    return url in certs ? { status: 200, body: certs[url]! } : { status: 404, body: 'not found' };
  };
  return Object.assign(fetch, { asked });
}

/** An SNS message of `type` carrying `message`, signed with `pair` by the given SignatureVersion. */
export function snsMessage(
  pair: SigningPair,
  message: string,
  options: { type?: SnsMessage['Type']; version?: '1' | '2'; topic?: string; certUrl?: string; at?: number; subject?: string; messageId?: string } = {},
): SnsMessage {
  const type = options.type ?? 'Notification';
  const m: SnsMessage = {
    Type: type,
    MessageId: options.messageId ?? randomUUID(),
    TopicArn: options.topic ?? TOPIC,
    ...(options.subject !== undefined ? { Subject: options.subject } : {}),
    Message: message,
    Timestamp: new Date(options.at ?? Date.now()).toISOString(),
    SignatureVersion: options.version ?? '2',
    Signature: '',
    SigningCertURL: options.certUrl ?? CERT_URL,
    ...(type === 'Notification'
      ? {}
      : { Token: 'token-' + randomUUID(), SubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(options.topic ?? TOPIC)}&Token=t` }),
  };
  m.Signature = createSign(snsDigest(m.SignatureVersion)).update(snsStringToSign(m), 'utf8').sign(pair.key, 'base64');
  return m;
}

/** An SES feedback notification, as SES publishes it to the topic. */
export function sesNotification(kind: 'Bounce' | 'Complaint' | 'Delivery', target: { email: string; messageId: string; providerId: string }, at: number, bounceType = 'Permanent'): string {
  const time = new Date(at).toISOString();
  const mail = {
    timestamp: time,
    source: 'news@example.org',
    messageId: target.providerId,
    destination: [target.email],
    commonHeaders: { from: ['news@example.org'], to: [target.email], messageId: target.messageId, subject: 'Issue 1' },
  };
  if (kind === 'Bounce') {
    return JSON.stringify({
      notificationType: 'Bounce',
      mail,
      bounce: {
        bounceType,
        bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
        timestamp: time,
        feedbackId: `fb-${randomUUID()}`,
        bouncedRecipients: [{ emailAddress: target.email, action: 'failed', status: bounceType === 'Permanent' ? '5.1.1' : '4.2.2', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      },
    });
  }
  if (kind === 'Complaint') {
    return JSON.stringify({ notificationType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: target.email }], timestamp: time, feedbackId: `fb-${randomUUID()}`, complaintFeedbackType: 'abuse' } });
  }
  return JSON.stringify({ notificationType: 'Delivery', mail, delivery: { timestamp: time, recipients: [target.email], smtpResponse: '250 2.0.0 OK', processingTimeMillis: 500 } });
}
