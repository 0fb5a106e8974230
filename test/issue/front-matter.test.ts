/** Front matter rules from issue 3 ("Issue format"): required fields, types, defaults, unknown keys, lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/core/diagnostic.ts';
import { parseIssue, type ParsedIssue } from '../../src/issue/parse.ts';
import { defaultPreheader } from '../../src/issue/preheader.ts';
import { issueText } from '../support/fixtures.ts';

const FILE = 'issues/2026-10-14-test.md';
/** Not the project's defaults, so a test can tell a default from a coincidence. */
const DEFAULTS = { author: 'Config Author', layout: 'classic' };

/** Front matter `fields` (YAML lines, starting on file line 2) and a one-paragraph body. */
function parse(fields: string, file = FILE, body = 'Hello, readers.'): ParsedIssue {
  return parseIssue(file, issueText(body, fields), DEFAULTS);
}

/** `line field rule` of each diagnostic, sorted by line, for compact exact assertions. */
function summary(diagnostics: readonly Diagnostic[]): string[] {
  return [...diagnostics]
    .sort((a, b) => a.line - b.line || String(a.field).localeCompare(String(b.field)))
    .map((d) => `${d.line} ${d.field ?? '-'} ${d.rule}`);
}

/** Exactly one error, on `field` at `line`, naming the field in its message; no issue. */
function assertOneError(result: ParsedIssue, field: string, line: number, messagePattern?: RegExp): Diagnostic {
  assert.equal(result.issue, null, 'a file with an error must not produce an issue');
  assert.equal(result.diagnostics.length, 1, JSON.stringify(result.diagnostics));
  const [d] = result.diagnostics as [Diagnostic];
  assert.equal(d.severity, 'error');
  assert.equal(d.file, FILE);
  assert.equal(d.field, field);
  assert.equal(d.line, line);
  assert.ok(d.message.includes(`"${field}"`), `message should name "${field}": ${d.message}`);
  if (messagePattern) assert.match(d.message, messagePattern);
  return d;
}

const MINIMAL = 'title: A test issue\ndate: 2026-10-14';

// ── Required fields and defaults ────────────────────────────────────────────────────────────────────────────────

test('a minimal issue (title and date) parses, with every optional field at its default', () => {
  const { issue, diagnostics } = parse(MINIMAL);
  assert.deepEqual(diagnostics, []);
  assert.ok(issue);
  assert.deepEqual(
    { ...issue, body: undefined },
    {
      file: FILE,
      slug: 'test',
      title: 'A test issue',
      subject: 'A test issue',
      subtitle: null,
      preheader: null,
      segment: null,
      topic: null,
      sendAt: null,
      author: 'Config Author',
      date: '2026-10-14',
      image: null,
      tags: [],
      layout: 'classic',
      status: 'draft',
      archive: true,
      body: undefined,
      lines: { title: 2, date: 3 },
      bodyLine: 5,
    },
  );
  assert.equal(issue.body, '\nHello, readers.\n');
});

test('every optional field the writer sets is kept (and trimmed)', () => {
  const { issue, diagnostics } = parse(
    [
      'title: "  Cameras on every corner  "',
      'date: 2026-10-14',
      'subject: The contract nobody read',
      'subtitle: What Harrowgate bought',
      'preheader: Forty pages, one vote.',
      'author: Mara Ellison',
      'image:',
      '  src: https://example.org/camera.jpg',
      '  alt: A camera on a lamp post',
      '  caption: Photo by A. Reader',
      'tags: [surveillance, " city hall "]',
      'layout: minimal',
      'slug: camera-contract',
      'status: ready',
    ].join('\n'),
  );
  assert.deepEqual(diagnostics, []);
  assert.ok(issue);
  assert.equal(issue.title, 'Cameras on every corner');
  assert.equal(issue.subject, 'The contract nobody read');
  assert.equal(issue.subtitle, 'What Harrowgate bought');
  assert.equal(issue.preheader, 'Forty pages, one vote.');
  assert.equal(issue.author, 'Mara Ellison');
  assert.deepEqual(issue.image, { src: 'https://example.org/camera.jpg', alt: 'A camera on a lamp post', caption: 'Photo by A. Reader' });
  assert.deepEqual(issue.tags, ['surveillance', 'city hall']);
  assert.equal(issue.layout, 'minimal');
  assert.equal(issue.slug, 'camera-contract');
  assert.equal(issue.status, 'ready');
  assert.equal(issue.lines.status, 15);
  assert.equal(issue.lines.image, 8);
  assert.equal(issue.bodyLine, 17);
});

test('an image without a caption gets caption null', () => {
  const { issue } = parse(`${MINIMAL}\nimage:\n  src: a.jpg\n  alt: A photo`);
  assert.deepEqual(issue?.image, { src: 'a.jpg', alt: 'A photo', caption: null });
});

test('a missing title is an error naming "title"', () => {
  const d = assertOneError(parse('date: 2026-10-14'), 'title', 1, /required/);
  assert.equal(d.rule, 'front-matter/field');
});

test('a missing date is an error naming "date"', () => {
  assertOneError(parse('title: Hello'), 'date', 1, /required/);
});

test('missing title and date are both reported in one parse', () => {
  const { issue, diagnostics } = parse('subject: Only a subject');
  assert.equal(issue, null);
  assert.deepEqual(diagnostics.map((d) => d.field).sort(), ['date', 'title']);
});

test('an empty front matter block reports both required fields', () => {
  const { issue, diagnostics } = parseIssue(FILE, '---\n---\n\nBody\n', DEFAULTS);
  assert.equal(issue, null);
  assert.deepEqual(diagnostics.map((d) => d.field).sort(), ['date', 'title']);
});

test('an empty or blank title is rejected', () => {
  assertOneError(parse('title: ""\ndate: 2026-10-14'), 'title', 2, /empty/);
  assertOneError(parse('title: "   "\ndate: 2026-10-14'), 'title', 2, /empty/);
  assertOneError(parse('title:\ndate: 2026-10-14'), 'title', 2);
});

test('front matter that is a list, not a mapping, is an error', () => {
  const { issue, diagnostics } = parseIssue(FILE, '---\n- title\n- date\n---\n\nBody\n', DEFAULTS);
  assert.equal(issue, null);
  assert.equal(diagnostics.length, 1);
  assert.match(diagnostics[0]!.message, /mapping/);
});

// ── Dates ──────────────────────────────────────────────────────────────────────────────────────────────────────

for (const date of ['2024-13-45', '2023-02-29', 'March 2', '2024-02-30', '2024-00-10', '2024-04-31', '1900-02-29', '2024-2-3', '24-02-03', '2024/02/03', '"2024-01-01T10:00:00Z"', '" 2024-01-01"']) {
  test(`date ${date} is rejected on its line, naming "date"`, () => {
    assertOneError(parse(`title: Hello\ndate: ${date}`), 'date', 3, /YYYY-MM-DD/);
  });
}

test('an unquoted number as date (20240101) is rejected as the wrong type', () => {
  assertOneError(parse('title: Hello\ndate: 20240101'), 'date', 3, /YYYY-MM-DD.*not a number/);
});

for (const date of ['2024-02-29', '2000-02-29', '1999-12-31', '2026-01-01']) {
  test(`date ${date} is accepted and kept as the same YYYY-MM-DD string`, () => {
    const { issue, diagnostics } = parse(`title: Hello\ndate: ${date}`);
    assert.deepEqual(diagnostics, []);
    assert.equal(issue?.date, date);
  });
}

test('a quoted date is accepted too', () => {
  assert.equal(parse('title: Hello\ndate: "2024-02-29"').issue?.date, '2024-02-29');
});

// ── Wrong types: each names its field and line ─────────────────────────────────────────────────────────────────

test('title: 42 → error on line 2 naming "title" and what it expects', () => {
  assertOneError(parse('title: 42\ndate: 2026-10-14'), 'title', 2, /must be text, not a number/);
});

test('title: true and title: [a] are rejected as the wrong type', () => {
  assertOneError(parse('title: true\ndate: 2026-10-14'), 'title', 2, /not a boolean/);
  assertOneError(parse('title: [a]\ndate: 2026-10-14'), 'title', 2, /not a list/);
});

test('tags: "x" (text, not a list) → error on its line naming "tags"', () => {
  assertOneError(parse(`${MINIMAL}\nsubject: S\ntags: x`), 'tags', 5, /must be a list, not text/);
});

test('a tag that is not text names the tag by position and its line', () => {
  const { issue, diagnostics } = parse(`${MINIMAL}\ntags:\n  - ok\n  - 7\n  - [nested]`);
  assert.equal(issue, null);
  assert.deepEqual(summary(diagnostics), ['6 tags.1 front-matter/field', '7 tags.2 front-matter/field']);
});

test('an image without alt text → error naming "image.alt" on the image line', () => {
  assertOneError(parse(`${MINIMAL}\nimage:\n  src: photo.jpg`), 'image.alt', 4, /required/);
});

test('an image with an empty alt is rejected', () => {
  assertOneError(parse(`${MINIMAL}\nimage:\n  src: photo.jpg\n  alt: ""`), 'image.alt', 6, /empty/);
});

test('an image given as a bare string is rejected naming "image"', () => {
  assertOneError(parse(`${MINIMAL}\nimage: photo.jpg`), 'image', 4, /mapping/);
});

test('status: 3 is rejected naming "status"', () => {
  assertOneError(parse(`${MINIMAL}\nstatus: 3`), 'status', 4);
});

// ── subject, preheader, author, layout ──────────────────────────────────────────────────────────────────────────

test('subject defaults to the title', () => {
  const { issue } = parse('title: Only a title\ndate: 2026-10-14');
  assert.equal(issue?.subject, 'Only a title');
});

test('a subject of exactly 150 characters is accepted', () => {
  const subject = 'a'.repeat(150);
  assert.equal(parse(`${MINIMAL}\nsubject: ${subject}`).issue?.subject, subject);
});

test('a subject of 151 characters is rejected naming "subject" and the limit', () => {
  assertOneError(parse(`${MINIMAL}\nsubject: ${'a'.repeat(151)}`), 'subject', 4, /150/);
});

test('a title over 150 characters with no subject is an error: it would become an over-long subject', () => {
  const title = `${'word '.repeat(40)}end`;
  assertOneError(parse(`title: ${title}\ndate: 2026-10-14`), 'title', 2, /203 characters.*"subject"/);
  // A shorter subject fixes it; the long title itself is fine.
  const { issue } = parse(`title: ${title}\ndate: 2026-10-14\nsubject: Short`);
  assert.equal(issue?.title, title);
  assert.equal(issue?.subject, 'Short');
  // Exactly 150 characters is still a valid default subject.
  assert.equal(parse(`title: ${'t'.repeat(150)}\ndate: 2026-10-14`).issue?.subject, 't'.repeat(150));
});

test('preheader: null when unset (the renderer derives it), kept when set', () => {
  assert.equal(parse(MINIMAL).issue?.preheader, null);
  assert.equal(parse(`${MINIMAL}\npreheader: Read this first`).issue?.preheader, 'Read this first');
});

test('the default preheader is the start of the text, about 120 characters, cut at a word', () => {
  const text = 'The council voted on Tuesday night to renew the camera contract for five more years, without a public hearing, and without reading the forty-page annex.';
  const preheader = defaultPreheader(text);
  assert.ok(preheader.endsWith('…'));
  const words = preheader.slice(0, -1);
  assert.ok(words.length <= 120 && words.length >= 90, `length ${words.length}`);
  assert.ok(text.startsWith(words));
  assert.equal(text[words.length], ' ', 'cut at a word boundary, not inside a word');
  assert.equal(defaultPreheader('Short text.'), 'Short text.');
  assert.equal(defaultPreheader('Line one\n\nline   two'), 'Line one line two');
});

test('author defaults to the config author; an explicit author wins', () => {
  assert.equal(parse(MINIMAL).issue?.author, 'Config Author');
  assert.equal(parse(`${MINIMAL}\nauthor: Guest Writer`).issue?.author, 'Guest Writer');
});

test('layout defaults to the config layout; an explicit layout wins', () => {
  assert.equal(parse(MINIMAL).issue?.layout, 'classic');
  assert.equal(parse(`${MINIMAL}\nlayout: minimal`).issue?.layout, 'minimal');
});

for (const layout of ['../../etc/passwd', 'partials/footer', '/etc/passwd', '..', 'a b']) {
  test(`layout ${JSON.stringify(layout)} is rejected naming "layout"`, () => {
    assertOneError(parse(`${MINIMAL}\nlayout: ${JSON.stringify(layout)}`), 'layout', 4);
  });
}

// ── slug and status ─────────────────────────────────────────────────────────────────────────────────────────────

for (const [file, slug] of [
  ['issues/2026-10-14-test.md', 'test'],
  ['issues/2026-10-14-ceasefire-talks.md', 'ceasefire-talks'],
  ['issues/notes.md', 'notes'],
  ['2025-01-02-top-level.md', 'top-level'],
  ['issues/2026-10-14-2027-budget.md', '2027-budget'],
] as const) {
  test(`slug defaults from the file name: ${file} → ${slug}`, () => {
    const { issue, diagnostics } = parseIssue(file, issueText('Body', MINIMAL), DEFAULTS);
    assert.deepEqual(diagnostics, []);
    assert.equal(issue?.slug, slug);
  });
}

test('an explicit slug wins over the file name', () => {
  assert.equal(parse(`${MINIMAL}\nslug: my-own-slug`).issue?.slug, 'my-own-slug');
});

for (const slug of ['Bad Slug', 'UPPER', 'a--b', '-a', 'a-', '../x', 'a/b', 'naïve', '""']) {
  test(`slug ${slug} is rejected naming "slug" on its line`, () => {
    assertOneError(parse(`${MINIMAL}\nslug: ${slug}`), 'slug', 4, /lower-case/);
  });
}

test('a file name that gives a bad slug is an error naming "slug" that says how to fix it', () => {
  const file = 'issues/2026-10-14-My Notes.md';
  const { issue, diagnostics } = parseIssue(file, issueText('Body', MINIMAL), DEFAULTS);
  assert.equal(issue, null);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.field, 'slug');
  assert.match(diagnostics[0]!.message, /My Notes/);
  assert.match(diagnostics[0]!.message, /set "slug"/);
  // …and setting one fixes it.
  assert.equal(parseIssue(file, issueText('Body', `${MINIMAL}\nslug: my-notes`), DEFAULTS).issue?.slug, 'my-notes');
});

test('status defaults to draft; draft and ready are accepted', () => {
  assert.equal(parse(MINIMAL).issue?.status, 'draft');
  assert.equal(parse(`${MINIMAL}\nstatus: draft`).issue?.status, 'draft');
  assert.equal(parse(`${MINIMAL}\nstatus: ready`).issue?.status, 'ready');
});

for (const status of ['published', 'Ready', 'DRAFT', 'sent', '""']) {
  test(`status ${status} is rejected, saying draft or ready`, () => {
    assertOneError(parse(`${MINIMAL}\nstatus: ${status}`), 'status', 4, /"draft" or "ready"/);
  });
}

// ── Unknown keys and "did you mean" ─────────────────────────────────────────────────────────────────────────────

for (const [key, suggestion, path] of [
  ['titel', 'title', 'titel'],
  ['satus', 'status', 'satus'],
  ['stauts', 'status', 'stauts'],
  ['tag', 'tags', 'tag'],
  ['Subject', 'subject', 'Subject'],
  ['alt', 'image.alt', 'alt'],
] as const) {
  test(`unknown key "${key}" is an error suggesting "${suggestion}"`, () => {
    // `title` stays set so the only problem is the unknown key, even for `titel`.
    const { issue, diagnostics } = parse(`${MINIMAL}\n${key}: x`);
    assert.equal(issue, null);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    const [d] = diagnostics as [Diagnostic];
    assert.equal(d.rule, 'front-matter/unknown-key');
    assert.equal(d.field, path);
    assert.equal(d.line, 4);
    assert.ok(d.message.includes(`unknown key "${path}"`), d.message);
    assert.ok(d.message.includes(`did you mean "${suggestion}"?`), d.message);
  });
}

test('an unknown key inside image suggests the image key', () => {
  const { diagnostics } = parse(`${MINIMAL}\nimage:\n  src: a.jpg\n  alt: A\n  capton: Credit`);
  assert.deepEqual(summary(diagnostics), ['7 image.capton front-matter/unknown-key']);
  assert.match(diagnostics[0]!.message, /did you mean "image\.caption"\?/);
});

test('an unknown key with nothing close is an error without a suggestion', () => {
  const { issue, diagnostics } = parse(`${MINIMAL}\nbananas: 3`);
  assert.equal(issue, null);
  assert.deepEqual(summary(diagnostics), ['4 bananas front-matter/unknown-key']);
  assert.doesNotMatch(diagnostics[0]!.message, /did you mean/);
});

test('"titel" instead of "title": the misspelling (with its suggestion) and the missing title are both reported', () => {
  const { issue, diagnostics } = parse('titel: Hello\ndate: 2026-10-14');
  assert.equal(issue, null);
  assert.deepEqual(summary(diagnostics), ['1 title front-matter/field', '2 titel front-matter/unknown-key']);
  assert.match(diagnostics.find((d) => d.field === 'titel')!.message, /did you mean "title"\?/);
});

// ── Every problem in one parse ──────────────────────────────────────────────────────────────────────────────────

test('four distinct mistakes → four diagnostics, each on its own line and field', () => {
  const { issue, diagnostics } = parse(
    ['title: Four mistakes', 'date: 2024-13-45', 'satus: ready', 'tags: x', 'image:', '  src: photo.jpg'].join('\n'),
  );
  assert.equal(issue, null);
  assert.deepEqual(summary(diagnostics), [
    '3 date front-matter/field',
    '4 satus front-matter/unknown-key',
    '5 tags front-matter/field',
    '6 image.alt front-matter/field',
  ]);
  for (const d of diagnostics) {
    assert.equal(d.file, FILE);
    assert.equal(d.severity, 'error');
    assert.ok(d.message.includes(`"${d.field}"`), d.message);
  }
});

test('a problem in every optional field is reported together, none hidden by another', () => {
  const { diagnostics } = parse(
    [
      'title: 1',
      'date: tomorrow',
      `subject: ${'s'.repeat(151)}`,
      'subtitle: [x]',
      'preheader: {a: 1}',
      'author: 5',
      'image: {src: a.jpg}',
      'tags: x',
      'layout: ../x',
      'slug: Bad Slug',
      'status: done',
      'extra: 1',
    ].join('\n'),
  );
  assert.deepEqual(
    summary(diagnostics).map((s) => s.split(' ').slice(0, 2).join(' ')),
    ['2 title', '3 date', '4 subject', '5 subtitle', '6 preheader', '7 author', '8 image.alt', '9 tags', '10 layout', '11 slug', '12 status', '13 extra'],
  );
});

// ── Duplicate keys ──────────────────────────────────────────────────────────────────────────────────────────────

test('a duplicate key is an error on the duplicate\'s line, naming the key and the first line', () => {
  const { issue, diagnostics } = parse('title: First\ndate: 2026-10-14\ntitle: Second');
  assert.equal(issue, null);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const [d] = diagnostics as [Diagnostic];
  assert.equal(d.line, 4);
  assert.equal(d.field, 'title');
  assert.equal(d.severity, 'error');
  assert.match(d.message, /duplicate key "title"/);
  assert.match(d.message, /line 2/);
});

test('a duplicate key inside image names the nested key', () => {
  const { diagnostics } = parse(`${MINIMAL}\nimage:\n  src: a.jpg\n  alt: A\n  src: b.jpg`);
  assert.deepEqual(summary(diagnostics), ['7 image.src front-matter/duplicate-key']);
});

test('a quoted duplicate ("title") counts as a duplicate too', () => {
  const { issue, diagnostics } = parse('title: First\ndate: 2026-10-14\n"title": Second');
  assert.equal(issue, null);
  assert.deepEqual(summary(diagnostics), ['4 title front-matter/duplicate-key']);
});

test('a duplicate key does not hide the file\'s other mistakes', () => {
  const { issue, diagnostics } = parse('title: First\ndate: 2026-10-14\ntitle: Second\nstatus: nope');
  assert.equal(issue, null);
  assert.deepEqual(summary(diagnostics), ['4 title front-matter/duplicate-key', '5 status front-matter/field']);
});

// ── Line breaks in one-line fields (header injection) ───────────────────────────────────────────────────────────

const INJECTIONS: [field: string, fields: string, line: number][] = [
  ['subject', `${MINIMAL}\nsubject: "Hello\\r\\nBcc: victim@example.com"`, 4],
  ['subject', `${MINIMAL}\nsubject: "Hello\\nBcc: victim@example.com"`, 4],
  ['subject', `${MINIMAL}\nsubject: "Hello\\rBcc: victim@example.com"`, 4],
  ['subject', `${MINIMAL}\nsubject: "Hello\\u2028Bcc: victim@example.com"`, 4],
  ['subject', `${MINIMAL}\nsubject: |\n  Hello\n  Bcc: victim@example.com`, 4],
  ['subject', `${MINIMAL}\nsubject: "Hello\n\n  Bcc: victim@example.com"`, 4],
  ['title', 'title: "Hello\\r\\nBcc: victim@example.com"\ndate: 2026-10-14', 2],
  ['subtitle', `${MINIMAL}\nsubtitle: "a\\nb"`, 4],
  ['preheader', `${MINIMAL}\npreheader: "a\\r\\nb"`, 4],
  ['author', `${MINIMAL}\nauthor: "Mara\\r\\nBcc: x@evil.example"`, 4],
  ['image.alt', `${MINIMAL}\nimage:\n  src: a.jpg\n  alt: "a\\nb"`, 6],
  ['image.caption', `${MINIMAL}\nimage:\n  src: a.jpg\n  alt: A\n  caption: "a\\rb"`, 7],
  ['image.src', `${MINIMAL}\nimage:\n  src: "a.jpg\\nb"\n  alt: A`, 5],
  ['tags.0', `${MINIMAL}\ntags: ["a\\nb"]`, 4],
];

for (const [field, fields, line] of INJECTIONS) {
  test(`a line break in ${field} (${JSON.stringify(fields.split('\n').at(-1))}) is an error naming "${field}"`, () => {
    assertOneError(parse(fields), field, line, /one line/);
  });
}

// ── Other control characters in one-line fields (issue 12, finding 10) ─────────────────────────────────────────

// A NUL passed `check` and made feed.xml invalid XML; every C0 control (TAB included: headers fold on it), DEL and
// the C1 controls are refused in every one-line field, with the character and where it is.
const CONTROLS: [field: string, fields: string, line: number, named: RegExp][] = [
  ['title', 'title: "Hello\\0 world"\ndate: 2026-10-14', 2, /NUL \(U\+0000\) at character 6/],
  ['title', 'title: "Tab\\there"\ndate: 2026-10-14', 2, /TAB \(U\+0009\) at character 4/],
  ['subject', `${MINIMAL}\nsubject: "Bell\\a"`, 4, /BEL \(U\+0007\) at character 5/],
  ['subtitle', `${MINIMAL}\nsubtitle: "\\e[31mred"`, 4, /ESC \(U\+001B\) at character 1/],
  ['preheader', `${MINIMAL}\npreheader: "a\\x7Fb"`, 4, /DEL \(U\+007F\) at character 2/],
  ['author', `${MINIMAL}\nauthor: "Mara\\x1F"`, 4, /US \(U\+001F\) at character 5/],
  ['image.alt', `${MINIMAL}\nimage:\n  src: a.jpg\n  alt: "a\\x00"`, 6, /NUL/],
  ['image.caption', `${MINIMAL}\nimage:\n  src: a.jpg\n  alt: A\n  caption: "a\\x08"`, 7, /BS \(U\+0008\)/],
  ['image.src', `${MINIMAL}\nimage:\n  src: "a.jpg\\x00"\n  alt: A`, 5, /NUL/],
  ['tags.1', `${MINIMAL}\ntags: [ok, "a\\x0Cb"]`, 4, /FF \(U\+000C\)/],
  ['title', 'title: "NEL\\N here"\ndate: 2026-10-14', 2, /one line.*NEL \(U\+0085\)/],
];

for (const [field, fields, line, named] of CONTROLS) {
  test(`a control character in ${field} (${JSON.stringify(fields.split('\n').find((l) => l.includes('\\')))}) is an error naming "${field}", its line and the character`, () => {
    assertOneError(parse(fields), field, line, named);
  });
}

test('a raw TAB in a plain YAML title (valid YAML) is refused too', () => {
  assertOneError(parse('title: Tab\there\ndate: 2026-10-14'), 'title', 2, /TAB \(U\+0009\) at character 4/);
});

test('slug and layout refuse control characters by their own patterns', () => {
  assertOneError(parse(`${MINIMAL}\nslug: "a\\x00b"`), 'slug', 4);
  assertOneError(parse(`${MINIMAL}\nlayout: "a\\tb"`), 'layout', 4);
});

test('a raw CR in the file cannot smuggle a header into the subject: the file is rejected', () => {
  const { issue, diagnostics } = parseIssue(
    FILE,
    `---\ntitle: Hello\ndate: 2026-10-14\nsubject: Hello\rBcc: victim@example.com\n---\n\nBody\n`,
    DEFAULTS,
  );
  assert.equal(issue, null);
  assert.ok(diagnostics.length > 0);
  assert.ok(diagnostics.every((d) => d.severity === 'error'));
});

// ── Line endings and BOM ────────────────────────────────────────────────────────────────────────────────────────

const crlf = (text: string) => text.replace(/\n/g, '\r\n');
const variants = (text: string): [string, string][] => [
  ['CRLF', crlf(text)],
  ['BOM + LF', `\uFEFF${text}`],
  ['BOM + CRLF', `\uFEFF${crlf(text)}`],
];

test('a valid file with CRLF endings or a BOM parses exactly like its LF version', () => {
  const lf = issueText('First paragraph.\n\nSecond paragraph.', `${MINIMAL}\n\nsubject: Hi\nstatus: ready`);
  const expected = parseIssue(FILE, lf, DEFAULTS);
  assert.ok(expected.issue);
  assert.deepEqual(expected.issue.lines, { title: 2, date: 3, subject: 5, status: 6 });
  for (const [name, text] of variants(lf)) {
    const got = parseIssue(FILE, text, DEFAULTS);
    assert.deepEqual(got, expected, name);
    assert.ok(!got.issue!.body.includes('\r'), `${name}: body keeps a CR`);
    assert.ok(!got.issue!.title.startsWith('\uFEFF'), `${name}: BOM leaked into the title`);
  }
});

test('a file with mistakes reports the same lines with CRLF endings or a BOM', () => {
  const lf = issueText('Body', 'title: 42\ndate: 2024-13-45\n\nsatus: ready\ntags: x\ntags: y');
  const expected = parseIssue(FILE, lf, DEFAULTS);
  assert.deepEqual(summary(expected.diagnostics), [
    '2 title front-matter/field',
    '3 date front-matter/field',
    '5 satus front-matter/unknown-key',
    '7 tags front-matter/duplicate-key',
    '7 tags front-matter/field',
  ]);
  for (const [name, text] of variants(lf)) assert.deepEqual(parseIssue(FILE, text, DEFAULTS), expected, name);
});
