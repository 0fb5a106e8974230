import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures.ts';
import { TEST_SECRET } from './send-harness.ts';

/**
 * The real `newsletter` binary in `dir`, as a child process that does not block this process's event loop (tests
 * keep their SMTP peers and web servers here). A test secret, the project's own database, no SMTP_URL and no preview
 * inbox unless `env` says otherwise.
 */
export function runCliAsync(dir: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), ...args], {
    cwd: dir,
    env: { ...process.env, NEWSLETTER_SECRET: TEST_SECRET, NEWSLETTER_DB: '', SMTP_URL: '', NEWSLETTER_INBOX_PORT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out, err })));
}
