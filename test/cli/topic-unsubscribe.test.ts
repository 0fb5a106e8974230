/**
 * A topic's one-click unsubscribe (issue 16, RFC 8058 for the list its List-Id names), through the real CLI and the
 * real `newsletter serve`, on SQLite and on PostgreSQL: it leaves that topic only. The next send of that topic skips
 * the reader; another topic's send and the main list's still reach them; the main list's one-click still ends all mail.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStores } from '../../src/store/open-stores.ts';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { startServe } from '../support/serve-process.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';

const TOPICS = '\ntopics:\n  - id: alerts\n    name: Breaking news alerts\n  - id: culture\n    name: Culture\n';
const issue = (slug: string, day: number, topic: string | null) => ({
  [`issues/2026-11-0${day}-${slug}.md`]: issueText(`Dear {{subscriber.name}}, this is ${slug}.`, `title: ${slug}\ndate: 2026-11-0${day}\nstatus: ready${topic ? `\ntopic: ${topic}` : ''}`),
});
const READERS = ['r0@example.org', 'r1@example.org', 'r2@example.org'];

async function project(t: TestContext, db: string): Promise<{ dir: string; peer: SmtpPeer; send: (slug: string) => Promise<string[]> }> {
  const dir = projectFor(t, { ...issue('flood', 1, 'alerts'), ...issue('storm', 2, 'alerts'), ...issue('opera', 3, 'culture'), ...issue('the-week', 4, null) });
  appendFileSync(join(dir, 'newsletter.yaml'), TOPICS);
  const stores = await openStores(db);
  try {
    await stores.subscribers.importMany(READERS.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  } finally {
    await stores.close();
  }
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  /** Sends the issue and returns who got it, sorted. */
  const send = async (slug: string) => {
    const before = peer.received().length;
    const run = await startCli(dir, ['send', slug, '--yes'], { SMTP_URL: peer.url, NEWSLETTER_DB: db }).done;
    assert.equal(run.status, 0, run.stderr);
    return peer.received().slice(before).map((m) => m.to).sort();
  };
  return { dir, peer, send };
}

/** The one-click URL of the last message to `address`, on the local server. */
function oneClickUrl(peer: SmtpPeer, address: string, base: string): string {
  const raw = peer.received().filter((m) => m.to === address).at(-1)!.raw.toString('latin1');
  const url = /^List-Unsubscribe: <([^>]+)>/m.exec(raw)?.[1];
  assert.ok(url, raw.slice(0, 2000));
  return new URL(new URL(url).pathname.replace(/^\//, ''), base).href;
}

const oneClick = (url: string) => fetch(url, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) });

async function story(t: TestContext, db: string): Promise<void> {
  const p = await project(t, db);
  const serve = startServe(t, p.dir, db);
  const base = await serve.url;
  assert.deepEqual(await p.send('flood'), READERS);

  // r0 leaves alerts by one-click from the alert's List-Unsubscribe.
  const left = await oneClick(oneClickUrl(p.peer, 'r0@example.org', base));
  assert.equal(left.status, 200);
  assert.match(await left.text(), /You have left Breaking news alerts/);
  // A second one-click changes nothing more.
  assert.match(await (await oneClick(oneClickUrl(p.peer, 'r0@example.org', base))).text(), /had already left Breaking news alerts/);

  assert.deepEqual(await p.send('storm'), ['r1@example.org', 'r2@example.org'], 'the next alert skips r0');
  assert.deepEqual(await p.send('opera'), READERS, 'another topic still reaches r0');
  assert.deepEqual(await p.send('the-week'), READERS, 'the main list still reaches r0');

  const stores = await openStores(db);
  try {
    assert.equal((await stores.subscribers.get('r0@example.org'))!.status, 'active');
    assert.deepEqual(await stores.subscribers.topicsLeft('r0@example.org'), ['alerts']);
    const events = (await stores.subscribers.events('r0@example.org')).slice(1).map((e) => [e.from, e.to, e.reason, e.via]);
    assert.deepEqual(events, [['active', 'active', 'left topic: alerts', 'one-click']]);
  } finally {
    await stores.close();
  }

  const show = await startCli(p.dir, ['subscribers', 'show', 'r0@example.org'], { NEWSLETTER_DB: db }).done;
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /^ {2}topics left: alerts$/m);
  assert.match(show.stdout, /^ {2}\S+ {2}active {2}left topic: alerts \(via one-click\)$/m);

  // The main list's one-click (from the weekly issue) unsubscribes from everything, as before topics.
  const all = await oneClick(oneClickUrl(p.peer, 'r1@example.org', base));
  assert.match(await all.text(), /You are unsubscribed/);
  const after = await openStores(db);
  try {
    assert.equal((await after.subscribers.get('r1@example.org'))!.status, 'unsubscribed');
    assert.deepEqual(await after.subscribers.topicsLeft('r1@example.org'), []);
  } finally {
    await after.close();
  }
}

test("sqlite: a topic's one-click leaves that topic only: its next send skips the reader, other topics and the main list still reach them", async (t) => {
  const dir = projectFor(t);
  await story(t, join(dir, 'data', 'topics.db'));
});

test("pg: a topic's one-click leaves that topic only: its next send skips the reader, other topics and the main list still reach them", needsPg, async (t) => {
  await story(t, await freshPgDatabase(t));
});
