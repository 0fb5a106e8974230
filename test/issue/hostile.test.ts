/** Hostile issue files (../shared/HOSTILE-INPUTS.md items 1-5): code in front matter, prototype pollution,
 *  unterminated or missing front matter, alias bombs, deep nesting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import matter from 'gray-matter';
import { parseIssue, type ParsedIssue } from '../../src/issue/parse.ts';
import { issueText, ROOT } from '../support/fixtures.ts';

const FILE = 'issues/2026-10-14-test.md';
const DEFAULTS = { author: 'The Editor', layout: 'newsletter' };
const parse = (source: string): ParsedIssue => parseIssue(FILE, source, DEFAULTS);

function withTempDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'nl-hostile-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Front matter in `language` whose code, if run, writes `target`. */
function codeFrontMatter(opening: string, target: string): string {
  const write = `require('fs').writeFileSync(${JSON.stringify(target)}, 'pwned')`;
  const code = /coffee/i.test(opening) ? `title: (${write}; 'x')` : `{title: (${write}, 'x'), date: '2026-10-14'}`;
  return `${opening}\n${code}\n---\n\nBody text.\n`;
}

// ── 1. Code in front matter ─────────────────────────────────────────────────────────────────────────────────────

test('the ---js payload is live: gray-matter with its default engines really runs it (so the tests below mean something)', () => {
  withTempDir((dir) => {
    const target = join(dir, 'pwned');
    matter(codeFrontMatter('---js', target), {});
    assert.equal(readFileSync(target, 'utf8'), 'pwned');
  });
});

for (const opening of ['---js', '---javascript', '---JS', '---JavaScript', '---coffee', '---coffeescript', '---cson', '--- js', '---\tjs', '---js   ', '\uFEFF---js', '---json', '---toml']) {
  test(`${JSON.stringify(opening)} front matter is rejected as "front matter must be YAML" and never run`, () => {
    withTempDir((dir) => {
      const target = join(dir, 'pwned');
      const source = codeFrontMatter(opening, target);
      const { issue, diagnostics } = parse(source);
      assert.equal(issue, null);
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]!.line, 1);
      assert.equal(diagnostics[0]!.severity, 'error');
      assert.match(diagnostics[0]!.message, /front matter must be YAML/);
      assert.equal(existsSync(target), false, 'the front matter code ran and wrote a file');
      // CRLF endings take the same path.
      assert.match(parse(source.replace(/\n/g, '\r\n')).diagnostics[0]!.message, /front matter must be YAML/);
      assert.equal(existsSync(target), false, 'the front matter code ran and wrote a file (CRLF)');
    });
  });
}

test('a second ---js … --- block inside the body is plain body text: the issue parses and nothing runs', () => {
  withTempDir((dir) => {
    const target = join(dir, 'pwned');
    const block = codeFrontMatter('---js', target).replace(/\n\nBody text\.\n$/, '');
    const { issue, diagnostics } = parse(issueText(`Intro.\n\n${block}\n\nOutro.`));
    assert.deepEqual(diagnostics, []);
    assert.ok(issue);
    assert.equal(issue.title, 'A test issue');
    assert.ok(issue.body.includes(block), 'the block is kept verbatim in the body');
    assert.ok(issue.body.includes('Outro.'));
    assert.equal(existsSync(target), false);
  });
});

test('YAML tags like !!js/function are not evaluated', () => {
  withTempDir((dir) => {
    const target = join(dir, 'pwned');
    const fn = `function () { require('fs').writeFileSync(${JSON.stringify(target)}, 'pwned') }`;
    const { issue } = parse(issueText('Body', `title: !!js/function ${JSON.stringify(fn)}\ndate: 2026-10-14`));
    if (issue) assert.equal(typeof issue.title, 'string');
    assert.equal(existsSync(target), false);
  });
});

test('a line starting with "---" inside the front matter (like "---js") is an error on that line', () => {
  const { issue, diagnostics } = parse('---\ntitle: Hello\ndate: 2026-10-14\n---js\n---\n\nBody\n');
  assert.equal(issue, null);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.line, 4);
});

// ── 2. Prototype pollution ──────────────────────────────────────────────────────────────────────────────────────

const PROTO_CASES: [name: string, fields: string, field: string, line: number][] = [
  ['__proto__: {polluted: 1}', 'title: Hi\ndate: 2026-10-14\n__proto__: {polluted: 1}', '__proto__', 4],
  ['<<: {__proto__: {polluted: 1}}', 'title: Hi\ndate: 2026-10-14\n<<: {__proto__: {polluted: 1}}', '<<', 4],
  ['block __proto__', 'title: Hi\ndate: 2026-10-14\n__proto__:\n  polluted: 1', '__proto__', 4],
  ['quoted "__proto__"', 'title: Hi\ndate: 2026-10-14\n"__proto__": {polluted: 1}', '__proto__', 4],
  ['image.__proto__', 'title: Hi\ndate: 2026-10-14\nimage:\n  src: a.jpg\n  alt: A\n  __proto__: {polluted: 1}', 'image.__proto__', 7],
  ['constructor.prototype', 'title: Hi\ndate: 2026-10-14\nconstructor: {prototype: {polluted: 1}}', 'constructor', 4],
];

for (const [name, fields, field, line] of PROTO_CASES) {
  test(`${name}: Object.prototype stays clean and the key is reported as unknown`, () => {
    const { issue, diagnostics } = parse(issueText('Body', fields));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.equal(issue, null);
    const unknown = diagnostics.filter((d) => d.rule === 'front-matter/unknown-key');
    assert.deepEqual(unknown.map((d) => [d.field, d.line]), [[field, line]]);
  });
}

test('__proto__ cannot supply a required field by inheritance (image.alt stays missing)', () => {
  const { issue, diagnostics } = parse(issueText('Body', 'title: Hi\ndate: 2026-10-14\nimage:\n  src: a.jpg\n  __proto__: {alt: inherited}'));
  assert.equal(issue, null);
  assert.ok(diagnostics.some((d) => d.field === 'image.alt' && /required/.test(d.message)), JSON.stringify(diagnostics));
});

test('a YAML merge key (<<: *base) is not honoured: it is an unknown key, not a way to inject fields', () => {
  const { issue, diagnostics } = parse(issueText('Body', 'base: &base {status: ready}\ntitle: Hi\ndate: 2026-10-14\n<<: *base'));
  assert.equal(issue, null);
  assert.deepEqual(diagnostics.map((d) => d.field).sort(), ['<<', 'base']);
});

/** Compares dotted versions numerically: 3.14.2 < 3.14.10 < 4.0.0. */
function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(/[.+-]/).slice(0, 3).map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return true;
}

test('version comparison used below is numeric, not textual', () => {
  assert.equal(versionAtLeast('3.14.2', '3.14.2'), true);
  assert.equal(versionAtLeast('3.14.10', '3.14.2'), true);
  assert.equal(versionAtLeast('4.1.0', '3.14.2'), true);
  assert.equal(versionAtLeast('3.14.1', '3.14.2'), false);
  assert.equal(versionAtLeast('3.9.9', '3.14.2'), false);
});

test('package-lock.json resolves every js-yaml to >= 3.14.2 (prototype pollution fix)', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    lockfileVersion: number;
    packages: Record<string, { version?: string }>;
  };
  assert.ok(lock.lockfileVersion >= 2, 'a lockfile with a "packages" map');
  const jsYaml = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/js-yaml$/.test(path));
  assert.ok(jsYaml.length > 0, 'gray-matter depends on js-yaml, so the lockfile must list it');
  for (const [path, entry] of jsYaml) {
    assert.ok(entry.version, `${path} has no version`);
    assert.ok(versionAtLeast(entry.version, '3.14.2'), `${path} resolves to ${entry.version}`);
  }
});

// ── 3. Unterminated or missing front matter ─────────────────────────────────────────────────────────────────────

for (const [name, source] of [
  ['no closing line', '---\ntitle: Hello\ndate: 2026-10-14\n\nThe whole body.\n'],
  ['only the opening line', '---\n'],
  ['only "---", no newline', '---'],
  ['closing line with text after it', '---\ntitle: Hello\ndate: 2026-10-14\n--- end\n\nBody\n'],
  ['closing "...", not "---"', '---\ntitle: Hello\ndate: 2026-10-14\n...\n\nBody\n'],
  ['indented closing line', '---\ntitle: Hello\ndate: 2026-10-14\n  ---\n\nBody\n'],
] as const) {
  test(`unterminated front matter (${name}) → "unterminated front matter", no issue`, () => {
    for (const text of [source, source.replace(/\n/g, '\r\n')]) {
      const { issue, diagnostics } = parse(text);
      assert.equal(issue, null, 'never an email with an empty body');
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]!.severity, 'error');
      assert.equal(diagnostics[0]!.line, 1);
      assert.match(diagnostics[0]!.message, /unterminated front matter/);
    }
  });
}

for (const [name, source] of [
  ['plain Markdown', '# Hello\n\nJust a body.\n'],
  ['an empty file', ''],
  ['a blank line before "---"', '\n---\ntitle: Hello\ndate: 2026-10-14\n---\n\nBody\n'],
  ['indented opening', '  ---\ntitle: Hello\ndate: 2026-10-14\n---\n\nBody\n'],
] as const) {
  test(`a file with no front matter (${name}) is an error`, () => {
    const { issue, diagnostics } = parse(source);
    assert.equal(issue, null);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.severity, 'error');
    assert.match(diagnostics[0]!.message, /front matter/);
  });
}

// ── 4. Alias bombs, deep nesting, bounded time ──────────────────────────────────────────────────────────────────

function billionLaughs(levels = 9, width = 9): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
  return lines.join('\n');
}

// No wall-clock bound (issue 12, finding 18): the defences show in the errors, and a test timeout ten times the old
// one-second bound fails only a hang (an expanded bomb is billions of nodes).
const HANG = { timeout: 10_000 };

test('a "billion laughs" alias bomb is an error, not a hang', HANG, () => {
  const source = issueText('Body', `title: Hi\ndate: 2026-10-14\n${billionLaughs()}`);
  const { issue, diagnostics } = parse(source);
  assert.equal(issue, null);
  assert.ok(diagnostics.length >= 1);
  assert.ok(diagnostics.every((d) => d.severity === 'error'));
  assert.match(diagnostics[0]!.message, /alias/i);
});

test('an alias bomb hidden inside a known field (tags) is an error, not a hang', HANG, () => {
  const bomb = billionLaughs(8, 10).replace(/^l(\d+): /gm, '  - ');
  const source = issueText('Body', `title: Hi\ndate: 2026-10-14\ntags:\n${bomb}`);
  const { issue, diagnostics } = parse(source);
  assert.match(diagnostics[0]?.message ?? '', /alias/i);
  assert.equal(issue, null);
  assert.ok(diagnostics.length >= 1);
});

test('a few ordinary aliases still work (subject: *title)', () => {
  const { issue, diagnostics } = parse(issueText('Body', 'title: &t Hello readers\ndate: 2026-10-14\nsubject: *t'));
  assert.deepEqual(diagnostics, []);
  assert.equal(issue?.subject, 'Hello readers');
});

test('10,000 levels of nested lists are an error, not a crash or a hang', HANG, () => {
  const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const { issue, diagnostics } = parse(issueText('Body', `title: ${deep}\ndate: 2026-10-14`));
  assert.equal(issue, null);
  assert.ok(diagnostics.length >= 1);
});

test('broken YAML is an error with its line, not an exception', () => {
  const { issue, diagnostics } = parse(issueText('Body', 'title: Hello\ndate: 2026-10-14\ntags: [unclosed\nstatus: ready'));
  assert.equal(issue, null);
  assert.ok(diagnostics.length >= 1);
  assert.equal(diagnostics[0]!.rule, 'front-matter/yaml');
  assert.ok(diagnostics[0]!.line >= 4 && diagnostics[0]!.line <= 6, `line ${diagnostics[0]!.line}`);
});
