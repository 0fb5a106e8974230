/**
 * CSV for subscriber import and export (RFC 4180), written by hand: one pass over the text, no dependencies.
 *
 * Parsing is lenient where a spreadsheet is (CRLF, LF or CR line ends, a BOM, blank lines, a stray quote inside an
 * unquoted cell) and strict where guessing could import the wrong thing (a quote that is never closed, text after
 * a closing quote, a record with the wrong number of cells): those become problems with the line the record starts
 * on, and parsing resumes on the next line so that every bad line is reported, not only the first.
 */

export interface CsvRow {
  /** 1-based physical line where the record starts. */
  line: number;
  cells: string[];
}

export interface CsvProblem {
  /** 1-based physical line where the bad record starts. */
  line: number;
  reason: string;
}

export interface CsvTable {
  /** The first record, as written (not trimmed); empty when the text holds no record. */
  header: string[];
  /** Every well-formed record after the header with as many cells as the header, in file order. */
  rows: CsvRow[];
  /** Every bad record, in file order. */
  problems: CsvProblem[];
}

/**
 * Column indexes found by {@link findColumns}. When the header has a full-name column, `name` is its index; when it
 * has both a first-name and a last-name column instead, `name` is null and `first`/`last` are set (the name is both
 * joined with a space: see {@link nameOf}); a lone first-name or last-name column is used as `name`.
 */
export interface CsvColumns {
  email: number;
  name: number | null;
  first?: number;
  last?: number;
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
const BOM = 0xfeff;

/** Start of the line after the one holding `from` (CRLF counts as one line end); `src.length` when none. */
function nextLineStart(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === LF) return i + 1;
    if (c === CR) return src.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
  }
  return src.length;
}

function cellCount(n: number): string {
  return n === 1 ? '1 cell' : `${n} cells`;
}

/**
 * Parses CSV text: strips a UTF-8 BOM; CRLF, LF or CR line ends; quoted fields with commas, doubled quotes and line
 * breaks inside (kept as written); a trailing line end is ignored; blank lines (empty or only spaces and tabs) are
 * skipped but still counted for line numbers. The first record is the header. A record with a different number of
 * cells than the header is a problem ("has 4 cells; the header has 3"), as is an unterminated quote ("a quote opened
 * on line N is never closed") or text after a closing quote; problems carry the record's start line, and after a
 * quote problem the parser resumes at the line after the one where the quote opened.
 */
export function parseCsv(text: string): CsvTable {
  const src = text.charCodeAt(0) === BOM ? text.slice(1) : text;
  const n = src.length;
  let header: string[] | null = null;
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  let pos = 0;
  let line = 1;

  records: while (pos < n) {
    // A blank line (nothing, or only spaces and tabs) is skipped.
    let k = pos;
    let c = src.charCodeAt(k);
    while (c === SPACE || c === TAB) c = src.charCodeAt(++k);
    if (k >= n) break;
    if (c === CR || c === LF) {
      pos = c === CR && src.charCodeAt(k + 1) === LF ? k + 2 : k + 1;
      line++;
      continue;
    }

    const start = line;
    const cells: string[] = [];
    for (;;) {
      if (src.charCodeAt(pos) === QUOTE) {
        const quotePos = pos;
        const quoteLine = line;
        let l = line;
        let i = pos + 1;
        let segment = i;
        let value = '';
        let closed = false;
        while (i < n) {
          const ch = src.charCodeAt(i);
          if (ch === QUOTE) {
            if (src.charCodeAt(i + 1) === QUOTE) {
              value += src.slice(segment, i + 1); // keep one of the two quotes
              i += 2;
              segment = i;
              continue;
            }
            closed = true;
            break;
          }
          if (ch === LF || (ch === CR && src.charCodeAt(i + 1) !== LF)) l++;
          i++;
        }
        const after = closed ? src.charCodeAt(i + 1) : NaN;
        const ends = i + 1 >= n || after === COMMA || after === CR || after === LF;
        if (!closed || !ends) {
          // Never closed, or closed by what is really the opening quote of a later cell (text follows it): either
          // way the quote swallowed the lines after its own. A quote opened and closed on one line with text after
          // it (`"a"b`) is malformed too. Report the record and resume on the line after the quote's.
          problems.push({
            line: start,
            reason:
              !closed || l > quoteLine
                ? `a quote opened on line ${quoteLine} is never closed`
                : `a quoted cell on line ${quoteLine} has text after its closing quote`,
          });
          pos = nextLineStart(src, quotePos);
          line = quoteLine + 1;
          continue records;
        }
        cells.push(segment === pos + 1 ? src.slice(segment, i) : value + src.slice(segment, i));
        line = l;
        pos = i + 1;
      } else {
        let i = pos;
        let ch = src.charCodeAt(i);
        while (i < n && ch !== COMMA && ch !== CR && ch !== LF) ch = src.charCodeAt(++i);
        cells.push(src.slice(pos, i));
        pos = i;
      }
      // After a cell: a comma (another cell follows, maybe empty), a line end, or the end of the text.
      const sep = src.charCodeAt(pos);
      if (sep === COMMA) {
        pos++;
        continue;
      }
      if (sep === CR || sep === LF) {
        pos = sep === CR && src.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1;
        line++;
      }
      break;
    }

    if (header === null) header = cells;
    else if (cells.length !== header.length) {
      problems.push({ line: start, reason: `has ${cellCount(cells.length)}; the header has ${header.length}` });
    } else rows.push({ line: start, cells });
  }

  return { header: header ?? [], rows, problems };
}

/** Header text reduced for comparison: trimmed, lower case, without spaces, `-` and `_` ("E-mail" → "email"). */
function headerKey(cell: string): string {
  return cell.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

// Keys as produced by headerKey: "e-mail", "email address", "EmailAddress" and "email_address" all reduce to these.
const EMAIL_KEYS = new Set(['email', 'emailaddress', 'mail', 'subscriberemail']);
const NAME_KEYS = new Set(['name', 'fullname', 'subscribername', 'displayname']);
const FIRST_KEYS = new Set(['firstname']);
const LAST_KEYS = new Set(['lastname']);

function quoteList(cells: readonly string[]): string {
  return cells.map((c) => JSON.stringify(c)).join(', ');
}

/**
 * Finds the email and name columns by header, any case, trimmed, with common aliases: email: "email", "e-mail",
 * "email address", "emailaddress", "mail", "subscriber email", "email_address"; name: "name", "full name",
 * "fullname", "subscriber name", "display name", or "first name" + "last name" (then `name` is null, `first` and
 * `last` are set, and the name is both joined with a space). Spaces, `-` and `_` inside a header are ignored, so
 * "First_Name" matches too. Two columns that could both be the email is a problem rather than a guess; of several
 * name columns the first is used. Returns column indexes (0-based) or a problem naming the headers it saw.
 */
export function findColumns(header: readonly string[]): CsvColumns | { problem: string } {
  const keys = header.map(headerKey);
  const matching = (set: ReadonlySet<string>): number[] =>
    keys.flatMap((key, index) => (set.has(key) ? [index] : []));

  const emails = matching(EMAIL_KEYS);
  if (emails.length === 0) {
    const saw = header.length === 0 ? 'the file has no header row' : `the header has ${quoteList(header)}`;
    const expected = '"email", "e-mail", "email address", "mail", "subscriber email"';
    return { problem: `no email column: ${saw}; expected one of ${expected}` };
  }
  if (emails.length > 1) {
    const which = emails.map((i) => `${JSON.stringify(header[i])} (column ${i + 1})`).join(', ');
    return { problem: `more than one column could be the email address: ${which}; keep one of them` };
  }
  const email = emails[0]!;

  const name = matching(NAME_KEYS)[0];
  if (name !== undefined) return { email, name };
  const first = matching(FIRST_KEYS)[0];
  const last = matching(LAST_KEYS)[0];
  if (first !== undefined && last !== undefined) return { email, name: null, first, last };
  return { email, name: first ?? last ?? null };
}

/**
 * The subscriber's name from a row, by the columns {@link findColumns} found: the name cell trimmed, or the first
 * and last names trimmed and joined with a space (either alone when the other is empty); null when there is none.
 */
export function nameOf(cells: readonly string[], columns: CsvColumns): string | null {
  let name: string;
  if (columns.name !== null) name = (cells[columns.name] ?? '').trim();
  else {
    const parts = [columns.first, columns.last]
      .map((i) => (i === undefined ? '' : (cells[i] ?? '').trim()))
      .filter((part) => part !== '');
    name = parts.join(' ');
  }
  return name === '' ? null : name;
}

/** First characters that make a spreadsheet run a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A cell as exported: formula-neutralised (unless `verbatim`), then quoted when needed. */
export function exportCell(cell: string, verbatim = false): string {
  const safe = !verbatim && FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * One CSV line (with CRLF at the end) for export: quotes cells containing a comma, quote, CR or LF; neutralises
 * cells a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) by prefixing a single quote, so
 * `=HYPERLINK(...)` exports as `'=HYPERLINK(...)` (then quoted as needed). A line of one empty or blank cell is
 * written quoted (`""`), so that {@link parseCsv} does not skip it as a blank line.
 */
export function csvLine(cells: readonly string[]): string {
  if (cells.length === 1 && /^[ \t]*$/.test(cells[0]!)) return `"${cells[0]!}"\r\n`;
  return `${cells.map((cell) => exportCell(cell)).join(',')}\r\n`;
}
