/**
 * Signed tokens for the newsletter's confirmation and unsubscribe links.
 *
 * Format: base64url(payload) + '.' + base64url(HMAC-SHA256(key, 'newsletter-token-v2\0' + payload)), where the
 * payload is ASCII `c2.<tokenKey>.<unixSeconds>` (confirm) or `u2.<tokenKey>.<unixSeconds>` (unsubscribe), the latter
 * with `.<topic id>` after it when it leaves one topic only (issue 16; the MAC covers it). The token
 * key is the subscriber's own random value (see {@link newTokenKey}), made once with the row and never reused, so a
 * token names one person and never the next occupant of a reused id, and says nothing about the size of the list.
 *
 * Version 1 tokens (`c.<subscriberId>.<unixSeconds>` under 'newsletter-token-v1\0') were signed before the key
 * existed. They still verify, as `{ legacyId }`, so links already in inboxes keep working; whether the row they
 * name may accept them is the subscriber lookup's decision (see `subscriber-for-token.ts`).
 *
 * Pure and dependent on node:crypto only. Verification never throws on hostile input: everything that is not a
 * genuine, current token of the requested purpose gives the same `{ ok: false, expired: false }`, except a genuine
 * confirm token that is too old, which gives `{ ok: false, expired: true }` so the page can offer a new email.
 */
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

export type Purpose = 'confirm' | 'unsubscribe';

/** `keys[0]` signs; every key verifies, so a key can be rotated without breaking links already sent. */
export interface Keyring {
  keys: Buffer[];
}

/** Whom a genuine token names: a subscriber's token key, or (a version 1 token) a subscriber id. */
export type TokenSubject = { key: string } | { legacyId: number };

/** `topic`: the topic an unsubscribe token leaves (issue 16), or null for the whole list (every older token). */
export type TokenCheck = { ok: true; subject: TokenSubject; issuedAt: Date; topic: string | null } | { ok: false; expired: boolean };

/** A token key: 128 random bits as 32 lower-case hex digits (the migration makes the same with SQLite's randomblob). */
export const TOKEN_KEY_SHAPE = /^[0-9a-f]{32}$/;

/** A fresh token key for a new subscriber row. */
export function newTokenKey(): string {
  // One call to the system's generator per 256 keys, not per key: 16 bytes at a time cost 5 µs each, a second per
  // 100,000-row import. Each byte is handed out once.
  if (keyBytesUsed === keyBytes.length) {
    randomFillSync(keyBytes);
    keyBytesUsed = 0;
  }
  return keyBytes.toString('hex', keyBytesUsed, (keyBytesUsed += 16));
}

const keyBytes = Buffer.alloc(16 * 256);
let keyBytesUsed = keyBytes.length;

/** Confirmation links expire after 48 hours by default. */
export const CONFIRM_MAX_AGE_MS = 48 * 60 * 60 * 1000;

/** Tokens longer than this are refused before any decoding. */
export const MAX_TOKEN_LENGTH = 256;

/** Minimum length of each secret in NEWSLETTER_SECRET, in characters. */
export const MIN_SECRET_LENGTH = 32;

/** How far in the future a confirm token's issue time may lie (clock skew between machines). */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

const DOMAIN_V1 = 'newsletter-token-v1\0';
const DOMAIN_V2 = 'newsletter-token-v2\0';
const MAC_BYTES = 32;
const PREFIX: Record<Purpose, string> = { confirm: 'c', unsubscribe: 'u' };
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PAYLOAD_V1 = /^([cu])\.([1-9][0-9]{0,15})\.(0|[1-9][0-9]{0,11})$/;
// An unsubscribe token may end in `.<topic id>` (issue 16): it then leaves that topic only. Tokens without it, all
// those signed before topics, still verify and leave the whole list.
const PAYLOAD_V2 = /^([cu])2\.([0-9a-f]{32})\.(0|[1-9][0-9]{0,11})(?:\.([a-z0-9]+(?:-[a-z0-9]+)*))?$/;
const TOPIC_SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TOPIC_MAX = 40;

const REJECTED: TokenCheck = Object.freeze({ ok: false, expired: false }) as TokenCheck;
const EXPIRED: TokenCheck = Object.freeze({ ok: false, expired: true }) as TokenCheck;

/**
 * Parses NEWSLETTER_SECRET: one or more secrets separated by commas (whitespace around each trimmed), each at least
 * 32 characters. The first secret signs; all verify. Throws an Error saying what is wrong — never the secret itself —
 * when the value is missing, empty, has an empty entry or a secret that is too short.
 */
export function keyringFromEnv(value: string | undefined): Keyring {
  if (value === undefined) {
    throw new Error(
      'NEWSLETTER_SECRET is not set: make one with `openssl rand -hex 32` and put it in the project\'s .env file as ' +
        'NEWSLETTER_SECRET=<the secret> (or export it); several secrets of at least 32 characters, separated by commas, rotate',
    );
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error('NEWSLETTER_SECRET is empty: give one or more secrets of at least 32 characters, separated by commas');
  }
  const parts = value.split(',').map((part) => part.trim());
  const keys: Buffer[] = [];
  parts.forEach((secret, index) => {
    const which = parts.length === 1 ? 'the secret' : `secret ${index + 1} of ${parts.length}`;
    if (secret === '') {
      throw new Error(`NEWSLETTER_SECRET: ${which} is empty (check for a stray comma)`);
    }
    const length = [...secret].length;
    if (length < MIN_SECRET_LENGTH) {
      throw new Error(
        `NEWSLETTER_SECRET: ${which} is too short (${length} characters; at least ${MIN_SECRET_LENGTH} are needed)`,
      );
    }
    keys.push(Buffer.from(secret, 'utf8'));
  });
  return { keys };
}

/**
 * A URL-safe token binding purpose, the subscriber's token key and issue time (whole seconds; milliseconds are
 * dropped). Always version 2: nothing signs a version 1 token any more.
 */
export function signToken(keyring: Keyring, purpose: Purpose, tokenKey: string, issuedAt: Date, topic: string | null = null): string {
  const key = keyring.keys[0];
  if (key === undefined || key.length === 0) throw new Error('signToken: the keyring has no signing key');
  if (!Object.hasOwn(PREFIX, purpose)) throw new TypeError(`signToken: unknown purpose ${JSON.stringify(purpose)}`);
  if (typeof tokenKey !== 'string' || !TOKEN_KEY_SHAPE.test(tokenKey)) {
    throw new RangeError('signToken: tokenKey must be a subscriber\'s token key (32 hex digits)');
  }
  const ms = issuedAt instanceof Date ? issuedAt.getTime() : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('signToken: issuedAt must be a valid date not before 1970');
  if (topic !== null && (purpose !== 'unsubscribe' || !TOPIC_SHAPE.test(topic) || topic.length > TOPIC_MAX)) {
    throw new RangeError('signToken: only an unsubscribe token carries a topic, and it must be a topic id');
  }
  const seconds = Math.floor(ms / 1000);
  const payload = `${PREFIX[purpose]}2.${tokenKey}.${seconds}${topic === null ? '' : `.${topic}`}`;
  return `${Buffer.from(payload, 'ascii').toString('base64url')}.${mac(key, DOMAIN_V2, payload).toString('base64url')}`;
}

/**
 * Verifies a token for `purpose`. Confirm tokens expire after `maxAgeMs` (default 48 h): a genuine but too old one
 * gives `{ ok: false, expired: true }`. Unsubscribe tokens never expire. Anything else that is not a genuine token of
 * this purpose — forged, truncated, oversized, empty, not base64url, signed by a key not in the ring, of the other
 * purpose, or a confirm token issued more than 5 minutes in the future — gives `{ ok: false, expired: false }`.
 */
export function verifyToken(
  keyring: Keyring,
  token: string,
  purpose: Purpose,
  now: Date,
  maxAgeMs: number = CONFIRM_MAX_AGE_MS,
): TokenCheck {
  if (!Object.hasOwn(PREFIX, purpose)) throw new TypeError(`verifyToken: unknown purpose ${JSON.stringify(purpose)}`);
  const nowMs = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(nowMs)) throw new RangeError('verifyToken: now must be a valid date');
  if (!(maxAgeMs >= 0)) throw new RangeError('verifyToken: maxAgeMs must be a non-negative number');

  // Length and charset before any decoding.
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return REJECTED;
  if (!TOKEN_SHAPE.test(token)) return REJECTED;
  const dot = token.indexOf('.');
  const payloadPart = token.slice(0, dot);
  const macPart = token.slice(dot + 1);

  const payloadBytes = decodeCanonical(payloadPart);
  const given = decodeCanonical(macPart);
  if (payloadBytes === null || given === null || given.length !== MAC_BYTES) return REJECTED;
  // The payload is plain ASCII; latin1 maps each byte to one char, so nothing is lost before the strict parse below.
  const payload = payloadBytes.toString('latin1');
  // The version is read from the payload before the MAC is checked, but only to pick the MAC's domain: each domain
  // covers its own version, so a version 1 MAC never passes for a version 2 payload or the other way round.
  const v2 = payload.charCodeAt(1) === 0x32; // `c2.` / `u2.`
  const domain = v2 ? DOMAIN_V2 : DOMAIN_V1;

  let genuine = false;
  for (const key of keyring.keys) {
    if (key.length === 0) continue;
    // Check every key (no early exit), each comparison in constant time on equal-length buffers.
    if (timingSafeEqual(mac(key, domain, payload), given)) genuine = true;
  }
  if (!genuine) return REJECTED;

  const match = (v2 ? PAYLOAD_V2 : PAYLOAD_V1).exec(payload);
  if (match === null) return REJECTED;
  const [, prefix, subjectText, secondsText, topicText] = match as unknown as [string, string, string, string, string | undefined];
  if (prefix !== PREFIX[purpose]) return REJECTED;
  const topic = topicText ?? null;
  if (topic !== null && (purpose !== 'unsubscribe' || topic.length > TOPIC_MAX)) return REJECTED;
  let subject: TokenSubject;
  if (v2) subject = { key: subjectText };
  else {
    const legacyId = Number(subjectText);
    if (!Number.isSafeInteger(legacyId) || legacyId <= 0) return REJECTED;
    subject = { legacyId };
  }
  const seconds = Number(secondsText);
  if (!Number.isSafeInteger(seconds)) return REJECTED;
  const issuedMs = seconds * 1000;
  if (!Number.isSafeInteger(issuedMs)) return REJECTED;

  if (purpose === 'confirm') {
    if (issuedMs > nowMs + MAX_FUTURE_SKEW_MS) return REJECTED;
    if (nowMs - issuedMs > maxAgeMs) return EXPIRED;
  }
  return { ok: true, subject, issuedAt: new Date(issuedMs), topic };
}

function mac(key: Buffer, domain: string, payload: string): Buffer {
  return createHmac('sha256', key).update(domain + payload, 'latin1').digest();
}

/**
 * Decodes base64url that is already known to hold only base64url characters, and accepts it only in its canonical
 * form (no padding, unused trailing bits zero), so that no two different strings decode to the same bytes.
 */
function decodeCanonical(text: string): Buffer | null {
  if (text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}
