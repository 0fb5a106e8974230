/** `newsletter subscribers import` and `export` (issue 5; HOSTILE-INPUTS 14-16). */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../../src/subscribers/csv-read.ts';
import { ROOT } from '../support/fixtures.ts';

function cli(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'nl-import-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'subscribers', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NEWSLETTER_DB: join(dir, 'list.db') },
      maxBuffer: 64 * 1024 * 1024,
      // Only a hang fails here, never a slow machine: the biggest import takes a second or two (issue 12, finding 18).
      timeout: 200_000,
    });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  return { dir, run };
}

/** 10,000 data rows (lines 2..10001) with a BOM and CRLF; bad rows at lines 2, 5001 and 9999; case-variant repeats. */
function tenThousand(): string {
  const lines = ['\uFEFFEmail Address,First Name,Last Name,City'];
  for (let line = 2; line <= 10_001; line++) {
    if (line === 2) lines.push('"unterminated@example.com,Ann,Lee,Leeds');
    else if (line === 5001) lines.push('extra@example.com,Bo,Ng,Bath,EXTRA');
    else if (line === 9999) lines.push('not-an-address,Cy,Oh,York');
    else if (line === 7000) lines.push('READER5000@EXAMPLE.COM,Dup,Case,Hull'); // repeats line 6000's address
    else lines.push(`reader${line - 1000}@example.com,Reader,${line},"Town, ${line % 7}"`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

const counts = (out: string) => {
  const m = /([\d,]+) imported \+ ([\d,]+) updated \+ ([\d,]+) duplicates \+ ([\d,]+) rejected = ([\d,]+) rows/.exec(out);
  assert.ok(m, out);
  const [imported, updated, duplicates, rejected, rows] = m.slice(1).map((v) => Number(v.replace(/,/g, ''))) as [number, number, number, number, number];
  assert.equal(imported + updated + duplicates + rejected, rows, 'the counts add up');
  return { imported, updated, duplicates, rejected, rows };
};

test('import: one bad row and nothing is imported; every bad line is listed', (t) => {
  const { dir, run } = cli(t);
  writeFileSync(join(dir, 'list.csv'), tenThousand());
  const r = run('import', 'list.csv');
  assert.equal(r.status, 1);
  assert.match(r.err, /^list\.csv:2 a quote opened on line 2 is never closed$/m);
  assert.match(r.err, /^list\.csv:5001 has 5 cells; the header has 4$/m);
  assert.match(r.err, /^list\.csv:9999 "not-an-address" /m);
  assert.match(r.err, /3 bad rows of 10,000: nothing imported/);
  assert.match(run('count').out, /total\s+0/);
});

test('import --partial: the good rows, the counts adding up, rejects written next to the input; a re-import changes nothing', (t) => {
  const { dir, run } = cli(t);
  writeFileSync(join(dir, 'list.csv'), tenThousand());
  const first = run('import', 'list.csv', '--partial');
  assert.equal(first.status, 0, first.err);
  assert.deepEqual(counts(first.out), { imported: 9996, updated: 0, duplicates: 1, rejected: 3, rows: 10000 });
  const rejected = parseCsv(readFileSync(join(dir, 'list.rejected.csv'), 'utf8'));
  assert.deepEqual(rejected.rows.map((r) => r.cells[0]), ['2', '5001', '9999']);
  assert.match(run('show', 'reader5000@example.com').out, /\(Reader 6000\)/, 'first and last name joined; the first of a repeated address wins');
  assert.match(run('show', 'reader5000@example.com').out, /City: Town, 1/, 'other columns kept as attributes');
  const second = run('import', 'list.csv', '--partial');
  assert.deepEqual(counts(second.out), { imported: 0, updated: 0, duplicates: 9997, rejected: 3, rows: 10000 });
});

test('import: a control character in a name rejects that row, naming the character and its line (issue 12, finding 10)', (t) => {
  const { dir, run } = cli(t);
  writeFileSync(join(dir, 'names.csv'), 'email,name\nada@example.com,Ada Lovelace\nbob@example.com,"Bob\tBrown"\ncy@example.com,Cy\u001b[1m\ndi@example.com,"Di\nBcc: x@evil.example"\n');
  const r = run('import', 'names.csv');
  assert.equal(r.status, 1);
  assert.match(r.err, /^names\.csv:3 the name contains TAB \(U\+0009\) at character 4$/m);
  assert.match(r.err, /^names\.csv:4 the name contains ESC \(U\+001B\) at character 3$/m);
  assert.match(r.err, /^names\.csv:5 the name contains a line break, LF \(U\+000A\) at character 3$/m);
  assert.match(run('count').out, /total\s+0/);
});

// ── Encodings (issue 12, finding 9): UTF-8 or UTF-16 with a BOM; anything else refused with its line ──────────────

/** Windows-1252 bytes of Latin-1 text: "é" is the single byte 0xE9, which UTF-8 would turn into U+FFFD. */
const latin1 = (text: string) => Buffer.from(text, 'latin1');

test('import: a Windows-1252 CSV is refused with the line and column of the first bad byte and how to convert it; nothing imported', (t) => {
  const { dir, run } = cli(t);
  writeFileSync(join(dir, 'export.csv'), latin1('email,name\r\nada@example.com,Ada\r\nzoe@example.com,Zoé Dupré\r\n'));
  const r = run('import', 'export.csv');
  assert.equal(r.status, 1);
  assert.match(r.err, /^export\.csv:3 not UTF-8 text: byte 0xE9 at line 3, column 19 is not valid UTF-8; the file looks like Latin-1 \/ Windows-1252, where it is "é"/m);
  assert.ok(r.err.includes('iconv -f WINDOWS-1252 -t UTF-8 export.csv > export.utf8.csv'), r.err);
  assert.match(r.err, /nothing imported/);
  assert.match(run('count').out, /total\s+0/);
  assert.ok(!existsSync(join(dir, 'export.rejected.csv')));
});

test('import: UTF-16 with a BOM (little- and big-endian, as spreadsheets save "Unicode text") imports with every accent', (t) => {
  const { dir, run } = cli(t);
  const text = 'email,name\r\nzoe@example.com,Zoé Dupré\r\nli@example.com,李小龍\r\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le);
  be.swap16();
  writeFileSync(join(dir, 'le.csv'), le);
  writeFileSync(join(dir, 'be.csv'), be);
  const first = run('import', 'le.csv');
  assert.equal(first.status, 0, first.err);
  assert.equal(counts(first.out).imported, 2);
  assert.match(run('show', 'zoe@example.com').out, /\(Zoé Dupré\)/);
  assert.match(run('show', 'li@example.com').out, /\(李小龍\)/);
  assert.deepEqual(counts(run('import', 'be.csv').out), { imported: 0, updated: 0, duplicates: 2, rejected: 0, rows: 2 }, 'the same list, read the same');
});

test('import: an unsubscribed, bounced or complained address is never reactivated', (t) => {
  const { dir, run } = cli(t);
  assert.equal(run('add', 'gone@example.com', '--confirmed').status, 0);
  assert.equal(run('remove', 'gone@example.com').status, 0);
  writeFileSync(join(dir, 'again.csv'), 'email,name\nGONE@example.com,Gone Again\nnew@example.com,New\n');
  const r = run('import', 'again.csv');
  assert.deepEqual(counts(r.out), { imported: 1, updated: 1, duplicates: 0, rejected: 0, rows: 2 });
  assert.match(run('show', 'gone@example.com').out, /: unsubscribed$/m);
  assert.match(run('list', '--status', 'active').out, /new@example\.com/);
  assert.doesNotMatch(run('list', '--status', 'active').out, /gone@example\.com/i);
});

test('import --dry-run counts and changes nothing', (t) => {
  const { dir, run } = cli(t);
  writeFileSync(join(dir, 'few.csv'), 'E-mail\na@example.com\nb@example.com\n');
  const r = run('import', 'few.csv', '--dry-run');
  assert.match(r.out, /^Dry run, nothing changed: 2 imported/);
  assert.match(run('count').out, /total\s+0/);
  assert.equal(existsSync(join(dir, 'few.rejected.csv')), false);
});

const EXPORTED = ['email', 'name', 'status', 'source', 'created_at', 'confirmed_at', 'unsubscribed_at'];
/** Tags and consent on record (issue 16), after the fixed columns. */
const AUDIENCE = ['tags', 'consent_source', 'opted_in_at', 'consent_ip', 'consent_evidence'];

test('export: CSV of the list, with cells a spreadsheet would run as formulas neutralised', (t) => {
  const { run } = cli(t);
  for (const [email, name] of [
    ['f1@example.com', '=HYPERLINK("http://evil.example","click")'],
    ['f2@example.com', '+1'],
    ['f3@example.com', '-2'],
    ['f4@example.com', '@SUM(A1)'],
    ['f5@example.com', 'Ada, "the Countess"'],
  ]) {
    assert.equal(run('add', email!, '--name', name!, '--confirmed').status, 0);
  }
  const exported = parseCsv(run('export').out);
  assert.deepEqual(exported.header, [...EXPORTED, ...AUDIENCE]);
  assert.deepEqual(exported.rows.map((r) => r.cells[1]), ["'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1", "'-2", "'@SUM(A1)", 'Ada, "the Countess"']);
  assert.equal(parseCsv(run('export', '--status', 'pending').out).rows.length, 0);
});

test('export then import: every attribute and every address comes back unchanged; other formula-like cells stay neutralised', (t) => {
  const { dir, run } = cli(t);
  writeFileSync(
    join(dir, 'moved.csv'),
    [
      'Email,Name,City,Plan,Note',
      '=x@example.com,Eq Address,Leeds,gold,',
      "+1@example.com,=1+1,-Bath,@pro,'quoted",
      "'q@example.com,'Apostrophe,\"\tTabbed\",+44,",
      'plain@example.com,Plain,,,"a, b"',
    ].join('\n') + '\n',
  );
  assert.equal(run('import', 'moved.csv').status, 0);
  assert.equal(run('remove', '+1@example.com').status, 0);
  assert.equal(run('add', 'pending@example.com').status, 0);
  const before = JSON.parse(run('list', '--json').out) as { email: string; name: string; status: string; attributes: Record<string, string> }[];
  assert.deepEqual(
    before.map((s) => [s.email, s.name, s.status, s.attributes]),
    [
      ['=x@example.com', 'Eq Address', 'active', { City: 'Leeds', Plan: 'gold' }],
      ['+1@example.com', '=1+1', 'unsubscribed', { City: '-Bath', Plan: '@pro', Note: "'quoted" }],
      ["'q@example.com", "'Apostrophe", 'active', { City: 'Tabbed', Plan: '+44' }],
      ['plain@example.com', 'Plain', 'active', { Note: 'a, b' }],
      ['pending@example.com', '', 'pending', {}],
    ],
  );
  const text = run('export').out;
  const exported = parseCsv(text);
  assert.deepEqual(exported.header, [...EXPORTED, ...AUDIENCE, 'City', 'Plan', 'Note']);
  const cells = exported.rows.map((r) => r.cells);
  assert.deepEqual(cells.map((c) => c[0]), ['=x@example.com', '+1@example.com', "'q@example.com", 'plain@example.com', 'pending@example.com'], 'addresses as they are');
  assert.deepEqual(cells[1]!.slice(EXPORTED.length + AUDIENCE.length), ["'-Bath", "'@pro", "''quoted"], 'formula-like attribute cells neutralised');
  assert.equal(cells[1]![1], "'=1+1", 'a formula-like name neutralised');
  for (const row of cells) for (const cell of row.slice(1)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/);
  // The same list again: nothing to do.
  writeFileSync(join(dir, 'export.csv'), text);
  const again = run('import', 'export.csv');
  assert.equal(again.status, 0, again.err);
  assert.match(again.out, /0 imported \+ 0 updated \+ 5 duplicates \+ 0 rejected = 5 rows/);
  assert.deepEqual(JSON.parse(run('list', '--json').out), before, 'nothing changed');
  // Into an empty list (a backup restored): the same addresses, names, statuses and attributes, and none of the
  // bookkeeping columns as attributes; whoever had left or never confirmed is not made active.
  rmSync(join(dir, 'list.db'));
  const fresh = run('import', 'export.csv');
  assert.equal(fresh.status, 0, fresh.err);
  assert.match(fresh.out, /5 imported/);
  const after = JSON.parse(run('list', '--json').out) as typeof before;
  assert.deepEqual(after.map((s) => [s.email, s.name, s.status, s.attributes]), before.map((s) => [s.email, s.name, s.status, s.attributes]));
});

// No wall-clock bound (issue 12, finding 18): speed is for benchmarks; the run's timeout above catches a hang.
test('import: 100,000 rows, with progress on the way', (t) => {
  const { dir, run } = cli(t);
  const lines = ['email,name'];
  for (let i = 0; i < 100_000; i++) lines.push(`person${i}@example.org,Person ${i}`);
  writeFileSync(join(dir, 'big.csv'), `${lines.join('\n')}\n`);
  const r = run('import', 'big.csv');
  assert.equal(r.status, 0, r.err);
  assert.equal(counts(r.out).imported, 100_000);
  assert.match(r.err, /^Importing: 50,000 of 100,000 rows$/m, 'progress as it goes');
  assert.match(r.err, /^Importing: 100,000 of 100,000 rows$/m);
});
