/** Another process holding a SQLite database's write lock, for the busy-database tests (hostile input 30). */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './fixtures.ts';

/**
 * Starts a process that opens `path`, runs `statement` inside BEGIN IMMEDIATE and holds the lock for `ms`, then
 * rolls back. Resolves once the lock is held; `exited` resolves when it let go.
 */
export async function holdWriteLock(path: string, statement: string, ms = 6000): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)});
       db.exec('BEGIN IMMEDIATE'); db.prepare(${JSON.stringify(statement)}).run();
       process.stdout.write('locked\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms}); db.exec('ROLLBACK'); db.close();`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { child, exited };
}
