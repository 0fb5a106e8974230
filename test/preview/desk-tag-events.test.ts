/** The desk's joins and leaves (issue 16): a tag given or taken is an event, but neither a join nor a leave. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgDeskSource } from '../../src/preview/desk-pg.ts';
import { sqliteDeskSource } from '../../src/preview/desk-sqlite.ts';
import { openDatabase } from '../../src/store/open.ts';
import { PgSubscriberStore } from '../../src/store/pg/pg-subscribers.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import type { SubscriberStore } from '../../src/subscribers/subscriber.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';

const at = () => new Date('2026-11-02T09:00:00Z');

async function tagStory(store: SubscriberStore): Promise<void> {
  await store.add({ email: 'ada@example.com', emailNormalized: 'ada@example.com', name: '', status: 'active', source: 'cli', reason: 'added with the CLI' });
  await store.add({ email: 'bo@example.com', emailNormalized: 'bo@example.com', name: '', status: 'pending', source: 'form', reason: 'signed up' });
  await store.addTags('ada@example.com', ['paid', 'vip'], 'cli');
  await store.removeTags('ada@example.com', ['vip'], 'cli');
  await store.addTags('bo@example.com', ['paid'], 'form');
  assert.equal((await store.events('ada@example.com')).length, 4, 'the tag events are there');
}

test('sqlite desk: tag events are not counted as joins or leaves', async (t: TestContext) => {
  const dir = mkdtempSync(join(tmpdir(), 'desk-tags-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'newsletter.db');
  const db = openDatabase(path);
  await tagStory(new SqliteSubscriberStore(db, at));
  db.close();
  const desk = sqliteDeskSource(path)!;
  t.after(() => desk.close());
  assert.deepEqual(await desk.activeDeltas(), [{ day: '2026-11-02', delta: 1 }]);
});

test('postgres desk: tag events are not counted as joins or leaves', needsPg, async (t) => {
  const { pool } = await freshPgPool(t);
  await tagStory(new PgSubscriberStore(pool, at));
  assert.deepEqual(await pgDeskSource(pool).activeDeltas(), [{ day: '2026-11-02', delta: 1 }]);
});
