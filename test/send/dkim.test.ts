/**
 * DKIM signing: a real message from the MIME template, signed with a fresh RSA key and verified by mailauth (an
 * independent implementation) against the key's DNS record, given by a resolver so no DNS is needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { Config } from '../../src/config/schema.ts';
import { dkimFromEnv } from '../../src/send/dkim/from-env.ts';
import { createDkimSigner } from '../../src/send/dkim/signer.ts';
import { MimeTemplate } from '../../src/send/compose/mime-template.ts';
import { projectSetup, render, ROOT, SAMPLES } from '../support/fixtures.ts';

const DOMAIN = 'dissentdesk.example.org';
const SELECTOR = 'news2026';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A resolver that knows one DKIM key record and nothing else. */
function resolverFor(key: KeyObject) {
  const record = `v=DKIM1; k=rsa; p=${key.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  return async (name: string, type: string): Promise<string[][]> => {
    if (type === 'TXT' && name === `${SELECTOR}._domainkey.${DOMAIN}`) return [[record]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

async function verify(message: Buffer | string, key = publicKey) {
  const result = await dkimVerify(message, { resolver: resolverFor(key) });
  assert.equal(result.results.length, 1, 'one signature');
  return result.results[0]!;
}

async function config(dkim: Config['sending']['dkim'] = { domain: DOMAIN, selector: SELECTOR }): Promise<Config> {
  const base = (await projectSetup()).config;
  return { ...base, sending: { ...base.sending, dkim, unsubscribe_mailto: `unsubscribe@${DOMAIN}` } };
}

let sample: Promise<Buffer> | undefined;
/** A real message: the first sample issue for one subscriber. */
function message(): Promise<Buffer> {
  sample ??= (async () => {
    const file = `issues/${SAMPLES[0]}`;
    const { rendered } = await render(readFileSync(join(ROOT, file), 'utf8'), file);
    assert.ok(rendered?.recipientTemplate);
    const mime = new MimeTemplate({ config: await config(), slug: rendered.issue.slug, subject: rendered.subject, template: rendered.recipientTemplate, date: new Date('2026-11-25T08:00:00Z') });
    return mime.message({ name: 'Zoë "Q" O\'Brien', email: 'zoe@example.net', unsubscribeUrl: `https://${DOMAIN}/unsubscribe/AbC_123-xyz` });
  })();
  return sample;
}

/** The signature's `h=` tag: the header fields it covers, lower-cased. */
function signedFields(signed: Buffer): string[] {
  const text = signed.toString('latin1');
  const header = text.slice(0, text.indexOf('\r\n', text.indexOf('b=')) + 2);
  const unfolded = header.replace(/\r\n[ \t]+/g, ' ');
  const h = /[;\s]h=([^;]+);/.exec(unfolded)?.[1];
  assert.ok(h, unfolded);
  return h.split(':').map((f) => f.trim().toLowerCase());
}

test('dkim: a signed message verifies (rsa-sha256, relaxed/relaxed) and the signature covers one-click unsubscribe', async () => {
  const sign = createDkimSigner({ domain: DOMAIN, selector: SELECTOR, privateKey: PEM });
  const original = await message();
  const signed = await sign(original);
  assert.ok(signed.toString('latin1').startsWith('DKIM-Signature: '));
  assert.ok(signed.subarray(signed.length - original.length).equals(original), 'the message follows the signature unchanged');
  const result = await verify(signed);
  assert.equal(result.status.result, 'pass', result.info);
  assert.equal(result.signingDomain, DOMAIN);
  // mailauth reports these under names its type declarations do not list.
  const details = result as unknown as { algo: string; format: string; signingHeaders: { keys: string } };
  assert.equal(details.algo, 'rsa-sha256');
  assert.equal(details.format, 'relaxed/relaxed');
  const fields = signedFields(signed);
  const verified = details.signingHeaders.keys.split(/:\s*/).map((f) => f.toLowerCase());
  for (const f of ['from', 'to', 'subject', 'date', 'message-id', 'reply-to', 'mime-version', 'content-type', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post']) {
    assert.ok(fields.includes(f), `h= names ${f}: ${fields.join(':')}`);
    assert.ok(verified.includes(f), `mailauth verified ${f}: ${details.signingHeaders.keys}`);
  }
});

test('dkim: changing List-Unsubscribe-Post, List-Unsubscribe, the body or the subject after signing fails verification', async () => {
  const sign = createDkimSigner({ domain: DOMAIN, selector: SELECTOR, privateKey: PEM });
  const signed = (await sign(await message())).toString('latin1');
  const tampered = [
    signed.replace('List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: List-Unsubscribe=Two-Click'),
    signed.replace('/unsubscribe/AbC_123-xyz>', '/unsubscribe/AbC_123-xyZ>'),
    signed.replace(/\r\n\r\n[^]*$/, (body) => body.replace('Harrowgate', 'Harrowgait')),
    signed.replace(/Subject: .*/, (subject) => subject.replace('Harrowgate', 'Harrowgait')),
  ];
  for (const text of tampered) {
    assert.notEqual(text, signed, 'the tampering changed something');
    const result = await verify(Buffer.from(text, 'latin1'));
    assert.notEqual(result.status.result, 'pass', result.info);
  }
  // And a different key does not verify the untouched message.
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  assert.notEqual((await verify(Buffer.from(signed, 'latin1'), other)).status.result, 'pass');
});

test('dkimFromEnv: none without sending.dkim; the key from DKIM_PRIVATE_KEY (PEM, or with \\n escapes) or DKIM_PRIVATE_KEY_FILE', async (t) => {
  assert.equal(dkimFromEnv(await config(null), { DKIM_PRIVATE_KEY: PEM }), null);
  const dir = mkdtempSync(join(tmpdir(), 'nl-dkim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'dkim.pem');
  writeFileSync(file, PEM, { mode: 0o600 });
  const cfg = await config();
  for (const env of [{ DKIM_PRIVATE_KEY: PEM }, { DKIM_PRIVATE_KEY: PEM.replace(/\n/g, '\\n') }, { DKIM_PRIVATE_KEY_FILE: file }]) {
    const sign = dkimFromEnv(cfg, env);
    assert.ok(sign);
    const result = await verify(await sign(await message()));
    assert.equal(result.status.result, 'pass', `${Object.keys(env)[0]}: ${result.info}`);
  }
});

test('dkimFromEnv: a clear error when the key is missing, unreadable or not an RSA key, never quoting the key', async (t) => {
  const cfg = await config();
  assert.throws(() => dkimFromEnv(cfg, {}), /sending\.dkim is set .*news2026\._domainkey\.dissentdesk\.example\.org.*DKIM_PRIVATE_KEY/);
  assert.throws(() => dkimFromEnv(cfg, { DKIM_PRIVATE_KEY: '  ' }), /no private key was given/);

  const secretish = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7SECRETSECRET';
  const corrupt = `-----BEGIN PRIVATE KEY-----\n${secretish}\n-----END PRIVATE KEY-----\n`;
  const truncated = PEM.slice(0, PEM.length / 2);
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'nl-dkim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.pem');
  writeFileSync(file, corrupt);

  const cases: [NodeJS.ProcessEnv, RegExp, string[]][] = [
    [{ DKIM_PRIVATE_KEY: 'hunter2-not-a-key' }, /DKIM_PRIVATE_KEY is not a PEM private key/, ['hunter2']],
    [{ DKIM_PRIVATE_KEY: corrupt }, /DKIM_PRIVATE_KEY is not a PEM private key/, [secretish, 'SECRETSECRET']],
    [{ DKIM_PRIVATE_KEY: truncated }, /DKIM_PRIVATE_KEY is not a PEM private key/, [truncated.split('\n')[1]!]],
    [{ DKIM_PRIVATE_KEY: ec }, /DKIM_PRIVATE_KEY is a ec key; .*needs an RSA key/, [ec.split('\n')[1]!]],
    [{ DKIM_PRIVATE_KEY_FILE: file }, /DKIM_PRIVATE_KEY_FILE \(.*bad\.pem\) is not a PEM private key/, [secretish, 'SECRETSECRET']],
    [{ DKIM_PRIVATE_KEY_FILE: join(dir, 'missing.pem') }, /DKIM_PRIVATE_KEY_FILE: cannot read .*missing\.pem \(ENOENT\)/, []],
  ];
  for (const [env, message, secrets] of cases) {
    let error: Error | undefined;
    try {
      dkimFromEnv(cfg, env);
    } catch (e) {
      error = e as Error;
    }
    assert.ok(error, `${JSON.stringify(Object.keys(env))} throws`);
    assert.match(error.message, message);
    for (const secret of secrets) assert.ok(!error.message.includes(secret) && !String(error.stack).includes(secret), `the error quotes the key: ${error.message}`);
  }
  // The signer itself refuses a bad key at once, not per message.
  assert.throws(() => createDkimSigner({ domain: DOMAIN, selector: SELECTOR, privateKey: corrupt }), (e: Error) => /not a PEM private key/.test(e.message) && !e.message.includes(secretish));
});

test('dkim: signing on worker threads (a bulk send) gives each message its own valid signature, in any order', async () => {
  const cfg = await config();
  const sign = dkimFromEnv(cfg, { DKIM_PRIVATE_KEY: PEM }, 2);
  assert.ok(sign);
  const base = (await message()).toString('latin1');
  // Distinct messages: each subscriber's address in To, so a mix-up between answers would show.
  const messages = Array.from({ length: 12 }, (_, i) => Buffer.from(base.replace('zoe@example.net', `reader${i}@example.net`), 'latin1'));
  const signed = await Promise.all(messages.map((m) => sign(m)));
  for (const [i, s] of signed.entries()) {
    assert.ok(s.subarray(s.length - messages[i]!.length).equals(messages[i]!), `message ${i} came back as itself`);
    assert.equal((await verify(s)).status.result, 'pass');
  }
});
