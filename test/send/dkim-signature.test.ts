/**
 * DKIM over-signing (issue 12, finding 17), judged by Python's dkim module (Debian's python3-dkim, an independent
 * implementation) and by mailauth: a signed message verifies; the same message with a second Subject or
 * List-Unsubscribe added on top, or a Reply-To it never had, does not.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { Config } from '../../src/config/schema.ts';
import { dkimFromEnv } from '../../src/send/dkim/from-env.ts';
import { SIGNED_FIELDS } from '../../src/send/dkim/signer.ts';
import { signDkim } from '../../src/send/dkim/signature.ts';
import { MimeTemplate } from '../../src/send/compose/mime-template.ts';
import { projectSetup, render, ROOT, SAMPLES } from '../support/fixtures.ts';

const DOMAIN = 'dissentdesk.example.org';
const SELECTOR = 'news2026';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const RECORD = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;

/** Debian's module: `python3` on PATH may be another Python without it. */
const PYTHON = '/usr/bin/python3';

/** Verifies each message with Python's dkim, the key given by a dnsfunc (no DNS); null when the module is missing. */
const VERIFY = `
import base64, json, sys
import dkim
job = json.load(sys.stdin)
def dnsfunc(name, timeout=5):
    return job['record'].encode() if name == job['name'].encode() else None
print(json.dumps([bool(dkim.verify(base64.b64decode(m), dnsfunc=dnsfunc)) for m in job['messages']]))
`;

function pythonVerify(messages: Buffer[]): boolean[] | null {
  const probe = spawnSync(PYTHON, ['-c', 'import dkim'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return null;
  const job = { name: `${SELECTOR}._domainkey.${DOMAIN}.`, record: RECORD, messages: messages.map((m) => m.toString('base64')) };
  const run = spawnSync(PYTHON, ['-c', VERIFY], { input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as boolean[];
}

async function mailauthPasses(message: Buffer): Promise<boolean> {
  const resolver = async (name: string, type: string): Promise<string[][]> => {
    if (type === 'TXT' && name === `${SELECTOR}._domainkey.${DOMAIN}`) return [[RECORD]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
  const result = await dkimVerify(message, { resolver });
  return result.results.length === 1 && result.results[0]!.status.result === 'pass';
}

async function config(): Promise<Config> {
  const base = (await projectSetup()).config;
  return { ...base, sending: { ...base.sending, dkim: { domain: DOMAIN, selector: SELECTOR }, unsubscribe_mailto: `unsubscribe@${DOMAIN}` } };
}

/** Each sample issue as one subscriber's message, composed as a send composes it; `noReplyTo` drops Reply-To. */
async function messages(noReplyTo = false): Promise<Buffer[]> {
  const base = await config();
  const cfg = noReplyTo ? { ...base, reply_to: null } : base;
  const out: Buffer[] = [];
  for (const name of SAMPLES) {
    const file = `issues/${name}`;
    const { rendered } = await render(readFileSync(join(ROOT, file), 'utf8'), file);
    assert.ok(rendered?.recipientTemplate);
    const mime = new MimeTemplate({ config: cfg, slug: rendered.issue.slug, subject: rendered.subject, template: rendered.recipientTemplate, date: new Date('2026-11-25T08:00:00Z') });
    out.push(mime.message({ name: 'Zoë "Q" O\'Brien', email: 'zoe@example.net', unsubscribeUrl: `https://${DOMAIN}/unsubscribe/AbC_123-xyz` }));
  }
  return out;
}

/** A field added above everything, the DKIM-Signature included, as a forwarder or an attacker would. */
const onTop = (field: string, signed: Buffer) => Buffer.concat([Buffer.from(`${field}\r\n`), signed]);

function signer(workers = 1) {
  const sign = dkimFromEnv({ sending: { dkim: { domain: DOMAIN, selector: SELECTOR } } } as Config, { DKIM_PRIVATE_KEY: PEM }, workers);
  assert.ok(sign);
  return sign;
}

/** The signature's `h=` names, in order. */
function hTag(signed: Buffer): string[] {
  const text = signed.toString('latin1');
  const field = text.slice(0, text.indexOf('\r\n', text.indexOf(' b=')) + 2).replace(/\r\n[ \t]+/g, ' ');
  const h = /[;\s]h=([^;]+);/.exec(field)?.[1];
  assert.ok(h, field);
  return h.split(':').map((f) => f.trim());
}

async function checkOverSigning(t: TestContext, sign: (message: Buffer) => Promise<Buffer>): Promise<void> {
  const signed = await Promise.all((await messages()).map((m) => sign(m)));
  const bare = await Promise.all((await messages(true)).map((m) => sign(m)));
  const cases = signed.flatMap((s, i) => [
    { name: `${SAMPLES[i]} as signed`, message: s, verifies: true },
    { name: `${SAMPLES[i]} with a second Subject on top`, message: onTop('Subject: Your account is suspended', s), verifies: false },
    { name: `${SAMPLES[i]} with a second List-Unsubscribe on top`, message: onTop('List-Unsubscribe: <https://evil.example/unsubscribe>', s), verifies: false },
    { name: `${SAMPLES[i]} without Reply-To, as signed`, message: bare[i]!, verifies: true },
    { name: `${SAMPLES[i]} with a Reply-To added`, message: onTop('Reply-To: thief@evil.example', bare[i]!), verifies: false },
  ]);
  const expected = cases.map((c) => `${c.name}: ${c.verifies ? 'verifies' : 'fails'}`);
  const python = pythonVerify(cases.map((c) => c.message));
  if (python) assert.deepEqual(cases.map((c, i) => `${c.name}: ${python[i] ? 'verifies' : 'fails'}`), expected, 'python3-dkim');
  const mailauth = await Promise.all(cases.map((c) => mailauthPasses(c.message)));
  assert.deepEqual(cases.map((c, i) => `${c.name}: ${mailauth[i] ? 'verifies' : 'fails'}`), expected, 'mailauth');
  if (!python) t.skip('python3-dkim is not installed for /usr/bin/python3 (.ci/run installs it)');
}

test('dkim over-signing: python3-dkim verifies each sample\'s message; a second Subject or List-Unsubscribe, or an added Reply-To, fails', async (t) => {
  await checkOverSigning(t, signer());
});

test('dkim over-signing: the worker-thread signer of a bulk send produces the same over-signed signatures', async (t) => {
  const pooled = signer(2);
  const [message] = await messages();
  // Same key, same message: RSA PKCS#1 v1.5 is deterministic, so both paths give the very same bytes.
  assert.ok((await pooled(message!)).equals(await signer()(message!)), 'the worker signs exactly as the sending thread does');
  await checkOverSigning(t, pooled);
});

test('dkim over-signing: h= names each field one time more than the message holds it, absent ones once', async () => {
  const [message] = await messages(true);
  const names = hTag(await signer()(message!));
  const text = message!.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  for (const field of SIGNED_FIELDS) {
    const present = head.split('\r\n').filter((line) => line.toLowerCase().startsWith(`${field.toLowerCase()}:`)).length;
    assert.equal(names.filter((n) => n.toLowerCase() === field.toLowerCase()).length, present + 1, `${field}: ${names.join(':')}`);
  }
  assert.equal(names.filter((n) => n === 'Reply-To').length, 1, 'Reply-To is absent, and named once so it cannot be added');
});

test('dkim signature: canonicalisation matches python3-dkim on awkward messages (spaces, tabs, folding, trailing blank lines, bare LF)', async (t) => {
  const key = { domain: DOMAIN, selector: SELECTOR, privateKey, fields: SIGNED_FIELDS };
  const awkward = [
    'From:  Ada \t <ada@example.org>  \r\nTo: reader@example.net\r\nSubject: a\r\n\tfolded \t subject  \r\n\r\nBody  with \t runs   \r\n\r\n\r\n',
    'From: ada@example.org\r\nSubject: no body\r\n\r\n',
    'From: ada@example.org\r\nSubject: no final line end\r\n\r\nlast line  ',
    'From: ada@example.org\nSubject: bare LF line ends\nX-Extra: x\n\nline one\nline two\n',
    'From: ada@example.org\r\nSubject: =?utf-8?q?Zo=C3=AB?=\r\nTo: élève@exemple.fr\r\n\r\nUTF-8 body: Zoë\r\n',
    // "à" is C3 A0 in UTF-8: read byte by byte, A0 is a no-break space, which is not whitespace to DKIM.
    'From: ada@example.org\r\nSubject: Voilà\r\nTo: Zoë Dà <zoe@example.net>\r\n\r\nà\r\n',
  ].map((m) => Buffer.from(m, 'utf8'));
  // What arrives: every line end a CRLF (the transport turns bare CR and LF into one), and one at the end of the data.
  const arrived = (m: Buffer) => Buffer.from(m.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n').replace(/(?<!\r\n)$/, '\r\n'), 'latin1');
  const sent = awkward.map((m) => arrived(signDkim(m, key)));
  const python = pythonVerify(sent);
  if (python) assert.deepEqual(python, sent.map(() => true), 'python3-dkim');
  // mailauth reads a 0xA0 byte as whitespace (its relaxed form uses \s and trim()), RFC 6376 and python3-dkim do not.
  const mailauthComparable = sent.filter((m) => !m.includes(Buffer.from([0xa0])));
  assert.equal(mailauthComparable.length, sent.length - 1);
  for (const [i, m] of mailauthComparable.entries()) assert.ok(await mailauthPasses(m), `mailauth: message ${i}`);
  if (!python) t.skip('python3-dkim is not installed for /usr/bin/python3 (.ci/run installs it)');
});
