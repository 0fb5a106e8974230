import { STATUSES, type ImportRow, type Status } from './subscriber.ts';
import { findColumns, nameOf } from './csv-columns.ts';
import type { CsvTable } from './csv-read.ts';
import { checkAddress } from './email-address.ts';
import { nameProblem } from './name.ts';
import { EXPORT_COLUMNS, exportBookkeeping, isExportHeader, unescapeCell } from './export-csv.ts';

const STATUS_COLUMN = EXPORT_COLUMNS.indexOf('status');

const isStatus = (value: string): value is Status => (STATUSES as readonly string[]).includes(value);

export interface Rejected {
  line: number;
  reason: string;
  /** The row's cells, when it parsed as a row at all. */
  cells: string[] | null;
}

export interface ImportPlan {
  /** Data rows in the file (every record after the header, good or bad). */
  rows: number;
  accepted: ImportRow[];
  /** Rows repeating an address met earlier in the same file (any case). */
  duplicates: number;
  rejected: Rejected[];
}

/**
 * Decides, without touching the store, what a CSV file would import: the email and name columns by header, every
 * address validated, other columns kept as attributes, repeats of an address within the file set aside. A file this
 * newsletter exported keeps each row's status for addresses new to the list, so a restored backup mails nobody who left.
 */
export function planImport(table: CsvTable): ImportPlan | { problem: string } {
  const columns = findColumns(table.header);
  if ('problem' in columns) return columns;
  const used = new Set([columns.email, columns.name, columns.first, columns.last].filter((c): c is number => c !== undefined && c !== null));
  // This newsletter's own export: its bookkeeping columns are not attributes, and its cells lose their `'` prefix.
  const ownExport = isExportHeader(table.header);
  for (const i of exportBookkeeping(table.header)) used.add(i);
  const cell = ownExport ? unescapeCell : (value: string) => value;
  const rejected: Rejected[] = table.problems.map((p) => ({ line: p.line, reason: p.reason, cells: null }));
  const accepted: ImportRow[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const row of table.rows) {
    const raw = row.cells[columns.email] ?? '';
    const check = checkAddress(raw);
    if (!check.ok) {
      rejected.push({ line: row.line, reason: raw.trim() === '' ? 'has no email address' : `${JSON.stringify(raw)} ${check.reason}`, cells: row.cells });
      continue;
    }
    if (seen.has(check.normalized)) {
      duplicates++;
      continue;
    }
    seen.add(check.normalized);
    const name = cell(nameOf(row.cells, columns) ?? '');
    const problem = nameProblem(name);
    if (problem) {
      rejected.push({ line: row.line, reason: problem, cells: row.cells });
      continue;
    }
    const attributes: Record<string, string> = {};
    table.header.forEach((key, i) => {
      const value = cell(row.cells[i]?.trim() ?? '');
      if (!used.has(i) && key.trim() !== '' && value) attributes[cell(key.trim())] = value;
    });
    // The own export says who unsubscribed, bounced, complained or never confirmed: a new address keeps that status.
    const status = ownExport ? (row.cells[STATUS_COLUMN] ?? '').trim() : 'active';
    if (!isStatus(status)) {
      rejected.push({ line: row.line, reason: `the status ${JSON.stringify(status)} is not one of ${STATUSES.join(', ')}`, cells: row.cells });
      continue;
    }
    accepted.push({ email: check.address, emailNormalized: check.normalized, name, attributes, ...(status === 'active' ? {} : { status }) });
  }
  rejected.sort((a, b) => a.line - b.line);
  return { rows: table.rows.length + table.problems.length, accepted, duplicates, rejected };
}
