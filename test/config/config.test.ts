/** newsletter.yaml: defaults for every key, and every bad value reported with its key path and line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticError, type Diagnostic } from '../../src/core/diagnostic.ts';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { ROOT } from '../support/fixtures.ts';

const DEFAULT_CONFIG: Config = {
  name: 'My Newsletter',
  description: null,
  language: 'en',
  url: 'http://localhost:8787',
  from: { name: null, email: 'newsletter@example.com' },
  reply_to: null,
  address: 'Postal address not set: add "address" to newsletter.yaml',
  author: { name: 'The Editor', bio: null },
  layout: 'newsletter',
  theme: {
    width: 600,
    colors: {
      background: '#f3f0ea',
      content_background: '#ffffff',
      text: '#1f1f1f',
      heading: '#111111',
      muted: '#6b6560',
      link: '#a3261c',
      accent: '#a3261c',
      quote_background: '#f8f5f0',
      border: '#e4ded5',
    },
    dark: {
      background: '#121110',
      content_background: '#1d1b19',
      text: '#e6e1da',
      heading: '#f4f0ea',
      muted: '#aaa298',
      link: '#ff8f80',
      accent: '#e2574a',
      quote_background: '#2a2724',
      border: '#3b3733',
    },
    fonts: {
      body: "Georgia, 'Times New Roman', Times, serif",
      heading: "'Helvetica Neue', Helvetica, Arial, sans-serif",
    },
    font_size: 18,
    line_height: 1.6,
    logo: null,
  },
  sending: {
    rate_per_second: null,
    rate_per_hour: null,
    concurrency: 5,
    retry_for_minutes: 360,
    timeout_seconds: 60,
    unsubscribe_mailto: null,
    return_path: null,
    dkim: null,
  },
  server: { trust_proxy: 0 },
  segments: {},
  topics: [],
  signup: { tags: [] },
  privacy: { ip: 'truncated' },
  timezone: null,
  schedule: { maxDelayMs: 3_600_000 },
  automations: { sequences: [] },
  events: { ses: { topicArns: [] }, softBounce: { limit: 3, windowMs: 2_592_000_000 }, imap: { intervalMs: 0, moveTo: null } },
};

/** The DiagnosticError parseConfig throws for `text`; fails the test when it does not throw one. */
function configErrors(text: string): Diagnostic[] {
  try {
    parseConfig(text);
  } catch (error) {
    assert.ok(error instanceof DiagnosticError, `expected a DiagnosticError, got ${String(error)}`);
    return error.diagnostics;
  }
  assert.fail(`config was accepted:\n${text}`);
}

/** `line field` of each diagnostic, sorted by line. */
const summary = (diagnostics: readonly Diagnostic[]) =>
  [...diagnostics].sort((a, b) => a.line - b.line).map((d) => `${d.line} ${d.field}`);

/** Exactly one error, on `field` at `line`, whose message names the field. */
function assertOneError(text: string, field: string, line: number, pattern?: RegExp): Diagnostic {
  const diagnostics = configErrors(text);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const [d] = diagnostics as [Diagnostic];
  assert.equal(d.file, 'newsletter.yaml');
  assert.equal(d.severity, 'error');
  assert.equal(d.field, field);
  assert.equal(d.line, line);
  assert.ok(d.message.includes(`"${field}"`), `message should name "${field}": ${d.message}`);
  if (pattern) assert.match(d.message, pattern);
  return d;
}

const theme = (yaml: string) => `theme:\n${yaml.replace(/^/gm, '  ')}\n`;
const colour = (value: string) => theme(`colors:\n  link: ${JSON.stringify(value)}`);
const font = (value: string) => theme(`fonts:\n  body: ${JSON.stringify(value)}`);

// ── Defaults ────────────────────────────────────────────────────────────────────────────────────────────────────

for (const [name, text] of [
  ['an empty file', ''],
  ['only a comment', '# all defaults\n'],
  ['an empty mapping', '{}\n'],
  ['a BOM and CRLF', '\uFEFF# defaults\r\n'],
] as const) {
  test(`${name} parses to a default for every key`, () => {
    assert.deepEqual(parseConfig(text), DEFAULT_CONFIG);
  });
}

test('empty sections (theme: {}, colors: {}, fonts: {}) fill in their defaults', () => {
  assert.deepEqual(parseConfig('theme: {}\n'), DEFAULT_CONFIG);
  assert.deepEqual(parseConfig(theme('colors: {}\nfonts: {}')), DEFAULT_CONFIG);
});

test('one key set leaves all the others at their defaults', () => {
  const config = parseConfig(theme('colors:\n  link: "#0000ff"'));
  assert.equal(config.theme.colors.link, '#0000ff');
  assert.deepEqual({ ...config, theme: { ...config.theme, colors: { ...config.theme.colors, link: '#a3261c' } } }, DEFAULT_CONFIG);
});

test('a project without newsletter.yaml runs on the defaults', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-config-'));
  try {
    assert.deepEqual(await loadConfig(dir), DEFAULT_CONFIG);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the project's own newsletter.yaml is valid", async () => {
  const config = await loadConfig(ROOT);
  assert.match(config.url, /^https?:\/\//);
  assert.notEqual(config.address, DEFAULT_CONFIG.address, 'the sample project sets a postal address');
});

test('values set are kept; a trailing slash on url is dropped', () => {
  const config = parseConfig(
    [
      'name: The Dissent Desk',
      'url: https://example.org/news/',
      'from:',
      '  name: The Desk',
      '  email: news@example.org',
      'reply_to: editor@example.org',
      'author:',
      '  name: Mara',
      'theme:',
      '  width: 640',
      '  logo:',
      '    src: https://example.org/logo.png',
      '    alt: The Dissent Desk',
    ].join('\n'),
  );
  assert.equal(config.name, 'The Dissent Desk');
  assert.equal(config.url, 'https://example.org/news');
  assert.deepEqual(config.from, { name: 'The Desk', email: 'news@example.org' });
  assert.equal(config.reply_to, 'editor@example.org');
  assert.deepEqual(config.author, { name: 'Mara', bio: null });
  assert.equal(config.theme.width, 640);
  assert.deepEqual(config.theme.logo, { src: 'https://example.org/logo.png', alt: 'The Dissent Desk', width: 180 });
});

// ── Every bad value, with key path and line ─────────────────────────────────────────────────────────────────────

test('five bad values → one DiagnosticError listing each with its key path and line', () => {
  const text = [
    'url: ftp://x', //                        1
    'from:', //                               2
    '  email: nope', //                       3
    'theme:', //                              4
    '  width: 5000', //                       5
    '  colors:', //                           6
    '    text: red', //                       7
    'colour: "#ff0000"', //                   8
  ].join('\n');
  const diagnostics = configErrors(text);
  assert.deepEqual(summary(diagnostics), ['1 url', '3 from.email', '5 theme.width', '7 theme.colors.text', '8 colour']);
  for (const d of diagnostics) {
    assert.equal(d.file, 'newsletter.yaml');
    assert.equal(d.severity, 'error');
    assert.ok(d.message.includes(`"${d.field}"`), d.message);
  }
  const by = (field: string) => diagnostics.find((d) => d.field === field)!;
  assert.match(by('url').message, /http\(s\) URL/);
  assert.match(by('from.email').message, /email address/);
  assert.match(by('theme.width').message, /at most 800/);
  assert.match(by('theme.colors.text').message, /hex colour/);
  assert.equal(by('colour').rule, 'config/unknown-key');
  assert.match(by('colour').message, /did you mean "theme\.colors"\?/);
  // The thrown error's message prints each one as `file:line severity rule message`.
  try {
    parseConfig(text);
  } catch (error) {
    const lines = (error as Error).message.split('\n');
    assert.equal(lines.length, 5);
    assert.ok(lines.includes(`newsletter.yaml:7 error config/key ${by('theme.colors.text').message}`), lines.join('\n'));
  }
});

test('loadConfig reports a bad newsletter.yaml by its relative name, never the absolute path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-config-'));
  try {
    writeFileSync(join(dir, 'newsletter.yaml'), 'name: ok\ntheme:\n  width: 5000\n');
    await assert.rejects(loadConfig(dir), (error: unknown) => {
      assert.ok(error instanceof DiagnosticError);
      assert.deepEqual(summary(error.diagnostics), ['3 theme.width']);
      assert.equal(error.diagnostics[0]!.file, 'newsletter.yaml');
      assert.ok(!error.message.includes(dir), error.message);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ── Colours and fonts go into style attributes: nothing may break out ───────────────────────────────────────────

for (const value of ['#fff;background:url(x)', 'red', '#ff', '#ffff', '#fffffff', '#ggg', 'fff', '#fff ', '#fff"', '#fff" onmouseover="alert(1)', 'expression(alert(1))', '#fff}</style><script>', '#fff\n']) {
  test(`colour ${JSON.stringify(value)} is rejected naming the key`, () => {
    assertOneError(colour(value), 'theme.colors.link', 3, /hex colour/);
  });
}

// The dark colours go into a <style> block (templates/partials/dark-mode.mjml.hbs): nothing may end the rule or it.
for (const value of ['#fff;} body{display:none', '#fff}</style><script>', 'black', '#12345']) {
  test(`dark colour ${JSON.stringify(value)} is rejected naming the key`, () => {
    assertOneError(theme(`dark:\n  text: ${JSON.stringify(value)}`), 'theme.dark.text', 3, /hex colour/);
  });
}

test('dark colours have defaults, and one set leaves the others at theirs', () => {
  const defaults = parseConfig('').theme.dark;
  const set = parseConfig(theme('dark:\n  background: "#000000"')).theme.dark;
  assert.equal(set.background, '#000000');
  assert.deepEqual({ ...set, background: defaults.background }, defaults);
});

for (const value of ['#fff', '#FFF', '#a3261c', '#A3261C']) {
  test(`colour ${value} is accepted`, () => {
    assert.equal(parseConfig(colour(value)).theme.colors.link, value);
  });
}

for (const value of ['x;}', 'Georgia; background:url(x)', 'x" onload="y', 'Georgia" hidden "', "Georgia, 'Times", 'Arial, "Helvetica', 'x</style><script>', 'url(x)', 'a:b', 'Georgia,, serif', '', ' ', 'a\nb', 'a{}']) {
  test(`font ${JSON.stringify(value)} is rejected naming the key`, () => {
    assertOneError(font(value), 'theme.fonts.body', 3, /font stack/);
  });
}

for (const value of ["Georgia, 'Times New Roman', Times, serif", '"Times New Roman", serif', 'Arial', 'sans-serif', "'Noto Sans', system-ui", 'Roboto Slab,serif']) {
  test(`font ${JSON.stringify(value)} is accepted`, () => {
    assert.equal(parseConfig(font(value)).theme.fonts.body, value);
  });
}

// ── URLs, addresses and one-line text ───────────────────────────────────────────────────────────────────────────

for (const value of ['ftp://x', 'javascript:alert(1)', 'JAVASCRIPT://x', '//example.org', 'example.org', '/news', 'https://x.org/"onload=1', 'https://x.org/ a', 'https://x.org\n']) {
  test(`url ${JSON.stringify(value)} is rejected`, () => {
    assertOneError(`url: ${JSON.stringify(value)}\n`, 'url', 1, /http\(s\) URL/);
  });
}

test('logo.src must be an http(s) URL and a logo needs alt text', () => {
  assertOneError(theme('logo:\n  src: "javascript:alert(1)"\n  alt: Logo'), 'theme.logo.src', 3);
  assertOneError(theme('logo:\n  src: https://x.org/logo.png'), 'theme.logo.alt', 2, /required/);
});

for (const value of ['nope', 'a@b', '@example.org', 'a@b.com\r\nBcc: x@evil.example', 'a@b.com, c@d.com', '"X" <a@b.com>', 'a b@c.com', 'a@b.com (comment)']) {
  test(`from.email ${JSON.stringify(value)} is rejected`, () => {
    assertOneError(`from:\n  email: ${JSON.stringify(value)}\n`, 'from.email', 2, /email address/);
  });
  test(`reply_to ${JSON.stringify(value)} is rejected`, () => {
    assertOneError(`reply_to: ${JSON.stringify(value)}\n`, 'reply_to', 1, /email address/);
  });
}

test('from without an email is an error naming from.email', () => {
  assertOneError('from:\n  name: The Desk\n', 'from.email', 1, /required/);
});

for (const [field, text, line] of [
  ['name', 'name: "Desk\\r\\nBcc: x@evil.example"\n', 1],
  ['from.name', 'from:\n  name: "Desk\\nBcc: x@evil.example"\n  email: a@b.org\n', 2],
  ['address', 'address: "PO Box 1\\nSpringfield"\n', 1],
  ['author.name', 'author:\n  name: "A\\rB"\n', 2],
  ['description', 'description: "a\\u2028b"\n', 1],
] as const) {
  test(`a line break in ${field} is rejected`, () => {
    assertOneError(text, field, line, /one line/);
  });
}

// Issue 12, finding 10: not only line breaks; every control character (NUL, TAB, ESC, DEL…) in a one-line string.
for (const [field, text, line, named] of [
  ['name', 'name: "Desk\\0"\n', 1, /NUL \(U\+0000\) at character 5/],
  ['description', 'description: "a\\tb"\n', 1, /TAB \(U\+0009\)/],
  ['from.name', 'from:\n  name: "\\e[1mDesk"\n  email: a@b.org\n', 2, /ESC \(U\+001B\) at character 1/],
  ['address', 'address: "PO Box 1\\x7F"\n', 1, /DEL \(U\+007F\)/],
  ['author.name', 'author:\n  name: "A\\x01B"\n', 2, /SOH \(U\+0001\)/],
  ['author.bio', 'author:\n  name: A\n  bio: "A\\x00B"\n', 3, /NUL/],
  ['theme.logo.alt', 'theme:\n  logo:\n    src: https://x.org/l.png\n    alt: "L\\x00"\n', 4, /NUL/],
] as const) {
  test(`a control character in ${field} is rejected, naming it`, () => {
    assertOneError(text, field, line, named);
  });
}

test('addresses and URLs in the config refuse control characters too (they go into headers and links)', () => {
  assertOneError('from:\n  email: "news\\0@example.com"\n', 'from.email', 2, /email address/);
  assertOneError('reply_to: "a\\x7F@example.com"\n', 'reply_to', 1, /email address/);
  assertOneError('url: "https://example.com/\\x00"\n', 'url', 1, /URL/);
});

for (const value of ['en"><script>', 'EN', 'english', 'e', 'en_GB']) {
  test(`language ${JSON.stringify(value)} is rejected`, () => {
    assertOneError(`language: ${JSON.stringify(value)}\n`, 'language', 1, /language tag/);
  });
}

test('layout must be a plain layout name', () => {
  assertOneError('layout: ../../etc/passwd\n', 'layout', 1);
  assert.equal(parseConfig('layout: minimal\n').layout, 'minimal');
});

// ── Numbers ─────────────────────────────────────────────────────────────────────────────────────────────────────

for (const [value, pattern] of [
  ['5000', /at most 800, not 5000/],
  ['801', /at most 800/],
  ['479', /at least 480/],
  ['600.5', /whole number/],
  ['"600"', /number, not text/],
  ['600px', /number, not text/],
] as const) {
  test(`theme.width ${value} is rejected saying what it expects`, () => {
    assertOneError(theme(`width: ${value}`), 'theme.width', 2, pattern);
  });
}

test('theme.width 480 and 800 are accepted', () => {
  assert.equal(parseConfig(theme('width: 480')).theme.width, 480);
  assert.equal(parseConfig(theme('width: 800')).theme.width, 800);
});

test('font_size and line_height are bounded', () => {
  assertOneError(theme('font_size: 2'), 'theme.font_size', 2, /at least 12/);
  assertOneError(theme('line_height: 10'), 'theme.line_height', 2, /at most 2.5/);
});

// ── Unknown keys ────────────────────────────────────────────────────────────────────────────────────────────────

for (const [text, field, line, suggestion] of [
  ['colour: "#000"\n', 'colour', 1, 'theme.colors'],
  ['nmae: Desk\n', 'nmae', 1, 'name'],
  ['adress: PO Box 1\n', 'adress', 1, 'address'],
  ['width: 640\n', 'width', 1, 'theme.width'],
  ['theme:\n  colours: {}\n', 'theme.colours', 2, 'theme.colors'],
  ['theme:\n  colors:\n    txt: "#000"\n', 'theme.colors.txt', 3, 'theme.colors.text'],
  ['theme:\n  fonts:\n    headings: Arial\n', 'theme.fonts.headings', 3, 'theme.fonts.heading'],
  ['from:\n  emial: a@b.org\n', 'from.emial', 2, 'from.email'],
] as const) {
  test(`unknown key ${field} → error suggesting ${suggestion}`, () => {
    const diagnostics = configErrors(text).filter((d) => d.rule === 'config/unknown-key');
    assert.deepEqual(summary(diagnostics), [`${line} ${field}`]);
    assert.ok(diagnostics[0]!.message.includes(`unknown key "${field}" (did you mean "${suggestion}"?)`), diagnostics[0]!.message);
  });
}

test('an unknown key with nothing close has no suggestion', () => {
  const d = assertOneError('bananas: 3\n', 'bananas', 1);
  assert.equal(d.rule, 'config/unknown-key');
  assert.doesNotMatch(d.message, /did you mean/);
});

// ── YAML-level problems ─────────────────────────────────────────────────────────────────────────────────────────

test('a config that is not a mapping says so, without an empty key name', () => {
  for (const text of ['- a\n- b\n', 'just text\n']) {
    const [d] = configErrors(text) as [Diagnostic];
    assert.match(d.message, /^the file must be a mapping/);
  }
});

test('a duplicate key names the key and line, and other mistakes are still reported', () => {
  const diagnostics = configErrors('name: A\nurl: ftp://x\nname: B\n');
  assert.deepEqual(summary(diagnostics), ['2 url', '3 name']);
  const dup = diagnostics.find((d) => d.field === 'name')!;
  assert.equal(dup.rule, 'config/duplicate-key');
  assert.match(dup.message, /duplicate key "name" \(first set on line 1\)/);
});

test('broken YAML is a DiagnosticError with a line, not an exception', () => {
  const diagnostics = configErrors('name: A\ntheme:\n  colors: [unclosed\n');
  assert.ok(diagnostics.length >= 1);
  assert.equal(diagnostics[0]!.rule, 'config/yaml');
  assert.ok(diagnostics[0]!.line >= 3, `line ${diagnostics[0]!.line}`);
});

test('CRLF and a BOM give the same lines as LF', () => {
  const lf = 'name: A\n\ntheme:\n  width: 5000\n  colors:\n    text: red\ncolour: x\n';
  const expected = configErrors(lf);
  assert.deepEqual(summary(expected), ['4 theme.width', '6 theme.colors.text', '7 colour']);
  assert.deepEqual(configErrors(lf.replace(/\n/g, '\r\n')), expected);
  assert.deepEqual(configErrors(`\uFEFF${lf.replace(/\n/g, '\r\n')}`), expected);
});

test('__proto__ and <<: {__proto__} in the config do not pollute Object.prototype and are unknown keys', () => {
  for (const [text, field] of [
    ['__proto__: {polluted: 1}\n', '__proto__'],
    ['<<: {__proto__: {polluted: 1}}\n', '<<'],
    ['theme:\n  __proto__: {polluted: 1}\n', 'theme.__proto__'],
  ] as const) {
    const diagnostics = configErrors(text);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(diagnostics.map((d) => [d.field, d.rule]), [[field, 'config/unknown-key']]);
  }
});

// No wall-clock bound (issue 12, finding 18): a timeout ten times the old one-second bound fails only a hang.
test('an alias bomb in the config is an error, not a hang', { timeout: 10_000 }, () => {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
  const diagnostics = configErrors(`${lines.join('\n')}\n`);
  assert.equal(diagnostics[0]!.rule, 'config/yaml');
  assert.match(diagnostics[0]!.message, /alias/i);
});

test('signup.tags: tags stored normalised; a bad one is an error naming it and the rule (issue 16)', () => {
  assert.deepEqual(parseConfig('signup:\n  tags: [Weekly, breaking-news]\n').signup.tags, ['weekly', 'breaking-news']);
  assertOneError('signup:\n  tags: [weekly, "not ok"]\n', 'signup.tags.1', 2, /"not ok" is not a tag: a tag is lower-case letters, digits and hyphens/);
});

test('privacy.ip: full, truncated (the default) or none; anything else is an error naming it (issue 16)', () => {
  assert.equal(parseConfig('privacy:\n  ip: full\n').privacy.ip, 'full');
  assert.equal(parseConfig('privacy:\n  ip: none\n').privacy.ip, 'none');
  assertOneError('privacy:\n  ip: half\n', 'privacy.ip', 2);
});

// ── Topics (issue 16) ───────────────────────────────────────────────────────────────────────────────────────────

test('topics: each an id, a name and a description', () => {
  const config = parseConfig('topics:\n  - id: alerts\n    name: Breaking news alerts\n    description: A short email when something happens\n  - id: weekly-digest\n    name: The digest\n');
  assert.deepEqual(config.topics, [
    { id: 'alerts', name: 'Breaking news alerts', description: 'A short email when something happens' },
    { id: 'weekly-digest', name: 'The digest', description: null },
  ]);
});

test('a duplicate topic id is a config error at the line of the second', () => {
  assertOneError('topics:\n  - id: alerts\n    name: Alerts\n  - id: culture\n    name: Culture\n  - id: alerts\n    name: More alerts\n', 'topics.2.id', 6, /the topic id "alerts" is used twice/);
});

test('a topic id must be lower-case words joined by hyphens', () => {
  assertOneError('topics:\n  - id: Breaking_News\n    name: Alerts\n', 'topics.0.id', 2, /lower-case words joined by hyphens/);
  assertOneError('topics:\n  - id: alerts\n', 'topics.0.name', 2);
});
