import { createVerify, X509Certificate } from 'node:crypto';
import { sesEvents } from './ses-events.ts';
import { readSnsMessage, snsDigest, snsStringToSign } from './sns-message.ts';
import { isSnsCertificateUrl, isSnsUrl } from './sns-url.ts';
import type { Fetch, WebhookProvider } from './webhook-provider.ts';

/**
 * How old an SNS message may be. SNS retries an HTTPS delivery for up to an hour under the longest delivery policy,
 * so anything older is a replay of something captured, not a retry.
 */
export const SNS_MAX_AGE_MS = 3_600_000;

/** Certificates kept: SNS signs with one per region, rotated now and then; a few cover any account. */
const CACHED_CERTIFICATES = 16;

/**
 * Amazon SES through an SNS topic: `POST /events/ses`. Verification, on the raw body:
 * - the message's `TopicArn` is one of `events.ses.topic_arns` (a valid message from someone else's topic is not ours);
 * - `SigningCertURL` passes the SNS host rule (sns-url.ts); the certificate is fetched once through the injectable
 *   fetch and cached, and must be current;
 * - the signature, version 1 (SHA1) or 2 (SHA256), verifies over the canonical string (sns-message.ts);
 * - the `Timestamp` is within the hour either way, and the `MessageId` is a nonce until it is an hour past.
 * A SubscriptionConfirmation asks serve to fetch its `SubscribeURL`, held to the same host rule.
 */
export function sesProvider(topicArns: readonly string[], fetch: Fetch): WebhookProvider {
  if (topicArns.length === 0) throw new Error('events.ses.topic_arns lists no SNS topic');
  const topics = new Set(topicArns);
  const certificates = new Map<string, X509Certificate>();

  const certificate = async (url: string, now: number): Promise<X509Certificate | string> => {
    let cert = certificates.get(url);
    if (!cert) {
      let answer;
      try {
        answer = await fetch(url);
      } catch (error) {
        return `the signing certificate could not be fetched (${(error as Error).message})`;
      }
      if (answer.status !== 200) return `the signing certificate could not be fetched (HTTP ${answer.status})`;
      try {
        cert = new X509Certificate(answer.body);
      } catch {
        return 'a signing certificate that is not a certificate';
      }
      if (certificates.size >= CACHED_CERTIFICATES) certificates.delete(certificates.keys().next().value!);
      certificates.set(url, cert);
    }
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return 'a signing certificate that is not current';
    return cert;
  };

  return {
    name: 'ses',
    async verify(request, now) {
      const read = readSnsMessage(request.body);
      if (!read.ok) return read;
      const m = read.message;
      if (!topics.has(m.TopicArn)) return { ok: false, reason: 'an SNS TopicArn not in events.ses.topic_arns' };
      if (!isSnsCertificateUrl(m.SigningCertURL)) return { ok: false, reason: 'a SigningCertURL not on an SNS host over https' };
      const at = Date.parse(m.Timestamp);
      if (Number.isNaN(at) || Math.abs(now - at) > SNS_MAX_AGE_MS) return { ok: false, reason: 'an SNS Timestamp more than an hour away' };
      const cert = await certificate(m.SigningCertURL, now);
      if (typeof cert === 'string') return { ok: false, reason: cert };
      const verifier = createVerify(snsDigest(m.SignatureVersion));
      verifier.update(snsStringToSign(m), 'utf8');
      let good = false;
      try {
        good = verifier.verify(cert.publicKey, m.Signature, 'base64');
      } catch {
        good = false;
      }
      if (!good) return { ok: false, reason: 'an SNS signature that does not verify' };
      return { ok: true, nonce: { value: m.MessageId, expiresAt: at + SNS_MAX_AGE_MS } };
    },
    parse(body, now) {
      const read = readSnsMessage(body);
      if (!read.ok) return read;
      const m = read.message;
      if (m.Type === 'SubscriptionConfirmation') {
        if (!isSnsUrl(m.SubscribeURL!)) return { ok: false, reason: 'a SubscribeURL not on an SNS host over https' };
        return { ok: true, events: [], ignored: 0, subscribeUrl: m.SubscribeURL! };
      }
      if (m.Type === 'UnsubscribeConfirmation') return { ok: true, events: [], ignored: 1 };
      let notification: unknown;
      try {
        notification = JSON.parse(m.Message);
      } catch {
        return { ok: false, reason: 'an SNS Message that is not an SES notification' };
      }
      const result = sesEvents(notification, m.MessageId, now);
      return 'error' in result ? { ok: false, reason: result.error } : { ok: true, ...result };
    },
  };
}
