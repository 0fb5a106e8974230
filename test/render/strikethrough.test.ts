/**
 * GFM strikethrough (issue 12, finding 17): the GFM spec's examples (0.29-gfm, strikethrough extension, examples
 * 491-493) and more edge cases, each expected as cmark-gfm 0.29.0.gfm.6 (`cmark-gfm -e strikethrough`) renders it,
 * compared after the spec's normalisation (whitespace between block tags dropped). Checked also against cmark-gfm
 * on random strings of tildes, words and punctuation, where the two agreed on all; the differences seen came only
 * with `*` and `_` mixed in, where cmark-gfm's emphasis itself changes when its strikethrough extension is on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMarkdown, renderTokens } from '../../src/render/markdown.ts';
import { issueText, render } from '../support/fixtures.ts';

/** The body's HTML as markdown-it renders it, before the theme's styles. */
function html(markdown: string): string {
  return parseMarkdown(markdown, 1)
    .blocks.map((b) => (b.kind === 'html' ? renderTokens(b.tokens) : ''))
    .join('');
}

/** The spec's normalisation, enough for these examples: no whitespace between tags, none at the ends. */
const normalise = (s: string) => s.replace(/>\s+</g, '><').trim();

const SPEC: [number, string, string][] = [
  [491, '~~Hi~~ Hello, ~there~ world!', '<p><del>Hi</del> Hello, <del>there</del> world!</p>'],
  [492, 'This ~~has a\n\nnew paragraph~~.', '<p>This ~~has a</p>\n<p>new paragraph~~.</p>'],
  [493, 'This will ~~~not~~~ strike.', '<p>This will ~~~not~~~ strike.</p>'],
];

for (const [n, markdown, expected] of SPEC) {
  test(`GFM spec example ${n}: ${JSON.stringify(markdown)}`, () => {
    assert.equal(normalise(html(markdown)), normalise(expected));
  });
}

const MORE: [string, string][] = [
  ["This ~is ~ legit~ isn't ~ legit.", "<p>This <del>is ~ legit</del> isn't ~ legit.</p>"],
  ['This is not ~~~~~one~~~~~ huge strikethrough.', '<p>This is not ~~~~~one~~~~~ huge strikethrough.</p>'],
  ['~one~ ~~two~~ ~~~three~~~', '<p><del>one</del> <del>two</del> ~~~three~~~</p>'],
  ['No ~mismatch~~', '<p>No ~mismatch~~</p>'],
  ['*a ~b* c~', '<p><em>a ~b</em> c~</p>'],
  ['~~a ~b~ c~~', '<p><del>a <del>b</del> c</del></p>'],
  ['~x~~y~~z~', '<p><del>x<del>y</del>z</del></p>'],
  // A closer whose nearest opener has another length is passed over; the opener waits for one of its own length.
  ['~x~~y~', '<p><del>x~~y</del></p>'],
  ['~a ~~b~ c~~', '<p>~a <del>b~ c</del></p>'],
  ['a ~x~~! b~', '<p>a <del>x~~! b</del></p>'],
  ['foo~bar~baz and ~~**strong**~~ and `~~code~~`', '<p>foo<del>bar</del>baz and <del><strong>strong</strong></del> and <code>~~code~~</code></p>'],
  ['These are ~not strikethroughs.\n\nNo, they are not~', '<p>These are ~not strikethroughs.</p><p>No, they are not~</p>'],
  ['[a ~~link~~](https://example.org/) and ~~[struck](https://example.org/)~~', '<p><a href="https://example.org/">a <del>link</del></a> and <del><a href="https://example.org/">struck</a></del></p>'],
  // The table as this renderer writes it (cmark-gfm: the same without align).
  ['| a |\n| - |\n| ~~cell~~ ~x~ |', '<table><thead><tr><th align="left">a</th></tr></thead><tbody><tr><td align="left"><del>cell</del> <del>x</del></td></tr></tbody></table>'],
];

for (const [markdown, expected] of MORE) {
  test(`strikethrough as cmark-gfm: ${JSON.stringify(markdown)}`, () => {
    assert.equal(normalise(html(markdown)), normalise(expected));
  });
}

test('the email strikes with <del>, styled text and plain text intact; never <s>', async () => {
  const { rendered } = await render(issueText('Prices ~~rose~~ ~fell~ today, ~~~not~~~ struck.'));
  const email = rendered!.sample!.html.toString('utf8');
  assert.match(email, /Prices <del>rose<\/del> <del>fell<\/del> today, ~~~not~~~ struck\./);
  assert.doesNotMatch(email, /<s>|<s /);
  assert.match(rendered!.sample!.text.toString('utf8'), /Prices rose fell today, ~~~not~~~ struck\./);
});
