/** `newsletter preview` from the command line (issue 4): start-up line, binding, Ctrl-C, a port already in use. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { issueText, ROOT, tempProject } from '../support/fixtures.ts';

function start(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'preview', ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line: ${stdout}${stderr}`)), 20_000);
    child.stdout.on('data', () => {
      const found = /Preview at (http:\/\/\S+)/.exec(stdout)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited early: ${stdout}${stderr}`));
    });
  });
  return { child, url, output: () => stdout + stderr, stderr: () => stderr };
}

test('newsletter preview: says where it listens (127.0.0.1 by default), serves, and stops cleanly on Ctrl-C', async (t) => {
  const project = tempProject({ 'issues/2026-10-14-one.md': issueText('Hello from the preview.') });
  t.after(project.cleanup);
  const run = start(['--port', '0', '--smtp-port', '0'], project.dir);
  t.after(() => run.child.kill('SIGKILL'));
  const url = await run.url;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(run.output(), /this computer only/);
  const email = await fetch(`${url}issues/one/email.html`);
  assert.equal(email.status, 200);
  assert.match(await email.text(), /Hello from the preview\./);
  run.child.kill('SIGINT');
  const [code] = await once(run.child, 'exit');
  assert.equal(code, 0);
});

test('newsletter preview: a port in use is a clear error, not a crash', async (t) => {
  const project = tempProject();
  t.after(project.cleanup);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const run = start(['--port', String(port), '--smtp-port', '0'], project.dir);
  run.url.catch(() => undefined);
  const [code] = await once(run.child, 'exit');
  assert.equal(code, 1);
  assert.match(run.output(), new RegExp(`port ${port} is in use; choose another with --port`));
});

test('newsletter preview: a bad --port is refused before anything starts', async (t) => {
  const project = tempProject();
  t.after(project.cleanup);
  const run = start(['--port', 'http'], project.dir);
  run.url.catch(() => undefined);
  const [code] = await once(run.child, 'exit');
  assert.equal(code, 2);
  assert.match(run.output(), /expected a port number/);
});

test('newsletter preview: run from issues/, it previews the project (issue 12, finding 12)', async (t) => {
  const project = tempProject({ 'issues/2026-10-14-one.md': issueText('Hello from the subfolder.') });
  t.after(project.cleanup);
  const run = start(['--port', '0', '--smtp-port', '0'], join(project.dir, 'issues'));
  t.after(() => run.child.kill('SIGKILL'));
  const url = await run.url;
  const email = await fetch(`${url}issues/one/email.html`);
  assert.equal(email.status, 200, run.output());
  assert.match(await email.text(), /Hello from the subfolder\./);
  run.child.kill('SIGINT');
  await once(run.child, 'exit');
});

test('newsletter preview on PostgreSQL with the server unreachable: the desk says so in one line (host, port, database, no password); issues still preview', async (t) => {
  const project = tempProject({ 'issues/2026-10-14-one.md': issueText('Hello while the database is down.', 'title: Down but drafting\ndate: 2026-10-14\nstatus: ready') });
  t.after(project.cleanup);
  // A port that was free a moment ago: nothing listens there, so every connection is refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const closed = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  const run = start(['--port', '0', '--smtp-port', '0'], project.dir, { NEWSLETTER_DB: `postgres://writer:hunter2-${closed}@127.0.0.1:${closed}/our_list` });
  t.after(() => run.child.kill('SIGKILL'));
  const url = await run.url;
  const line = `cannot reach PostgreSQL at 127.0.0.1:${closed}: connection refused (database our_list; is the server running, and listening there?)`;
  for (let visit = 0; visit < 2; visit++) {
    const home = await fetch(url);
    assert.equal(home.status, 200, run.output());
    const page = await home.text();
    assert.match(page, /Down but drafting/, 'the issues are listed');
    assert.ok(page.includes(`The subscriber database cannot be read: ${line}`), page);
    assert.doesNotMatch(page, /hunter2/);
  }
  const email = await fetch(`${url}issues/one/email.html`);
  assert.equal(email.status, 200);
  assert.match(await email.text(), /Hello while the database is down\./);
  // The terminal says it once, in one line, however often the page is visited; no stack trace.
  assert.equal(run.stderr(), `newsletter preview: the desk cannot read the subscriber database: ${line}\n`);
  assert.doesNotMatch(run.output(), /hunter2/);
  run.child.kill('SIGINT');
  const [code] = await once(run.child, 'exit');
  assert.equal(code, 0);
});
