/**
 * The per-issue MIME template: each subscriber's message, read back by an independent parser (mailparser), carries
 * exactly the text and HTML the RecipientTemplate renders, within the line limits, with the bulk-mail headers, and
 * no subscriber data can add a header or break the MIME structure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { Config } from '../../src/config/schema.ts';
import { makePlaceholders } from '../../src/render/merge-tags.ts';
import { RecipientTemplate, type Recipient } from '../../src/render/personalise.ts';
import { MimeTemplate, type MimeTemplateInput } from '../../src/send/compose/mime-template.ts';
import { projectSetup, render, ROOT, SAMPLES } from '../support/fixtures.ts';

const DATE = new Date('2026-11-25T08:00:00Z');
const UNSUBSCRIBE = 'https://dissentdesk.example.org/unsubscribe/AbC_123-xyz';

const reader = (name: string, email = 'reader@example.net', unsubscribeUrl = UNSUBSCRIBE): Recipient => ({ name, email, unsubscribeUrl });

const HOSTILE: Recipient[] = [
  reader('Ada Reader'),
  reader('<img src=x onerror=alert(1)>'),
  reader('{{constructor}}'),
  reader(`Zoë "Q" O'Brien, Jr.`),
  reader('Фёдор Достоевский', 'fyodor@example.ru'),
  reader('👩‍👩‍👧 Family 🎉', 'family@example.net'),
  reader('Eve\r\nBcc: evil@x', 'eve@example.net'),
  reader('Eve\nBcc: evil@x\n', 'eve@example.net'),
  reader('Carriage\rReturn\r', 'cr@example.net'),
  reader('trailing space ', 'space@example.net'),
  reader(`${'Maximiliana Alexandra Featherstonehaugh-Wolfeschlegelsteinhausen '.repeat(6)}the Third`),
  reader('Ünïcødé'.repeat(40)),
  reader('x'.repeat(300)),
  reader(''),
  reader('  spaced\tout  '),
  reader('=?UTF-8?B?PHNjcmlwdD4=?= = =3D =\r\n--=_nl_0\r\n'),
  reader('Tom & Jerry', 'a&b@example.net', 'https://dissentdesk.example.org/unsubscribe/x?a=1&b=2'),
];

interface Issue {
  file: string;
  subject: string;
  template: RecipientTemplate;
}

let issues: Promise<Issue[]> | undefined;
/** The project's sample issues, rendered once. */
function sampleIssues(): Promise<Issue[]> {
  issues ??= Promise.all(
    SAMPLES.map(async (name) => {
      const file = `issues/${name}`;
      const { parsed, rendered } = await render(readFileSync(join(ROOT, file), 'utf8'), file);
      assert.ok(rendered?.recipientTemplate, JSON.stringify(rendered?.diagnostics ?? parsed.diagnostics));
      return { file, subject: rendered.subject, template: rendered.recipientTemplate };
    }),
  );
  return issues;
}

async function config(sending: Partial<Config['sending']> = {}, rest: Partial<Config> = {}): Promise<Config> {
  const base = (await projectSetup()).config;
  return { ...base, ...rest, sending: { ...base.sending, ...sending } };
}

async function mime(overrides: Partial<MimeTemplateInput> = {}): Promise<MimeTemplate> {
  const [issue] = await sampleIssues();
  return new MimeTemplate({ config: await config(), slug: 'camera-contract', subject: issue!.subject, template: issue!.template, date: DATE, ...overrides });
}

function headerBlock(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n'));
}

/** Header fields, unfolded, by lower-case name. */
function fields(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const field of headerBlock(raw).split(/\r\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    const name = field.slice(0, colon).toLowerCase();
    out.set(name, [...(out.get(name) ?? []), field.slice(colon + 1).replace(/\r\n/g, '').trim()]);
  }
  return out;
}

function field(raw: string, name: string): string {
  const values = fields(raw).get(name.toLowerCase()) ?? [];
  assert.equal(values.length, 1, `one ${name} header: ${JSON.stringify(values)}`);
  return values[0]!;
}

/** A strict quoted-printable decoder, independent of the code under test: soft breaks go, `=XX` become bytes. */
function decodeQp(body: string): Buffer {
  assert.doesNotMatch(body.replace(/=\r\n/g, '').replace(/=[0-9A-F]{2}/g, ''), /=/, 'every = starts =XX or a soft break');
  assert.doesNotMatch(body, /[ \t]\r\n/, 'no literal whitespace at the end of a line');
  const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1');
}

/** The two parts' raw bodies, split at the boundary the Content-Type names. */
function parts(raw: string): { text: string; html: string; boundary: string } {
  const boundary = /boundary="([^"]+)"/.exec(headerBlock(raw))?.[1];
  assert.ok(boundary, 'a boundary');
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const sections = body.split(`--${boundary}`);
  assert.equal(sections.length, 4, 'two parts and the closing delimiter');
  assert.equal(sections[3], '--\r\n');
  const content = (section: string, type: string) => {
    const head = section.slice(0, section.indexOf('\r\n\r\n'));
    assert.equal(head, `\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable`);
    assert.ok(section.endsWith('\r\n'), 'the delimiter starts on a line of its own');
    return section.slice(head.length + 4, -2);
  };
  return { text: content(sections[1]!, 'text/plain'), html: content(sections[2]!, 'text/html'), boundary };
}

const crlf = (text: string): string => text.replace(/\r\n|\r|\n/g, '\r\n');
const lf = (text: string): string => text.replace(/\r\n/g, '\n');

/**
 * What a part must decode to: render()'s bytes, with the template's own line ends as CRLF; a value's CR and LF are
 * data and stay as they are. Checks on the way that the accessor's pieces are exactly render()'s bytes.
 */
function expected(template: RecipientTemplate, part: 'html' | 'text', r: Recipient): string {
  const { parts, values } = template.pieces(part);
  const filled = values(r);
  assert.equal(filled.length, parts.length - 1);
  assert.equal(parts.map((p, i) => p.toString('utf8') + (filled[i] ?? '')).join(''), template.render(r)[part].toString('utf8'));
  return parts.map((p, i) => crlf(p.toString('utf8')) + (filled[i] ?? '')).join('');
}

function assertLineLimits(raw: string): void {
  const lines = raw.split('\r\n');
  for (const line of lines) assert.ok(Buffer.byteLength(line) <= 998, `a line of ${Buffer.byteLength(line)} octets`);
  assert.doesNotMatch(raw.replace(/\r\n/g, ''), /[\r\n]/, 'CR and LF only as CRLF');
  const head = headerBlock(raw).split('\r\n');
  // List-Unsubscribe is one unfolded line (RFC 8058), whatever its URL's length.
  for (const line of head.filter((l) => !/^List-Unsubscribe:/.test(l))) assert.ok(line.length <= 78, `a header line of ${line.length}: ${line}`);
  for (const line of lines.slice(head.length)) assert.ok(line.length <= 76, `a body line of ${line.length}: ${line}`);
  // No body line starts with a dot, so SMTP's dot-stuffing leaves the message as it is (the transport's fast path).
  for (const line of lines.slice(head.length)) assert.ok(!line.startsWith('.'), `a body line starting with a dot: ${line}`);
}

/** RFC 2047 encoded words decoded (mailparser leaves them in List-Id); adjacent words join without the space. */
function decodeWords(text: string): string {
  const joined = text.replace(/\?=\s+=\?/g, '?==?');
  return joined.replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, data: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQp(data.replace(/_/g, ' ')).toString('utf8'),
  );
}

const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value);

test('mime: every sample issue decodes to exactly what render() gives, for hostile names, within the line limits', async () => {
  const cfg = await config({ unsubscribe_mailto: 'unsubscribe@dissentdesk.example.org' });
  for (const issue of await sampleIssues()) {
    const template = new MimeTemplate({ config: cfg, slug: 'sample', subject: issue.subject, template: issue.template, date: DATE });
    for (const r of HOSTILE) {
      const label = `${issue.file} for ${JSON.stringify(r.name)}`;
      const raw = template.message(r);
      const rawText = raw.toString('utf8');
      const want = { text: expected(issue.template, 'text', r), html: expected(issue.template, 'html', r) };
      assertLineLimits(rawText);
      // Exact bytes, by a strict decoder of our own…
      const body = parts(rawText);
      assert.equal(decodeQp(body.text).toString('utf8'), want.text, label);
      assert.equal(decodeQp(body.html).toString('utf8'), want.html, label);
      // …and as an independent parser reads it (mailparser gives LF line ends).
      const parsed: ParsedMail = await simpleParser(raw);
      assert.equal(parsed.text, lf(want.text), label);
      assert.equal(parsed.html, lf(want.html), label);
      assert.deepEqual(
        addresses(parsed.to).map((a) => ({ name: a.name, address: a.address })),
        [{ name: r.name.replace(/[\r\n\u2028\u2029]+/g, ' ').trim(), address: r.email }],
        `${label}: the name, on one line`,
      );
      assert.equal(parsed.bcc, undefined, label);
      assert.deepEqual(addresses(parsed.cc), [], label);
      assert.doesNotMatch(headerBlock(rawText), /^Bcc:/im, label);
      assert.equal(parsed.attachments.length, 0, label);
    }
  }
});

test('mime: joins stay within 76 characters a line and decode exactly, wherever a slot falls on a line', async () => {
  const ph = makePlaceholders([]);
  const cfg = await config();
  const names = ['', 'A', 'é', ' ', '=', 'x'.repeat(74), 'x'.repeat(75), 'x'.repeat(76), 'é'.repeat(25), `${'ab '.repeat(40)}`, 'a\r\nb'];
  for (let n = 0; n <= 80; n++) {
    // A slot after n characters, twice on a line, and at the start of the next: every column a join can be at.
    const line = `${'t'.repeat(n)}${ph.name}${ph.name}.${'u'.repeat(80 - n)} ${ph.email}\n${ph.name}\n${'v'.repeat(n)}=`;
    const template = new RecipientTemplate(`<p>${line}</p>`, line, ph);
    const mime = new MimeTemplate({ config: cfg, slug: 'joins', subject: 'Joins', template, date: DATE });
    for (const name of names) {
      const r = reader(name);
      const raw = mime.message(r).toString('utf8');
      assertLineLimits(raw);
      const body = parts(raw);
      assert.equal(decodeQp(body.text).toString('utf8'), expected(template, 'text', r), `${n} ${JSON.stringify(name)}`);
      assert.equal(decodeQp(body.html).toString('utf8'), expected(template, 'html', r), `${n} ${JSON.stringify(name)}`);
    }
  }
});

test('mime: a subscriber name never makes a header, whatever it holds, and the To header names them exactly', async () => {
  const template = await mime();
  for (const name of ['Eve\r\nBcc: evil@x', 'Eve\nBcc: evil@x', 'Eve\rBcc: evil@x', 'Eve\u2028Bcc: evil@x', 'a"\r\n\r\n<b@c>', '"Quoted" <x@y.z>, other@evil.example']) {
    const raw = template.message(reader(name, 'victim@example.net')).toString('utf8');
    const head = headerBlock(raw);
    assert.doesNotMatch(head, /^Bcc:/im, JSON.stringify(name));
    assert.equal(head.match(/^To:/gm)?.length, 1);
    assert.doesNotMatch(head, /\n(?![ \t]|[A-Za-z-]+:(?: |\r\n[ \t]))/, 'every line is a field or a continuation');
    const parsed = await simpleParser(raw);
    assert.deepEqual(addresses(parsed.to).map((a) => a.address), ['victim@example.net'], JSON.stringify(name));
    assert.equal(parsed.bcc, undefined);
  }
  // An address that could end the header's address or start another is refused, not sent.
  assert.throws(() => template.message(reader('Eve', 'eve@example.net>\r\nBcc: x@evil.example')), /not a plain email address/);
  assert.throws(() => template.envelope(reader('Eve', 'eve@example.net, x@evil.example')), /not a plain email address/);
});

test('mime: the headers a bulk send needs, with the right values', async () => {
  const cfg = await config({ unsubscribe_mailto: 'unsubscribe@dissentdesk.example.org' });
  const [issue] = await sampleIssues();
  const template = new MimeTemplate({ config: cfg, slug: 'camera-contract', subject: issue!.subject, template: issue!.template, date: DATE });
  const r = reader('Ada Reader', 'ada@example.net');
  const raw = template.message(r).toString('utf8');
  assert.equal(field(raw, 'From'), 'The Dissent Desk <newsletter@dissentdesk.example.org>');
  assert.equal(field(raw, 'Reply-To'), 'editor@dissentdesk.example.org');
  assert.equal(field(raw, 'To'), 'Ada Reader <ada@example.net>');
  assert.equal(field(raw, 'Subject'), issue!.subject);
  assert.equal(field(raw, 'Date'), 'Wed, 25 Nov 2026 08:00:00 +0000');
  assert.equal(field(raw, 'Message-ID'), template.messageId(r));
  assert.match(template.messageId(r), /^<camera-contract\.[0-9a-f]{32}@dissentdesk\.example\.org>$/);
  assert.equal(field(raw, 'MIME-Version'), '1.0');
  assert.equal(field(raw, 'List-Id'), 'The Dissent Desk <the-dissent-desk.dissentdesk.example.org>');
  assert.equal(field(raw, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  assert.match(field(raw, 'Content-Type'), /^multipart\/alternative; boundary="=_[^"]+"$/);
  // RFC 8058: one unfolded line, the https URL first; the mailto beside it when configured.
  assert.match(raw, /^List-Unsubscribe: <https:\/\/dissentdesk\.example\.org\/unsubscribe\/AbC_123-xyz>, <mailto:unsubscribe@dissentdesk\.example\.org\?subject=unsubscribe>\r\n(?![ \t])/m);
  assert.match(headerBlock(raw), /^[\x20-\x7e\r\n]*$/, 'headers are ASCII');
  assert.equal(template.headers(r), headerBlock(raw), 'headers() is the message\'s header block');
  assert.deepEqual(template.envelope(r), { from: 'newsletter@dissentdesk.example.org', to: 'ada@example.net' });

  const parsed = await simpleParser(Buffer.from(raw));
  assert.equal(parsed.from?.text, '"The Dissent Desk" <newsletter@dissentdesk.example.org>');
  assert.equal(parsed.messageId, template.messageId(r));
  assert.equal(parsed.date?.toISOString(), DATE.toISOString());

  // Without the mailto, and with a bounce address for the envelope.
  const plain = new MimeTemplate({
    config: await config({ return_path: 'bounces@dissentdesk.example.org' }, { reply_to: null }),
    slug: 'camera-contract',
    subject: issue!.subject,
    template: issue!.template,
    date: DATE,
  });
  const plainRaw = plain.message(r).toString('utf8');
  assert.match(plainRaw, /^List-Unsubscribe: <https:\/\/dissentdesk\.example\.org\/unsubscribe\/AbC_123-xyz>\r\n(?![ \t])/m);
  assert.equal(fields(plainRaw).get('reply-to'), undefined);
  assert.deepEqual(plain.envelope(r), { from: 'bounces@dissentdesk.example.org', to: 'ada@example.net' });
  // A URL with a line break or brackets stays one line and keeps its brackets closed.
  const odd = plain.message(reader('Ada', 'ada@example.net', 'https://x.example/u/a>b\r\nBcc: x@evil.example é')).toString('utf8');
  assert.equal(field(odd, 'List-Unsubscribe'), '<https://x.example/u/a%3Eb%20Bcc:%20x@evil.example%20%C3%A9>');
  assert.doesNotMatch(headerBlock(odd), /^Bcc:/im);
});

test('mime: From names and List-Id descriptions are quoted or encoded as they need', async () => {
  const r = reader('Ada', 'ada@example.net');
  for (const name of ['Zoë & Co. "Desk"', 'The Desk, Inc.', 'Простой список', `${'A long newsletter name, '.repeat(2)}and more`]) {
    const template = await mime({ config: await config({}, { name, from: { name, email: 'news@example.org' } }) });
    const raw = template.message(r).toString('utf8');
    assertLineLimits(raw);
    const parsed = await simpleParser(Buffer.from(raw));
    assert.deepEqual(parsed.from?.value, [{ name, address: 'news@example.org' }], name);
    const list = parsed.headers.get('list') as { id?: { name?: string; id?: string } } | undefined;
    assert.equal(decodeWords(list?.id?.name ?? ''), name.replace(/"/g, ''), name);
    assert.match(headerBlock(raw), /^[\x20-\x7e\r\n]*$/, 'headers are ASCII');
  }
});

test('mime: a long slug, name and domain keep every header line within 78 characters; the ids still parse and differ', async () => {
  const r = reader('Ada', 'ada@example.net');
  const name = 'The Extraordinarily Long-Named Weekly Dispatch of Municipal Accountability Reporting';
  const from = { name, email: 'newsletter@mail.municipal-dispatch.example.org' };
  const slug = 'a-very-long-slug-about-the-camera-contract-and-everything-the-council-did-not-debate';
  const template = await mime({ config: await config({}, { name, from }), slug });
  const raw = template.message(r).toString('utf8');
  assertLineLimits(raw);
  const parsed = await simpleParser(Buffer.from(raw));
  assert.equal(parsed.messageId, template.messageId(r));
  assert.match(template.messageId(r), /^<a-very[a-z-]*\.[0-9a-f]{32}@mail\.municipal-dispatch\.example\.org>$/);
  const other = await mime({ config: await config({}, { name, from }), slug: `${slug}-part-two` });
  assert.notEqual(other.messageId(r), template.messageId(r), 'slugs cut to the same prefix still give different ids');
  const list = parsed.headers.get('list') as { id?: { id?: string } } | undefined;
  assert.match(list?.id?.id ?? '', /^the-extraordinarily-long-named-[a-z-]*\.mail\.municipal-dispatch\.example\.org$/);
});

test('mime: an internationalised domain goes in its ASCII form; a non-ASCII local part stays as it is, for SMTPUTF8', async () => {
  const template = await mime();
  const idn = reader('Ада', 'ada@пример.рф');
  assert.equal(template.envelope(idn).to, 'ada@xn--e1afmkfd.xn--p1ai');
  const raw = template.message(idn).toString('utf8');
  assert.match(field(raw, 'To'), /<ada@xn--e1afmkfd\.xn--p1ai>$/);
  assert.match(headerBlock(raw), /^[\x20-\x7e\r\n]*$/, 'headers stay ASCII');
  // Readers decode it back (mailparser shows the Unicode form).
  assert.deepEqual(addresses((await simpleParser(Buffer.from(raw))).to), [{ name: 'Ада', address: 'ada@пример.рф' }]);
  const utf8 = reader('Зоя', 'зоя@пример.рф');
  assert.equal(template.envelope(utf8).to, 'зоя@пример.рф', 'a UTF-8 local part needs SMTPUTF8 anyway, so the domain stays readable');
  assert.equal(template.messageId(idn), template.messageId({ ...idn, email: 'ADA@пример.рф' }), 'ids follow the stored address');
});

test('mime: subjects round-trip, including a 150-character non-ASCII one, folded within 78 characters a line', async () => {
  const r = reader('Ada', 'ada@example.net');
  const unicode = 'Фёдор, Zoë и 👩‍👩‍👧: «ещё одна» история о камерах, которые никто не заказывал — и о тех, кто за них заплатил. Читайте дальше, друзья! ';
  const long = [...`${unicode}${unicode}`].slice(0, 150).join('');
  assert.equal([...long].length, 150);
  const subjects = [
    long,
    'Plain ASCII, but long enough that it has to fold somewhere along the way to the end of it all',
    `One ${'unbreakable'.repeat(10)} word`,
    'Looks encoded: =?UTF-8?B?SGk=?= but is not',
    'Café news: résumé',
    'Tabs\tand  double  spaces',
    'Control\u0001 and DEL\u007f beside Zoë',
  ];
  for (const subject of subjects) {
    const raw = (await mime({ subject })).message(r).toString('utf8');
    assertLineLimits(raw);
    assert.equal((await simpleParser(Buffer.from(raw))).subject, subject, subject);
    assert.match(headerBlock(raw), /^[\x20-\x7e\r\n]*$/, 'headers are ASCII');
  }
  const injected = (await mime({ subject: 'Hello\r\nBcc: victim@example.com' })).message(r).toString('utf8');
  assert.doesNotMatch(headerBlock(injected), /^Bcc:/im);
  assert.equal((await simpleParser(Buffer.from(injected))).subject, 'Hello Bcc: victim@example.com');
});

test('mime: Message-IDs are stable per subscriber and differ between them; test sends are marked and unique', async () => {
  const a = reader('Ada', 'ada@example.net');
  const b = reader('Bob', 'bob@example.net');
  const one = await mime();
  const two = await mime();
  assert.equal(one.messageId(a), two.messageId({ ...a, email: 'ADA@example.net' }));
  assert.notEqual(one.messageId(a), one.messageId(b));
  assert.ok(one.message(a).equals(two.message(a)), 'the same input gives the same bytes');
  assert.equal(field(one.message(a).toString('utf8'), 'Message-ID'), one.messageId(a));

  const [issue] = await sampleIssues();
  const first = await mime({ test: { nonce: '1' } });
  const second = await mime({ test: { nonce: '2' } });
  assert.notEqual(first.messageId(a), second.messageId(a));
  assert.notEqual(first.messageId(a), one.messageId(a));
  const parsed = await simpleParser(first.message(a));
  assert.equal(parsed.subject, `[Test] ${issue!.subject}`);
  assert.equal(parsed.messageId, first.messageId(a));
});

test('mime: the boundary is derived from the issue and occurs nowhere in the content', async () => {
  const [issue] = await sampleIssues();
  const template = await mime();
  const raw = template.message(reader('Ada')).toString('utf8');
  const { boundary } = parts(raw);
  assert.match(boundary, /^=_/, 'quoted-printable text never holds "=_"');
  const body = (message: string) => message.slice(message.indexOf('\r\n\r\n'));
  assert.equal(body(raw).split(boundary).length - 1, 3, 'in the three delimiters only');
  // A name holding the boundary itself cannot end a part.
  const r = reader(`\r\n--${boundary}\r\nContent-Type: text/html\r\n\r\n<script>x</script>\r\n--${boundary}--`);
  const hostile = template.message(r).toString('utf8');
  assert.equal(body(hostile).split(boundary).length - 1, 3);
  const parsed = await simpleParser(Buffer.from(hostile));
  assert.equal(parsed.attachments.length, 0);
  assert.equal(parsed.text, lf(expected(issue!.template, 'text', r)));
  // Another issue gets another boundary.
  const other = (await sampleIssues())[1]!;
  const otherRaw = (await mime({ template: other.template, subject: other.subject })).message(reader('Ada')).toString('utf8');
  assert.notEqual(parts(otherRaw).boundary, boundary);
  assert.ok(issue);
});

// The figure is printed, not asserted: even a bound 20x the usual 10 µs failed on a loaded machine (621 µs), and speed
// is for `npm run bench:send` (issue 12, finding 18). What is asserted is the behaviour that makes it fast: every
// message is the same prepared bytes with only the reader's own values joined in, the same each time.
test('mime: filling a message is a join of precomputed bytes, the same each time (time printed)', async () => {
  const template = await mime();
  const recipients = Array.from({ length: 2000 }, (_, i) => reader(`Reader ${i} "Q" & Co`, `reader${i}@example.net`, `${UNSUBSCRIBE}${i}`));
  const first = recipients.map((r) => template.message(r));
  const rounds = 3;
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    recipients.forEach((r, i) => {
      const message = template.message(r);
      bytes += message.length;
      assert.ok(message.equals(first[i]!), `reader ${i}: the same bytes every time`);
    });
  }
  const micros = Number(process.hrtime.bigint() - started) / 1000 / (rounds * recipients.length);
  console.log(`# MimeTemplate.message: ${micros.toFixed(1)} µs a message (${Math.round(bytes / rounds / recipients.length)} bytes)`);
  // Readers differ only in their own values: the messages of two readers whose values have the same length are the
  // same length, so nothing else (no re-render, no new boundary) goes into one message.
  assert.equal(first[10]!.length, first[11]!.length);
  assert.ok(first[10]!.toString('utf8').includes('reader10@example.net'));
});
