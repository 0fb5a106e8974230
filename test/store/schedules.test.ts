/**
 * The schedules and the worker registry (issue 17), held to one contract on both engines: a schedule is claimed by
 * one worker only, an issue has one open schedule, and on SQLite a second worker waits while the first lives.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStores } from '../../src/store/open-stores.ts';
import type { Stores } from '../../src/store/stores.ts';
import { ScheduleStartedError } from '../../src/automation/schedule-store.ts';
import type { WorkerRecord } from '../../src/automation/worker-registry.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

const T0 = Date.parse('2026-12-04T06:00:00Z');
const ISSUE = { slug: 'on-power', issueFile: 'issues/2026-12-04-on-power.md', sendAt: T0, segment: null, origin: 'command' as const };

type Open = (t: TestContext) => Promise<{ stores: Stores; another: () => Promise<Stores> }>;

const sqlite: Open = async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'schedules-'));
  const file = join(dir, 'newsletter.db');
  const opened: Stores[] = [];
  const open = async () => {
    const s = await openStores(file);
    opened.push(s);
    return s;
  };
  t.after(async () => {
    for (const s of opened) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { stores: await open(), another: open };
};

const postgres: Open = async (t) => {
  const url = await freshPgDatabase(t);
  const opened: Stores[] = [];
  const open = async () => {
    const s = await openStores(url);
    opened.push(s);
    return s;
  };
  t.after(async () => {
    for (const s of opened) await s.close();
  });
  return { stores: await open(), another: open };
};

const alive = (dead: Set<number>) => (w: WorkerRecord) => !dead.has(w.id);

for (const [engine, open, options] of [['SQLite', sqlite, {}], ['PostgreSQL', postgres, needsPg]] as const) {
  describe(`schedules on ${engine}`, options, () => {
    test('a schedule is added, listed, found by slug, and an issue has one open schedule: a new time replaces one not started', async (t) => {
      const { stores } = await open(t);
      const first = await stores.schedules.add(ISSUE, T0 - 10_000);
      assert.equal(first.replaced, null);
      assert.equal(first.schedule.state, 'scheduled');
      assert.equal(first.schedule.sendAt, T0);
      const second = await stores.schedules.add({ ...ISSUE, sendAt: T0 + 3_600_000, segment: 'tag:paid' }, T0 - 5_000);
      assert.equal(second.replaced?.id, first.schedule.id);
      assert.equal((await stores.schedules.byId(first.schedule.id))?.state, 'cancelled');
      const open1 = await stores.schedules.open('on-power');
      assert.equal(open1?.id, second.schedule.id);
      assert.equal(open1?.segment, 'tag:paid');
      assert.deepEqual((await stores.schedules.list(['scheduled'])).map((s) => s.id), [second.schedule.id]);
      assert.equal((await stores.schedules.list()).length, 2);
      assert.equal((await stores.schedules.latest('on-power'))?.id, second.schedule.id);
    });

    test('a schedule whose send has started cannot be replaced', async (t) => {
      const { stores } = await open(t);
      const { schedule } = await stores.schedules.add(ISSUE, T0 - 10_000);
      assert.ok(await stores.schedules.transition(schedule.id, ['scheduled'], 'starting', { workerId: 7, startedAt: T0 }, T0));
      await assert.rejects(stores.schedules.add({ ...ISSUE, sendAt: T0 + 60_000 }, T0 + 1), ScheduleStartedError);
      assert.equal((await stores.schedules.open('on-power'))?.state, 'starting');
    });

    test('transition is a compare-and-set: of two workers claiming one due schedule at once, exactly one gets it', async (t) => {
      const { stores, another } = await open(t);
      const other = await another();
      for (let round = 0; round < 10; round++) {
        const { schedule } = await stores.schedules.add({ ...ISSUE, slug: `issue-${round}` }, T0);
        const results = await Promise.all([
          stores.schedules.transition(schedule.id, ['scheduled', 'blocked'], 'starting', { workerId: 1, startedAt: T0 }, T0),
          other.schedules.transition(schedule.id, ['scheduled', 'blocked'], 'starting', { workerId: 2, startedAt: T0 }, T0),
        ]);
        const winners = results.filter((r) => r !== null);
        assert.equal(winners.length, 1, `round ${round}: one claim wins`);
        assert.equal((await stores.schedules.byId(schedule.id))?.workerId, winners[0]!.workerId);
      }
    });

    test('a transition sets only the fields given and records the time; one from a state the row is not in changes nothing', async (t) => {
      const { stores } = await open(t);
      const { schedule } = await stores.schedules.add(ISSUE, T0 - 1);
      const blocked = await stores.schedules.transition(schedule.id, ['scheduled'], 'blocked', { reason: 'issues/x.md:3 error', blockedHash: 'abc' }, T0 + 5);
      assert.equal(blocked?.state, 'blocked');
      assert.equal(blocked?.reason, 'issues/x.md:3 error');
      assert.equal(blocked?.blockedHash, 'abc');
      assert.equal(blocked?.updatedAt, T0 + 5);
      assert.equal(blocked?.sendAt, T0);
      assert.equal(await stores.schedules.transition(schedule.id, ['sending'], 'sent', {}, T0 + 6), null);
      assert.equal((await stores.schedules.byId(schedule.id))?.state, 'blocked');
      // Blocked is still open: the issue cannot get a second schedule beside it, only a replacement.
      const again = await stores.schedules.add({ ...ISSUE, sendAt: T0 + 60_000 }, T0 + 7);
      assert.equal(again.replaced?.id, schedule.id);
    });

    test('workers: on SQLite a second one waits while the first lives and takes over once it is dead; PostgreSQL runs both', async (t) => {
      const { stores, another } = await open(t);
      const other = await another();
      const dead = new Set<number>();
      const a = await stores.workers.register({ pid: 100, host: 'h' }, T0);
      const b = await other.workers.register({ pid: 101, host: 'h' }, T0);
      const exclusive = engine === 'SQLite';
      assert.equal(await stores.workers.takeOver(a.id, exclusive, T0, alive(dead)), null);
      const holder = await other.workers.takeOver(b.id, exclusive, T0 + 1, alive(dead));
      if (exclusive) {
        assert.equal(holder?.id, a.id, 'the first worker holds the database');
        dead.add(a.id);
        assert.equal(await other.workers.takeOver(b.id, exclusive, T0 + 2, alive(dead)), null, 'after it died, the second takes over');
        const listed = await stores.workers.list();
        assert.deepEqual(listed.map((w) => [w.id, w.state]), [[b.id, 'running']]);
      } else {
        assert.equal(holder, null);
        assert.deepEqual((await stores.workers.list()).map((w) => w.state), ['running', 'running']);
      }
      await other.workers.heartbeat(b.id, T0 + 10);
      assert.equal((await stores.workers.list()).find((w) => w.id === b.id)?.heartbeatAt, T0 + 10);
      await other.workers.stop(b.id, T0 + 20);
      assert.equal((await stores.workers.list()).some((w) => w.id === b.id), false);
    });
  });
}
