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
