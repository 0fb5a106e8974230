/**
 * The part of html-to-text's text builder (10.0.1: `BlockTextBuilder`, `InlineTextBuilder`, `WhitespaceProcessor`)
 * that the body's plain text needs, with the same rules for words, wrapping, blocks and line breaks, so text built
 * here from Markdown tokens is byte for byte what html-to-text makes of the same HTML (body-text.ts drives it; the
 * differential test in test/render/body-text.test.ts holds the two together). What it leaves out: tables, word
 * breaks (`wbr`), no-wrap, long-word splitting (off in our options) and character encoding.
 */

/** html-to-text's `whitespaceCharacters` default. */
const WORD = /[^ \t\r\n\f\u200b]+/g;
const LEADING_SPACE = /^[ \t\r\n\f\u200b]/;
const TRAILING_SPACE = /[ \t\r\n\f\u200b]$/;
const ONLY_SPACE = /^[ \t\r\n\f\u200b]*$/;
/** Whitespace other than single spaces between words. */
const UNUSUAL_SPACE = /[\t\r\n\f\u200b]| {2}/;

/** The words of the block being built, wrapped into lines; kept as strings, which is what makes this fast. */
class InlineText {
  /** Finished lines. */
  lines: string[] = [];
  line = '';
  wordsInLine = 0;
  /** Length of the line's last word, which a following piece of the same word joins. */
  lastWordLength = 0;
  available: number;
  stashedSpace = false;

  constructor(readonly maxLineLength: number) {
    this.available = maxLineLength;
  }

  pushWord(word: string): void {
    if (this.available <= 0) this.newLine();
    const lineStart = this.wordsInLine === 0;
    const cost = word.length + (lineStart ? 0 : 1);
    if (cost <= this.available) {
      this.line = lineStart ? word : `${this.line} ${word}`;
      this.available -= cost;
    } else {
      // Too long for what is left: the word moves to a new line, and is never split.
      if (!lineStart) this.newLine();
      this.line = word;
      this.available -= word.length;
    }
    this.wordsInLine++;
    this.lastWordLength = word.length;
  }

  /**
   * Words separated by single spaces, pushed a line at a time: the longest run of words that fits is cut at a space,
   * which is what pushing them one by one would do.
   */
  pushRun(run: string): void {
    while (run !== '') {
      if (this.available <= 0) this.newLine();
      const lineStart = this.wordsInLine === 0;
      const budget = lineStart ? this.available : this.available - 1;
      const cut = run.length <= budget ? run.length : run.lastIndexOf(' ', budget);
      if (cut <= 0) {
        // The next word does not fit: pushWord moves it to a new line.
        const space = run.indexOf(' ');
        this.pushWord(space === -1 ? run : run.slice(0, space));
        run = space === -1 ? '' : run.slice(space + 1);
        continue;
      }
      const chunk = cut === run.length ? run : run.slice(0, cut);
      this.line = lineStart ? chunk : `${this.line} ${chunk}`;
      this.available -= chunk.length + (lineStart ? 0 : 1);
      const lastSpace = chunk.lastIndexOf(' ');
      // Only whether a line holds none, one or more words matters (see concatWord), so two stands for "more".
      this.wordsInLine = lastSpace === -1 && lineStart ? 1 : 2;
      this.lastWordLength = chunk.length - lastSpace - 1;
      run = cut === run.length ? '' : run.slice(cut + 1);
    }
  }

  concatWord(word: string): void {
    if (this.wordsInLine === 0) {
      this.pushWord(word);
      return;
    }
    const length = this.lastWordLength;
    const last = this.line.slice(this.line.length - length);
    this.wordsInLine--;
    this.line = this.line.slice(0, this.line.length - length - (this.wordsInLine === 0 ? 0 : 1));
    this.available += length + (this.wordsInLine === 0 ? 0 : 1);
    this.pushWord(last + word);
  }

  newLine(n = 1): void {
    this.lines.push(this.line);
    for (let i = 1; i < n; i++) this.lines.push('');
    this.line = '';
    this.wordsInLine = 0;
    this.available = this.maxLineLength;
  }

  isEmpty(): boolean {
    return this.lines.length === 0 && this.wordsInLine === 0;
  }

  clear(): void {
    this.lines = [];
    this.line = '';
    this.wordsInLine = 0;
    this.available = this.maxLineLength;
  }

  toString(): string {
    return this.lines.length === 0 ? this.line : `${this.lines.join('\n')}\n${this.line}`;
  }
}

class Block {
  inline: InlineText;
  rawText = '';
  stashedLineBreaks = 0;
  constructor(
    readonly next: Block | null,
    public leadingLineBreaks: number,
    maxLineLength: number,
    readonly isPre: boolean,
  ) {
    this.inline = new InlineText(maxLineLength);
  }

  text(): string {
    return this.inline.isEmpty() ? this.rawText : this.rawText + this.inline.toString();
  }

  /** A finished child's text, separated from what came before by the larger of the two line-break wishes. */
  addText(text: string, leadingLineBreaks: number, trailingLineBreaks: number): void {
    const parentText = this.text();
    const lineBreaks = Math.max(this.stashedLineBreaks, leadingLineBreaks);
    this.inline.clear();
    if (parentText) {
      this.rawText = parentText + '\n'.repeat(lineBreaks) + text;
    } else {
      this.rawText = text;
      this.leadingLineBreaks = lineBreaks;
    }
    this.stashedLineBreaks = trailingLineBreaks;
  }
}

class List extends Block {
  constructor(
    next: Block,
    leadingLineBreaks: number,
    maxLineLength: number,
    readonly maxPrefixLength: number,
  ) {
    super(next, leadingLineBreaks, maxLineLength, next.isPre);
  }
}

class ListItem extends Block {
  constructor(
    readonly list: List,
    readonly prefix: string,
    maxLineLength: number,
  ) {
    super(list, 1, maxLineLength, list.isPre);
  }
}

export class TextBuilder {
  private item: Block;
  /** Word transforms, innermost last: an anchor collects its words to compare its text with its URL. */
  private transforms: ((word: string) => string)[] = [];

  constructor(wordwrap: number) {
    this.item = new Block(null, 1, wordwrap, false);
  }

  addInline(text: string, noWordTransform = false): void {
    const item = this.item;
    if (item.isPre) {
      item.rawText += text;
      return;
    }
    if (text.length === 0 || (item.stashedLineBreaks && ONLY_SPACE.test(text))) return;
    if (item.stashedLineBreaks) item.inline.newLine(item.stashedLineBreaks);
    this.shrinkWrapAdd(text, item.inline, noWordTransform);
    item.stashedLineBreaks = 0;
  }

  addLineBreak(): void {
    if (this.item.isPre) this.item.rawText += '\n';
    else this.item.inline.newLine();
  }

  openBlock(leadingLineBreaks: number, reservedLineLength = 0, isPre = false): void {
    const width = Math.max(20, this.item.inline.maxLineLength - reservedLineLength);
    this.item = new Block(this.item, leadingLineBreaks, width, isPre || this.item.isPre);
  }

  closeBlock(trailingLineBreaks: number, blockTransform?: (text: string) => string): void {
    const block = this.item;
    this.item = block.next!;
    const text = blockTransform ? blockTransform(block.text()) : block.text();
    this.item.addText(text, block.leadingLineBreaks, Math.max(block.stashedLineBreaks, trailingLineBreaks));
  }

  /** Text converted elsewhere (html-to-text itself, for a table), placed as a block would place it. */
  addBlockText(text: string, leadingLineBreaks: number, trailingLineBreaks: number): void {
    this.item.addText(text, leadingLineBreaks, trailingLineBreaks);
  }

  openList(leadingLineBreaks: number, maxPrefixLength: number): void {
    this.item = new List(this.item, leadingLineBreaks, this.item.inline.maxLineLength, maxPrefixLength);
  }

  openListItem(prefix: string): void {
    const list = this.item as List;
    const width = Math.max(20, list.inline.maxLineLength - Math.max(prefix.length, list.maxPrefixLength));
    this.item = new ListItem(list, prefix, width);
  }

  closeListItem(): void {
    const item = this.item as ListItem;
    const list = item.list;
    this.item = list;
    const prefixLength = Math.max(item.prefix.length, list.maxPrefixLength);
    const text = item.prefix.padEnd(prefixLength) + item.text().replace(/\n/g, `\n${' '.repeat(prefixLength)}`);
    list.addText(text, item.leadingLineBreaks, Math.max(item.stashedLineBreaks, 1));
  }

  closeList(trailingLineBreaks: number): void {
    const list = this.item;
    this.item = list.next!;
    const text = list.text();
    if (text) this.item.addText(text, list.leadingLineBreaks, trailingLineBreaks);
  }

  pushWordTransform(transform: (word: string) => string): void {
    this.transforms.push(transform);
  }

  popWordTransform(): void {
    this.transforms.pop();
  }

  /** The text so far, with the line breaks it wants before and after it. */
  result(): { text: string; leadingLineBreaks: number; trailingLineBreaks: number } {
    const root = this.item;
    return { text: root.text(), leadingLineBreaks: root.leadingLineBreaks, trailingLineBreaks: root.stashedLineBreaks };
  }

  /** Applies the word transforms, innermost first, as html-to-text does. */
  private transformed(word: string): string {
    const transforms = this.transforms;
    for (let i = transforms.length - 1; i >= 0; i--) word = transforms[i]!(word);
    return word;
  }

  private shrinkWrapAdd(text: string, inline: InlineText, noWordTransform: boolean): void {
    const transform = !noWordTransform && this.transforms.length > 0;
    const stashed = inline.stashedSpace;
    if (!transform && !UNUSUAL_SPACE.test(text)) {
      // The common case, words between single spaces: whole runs of words at a time.
      const leading = text.charCodeAt(0) === 32;
      const trailing = text.length > 1 && text.charCodeAt(text.length - 1) === 32;
      const words = text.slice(leading ? 1 : 0, trailing ? -1 : text.length);
      if (words !== '') {
        const space = words.indexOf(' ');
        const first = space === -1 ? words : words.slice(0, space);
        if (stashed || leading) inline.pushWord(first);
        else inline.concatWord(first);
        if (space !== -1) inline.pushRun(words.slice(space + 1));
      }
      inline.stashedSpace = (words === '' && (stashed || leading)) || trailing;
      return;
    }
    WORD.lastIndex = 0;
    let m = WORD.exec(text);
    const any = m !== null;
    if (m) {
      const first = transform ? this.transformed(m[0]) : m[0];
      if (stashed || LEADING_SPACE.test(text)) inline.pushWord(first);
      else inline.concatWord(first);
      while ((m = WORD.exec(text)) !== null) inline.pushWord(transform ? this.transformed(m[0]) : m[0]);
    }
    inline.stashedSpace = (stashed && !any) || TRAILING_SPACE.test(text);
  }
}
