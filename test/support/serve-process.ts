import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { ROOT } from './fixtures.ts';
import { TEST_SECRET } from './send-harness.ts';

/**
 * `newsletter serve --outbox` in `dir` on `db` (a SQLite path or a postgres:// URL), killed when the test ends.
 * Resolves to the local base URL it says it serves at.
 */
export function startServe(t: TestContext, dir: string, db: string): { url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'serve', '--port', '0', '--outbox'], {
    cwd: dir,
    env: { ...process.env, SMTP_URL: '', NEWSLETTER_SECRET: TEST_SECRET, NEWSLETTER_DB: db, NEWSLETTER_INBOX_PORT: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const found = /Serving sign-up, confirm and unsubscribe at (http:\/\/\S+\/)/.exec(output)?.[1];
      if (found) resolve(found);
    });
    child.on('exit', () => reject(new Error(`serve exited early: ${output}`)));
  });
  return { url, output: () => output };
}
