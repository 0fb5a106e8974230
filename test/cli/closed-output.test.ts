/** Every command ends quietly when its output is closed early: `list | head -1` (issue 12, finding 15). */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueText, projectFor, ROOT, runCli } from '../support/fixtures.ts';

const CLI = join(ROOT, 'bin', 'newsletter.cjs');

/** A project with an issue and 5,000 subscribers: far more output than a pipe holds (64 KB). */
function project(t: TestContext): string {
  const dir = projectFor(t, { 'issues/2026-10-14-one.md': issueText('Hello.') });
  const rows = ['email,name', ...Array.from({ length: 5000 }, (_, i) => `reader${i}@example.org,Reader Number ${i}`)];
  writeFileSync(join(dir, 'list.csv'), `${rows.join('\n')}\n`);
  const imported = runCli(['subscribers', 'import', 'list.csv'], dir);
  assert.equal(imported.status, 0, imported.stderr);
  return dir;
}

/** Runs the CLI with its stdout a pipe whose reading end is closed before it writes a byte. */
async function withClosedOutput(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

test('closed output: `subscribers list | head -1` and `export | head -1` print one line and exit 0, without a stack trace', (t) => {
  const dir = project(t);
  for (const command of ['subscribers list', 'subscribers export', 'subscribers list --json']) {
    const run = spawnSync('bash', ['-c', `node ${JSON.stringify(CLI)} ${command} 2>err.txt | head -1; echo "exit \${PIPESTATUS[0]}"; cat err.txt`], {
      cwd: dir,
      encoding: 'utf8',
    });
    const [first, exit, ...rest] = run.stdout.split('\n');
    assert.match(first ?? '', /^(email|\[)/, command);
    assert.equal(exit, 'exit 0', `${command}: ${run.stdout}`);
    assert.equal(rest.join('\n').trim(), '', `${command}: nothing on stderr`);
  }
});

test('closed output: every command exits as it would have, quietly, when the reader is gone before it writes', async (t) => {
  const dir = project(t);
  const commands: [string[], number][] = [
    [['subscribers', 'list'], 0],
    [['subscribers', 'export'], 0],
    [['subscribers', 'count'], 0],
    [['subscribers', 'show', 'reader1@example.org'], 0],
    [['check', '--json'], 0],
    [['check'], 0],
    [['build'], 0],
    [['status'], 0],
    [['--help'], 0],
    [['new', 'Another Issue', '--date', '2026-11-01'], 0],
  ];
  for (const [args, expected] of commands) {
    const run = await withClosedOutput(args, dir);
    assert.doesNotMatch(run.stderr, /EPIPE|Error|\n\s+at /, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.code, expected, `${args.join(' ')}: ${run.stderr}`);
  }
  assert.match(runCli(['subscribers', 'count'], dir).stdout, /^active\s+5000$/m, 'the work was done');
});
