import { unescapeAll } from './markdown.ts';

/** How far below its block's first line a link is looked for. */
const WINDOW = 200;

/**
 * A URL as compared with the source: entities decoded, percent-encoded and raw whitespace and controls dropped,
 * lower case, so `java&#x09;script:` in the Markdown matches the `java%09script:` markdown-it made of it.
 */
function comparable(text: string): string {
  // eslint-disable-next-line no-control-regex -- the same characters checkUrl ignores
  return unescapeAll(text).replace(/[\u0000-\u0020\u007f-\u009f]+|%(?:[01][0-9a-f]|20|7f)/gi, '').toLowerCase();
}

/**
 * Finds the source line of a link or image, so its diagnostic points at the link, not its paragraph. Markdown tokens
 * carry only their block's lines, so the URL is looked for in the text.
 *
 * Linear in the size of the body however many links it has (issue 12, finding 8: 100,000 links took 48 s when each
 * was looked for from its paragraph's start): links are located in document order, each from where the previous one
 * in the same block was found. A URL not found that way (markdown-it rewrote it, or a reference definition holds it)
 * is looked for from its block's start as before, and those searches share a budget of a few times the body's size;
 * once it is spent, such links point at their block's line.
 */
export class SourceLines {
  private lines?: string[];
  private readonly comparableLines: string[] = [];
  /** Where the last URL found in document order ended: an index into `lines`, and a column. */
  private line = 0;
  private column = 0;
  private budget: number;

  constructor(
    private readonly markdown: string,
    /** The file line of the body's first line. */
    private readonly firstLine: number,
  ) {
    this.budget = 4 * markdown.length + 100_000;
  }

  /** The file line, from `from` on and before `until` when it can, that holds `url`; `from` when none does. */
  locate(url: string | undefined, from: number, until: number): number {
    if (!url || this.budget <= 0) return from;
    const lines = (this.lines ??= this.markdown.split('\n'));
    const first = from - this.firstLine;
    if (first < 0 || first >= lines.length) return from;
    const last = Math.min(lines.length, first + WINDOW);
    const blockEnd = Math.min(last, until - this.firstLine);
    let column = this.line >= first ? this.column : 0;
    for (let i = Math.max(first, this.line); i < blockEnd; i++, column = 0) {
      const hit = lines[i]!.indexOf(url, column);
      if (hit !== -1) {
        this.line = i;
        this.column = hit + url.length;
        return i + this.firstLine;
      }
      // Text scanned without a find is read again by later searches: it is paid for from the budget.
      this.budget -= lines[i]!.length - column;
    }
    let wanted: string | undefined;
    for (let i = first; i < last && this.budget > 0; i++) {
      const line = lines[i]!;
      this.budget -= 2 * line.length;
      if (line.includes(url)) return i + this.firstLine;
      wanted ??= comparable(url);
      if (wanted !== '' && (this.comparableLines[i] ??= comparable(line)).includes(wanted)) return i + this.firstLine;
    }
    return from;
  }
}
