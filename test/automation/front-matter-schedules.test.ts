/** `send_at:` in an issue's front matter schedules it, as `send --at` does (issue 17), kept in step with the file. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, utimesSync } from 'node:fs';
import { openStores } from '../../src/store/open-stores.ts';
import { syncFrontMatterSchedules } from '../../src/automation/front-matter-schedules.ts';
import { parseConfig } from '../../src/config/load.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

const FILE = 'issues/2026-12-04-the-vote.md';
const T0 = Date.parse('2026-12-03T20:00:00Z');

async function setup(t: TestContext) {
  const dir = projectFor(t);
  const stores = await openStores(join(dir, 'data', 'newsletter.db'));
  t.after(() => stores.close());
  let tick = 0;
  const write = (fields: string) => {
    writeFileSync(join(dir, FILE), issueText('Body.', `title: The vote\ndate: 2026-12-04\n${fields}`));
    // A new mtime each time, as an editor's save gives: the reader caches by size and mtime.
    const at = new Date(T0 + ++tick * 1000);
    utimesSync(join(dir, FILE), at, at);
  };
  const config = parseConfig('timezone: Europe/Berlin\n');
  const sync = (now = T0) => syncFrontMatterSchedules(dir, config, stores, now);
  return { dir, stores, write, sync };
}

test('send_at: on a ready issue schedules it, a local time in the config timezone; a changed time moves it; a removed one cancels it', async (t) => {
  const { stores, write, sync } = await setup(t);
  write('status: ready\nsend_at: 2026-12-04 07:00');
  const first = await sync();
  assert.deepEqual(first.problems, []);
  const open = await stores.schedules.open('the-vote');
  assert.equal(open?.origin, 'front-matter');
  assert.equal(open?.sendAt, Date.parse('2026-12-04T06:00:00Z'), '07:00 in Berlin is 06:00 UTC in December');
  assert.equal((await sync()).changed.length, 0, 'nothing changes while the file does not');
  write('status: ready\nsend_at: 2026-12-04T09:30:00+01:00');
  await sync();
  const moved = await stores.schedules.open('the-vote');
  assert.equal(moved?.id, open?.id, 'the same schedule, moved');
  assert.equal(moved?.sendAt, Date.parse('2026-12-04T08:30:00Z'));
  write('status: ready');
  await sync();
  assert.equal(await stores.schedules.open('the-vote'), null);
  assert.equal((await stores.schedules.latest('the-vote'))?.state, 'cancelled');
});

test('a cancelled send_at: stays cancelled until the line changes; a draft is not scheduled; a bad time is reported, not scheduled', async (t) => {
  const { stores, write, sync } = await setup(t);
  write('status: draft\nsend_at: 2026-12-04 07:00');
  await sync();
  assert.equal(await stores.schedules.open('the-vote'), null, 'a draft is never scheduled');
  write('status: ready\nsend_at: 2026-12-04 07:00');
  await sync();
  const open = (await stores.schedules.open('the-vote'))!;
  await stores.schedules.transition(open.id, ['scheduled'], 'cancelled', { reason: 'cancelled by newsletter schedule cancel' }, T0);
  await sync();
  await sync();
  assert.equal(await stores.schedules.open('the-vote'), null, 'not scheduled again behind the writer’s back');
  write('status: ready\nsend_at: 2026-12-04 08:00');
  await sync();
  assert.equal((await stores.schedules.open('the-vote'))?.sendAt, Date.parse('2026-12-04T07:00:00Z'), 'a new time is a new schedule');
  write('status: ready\nsend_at: next tuesday');
  const bad = await sync();
  assert.equal(bad.problems.length, 1);
  assert.match(bad.problems[0]!, /issues\/2026-12-04-the-vote\.md: send_at: .*2026-12-04/);
});

test('an issue already sent is not scheduled by a send_at: left in its file', async (t) => {
  const { stores, write, sync } = await setup(t);
  await stores.ledger.plan({ slug: 'the-vote', issueFile: FILE, subject: 'The vote', sourceHash: 'h', html: '<p>x</p>', text: 'x', placeholderPrefix: 'p' }, T0);
  write('status: ready\nsend_at: 2026-12-04 07:00');
  await sync();
  assert.equal(await stores.schedules.open('the-vote'), null);
});
