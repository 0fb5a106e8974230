import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures.ts';
import { TEST_SECRET } from './send-harness.ts';

export interface CliResult {
  status: number | null;
  out: string;
  err: string;
}

/**
 * The real `newsletter` binary in `dir` as a child process, for tests that must watch it while it runs (its pid, what
 * it holds open): `done` resolves when it exits. The environment is runCliAsync's (cli-process.ts) over `env`.
 */
export function startCli(dir: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), ...args], {
    cwd: dir,
    env: { ...process.env, NEWSLETTER_SECRET: TEST_SECRET, NEWSLETTER_DB: '', SMTP_URL: '', NEWSLETTER_INBOX_PORT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (status) => resolve({ status, out, err })));
  return { child, done };
}
