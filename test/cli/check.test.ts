import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueText, ROOT, runCli, tempProject } from '../support/fixtures.ts';

// issueText puts the body on line 7: ---, title, date, status, ---, blank line, body.
const WARN = 'issues/2026-10-01-insecure-link.md';
const WARN_TEXT = issueText('An opening paragraph for the preheader.\n\nRead [the report](http://example.org/report) today.');
const WARN_LINE = 9;

const BAD = 'issues/2026-10-02-unknown-key.md';
// Line 4 holds the misspelt key (line 1 is the opening ---).
const BAD_TEXT = issueText('Body text.', 'title: A bad issue\ndate: 2026-10-02\nsubtitel: A typo\nstatus: ready');
const BAD_LINE = 4;

const CLEAN = 'issues/2026-10-03-clean.md';
const CLEAN_TEXT = issueText('A clean issue with a [secure link](https://example.org/).', 'title: Clean\ndate: 2026-10-03\npreheader: All good.');

/** `file:line severity rule message` */
const LINE = /^(\S+):(\d+) (error|warning|info) (\S+) (.+)$/;

interface JsonDiagnostic {
  file: string;
  line: number;
  severity: string;
  rule: string;
  message: string;
}

test('check prints each diagnostic as file:line severity rule message and exits 0 on warnings only', (t) => {
  const { dir, cleanup } = tempProject({ [WARN]: WARN_TEXT, [CLEAN]: CLEAN_TEXT });
  t.after(cleanup);
  const run = runCli(['check'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.ok(lines.length >= 1, run.stdout);
  for (const line of lines) assert.match(line, LINE);
  assert.ok(lines.includes(`${WARN}:${WARN_LINE} warning links/http insecure link http://example.org/report: use https`), run.stdout);
  assert.ok(!run.stdout.includes(CLEAN), 'a clean issue prints nothing');
  assert.equal(existsSync(join(dir, 'dist')), false, 'check writes nothing');
});

test('check exits 1 on errors and names the file, line and rule', (t) => {
  const { dir, cleanup } = tempProject({ [WARN]: WARN_TEXT, [BAD]: BAD_TEXT, [CLEAN]: CLEAN_TEXT });
  t.after(cleanup);
  const run = runCli(['check'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const lines = run.stdout.trim().split('\n');
  for (const line of lines) assert.match(line, LINE);
  const bad = lines.find((l) => l.startsWith(`${BAD}:`));
  assert.ok(bad, run.stdout);
  assert.match(bad, new RegExp(`^${BAD}:${BAD_LINE} error front-matter/unknown-key .*subtitel.*subtitle`));
  assert.ok(lines.some((l) => l.startsWith(`${WARN}:${WARN_LINE} warning links/http`)), 'warnings of other files still printed');
});

test('check <file> checks only that file; a missing file is an error naming it', (t) => {
  const { dir, cleanup } = tempProject({ [WARN]: WARN_TEXT, [BAD]: BAD_TEXT });
  t.after(cleanup);
  const one = runCli(['check', WARN], dir);
  assert.equal(one.status, 0, one.stdout + one.stderr);
  assert.ok(!one.stdout.includes(BAD));
  const missing = runCli(['check', 'issues/nope.md'], dir);
  assert.equal(missing.status, 1);
  assert.match(missing.stdout + missing.stderr, /issues\/nope\.md:\d+ error \S+ .*(no such file|not found|ENOENT)/i);
});

test('check --json prints a JSON array of diagnostics with file, line, severity, rule and message', (t) => {
  const { dir, cleanup } = tempProject({ [WARN]: WARN_TEXT, [BAD]: BAD_TEXT, [CLEAN]: CLEAN_TEXT });
  t.after(cleanup);
  const run = runCli(['check', '--json'], dir);
  assert.equal(run.status, 1, run.stderr);
  const list = JSON.parse(run.stdout) as JsonDiagnostic[];
  assert.ok(Array.isArray(list));
  assert.ok(list.length >= 2);
  for (const d of list) {
    assert.equal(typeof d.file, 'string');
    assert.equal(typeof d.line, 'number');
    assert.ok(['error', 'warning', 'info'].includes(d.severity), d.severity);
    assert.equal(typeof d.rule, 'string');
    assert.equal(typeof d.message, 'string');
    assert.ok(!d.file.startsWith('/'), 'paths are relative to the project');
  }
  assert.ok(list.some((d) => d.file === BAD && d.line === BAD_LINE && d.severity === 'error' && d.rule === 'front-matter/unknown-key'));
  assert.ok(list.some((d) => d.file === WARN && d.line === WARN_LINE && d.severity === 'warning' && d.rule === 'links/http'));

  const clean = runCli(['check', '--json', CLEAN], dir);
  assert.equal(clean.status, 0, clean.stderr);
  assert.deepEqual(JSON.parse(clean.stdout), []);
});

test('check reports a template diagnostic once, not once per issue using the template', (t) => {
  const { dir, cleanup } = tempProject({ [WARN]: WARN_TEXT, [CLEAN]: CLEAN_TEXT, 'issues/2026-10-04-third.md': CLEAN_TEXT.replace('title: Clean', 'title: Third') });
  t.after(cleanup);
  // border-radius in the writer's own CSS is unsupported by Outlook on Windows: a compatibility warning on the template.
  const head = join(dir, 'templates', 'partials', 'head.mjml.hbs');
  writeFileSync(head, readFileSync(head, 'utf8').replace('</mj-head>', '  <mj-style>\n    .card { border-radius: 8px; }\n  </mj-style>\n</mj-head>'));
  const run = runCli(['check'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = run.stdout.trim().split('\n');
  const template = lines.filter((l) => l.startsWith('templates/'));
  assert.ok(template.length >= 1, `a template diagnostic is expected:\n${run.stdout}`);
  assert.ok(template.every((l) => l.startsWith('templates/partials/head.mjml.hbs:') && / warning /.test(l)), template.join('\n'));
  assert.deepEqual(lines, [...new Set(lines)], 'no line printed twice');

  const json = JSON.parse(runCli(['check', '--json'], dir).stdout) as JsonDiagnostic[];
  const keys = json.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`);
  assert.deepEqual(keys, [...new Set(keys)], 'no diagnostic repeated in --json either');
  assert.equal(json.filter((d) => d.file.startsWith('templates/')).length, template.length);
});

test('check stays quiet on the repository\'s own sample issues', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  cpSync(join(ROOT, 'issues'), join(dir, 'issues'), { recursive: true });
  const run = runCli(['check'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.equal(run.stdout.trim(), '', 'no diagnostics on the samples');
});

// ── Encodings (issue 12, finding 9): no Latin-1 text silently turned into U+FFFD ──────────────────────────────────

const LATIN1 = 'issues/2026-10-04-cafe.md';
/** Windows-1252 bytes: "é" (0xE9) on line 2 ("title: Le Café du Coin"), column 14. */
const LATIN1_BYTES = Buffer.from(issueText('Un caf\u00e9, il pla\u00eet.', 'title: Le Caf\u00e9 du Coin\ndate: 2026-10-04'), 'latin1');

test('check: an issue in Windows-1252 is an error with its line, column and the iconv command; other issues still checked', (t) => {
  const { dir, cleanup } = tempProject({ [CLEAN]: CLEAN_TEXT, [BAD]: BAD_TEXT });
  t.after(cleanup);
  writeFileSync(join(dir, LATIN1), LATIN1_BYTES);
  const run = runCli(['check'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const line = run.stdout.split('\n').find((l) => l.startsWith(`${LATIN1}:`));
  assert.equal(
    line,
    `${LATIN1}:2 error file/encoding not UTF-8 text: byte 0xE9 at line 2, column 14 is not valid UTF-8; the file looks like Latin-1 / Windows-1252, where it is "é". ` +
      `Save it as UTF-8 (or UTF-16 with a BOM), or convert it: iconv -f WINDOWS-1252 -t UTF-8 ${LATIN1} > ${LATIN1.replace('.md', '.utf8.md')}`,
  );
  assert.ok(run.stdout.includes(`${BAD}:${BAD_LINE} error front-matter/unknown-key`), 'the other issues are still checked');
  assert.doesNotMatch(run.stdout, /\uFFFD/);
});

test('check: an issue saved as UTF-16 with a BOM is read like UTF-8', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  const text = issueText('Un café, s’il vous plaît. [Lien](https://example.org/)', 'title: Le Café du Coin\ndate: 2026-10-04\npreheader: Zoé.');
  writeFileSync(join(dir, 'issues/2026-10-04-utf16.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')]));
  const run = runCli(['check', '--json'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual((JSON.parse(run.stdout) as JsonDiagnostic[]).filter((d) => d.severity === 'error'), []);
});

test('check: a config or a template in Windows-1252 is an error naming that file and line', (t) => {
  const { dir, cleanup } = tempProject({ [CLEAN]: CLEAN_TEXT });
  t.after(cleanup);
  writeFileSync(join(dir, 'newsletter.yaml'), Buffer.from('name: Le Caf\u00e9\n', 'latin1'));
  const config = runCli(['check'], dir);
  assert.equal(config.status, 1);
  assert.match(config.stdout + config.stderr, /newsletter\.yaml:1 error file\/encoding not UTF-8 text: byte 0xE9 at line 1, column 13 .*Windows-1252.*iconv -f WINDOWS-1252 -t UTF-8 newsletter\.yaml > newsletter\.utf8\.yaml/);
  cpSync(join(ROOT, 'newsletter.yaml'), join(dir, 'newsletter.yaml'));
  const footer = join(dir, 'templates/partials/footer.mjml.hbs');
  writeFileSync(footer, Buffer.concat([readFileSync(footer), Buffer.from('\n<!-- caf\u00e9 -->\n', 'latin1')]));
  const template = runCli(['check'], dir);
  assert.equal(template.status, 1);
  assert.match(template.stdout + template.stderr, /templates\/partials\/footer\.mjml\.hbs:\d+ error file\/encoding not UTF-8 text: byte 0xE9/);
});
