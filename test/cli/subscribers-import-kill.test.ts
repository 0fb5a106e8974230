/**
 * Issue 12, finding 13: the import holds the write lock only to apply its plan, and stays all or nothing. A kill -9
 * while it holds the lock (seen from outside: another connection cannot take it) leaves the list as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { ROOT } from '../support/fixtures.ts';

test('kill -9 of an import while it holds the write lock leaves nothing of it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-import-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'list.db');
  const watcher = openDatabase(path);
  t.after(() => watcher.close());
  new SqliteSubscriberTable(watcher).add({ email: 'before@example.org', emailNormalized: 'before@example.org', name: '', status: 'active', source: 'cli', reason: 'x' });
  watcher.pragma('busy_timeout = 0');
  const lines = ['email,name,city'];
  for (let i = 0; i < 100_000; i++) lines.push(`person${i}@example.org,Person ${i},Town ${i % 50}`);
  writeFileSync(join(dir, 'big.csv'), `${lines.join('\n')}\n`);

  const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'subscribers', 'import', 'big.csv'], {
    cwd: dir,
    env: { ...process.env, NEWSLETTER_DB: path },
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let running = true;
  void exited.then(() => (running = false));
  // Watch for the moment the import holds the write lock, and kill it there.
  let caught = false;
  while (running && !caught) {
    try {
      watcher.exec('BEGIN IMMEDIATE');
      watcher.exec('ROLLBACK');
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      child.kill('SIGKILL');
      caught = true;
    }
    await sleep(2);
  }
  assert.equal(await exited, caught ? 'SIGKILL' : null);
  assert.ok(caught, 'the import was caught holding the lock (it finished first: make the file bigger)');
  const reopened = openDatabase(path);
  t.after(() => reopened.close());
  const store = new SqliteSubscriberTable(reopened);
  assert.deepEqual(store.list().map((s) => s.email), ['before@example.org'], 'nothing of the killed import is there');
  assert.equal((reopened.prepare('SELECT count(*) AS n FROM subscriber_events').get() as { n: number }).n, 1);
});
