/**
 * `subscribers add` sends the confirmation email unless `--confirmed`, and says where it went; `subscribers confirm`
 * and `subscribers resend-confirmation` (issue 14). The real CLI, a real SMTP peer, the real public server.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { loadConfig } from '../../src/config/load.ts';
import { publicApp } from '../../src/server/public-server.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';
import { projectFor } from '../support/fixtures.ts';
import { TEST_SECRET } from '../support/send-harness.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';
import { runCliAsync } from '../support/cli-process.ts';
import { sqliteStoresOn } from '../../src/store/open-stores.ts';

/** `newsletter subscribers …`. */
const cli = (dir: string, args: string[], env: Record<string, string> = {}) => runCliAsync(dir, ['subscribers', ...args], env);

/** The subscriber as the database has them, read in this process. */
function statusOf(dir: string, email: string): string | undefined {
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  try {
    return new SqliteSubscriberTable(db).get(email)?.status;
  } finally {
    db.close();
  }
}

/** Follows a confirmation link as the reader's click does: through the real public server, GET then the POST. */
async function click(dir: string, link: string): Promise<string> {
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  try {
    const app = publicApp({ root: dir, config: await loadConfig(dir), stores: sqliteStoresOn(db, { server: true }), keyring: keyringFromEnv(TEST_SECRET) });
    const path = new URL(link).pathname;
    assert.equal((await app.request(path)).status, 200);
    return await (await app.request(path, { method: 'POST' })).text();
  } finally {
    db.close();
  }
}

const linkIn = (text: string) => /https:\/\/dissentdesk\.example\.org\/confirm\/[A-Za-z0-9_.-]+/.exec(text)?.[0];

test('subscribers add: pending, and the confirmation email goes out at once through SMTP_URL; its link makes them active', async (t: TestContext) => {
  const dir = projectFor(t);
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const added = await cli(dir, ['add', 'Reader@Example.org', '--name', 'A Reader'], { SMTP_URL: peer.url });
  assert.equal(added.status, 0, added.err);
  assert.match(added.out, /^Added Reader@Example\.org \(pending until they click the link\)$/m);
  assert.match(added.out, /^Sent the confirmation email to Reader@Example\.org through smtp:\/\/127\.0\.0\.1:\d+\.$/m);
  assert.doesNotMatch(added.out + added.err, new RegExp(TEST_SECRET), 'no secret in the output');
  const [mail] = peer.received();
  assert.ok(mail, 'the peer received the email');
  assert.equal(mail.to.toLowerCase(), 'reader@example.org');
  const parsed = await simpleParser(mail.raw);
  const link = linkIn(parsed.text ?? '');
  assert.ok(link, parsed.text);
  assert.equal(statusOf(dir, 'reader@example.org'), 'pending');
  assert.match(await click(dir, link), /You are subscribed/);
  assert.equal(statusOf(dir, 'reader@example.org'), 'active');
  // --confirmed sends nothing.
  const direct = await cli(dir, ['add', 'known@example.org', '--confirmed'], { SMTP_URL: peer.url });
  assert.equal(direct.status, 0, direct.err);
  assert.match(direct.out, /^Added known@example\.org \(active\)$/m);
  assert.equal(peer.received().length, 1);
});

test('subscribers add without SMTP_URL or a preview: the email is an .eml in dist/outbox/confirmations/, and it says so', async (t) => {
  const dir = projectFor(t);
  const added = await cli(dir, ['add', 'b@example.org']);
  assert.equal(added.status, 0, added.err);
  assert.match(added.out, /^Sent the confirmation email to b@example\.org through \.eml files in dist\/outbox\/confirmations\/ \(no SMTP_URL, and no preview running\)\.$/m);
  const [file] = readdirSync(join(dir, 'dist', 'outbox', 'confirmations'));
  const parsed = await simpleParser(readFileSync(join(dir, 'dist', 'outbox', 'confirmations', file!)));
  assert.ok(linkIn(parsed.text ?? ''), 'the file holds the confirmation link');
  // Without the secret, they are added, and told how to send the email later.
  const unsigned = await cli(dir, ['add', 'c@example.org'], { NEWSLETTER_SECRET: '' });
  assert.equal(unsigned.status, 0);
  assert.match(unsigned.err, /no confirmation email sent: NEWSLETTER_SECRET is empty.*Then: newsletter subscribers resend-confirmation c@example\.org/);
  assert.equal(statusOf(dir, 'c@example.org'), 'pending');
});

test('subscribers confirm and resend-confirmation: only for someone pending; a fresh link that works; clear refusals', async (t) => {
  const dir = projectFor(t);
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const env = { SMTP_URL: peer.url };
  assert.equal((await cli(dir, ['add', 'p@example.org'], env)).status, 0);
  // Links carry their issue time in whole seconds: a resend within the same second is the same, equally fresh, link.
  // The resend waits for the next second, so that "a new link" is the question asked.
  const addedIn = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === addedIn) await new Promise((r) => setTimeout(r, 50));
  const resent = await cli(dir, ['resend-confirmation', 'p@example.org'], env);
  assert.equal(resent.status, 0, resent.err);
  assert.match(resent.out, /^Sent the confirmation email to p@example\.org through smtp:\/\/127\.0\.0\.1:\d+\.$/m);
  const [first, second] = await Promise.all(peer.received().map(async (m) => linkIn((await simpleParser(m.raw)).text ?? '')));
  assert.ok(first && second && first !== second, 'a new link');
  assert.match(await click(dir, second), /You are subscribed/);
  const again = await cli(dir, ['resend-confirmation', 'p@example.org'], env);
  assert.equal(again.status, 1);
  assert.match(again.err, /p@example\.org is active, not pending: a confirmation email is only for someone who has not confirmed yet/);
  assert.equal(peer.received().length, 2, 'nothing sent to someone already active');
  assert.match((await cli(dir, ['resend-confirmation', 'nobody@example.org'], env)).err, /nobody@example\.org is not on the list/);

  assert.equal((await cli(dir, ['add', 'q@example.org'], env)).status, 0);
  const confirmed = await cli(dir, ['confirm', 'q@example.org']);
  assert.equal(confirmed.status, 0, confirmed.err);
  assert.match(confirmed.out, /^Confirmed q@example\.org: now active$/m);
  assert.equal(statusOf(dir, 'q@example.org'), 'active');
  const shown = await cli(dir, ['show', 'q@example.org']);
  assert.match(shown.out, /confirmed with the CLI/, 'the confirmation is in their history');
  assert.match((await cli(dir, ['confirm', 'q@example.org'])).out, /q@example\.org is already active; nothing changed/);
  assert.equal((await cli(dir, ['remove', 'q@example.org'])).status, 0);
  const left = await cli(dir, ['confirm', 'q@example.org']);
  assert.equal(left.status, 1);
  assert.match(left.err, /q@example\.org is unsubscribed, not pending: only they can subscribe again/);
  const unknown = await cli(dir, ['confirm', 'x@example.org']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.err, /x@example\.org is not on the list; add them with `subscribers add x@example\.org --confirmed`/);
});
