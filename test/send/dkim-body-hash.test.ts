/**
 * The signed send's DKIM body hash, made from the MIME template's chunks (each constant one canonicalised once, the
 * hash state of the body's constant opening copied), against the plain way: canonicalise the whole message's body,
 * then hash it. Both must agree for every template and subscriber, and the signed bytes must be the ones the
 * whole-message signer makes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { Config } from '../../src/config/schema.ts';
import { makePlaceholders } from '../../src/render/merge-tags.ts';
import { RecipientTemplate, type Recipient } from '../../src/render/personalise.ts';
import { messageComposer } from '../../src/send/compose/compose.ts';
import { MimeTemplate } from '../../src/send/compose/mime-template.ts';
import { relaxedBody, relaxedChunk, standsAlone } from '../../src/send/dkim/relaxed-body.ts';
import { headerAndBodyHash, signDkim } from '../../src/send/dkim/signature.ts';
import { createDkimSigner, SIGNED_FIELDS } from '../../src/send/dkim/signer.ts';
import { createDkimPool } from '../../src/send/dkim/signing-pool.ts';
import type { SendRecord } from '../../src/store/ledger/records.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';
import { projectSetup, render, ROOT, SAMPLES } from '../support/fixtures.ts';

const DATE = new Date('2026-11-25T08:00:00Z');
const DOMAIN = 'dissentdesk.example.org';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Values chosen to land whitespace on every side of a join: runs, tabs, leading and trailing, line ends, dots. */
const VALUES = [
  '',
  'Ada',
  ' ',
  '\t',
  '  ',
  ' lead',
  'trail ',
  'in  side',
  'tab\there',
  '\ttab first',
  'tab last\t',
  ' \t \t ',
  'line\r\nend',
  'cr\r',
  '\nlf first',
  'dots. . ..',
  '=?x?= =3D =\r\n',
  'Zoë "Q" O\'Brien',
  '👩‍👩‍👧 🎉',
  `${'long words '.repeat(20)}end`,
  'x'.repeat(200),
];

function recipients(): Recipient[] {
  return VALUES.map((name, i) => ({
    name,
    email: `r${i}@example.net`,
    unsubscribeUrl: `https://${DOMAIN}/unsubscribe/${VALUES[(i + 7) % VALUES.length]!.replace(/[^\w]/g, '') || 'x'}${i}`,
  }));
}

async function config(): Promise<Config> {
  const base = (await projectSetup()).config;
  return { ...base, sending: { ...base.sending, dkim: { domain: DOMAIN, selector: 'news' }, unsubscribe_mailto: `unsubscribe@${DOMAIN}` } };
}

/**
 * Templates whose static text has whitespace at every edge: a part opening and ending with spaces and tabs, runs
 * inside, a placeholder right after a space, two placeholders side by side, none at all, and one at each end.
 */
function awkwardTemplates(): RecipientTemplate[] {
  const ph = makePlaceholders([]);
  const { name, email, unsubscribe } = ph;
  const shapes: [string, string][] = [
    [`  <p>\tHello ${name},  you\t\tare ${email}.</p>  \n  <a href="${unsubscribe}">x</a>\t\n\n`, `\t Hi ${name}  \n\n${unsubscribe}\n \n`],
    [`${name}${email}${unsubscribe}`, `${name} ${email}\t${unsubscribe}`],
    ['<p>no values  at\tall</p>\n', 'none  here\t\n'],
    [`<p>only html ${name}</p>`, 'text    constant   \n\n\n'],
    ['html constant', `text ${name}  `],
    [`${name}`, `  ${name}  `],
    [' '.repeat(90) + name + '\t'.repeat(90), `${'a '.repeat(60)}${name}${' b'.repeat(60)}`],
  ];
  return shapes.map(([html, text]) => new RecipientTemplate(html, text, ph));
}

interface Sample {
  slug: string;
  subject: string;
  template: RecipientTemplate;
  /** What a send record freezes of the issue. */
  frozen: Pick<SendRecord, 'html' | 'text' | 'placeholderPrefix'>;
}

async function sampleTemplates(): Promise<Sample[]> {
  return Promise.all(
    SAMPLES.map(async (name) => {
      const file = `issues/${name}`;
      const { rendered } = await render(readFileSync(join(ROOT, file), 'utf8'), file);
      assert.ok(rendered?.recipientTemplate);
      assert.ok(rendered.html !== null && rendered.text !== null);
      const frozen = { html: rendered.html, text: rendered.text, placeholderPrefix: rendered.placeholders.prefix };
      return { slug: rendered.issue.slug, subject: rendered.subject, template: rendered.recipientTemplate, frozen };
    }),
  );
}

test('dkim relaxed chunks: a body cut anywhere its pieces stand alone canonicalises, piece by piece, to the whole body\'s relaxed form', () => {
  // A small deterministic generator, so a failure can be replayed.
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const alphabet = [' ', '\t', 'a', 'b', '=', '\r\n'];
  let cut = 0;
  for (let round = 0; round < 3000; round++) {
    let body = '';
    for (let i = random(60); i > 0; i--) body += alphabet[random(alphabet.length)];
    body += 'z\r\n';
    const pieces: string[] = [];
    let from = 0;
    for (let at = 1; at < body.length; at++) {
      const piece = body.slice(from, at);
      if (random(3) === 0 && standsAlone(Buffer.from(piece, 'latin1'))) {
        pieces.push(piece);
        from = at;
      }
    }
    pieces.push(body.slice(from));
    cut += pieces.length - 1;
    const relaxed = pieces.map((p) => relaxedChunk(Buffer.from(p, 'latin1')).toString('latin1')).join('');
    assert.equal(relaxed, relaxedBody(body), JSON.stringify(pieces));
  }
  assert.ok(cut > 10_000, `the bodies were cut ${cut} times`);
  assert.equal(standsAlone(Buffer.from('a ')), false);
  assert.equal(standsAlone(Buffer.from('a\t')), false);
  assert.equal(standsAlone(Buffer.from('a\r')), false);
  assert.equal(standsAlone(Buffer.from('a\r\n')), true);
});

test('dkim body hash: from the template\'s chunks it equals canonicalising the whole body, for every sample, awkward template and subscriber', async () => {
  const cfg = await config();
  const issues = [
    ...(await sampleTemplates()).map(({ slug, subject, template }) => ({ slug, subject, template })),
    ...awkwardTemplates().map((template, i) => ({ slug: `awkward-${i}`, subject: `Awkward ${i}`, template })),
  ];
  let compared = 0;
  for (const issue of issues) {
    const mime = new MimeTemplate({ config: cfg, ...issue, date: DATE });
    // Twice over: the second pass hashes from the kept state of the body's opening.
    for (const r of [...recipients(), ...recipients()]) {
      const message = mime.message(r);
      const parts = mime.signable(r);
      assert.ok(Buffer.concat(parts.chunks, parts.length).equals(message), `${issue.slug}: the chunks are the message`);
      const whole = headerAndBodyHash(message);
      assert.notEqual(parts.bodyHash, null, `${issue.slug}: every chunk stands alone`);
      assert.equal(parts.bodyHash, whole.bodyHash, `${issue.slug} for ${JSON.stringify(r.name)}`);
      assert.equal(parts.header, whole.header);
      compared++;
    }
  }
  assert.equal(compared, issues.length * VALUES.length * 2);
});

test('dkim body hash: a signed send\'s message is byte for byte the whole-message signer\'s, on the thread and through the worker pool, and verifies', async () => {
  const cfg = await config();
  const [issue] = await sampleTemplates();
  const keyring = keyringFromEnv('body-hash-test-secret-0123456789-0123456789');
  // The composer reads only these of a send record.
  const send = { slug: issue!.slug, subject: issue!.subject, ...issue!.frozen } as SendRecord;
  const key = { domain: DOMAIN, selector: 'news', privateKey, fields: SIGNED_FIELDS };
  for (const sign of [createDkimSigner({ domain: DOMAIN, selector: 'news', privateKey: PEM }), createDkimPool({ domain: DOMAIN, selector: 'news', privateKey: PEM }, 2)]) {
    const compose = messageComposer({ config: cfg, send, keyring, date: DATE, sign });
    const unsigned = messageComposer({ config: cfg, send, keyring, date: DATE, sign: null });
    for (const [i, r] of recipients().slice(0, 8).entries()) {
      const claimed = { subscriberId: i + 1, previous: 'queued', email: r.email, name: r.name, tokenKey: `${i}`.padStart(32, '0'), attempts: 1, firstAttemptAt: 0 } as const;
      const signed = await compose(claimed).message;
      const plain = await unsigned(claimed).message;
      assert.ok(signed.equals(signDkim(plain, key)), `message ${i}: the same bytes as signing the whole message`);
      const result = await dkimVerify(signed, { resolver: resolver() });
      assert.equal(result.results[0]?.status.result, 'pass', result.results[0]?.info);
    }
  }
});

function resolver() {
  const record = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  return async (name: string, type: string): Promise<string[][]> => {
    if (type === 'TXT' && name === `news._domainkey.${DOMAIN}`) return [[record]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}
