/** CSV import and export (issue 5; HOSTILE-INPUTS 14 and 16): the hand-written RFC 4180 parser and writer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findColumns, nameOf } from '../../src/subscribers/csv-columns.ts';
import { parseCsv, type CsvRow } from '../../src/subscribers/csv-read.ts';
import { csvLine } from '../../src/subscribers/csv-write.ts';

/** Rows as `[line, ...cells]`, easier to compare at a glance. */
function flat(rows: readonly CsvRow[]): (string | number)[][] {
  return rows.map((row) => [row.line, ...row.cells]);
}

test('a UTF-8 BOM is stripped: the first header cell is exactly "email"', () => {
  const table = parseCsv('\uFEFFemail,name\na@example.com,Ann\n');
  assert.equal(table.header[0], 'email');
  assert.deepEqual(table.header, ['email', 'name']);
  assert.deepEqual(flat(table.rows), [[2, 'a@example.com', 'Ann']]);
  assert.deepEqual(findColumns(table.header), { email: 0, name: 1 });
  // Only a leading BOM is stripped; one inside a cell is data.
  assert.deepEqual(parseCsv('email\nx\uFEFF\n').rows[0]?.cells, ['x\uFEFF']);
});

test('CRLF line ends', () => {
  const table = parseCsv('email,name\r\na@example.com,Ann\r\nb@example.com,Bob\r\n');
  assert.deepEqual(table.header, ['email', 'name']);
  assert.deepEqual(flat(table.rows), [
    [2, 'a@example.com', 'Ann'],
    [3, 'b@example.com', 'Bob'],
  ]);
  assert.deepEqual(table.problems, []);
});

test('lone CR line ends (old Mac exports), also mixed with LF and CRLF', () => {
  const table = parseCsv('email,name\ra@example.com,Ann\rb@example.com,Bob');
  assert.deepEqual(flat(table.rows), [
    [2, 'a@example.com', 'Ann'],
    [3, 'b@example.com', 'Bob'],
  ]);
  const mixed = parseCsv('email,name\r\na@example.com,Ann\rb@example.com,Bob\nc@example.com,Cy\r\n');
  assert.deepEqual(flat(mixed.rows), [
    [2, 'a@example.com', 'Ann'],
    [3, 'b@example.com', 'Bob'],
    [4, 'c@example.com', 'Cy'],
  ]);
  assert.deepEqual(mixed.problems, []);
});

test('quoted cells: commas, doubled quotes, line breaks inside; line numbers stay right afterwards', () => {
  const text = [
    'email,name,note',
    'a@example.com,"Smith, Ann","she said ""hi"""',
    'b@example.com,"Bob',
    'Builder","two\r\nbreaks\rthree"',
    'c@example.com,"",""""',
    'd@example.com,Dee,un"quoted',
    '',
  ].join('\n');
  const table = parseCsv(text);
  assert.deepEqual(table.problems, []);
  assert.deepEqual(flat(table.rows), [
    [2, 'a@example.com', 'Smith, Ann', 'she said "hi"'],
    [3, 'b@example.com', 'Bob\nBuilder', 'two\r\nbreaks\rthree'],
    // The record above spans physical lines 3-6 (LF, CRLF, CR), so this one starts on line 7.
    [7, 'c@example.com', '', '"'],
    // A quote inside an unquoted cell is kept as written, as spreadsheets do.
    [8, 'd@example.com', 'Dee', 'un"quoted'],
  ]);
});

test('10,000 rows with bad rows at lines 2, 5001 and 9999: all three reported, the rest parsed', () => {
  const lines = ['Email Address,Name,Plan'];
  for (let line = 2; line <= 10_001; line++) {
    if (line === 2) lines.push('"user2@example.com,User 2,free'); // unterminated quote
    else if (line === 5001) lines.push('user5001@example.com,User 5001,free,extra'); // extra column
    else if (line === 9999) lines.push('user9999@example.com,User 9999'); // missing column
    // Quoted cells further on: the unterminated quote on line 2 must not swallow the file up to one of them.
    else if (line % 100 === 0) lines.push(`user${line}@example.com,"User, ${line}",paid`);
    else lines.push(`user${line}@example.com,User ${line},free`);
  }
  const table = parseCsv(`\uFEFF${lines.join('\r\n')}\r\n`);

  assert.deepEqual(table.problems, [
    { line: 2, reason: 'a quote opened on line 2 is never closed' },
    { line: 5001, reason: 'has 4 cells; the header has 3' },
    { line: 9999, reason: 'has 2 cells; the header has 3' },
  ]);
  assert.equal(table.rows.length, 10_000 - 3);
  const bad = new Set([2, 5001, 9999]);
  const expected = [];
  for (let line = 3; line <= 10_001; line++) {
    if (bad.has(line)) continue;
    const quoted = line % 100 === 0;
    const name = quoted ? `User, ${line}` : `User ${line}`;
    expected.push([line, `user${line}@example.com`, name, quoted ? 'paid' : 'free']);
  }
  assert.deepEqual(flat(table.rows), expected);
});

test('an unterminated quote running to the end of the file: reported, and the lines after it still parsed', () => {
  const table = parseCsv('email,name\na@example.com,"Ann\nb@example.com,Bob\nc@example.com,Cy\n');
  assert.deepEqual(table.problems, [{ line: 2, reason: 'a quote opened on line 2 is never closed' }]);
  assert.deepEqual(flat(table.rows), [
    [3, 'b@example.com', 'Bob'],
    [4, 'c@example.com', 'Cy'],
  ]);
});

test('a quote opened inside a multi-line record is reported with the record start line', () => {
  const table = parseCsv('email,name,note\na@example.com,"two\nlines","never closed\nb@example.com,Bob,x\n');
  assert.deepEqual(table.problems, [{ line: 2, reason: 'a quote opened on line 3 is never closed' }]);
  assert.deepEqual(flat(table.rows), [[4, 'b@example.com', 'Bob', 'x']]);
});

test('text after a closing quote is a problem, not a guess', () => {
  const table = parseCsv('email,name\n"a@example.com"x,Ann\nb@example.com,Bob\n');
  assert.deepEqual(table.problems, [{ line: 2, reason: 'a quoted cell on line 2 has text after its closing quote' }]);
  assert.deepEqual(flat(table.rows), [[3, 'b@example.com', 'Bob']]);
});

test('a trailing line end or none gives the same table; a final empty cell is kept', () => {
  const withEnd = parseCsv('email,name\na@example.com,Ann\n');
  const without = parseCsv('email,name\na@example.com,Ann');
  const crlf = parseCsv('email,name\r\na@example.com,Ann\r\n');
  assert.deepEqual(flat(withEnd.rows), [[2, 'a@example.com', 'Ann']]);
  assert.deepEqual(without, withEnd);
  assert.deepEqual(crlf, withEnd);
  // A trailing comma is an empty last cell, not nothing, even at the very end of the text.
  assert.deepEqual(parseCsv('email,name\na@example.com,').rows[0]?.cells, ['a@example.com', '']);
  assert.deepEqual(parseCsv('email,name\na@example.com,""').rows[0]?.cells, ['a@example.com', '']);
  assert.deepEqual(parseCsv(''), { header: [], rows: [], problems: [] });
});

test('blank lines are skipped but counted for line numbers', () => {
  const table = parseCsv('\n\nemail,name\n\na@example.com,Ann\r\n\r\n  \t \nb@example.com,Bob\n\n\n');
  assert.deepEqual(table.header, ['email', 'name']);
  assert.deepEqual(flat(table.rows), [
    [5, 'a@example.com', 'Ann'],
    [8, 'b@example.com', 'Bob'],
  ]);
  assert.deepEqual(table.problems, []);
  // Spaces after the last line end, with no line end of their own, are a blank line too.
  assert.deepEqual(parseCsv('email,name\na@example.com,Ann\n \t').rows.length, 1);
  assert.deepEqual(parseCsv('email,name\na@example.com,Ann\n \t').problems, []);
  const bad = parseCsv('email,name\n\n\nc@example.com\n');
  assert.deepEqual(bad.problems, [{ line: 4, reason: 'has 1 cell; the header has 2' }]);
});

test('header aliases: any case, surrounding spaces, Email Address, E-mail, First Name + Last Name', () => {
  assert.deepEqual(findColumns(['Email Address', 'Name']), { email: 0, name: 1 });
  assert.deepEqual(findColumns(['id', 'E-mail', 'Full Name']), { email: 1, name: 2 });
  assert.deepEqual(findColumns(['  EMAIL  ', ' NAME ']), { email: 0, name: 1 });
  assert.deepEqual(findColumns(['emailaddress']), { email: 0, name: null });
  assert.deepEqual(findColumns(['email_address', 'display name']), { email: 0, name: 1 });
  assert.deepEqual(findColumns(['Subscriber Email', 'Subscriber Name']), { email: 0, name: 1 });
  assert.deepEqual(findColumns(['Mail', 'fullname']), { email: 0, name: 1 });

  const split = findColumns(['First Name', 'Last Name', 'Email Address', 'Phone']);
  assert.deepEqual(split, { email: 2, name: null, first: 0, last: 1 });
  assert.ok(!('problem' in split));
  assert.equal(nameOf(['Ann', 'Lee', 'a@example.com', ''], split), 'Ann Lee');
  assert.equal(nameOf([' Ann ', '', 'a@example.com', ''], split), 'Ann');
  assert.equal(nameOf(['', ' ', 'a@example.com', ''], split), null);

  // A full-name column wins over first/last; a lone first name is the name.
  assert.deepEqual(findColumns(['first name', 'last name', 'name', 'email']), { email: 3, name: 2 });
  assert.deepEqual(findColumns(['email', 'First Name']), { email: 0, name: 1 });
  const single = findColumns(['Email', 'Name']);
  assert.ok(!('problem' in single));
  assert.equal(nameOf(['a@example.com', '  Ann Lee '], single), 'Ann Lee');
});

test('no email column, or two: a problem naming the headers it saw', () => {
  const missing = findColumns(['Name', 'Phone', 'Emails sent']);
  assert.ok('problem' in missing);
  assert.match(missing.problem, /no email column/);
  assert.match(missing.problem, /"Name", "Phone", "Emails sent"/);

  const empty = findColumns([]);
  assert.ok('problem' in empty);
  assert.match(empty.problem, /no header row/);

  const twice = findColumns(['Email', 'name', 'E-mail']);
  assert.ok('problem' in twice);
  assert.match(twice.problem, /"Email" \(column 1\), "E-mail" \(column 3\)/);
});

test('export neutralises cells a spreadsheet would run as a formula', () => {
  assert.equal(csvLine(['=1+1']), "'=1+1\r\n");
  assert.equal(csvLine(['+1']), "'+1\r\n");
  assert.equal(csvLine(['-1']), "'-1\r\n");
  assert.equal(csvLine(['@SUM(A1)']), "'@SUM(A1)\r\n");
  assert.equal(csvLine(['\tx']), "'\tx\r\n");
  // CR needs quotes as well as the prefix.
  assert.equal(csvLine(['\rx']), `"'\rx"\r\n`);
  // Neutralised first, then quoted as needed.
  assert.equal(
    csvLine(['=HYPERLINK("http://evil.example","click")']),
    `"'=HYPERLINK(""http://evil.example"",""click"")"\r\n`,
  );
  // Only the first character counts.
  assert.equal(csvLine(['a=1', 'x-y', 'ann@example.com']), 'a=1,x-y,ann@example.com\r\n');
});

test('export quotes commas, quotes and line breaks, and nothing else', () => {
  assert.equal(
    csvLine(['a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'plain']),
    '"a,b","say ""hi""","two\nlines","cr\r\nlf",plain\r\n',
  );
  assert.equal(csvLine(['a@example.com', '', 'Ann']), 'a@example.com,,Ann\r\n');
  assert.equal(csvLine(['<img src=x onerror=alert(1)>"\'']), '"<img src=x onerror=alert(1)>""\'"\r\n');
  // A lone empty cell is quoted, or the line would be blank and skipped on re-import.
  assert.equal(csvLine(['']), '""\r\n');
});

test('round trip: csvLine then parseCsv gives back the (neutralised) cells', () => {
  const records = [
    ['email', 'name', 'note'],
    ['a@example.com', 'Smith, Ann', 'she said "hi"'],
    ['b@example.com', '=1+1', 'two\nlines\r\nand\rmore'],
    ['c@example.com', '', '@SUM(A1)'],
    ['d@example.com', '\tTabbed', '\rx'],
    ['e@example.com', '-1', '+1'],
    ['f@example.com', '"', '""'],
  ];
  const text = records.map(csvLine).join('');
  const table = parseCsv(text);
  assert.deepEqual(table.problems, []);
  const neutral = (cell: string): string => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);
  assert.deepEqual(table.header, records[0]);
  assert.deepEqual(
    table.rows.map((row) => row.cells),
    records.slice(1).map((cells) => cells.map(neutral)),
  );
  assert.deepEqual(
    table.rows.map((row) => row.line),
    [2, 3, 7, 8, 10, 11], // three line breaks in row 3, one (a lone CR) in row 5
  );
  assert.deepEqual(parseCsv(csvLine(['email']) + csvLine([''])).rows, [{ line: 2, cells: [''] }]);
});

// Speed is measured by benchmarks, not asserted here: a loaded machine must not turn this red (issue 12, finding 18).
test('100,000 rows (over 5 MB) parse, every row and line number right', () => {
  const parts = ['email,name,plan,joined,note\r\n'];
  for (let i = 0; i < 100_000; i++) {
    parts.push(
      i % 10 === 0
        ? `subscriber${i}@example.com,"Surname ${i}, Given",paid,2024-01-01,"said ""hello"" on
a second line"\r\n`
        : `subscriber${i}@example.com,Given Surname ${i},free,2024-01-01,none\r\n`,
    );
  }
  const text = parts.join('');
  assert.ok(text.length > 5_000_000, `fixture is ${text.length} characters`);
  const table = parseCsv(text);
  assert.equal(table.rows.length, 100_000);
  assert.deepEqual(table.problems, []);
  assert.deepEqual(table.rows[10]?.cells, [
    'subscriber10@example.com',
    'Surname 10, Given',
    'paid',
    '2024-01-01',
    'said "hello" on\na second line',
  ]);
  // Every tenth row spans two lines: row i starts on 2 + i + (number of multi-line rows before it).
  assert.equal(table.rows[99_999]?.line, 2 + 99_999 + 10_000);
});

// Since csv-parse reads the file (issue 13): what it is lenient about on its own, and what is read again strictly.
test('text after a closing quote on several lines, with blank lines and """quoted""" cells between: each bad line reported', () => {
  const table = parseCsv('email,name\na@x.org,"Bob" Smith\nb@x.org,Bo\nc@x.org,"Cy"d\n\nd@x.org,"""Di"""\n  \ne@x.org,""\n');
  assert.deepEqual(table.problems, [
    { line: 2, reason: 'a quoted cell on line 2 has text after its closing quote' },
    { line: 4, reason: 'a quoted cell on line 4 has text after its closing quote' },
  ]);
  assert.deepEqual(flat(table.rows), [
    [3, 'b@x.org', 'Bo'],
    [6, 'd@x.org', '"Di"'],
    [8, 'e@x.org', ''],
  ]);
});

test('after an unclosed quote that ran into later lines: blank lines, bad quotes and quoted cells still read line by line', () => {
  const table = parseCsv('email,name\n"a@x.org,Ann\nb@x.org,Bo\n\nc@x.org,"Cy" C\n"\n" \nd@x.org,"x""y"\r\ne@x.org,"Smith, E"\n');
  assert.deepEqual(table.problems, [
    { line: 2, reason: 'a quote opened on line 2 is never closed' },
    { line: 5, reason: 'a quoted cell on line 5 has text after its closing quote' },
    { line: 6, reason: 'a quote opened on line 6 is never closed' },
    { line: 7, reason: 'a quote opened on line 7 is never closed' },
  ]);
  assert.deepEqual(flat(table.rows), [
    [3, 'b@x.org', 'Bo'],
    [8, 'd@x.org', 'x"y'],
    [9, 'e@x.org', 'Smith, E'],
  ]);
});

test('export: fullwidth ＝ ＋ － ＠ are written as they are (csv-stringify would prefix them), as before', () => {
  assert.equal(csvLine(['＝1', '＋1', '－1', '＠A1', 'a＝']), '＝1,＋1,－1,＠A1,a＝\r\n');
});
