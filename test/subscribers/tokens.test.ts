import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  CONFIRM_MAX_AGE_MS,
  keyringFromEnv,
  newTokenKey,
  signToken,
  TOKEN_KEY_SHAPE,
  verifyToken,
  type Keyring,
  type Purpose,
  type TokenCheck,
} from '../../src/subscribers/tokens.ts';

const SECRET_A = 'a-32-char-secret-for-the-tests-0001';
const SECRET_B = 'another-32-char-secret-for-tests-0002';
const SECRET_C = 'unknown-32-char-secret-not-in-ring-03';
const ring = (...secrets: string[]): Keyring => ({ keys: secrets.map((s) => Buffer.from(s, 'utf8')) });
const RING = ring(SECRET_A);

const ISSUED = new Date('2025-03-01T12:00:00Z');
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => new Date(ISSUED.getTime() + ms);
const REJECTED: TokenCheck = { ok: false, expired: false };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PURPOSES: Purpose[] = ['confirm', 'unsubscribe'];
/** A token key (32 hex digits) made from a number, so that tests can tell subscribers apart at a glance. */
const K = (n: number) => n.toString(16).padStart(32, '0');

/** A token built by hand with a MAC computed under `secret`, for payloads signToken would never produce. */
function forge(payload: string, secret = SECRET_A): string {
  const mac = createHmac('sha256', secret).update(`newsletter-token-v1\0${payload}`, 'latin1').digest();
  return `${Buffer.from(payload, 'latin1').toString('base64url')}.${mac.toString('base64url')}`;
}

test('CONFIRM_MAX_AGE_MS is 48 hours', () => {
  assert.equal(CONFIRM_MAX_AGE_MS, 48 * HOUR);
});

test('round trip for both purposes: URL-safe, and verifying gives back the id and the issue time in seconds', () => {
  for (const purpose of PURPOSES) {
    for (const id of [1, 42, 987654, Number.MAX_SAFE_INTEGER]) {
      const token = signToken(RING, purpose, K(id), new Date(ISSUED.getTime() + 789));
      assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      assert.ok(token.length <= 256);
      assert.equal(encodeURIComponent(token), token);
      assert.deepEqual(verifyToken(RING, token, purpose, at(MINUTE)), { ok: true, subject: { key: K(id) }, issuedAt: ISSUED, topic: null });
    }
  }
  assert.notEqual(signToken(RING, 'confirm', K(7), ISSUED), signToken(RING, 'unsubscribe', K(7), ISSUED));
  assert.notEqual(signToken(RING, 'confirm', K(7), ISSUED), signToken(RING, 'confirm', K(8), ISSUED));
  assert.notEqual(signToken(RING, 'confirm', K(7), ISSUED), signToken(RING, 'confirm', K(7), at(1000)));
  assert.equal(signToken(RING, 'confirm', K(7), ISSUED), signToken(RING, 'confirm', K(7), ISSUED));
});

test('a confirm token is valid at 47h59m and expired at 48h01m; maxAgeMs can shorten the window', () => {
  const token = signToken(RING, 'confirm', K(5), ISSUED);
  assert.deepEqual(verifyToken(RING, token, 'confirm', at(47 * HOUR + 59 * MINUTE)), {
    ok: true,
    subject: { key: K(5) },
    issuedAt: ISSUED,
    topic: null,
  });
  assert.deepEqual(verifyToken(RING, token, 'confirm', at(48 * HOUR + MINUTE)), { ok: false, expired: true });
  assert.deepEqual(verifyToken(RING, token, 'confirm', at(3 * 365 * 24 * HOUR)), { ok: false, expired: true });
  assert.equal(verifyToken(RING, token, 'confirm', at(59 * MINUTE), HOUR).ok, true);
  assert.deepEqual(verifyToken(RING, token, 'confirm', at(61 * MINUTE), HOUR), { ok: false, expired: true });
});

test('expired is reported only for a genuine token: a forged old confirm token is just unknown', () => {
  const old = signToken(ring(SECRET_C), 'confirm', K(5), ISSUED);
  assert.deepEqual(verifyToken(RING, old, 'confirm', at(72 * HOUR)), REJECTED);
  const genuine = signToken(RING, 'confirm', K(5), ISSUED);
  const [payload] = genuine.split('.') as [string, string];
  assert.deepEqual(verifyToken(RING, `${payload}.${'A'.repeat(43)}`, 'confirm', at(72 * HOUR)), REJECTED);
  // An expired confirm token at the unsubscribe endpoint is the wrong purpose, not "expired".
  assert.deepEqual(verifyToken(RING, genuine, 'unsubscribe', at(72 * HOUR)), REJECTED);
});

test('a confirm token issued more than 5 minutes in the future is refused; a little clock skew is tolerated', () => {
  const token = signToken(RING, 'confirm', K(5), at(10 * MINUTE));
  assert.deepEqual(verifyToken(RING, token, 'confirm', ISSUED), REJECTED);
  assert.equal(verifyToken(RING, signToken(RING, 'confirm', K(5), at(4 * MINUTE)), 'confirm', ISSUED).ok, true);
});

test('an unsubscribe token is still valid after 10 years', () => {
  const token = signToken(RING, 'unsubscribe', K(9), ISSUED);
  assert.deepEqual(verifyToken(RING, token, 'unsubscribe', at(10 * 366 * 24 * HOUR)), {
    ok: true,
    subject: { key: K(9) },
    issuedAt: ISSUED,
    topic: null,
  });
  assert.equal(verifyToken(RING, token, 'unsubscribe', at(10 * 366 * 24 * HOUR), 1).ok, true);
});

test('every character of a token changed to every other base64url character (or a dot removed) is refused', () => {
  for (const purpose of PURPOSES) {
    const token = signToken(RING, purpose, K(123), ISSUED);
    assert.equal(verifyToken(RING, token, purpose, at(MINUTE)).ok, true);
    let tried = 0;
    for (let i = 0; i < token.length; i++) {
      for (const c of ALPHABET) {
        if (c === token[i]) continue;
        const changed = token.slice(0, i) + c + token.slice(i + 1);
        assert.deepEqual(verifyToken(RING, changed, purpose, at(MINUTE)), REJECTED, `${purpose} ${i}:${c} ${changed}`);
        tried++;
      }
    }
    // One position is the dot, which every one of the 64 characters replaces; the others take 63 each.
    assert.equal(tried, (token.length - 1) * 63 + 64);
    assert.deepEqual(verifyToken(RING, token.replace('.', ''), purpose, at(MINUTE)), REJECTED);
  }
});

test('every single bit flipped in the decoded payload or MAC is refused', () => {
  for (const purpose of PURPOSES) {
    const token = signToken(RING, purpose, K(123), ISSUED);
    const [payloadPart, macPart] = token.split('.') as [string, string];
    for (const [part, index] of [
      [payloadPart, 0],
      [macPart, 1],
    ] as const) {
      const bytes = Buffer.from(part, 'base64url');
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        const encoded = flipped.toString('base64url');
        const changed = index === 0 ? `${encoded}.${macPart}` : `${payloadPart}.${encoded}`;
        assert.deepEqual(verifyToken(RING, changed, purpose, at(MINUTE)), REJECTED, `${purpose} part ${index} bit ${bit}`);
      }
    }
  }
});

test('a token truncated at every length is refused', () => {
  for (const purpose of PURPOSES) {
    const token = signToken(RING, purpose, K(123), ISSUED);
    for (let n = 0; n < token.length; n++) {
      assert.deepEqual(verifyToken(RING, token.slice(0, n), purpose, at(MINUTE)), REJECTED, `${purpose} length ${n}`);
      assert.deepEqual(verifyToken(RING, token.slice(n + 1), purpose, at(MINUTE)), REJECTED, `${purpose} from ${n + 1}`);
    }
  }
});

test('empty, oversized, padded, extended and non-base64url tokens are refused', () => {
  const token = signToken(RING, 'unsubscribe', K(123), ISSUED);
  const [payloadPart, macPart] = token.split('.') as [string, string];
  const bad = [
    '',
    '.',
    `${token}.`,
    `.${token}`,
    `${token}.${macPart}`,
    `${token}A`,
    `A${token}`,
    'A'.repeat(10 * 1024),
    `${token}${'A'.repeat(10 * 1024)}`,
    `${payloadPart}.${macPart}${'A'.repeat(256)}`,
    `${token}!`,
    `!${token}`,
    `${payloadPart}.!${macPart.slice(1)}`,
    `${token} `,
    ` ${token}`,
    `${payloadPart} .${macPart}`,
    `${payloadPart}.${macPart.slice(0, 10)} ${macPart.slice(11)}`,
    `${token}\n`,
    `${payloadPart}%2F${macPart}`,
    `${payloadPart}.${macPart.slice(0, 10)}%2F${macPart.slice(13)}`,
    `${payloadPart}.${macPart}=`,
    `${payloadPart}=.${macPart}`,
    `${payloadPart.replaceAll('-', '+').replaceAll('_', '/')}.${macPart.replaceAll('-', '+').replaceAll('_', '/')}`,
    `${payloadPart}.${Buffer.from(macPart, 'base64url').toString('base64')}`,
    `${payloadPart}.${macPart.slice(0, 10)}\u0000${macPart.slice(11)}`,
    `${payloadPart}.${macPart.slice(0, 10)}é${macPart.slice(11)}`,
  ];
  for (const candidate of bad) {
    if (candidate === token) continue;
    assert.deepEqual(verifyToken(RING, candidate, 'unsubscribe', at(MINUTE)), REJECTED, JSON.stringify(candidate.slice(0, 80)));
  }
  // Every way a token can be spelt other than its one canonical form is refused (no second spelling of the same MAC).
  assert.ok(token.length < 256);
  for (const purpose of PURPOSES) {
    assert.deepEqual(verifyToken(RING, undefined as unknown as string, purpose, at(MINUTE)), REJECTED);
    assert.deepEqual(verifyToken(RING, 42 as unknown as string, purpose, at(MINUTE)), REJECTED);
  }
});

test('the length limit and the charset are checked before any decoding or MAC computation', () => {
  const token = signToken(RING, 'unsubscribe', K(123), ISSUED);
  const [payloadPart, macPart] = token.split('.') as [string, string];
  const hostile = [
    `${payloadPart}.${macPart}${'A'.repeat(256 - token.length + 1)}`, // 257 characters, well-formed otherwise
    `${'A'.repeat(5 * 1024)}.${'A'.repeat(5 * 1024)}`,
    `${payloadPart}.${macPart.slice(1)}!`,
    `${payloadPart}%2F${macPart}`,
    `${payloadPart}. ${macPart}`,
  ];
  const original = Buffer.from;
  let decodes = 0;
  const spy = function (this: unknown, ...args: unknown[]) {
    decodes++;
    return (original as (...a: unknown[]) => Buffer).apply(Buffer, args);
  };
  Buffer.from = spy as typeof Buffer.from;
  try {
    for (const candidate of hostile) {
      assert.deepEqual(verifyToken(RING, candidate, 'unsubscribe', at(MINUTE)), REJECTED);
    }
    const counted = decodes;
    verifyToken(RING, `${payloadPart}.${macPart}`, 'unsubscribe', at(MINUTE));
    assert.ok(decodes > counted, 'the spy sees the decoding of a well-formed token');
    assert.equal(counted, 0, 'nothing was decoded for oversized or non-base64url tokens');
  } finally {
    Buffer.from = original;
  }
  assert.equal(hostile[0]?.length, 257);
});

test('another subscriber key swapped into the payload, or signatures swapped between tokens, is refused', () => {
  for (const purpose of PURPOSES) {
    const mine = signToken(RING, purpose, K(1001), ISSUED);
    const theirs = signToken(RING, purpose, K(1002), ISSUED);
    const [myPayload, myMac] = mine.split('.') as [string, string];
    const [theirPayload, theirMac] = theirs.split('.') as [string, string];
    assert.deepEqual(verifyToken(RING, `${theirPayload}.${myMac}`, purpose, at(MINUTE)), REJECTED);
    assert.deepEqual(verifyToken(RING, `${myPayload}.${theirMac}`, purpose, at(MINUTE)), REJECTED);
    const decoded = Buffer.from(myPayload, 'base64url').toString('latin1');
    assert.ok(decoded.includes(`.${K(1001)}.`), decoded);
    for (const other of [K(1002), K(1), 'f'.repeat(32)]) {
      const swapped = Buffer.from(decoded.replace(`.${K(1001)}.`, `.${other}.`), 'latin1').toString('base64url');
      assert.deepEqual(verifyToken(RING, `${swapped}.${myMac}`, purpose, at(MINUTE)), REJECTED, other);
    }
    // Moving the issue time (to dodge expiry) breaks the signature too.
    const later = Buffer.from(decoded.replace(/\d+$/, String(ISSUED.getTime() / 1000 + 3600)), 'latin1').toString('base64url');
    assert.deepEqual(verifyToken(RING, `${later}.${myMac}`, purpose, at(MINUTE)), REJECTED);
  }
});

test('tokens carry the random key, not the id: consecutive subscribers\' tokens reveal no count', () => {
  const keys = Array.from({ length: 50 }, () => newTokenKey());
  for (const key of keys) assert.match(key, TOKEN_KEY_SHAPE);
  assert.equal(new Set(keys).size, keys.length, 'every key is new');
  const payloads = keys.map((key) => Buffer.from(signToken(RING, 'unsubscribe', key, ISSUED).split('.')[0]!, 'base64url').toString('latin1'));
  for (const [i, payload] of payloads.entries()) {
    assert.match(payload, /^u2\.[0-9a-f]{32}\.\d+$/);
    // Nothing in it counts: no field is a small number, and neighbours share no more than chance allows.
    const [, subject] = payload.split('.') as [string, string];
    assert.notEqual(String(Number.parseInt(subject, 16)), String(i + 1));
    if (i > 0) {
      const previous = payloads[i - 1]!.split('.')[1]!;
      const same = [...subject].filter((c, j) => c === previous[j]).length;
      assert.ok(same < 12, `${previous} and ${subject} share ${same} of 32 digits`);
    }
  }
});

test('version 1 (id-based) tokens still verify, as a legacy id; a v1 MAC never passes for a v2 payload or back', () => {
  const seconds = ISSUED.getTime() / 1000;
  for (const purpose of PURPOSES) {
    const p = purpose === 'confirm' ? 'c' : 'u';
    assert.deepEqual(verifyToken(RING, forge(`${p}.42.${seconds}`), purpose, at(MINUTE)), { ok: true, subject: { legacyId: 42 }, issuedAt: ISSUED, topic: null });
    // The same payload text under the other version's MAC domain.
    const v2Payload = `${p}2.${K(42)}.${seconds}`;
    assert.deepEqual(verifyToken(RING, forge(v2Payload), purpose, at(MINUTE)), REJECTED, 'a v2 payload under the v1 domain');
    const genuineV2 = signToken(RING, purpose, K(42), ISSUED);
    assert.deepEqual(verifyToken(RING, genuineV2, purpose, at(MINUTE)), { ok: true, subject: { key: K(42) }, issuedAt: ISSUED, topic: null });
    const v2Mac = genuineV2.split('.')[1]!;
    const v1PayloadPart = Buffer.from(`${p}.42.${seconds}`, 'latin1').toString('base64url');
    assert.deepEqual(verifyToken(RING, `${v1PayloadPart}.${v2Mac}`, purpose, at(MINUTE)), REJECTED, 'a v1 payload with a v2 MAC');
  }
  // An expired v1 confirm token is still reported as expired (the page offers a new link).
  assert.deepEqual(verifyToken(RING, forge(`c.42.${seconds}`), 'confirm', at(49 * HOUR)), { ok: false, expired: true });
});

test('a signed but malformed version 2 payload is refused', () => {
  const seconds = ISSUED.getTime() / 1000;
  const v2 = (payload: string) => {
    const mac = createHmac('sha256', SECRET_A).update(`newsletter-token-v2\0${payload}`, 'latin1').digest();
    return `${Buffer.from(payload, 'latin1').toString('base64url')}.${mac.toString('base64url')}`;
  };
  assert.equal(verifyToken(RING, v2(`c2.${K(5)}.${seconds}`), 'confirm', at(MINUTE)).ok, true);
  for (const payload of [
    `c2.${K(5).toUpperCase().replace(/0/g, 'A')}.${seconds}`,
    `c2.${K(5).slice(1)}.${seconds}`,
    `c2.${K(5)}0.${seconds}`,
    `c2.5.${seconds}`,
    `c2.${K(5)}.0${seconds}`,
    `c2.${K(5)}.${seconds}.`,
    `c2..${seconds}`,
    `c3.${K(5)}.${seconds}`,
    `c22.${K(5)}.${seconds}`,
    `x2.${K(5)}.${seconds}`,
  ]) {
    assert.deepEqual(verifyToken(RING, v2(payload), 'confirm', at(MINUTE)), REJECTED, payload);
  }
});

test('a confirm token checked as unsubscribe, and an unsubscribe token checked as confirm, are refused', () => {
  const confirm = signToken(RING, 'confirm', K(77), ISSUED);
  const unsubscribe = signToken(RING, 'unsubscribe', K(77), ISSUED);
  assert.equal(verifyToken(RING, confirm, 'confirm', at(MINUTE)).ok, true);
  assert.equal(verifyToken(RING, unsubscribe, 'unsubscribe', at(MINUTE)).ok, true);
  assert.deepEqual(verifyToken(RING, confirm, 'unsubscribe', at(MINUTE)), REJECTED);
  assert.deepEqual(verifyToken(RING, unsubscribe, 'confirm', at(MINUTE)), REJECTED);
  // Relabelling the payload's purpose without re-signing fails too.
  const [payloadPart, macPart] = confirm.split('.') as [string, string];
  const relabelled = Buffer.from(`u${Buffer.from(payloadPart, 'base64url').toString('latin1').slice(1)}`).toString('base64url');
  assert.deepEqual(verifyToken(RING, `${relabelled}.${macPart}`, 'unsubscribe', at(MINUTE)), REJECTED);
});

test('a token signed by a key not in the ring is refused, as is anything against an empty ring', () => {
  for (const purpose of PURPOSES) {
    const foreign = signToken(ring(SECRET_C), purpose, K(5), ISSUED);
    assert.deepEqual(verifyToken(RING, foreign, purpose, at(MINUTE)), REJECTED);
    assert.deepEqual(verifyToken(ring(SECRET_A, SECRET_B), foreign, purpose, at(MINUTE)), REJECTED);
    assert.deepEqual(verifyToken({ keys: [] }, signToken(RING, purpose, K(5), ISSUED), purpose, at(MINUTE)), REJECTED);
  }
  assert.throws(() => signToken({ keys: [] }, 'confirm', K(5), ISSUED), /no signing key/);
});

test('a signed but malformed payload is refused (strict parsing even behind a valid MAC)', () => {
  const seconds = ISSUED.getTime() / 1000;
  assert.equal(verifyToken(RING, forge(`c.5.${seconds}`), 'confirm', at(MINUTE)).ok, true);
  const malformed = [
    `c.05.${seconds}`,
    `c.0.${seconds}`,
    `c.-5.${seconds}`,
    `c.+5.${seconds}`,
    `c.5.0${seconds}`,
    `c.5.${seconds}.1`,
    `c.5.${seconds}.`,
    `c.5.${seconds} `,
    `c.5.${seconds}\n`,
    `c.5.-${seconds}`,
    `c.5.${seconds}e0`,
    `c.5.1e9`,
    `c.5`,
    `c..${seconds}`,
    `c.5.`,
    `C.5.${seconds}`,
    `x.5.${seconds}`,
    `confirm.5.${seconds}`,
    `c.1.5.${seconds}`,
    `c.9007199254740992.${seconds}`,
    `c.99999999999999999999.${seconds}`,
    `c.5.99999999999999999999`,
    `c.٥.${seconds}`,
    ``,
  ];
  for (const payload of malformed) {
    const purpose: Purpose = payload.startsWith('u') ? 'unsubscribe' : 'confirm';
    assert.deepEqual(verifyToken(RING, forge(payload), purpose, at(MINUTE)), REJECTED, JSON.stringify(payload));
  }
  assert.deepEqual(verifyToken(RING, forge(`u.5.99999999999`), 'unsubscribe', at(MINUTE)).ok, true);
});

test('key rotation: a token signed with an old key still in the ring verifies, and fails once the key is removed', () => {
  const before = ring(SECRET_A);
  const rotated = ring(SECRET_B, SECRET_A);
  const removed = ring(SECRET_B);
  for (const purpose of PURPOSES) {
    const old = signToken(before, purpose, K(31), ISSUED);
    assert.deepEqual(verifyToken(rotated, old, purpose, at(MINUTE)), { ok: true, subject: { key: K(31) }, issuedAt: ISSUED, topic: null });
    assert.deepEqual(verifyToken(removed, old, purpose, at(MINUTE)), REJECTED);
    // New tokens are signed with the first key, so they survive removal of the old one but not of the new one.
    const fresh = signToken(rotated, purpose, K(31), ISSUED);
    assert.notEqual(fresh, old);
    assert.equal(verifyToken(removed, fresh, purpose, at(MINUTE)).ok, true);
    assert.deepEqual(verifyToken(before, fresh, purpose, at(MINUTE)), REJECTED);
  }
  // An expired confirm token signed by the old key is still reported as expired while that key is in the ring.
  const oldConfirm = signToken(before, 'confirm', K(31), ISSUED);
  assert.deepEqual(verifyToken(rotated, oldConfirm, 'confirm', at(49 * HOUR)), { ok: false, expired: true });
  assert.deepEqual(verifyToken(removed, oldConfirm, 'confirm', at(49 * HOUR)), REJECTED);
});

test('signToken refuses anything but a token key, and dates it cannot encode faithfully', () => {
  for (const key of ['', '5', K(5).slice(1), `${K(5)}0`, K(5).toUpperCase().replace(/0/g, 'A'), `${K(5).slice(1)}.`, 5 as unknown as string]) {
    assert.throws(() => signToken(RING, 'confirm', key, ISSUED), RangeError, String(key));
  }
  assert.throws(() => signToken(RING, 'confirm', K(1), new Date(Number.NaN)), RangeError);
  assert.throws(() => signToken(RING, 'confirm', K(1), new Date(-1000)), RangeError);
  assert.throws(() => signToken(RING, 'other' as Purpose, K(1), ISSUED), TypeError);
});

test('keyringFromEnv rejects a missing, empty or short secret without echoing it, and accepts several secrets', () => {
  assert.throws(() => keyringFromEnv(undefined), (e: unknown) => e instanceof Error && /NEWSLETTER_SECRET.*not set/.test(e.message));
  for (const empty of ['', '   ', '\t\n']) {
    assert.throws(() => keyringFromEnv(empty), (e: unknown) => e instanceof Error && /NEWSLETTER_SECRET.*empty/.test(e.message));
  }
  const short = 'tensecret!';
  assert.equal(short.length, 10);
  for (const value of [short, `${SECRET_A},${short}`, `${short} , ${SECRET_A}`]) {
    assert.throws(
      () => keyringFromEnv(value),
      (e: unknown) =>
        e instanceof Error &&
        /too short/.test(e.message) &&
        /32/.test(e.message) &&
        !e.message.includes(short) &&
        !e.message.includes(SECRET_A),
      value,
    );
  }
  const thirtyOne = 'x'.repeat(31);
  assert.throws(() => keyringFromEnv(thirtyOne), (e: unknown) => e instanceof Error && !e.message.includes(thirtyOne));
  for (const value of [`${SECRET_A},`, `,${SECRET_A}`, `${SECRET_A},,${SECRET_B}`, `${SECRET_A}, ,${SECRET_B}`]) {
    assert.throws(
      () => keyringFromEnv(value),
      (e: unknown) => e instanceof Error && /empty/.test(e.message) && !e.message.includes(SECRET_A),
      value,
    );
  }

  assert.deepEqual(keyringFromEnv('x'.repeat(32)).keys, [Buffer.from('x'.repeat(32))]);
  const keyring = keyringFromEnv(` ${SECRET_A} ,\t${SECRET_B}\n`);
  assert.deepEqual(keyring.keys, [Buffer.from(SECRET_A), Buffer.from(SECRET_B)]);
  const token = signToken(keyring, 'confirm', K(3), ISSUED);
  assert.equal(verifyToken(ring(SECRET_A), token, 'confirm', at(MINUTE)).ok, true);
  assert.deepEqual(verifyToken(ring(SECRET_B), token, 'confirm', at(MINUTE)), REJECTED);
});

test('an unsubscribe token may carry a topic (issue 16): it verifies with it, and one without still verifies as the whole list', () => {
  const topical = signToken(RING, 'unsubscribe', K(9), ISSUED, 'alerts');
  assert.ok(topical.length <= 256);
  assert.deepEqual(verifyToken(RING, topical, 'unsubscribe', at(MINUTE)), { ok: true, subject: { key: K(9) }, issuedAt: ISSUED, topic: 'alerts' });
  assert.deepEqual(verifyToken(RING, signToken(RING, 'unsubscribe', K(9), ISSUED), 'unsubscribe', at(MINUTE)), { ok: true, subject: { key: K(9) }, issuedAt: ISSUED, topic: null });
  const longest = signToken(RING, 'unsubscribe', K(9), new Date(253402300799000), 'a'.repeat(40));
  assert.ok(longest.length <= 256, `${longest.length}`);
  assert.equal(verifyToken(RING, longest, 'unsubscribe', at(MINUTE)).ok, true);
});

test('a topic changed, added or dropped in a signed token is refused, as is a confirm token with a topic', () => {
  const seconds = ISSUED.getTime() / 1000;
  const payloadOf = (token: string) => Buffer.from(token.split('.')[0]!, 'base64url').toString('latin1');
  const macOf = (token: string) => token.split('.')[1]!;
  const topical = signToken(RING, 'unsubscribe', K(9), ISSUED, 'alerts');
  const plain = signToken(RING, 'unsubscribe', K(9), ISSUED);
  const withPayload = (payload: string, mac: string) => `${Buffer.from(payload, 'latin1').toString('base64url')}.${mac}`;
  assert.equal(payloadOf(topical), `u2.${K(9)}.${seconds}.alerts`);
  for (const forged of [
    withPayload(`u2.${K(9)}.${seconds}.culture`, macOf(topical)), // another topic under the alert's MAC
    withPayload(`u2.${K(9)}.${seconds}`, macOf(topical)), // the topic dropped: the whole list
    withPayload(`u2.${K(9)}.${seconds}.alerts`, macOf(plain)), // a topic added to a whole-list token
  ]) {
    assert.deepEqual(verifyToken(RING, forged, 'unsubscribe', at(MINUTE)), REJECTED);
  }
  const v2 = (payload: string) => withPayload(payload, createHmac('sha256', SECRET_A).update(`newsletter-token-v2\0${payload}`, 'latin1').digest().toString('base64url'));
  assert.deepEqual(verifyToken(RING, v2(`c2.${K(9)}.${seconds}.alerts`), 'confirm', at(MINUTE)), REJECTED);
  for (const bad of ['Alerts', 'al_erts', '-alerts', 'alerts-', 'a'.repeat(41), '']) {
    assert.deepEqual(verifyToken(RING, v2(`u2.${K(9)}.${seconds}.${bad}`), 'unsubscribe', at(MINUTE)), REJECTED, bad);
  }
  assert.throws(() => signToken(RING, 'confirm', K(9), ISSUED, 'alerts'), /only an unsubscribe token carries a topic/);
  assert.throws(() => signToken(RING, 'unsubscribe', K(9), ISSUED, 'Bad Topic'), /topic id/);
});
