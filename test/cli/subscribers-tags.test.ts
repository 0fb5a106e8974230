/** `subscribers tag|untag`, `add --tag`, `list --tag`, and tags and consent in `show` and `export` (issue 16), on both engines. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import { ROOT } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

type Run = (...args: string[]) => Promise<{ status: number | null; out: string; err: string }>;

function cli(t: TestContext, database?: string): Run & { db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nl-tags-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = database ?? join(dir, 'subscribers.db');
  const run: Run = (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'subscribers', ...args], { cwd: dir, env: { ...process.env, NEWSLETTER_DB: db } });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, out, err }));
    });
  return Object.assign(run, { db });
}

async function tagStory(run: Run): Promise<void> {
  assert.match((await run('add', 'ada@example.com', '--confirmed', '--tag', 'Paid', '--tag', 'vip')).out, /Added ada@example\.com \(active\)/);
  assert.equal((await run('add', 'bo@example.com', '--confirmed')).status, 0);
  assert.equal((await run('add', 'cy@example.com', '--confirmed', '--tag', 'paid')).status, 0);
  assert.equal((await run('remove', 'cy@example.com')).status, 0);

  const tagged = await run('tag', 'BO@example.com', 'early-bird', 'PAID');
  assert.equal(tagged.status, 0, tagged.err);
  assert.match(tagged.out, /^Tagged bo@example\.com: early-bird, paid$/m);
  assert.match(tagged.out, /^Tags now: early-bird, paid$/m);
  const again = await run('tag', 'bo@example.com', 'paid', 'new-one');
  assert.match(again.out, /^Tagged bo@example\.com: new-one$/m);
  assert.match(again.out, /already had paid; nothing changed for it/);

  const untagged = await run('untag', 'bo@example.com', 'new-one', 'never');
  assert.match(untagged.out, /^Untagged bo@example\.com: new-one$/m);
  assert.match(untagged.out, /did not have never; nothing changed for it/);

  const list = await run('list', '--tag', 'paid');
  assert.deepEqual(list.out.trim().split('\n').slice(1).map((line) => line.split('\t')[0]), ['ada@example.com', 'bo@example.com', 'cy@example.com']);
  const active = JSON.parse((await run('list', '--tag', 'paid', '--status', 'active', '--json')).out) as { email: string; tags: string[] }[];
  assert.deepEqual(active.map((s) => [s.email, s.tags]), [
    ['ada@example.com', ['paid', 'vip']],
    ['bo@example.com', ['early-bird', 'paid']],
  ]);
  assert.equal((await run('list', '--tag', 'nobody-has-it')).out.trim(), 'email\tname\tstatus\tsince');

  const shown = (await run('show', 'bo@example.com')).out;
  assert.match(shown, /^ {2}tags: early-bird, paid$/m);
  assert.match(shown, /^ {2}\S+ {2}active {2}tag added: early-bird \(via cli\)$/m);
  assert.match(shown, /^ {2}\S+ {2}active {2}tag removed: new-one \(via cli\)$/m);
  assert.match(shown, /\(new\) → active\s+added with the CLI/);
  assert.match((await run('show', 'cy@example.com')).out, /^ {2}\S+ {2}active {2}tag added: paid \(via cli\)$/m);

  const exported = (await run('export')).out.split('\r\n');
  assert.equal(exported[0], 'email,name,status,source,created_at,confirmed_at,unsubscribed_at,tags,consent_source,opted_in_at,consent_ip,consent_evidence');
  assert.match(exported[1]!, /^ada@example\.com,,active,cli,[^,]+,[^,]+,,"paid,vip",/);
  assert.match(exported[2]!, /^bo@example\.com,,active,cli,[^,]+,[^,]+,,"early-bird,paid",/);
}

test('subscribers tag, untag, add --tag, list --tag, show and export (SQLite)', async (t) => {
  await tagStory(cli(t));
});

test('subscribers tag, untag, add --tag, list --tag, show and export (PostgreSQL)', needsPg, async (t) => {
  await tagStory(cli(t, await freshPgDatabase(t)));
});

test('subscribers tags: a bad tag is one line naming it and changes nothing; an unknown address is named', async (t) => {
  const run = cli(t);
  const bad = await run('add', 'ada@example.com', '--tag', 'ok', '--tag', 'not ok');
  assert.equal(bad.status, 2);
  assert.equal(bad.err, 'newsletter subscribers: bad tag "not ok": a tag is lower-case letters, digits and hyphens, 1 to 40 characters, not starting or ending with a hyphen\n');
  assert.match((await run('count')).out, /^total\s+0$/m, 'nobody added');
  await run('add', 'ada@example.com', '--confirmed');
  const badTag = await run('tag', 'ada@example.com', 'fine', 'x'.repeat(41));
  assert.equal(badTag.status, 2);
  assert.match(badTag.err, new RegExp(`^newsletter subscribers: bad tag "${'x'.repeat(41)}": a tag is .+\n$`));
  assert.match((await run('show', 'ada@example.com')).out, /^ {2}tags: \(none\)$/m, 'not even the good one');
  assert.equal((await run('list', '--tag', 'Bad_Tag')).status, 2);
  for (const command of ['tag', 'untag']) {
    const unknown = await run(command, 'nobody@example.com', 'paid');
    assert.equal(unknown.status, 1);
    assert.equal(unknown.err, 'newsletter subscribers: nobody@example.com is not on the list\n');
  }
  const existing = await run('add', 'ada@example.com', '--tag', 'paid');
  assert.match(existing.out, /already on the list \(active\); nothing changed; `subscribers tag ada@example\.com paid` tags them/);
});

test('subscribers show and export: consent on record for a CLI add (how they came, when they asked and confirmed)', async (t) => {
  const run = cli(t);
  await run('add', 'ada@example.com', '--confirmed');
  const shown = (await run('show', 'ada@example.com')).out;
  const opted = /^ {4}opted in: (\S+); confirmed: (\S+)$/m.exec(shown);
  assert.ok(opted, shown);
  assert.match(shown, /^ {2}consent: came by cli$/m);
  assert.match(opted[1]!, /^\d{4}-\d\d-\d\dT/);
  assert.equal(opted[2], opted[1], 'added as confirmed: asked and confirmed at once');
  assert.doesNotMatch(shown, /client address|evidence/, 'nothing shown that was not recorded');
  const [header, row] = (await run('export')).out.split('\r\n');
  const cells = row!.split(',');
  assert.equal(cells[header!.split(',').indexOf('opted_in_at')], opted[1]);
  assert.equal(cells[header!.split(',').indexOf('consent_ip')], '');
});

test('subscribers show and export: a form sign-up page and address, and an import evidence, as recorded', async (t) => {
  const run = cli(t);
  const db = openDatabase(run.db);
  const store = new SqliteSubscriberStore(db);
  await store.add({
    email: 'bo@example.com',
    emailNormalized: 'bo@example.com',
    name: '',
    status: 'pending',
    source: 'form',
    reason: 'signed up on the web',
    consent: { source: 'https://example.org/news/first/', optedInAt: '2026-11-25T10:00:00.000Z', ip: '203.0.113.0/24' },
  });
  await store.add({
    email: 'cy@example.com',
    emailNormalized: 'cy@example.com',
    name: '',
    status: 'active',
    source: 'import:members.csv',
    reason: 'imported',
    consent: { source: 'members.csv', optedInAt: '2025-01-02T03:04:05.000Z', evidence: '{"OPTIN_IP":"198.51.100.7","note":"line\\u001bbreak"}' },
  });
  await store.add({
    email: 'raw@example.com',
    emailNormalized: 'raw@example.com',
    name: '',
    status: 'active',
    source: 'import:odd.csv',
    reason: 'imported',
    consent: { evidence: 'not json \u001b[2J' },
  });
  db.close();
  const raw = (await run('show', 'raw@example.com')).out;
  assert.match(raw, /^ {4}evidence: "not json \\u001b\[2J"$/m, 'evidence that is not JSON is shown quoted, its control characters escaped');
  const bo = (await run('show', 'bo@example.com')).out;
  assert.match(bo, /^ {2}consent: came by form \(https:\/\/example\.org\/news\/first\/\)$/m);
  assert.match(bo, /^ {4}opted in: 2026-11-25T10:00:00\.000Z; confirmed: not yet$/m);
  assert.match(bo, /^ {4}client address: 203\.0\.113\.0\/24$/m);
  const cy = (await run('show', 'cy@example.com')).out;
  assert.match(cy, /^ {2}consent: came by import:members\.csv$/m, 'the file named once');
  assert.match(cy, /^ {4}evidence: \{"OPTIN_IP":"198\.51\.100\.7","note":"line\\u001bbreak"\}$/m);
  const exported = (await run('export')).out;
  assert.match(exported, /^bo@example\.com,,pending,form,[^,]+,,,,https:\/\/example\.org\/news\/first\/,2026-11-25T10:00:00\.000Z,203\.0\.113\.0\/24,\r$/m);
  assert.match(exported, /^cy@example\.com,.*,members\.csv,2025-01-02T03:04:05\.000Z,,"\{""OPTIN_IP""/m);
});
