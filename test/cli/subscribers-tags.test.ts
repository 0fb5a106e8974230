/** `subscribers tag|untag`, `add --tag`, `list --tag`, and tags in `show` and `export` (issue 16), on both engines. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

type Run = (...args: string[]) => Promise<{ status: number | null; out: string; err: string }>;

function cli(t: TestContext, database?: string): Run {
  const dir = mkdtempSync(join(tmpdir(), 'nl-tags-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = database ?? join(dir, 'subscribers.db');
  return (...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'subscribers', ...args], { cwd: dir, env: { ...process.env, NEWSLETTER_DB: db } });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, out, err }));
    });
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
