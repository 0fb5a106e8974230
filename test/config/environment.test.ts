import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEnvironment } from '../../src/config/environment.ts';

test('readEnvironment: every variable typed, trimmed, and an empty one is unset', () => {
  const env = readEnvironment({
    SMTP_URL: ' smtp://u:p@mail.example:587 ',
    NEWSLETTER_DB: ' data/x.db ',
    NEWSLETTER_SECRET: 'a'.repeat(32),
    NEWSLETTER_INBOX_PORT: '2526',
    DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc',
    DKIM_PRIVATE_KEY_FILE: '',
    IMAP_URL: ' imaps://bounces:pw@mail.example/INBOX ',
    SENDGRID_WEBHOOK_PUBLIC_KEY: ' MFkw ',
    RESEND_WEBHOOK_SECRET: '',
  });
  assert.deepEqual(env, {
    smtpUrl: 'smtp://u:p@mail.example:587',
    databasePath: 'data/x.db',
    secret: 'a'.repeat(32),
    inboxPort: 2526,
    dkimPrivateKey: '-----BEGIN PRIVATE KEY-----\\nabc',
    dkimPrivateKeyFile: null,
    imapUrl: 'imaps://bounces:pw@mail.example/INBOX',
    webhooks: { mailgun: null, sendgrid: 'MFkw', postmark: null, resend: null, generic: null },
  });
  assert.deepEqual(readEnvironment({}), {
    smtpUrl: null,
    databasePath: null,
    secret: undefined,
    inboxPort: null,
    dkimPrivateKey: null,
    dkimPrivateKeyFile: null,
    imapUrl: null,
    webhooks: { mailgun: null, sendgrid: null, postmark: null, resend: null, generic: null },
  });
  assert.equal(readEnvironment({ SMTP_URL: '' }).smtpUrl, null);
  assert.equal(readEnvironment({ NEWSLETTER_SECRET: '' }).secret, '', 'keyringFromEnv says an empty secret is empty');
});

test('readEnvironment: a bad port names the variable and the value', () => {
  for (const bad of ['abc', '0', '65536', '25.5', '-1']) {
    assert.throws(() => readEnvironment({ NEWSLETTER_INBOX_PORT: bad }), {
      message: `NEWSLETTER_INBOX_PORT must be a port number (1–65535), got ${JSON.stringify(bad)}`,
    });
  }
  assert.equal(readEnvironment({ NEWSLETTER_INBOX_PORT: '65535' }).inboxPort, 65535);
  assert.equal(readEnvironment({ NEWSLETTER_INBOX_PORT: ' ' }).inboxPort, null);
});

test('readEnvironment: a secret is never echoed in an error', () => {
  // Only the port is checked for shape today; the secrets pass through to their own checks, which name no value.
  const env = { SMTP_URL: 'smtp://user:hunter2@mail.example', NEWSLETTER_SECRET: 'hunter2', NEWSLETTER_INBOX_PORT: 'x' };
  assert.throws(
    () => readEnvironment(env),
    (e: unknown) => e instanceof Error && /NEWSLETTER_INBOX_PORT/.test(e.message) && !e.message.includes('hunter2'),
  );
});
