/** The send-wide caps (issue 15): every worker of a send draws from one set of buckets kept in the database. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeShared } from '../../src/send/pace/shared-bucket.ts';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqlitePacer } from '../../src/store/sqlite-pacer.ts';

test('shared bucket: a fresh send may burst a tenth of a second of its cap, then refills at the cap; the next token is dated', () => {
  const first = takeShared({ perSecond: 200, perHour: null }, {}, 50, 1000);
  assert.equal(first.granted, 20, 'a tenth of a second at 200/s');
  assert.ok(first.nextAt > 1000, 'the bucket is empty: the next message waits');
  const later = takeShared({ perSecond: 200, perHour: null }, first.states, 50, 1100);
  assert.equal(later.granted, 20, '100 ms later, 20 more');
  const none = takeShared({ perSecond: 200, perHour: null }, later.states, 5, 1100);
  assert.equal(none.granted, 0);
  assert.equal(none.nextAt, 1105, 'one token takes 5 ms at 200/s');
  assert.equal(takeShared({ perSecond: null, perHour: null }, {}, 7, 0).granted, 7, 'no caps, no limit');
  assert.equal(takeShared({ perSecond: 0, perHour: null }, {}, 7, 0).nextAt, Infinity, 'a cap of 0 never sends');
});

test('shared bucket: the hourly cap holds with the per-second one; a clock stepping back refills nothing', () => {
  const a = takeShared({ perSecond: 1000, perHour: 600 }, {}, 100, 0);
  assert.equal(a.granted, 10, 'a minute’s share of 600 an hour');
  const back = takeShared({ perSecond: 1000, perHour: 600 }, a.states, 100, -60_000);
  assert.equal(back.granted, 0);
});

test('shared bucket: two workers on one SQLite file, each asking for all it can, together stay within the cap over 10 s', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-pace-'));
  const path = join(dir, 'newsletter.db');
  const one = openDatabase(path);
  const two = openDatabase(path);
  t.after(() => {
    one.close();
    two.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { send } = await new SqliteLedger(one).plan({ slug: 's', issueFile: 'issues/s.md', subject: 'S', sourceHash: 'h', html: 'x', text: 'x', placeholderPrefix: 'p' }, 0);
  const pacers = [new SqlitePacer(one), new SqlitePacer(two)];
  const caps = { perSecond: 200, perHour: null };
  let total = 0;
  // Simulated time, 1 ms steps, the workers taking turns: what a real pair on one machine does, without its noise.
  for (let now = 0; now < 10_000; now++) total += (await pacers[now % 2]!.take(send.id, 10, caps, now)).granted;
  assert.ok(total <= 200 * 10 + 20, `${total} messages in 10 s at 200/s`);
  assert.ok(total >= 200 * 10 - 5, `${total}: the cap is reached, not undershot`);
});
