/** `newsletter serve` from the command line (issue 12, findings 3 and 7): where mail goes, logs, the queue, Ctrl-C. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { projectFor, ROOT } from '../support/fixtures.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const CLI = join(ROOT, 'bin', 'newsletter.cjs');

async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); ) {
    if (Date.now() > end) throw new Error('gave up waiting');
    await sleep(20);
  }
}

/** `newsletter serve` in `dir` with only the given mail settings (SMTP_URL from the test's own environment is removed). */
function serveIn(t: TestContext, dir: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    cwd: dir,
    env: { ...process.env, SMTP_URL: '', NEWSLETTER_SECRET: SECRET, NEWSLETTER_DB: join(dir, 'data', 'serve.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const found = /Serving sign-up, confirm and unsubscribe at (http:\/\/\S+\/)/.exec(output)?.[1];
      if (found) resolve(found);
    });
    child.on('exit', () => reject(new Error(`exited early: ${output}`)));
  });
  const subscribe = async (email: string) => (await fetch(`${await url}subscribe`, { method: 'POST', body: new URLSearchParams({ email }) })).status;
  const stop = async () => {
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    return code as number;
  };
  return { url, output: () => output, subscribe, stop };
}

test('serve refuses to start without SMTP_URL or --outbox, saying how to fix it (and every other problem at once)', (t) => {
  const dir = projectFor(t);
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [CLI, 'serve', '--port', '0'], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, SMTP_URL: '', NEWSLETTER_DB: join(dir, 'x.db'), ...env } });
  const noMail = run({ NEWSLETTER_SECRET: SECRET });
  assert.equal(noMail.status, 1, noMail.stdout + noMail.stderr);
  assert.match(noMail.stderr, /newsletter serve: no SMTP_URL: set SMTP_URL \(smtp:\/\/user:password@host:587 or smtps:\/\/…\) so confirmation emails can be sent, or pass --outbox \[dir\]/);
  assert.equal(existsSync(join(dir, 'dist', 'outbox')), false, 'no .eml files written behind anyone’s back');
  const neither = run({ NEWSLETTER_SECRET: '' });
  assert.equal(neither.status, 1);
  assert.match(neither.stderr, /NEWSLETTER_SECRET[\s\S]*no SMTP_URL/);
  const bad = run({ NEWSLETTER_SECRET: SECRET, SMTP_URL: 'http://user:hunter2@mail.example.org' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /SMTP_URL: an SMTP URL starts with smtp:\/\/ or smtps:\/\//);
  assert.doesNotMatch(bad.stderr, /hunter2/);
});

test('serve with SMTP_URL: says where mail goes (never the password), answers at once, mails from the queue, logs masked lines, stops on Ctrl-C', async (t) => {
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const dir = projectFor(t);
  const s = serveIn(t, dir, [], { SMTP_URL: peer.urlWithAuth('newsletter', 's3cr3t-p4ss') });
  await s.url;
  assert.match(s.output(), new RegExp(`Confirmation emails go to smtp://127\\.0\\.0\\.1:${peer.port} \\(SMTP_URL\\)`));
  assert.doesNotMatch(s.output(), /s3cr3t-p4ss/);
  assert.equal(await s.subscribe('Reader.One@example.org'), 200);
  await until(() => peer.copiesOf('Reader.One@example.org') === 1);
  const mail = await simpleParser(peer.received()[0]!.raw);
  assert.match(mail.text ?? '', /\/confirm\/[A-Za-z0-9_.-]+/);
  await until(() => /confirmation email to R\*\*\*@example\.org: sent/.test(s.output()));
  assert.match(s.output(), /^\S+Z sign-up R\*\*\*@example\.org: new, pending; confirmation email queued$/m);
  assert.doesNotMatch(s.output(), /reader\.one/i, 'the address never appears in full');
  assert.equal(await s.stop(), 0);
});

test('serve --outbox: confirmation emails become .eml files in dist/outbox/confirmations/ (or the folder given), said at start-up', async (t) => {
  const dir = projectFor(t);
  const s = serveIn(t, dir, ['--outbox'], {});
  await s.url;
  assert.match(s.output(), /Confirmation emails go to \.eml files in dist\/outbox\/confirmations\/ \(--outbox; nothing is sent\)/);
  assert.equal(await s.subscribe('writer@example.org'), 200);
  const folder = join(dir, 'dist', 'outbox', 'confirmations');
  await until(() => existsSync(folder) && readdirSync(folder).length === 1);
  const mail = await simpleParser(readFileSync(join(folder, readdirSync(folder)[0]!)));
  assert.equal(mail.subject, 'Confirm your subscription to The Dissent Desk');
  assert.equal(await s.stop(), 0);

  const custom = serveIn(t, dir, ['--outbox', 'mail-out'], { SMTP_URL: 'smtp://127.0.0.1:1' });
  await custom.url;
  assert.match(custom.output(), /Confirmation emails go to \.eml files in mail-out\/ \(--outbox; nothing is sent\)/);
  assert.equal(await custom.stop(), 0);
});

test('serve refuses to start with a broken confirmation email template, naming its file and line', (t) => {
  const dir = projectFor(t);
  mkdirSync(join(dir, 'templates', 'emails'), { recursive: true });
  writeFileSync(join(dir, 'templates', 'emails', 'confirmation.mjml.hbs'), '<mjml>\n<mj-body>\n<mj-section><mj-column><mj-text>{{confirm_url}} {{newsletter.nmae}}</mj-text></mj-column></mj-section>\n</mj-body>\n</mjml>\n');
  const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--outbox'], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, SMTP_URL: '', NEWSLETTER_SECRET: SECRET, NEWSLETTER_DB: join(dir, 'x.db') } });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /templates\/emails\/confirmation\.mjml\.hbs:3 error template\/render unknown field \{\{nmae\}\}/);
});

test('serve stops on Ctrl-C even while a client holds a connection open mid-body (a refused oversize upload)', async (t) => {
  const dir = projectFor(t);
  const s = serveIn(t, dir, ['--outbox'], { EVENTS_WEBHOOK_SECRET: 'generic-webhook-secret-0123456789' });
  const { port } = new URL(await s.url);
  const socket = connect(Number(port), '127.0.0.1');
  t.after(() => socket.destroy());
  let answer = '';
  socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
  socket.on('error', () => {});
  await once(socket, 'connect');
  // Says 5 MB are coming, sends a few bytes, and then nothing: the server refuses it and the client never finishes.
  socket.write(`POST /events/generic HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n[{"kind":`);
  await until(() => /^HTTP\/1\.1 401/.test(answer));
  const closed = once(socket, 'close');
  assert.equal(await s.stop(), 0);
  await closed;
});
