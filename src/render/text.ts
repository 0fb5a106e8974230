import { compile, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';

/** The text's line width. */
export const WORDWRAP = 78;

/** A heading's text with its underline: `=` for h1, `-` for the others. */
export function underline(text: string, rule: string): string {
  const width = Math.min(WORDWRAP, Math.max(...text.split('\n').map((l) => l.length)));
  return `${text}\n${rule.repeat(Math.max(3, width))}`;
}

/** Headings keep their case and get an underline, the plain-text convention readers recognise. */
const heading =
  (rule: string): FormatCallback =>
  (elem, walk, builder) => {
    builder.openBlock({ leadingLineBreaks: 2 });
    walk(elem.children, builder);
    builder.closeBlock({ trailingLineBreaks: 1, blockTransform: (text) => underline(text, rule) });
  };

/** An image is its alt text, or nothing. */
const altText =
  (block: boolean): FormatCallback =>
  (elem, _walk, builder) => {
    const alt = (elem.attribs as Record<string, string> | undefined)?.alt?.trim();
    if (!alt) return;
    if (block) builder.openBlock({ leadingLineBreaks: 1 });
    builder.addInline(alt);
    if (block) builder.closeBlock({ trailingLineBreaks: 1 });
  };

const options: HtmlToTextOptions = {
  wordwrap: WORDWRAP,
  formatters: {
    h1: heading('='),
    h2: heading('-'),
    h3: heading('-'),
    img: altText(false),
    mjImage: altText(true),
  },
  selectors: [
    { selector: 'mj-head', format: 'skip' },
    { selector: 'mj-section', format: 'block' },
    { selector: 'mj-wrapper', format: 'block' },
    { selector: 'mj-column', format: 'block' },
    { selector: 'mj-text', format: 'block' },
    { selector: 'mj-raw', format: 'block' },
    { selector: 'mj-button', format: 'anchor', options: { linkBrackets: false, hideLinkHrefIfSameAsText: true } },
    { selector: 'mj-image', format: 'mjImage' },
    { selector: 'mj-divider', format: 'horizontalLine', options: { length: 40 } },
    { selector: 'mj-spacer', format: 'skip' },
    { selector: 'h1', format: 'h1' },
    { selector: 'h2', format: 'h2' },
    { selector: 'h3', format: 'h3' },
    { selector: 'h4', format: 'h3' },
    { selector: 'h5', format: 'h3' },
    { selector: 'h6', format: 'h3' },
    { selector: 'img', format: 'img' },
    {
      selector: 'a',
      options: { linkBrackets: false, hideLinkHrefIfSameAsText: true, noAnchorUrl: true },
    },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false, maxColumnWidth: 30 } },
    { selector: 'hr', format: 'horizontalLine', options: { length: 40 } },
  ],
};

const convert = compile(options);

/** html-to-text over MJML, before the final tidying. */
function convertMjml(mjml: string): string {
  // htmlparser2 reads `<mj-image … />` as an open tag; make self-closing MJML tags explicit. Inline styles mean
  // nothing in text and are a third of the input, so they go first.
  const explicit = mjml
    .replace(/ style="[^"]*"/g, '')
    .replace(/<(mj-[a-z-]+)((?:\s[^<>]*?)?)\s*\/>/g, '<$1$2></$1>');
  return convert(explicit);
}

function tidy(text: string): string {
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/**
 * The plain-text version, read from the email's MJML source rather than MJML's table-heavy HTML: the same content
 * without the layout scaffolding, several times faster, and with the hidden preheader (in mj-head) left out.
 */
export function mjmlToText(mjml: string): string {
  return tidy(convertMjml(mjml));
}

/** Text with the line breaks it wants before and after it, to be placed the way html-to-text places a block. */
export interface BlockText {
  text: string;
  leadingLineBreaks: number;
  trailingLineBreaks: number;
}

const FRAGMENT_START = 'nlfragmentstart';
const FRAGMENT_END = 'nlfragmentend';

/**
 * One block-level piece of MJML or HTML (a table, a run of the writer's HTML) converted on its own. Two words placed
 * around it reveal the line breaks it wants on either side; they sit at the very ends, so nothing inside can be
 * mistaken for them.
 */
export function convertFragment(mjml: string): BlockText {
  const out = convertMjml(`${FRAGMENT_START}${mjml}${FRAGMENT_END}`);
  const inner = out.slice(FRAGMENT_START.length, out.length - FRAGMENT_END.length);
  const text = inner.replace(/^\n+/, '');
  const leadingLineBreaks = inner.length - text.length;
  const trimmed = text.replace(/\n+$/, '');
  return { text: trimmed, leadingLineBreaks, trailingLineBreaks: text.length - trimmed.length };
}

/**
 * The email's text when the body's text was built separately (body-text.ts): html-to-text reads the layout with the
 * body cut out and a one-line marker in its place, and the body's text goes where the marker is, with the line breaks
 * html-to-text would have put around it. Null when the marker is not a line of its own at the top level (a layout
 * that puts the body somewhere unusual); the caller then converts the whole MJML.
 */
export function spliceText(layoutMjml: string, marker: string, body: BlockText): string | null {
  const layout = convertMjml(layoutMjml);
  const at = layout.indexOf(marker);
  if (at === -1 || layout.indexOf(marker, at + 1) !== -1) return null;
  const end = at + marker.length;
  if ((at > 0 && layout[at - 1] !== '\n') || (end < layout.length && layout[end] !== '\n')) return null;
  let before = at;
  while (before > 0 && layout[before - 1] === '\n') before--;
  let after = end;
  while (after < layout.length && layout[after] === '\n') after++;
  // No text before (or after) the marker means none before (or after) the body either.
  const leading = at - before === 0 ? 0 : Math.max(at - before, body.leadingLineBreaks);
  const trailing = after - end === 0 ? 0 : Math.max(after - end, body.trailingLineBreaks);
  return tidy(`${layout.slice(0, before)}${'\n'.repeat(leading)}${body.text}${'\n'.repeat(trailing)}${layout.slice(after)}`);
}
