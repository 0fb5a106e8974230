/**
 * Reading a subscriber CSV file with csv-parse, into the rows and the problems an import reports, by line.
 *
 * csv-parse is either lenient about quotes (relax_quotes: a stray quote inside an unquoted cell is kept, as a
 * spreadsheet keeps it, but text after a closing quote is taken in too) or strict (both are errors, and an error ends
 * the parse). So it reads leniently, and a record that may hide text after a closing quote is read again strictly:
 * only such a record has a cell starting with a quote once read leniently (a cell written `"""a"` is one too).
 * After a bad quote, reading resumes on the line after the quote's, as a new pass when csv-parse had read past it.
 *
 * Line numbers are counted here, from the cells and csv-parse's byte offsets: its own count takes a CRLF inside a
 * quoted cell for two lines.
 */
import { CsvError, parse, type Options } from 'csv-parse/sync';

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

// The three line ends, CRLF first so that it is one line end, not two. Records of any length: the count is checked
// against the header here, so that the problem can say so.
const RECORD_DELIMITER = ['\r\n', '\n', '\r'];
const LENIENT: Options = { record_delimiter: RECORD_DELIMITER, relax_quotes: true, relax_column_count: true };
// Strict about quotes; skip_records_with_error makes it go on past a stray quote, so that on_skip sees each error.
const STRICT: Options = { record_delimiter: RECORD_DELIMITER, relax_column_count: true, skip_records_with_error: true };

const QUOTE = 34; // "
const CR = 13;
const LF = 10;
const BLANK = /^[ \t]*$/;

const startsWithQuote = (cell: string) => cell.charCodeAt(0) === QUOTE;
// A line of only spaces and tabs is blank, as an empty one is, and read as one blank cell; so is `"  "`, a cell.
const oneBlankCell = (cells: readonly string[]) => cells.length === 1 && BLANK.test(cells[0]!);
const quoted = (bytes: Buffer, start: number, end: number) => bytes.subarray(start, end).includes(QUOTE);
const cellCount = (n: number) => (n === 1 ? '1 cell' : `${n} cells`);

/** Offset of the first CR or LF at or after `from`; `bytes.length` when none. */
function lineEnd(bytes: Buffer, from: number): number {
  let i = from;
  while (i < bytes.length && bytes[i] !== CR && bytes[i] !== LF) i++;
  return i;
}

/** Offset of the line after the one ending at `eol` (CRLF is one line end); `bytes.length` after the last line. */
function nextLine(bytes: Buffer, eol: number): number {
  if (eol >= bytes.length) return bytes.length;
  return bytes[eol] === CR && bytes[eol + 1] === LF ? eol + 2 : eol + 1;
}

/** Line ends in `bytes` from `from` up to `to`. */
function lineEnds(bytes: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = lineEnd(bytes, from); i < to; i = lineEnd(bytes, nextLine(bytes, i))) n++;
  return n;
}

/** Offset where a line starts, for lines asked for in order: one scan forward over the text in all. */
function lineStarts(bytes: Buffer): (line: number) => number {
  let at = 0;
  let current = 1;
  return (line) => {
    for (; current < line; current++) at = nextLine(bytes, lineEnd(bytes, at));
    return at;
  };
}

/** Line ends inside a record's cells: only a quoted cell holds any, kept as written. */
function lineEndsInCells(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) if (cell.includes('\n') || cell.includes('\r')) n += cell.match(/\r\n?|\n/g)!.length;
  return n;
}

/** The first quote error strict csv-parse finds in `bytes`: a quote never closed, or text after a closing quote. */
function firstQuoteError(bytes: Buffer): CsvError | null {
  try {
    parse(bytes, {
      ...STRICT,
      // Strict csv-parse calls a quote inside an unquoted cell an error too: passed over. Any other ends the parse.
      on_skip: (error) => {
        if (error?.code !== 'INVALID_OPENING_QUOTE') throw error;
      },
    });
    return null;
  } catch (error) {
    if (error instanceof CsvError && (error.code === 'CSV_QUOTE_NOT_CLOSED' || error.code === 'CSV_INVALID_CLOSING_QUOTE')) return error;
    throw error;
  }
}

/** Where reading resumes after a bad quote: the line after the one where the quote opened. */
interface Resume {
  resumeAt: number;
  resumeLine: number;
}

type QuoteProblem = CsvProblem & Resume;

/**
 * The problem of the record in `bytes[start, end)`, starting on `line`, when it has a bad quote; null when it has
 * none. The bad quote opens the cell strict csv-parse fails in. When its would-be closing quote, on the same line, has
 * text after it, that is the problem; else the quote is never closed (it ran into a later cell's quote, or the end).
 */
function quoteProblem(bytes: Buffer, start: number, end: number, line: number): QuoteProblem | null {
  const error = firstQuoteError(bytes.subarray(start, end));
  if (error === null) return null;
  // The failing cell is a quoted one: its quote is the record's first byte or follows the comma at `error.bytes`.
  const quoteAt = error.column === 0 ? start : start + Number(error.bytes) + 1;
  const quoteLine = line + lineEnds(bytes, start, quoteAt);
  const eol = lineEnd(bytes, quoteAt);
  // Read again up to the end of the quote's line, unless the record ends there anyway.
  const lineError = nextLine(bytes, eol) >= end ? error : firstQuoteError(bytes.subarray(quoteAt, eol));
  return {
    line,
    reason:
      lineError?.code === 'CSV_INVALID_CLOSING_QUOTE'
        ? `a quoted cell on line ${quoteLine} has text after its closing quote`
        : `a quote opened on line ${quoteLine} is never closed`,
    resumeAt: nextLine(bytes, eol),
    resumeLine: quoteLine + 1,
  };
}

/** Builds the table: the first record is the header, and every later one must have as many cells. */
function tableBuilder() {
  const table: CsvTable = { header: [], rows: [], problems: [] };
  let headerRead = false;
  return {
    table,
    record(cells: string[], line: number): void {
      if (!headerRead) {
        table.header = cells;
        headerRead = true;
      } else if (cells.length !== table.header.length) {
        table.problems.push({ line, reason: `has ${cellCount(cells.length)}; the header has ${table.header.length}` });
      } else table.rows.push({ line, cells });
    },
    problem(problem: CsvProblem): void {
      table.problems.push({ line: problem.line, reason: problem.reason });
    },
  };
}

type Builder = ReturnType<typeof tableBuilder>;

/**
 * The whole text in one pass of csv-parse without per-record info (its on_record would double the time), byte
 * offsets found from line numbers where needed. Returns where careful reading must take over, or null when done:
 * after a bad quote that csv-parse read past the line reading resumes on, or at once when a quote is open at the end.
 */
function readAtOnce(bytes: Buffer, out: Builder): Resume | null {
  let records: string[][];
  try {
    records = parse(bytes, LENIENT);
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED') return { resumeAt: 0, resumeLine: 1 };
    throw error;
  }
  const lineStart = lineStarts(bytes);
  let line = 1;
  for (const cells of records) {
    const lines = lineEndsInCells(cells) + 1;
    if (cells.some(startsWithQuote)) {
      const start = lineStart(line);
      const end = lineStart(line + lines);
      const bad = quoteProblem(bytes, start, end, line);
      if (bad === null) out.record(cells, line);
      else {
        out.problem(bad);
        if (bad.resumeAt !== end) return bad;
      }
    } else if (!oneBlankCell(cells) || quoted(bytes, lineStart(line), lineStart(line + 1))) out.record(cells, line);
    line += lines;
  }
  return null;
}

/**
 * Reads record by record from `bytes[from]`, which starts line `line`, to the end; or up to a bad quote after which
 * csv-parse read on past the line where reading must resume: then returns where that is, for a new pass.
 */
function readCarefully(bytes: Buffer, from: number, line: number, out: Builder): QuoteProblem | null {
  let next = line; // line of the next record, or of the blank lines before it
  let end = from; // offset after the last record read
  let skipped = 0; // csv-parse's count of empty lines passed by then
  const recordStart = () => {
    let i = end;
    while (bytes[i] === CR || bytes[i] === LF) i++;
    return i;
  };
  let restart: QuoteProblem | null = null;
  const stop = new Error('a new pass');
  try {
    parse(bytes.subarray(from), {
      ...LENIENT,
      skip_empty_lines: true,
      on_record: (cells, info) => {
        const start = next + info.empty_lines - skipped;
        const stopsAt = from + info.bytes;
        const bad = cells.some(startsWithQuote) ? quoteProblem(bytes, recordStart(), stopsAt, start) : null;
        if (bad) {
          out.problem(bad);
          if (bad.resumeAt !== stopsAt) {
            restart = bad;
            throw stop;
          }
        } else if (!oneBlankCell(cells) || quoted(bytes, end, stopsAt)) out.record(cells, start);
        next = start + lineEndsInCells(cells) + 1;
        skipped = info.empty_lines;
        end = stopsAt;
        return null;
      },
    });
    return null;
  } catch (error) {
    if (error === stop) return restart;
    if (!(error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED')) throw error;
    // A quote still open at the end of the text: the record it is in is bad.
    const bad = quoteProblem(bytes, recordStart(), bytes.length, next + Number(error.empty_lines) - skipped);
    if (bad === null) throw new Error('csv-parse found a quote never closed that its strict reading does not', { cause: error });
    out.problem(bad);
    return bad;
  }
}

/**
 * Parses CSV text: strips a UTF-8 BOM; CRLF, LF or CR line ends; quoted fields with commas, doubled quotes and line
 * breaks inside (kept as written); a trailing line end is ignored; blank lines (empty or only spaces and tabs) are
 * skipped but still counted for line numbers. The first record is the header. A record with a different number of
 * cells than the header is a problem ("has 4 cells; the header has 3"), as is an unterminated quote ("a quote opened
 * on line N is never closed") or text after a closing quote; problems carry the record's start line, and after a
 * quote problem the parser resumes at the line after the one where the quote opened. The text is decodeText's: no
 * NUL (csv-parse takes one after a closing quote for the end of the cell) and no lone surrogate (Buffer.from would
 * turn it into U+FFFD).
 */
export function parseCsv(text: string): CsvTable {
  // Stripped here rather than by csv-parse, so that the byte offsets it reports count from the first record.
  const bytes = Buffer.from(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const out = tableBuilder();
  for (let pass = readAtOnce(bytes, out); pass !== null; ) pass = readCarefully(bytes, pass.resumeAt, pass.resumeLine, out);
  return out.table;
}
