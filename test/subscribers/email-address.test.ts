import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAddress, emailAddress, isPlainAddress } from '../../src/subscribers/email-address.ts';

const rejects = (input: string, reason: string) => assert.deepEqual(checkAddress(input), { ok: false, reason });
const accepts = (input: string, address: string, normalized: string) =>
  assert.deepEqual(checkAddress(input), { ok: true, address, normalized });

// ── The hostile inputs of issue 5 and HOSTILE-INPUTS item 13 ──────────────────────────────────────

test('CRLF header injection is rejected, wherever the line break is', () => {
  rejects('a@b.com\r\nBcc: x@evil', 'contains a line break or control character');
  rejects('a@b.com\n', 'contains a line break or control character'); // not trimmed away as padding
  rejects('\ra@b.com', 'contains a line break or control character');
  rejects('a@b.com\u2028', 'contains a line break or control character');
  rejects('a\u0000@b.com', 'contains a line break or control character');
  rejects('a\u0085@b.com', 'contains a line break or control character'); // NEL, a C1 control
});

test('a tab inside is a control character', () => {
  rejects('a\t@b.com', 'contains a line break or control character');
  rejects('a@b.com\t', 'contains a line break or control character');
});

test('a list of addresses is rejected, separated by comma, semicolon or space', () => {
  rejects('a@b.com, c@d.com', 'holds more than one address');
  rejects('a@b.com;c@d.com', 'holds more than one address');
  rejects('a@b.com c@d.com', 'holds more than one address');
  rejects('a@b.com,', 'contains a comma or semicolon');
});

test('a quoted local part is rejected', () => {
  rejects('"x y"@example.com', 'quoted local parts are not accepted');
  rejects('"xy"@example.com', 'quoted local parts are not accepted');
  rejects('a"b@example.com', 'contains a quotation mark');
});

test('a comment in parentheses is rejected', () => {
  rejects('a@b.com (comment)', 'has a comment in parentheses');
  rejects('a(comment)@b.com', 'has a comment in parentheses');
});

test('a shell-option-like address is rejected, with or without the space', () => {
  rejects('-oQ/tmp/ x@y', 'contains whitespace');
  rejects('-oQ/tmp/x@example.com', 'starts with a hyphen');
});

test('an address of 300 characters is rejected; 254 is the limit', () => {
  const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.example`; // 190 characters, valid labels
  const local254 = 'l'.repeat(254 - 1 - domain.length); // 63
  assert.equal(`${local254}@${domain}`.length, 254);
  assert.equal(checkAddress(`${local254}@${domain}`).ok, true);
  rejects(`l${local254}@${domain}`, 'is longer than 254 characters');
  const a300 = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(43)}`;
  assert.equal(a300.length, 300);
  rejects(a300, 'is longer than 254 characters');
  rejects('x'.repeat(1_000_000), 'is longer than 254 characters');
});

test('254 also holds once an internationalised domain is converted to punycode', () => {
  const l = '日本語中文字例子测试网域名称服务器邮件';
  const domain = [l.slice(0, 16), l.slice(1, 17), l.slice(2, 18), l.slice(3, 19)].join('.') + '.example'; // 75 typed, 225 in ASCII
  const fits = checkAddress(`${'l'.repeat(28)}@${domain}`); // 254 on the wire
  assert.ok(fits.ok);
  assert.equal(fits.normalized.length, 254);
  rejects(`${'l'.repeat(29)}@${domain}`, 'is longer than 254 characters once its domain is converted to ASCII'); // 105 typed
});

test('a domain without a dot is rejected', () => {
  rejects('user@localhost', 'has no dot in its domain');
});

// ── Further rules from the brief ─────────────────────────────────────────────────────────────────

test('a display name or angle brackets are rejected', () => {
  rejects('Ada <a@b.com>', 'has a display name or angle brackets');
  rejects('<a@b.com>', 'has a display name or angle brackets');
});

test('more than one @, or an empty side, is rejected', () => {
  rejects('a@@b.com', 'has more than one @');
  rejects('a@b@c.com', 'has more than one @');
  rejects('@b.com', 'has nothing before the @');
  rejects('a@', 'has nothing after the @');
  rejects('ab.com', 'has no @');
  rejects('', 'is empty');
  rejects('   ', 'is empty');
});

test('dots in the local part: none doubled, none at either end', () => {
  rejects('a..b@c.com', 'has two dots in a row before the @');
  rejects('.a@c.com', 'has a dot at the start or end of the part before the @');
  rejects('a.@c.com', 'has a dot at the start or end of the part before the @');
});

test('a local part over 64 bytes is rejected; 64 is accepted', () => {
  assert.equal(checkAddress(`${'a'.repeat(64)}@example.com`).ok, true);
  rejects(`${'a'.repeat(65)}@example.com`, 'has more than 64 bytes before the @');
  rejects(`${'ö'.repeat(33)}@example.com`, 'has more than 64 bytes before the @'); // 33 characters, 66 bytes
});

test('domain labels: none empty, none starting or ending with a hyphen, none over 63', () => {
  rejects('a@-b.com', 'has a domain label that starts or ends with a hyphen');
  rejects('a@b-.com', 'has a domain label that starts or ends with a hyphen');
  rejects('a@b.-com', 'has a domain label that starts or ends with a hyphen');
  rejects('a@b..com', 'has an empty label in its domain (a leading, trailing or doubled dot)');
  rejects('a@.b.com', 'has an empty label in its domain (a leading, trailing or doubled dot)');
  rejects('a@b.com.', 'has an empty label in its domain (a leading, trailing or doubled dot)');
  assert.equal(checkAddress(`a@${'b'.repeat(63)}.com`).ok, true);
  rejects(`a@${'b'.repeat(64)}.com`, 'has a domain label longer than 63 characters');
});

test('IP addresses instead of a domain name are rejected', () => {
  rejects('a@[1.2.3.4]', 'has an IP address instead of a domain name');
  rejects('a@[IPv6:::1]', 'contains a colon (group or route syntax is not accepted)');
  rejects('a@1.2.3.4', 'has an IP address instead of a domain name');
  rejects('a@1.2.3', 'has an IP address instead of a domain name'); // a URL parser reads it as 1.2.0.3
  rejects('a@0x7f.1', 'has an IP address instead of a domain name'); // … and this as 127.0.0.1
  rejects('a@１.２.３.４', 'has an IP address instead of a domain name'); // fullwidth digits
  rejects('a@example.123', 'has a top-level domain made only of digits');
});

test('characters outside the dot-atom set are rejected', () => {
  rejects('a\\b@example.com', 'contains a backslash');
  rejects('undisclosed-recipients:;', 'contains a comma or semicolon');
  rejects('a:b@example.com', 'contains a colon (group or route syntax is not accepted)');
  rejects('a[b@example.com', 'has a character that is not allowed before the @ ("[")');
  rejects('a\uFF20b@example.com', 'has a character that is not allowed before the @ ("＠")'); // fullwidth @
  rejects('a@exa_mple.com', 'has a character that is not allowed in its domain ("_")');
  rejects('a@exa!mple.com', 'has a character that is not allowed in its domain ("!")');
  rejects('a@xn--zz.com', 'has a domain that is not a valid domain name'); // bad punycode
  // Fullwidth forms pass the typed-character check but map to ASCII symbols: caught on the ASCII form.
  rejects('a@exa\uFF3Fmple.com', 'has a character that is not allowed in its domain'); // fullwidth _
  rejects('a@exa\uFF04mple.com', 'has a character that is not allowed in its domain'); // fullwidth $
});

test('whitespace inside is rejected, including Unicode spaces', () => {
  rejects('a b@example.com', 'contains whitespace');
  rejects('a@exam ple.com', 'contains whitespace');
  rejects('a\u00A0b@example.com', 'contains whitespace');
});

test('invisible formatting characters and broken characters are rejected', () => {
  rejects('a\u200B@example.com', 'contains an invisible formatting character'); // zero-width space
  rejects('a@exam\u202Eple.com', 'contains an invisible formatting character'); // right-to-left override
  rejects('\uFEFFa@example.com', 'contains an invisible formatting character'); // BOM
  rejects('a\uD800@example.com', 'contains a broken (unpaired surrogate) character');
});

test('a non-string at run time is rejected, not thrown on', () => {
  rejects(undefined as unknown as string, 'is not text');
  rejects(42 as unknown as string, 'is not text');
});

// ── Good addresses ───────────────────────────────────────────────────────────────────────────────

test('plain addresses are accepted as given', () => {
  accepts('ada@example.com', 'ada@example.com', 'ada@example.com');
  accepts("o'brien@example.ie", "o'brien@example.ie", "o'brien@example.ie");
  accepts("a!#$%&'*+/=?^_`{|}~-z@example.com", "a!#$%&'*+/=?^_`{|}~-z@example.com", "a!#$%&'*+/=?^_`{|}~-z@example.com");
  accepts('a-@sub-domain.example.com', 'a-@sub-domain.example.com', 'a-@sub-domain.example.com');
});

test('normalized is lower-cased on both sides; address keeps the case given', () => {
  accepts('Ada.Lovelace+news@Example.CO.uk', 'Ada.Lovelace+news@Example.CO.uk', 'ada.lovelace+news@example.co.uk');
  const a = checkAddress('ADA@EXAMPLE.COM');
  const b = checkAddress('ada@example.com');
  assert.ok(a.ok && b.ok);
  assert.equal(a.normalized, b.normalized);
  assert.notEqual(a.address, b.address);
});

test('surrounding spaces are trimmed', () => {
  accepts('  ada@example.com  ', 'ada@example.com', 'ada@example.com');
  accepts('\u00A0ada@example.com\u3000', 'ada@example.com', 'ada@example.com');
});

test('internationalised domains are accepted and normalized to punycode', () => {
  accepts('user@bücher.example', 'user@bücher.example', 'user@xn--bcher-kva.example');
  accepts('user@BÜCHER.example', 'user@BÜCHER.example', 'user@xn--bcher-kva.example');
  accepts('user@xn--bcher-kva.example', 'user@xn--bcher-kva.example', 'user@xn--bcher-kva.example');
  accepts('user@почта.рф', 'user@почта.рф', 'user@xn--80a1acny.xn--p1ai');
  accepts('user@例え。jp', 'user@例え。jp', 'user@xn--r8jz45g.jp'); // ideographic full stop is a dot
});

test('non-ASCII local parts (SMTPUTF8) are accepted, lower-cased and in NFC', () => {
  accepts('jörg@example.de', 'jörg@example.de', 'jörg@example.de');
  accepts('JÖRG@example.de', 'JÖRG@example.de', 'jörg@example.de');
  accepts('пример@почта.рф', 'пример@почта.рф', 'пример@xn--80a1acny.xn--p1ai');
  const decomposed = checkAddress('jo\u0308rg@example.de'); // o + combining diaeresis
  assert.ok(decomposed.ok);
  assert.equal(decomposed.normalized, 'jörg@example.de');
  assert.equal(decomposed.address, 'jo\u0308rg@example.de');
});

// ── The one rule, as every caller uses it (issue 13, step 6) ─────────────────────────────────────

test('a local domain (you@localhost) passes only when asked for, for mail that stays on the machine', () => {
  rejects('you@localhost', 'has no dot in its domain');
  assert.deepEqual(checkAddress('you@localhost', { allowLocalDomain: true }), { ok: true, address: 'you@localhost', normalized: 'you@localhost' });
  assert.deepEqual(checkAddress('you@localhost\r\nBcc: x@evil', { allowLocalDomain: true }), { ok: false, reason: 'contains a line break or control character' });
});

test('isPlainAddress: the value exactly as given, nothing trimmed', () => {
  assert.equal(isPlainAddress('news@example.com'), true);
  assert.equal(isPlainAddress(' news@example.com'), false);
  assert.equal(isPlainAddress('news@example.com, x@evil.example'), false);
  assert.equal(isPlainAddress('you@localhost'), false);
  assert.equal(isPlainAddress('you@localhost', { allowLocalDomain: true }), true);
});

test('emailAddress: the rule as a zod schema, with the caller\'s message, the value kept as written', () => {
  const schema = emailAddress('must be a plain email address');
  assert.equal(schema.parse('News@Example.com'), 'News@Example.com');
  const bad = schema.safeParse('a@b.com\nBcc: x@evil');
  assert.equal(bad.success, false);
  assert.equal(bad.error?.issues[0]?.message, 'must be a plain email address');
});
