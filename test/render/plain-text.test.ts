/**
 * The plain text is html-to-text over the email's whole MJML, on one path (issue 13 dropped the port that built the
 * body's text from Markdown tokens). Every document here keeps the exact bytes it had before: the SHA-256 of each
 * rendered text is pinned in plain-text.golden.json, made by the renderer as it was before the port was removed
 * (`UPDATE_GOLDEN=1` rewrites it, for a deliberate change of the text). Each text is also checked to be
 * html-to-text's reading of its MJML, so a future second path would be caught too.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mjmlToText } from '../../src/render/text.ts';
import { generateIssue } from '../../scripts/generate-issue.ts';
import { issueText, render, ROOT, SAMPLES } from '../support/fixtures.ts';

const GOLDEN_FILE = new URL('./plain-text.golden.json', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const golden: Record<string, string> = UPDATE ? {} : (JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, string>);
after(() => {
  if (UPDATE) writeFileSync(GOLDEN_FILE, `${JSON.stringify(golden, null, 1)}\n`);
});

/** Renders an issue and checks its text against the pinned bytes and html-to-text over the whole MJML. */
async function assertSameText(source: string, label: string): Promise<string> {
  const { parsed, rendered } = await render(source);
  assert.ok(rendered?.mjml && rendered.text, `${label}: did not render: ${JSON.stringify(parsed.diagnostics)} ${JSON.stringify(rendered?.diagnostics.filter((d) => d.severity === 'error'))}`);
  const digest = createHash('sha256').update(rendered.text).digest('hex');
  const key = label.split('\n')[0]!; // a fuzzed case's label carries its whole body, for the failure message
  if (UPDATE) golden[key] = digest;
  else assert.equal(digest, golden[key], `${label}: the plain text is not the bytes it was (see plain-text.golden.json):\n${rendered.text}`);
  assert.equal(rendered.text, mjmlToText(rendered.mjml), `${label}: the rendered issue's text differs from html-to-text`);
  return rendered.text;
}

const CASES: Record<string, string> = {
  paragraphs: 'One paragraph with *emphasis*, **strong**, ~~struck~~ and `code`.\n\nAnother, with **bold**, directly followed by punctuation; and *a*b*c* mixed.',
  wrapping: `${'word '.repeat(60)}\n\n${'x'.repeat(77)} y ${'z'.repeat(78)} ${'w'.repeat(79)} end.\n\n${'ab '.repeat(39)}abc`,
  'long words and URLs': `A link to [the full records](https://example.org/${'a'.repeat(90)}) and https://example.org/${'b'.repeat(100)} bare.`,
  links:
    '[Same](https://example.org/Same) [https://example.org/x](https://example.org/x) [mail](mailto:me@example.org) [here](#top) [](https://example.org/empty) [**bold** link](https://example.org/b) [x](javascript:alert(1)) <https://example.org/auto> <me@example.org>',
  'linked and inline images': 'Text ![inline alt](https://example.org/i.png) more ![](https://example.org/noalt.png) and [![linked alt](https://example.org/l.png)](https://example.org/to).',
  strikethrough: '~~Hi~~ Hello, ~there~ world! This will ~~~not~~~ strike, ~x~~y~ and ~~**bold** [link](https://example.org/s)~~.',
  breaks: 'Hard break  \nafter two spaces, and\\\nafter a backslash; soft\nbreak here.',
  headings: '# Top *heading*\n\n## Second with [a link](https://example.org)\n\n### Third `code`\n\n#### Fourth\n\n##### Fifth\n\n###### Sixth\n\nSetext one\n===\n\nSetext two\n---\n\n## A heading long enough to wrap across the seventy-eight column limit of the plain text',
  quotes:
    '> A pull quote long enough to wrap across more than one line of plain text, so that each line needs the prefix.\n>\n> Second paragraph.\n>\n> > A nested quote inside it.\n>\n> - a list\n> - in a quote\n>\n> ```\n> code in a quote\n> ```\n>\n> ***\n\nAfter the quote.',
  'tight and loose lists':
    '- one\n- two\n  - nested *a*\n  - nested b\n    1. deep\n- three\n\nText.\n\n1. loose\n\n2. list\n\n   with a second paragraph\n\n3. third',
  'ordered from seven with wide numbers': Array.from({ length: 12 }, (_, i) => `${i + 7}. item ${'long words '.repeat(i)}`).join('\n'),
  'list items with blocks': '- item\n  ```\n  code in item\n  ```\n  after code\n- > quoted in item\n- ## heading in item\n-\n- last',
  code: '```js\nconst a = 1 < 2 && b;\n\tindented\twith tabs   \n\n\nafter blank lines\n```\n\n    indented code block\n    second line\n\n```\n```',
  tables: 'Before.\n\n| Name | Value | Note |\n| --- | ---: | :-: |\n| Alpha | 1 | a note long enough to wrap inside the thirty column cell |\n| **Beta** | 22 | [link](https://example.org) |\n\nAfter.',
  'tables nested in lists and quotes': '- item\n\n  | a | b |\n  | - | - |\n  | 1 | 2 |\n\n> | q | r |\n> | - | - |\n> | 3 | 4 |',
  'sole images, captions and dividers': '![A chart of camera counts](https://example.org/chart.png "Photo: Staff (CC BY 2.0)")\n\n---\n\n![No caption here](https://example.org/c.png)\n\n[![Linked sole image](https://example.org/s.png)](https://example.org/s)\n\n![](https://example.org/empty-alt.png)\n\nEnd.',
  'entities and unicode': 'AT&amp;T &copy; &#8212; a&nbsp;b non\u00a0breaking. Громада обговорює бюджет — «цитата». Emoji 🗳️ and 中文字符 and "typographic" ’quotes’.',
  'odd whitespace': 'Tabs\tinside\ttext, two  spaces, zero\u200bwidth and trailing   \nline.',
  'merge tags': 'Dear {{subscriber.name}}, your address is {{subscriber.email}}. [Unsubscribe]({{unsubscribe_url}}) or [read online]({{web_url}}) or [survey](https://example.org/s?who={{subscriber.name}}).',
  'raw HTML': 'Inline <b>bold</b> and <span>span</span> text.\n\n<div><p>A raw <em>block</em></p><ul><li>raw list</li></ul></div>\n\nMarkdown after.',
  'starts with an image': '![Opening image](https://example.org/first.png "Credit")\n\nThen text.',
  'ends with a divider': 'Text first.\n\n---',
  'only a heading': '## Just a heading',
};

for (const [name, body] of Object.entries(CASES)) {
  test(`plain text is html-to-text over the MJML: ${name}`, async () => {
    await assertSameText(issueText(body), name);
  });
}

test('plain text is html-to-text over the MJML with a subtitle, hero image and byline', async () => {
  const fields = [
    'title: With every layout part',
    'date: 2026-10-14',
    'subtitle: A subtitle',
    'image:',
    '  src: https://example.org/hero.jpg',
    '  alt: Hero alt',
    '  caption: "Photo: Someone"',
  ].join('\n');
  await assertSameText(issueText(CASES.paragraphs!, fields), 'full layout');
  await assertSameText(issueText('![Image right after the hero](https://example.org/x.png "Credit")\n\nText.', fields), 'image after hero');
});

test('plain text is html-to-text over the MJML on the sample issues and generated issues', async () => {
  for (const name of SAMPLES) await assertSameText(readFileSync(join(ROOT, 'issues', name), 'utf8'), name);
  for (let seed = 1; seed <= 5; seed++) await assertSameText(generateIssue(seed), `generated ${seed}`);
});

test('plain text is html-to-text over the MJML on random mixes of the cases', async () => {
  // A seeded shuffle: the same documents every run, and the cases meet in orders no hand-written case has.
  let s = 12345;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const parts = Object.values(CASES);
  for (let n = 0; n < 40; n++) {
    const picked = Array.from({ length: 2 + Math.floor(next() * 4) }, () => parts[Math.floor(next() * parts.length)]!);
    await assertSameText(issueText(picked.join('\n\n')), `mix ${n}`);
  }
});

/** A seeded generator of Markdown: words of every length near the wrap width, inline marks, nested blocks. */
function fuzzedBody(seed: number): string {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const word = () =>
    pick(['a', 'to', 'the', 'council', 'x'.repeat(1 + Math.floor(r() * 85)), 'AT&T', '<tag>', '“quote”', 'Громада', '🗳️', '*', '_', '`', '\\*', '&amp;', '&nbsp;', `https://example.org/${'p'.repeat(Math.floor(r() * 60))}`]);
  const inline = (n: number): string =>
    Array.from({ length: n }, () => {
      const k = r();
      if (k < 0.6) return word();
      if (k < 0.67) return `*${word()} ${word()}*`;
      if (k < 0.72) return `**${word()}**${pick(['', ',', '.', 'x'])}`;
      if (k < 0.76) return `\`${word()} ${word()}\``;
      if (k < 0.82) return `[${inline(1 + Math.floor(r() * 3))}](${pick(['https://example.org/a', 'mailto:a@b.org', '#x', `https://example.org/${'q'.repeat(70)}`, ''])})`;
      if (k < 0.85) return `![${word()} ${word()}](https://example.org/i.png)`;
      if (k < 0.88) return pick(['  \n', '\\\n', '\n']);
      if (k < 0.9) return `~~${word()}~~`;
      return pick(['\t', '  ', ' ', '\u200b']);
    }).join(pick([' ', ' ', ' ', '']));
  const block = (depth: number): string => {
    const k = r();
    if (k < 0.4 || depth > 2) return inline(3 + Math.floor(r() * 40));
    if (k < 0.5) return `${'#'.repeat(1 + Math.floor(r() * 6))} ${inline(2 + Math.floor(r() * 10))}`;
    if (k < 0.6) return block(depth + 1).split('\n').map((l) => `> ${l}`).join('\n');
    if (k < 0.75) {
      const ordered = r() < 0.5;
      const start = Math.floor(r() * 12);
      const items = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => {
        const marker = ordered ? `${start + i}. ` : '- ';
        return marker + block(depth + 1).split('\n').map((l, j) => (j ? ' '.repeat(marker.length) + l : l)).join('\n');
      });
      return items.join(r() < 0.3 ? '\n\n' : '\n');
    }
    if (k < 0.82) return `\`\`\`\n${inline(5).replace(/`/g, '')}\n  indented\n\`\`\``;
    if (k < 0.86) return '***';
    if (k < 0.9) return `![${inline(2)}](https://example.org/s.png "${word().replace(/"/g, '')}")`;
    if (k < 0.94) return `| a | b |\n| --- | ---: |\n| ${inline(3).replace(/\n|\|/g, ' ')} | ${word()} |`;
    return inline(10);
  };
  return Array.from({ length: 1 + Math.floor(r() * 8) }, () => block(0)).join('\n\n');
}

test('plain text is html-to-text over the MJML on fuzzed Markdown', async () => {
  for (let seed = 1; seed <= 60; seed++) await assertSameText(issueText(fuzzedBody(seed)), `fuzz ${seed}:\n${fuzzedBody(seed)}\n`);
});
