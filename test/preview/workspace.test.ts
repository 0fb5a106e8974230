/** The preview's workspace reads issues through the one decoder (issue 12, finding 9). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Workspace } from '../../src/preview/workspace.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

test('workspace: an issue in Windows-1252 shows its encoding error with the line; saved as UTF-8, it renders', async (t) => {
  const file = 'issues/2026-10-15-cafe.md';
  const dir = projectFor(t);
  const text = issueText('Un café.', 'title: Le Café\ndate: 2026-10-15');
  writeFileSync(join(dir, file), Buffer.from(text, 'latin1'));
  const workspace = new Workspace(dir);
  await workspace.load();
  const bad = await workspace.view(file);
  assert.equal(bad?.rendered, null);
  assert.deepEqual(bad?.diagnostics.map((d) => [d.file, d.line, d.rule]), [[file, 2, 'file/encoding']]);
  assert.match(bad!.diagnostics[0]!.message, /byte 0xE9 at line 2, column 14 .*Windows-1252.*iconv/);
  writeFileSync(join(dir, file), text);
  await workspace.changed([file]);
  const good = await workspace.view(file);
  assert.equal(good?.title, 'Le Café');
  assert.ok(good?.rendered, JSON.stringify(good?.diagnostics));
});
