/** Finding the project a command runs in (issue 12, finding 12): the nearest newsletter.yaml upwards, as git does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment } from '../../src/config/environment.ts';
import { databaseRefusal, findProject } from '../../src/project/root.ts';
import { databaseFile } from '../../src/store/database-path.ts';
import { assertOutsideAnyProject } from '../support/outside-project.ts';

/** The database file a command opens, from the environment as `newsletter` reads it. */
const databasePath = (root: string, env: NodeJS.ProcessEnv) => databaseFile(root, readEnvironment(env).databasePath);

function folders(t: { after: (fn: () => void) => void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'nl-root-')));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assertOutsideAnyProject(dir);
  return dir;
}

test('findProject: the nearest folder upwards holding newsletter.yaml, from the folder itself or any below it', (t) => {
  const dir = folders(t);
  const project = join(dir, 'letter');
  mkdirSync(join(project, 'issues', 'images', 'deep'), { recursive: true });
  writeFileSync(join(project, 'newsletter.yaml'), 'name: Letter\n');
  for (const cwd of [project, join(project, 'issues'), join(project, 'issues', 'images', 'deep')]) {
    assert.deepEqual(findProject(cwd), { root: project, cwd, found: true }, cwd);
  }
  // A project inside another: the nearest one wins.
  const inner = join(project, 'issues', 'images');
  writeFileSync(join(inner, 'newsletter.yaml'), '');
  assert.equal(findProject(join(inner, 'deep')).root, inner);
  // A folder named newsletter.yaml is not a config.
  const odd = join(dir, 'odd');
  mkdirSync(join(odd, 'newsletter.yaml'), { recursive: true });
  assert.equal(findProject(odd).found, false);
});

test('findProject: with no newsletter.yaml anywhere above, the current folder, marked as not found', (t) => {
  const dir = folders(t);
  const cwd = join(dir, 'somewhere');
  mkdirSync(cwd);
  assert.deepEqual(findProject(cwd), { root: cwd, cwd, found: false });
});

test('databaseRefusal: outside a project, no new database is made unless NEWSLETTER_DB names it', (t) => {
  const dir = folders(t);
  const outside = findProject(dir);
  assert.match(databaseRefusal(outside, readEnvironment({})) ?? '', /run this in the project folder/);
  assert.equal(databaseRefusal(outside, readEnvironment({ NEWSLETTER_DB: '/srv/list.db' })), null);
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'newsletter.db'), '');
  assert.equal(databaseRefusal(outside, readEnvironment({})), null, 'an existing database here is used, as before');
  writeFileSync(join(dir, 'newsletter.yaml'), '');
  assert.equal(databaseRefusal(findProject(dir), readEnvironment({})), null);
});

test('databasePath: a relative NEWSLETTER_DB is relative to the project root', () => {
  assert.equal(databasePath('/srv/letter', {}), '/srv/letter/data/newsletter.db');
  assert.equal(databasePath('/srv/letter', { NEWSLETTER_DB: 'lists/main.db' }), '/srv/letter/lists/main.db');
  assert.equal(databasePath('/srv/letter', { NEWSLETTER_DB: ' /var/lib/letter.db ' }), '/var/lib/letter.db');
  assert.equal(databasePath('/srv/letter', { NEWSLETTER_DB: ':memory:' }), ':memory:');
});
