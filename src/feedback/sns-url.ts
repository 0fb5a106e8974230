/**
 * The host rule for every URL an SNS message asks us to fetch (its SigningCertURL, a SubscribeURL): https, on the
 * default port, with no credentials, from `sns.<region>.amazonaws.com` or, in China, `sns.<region>.amazonaws.com.cn`.
 * Anything else (another host, `sns.example.com.amazonaws.com.evil.org`, http) could serve a certificate of the
 * attacker's own, or turn the endpoint into a fetcher of internal URLs. Pure.
 */
const SNS_HOST = /^sns\.[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com(?:\.cn)?$/;

export function isSnsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.port === '' && url.username === '' && url.password === '' && SNS_HOST.test(url.hostname);
}

/** A signing certificate's URL: the host rule, and the path SNS serves them at (`/SimpleNotificationService-<hash>.pem`). */
export function isSnsCertificateUrl(value: string): boolean {
  if (!isSnsUrl(value)) return false;
  const url = new URL(value);
  return url.search === '' && url.hash === '' && /^\/SimpleNotificationService-[A-Za-z0-9]+\.pem$/.test(url.pathname);
}
