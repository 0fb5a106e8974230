/** IMAP_URL taken apart: defaults, decoding, and errors that name IMAP_URL but never show the password. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImapUrl } from '../../src/inbound/imap-url.ts';

test('imap-url: imaps with defaults, a decoded user and password, a folder', () => {
  assert.deepEqual(parseImapUrl('imaps://bounces%40news.example.org:p%40ss%2Fw0rd@mail.example.org/INBOX'), {
    ok: true,
    target: { host: 'mail.example.org', port: 993, secure: true, auth: { user: 'bounces@news.example.org', pass: 'p@ss/w0rd' }, mailbox: 'INBOX' },
  });
  const plain = parseImapUrl('imap://u:p@127.0.0.1:1143');
  assert.ok(plain.ok);
  assert.deepEqual(plain.target, { host: '127.0.0.1', port: 1143, secure: false, auth: { user: 'u', pass: 'p' }, mailbox: 'INBOX' });
  const folder = parseImapUrl('imaps://u:p@mail.example.org:10993/Returned%20mail/');
  assert.ok(folder.ok);
  assert.equal(folder.target.mailbox, 'Returned mail');
  assert.equal(folder.target.port, 10993);
  const plainDefault = parseImapUrl('imap://u:p@localhost');
  assert.ok(plainDefault.ok);
  assert.equal(plainDefault.target.port, 143);
});

test('imap-url: bad URLs are clear errors naming IMAP_URL, without the password', () => {
  const cases: [string, RegExp][] = [
    ['not a url hunter2', /is not a URL/],
    ['https://u:hunter2@mail.example.org', /must start with imaps:\/\/ or imap:\/\//],
    ['imap://u:hunter2@mail.example.org', /in the clear/],
    ['imaps://mail.example.org', /needs a user and a password/],
    ['imaps://u@mail.example.org', /needs a user and a password/],
    ['imaps://u:hunter2%zz@mail.example.org', /%-escape/],
    ['imaps://u:hunter2@mail.example.org/INBOX?x=1', /no \?query/],
  ];
  for (const [url, why] of cases) {
    const parsed = parseImapUrl(url);
    assert.equal(parsed.ok, false, url);
    if (parsed.ok) continue;
    assert.match(parsed.error, /^IMAP_URL /);
    assert.match(parsed.error, why, url);
    assert.doesNotMatch(parsed.error, /hunter2/);
  }
});
