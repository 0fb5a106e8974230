import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIssue } from '../../src/issue/parse.ts';
import { runCli, tempProject } from '../support/fixtures.ts';

const TITLE = 'Ceasefire Talks: What’s Next?';
const DEFAULTS = { author: 'Mara Ellison', layout: 'newsletter' };

/** Today's date as `new` computes it (local time). */
function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const issues = (dir: string) => readdirSync(join(dir, 'issues')).sort();

test('new "Title" creates issues/<today>-<slug>.md whose front matter parses and which builds', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const before = today();
  const run = runCli(['new', TITLE], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  // Midnight may pass while the command runs.
  const date = existsSync(join(dir, 'issues', `${before}-ceasefire-talks-whats-next.md`)) ? before : today();
  const file = `issues/${date}-ceasefire-talks-whats-next.md`;
  assert.ok(existsSync(join(dir, file)), `${file} exists; issues/ holds ${issues(dir).join(', ')}`);
  assert.match(run.stdout, new RegExp(file.replace(/[.]/g, '\\.')));
  assert.deepEqual(issues(dir), [`${date}-ceasefire-talks-whats-next.md`]);

  const parsed = parseIssue(file, readFileSync(join(dir, file), 'utf8'), DEFAULTS);
  assert.deepEqual(parsed.diagnostics, []);
  assert.ok(parsed.issue);
  assert.equal(parsed.issue.title, TITLE, 'the title is kept exactly');
  assert.equal(parsed.issue.subject, TITLE);
  assert.equal(parsed.issue.date, date);
  assert.equal(parsed.issue.status, 'draft');
  assert.equal(parsed.issue.slug, 'ceasefire-talks-whats-next');

  const built = runCli(['build'], dir);
  assert.equal(built.status, 0, built.stdout + built.stderr);
  const meta = JSON.parse(readFileSync(join(dir, 'dist', 'ceasefire-talks-whats-next', 'meta.json'), 'utf8')) as { title: string; status: string };
  assert.equal(meta.title, TITLE);
  assert.equal(meta.status, 'draft');
  assert.match(readFileSync(join(dir, 'dist', 'ceasefire-talks-whats-next', 'email.html'), 'utf8'), /Ceasefire Talks: What’s Next\?/);

  const checked = runCli(['check'], dir);
  assert.equal(checked.status, 0, checked.stdout + checked.stderr);
  assert.equal(checked.stdout.trim(), '', 'a new issue has nothing to warn about');
});

test('new --date uses that date; titles needing YAML quoting keep every character', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const title = 'Yes: "quotes", #hash, a \\ backslash & {{braces}}';
  const run = runCli(['new', title, '--date', '2024-02-29'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const file = 'issues/2024-02-29-yes-quotes-hash-a-backslash-braces.md';
  const parsed = parseIssue(file, readFileSync(join(dir, file), 'utf8'), DEFAULTS);
  assert.ok(parsed.issue, JSON.stringify(parsed.diagnostics));
  assert.equal(parsed.issue.title, title);
  assert.equal(parsed.issue.date, '2024-02-29');
});

test('new --date with a date that does not exist is rejected with exit code 2 and writes nothing', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  for (const date of ['2026-02-30', '2026-13-01', '26-01-01', 'tomorrow']) {
    const run = runCli(['new', TITLE, '--date', date], dir);
    assert.equal(run.status, 2, `${date}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${date}.*YYYY-MM-DD`, 's'));
  }
  assert.deepEqual(issues(dir), []);
});

test('new refuses to overwrite an existing issue: exit 1, file unchanged', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const file = join(dir, 'issues', '2026-11-25-ceasefire-talks-whats-next.md');
  assert.equal(runCli(['new', TITLE, '--date', '2026-11-25'], dir).status, 0);
  writeFileSync(file, 'the writer’s draft');
  const run = runCli(['new', TITLE, '--date', '2026-11-25'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /issues\/2026-11-25-ceasefire-talks-whats-next\.md already exists/);
  assert.equal(readFileSync(file, 'utf8'), 'the writer’s draft');
  assert.deepEqual(issues(dir), ['2026-11-25-ceasefire-talks-whats-next.md']);
});

test('new rejects an empty, blank or multi-line title and writes nothing', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  for (const title of ['', '   ', 'Line one\nLine two', '!!! ???']) {
    const run = runCli(['new', title], dir);
    assert.notEqual(run.status, 0, JSON.stringify(title));
    assert.match(run.stderr, /title/, JSON.stringify(title));
  }
  const missing = runCli(['new'], dir);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /missing required argument 'title'/);
  assert.deepEqual(issues(dir), []);
});

test('new creates issues/ when the project has none yet', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  rmSync(join(dir, 'issues'), { recursive: true });
  const run = runCli(['new', 'First Issue', '--date', '2026-01-05'], dir);
  assert.equal(run.status, 0, run.stderr);
  assert.ok(existsSync(join(dir, 'issues', '2026-01-05-first-issue.md')));
});

test('new with a title without any a-z or 0-9 (Cyrillic) says so accurately, exit 2, nothing written', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const run = runCli(['new', 'Новости недели', '--date', '2026-01-05'], dir);
  assert.equal(run.status, 2, run.stderr);
  // Not "no letters": Cyrillic letters are letters; file names (and slugs) take only a-z, 0-9 and hyphens.
  assert.match(run.stderr, /a-z/);
  assert.deepEqual(issues(dir), []);
});
