/**
 * A segment send on PostgreSQL (issue 16): the real CLI, a recording SMTP peer, a dry run, and a SIGKILL mid-send
 * resumed with every member mailed and nobody outside the segment. Skipped without NEWSLETTER_TEST_PG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { openStores } from '../../src/store/open-stores.ts';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';

const ISSUE = 'issues/2026-11-02-the-vote.md';
const SLUG = 'the-vote';

test('pg: a segment send is dry-run, killed with SIGKILL, resumed: every member once (or reported in doubt), nobody else', needsPg, async (t) => {
  const dir = projectFor(t, { [ISSUE]: issueText('Dear {{subscriber.name}}.', 'title: The vote\ndate: 2026-11-02\nstatus: ready') });
  const url = await freshPgDatabase(t);
  const all = Array.from({ length: 900 }, (_, i) => `r${i}@example.org`);
  const stores = await openStores(url);
  try {
    await stores.subscribers.importMany(all.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  } finally {
    await stores.close();
  }
  let byId: string[] = [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Every third reader is paid, every fifth lapsed: the segment is the paid who have not lapsed.
    await client.query(`INSERT INTO subscriber_tags (subscriber_id, tag, added_at)
      SELECT id, 'paid', '2026-01-01T00:00:00.000Z' FROM subscribers WHERE substring(email from 2 for position('@' in email) - 2)::int % 3 = 0`);
    await client.query(`INSERT INTO subscriber_tags (subscriber_id, tag, added_at)
      SELECT id, 'lapsed', '2026-01-01T00:00:00.000Z' FROM subscribers WHERE substring(email from 2 for position('@' in email) - 2)::int % 5 = 0`);
    byId = (await client.query<{ email: string }>('SELECT email FROM subscribers ORDER BY id')).rows.map((r) => r.email);
  } finally {
    await client.end();
  }
  const paid = all.filter((_, i) => i % 3 === 0 && i % 5 !== 0);
  // The sample is the first members in subscriber (id) order.
  const sample = byId.filter((a) => paid.includes(a)).slice(0, 5);
  let accepted = 0;
  let killAt = Infinity;
  let current: ChildProcess | null = null;
  const peer = await startSmtpPeer({
    onData: () => {
      if (++accepted >= killAt && current) {
        current.kill('SIGKILL');
        current = null;
        return 'hang';
      }
      return undefined;
    },
  });
  t.after(() => peer.close());
  const env = { SMTP_URL: peer.url, NEWSLETTER_DB: url };
  const segment = ['--segment', 'tag:paid and not tag:lapsed'];

  const dry = await startCli(dir, ['send', SLUG, '--dry-run', ...segment], env).done;
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`Recipients: +${paid.length} active subscribers in the segment`));
  assert.match(dry.stdout, new RegExp(`Sample: +${sample.join('\\n {14}')}\\n`));

  const args = ['send', SLUG, '--yes', '--json', '--concurrency', '4', ...segment];
  killAt = 100;
  const killed = startCli(dir, args, env);
  current = killed.child;
  assert.equal((await killed.done).signal, 'SIGKILL');
  killAt = Infinity;
  const last = await startCli(dir, args, env).done;
  assert.equal(last.status, 0, last.stderr);
  const summary = JSON.parse(last.stdout) as { counts: { sent: number; in_doubt: number }; inDoubt: string[] };
  assert.equal(summary.counts.sent + summary.counts.in_doubt, paid.length);
  const inDoubt = new Set(summary.inDoubt);
  for (const a of paid) if (!inDoubt.has(a)) assert.equal(peer.copiesOf(a), 1, `${a}: skipped or doubled`);
  assert.deepEqual(all.filter((a) => !paid.includes(a) && peer.copiesOf(a) > 0), [], 'nobody outside the segment');
  const status = await startCli(dir, ['status', SLUG], env).done;
  assert.match(status.stdout, /^ {2}segment {4}tag:paid and not tag:lapsed$/m);
});
