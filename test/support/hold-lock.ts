/** Another process holding a SQLite database's write lock, for the busy-database tests (hostile input 30). */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './fixtures.ts';

/**
 * Starts a process that opens `path`, runs `statement` inside BEGIN IMMEDIATE and holds the lock until `release()`
 * (or, as a safety net for a test that fails first, `ms`), then rolls back. Resolves once the lock is held;
 * `exited` resolves when it let go. The test decides when the lock goes, not a timer: on a loaded machine a fixed
 * hold could end before the waiter even started waiting.
 */
export async function holdWriteLock(
  path: string,
  statement: string,
  ms = 120_000,
): Promise<{ child: ChildProcess; exited: Promise<unknown>; release: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)});
       db.exec('BEGIN IMMEDIATE'); db.prepare(${JSON.stringify(statement)}).run();
       const done = () => { db.exec('ROLLBACK'); db.close(); process.exit(0); };
       process.stdin.once('data', done); process.stdin.once('end', done); setTimeout(done, ${ms});
       process.stdout.write('locked\\n');`,
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { child, exited, release: () => child.stdin!.end('release\n') };
}
