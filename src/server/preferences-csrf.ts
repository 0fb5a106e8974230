import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../subscribers/tokens.ts';

/**
 * The preferences form's CSRF token (issue 16): `<unix seconds>.<HMAC>` over the page's own link token and the time,
 * so it is bound to the reader and to this page, and lapses. A POST without it, or with one for another reader's
 * page, one too old or one from the future, is refused before anything changes.
 */
export const CSRF_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const FUTURE_SKEW_MS = 5 * 60 * 1000;
const DOMAIN = 'newsletter-preferences-csrf-v1\0';
const SHAPE = /^(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$/;

const mac = (key: Buffer, token: string, seconds: string) => createHmac('sha256', key).update(`${DOMAIN}${token}\0${seconds}`, 'latin1').digest();

export function csrfFor(keyring: Keyring, token: string, now: Date): string {
  const seconds = String(Math.floor(now.getTime() / 1000));
  return `${seconds}.${mac(keyring.keys[0]!, token, seconds).toString('base64url')}`;
}

export function csrfValid(keyring: Keyring, token: string, value: unknown, now: Date): boolean {
  if (typeof value !== 'string') return false;
  const match = SHAPE.exec(value);
  if (!match) return false;
  const [, seconds, given] = match as unknown as [string, string, string];
  const givenBytes = Buffer.from(given, 'base64url');
  if (givenBytes.length !== 32) return false;
  let genuine = false;
  for (const key of keyring.keys) if (key.length > 0 && timingSafeEqual(mac(key, token, seconds), givenBytes)) genuine = true;
  const age = now.getTime() - Number(seconds) * 1000;
  return genuine && age <= CSRF_MAX_AGE_MS && age >= -FUTURE_SKEW_MS;
}
