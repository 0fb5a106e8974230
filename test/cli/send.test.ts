/** `newsletter send <issue> --test` (issue 4): the real message to test addresses, wherever mail can go. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { Inbox } from '../../src/preview/inbox.ts';
import { issueText, ROOT, tempProject } from '../support/fixtures.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';

const ISSUE = 'issues/2026-10-14-tested.md';

function send(args: string[], cwd: string, env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'send', ...args], {
      cwd,
      env: { ...process.env, SMTP_URL: '', ...env },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('exit', (status) => resolve({ status, output }));
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function project() {
  return tempProject({ [ISSUE]: issueText('Hello {{subscriber.name}}, a test.', 'title: Tested Issue\ndate: 2026-10-14\nstatus: draft') });
}

test('send --test: with no SMTP_URL and no preview, writes a parseable .eml to dist/outbox/ and says where', async (t) => {
  const p = project();
  t.after(p.cleanup);
  const run = await send(['tested', '--test', 'a@example.net', '--test', 'b@example.net'], p.dir, { NEWSLETTER_INBOX_PORT: String(await closedPort()) });
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /wrote dist\/outbox\/tested\/.*a@example\.net\.eml/);
  const files = readdirSync(join(p.dir, 'dist/outbox/tested')).sort();
  assert.equal(files.length, 2);
  const raw = readFileSync(join(p.dir, 'dist/outbox/tested', files[0]!));
  const parsed = await simpleParser(raw);
  assert.equal(parsed.subject, '[Test] Tested Issue');
  assert.deepEqual(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : [], ['a@example.net']);
  assert.match(parsed.text ?? '', /Hello Sample Reader, a test\./);
  assert.match(raw.toString('utf8'), /^List-Unsubscribe: <https:\/\/dissentdesk\.example\.org\/unsubscribe\/test>\r$/m);
});

test('send --test: signed with DKIM like a list send (sending.dkim), so a test to your own mailbox shows whether DKIM passes', async (t) => {
  const python = spawnSync('/usr/bin/python3', ['-c', 'import dkim'], { encoding: 'utf8' });
  if (python.status !== 0) return t.skip('python3-dkim is not installed for /usr/bin/python3 (.ci/run installs it)');
  const p = project();
  t.after(p.cleanup);
  appendFileSync(join(p.dir, 'newsletter.yaml'), '\nsending:\n  dkim:\n    domain: dissentdesk.example.org\n    selector: test2026\n');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const run = await send(['tested', '--test', 'a@example.net'], p.dir, { NEWSLETTER_INBOX_PORT: String(await closedPort()), DKIM_PRIVATE_KEY: pem });
  assert.equal(run.status, 0, run.output);
  const [file] = readdirSync(join(p.dir, 'dist/outbox/tested'));
  const raw = readFileSync(join(p.dir, 'dist/outbox/tested', file!));
  assert.match(raw.toString('latin1'), /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed;\r\n d=dissentdesk\.example\.org; s=test2026;/);
  // Debian's python3-dkim checks it, the public key handed over as the DNS record would be.
  const record = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const verify = spawnSync('/usr/bin/python3', ['-c', `import sys, dkim
record = sys.argv[1].encode()
ok = dkim.verify(sys.stdin.buffer.read(), dnsfunc=lambda name, timeout=5: record if name == b'test2026._domainkey.dissentdesk.example.org.' else None)
print('pass' if ok else 'fail')`, record], { input: raw, encoding: 'utf8' });
  assert.equal(verify.stdout.trim(), 'pass', verify.stderr);
});

test('send --test: delivers to the preview inbox when one is running, and through SMTP_URL when set', async (t) => {
  const p = project();
  t.after(p.cleanup);
  const inbox = new Inbox();
  await inbox.listen(0);
  t.after(() => inbox.close());
  const viaInbox = await send([ISSUE, '--test', 'writer@example.net'], p.dir, { NEWSLETTER_INBOX_PORT: String(inbox.port) });
  assert.equal(viaInbox.status, 0, viaInbox.output);
  assert.match(viaInbox.output, /through the preview's local inbox \(127\.0\.0\.1:\d+\)/);
  assert.equal(inbox.messages[0]?.subject, '[Test] Tested Issue');
  assert.deepEqual(inbox.messages[0]?.envelope.to, ['writer@example.net']);

  const relay = new Inbox();
  await relay.listen(0);
  t.after(() => relay.close());
  const viaSmtp = await send(['tested', '--test', 'editor@example.net'], p.dir, {
    SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
    NEWSLETTER_INBOX_PORT: String(inbox.port),
  });
  assert.equal(viaSmtp.status, 0, viaSmtp.output);
  assert.match(viaSmtp.output, new RegExp(`through smtp://127\\.0\\.0\\.1:${relay.port}`));
  assert.deepEqual(relay.messages[0]?.envelope.to, ['editor@example.net']);
  assert.equal(inbox.messages.length, 1, 'SMTP_URL wins over the preview inbox');
});

test('send --test: a bad address, an unknown issue or an issue with errors sends nothing', async (t) => {
  const p = tempProject({
    [ISSUE]: issueText('Fine.', 'title: Tested Issue\ndate: 2026-10-14'),
    'issues/2026-10-15-broken.md': issueText('Hello {{subscriber.nmae}}.', 'title: Broken\ndate: 2026-10-15'),
  });
  t.after(p.cleanup);
  const env = { NEWSLETTER_INBOX_PORT: String(await closedPort()) };
  const bad = await send(['tested', '--test', 'a@b.com\r\nBcc: x@evil.example'], p.dir, env);
  assert.equal(bad.status, 2);
  assert.match(bad.output, /not one plain email address/);
  const unknown = await send(['nope', '--test', 'a@example.net'], p.dir, env);
  assert.equal(unknown.status, 2);
  assert.match(unknown.output, /no issue "nope"/);
  const broken = await send(['broken', '--test', 'a@example.net'], p.dir, env);
  assert.equal(broken.status, 1);
  assert.match(broken.output, /issues\/2026-10-15-broken\.md:\d+ error merge-tags\/unknown/);
  const missing = await send(['tested'], p.dir, env);
  assert.equal(missing.status, 1, 'without --test a draft is not sent to the list');
  assert.match(missing.output, /issues\/2026-10-14-tested\.md is a draft/);
  assert.throws(() => readdirSync(join(p.dir, 'dist/outbox')), /ENOENT/);
});

test('send: an issue in Windows-1252 is refused, by file or by slug, with its line and how to convert it; nothing sent (issue 12, finding 9)', async (t) => {
  const p = project();
  t.after(p.cleanup);
  const file = 'issues/2026-10-15-cafe.md';
  writeFileSync(join(p.dir, file), Buffer.from(issueText('Un caf\u00e9.', 'title: Le Caf\u00e9\ndate: 2026-10-15\nslug: cafe'), 'latin1'));
  const env = { NEWSLETTER_INBOX_PORT: String(await closedPort()) };
  for (const name of [file, 'cafe']) {
    const run = await send([name, '--test', 'a@example.net'], p.dir, env);
    assert.equal(run.status, 1, run.output);
    assert.match(run.output, /^issues\/2026-10-15-cafe\.md:2 error file\/encoding not UTF-8 text: byte 0xE9 at line 2, column 14 .*iconv -f WINDOWS-1252 -t UTF-8/m);
    assert.match(run.output, /nothing sent/);
  }
  assert.equal(existsSync(join(p.dir, 'dist/outbox')), false, 'no message written');
  // The other issues are still found by slug.
  assert.equal((await send(['tested', '--test', 'a@example.net'], p.dir, env)).status, 0);
});

test('send: the slug comes from the front matter, so a body line "slug: other" does not rename the issue (issue 13, step 6)', async (t) => {
  const p = tempProject({ [ISSUE]: issueText('A line of the body:\n\nslug: other\n', 'title: Tested Issue\ndate: 2026-10-14') });
  t.after(p.cleanup);
  const env = { NEWSLETTER_INBOX_PORT: String(await closedPort()) };
  const byReal = await send(['tested', '--test', 'a@example.net'], p.dir, env);
  assert.equal(byReal.status, 0, byReal.output);
  const byBody = await send(['other', '--test', 'a@example.net'], p.dir, env);
  assert.equal(byBody.status, 2, byBody.output);
  assert.match(byBody.output, /no issue "other"/);
});

test('send --test: through SMTP_URL, a non-ASCII local part and a server without SMTPUTF8 is not sent, and says why', async (t) => {
  const p = project();
  t.after(p.cleanup);
  const peer = await startSmtpPeer({}, { hideSMTPUTF8: true });
  t.after(() => peer.close());
  const run = await send(['tested', '--test', 'élève@exemple.fr', '--test', 'editor@example.net'], p.dir, { SMTP_URL: peer.url, NEWSLETTER_INBOX_PORT: String(await closedPort()) });
  assert.equal(run.status, 1, run.output);
  assert.match(run.output, /the test to élève@exemple\.fr was not sent through smtp:\/\/127\.0\.0\.1:\d+: not sent: .*does not offer SMTPUTF8/);
  assert.match(run.output, /Sent a test of tested to editor@example\.net through smtp:\/\/127\.0\.0\.1:\d+ \(250 /);
  assert.equal(peer.dataReceived('élève@exemple.fr'), 0);
  assert.deepEqual(peer.received().map((r) => r.to), ['editor@example.net']);
});
