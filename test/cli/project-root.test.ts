/**
 * Commands run from a subfolder use the project's config, issues and database (issue 12, finding 12); paths typed on
 * the command line still mean what they mean from the current folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueText, projectFor, ROOT } from '../support/fixtures.ts';
import { assertOutsideAnyProject } from '../support/outside-project.ts';

const ONE = 'issues/2026-10-14-one.md';
const TWO = 'issues/2026-10-15-two.md';

/** The real CLI in `cwd`, with NEWSLETTER_DB unset unless given (the test runner's own environment may set it). */
function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const { NEWSLETTER_DB: _ignored, ...rest } = process.env;
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...rest, NEWSLETTER_INBOX_PORT: '1', SMTP_URL: '', ...env },
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

function project(t: Parameters<typeof projectFor>[0]): string {
  return projectFor(t, { [ONE]: issueText('One.'), [TWO]: issueText('Two.', 'title: Two\ndate: 2026-10-15\nstatus: ready') });
}

test('project root: subscribers run from issues/ use the project database, not a new one there', (t) => {
  const dir = project(t);
  const issues = join(dir, 'issues');
  assert.equal(cli(dir, ['subscribers', 'add', 'root@example.org', '--confirmed']).status, 0);
  const added = cli(issues, ['subscribers', 'add', 'sub@example.org', '--confirmed']);
  assert.equal(added.status, 0, added.err);
  const listed = cli(issues, ['subscribers', 'list']).out;
  assert.match(listed, /^root@example\.org\t/m, 'the list seen from issues/ is the project\'s');
  assert.match(cli(dir, ['subscribers', 'list']).out, /^sub@example\.org\t/m, 'what was added from issues/ is in it');
  assert.equal(existsSync(join(issues, 'data')), false, 'no database made in issues/');
  assert.equal(existsSync(join(dir, 'data', 'newsletter.db')), true);
});

test('project root: a relative NEWSLETTER_DB is relative to the project root, wherever the command runs', (t) => {
  const dir = project(t);
  const env = { NEWSLETTER_DB: 'lists/main.db' };
  assert.equal(cli(join(dir, 'issues'), ['subscribers', 'add', 'a@example.org'], env).status, 0);
  assert.equal(existsSync(join(dir, 'lists', 'main.db')), true);
  assert.equal(existsSync(join(dir, 'issues', 'lists')), false);
  assert.match(cli(dir, ['subscribers', 'count'], env).out, /^total\s+1$/m);
});

test('project root: check and build from issues/ use the project config, issues and dist/; file arguments are from the current folder', (t) => {
  const dir = project(t);
  const issues = join(dir, 'issues');
  const checked = cli(issues, ['check']);
  assert.match(checked.err, /^2 issues checked/m, checked.out + checked.err);
  const built = cli(issues, ['build', '2026-10-14-one.md']);
  assert.equal(built.status, 0, built.out + built.err);
  assert.match(built.out, /✓ issues\/2026-10-14-one\.md → dist\/one\//);
  assert.equal(existsSync(join(dir, 'dist', 'one', 'email.html')), true);
  assert.equal(existsSync(join(dir, 'dist', 'two')), false, 'only the file named');
  assert.equal(existsSync(join(issues, 'dist')), false);
  // --out typed on the command line is from the current folder too.
  assert.equal(cli(issues, ['build', '--out', '../site']).status, 0);
  assert.equal(existsSync(join(dir, 'site', 'two', 'email.html')), true);
  // The project's config: a bad key in it is reported from the subfolder.
  appendFileSync(join(dir, 'newsletter.yaml'), '\nbogus_key: 1\n');
  const bad = cli(issues, ['check', '--json']);
  assert.equal(bad.status, 1);
  assert.match(bad.out + bad.err, /newsletter\.yaml:\d+ error config\/unknown-key/);
});

test('project root: `send <file> --test`, `subscribers import <file>` and `bounces <file>` read the file named from the current folder', (t) => {
  const dir = project(t);
  const issues = join(dir, 'issues');
  const sent = cli(issues, ['send', '2026-10-14-one.md', '--test', 'writer@example.org']);
  assert.equal(sent.status, 0, sent.out + sent.err);
  assert.equal(readdirSync(join(dir, 'dist', 'outbox', 'one')).length, 1, 'the outbox is the project\'s');
  writeFileSync(join(dir, 'list.csv'), 'email,name\nann@example.org,Ann\nnot-an-address,Bo\n');
  const imported = cli(issues, ['subscribers', 'import', '../list.csv', '--partial']);
  assert.equal(imported.status, 0, imported.err);
  assert.match(imported.err, /^\.\.\/list\.csv:3 /m);
  assert.match(imported.err, /Rejected rows written to \.\.\/list\.rejected\.csv/);
  assert.ok(readFileSync(join(dir, 'list.rejected.csv'), 'utf8').includes('not-an-address'));
  assert.match(cli(dir, ['subscribers', 'list']).out, /^ann@example\.org\t/m);
  writeFileSync(join(dir, 'note.eml'), 'From: someone@example.net\r\nTo: news@example.org\r\nSubject: Hello\r\n\r\nJust a note.\r\n');
  const bounces = cli(issues, ['bounces', '../note.eml', '--dry-run']);
  assert.equal(bounces.status, 0, bounces.err);
  assert.match(bounces.out, /1 message read/);
});

test('project root: outside any project a database command refuses; `new` starts a project that later commands find', (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'nl-fresh-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assertOutsideAnyProject(dir);
  const refused = cli(dir, ['subscribers', 'add', 'a@example.org']);
  assert.equal(refused.status, 1);
  assert.match(refused.err, /^newsletter: no newsletter\.yaml in .* or any folder above it: run this in the project folder/m);
  assert.deepEqual(readdirSync(dir), [], 'nothing made');
  for (const args of [['status'], ['subscribers', 'list'], ['bounces', 'x.eml']]) assert.equal(cli(dir, args).status, 1, args.join(' '));
  assert.deepEqual(readdirSync(dir), [], 'still nothing made');

  const started = cli(dir, ['new', 'Hello World', '--date', '2026-10-01']);
  assert.equal(started.status, 0, started.err);
  assert.match(started.out, /Created newsletter\.yaml/);
  assert.deepEqual(readdirSync(dir).sort(), ['issues', 'newsletter.yaml']);
  mkdirSync(join(dir, 'issues', 'drafts'));
  assert.equal(cli(join(dir, 'issues', 'drafts'), ['subscribers', 'add', 'a@example.org']).status, 0);
  assert.equal(existsSync(join(dir, 'data', 'newsletter.db')), true, 'found from two folders down');
  const again = cli(join(dir, 'issues'), ['new', 'Second', '--date', '2026-10-02']);
  assert.doesNotMatch(again.out, /Created newsletter\.yaml/, 'an existing project is not started again');
  assert.equal(existsSync(join(dir, 'issues', '2026-10-02-second.md')), true);
  assert.equal(existsSync(join(dir, 'issues', 'issues')), false);
});
