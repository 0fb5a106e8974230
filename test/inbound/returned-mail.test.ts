/**
 * Returned mail: delivery reports, complaints and emailed unsubscribe requests are told apart, and a bounce counts as
 * a bad address only when its code says so (as a 5.1.x reply to RCPT does during a send).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMailbox, splitMbox } from '../../src/inbound/mailbox.ts';
import { classifyReturnedMail, type ReturnedMail } from '../../src/inbound/returned-mail.ts';
import { hugeHeader, repeatedReportField } from '../support/large-inputs.ts';
import { complaint, dsn, outOfOffice, unsubscribeRequest } from '../support/returned-mail.ts';

const UNSUBSCRIBE = 'unsubscribe@dissentdesk.example.org';
const ID = '<the-vote.0123456789abcdef0123456789abcdef@dissentdesk.example.org>';

const one = async (raw: string): Promise<ReturnedMail> => {
  const all = await classifyReturnedMail(raw, UNSUBSCRIBE);
  assert.equal(all.length, 1, JSON.stringify(all));
  return all[0]!;
};

test('returned mail: a Postfix-style 5.1.1 report is a bad address, with its recipient and the failed message id', async () => {
  const mail = await one(dsn({ to: 'ada@example.net', status: '5.1.1', messageId: ID }));
  assert.equal(mail.kind, 'bounce');
  if (mail.kind !== 'bounce') return;
  assert.deepEqual(mail.candidates, ['ada@example.net']);
  assert.equal(mail.status, '5.1.1');
  assert.equal(mail.action, 'failed');
  assert.equal(mail.badAddress, true);
  assert.equal(mail.permanent, true);
  assert.equal(mail.messageId, ID);
  assert.match(mail.diagnostic, /^550 5\.1\.1 <ada@example\.net>: Recipient address rejected continued on a second line$/);
});

test('returned mail: the original message is found whole, base64-encoded, or absent', async () => {
  for (const original of ['message', 'message-base64'] as const) {
    const mail = await one(dsn({ to: 'ada@example.net', status: '5.1.1', messageId: ID, original }));
    assert.equal(mail.kind === 'bounce' && mail.messageId, ID, original);
  }
  const bare = await one(dsn({ to: 'ada@example.net', status: '5.1.1', messageId: null }));
  assert.equal(bare.kind === 'bounce' && bare.messageId, null);
});

test('returned mail: only codes that say the address is bad make a bounce', async () => {
  const cases: [Partial<Parameters<typeof dsn>[0]>, boolean, boolean][] = [
    [{ status: '5.1.1' }, true, true],
    [{ status: '5.1.10' }, true, true],
    [{ status: '5.0.0', diagnostic: '550 5.1.1 user unknown' }, true, true],
    [{ status: '5.0.0', diagnostic: '550 Requested action not taken: mailbox unavailable' }, true, true],
    [{ status: '5.0.0', diagnostic: '554 transaction failed' }, true, false],
    [{ status: '5.7.1', diagnostic: '550 5.7.1 message refused as spam' }, true, false],
    [{ status: '5.2.2', diagnostic: '552 5.2.2 mailbox full' }, true, false],
    [{ status: '5.1.8', diagnostic: '553 5.1.8 bad sender domain' }, true, false],
    [{ status: '4.2.2', action: 'delayed', diagnostic: '452 4.2.2 over quota' }, false, false],
    [{ status: '5.1.1', action: 'delayed' }, false, false],
  ];
  for (const [options, permanent, badAddress] of cases) {
    const mail = await one(dsn({ to: 'ada@example.net', status: '5.1.1', messageId: ID, ...options }));
    assert.equal(mail.kind, 'bounce');
    if (mail.kind !== 'bounce') continue;
    assert.equal(mail.permanent, permanent, JSON.stringify(options));
    assert.equal(mail.badAddress, badAddress, JSON.stringify(options));
  }
});

test('returned mail: a report about several recipients gives one result each', async () => {
  const all = await classifyReturnedMail(
    dsn({ to: 'ada@example.net', status: '5.1.1', messageId: ID, extraRecipients: [{ to: 'bob@example.net', status: '4.4.1', action: 'delayed' }] }),
    UNSUBSCRIBE,
  );
  assert.deepEqual(
    all.map((m) => m.kind === 'bounce' && [m.candidates[0], m.badAddress]),
    [
      ['ada@example.net', true],
      ['bob@example.net', false],
    ],
  );
});

test('returned mail: an abuse report is a complaint naming the recipient and the message; not-spam is not', async () => {
  const mail = await one(complaint({ to: 'cy@example.net', messageId: ID }));
  assert.deepEqual(mail, { kind: 'complaint', candidates: ['cy@example.net'], feedbackType: 'abuse', messageId: ID });
  assert.equal((await one(complaint({ to: 'cy@example.net', messageId: ID, feedbackType: 'not-spam' }))).kind, 'other');
});

test('returned mail: a message to the unsubscribe address asking to unsubscribe is a request from its sender', async () => {
  assert.deepEqual(await one(unsubscribeRequest({ from: 'dee@example.net', to: UNSUBSCRIBE })), { kind: 'unsubscribe', address: 'dee@example.net' });
  assert.deepEqual(await one(unsubscribeRequest({ from: 'dee@example.net', to: UNSUBSCRIBE.toUpperCase(), subject: 'Unsubscribe me please' })), { kind: 'unsubscribe', address: 'dee@example.net' });
  assert.equal((await one(unsubscribeRequest({ from: 'dee@example.net', to: UNSUBSCRIBE, subject: 'Great issue!' }))).kind, 'other');
  assert.equal((await one(unsubscribeRequest({ from: 'dee@example.net', to: 'editor@dissentdesk.example.org' }))).kind, 'other', 'another address');
  assert.equal((await classifyReturnedMail(unsubscribeRequest({ from: 'dee@example.net', to: UNSUBSCRIBE }), null))[0]!.kind, 'other', 'no unsubscribe address configured');
  assert.deepEqual(await one(outOfOffice('ed@example.net')), { kind: 'other', why: 'an automatic reply' });
});

test('returned mail: junk is "other", never an exception', async () => {
  for (const junk of ['', 'no header at all', 'Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\n', '\u0000\u00ff'.repeat(100)]) {
    const all = await classifyReturnedMail(junk, UNSUBSCRIBE);
    assert.ok(all.every((m) => m.kind === 'other'), JSON.stringify(all));
  }
});

test('returned mail: a hostile megabyte header is read, and is "other" (its speed: npm run bench:linear)', async () => {
  assert.equal((await classifyReturnedMail(hugeHeader(1_000_000, UNSUBSCRIBE), UNSUBSCRIBE))[0]!.kind, 'other');
});

test('mailbox: .eml files, mbox files (">From " unquoted) and Maildir folders, in order; tmp/ and dotfiles skipped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-mailbox-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'one.eml'), 'Subject: one\r\n\r\nbody\r\n');
  writeFileSync(join(dir, 'box.mbox'), 'From a@b Wed Nov 25 08:00:00 2026\nSubject: two\n\n>From the start\n\nFrom c@d Wed Nov 25 08:01:00 2026\nSubject: three\n\nx\n');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, 'Maildir', sub), { recursive: true });
  writeFileSync(join(dir, 'Maildir', 'cur', '1.host:2,S'), 'Subject: four\n\n');
  writeFileSync(join(dir, 'Maildir', 'new', '2.host'), 'Subject: five\n\n');
  writeFileSync(join(dir, 'Maildir', 'tmp', '3.host'), 'Subject: half-delivered\n\n');
  writeFileSync(join(dir, '.hidden'), 'Subject: hidden\n\n');
  const messages = await readMailbox([dir]);
  assert.deepEqual(
    messages.map((m) => /^Subject: (\w+)/m.exec(m.text)?.[1]),
    ['four', 'five', 'two', 'three', 'one'],
  );
  assert.deepEqual(messages.map((m) => m.label.slice(dir.length)), ['/Maildir/cur/1.host:2,S', '/Maildir/new/2.host', '/box.mbox#1', '/box.mbox#2', '/one.eml']);
  assert.match(messages[2]!.text, /^From the start$/m);
  assert.deepEqual(splitMbox('not an mbox'), []);
});

const STATUS = 'Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; ada@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n';

/** A delivery-status part inside `levels` nested multiparts, each with its own boundary. */
function nested(levels: number): string {
  let open = '';
  let close = '';
  for (let i = 1; i <= levels; i++) {
    open += `Content-Type: multipart/mixed; boundary="level-${i}-"\r\n\r\n--level-${i}-\r\n`;
    close = `\r\n--level-${i}---\r\n${close}`;
  }
  return `From: MAILER-DAEMON@mx.example.org\r\n${open}Content-Type: message/delivery-status\r\n\r\n${STATUS}${close}`;
}

test('returned mail: nesting is bounded as before: a report nine levels down is read, ten levels down is not, and a message past the part limit is "other"', async () => {
  assert.equal((await one(nested(1))).kind, 'bounce');
  assert.equal((await one(nested(9))).kind, 'bounce');
  assert.deepEqual(await one(nested(10)), { kind: 'other', why: 'not a delivery report, complaint or unsubscribe request' });
  const deep = await one(nested(5000));
  assert.equal(deep.kind, 'other');
  assert.match(deep.kind === 'other' ? deep.why : '', /^not readable as mail: /);
  const siblings = `From: a@example.net\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\n\r\nx\r\n'.repeat(10_000)}--b--\r\n`;
  assert.equal((await one(siblings)).kind, 'other');
});

test('returned mail: malformed MIME gives fewer parts or "other", never an exception', async () => {
  const report = (head: string, body = STATUS) => `From: m@example.org\r\n${head}\r\n\r\n${body}`;
  const cases: [string, ReturnedMail['kind']][] = [
    // No closing delimiter: the part runs to the end of the message.
    [report('Content-Type: multipart/report; boundary=b', `--b\r\nContent-Type: message/delivery-status\r\n\r\n${STATUS}`), 'bounce'],
    // A part whose header never ends.
    [report('Content-Type: multipart/report; boundary=b', '--b\r\nContent-Type: message/delivery-status'), 'other'],
    // multipart without a boundary: one part, not a report.
    [report('Content-Type: multipart/report', `--b\r\nContent-Type: message/delivery-status\r\n\r\n${STATUS}\r\n--b--\r\n`), 'other'],
    // A delimiter line that only starts with the boundary is not one.
    [report('Content-Type: multipart/report; boundary=b', `--bb\r\nContent-Type: message/delivery-status\r\n\r\n${STATUS}\r\n--bb--\r\n`), 'other'],
    [report('Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64', '!@#$%^&*()'.repeat(10_000)), 'other'],
    [report('Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: quoted-printable', '=Z=\r\n=='.repeat(10_000)), 'other'],
    [report(`Content-Type: multipart/report; boundary="${'a;b="'.repeat(10_000)}`), 'other'],
    [report('Content-Type: message/delivery-status; charset=utf-7'), 'bounce'],
    ['\r\n\r\n\r\n', 'other'],
    ['Content-Type: multipart/report; boundary=b\r\n\r\n--b\r\n--b\r\n--b--', 'other'],
  ];
  for (const [raw, kind] of cases) {
    const all = await classifyReturnedMail(raw, UNSUBSCRIBE);
    assert.deepEqual([...new Set(all.map((m) => m.kind))], [kind], raw.slice(0, 200));
  }
});

test('returned mail: a huge report field or original costs little and names no one it should not', async () => {
  const field = await one(`From: m@example.org\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; ${'a'.repeat(5_000_000)}\r\nAction: failed\r\nStatus: 5.1.1\r\n`);
  assert.equal(field.kind === 'bounce' && field.candidates.length, 0);
  // An original whose header is over mailparser's limit is an absent original: the report is unverified, not lost.
  const huge = dsn({ to: 'ada@example.net', status: '5.1.1', messageId: ID, original: 'message' }).replace('Subject: The vote\r\n', `X-Filler: ${'x'.repeat(1_100_000)}\r\n`);
  const mail = await one(huge);
  assert.equal(mail.kind === 'bounce' && mail.messageId, null);
  // A header block over the limit: the message is "other", with mailparser's reason.
  const refused = await one(`From: dee@example.net\r\nTo: ${UNSUBSCRIBE}\r\nSubject: unsubscribe\r\nX-Filler: ${'x'.repeat(1_100_000)}\r\n\r\nx`);
  assert.equal(refused.kind, 'other');
  assert.match(refused.kind === 'other' ? refused.why : '', /^not readable as mail: .*header/i);
});

test('returned mail: header fields are read by mailparser: encoded words decoded, addresses kept as written', async () => {
  const request = (head: string) => `${head}\r\nMIME-Version: 1.0\r\n\r\nPlease take me off.\r\n`;
  assert.deepEqual(await one(request(`From: =?utf-8?q?D=C3=A9e?= <dee@example.net>\r\nTo: ${UNSUBSCRIBE}\r\nSubject: =?utf-8?B?VW5zdWJzY3JpYmU=?=`)), { kind: 'unsubscribe', address: 'dee@example.net' });
  // The punycode domain stays punycode: the address is looked up and printed as the message wrote it.
  assert.deepEqual(await one(request(`From: dee@xn--bcher-kva.example\r\nTo: "Desk, The" <${UNSUBSCRIBE}>\r\nSubject: unsubscribe`)), { kind: 'unsubscribe', address: 'dee@xn--bcher-kva.example' });
  assert.deepEqual(await one(request(`From: dee@example.net\r\nTo: list@example.org\r\nCc: Team: a@example.org, ${UNSUBSCRIBE};\r\nSubject: unsubscribe`)), { kind: 'unsubscribe', address: 'dee@example.net' });
  assert.deepEqual(await one(request(`From: dee@example.net\r\nTo: ${UNSUBSCRIBE}\r\nX-Autoreply:\r\nSubject: unsubscribe`)), { kind: 'other', why: 'an automatic reply' });
  // Only the first hundred entries of a field are read, as before.
  assert.equal((await one(request(`From: dee@example.net\r\nTo: ${'x,'.repeat(100)}${UNSUBSCRIBE}\r\nSubject: unsubscribe`))).kind, 'other');
});

test('returned mail: a report block of one field repeated 100,000 times is still the bounce it reports (its speed: npm run bench:linear)', async () => {
  const [mail] = await classifyReturnedMail(repeatedReportField(100_000), UNSUBSCRIBE);
  assert.equal(mail!.kind, 'bounce');
});
