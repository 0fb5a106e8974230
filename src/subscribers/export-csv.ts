/**
 * `subscribers export` as CSV, made so that importing it again loses and changes nothing.
 *
 * - Every attribute gets a column, after the fixed ones and the audience's (tags and consent on record, issue 16),
 *   in the order first met. Tags are one cell, comma-separated (a tag has no commas).
 * - The email address is written as it is: the address rule admits no parentheses, quotes or spaces, so no
 *   address can be a working formula, and a prefix would change the address on re-import.
 * - Every other cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with `'`; so that
 *   the prefix can be taken off again, a cell that already starts with `'` gets one more. {@link unescapeCell}
 *   undoes it, for files in this format only ({@link isExportHeader}).
 */
import type { Subscriber } from './subscriber.ts';
import { csvText } from './csv-write.ts';

/** The fixed columns, in order; the import recognises its own export by them and takes 3 to 7 as bookkeeping. */
export const EXPORT_COLUMNS = ['email', 'name', 'status', 'source', 'created_at', 'confirmed_at', 'unsubscribed_at'] as const;

/**
 * The audience's columns, right after the fixed ones. An export made before them still reads as this export (its
 * first columns are the same); in one made since, they are bookkeeping too, not attributes.
 */
export const AUDIENCE_COLUMNS = ['tags', 'consent_source', 'opted_in_at', 'consent_ip', 'consent_evidence'] as const;

/** `tagsById`: each subscriber's tags, by id (SubscriberStore.tagsById). */
export function exportCsv(list: readonly Subscriber[], tagsById: ReadonlyMap<number, readonly string[]> = new Map()): string {
  const keys = new Set<string>();
  for (const s of list) for (const key of Object.keys(s.attributes)) keys.add(key);
  const attributes = [...keys];
  const records = [[...EXPORT_COLUMNS, ...AUDIENCE_COLUMNS, ...attributes].map((header) => escapeCell(header))];
  for (const s of list) {
    const audience = [(tagsById.get(s.id) ?? []).join(','), s.consentSource ?? '', s.optedInAt ?? '', s.consentIp ?? '', s.consentEvidence ?? ''];
    const cells = [s.name, s.status, s.source, s.createdAt, s.confirmedAt ?? '', s.unsubscribedAt ?? '', ...audience, ...attributes.map((key) => s.attributes[key] ?? '')];
    records.push([s.email, ...cells.map(escapeCell)]);
  }
  // Column 0 is the email (its header is "email" either way).
  return csvText(records, 0);
}

/** True when a header is this export's: its first cells are {@link EXPORT_COLUMNS}, exactly. */
export function isExportHeader(header: readonly string[]): boolean {
  return EXPORT_COLUMNS.every((column, i) => header[i] === column);
}

/** The columns of a header of this export that are bookkeeping, not attributes: the fixed ones and any audience ones. */
export function exportBookkeeping(header: readonly string[]): number[] {
  if (!isExportHeader(header)) return [];
  const columns = EXPORT_COLUMNS.map((_, i) => i);
  for (let i = 0; i < AUDIENCE_COLUMNS.length && header[EXPORT_COLUMNS.length + i] === AUDIENCE_COLUMNS[i]; i++) columns.push(EXPORT_COLUMNS.length + i);
  return columns;
}

/** A cell of this export as it was before {@link exportCsv} neutralised it. */
export function unescapeCell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** One `'` more on a cell that starts with one, so that {@link unescapeCell} can take the formula prefix off again. */
function escapeCell(cell: string): string {
  return cell.startsWith("'") ? `'${cell}` : cell;
}
