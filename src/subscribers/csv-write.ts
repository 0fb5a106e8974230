/**
 * Writing CSV for export (and for the rejected rows of an import) with csv-stringify: CRLF line ends, a cell quoted
 * only when it needs to be, formulas neutralised by its escape_formulas.
 */
import { stringify } from 'csv-stringify/sync';

// The first characters escape_formulas prefixes with `'`. It counts the fullwidth ＝, ＋, － and ＠ too, which
// the export wrote as they are before csv-stringify came in, and still does: no change in output.
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const FULLWIDTH_FORMULA_START = /^[\uFF1D\uFF0B\uFF0D\uFF20]/;
// Options of one cell, from cast: they cost csv-stringify a normalisation each, so only the cells they change get them.
const NO_ESCAPE = { escape_formulas: false };

/**
 * Records as CSV for export, each line ending in CRLF: a cell is quoted when it holds a comma, quote, CR or LF (and
 * only then); a cell a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is prefixed with a
 * single quote, so `=HYPERLINK(...)` exports as `'=HYPERLINK(...)` (then quoted as needed), except in the column
 * `verbatim`, written as it is.
 */
export function csvText(records: readonly (readonly string[])[], verbatim = -1): string {
  return stringify(records as string[][], {
    escape_formulas: true,
    record_delimiter: '\r\n',
    // Given a record delimiter, csv-stringify quotes only cells holding it; a lone CR or LF needs quotes too.
    quote_record_delimiter: true,
    cast: {
      string: (value, { index }) => ((index === verbatim ? FORMULA_START : FULLWIDTH_FORMULA_START).test(value) ? { value, ...NO_ESCAPE } : value),
    },
  });
}

/**
 * One CSV line (with CRLF at the end), as {@link csvText} writes it. A line of one empty or blank cell is written
 * quoted (`""`), so that parseCsv does not skip it as a blank line.
 */
export function csvLine(cells: readonly string[]): string {
  if (cells.length === 1 && /^[ \t]*$/.test(cells[0]!)) return `"${cells[0]!}"\r\n`;
  return csvText([cells]);
}
