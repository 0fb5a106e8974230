/** `newsletter subscribers add|remove|list|show|count` (issue 5), against a throwaway database. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/fixtures.ts';

function cli(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'nl-subs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'subscribers.db');
  return {
    db,
    run: (...args: string[]) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'subscribers', ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NEWSLETTER_DB: db },
      });
      return { status: r.status, out: r.stdout, err: r.stderr };
    },
  };
}

test('subscribers add: a control character in --name is refused, naming it; nothing is added (issue 12, finding 10)', (t) => {
  const { run } = cli(t);
  for (const [name, named] of [['Ada\tLovelace', /TAB \(U\+0009\) at character 4/], ['Ada\u001b[1m', /ESC \(U\+001B\)/], ['Ada\nBcc: x@evil.example', /line break, LF/]] as const) {
    const r = run('add', 'ada@example.com', '--name', name);
    assert.equal(r.status, 2, r.err);
    assert.match(r.err, named);
  }
  assert.match(run('count').out, /^total\s+0$/m);
});

test('subscribers: add, list, show with history, count, remove, and --purge for erasure', (t) => {
  const { db, run } = cli(t);
  assert.equal(run('add', 'Ada@Example.com', '--name', 'Ada Lovelace').status, 0);
  assert.equal(existsSync(db), true, 'NEWSLETTER_DB chooses the file');
  assert.match(run('add', 'bob@example.net', '--confirmed').out, /Added bob@example\.net \(active\)/);
  assert.match(run('add', 'ADA@example.com').out, /already on the list \(pending\); nothing changed/);
  assert.match(run('list').out, /^Ada@Example\.com\tAda Lovelace\tpending\t\d{4}-\d{2}-\d{2}$/m);
  const json = JSON.parse(run('list', '--status', 'active', '--json').out) as { email: string }[];
  assert.deepEqual(json.map((s) => s.email), ['bob@example.net']);
  assert.match(run('count').out, /^pending\s+1$[\s\S]*^active\s+1$[\s\S]*^total\s+2$/m);
  assert.match(run('add', 'ada@example.com', '--confirmed').out, /Confirmed Ada@Example\.com: now active/);
  assert.match(run('remove', 'ada@example.com').out, /Unsubscribed ada@example\.com/);
  const shown = run('show', 'ada@example.com').out;
  assert.match(shown, /Ada@Example\.com \(Ada Lovelace\): unsubscribed/);
  assert.match(shown, /\(new\) → pending\s+added with the CLI \(via cli\)/);
  assert.match(shown, /pending → active\s+confirmed with the CLI/);
  assert.match(shown, /active → unsubscribed\s+removed with the CLI/);
  const again = run('add', 'ada@example.com', '--confirmed');
  assert.equal(again.status, 1);
  assert.match(again.err, /is unsubscribed and stays so/);
  assert.match(run('remove', 'bob@example.net', '--purge').out, /Deleted bob@example\.net and their history/);
  assert.equal(run('show', 'bob@example.net').status, 1);
});

test('subscribers: a bad address is refused with its reason; a bad --status lists the valid ones', (t) => {
  const { run } = cli(t);
  for (const bad of ['a@b.com\r\nBcc: x@evil', 'a@b.com, c@d.com', 'nodot@localhost']) {
    const r = run('add', bad);
    assert.equal(r.status, 2, bad);
    assert.match(r.err, /newsletter subscribers: ".*" .+/);
  }
  const status = run('list', '--status', 'gone');
  assert.notEqual(status.status, 0);
  assert.match(status.err, /pending, active, unsubscribed, bounced, complained/);
  assert.equal(run('count').out.includes('total         0'), true);
});
