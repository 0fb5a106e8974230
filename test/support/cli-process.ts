import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures.ts';
import { TEST_SECRET } from './send-harness.ts';

export interface CliExit {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `newsletter` child: the process, to signal or read as it goes, and its exit with everything it printed. */
export interface CliRun {
  child: ChildProcess;
  done: Promise<CliExit>;
}

/**
 * The real `newsletter` binary in `dir`, as a child process that does not block this process's event loop (tests
 * keep their SMTP peers and web servers here). A test secret, the project's own database, no SMTP_URL and no preview
 * inbox unless `env` says otherwise.
 */
export function startCli(dir: string, args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), ...args], {
    cwd: dir,
    env: { ...process.env, NEWSLETTER_SECRET: TEST_SECRET, NEWSLETTER_DB: '', SMTP_URL: '', NEWSLETTER_INBOX_PORT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliExit>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done };
}

/** `startCli` to its end: the exit status and what it printed. */
export async function runCliAsync(dir: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; out: string; err: string }> {
  const { status, stdout, stderr } = await startCli(dir, args, env).done;
  return { status, out: stdout, err: stderr };
}
