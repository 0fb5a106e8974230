import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, type PathLike } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomically } from '../../src/core/atomic-write.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nl-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.tmp-'));

test('writeFilesAtomically creates the folder, writes every file (strings and Buffers) and leaves no temp files', async (t) => {
  const dir = join(tempDir(t), 'dist', 'slug');
  await writeFilesAtomically(dir, {
    'email.html': '<p>Привет 👋 “quotes”</p>',
    'email.txt': Buffer.from('plain text\n'),
    'meta.json': '{"ok":true}\n',
  });
  assert.deepEqual(readdirSync(dir).sort(), ['email.html', 'email.txt', 'meta.json']);
  assert.equal(readFileSync(join(dir, 'email.html'), 'utf8'), '<p>Привет 👋 “quotes”</p>');
  assert.equal(readFileSync(join(dir, 'email.txt'), 'utf8'), 'plain text\n');
  assert.equal(readFileSync(join(dir, 'meta.json'), 'utf8'), '{"ok":true}\n');
});

test('writeFilesAtomically replaces existing files by rename (a reader never sees a half-written file)', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.txt'), 'old a');
  const before = statSync(join(dir, 'a.txt')).ino;
  await writeFilesAtomically(dir, { 'a.txt': 'new a', 'b.txt': 'new b' });
  assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'new a');
  assert.equal(readFileSync(join(dir, 'b.txt'), 'utf8'), 'new b');
  assert.notEqual(statSync(join(dir, 'a.txt')).ino, before, 'replaced by a new file, not rewritten in place');
  assert.deepEqual(leftovers(dir), []);
});

test('a failed write leaves the earlier files of the set untouched and no temp files behind', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'email.html'), 'old html');
  writeFileSync(join(dir, 'email.txt'), 'old text');
  // The last file of the set cannot be written: a folder is in the way.
  mkdirSync(join(dir, 'meta.json'));
  writeFileSync(join(dir, 'meta.json', 'keep'), 'x');
  await assert.rejects(
    writeFilesAtomically(dir, { 'email.html': 'new html', 'email.txt': 'new text', 'new.txt': 'new', 'meta.json': '{}' }),
  );
  assert.equal(readFileSync(join(dir, 'email.html'), 'utf8'), 'old html', 'email.html must not be half-replaced');
  assert.equal(readFileSync(join(dir, 'email.txt'), 'utf8'), 'old text', 'email.txt must not be half-replaced');
  assert.ok(statSync(join(dir, 'meta.json')).isDirectory());
  assert.deepEqual(readdirSync(dir).sort(), ['email.html', 'email.txt', 'meta.json'], 'no temp files, no new file of the failed set');
});

test('a write that fails before any rename (a missing sub-folder) cleans up its temp files', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.txt'), 'old a');
  await assert.rejects(writeFilesAtomically(dir, { 'a.txt': 'new a', 'missing/b.txt': 'b' }), { code: 'ENOENT' });
  assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'old a');
  assert.deepEqual(readdirSync(dir), ['a.txt']);
});

test('when a rename fails half-way, the files already replaced get their previous versions back', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'email.html'), 'old html');
  writeFileSync(join(dir, 'email.txt'), 'old text');
  // Fail the third rename (after email.html and email.txt were replaced), as a full disk or I/O error would.
  const realRename = fsp.rename;
  let calls = 0;
  fsp.rename = (async (from: PathLike, to: PathLike) => {
    calls++;
    if (calls === 3) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
    return realRename(from, to);
  }) as typeof fsp.rename;
  syncBuiltinESMExports();
  t.after(() => {
    fsp.rename = realRename;
    syncBuiltinESMExports();
  });
  await assert.rejects(writeFilesAtomically(dir, { 'email.html': 'new html', 'email.txt': 'new text', 'meta.json': '{}' }), { code: 'EIO' });
  assert.equal(calls >= 3, true, 'the stubbed rename was used');
  assert.equal(readFileSync(join(dir, 'email.html'), 'utf8'), 'old html');
  assert.equal(readFileSync(join(dir, 'email.txt'), 'utf8'), 'old text');
  assert.deepEqual(readdirSync(dir).sort(), ['email.html', 'email.txt']);
});
