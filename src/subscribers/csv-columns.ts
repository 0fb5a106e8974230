/**
 * The columns a subscriber import needs, found by their headers. The CSV itself is read by csv-parse (csv-read.ts)
 * and written by csv-stringify (csv-write.ts).
 */

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
