/** `newsletter init [folder]` (issue 14): a new newsletter that works from the first command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/fixtures.ts';
import { assertOutsideAnyProject } from '../support/outside-project.ts';

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'nl-init-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('init: a new folder gets config, templates, a sample issue, .gitignore and .env.example; build and check pass there', (t) => {
  const dir = scratch(t);
  assertOutsideAnyProject(dir);
  const made = runCli(['init', 'my-letter'], dir);
  assert.equal(made.status, 0, made.stderr);
  const letter = join(dir, 'my-letter');
  assert.match(made.stdout, /^Created a new newsletter in my-letter:$/m);
  assert.match(made.stdout, /^ {2}cd my-letter$/m);
  assert.deepEqual(readdirSync(letter).sort(), ['.env.example', '.gitignore', 'issues', 'newsletter.yaml', 'templates']);
  // The templates are the package's defaults, copied so that they are the writer's to change.
  assert.equal(readFileSync(join(letter, 'templates/layouts/newsletter.mjml.hbs'), 'utf8'), readFileSync(join(ROOT, 'templates/layouts/newsletter.mjml.hbs'), 'utf8'));
  assert.ok(existsSync(join(letter, 'templates/emails/confirmation.mjml.hbs')));
  const [issue] = readdirSync(join(letter, 'issues')).filter((f) => f.endsWith('.md'));
  assert.match(issue ?? '', /^\d{4}-\d{2}-\d{2}-welcome\.md$/);
  assert.match(readFileSync(join(letter, '.gitignore'), 'utf8'), /^\.env$/m);
  const env = readFileSync(join(letter, '.env.example'), 'utf8');
  assert.match(env, /^NEWSLETTER_SECRET=$/m, 'a place for the secret, and no secret');
  assert.match(env, /openssl rand -hex 32/);

  const built = runCli(['build'], letter);
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stdout, /1 built, 0 unchanged, 0 failed in [\d.]+ s; 0 errors, 0 warnings/);
  const html = readFileSync(join(letter, 'dist/welcome/email.html'), 'utf8');
  assert.match(html, /Welcome to your newsletter/);
  assert.match(readFileSync(join(letter, 'dist/welcome/email.txt'), 'utf8'), /Dear Sample Reader,/, 'merge tags work: the sample reader is named');
  const checked = runCli(['check'], letter);
  assert.equal(checked.status, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout + checked.stderr, /1 issue checked: 0 errors/);
  // The folder is its own project: the database lands in it, wherever below it a command runs.
  const counted = runCli(['subscribers', 'count'], join(letter, 'issues'));
  assert.equal(counted.status, 0, counted.stderr);
  assert.ok(existsSync(join(letter, 'data', 'newsletter.db')));
});

test('init: a folder that holds anything is refused, naming what is there, and nothing is written; .git alone is fine', (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  mkdirSync(join(dir, 'issues'));
  const refused = runCli(['init'], dir);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^newsletter init: .* is not empty \(issues, notes\.txt\); init makes a new newsletter in an empty or new folder, and writes over nothing$/m);
  assert.deepEqual(readdirSync(dir).sort(), ['issues', 'notes.txt']);
  assert.deepEqual(readdirSync(join(dir, 'issues')), []);
  const again = join(dir, 'repo');
  mkdirSync(join(again, '.git'), { recursive: true });
  const inRepo = runCli(['init', '.'], again);
  assert.equal(inRepo.status, 0, inRepo.stderr);
  assert.match(inRepo.stdout, /^Created a new newsletter in this folder:$/m);
  assert.ok(existsSync(join(again, 'newsletter.yaml')));
  const twice = runCli(['init', 'repo'], dir);
  assert.equal(twice.status, 1, 'an existing newsletter is never written over');
  assert.match(twice.stderr, /is not empty \(\.env\.example, \.gitignore, issues, newsletter\.yaml, templates\)/);
});
