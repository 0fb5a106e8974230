/** `newsletter db copy --to postgres://…` (issue 15): a SQLite list with a half-finished send moves up, and the send resumes there. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStores } from '../../src/store/open-stores.ts';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';

const cli = async (dir: string, args: string[], env: Record<string, string>) => startCli(dir, args, env).done;

test('db copy: a SQLite database with a half-finished send moves to PostgreSQL; the send resumes there with nobody skipped or doubled', needsPg, async (t) => {
  const dir = projectFor(t, { 'issues/2026-11-02-the-vote.md': issueText('The council votes on Tuesday.', 'title: The vote\ndate: 2026-11-02\nstatus: ready') });
  const file = join(dir, 'data', 'newsletter.db');
  const addresses = Array.from({ length: 300 }, (_, i) => `r${i}@example.org`);
  const sqlite = await openStores(file);
  await sqlite.subscribers.importMany(addresses.map((email) => ({ email, emailNormalized: email, name: '', attributes: {} })), 'test');
  await sqlite.close();
  let accepted = 0;
  const peer = await startSmtpPeer({ onData: () => (++accepted > 100 ? { code: 421, message: '4.3.2 closing for the night' } : undefined) });
  t.after(() => peer.close());
  // The server turns the send away after 100 messages: the send pauses with the rest queued.
  const first = await cli(dir, ['send', 'the-vote', '--yes', '--json', '--concurrency', '1'], { NEWSLETTER_DB: file, SMTP_URL: peer.url });
  assert.equal(JSON.parse(first.stdout).finished, false, first.stderr);
  const url = await freshPgDatabase(t);
  const copy = await cli(dir, ['db', 'copy', '--to', url], { NEWSLETTER_DB: file });
  assert.equal(copy.status, 0, copy.stderr);
  assert.match(copy.stdout, /Copied [\d,]+ rows from .* every table's count checked/);
  assert.doesNotMatch(copy.stdout, new RegExp(new URL(url).password), 'the password is never printed');
  const again = await cli(dir, ['db', 'copy', '--to', url], { NEWSLETTER_DB: file });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /is not empty \(subscribers has rows\)/);
  accepted = -Infinity;
  const resumed = await cli(dir, ['send', 'the-vote', '--yes', '--json'], { NEWSLETTER_DB: url, SMTP_URL: peer.url });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).finished, true);
  for (const a of addresses) assert.equal(peer.copiesOf(a), 1, a);
});
