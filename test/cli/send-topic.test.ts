/**
 * Topics (issue 16): `topics:` in the config and `topic:` in an issue. The real CLI against a scripted SMTP peer, on
 * SQLite: a topic's send skips whoever left that topic and carries the topic's own List-Id; a main-list send still
 * reaches them; a topic the config does not name is an error at the issue's line from check, build and send.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor, runCli } from '../support/fixtures.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';

const ALERT = 'issues/2026-11-03-flood-warning.md';
const WEEKLY = 'issues/2026-11-04-the-week.md';
const TOPICS = '\ntopics:\n  - id: alerts\n    name: Breaking news alerts\n    description: A short email when something happens\n  - id: culture\n    name: Culture\n';

const startSend = (dir: string, args: string[], env: Record<string, string> = {}) => startCli(dir, args, { NEWSLETTER_DB: join(dir, 'data', 'newsletter.db'), ...env });

/** Six active subscribers; r1 and r4 have left `alerts`, r2 has left `culture`. */
async function project(t: TestContext, alertFields = '\ntopic: alerts'): Promise<{ dir: string; peer: SmtpPeer; all: string[] }> {
  const dir = projectFor(t, {
    [ALERT]: issueText('The river is rising.', `title: Flood warning\ndate: 2026-11-03\nstatus: ready${alertFields}`),
    [WEEKLY]: issueText('The week in review.', 'title: The week\ndate: 2026-11-04\nstatus: ready'),
  });
  appendFileSync(join(dir, 'newsletter.yaml'), TOPICS);
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  const all = Array.from({ length: 6 }, (_, i) => `r${i}@example.org`);
  new SqliteSubscriberTable(db).importMany(all.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  const left = db.prepare(`INSERT INTO subscriber_topics_left (subscriber_id, topic, left_at) SELECT id, ?, '2026-11-01T00:00:00.000Z' FROM subscribers WHERE email = ?`);
  left.run('alerts', 'r1@example.org');
  left.run('alerts', 'r4@example.org');
  left.run('culture', 'r2@example.org');
  db.close();
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  return { dir, peer, all };
}

const listIdOf = (raw: Buffer) => /^List-Id: (.*(?:\r\n .*)*)$/m.exec(raw.toString('latin1'))?.[1]?.replace(/\r\n /g, ' ');

test("a topic's send skips whoever left that topic, with the topic's own List-Id; a main-list send still reaches them", async (t) => {
  const p = await project(t);
  const dry = await startSend(p.dir, ['send', 'flood-warning', '--dry-run'], { SMTP_URL: p.peer.url }).done;
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /Topic: +alerts \(Breaking news alerts\)/);
  assert.match(dry.stdout, /Recipients: +4 active subscribers/);

  const run = await startSend(p.dir, ['send', 'flood-warning', '--yes'], { SMTP_URL: p.peer.url }).done;
  assert.equal(run.status, 0, run.stderr);
  const alerts = p.peer.received();
  assert.deepEqual(alerts.map((m) => m.to).sort(), ['r0@example.org', 'r2@example.org', 'r3@example.org', 'r5@example.org']);
  for (const m of alerts) assert.equal(listIdOf(m.raw), 'Breaking news alerts <alerts.the-dissent-desk.dissentdesk.example.org>');
  const status = JSON.parse((await startSend(p.dir, ['status', 'flood-warning', '--json']).done).stdout) as { topic: string | null; recipients: number };
  assert.deepEqual({ topic: status.topic, recipients: status.recipients }, { topic: 'alerts', recipients: 4 });

  const weekly = await startSend(p.dir, ['send', 'the-week', '--yes'], { SMTP_URL: p.peer.url }).done;
  assert.equal(weekly.status, 0, weekly.stderr);
  const main = p.peer.received().slice(alerts.length);
  assert.deepEqual(main.map((m) => m.to).sort(), p.all);
  for (const m of main) assert.equal(listIdOf(m.raw), 'The Dissent Desk <the-dissent-desk.dissentdesk.example.org>');
});

test('a topic nobody is left in refuses to start', async (t) => {
  const p = await project(t);
  const db = openDatabase(join(p.dir, 'data', 'newsletter.db'));
  db.prepare(`INSERT OR IGNORE INTO subscriber_topics_left (subscriber_id, topic, left_at) SELECT id, 'alerts', '2026-11-02T00:00:00.000Z' FROM subscribers`).run();
  db.close();
  const run = await startSend(p.dir, ['send', 'flood-warning', '--yes'], { SMTP_URL: p.peer.url }).done;
  assert.equal(run.status, 1);
  assert.match(run.stderr, /the topic "alerts" matches no active subscriber; nothing sent/);
  assert.equal(p.peer.received().length, 0);
});

test('a topic id that is not in the config is an error naming the issue file and line, from check, build and send', async (t) => {
  const p = await project(t, '\ntopic: sports');
  const where = new RegExp(`${ALERT.replace(/\./g, '\\.')}:5\\b.*the topic "sports" is not in newsletter\\.yaml \\(the topics are alerts, culture\\)`);
  const check = runCli(['check'], p.dir);
  assert.equal(check.status, 1, check.stdout);
  assert.match(check.stdout + check.stderr, where);
  const build = runCli(['build'], p.dir);
  assert.equal(build.status, 1, build.stdout);
  assert.match(build.stdout + build.stderr, where);
  const send = await startSend(p.dir, ['send', 'flood-warning', '--yes'], { SMTP_URL: p.peer.url }).done;
  assert.equal(send.status, 1);
  assert.match(send.stdout + send.stderr, where);
  assert.equal(p.peer.received().length, 0);
});
