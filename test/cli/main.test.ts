import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempProject } from '../support/fixtures.ts';

test('newsletter --help lists build, check and new and exits 0', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const run = runCli(['--help'], dir);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: newsletter/);
  for (const command of ['build', 'check', 'new']) assert.match(run.stdout, new RegExp(`^\\s+${command}\\b.*\\S`, 'm'), command);
});

test('each command has its own --help with its flags', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const flags: Record<string, string[]> = { build: ['--out', '--force'], check: ['--json'], new: ['--date'] };
  for (const [command, expected] of Object.entries(flags)) {
    const run = runCli([command, '--help'], dir);
    assert.equal(run.status, 0, `${command}: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(`Usage: newsletter ${command}`));
    for (const flag of expected) assert.ok(run.stdout.includes(flag), `${command} --help mentions ${flag}`);
  }
  assert.deepEqual(readdirSync(join(dir, 'issues')), [], '--help runs nothing');
});

test('an unknown command exits non-zero, names it and shows the usage', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const run = runCli(['biuld'], dir);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /unknown command 'biuld'/);
  assert.match(run.stderr, /Did you mean build\?/);
  assert.match(run.stderr, /Usage: newsletter/);
});

test('an unknown flag exits non-zero, names it and shows the command usage; nothing is built', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const frce = runCli(['build', '--frce'], dir);
  assert.match(frce.stderr, /Did you mean --force\?/);
  for (const args of [['build', '--frce'], ['check', '--jsn'], ['--verbose']]) {
    const run = runCli(args, dir);
    assert.notEqual(run.status, 0, args.join(' '));
    assert.match(run.stderr, new RegExp(`unknown option '${args.at(-1)!}'`), args.join(' '));
    assert.match(run.stderr, /Usage: newsletter/, args.join(' '));
  }
  assert.deepEqual(readdirSync(dir).sort(), ['issues', 'newsletter.yaml', 'templates'], 'no dist/ written');
});

test('newsletter with no command prints the usage and exits non-zero', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const run = runCli([], dir);
  assert.notEqual(run.status, 0);
  assert.match(run.stdout + run.stderr, /Usage: newsletter/);
});
