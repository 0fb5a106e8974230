/** The issue file size cap (issue 12, finding 8): a file over 2 MB is refused before any parsing, naming the file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/publish/build.ts';
import { ISSUE_FILE_MAX, parseIssue } from '../../src/issue/parse.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

const FILE = 'issues/2026-10-14-big.md';
const DEFAULTS = { author: 'The Editor', layout: 'newsletter' };

/** An issue of exactly `bytes` UTF-8 bytes: paragraphs of text, padded at the end. */
function issueOfSize(bytes: number, fields?: string): string {
  const head = issueText('', fields);
  const paragraph = 'The council voted on the camera contract again tonight. '.repeat(20).trim() + '\n\n';
  let body = paragraph.repeat(Math.floor((bytes - head.length) / paragraph.length));
  body += 'x'.repeat(bytes - head.length - body.length);
  const source = `${head.slice(0, -1)}${body}\n`;
  return source.slice(0, bytes);
}

test('the cap is 2 MB, in UTF-8 bytes; a file of exactly that size is read', () => {
  assert.equal(ISSUE_FILE_MAX, 2 * 1024 * 1024);
  const source = issueOfSize(ISSUE_FILE_MAX);
  assert.equal(Buffer.byteLength(source), ISSUE_FILE_MAX);
  const parsed = parseIssue(FILE, source, DEFAULTS);
  assert.deepEqual(parsed.diagnostics, []);
  assert.ok(parsed.issue);
});

test('a file one byte over 2 MB is a size/file error on line 1 naming the file, and nothing else is read', () => {
  const parsed = parseIssue(FILE, issueOfSize(ISSUE_FILE_MAX + 1), DEFAULTS);
  assert.equal(parsed.issue, null);
  assert.deepEqual(parsed.diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.rule}`), [`${FILE}:1 error size/file`]);
  assert.match(parsed.diagnostics[0]!.message, /2\.0 MB \(2,097,153 bytes\); at most 2\.0 MB/);
});

test('the cap counts bytes, not characters: 1.5 million two-byte letters are over it', () => {
  const source = issueText('é'.repeat(1_500_000));
  assert.ok(source.length < ISSUE_FILE_MAX);
  assert.deepEqual(parseIssue(FILE, source, DEFAULTS).diagnostics.map((d) => d.rule), ['size/file']);
});

test('the cap comes before the front matter is read: a big file with broken front matter reports only its size', () => {
  const broken = `---\ntitle: [unterminated\n${'x: *alias\n'.repeat(10)}\n${'Body text. '.repeat(300_000)}`;
  assert.ok(Buffer.byteLength(broken) > ISSUE_FILE_MAX);
  assert.deepEqual(parseIssue(FILE, broken, DEFAULTS).diagnostics.map((d) => d.rule), ['size/file']);
});

test('build refuses a file over 2 MB with the error and writes nothing for it; other issues still build', async (t) => {
  const dir = projectFor(t, {
    [FILE]: issueOfSize(ISSUE_FILE_MAX + 1024, 'title: Big\ndate: 2026-10-14\nstatus: ready'),
    'issues/2026-10-15-small.md': issueText('A small issue.', 'title: Small\ndate: 2026-10-15\nstatus: ready'),
  });
  const report = await build({ root: dir, files: [], outDir: 'dist' });
  assert.equal(report.ok, false);
  const big = report.issues.find((i) => i.file === FILE);
  assert.deepEqual(big?.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`), [`${FILE}:1 size/file`]);
  assert.equal(existsSync(join(dir, 'dist', 'big')), false);
  assert.ok(existsSync(join(dir, 'dist', 'small', 'email.html')));
});
