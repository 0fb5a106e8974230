/**
 * The preferences page (issue 16) through the real CLI and the real `newsletter serve`, on SQLite and PostgreSQL:
 * every email's footer links to it; it lists the topics with checkboxes; it changes only by a POST carrying its CSRF
 * token; leaving and re-joining a topic are events that the next topic send follows; "unsubscribe from everything"
 * ends all mail; a forged or cross-topic link is the same 404 as any bad link.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { openStores } from '../../src/store/open-stores.ts';
import { keyringFromEnv, signToken } from '../../src/subscribers/tokens.ts';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { TEST_SECRET } from '../support/send-harness.ts';
import { startServe } from '../support/serve-process.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';

const TOPICS = '\ntopics:\n  - id: alerts\n    name: Breaking news alerts\n    description: A short email when something happens\n  - id: culture\n    name: Culture\n';
const issue = (slug: string, day: number, topic: string | null) => ({
  [`issues/2026-11-0${day}-${slug}.md`]: issueText(`This is ${slug}.`, `title: ${slug}\ndate: 2026-11-0${day}\nstatus: ready${topic ? `\ntopic: ${topic}` : ''}`),
});
const READERS = ['r0@example.org', 'r1@example.org', 'r2@example.org'];

async function project(t: TestContext, db: string): Promise<{ dir: string; peer: SmtpPeer; send: (slug: string) => Promise<string[]> }> {
  const dir = projectFor(t, { ...issue('the-week', 1, null), ...issue('flood', 2, 'alerts'), ...issue('storm', 3, 'alerts'), ...issue('opera', 4, 'culture') });
  appendFileSync(join(dir, 'newsletter.yaml'), TOPICS);
  const stores = await openStores(db);
  try {
    await stores.subscribers.importMany(READERS.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  } finally {
    await stores.close();
  }
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const send = async (slug: string) => {
    const before = peer.received().length;
    const run = await startCli(dir, ['send', slug, '--yes'], { SMTP_URL: peer.url, NEWSLETTER_DB: db }).done;
    assert.equal(run.status, 0, run.stderr);
    return peer.received().slice(before).map((m) => m.to).sort();
  };
  return { dir, peer, send };
}

/** The preferences link in the footer of the last message to `address`, as its token. */
async function preferencesToken(peer: SmtpPeer, address: string): Promise<string> {
  const mail = await simpleParser(peer.received().filter((m) => m.to === address).at(-1)!.raw);
  const html = typeof mail.html === 'string' ? mail.html : '';
  const token = /href="https:\/\/dissentdesk\.example\.org\/preferences\/([A-Za-z0-9_.-]+)"/.exec(html)?.[1];
  assert.ok(token, 'the footer links to the preferences page');
  assert.match(mail.text ?? '', /\/preferences\//, 'the text part too');
  return token;
}

async function story(t: TestContext, db: string): Promise<void> {
  const p = await project(t, db);
  const serve = startServe(t, p.dir, db);
  const base = await serve.url;
  const at = (token: string) => `${base}preferences/${token}`;
  const post = (token: string, fields: [string, string][]) => fetch(at(token), { method: 'POST', body: new URLSearchParams(fields) });
  const readStore = async <T>(read: (s: Awaited<ReturnType<typeof openStores>>['subscribers']) => Promise<T>): Promise<T> => {
    const stores = await openStores(db);
    try {
      return await read(stores.subscribers);
    } finally {
      await stores.close();
    }
  };

  assert.deepEqual(await p.send('the-week'), READERS);
  const token = await preferencesToken(p.peer, 'r0@example.org');
  const get = await fetch(at(token));
  assert.equal(get.status, 200);
  const html = await get.text();
  assert.match(html, /<input type="checkbox" name="topic" value="alerts" checked> Breaking news alerts/);
  assert.match(html, /<input type="checkbox" name="topic" value="culture" checked> Culture/);
  assert.match(html, /A short email when something happens/);
  assert.match(html, /Unsubscribe from everything/);
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(csrf);

  // Without the CSRF token, or with another reader's page's, nothing changes.
  const otherCsrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(at(await preferencesToken(p.peer, 'r1@example.org')))).text())![1]!;
  for (const fields of [[['topic', 'culture']], [['topic', 'culture'], ['csrf', otherCsrf]], [['everything', '1']], [['everything', '1'], ['csrf', `${csrf}x`]]] as [string, string][][]) {
    const refused = await post(token, fields);
    assert.equal(refused.status, 403, JSON.stringify(fields));
    assert.match(await refused.text(), /Nothing was changed/);
  }
  assert.deepEqual(await readStore((s) => s.topicsLeft('r0@example.org')), []);
  assert.equal((await readStore((s) => s.get('r0@example.org')))!.status, 'active');

  // Untick alerts: r0 leaves it, an event; the next alert skips r0.
  const saved = await post(token, [['csrf', csrf], ['topic', 'culture']]);
  assert.equal(saved.status, 200);
  assert.match(await saved.text(), /<input type="checkbox" name="topic" value="alerts"> Breaking news alerts/);
  assert.deepEqual(await readStore((s) => s.topicsLeft('r0@example.org')), ['alerts']);
  assert.deepEqual(await p.send('flood'), ['r1@example.org', 'r2@example.org']);

  // Tick it again: the row is gone, an event; the next alert reaches r0.
  await post(token, [['csrf', csrf], ['topic', 'culture'], ['topic', 'alerts']]);
  assert.deepEqual(await readStore((s) => s.topicsLeft('r0@example.org')), []);
  assert.deepEqual(await p.send('storm'), READERS);
  const events = (await readStore((s) => s.events('r0@example.org'))).slice(1).map((e) => [e.reason, e.via]);
  assert.deepEqual(events, [['left topic: alerts', 'preferences'], ['rejoined topic: alerts', 'preferences']]);

  // A forged link, and a genuine signature for a topic the config does not have, are the same 404 as a bad link.
  const reference = await (await fetch(at('nothing-like-a-token'))).text();
  const key = (await readStore((s) => s.get('r0@example.org')))!.tokenKey;
  const crossTopic = signToken(keyringFromEnv(TEST_SECRET), 'unsubscribe', key, new Date(), 'sports');
  for (const bad of [`${token.slice(0, -2)}AA`, crossTopic]) {
    for (const method of ['GET', 'POST']) {
      const r: Response = await fetch(at(bad), { method, ...(method === 'POST' ? { body: new URLSearchParams({ csrf, everything: '1' }) } : {}) });
      assert.equal(r.status, 404);
      assert.equal(await r.text(), reference);
    }
  }
  assert.equal((await readStore((s) => s.get('r0@example.org')))!.status, 'active');

  // "Unsubscribe from everything" ends all mail: no topic, no main issue.
  const everything = await post(token, [['csrf', csrf], ['everything', '1']]);
  assert.match(await everything.text(), /You are unsubscribed/);
  assert.equal((await readStore((s) => s.get('r0@example.org')))!.status, 'unsubscribed');
  assert.deepEqual(await p.send('opera'), ['r1@example.org', 'r2@example.org']);
}

test('sqlite: the preferences page leaves and re-joins topics only by a POST with its CSRF token; everything ends all mail', async (t) => {
  const dir = projectFor(t);
  await story(t, join(dir, 'data', 'prefs.db'));
});

test('pg: the preferences page leaves and re-joins topics only by a POST with its CSRF token; everything ends all mail', needsPg, async (t) => {
  await story(t, await freshPgDatabase(t));
});
