/** Consent on record for a sign-up (issue 16): the client address as privacy.ip keeps it, and the page it came from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consentPage, keptIp } from '../../src/audience/consent.ts';

test('privacy.ip truncated: an IPv4 address to its /24, an IPv6 address to its /48, written as networks', () => {
  assert.equal(keptIp('203.0.113.77', 'truncated'), '203.0.113.0/24');
  assert.equal(keptIp('::ffff:203.0.113.77', 'truncated'), '203.0.113.0/24', 'IPv4-mapped counts as IPv4');
  assert.equal(keptIp('2001:db8:1234:5678::1', 'truncated'), '2001:db8:1234::/48');
  assert.equal(keptIp('2001:0DB8:0001:ffff:0:0:0:1', 'truncated'), '2001:db8:1::/48');
  assert.equal(keptIp('2001:db8::1', 'truncated'), '2001:db8::/48');
  assert.equal(keptIp('::1', 'truncated'), '::/48');
  assert.equal(keptIp('fe80:1:2:3::192.0.2.1', 'truncated'), 'fe80:1:2::/48');
});

test('privacy.ip full keeps the address, none keeps nothing; something that is not an address is never kept', () => {
  assert.equal(keptIp('203.0.113.77', 'full'), '203.0.113.77');
  assert.equal(keptIp('2001:DB8::1', 'full'), '2001:db8::1');
  assert.equal(keptIp('203.0.113.77', 'none'), null);
  for (const bad of ['unknown', '', '203.0.113', 'x::y']) {
    assert.equal(keptIp(bad, 'full'), null, bad);
    assert.equal(keptIp(bad, 'truncated'), null, bad);
  }
});

test('the page: the form\'s field, else the Referer, only under url; without query or fragment', () => {
  const url = 'https://example.org/news';
  assert.equal(consentPage(['https://example.org/news/first-issue/', 'https://example.org/news/'], url), 'https://example.org/news/first-issue/');
  assert.equal(consentPage([undefined, 'https://example.org/news/?email=a@b.org#x'], url), 'https://example.org/news/');
  assert.equal(consentPage(['https://example.org/news'], url), 'https://example.org/news');
  assert.equal(consentPage(['https://evil.example/news/', 'https://example.org/news/page/2/'], url), 'https://example.org/news/page/2/', 'a foreign page is passed over');
  for (const bad of ['https://example.org/newsletter-elsewhere/', 'http://example.org/news/', 'https://example.org/', 'javascript:alert(1)', 'not a url', `https://example.org/news/${'x'.repeat(2000)}`]) {
    assert.equal(consentPage([bad], url), null, bad);
  }
  assert.equal(consentPage(['http://localhost:8787/first/'], 'http://localhost:8787'), 'http://localhost:8787/first/', 'a url without a path');
  assert.equal(consentPage([], url), null);
});
