/** The pin on Nodemailer's private internals (issue 13, step 5): one tested release, any other refused loudly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  TESTED_NODEMAILER_VERSION,
  checkNodemailerInternals,
  checkNodemailerVersion,
  installedNodemailerVersion,
} from '../../src/send/transport/nodemailer-internals.ts';
import { createSmtpTransport } from '../../src/send/transport/smtp-transport.ts';

test('nodemailer pin: the installed version is read from its package.json and is the tested one; the transport starts on it', async () => {
  const manifest = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('nodemailer/package.json'), 'utf8')) as { version: string };
  assert.equal(installedNodemailerVersion(), manifest.version);
  assert.equal(installedNodemailerVersion(), TESTED_NODEMAILER_VERSION);
  assert.doesNotThrow(() => checkNodemailerVersion(TESTED_NODEMAILER_VERSION));
  assert.doesNotThrow(() => checkNodemailerInternals());
  const transport = createSmtpTransport({ url: 'smtp://127.0.0.1:1/?ignoreTLS=true', concurrency: 1, timeoutMs: 1000 });
  await transport.close();
});

test('nodemailer pin: any other version, a patch release included, is refused with a message naming both versions and the module', () => {
  for (const version of ['10.6.2', '10.6.0', '10.7.0', '11.0.0', '9.9.9', '']) {
    assert.throws(
      () => checkNodemailerVersion(version),
      (error: Error) =>
        error.message.includes(`nodemailer ${version} is installed`) &&
        error.message.includes(`nodemailer ${TESTED_NODEMAILER_VERSION}`) &&
        error.message.includes('src/send/transport/nodemailer-internals.ts'),
      version,
    );
  }
});
