import { STATUSES, type ImportRow, type Status } from './subscriber.ts';
import { findColumns, nameOf } from './csv-columns.ts';
import type { CsvTable } from './csv-read.ts';
import { checkAddress } from './email-address.ts';
import { nameProblem } from './name.ts';
import { EXPORT_COLUMNS, exportBookkeeping, isExportHeader, unescapeCell } from './export-csv.ts';
import { headerName, type ImportFormat } from './import-formats/format.ts';
import { genericTagColumn, recogniseFormat } from './import-formats/recognise.ts';
import { readTags } from './import-formats/tags.ts';

const STATUS_COLUMN = EXPORT_COLUMNS.indexOf('status');

const isStatus = (value: string): value is Status => (STATUSES as readonly string[]).includes(value);

export interface Rejected {
  line: number;
  reason: string;
  /** The row's cells, when it parsed as a row at all. */
  cells: string[] | null;
}

/** A row left out on purpose (a deleted member, a deletion request, someone who never confirmed), and why. */
export interface Skipped {
  line: number;
  reason: string;
}

export interface ImportPlan {
  /** The service whose export this is, by its header row ("Mailchimp (cleaned members)"); null for a plain CSV. */
  format: string | null;
  /** Data rows in the file (every record after the header, good or bad). */
  rows: number;
  skipped: Skipped[];
  /** Tags the file gives that cannot be made to fit the tag rule: left off, and reported. */
  badTags: { line: number; tag: string }[];
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
export function planImport(table: CsvTable, fileName = ''): ImportPlan | { problem: string } {
  const columns = findColumns(table.header);
  if ('problem' in columns) return columns;
  const used = new Set([columns.email, columns.name, columns.first, columns.last].filter((c): c is number => c !== undefined && c !== null));
  // This newsletter's own export: its bookkeeping columns are not attributes, and its cells lose their `'` prefix.
  const ownExport = isExportHeader(table.header);
  for (const i of exportBookkeeping(table.header)) used.add(i);
  // Another service's export, by its header: its status, consent and tag columns are read, not kept as attributes.
  const format: ImportFormat | null = ownExport ? null : recogniseFormat(table.header, fileName);
  const index = new Map<string, number>();
  table.header.forEach((h, i) => {
    if (!index.has(headerName(h))) index.set(headerName(h), i);
  });
  for (const column of format?.consumed ?? []) {
    const i = index.get(headerName(column));
    if (i !== undefined) used.add(i);
  }
  // A format without a tags column of its own (Substack, beehiiv) still reads a generic one, as any CSV does.
  const tagName = format?.tagColumn ?? genericTagColumn(table.header);
  const tagColumn = tagName === null ? undefined : index.get(headerName(tagName));
  if (tagColumn !== undefined) used.add(tagColumn);
  const skipped: Skipped[] = [];
  const badTags: { line: number; tag: string }[] = [];
  const cell = ownExport ? unescapeCell : (value: string) => value;
  const rejected: Rejected[] = table.problems.map((p) => ({ line: p.line, reason: p.reason, cells: null }));
  const accepted: ImportRow[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const row of table.rows) {
    const cells = (column: string) => {
      const i = index.get(headerName(column));
      return i === undefined ? '' : (row.cells[i] ?? '');
    };
    // Before the address is checked: a deleted member's row is left out, whatever is in it.
    const mapped = format?.row(cells);
    if (mapped && 'skip' in mapped) {
      skipped.push({ line: row.line, reason: mapped.skip });
      continue;
    }
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
    const status = ownExport ? (row.cells[STATUS_COLUMN] ?? '').trim() : (mapped?.status ?? 'active');
    if (!isStatus(status)) {
      rejected.push({ line: row.line, reason: `the status ${JSON.stringify(status)} is not one of ${STATUSES.join(', ')}`, cells: row.cells });
      continue;
    }
    const read = tagColumn === undefined ? { tags: [], bad: [] } : readTags(row.cells[tagColumn] ?? '', format?.tagSeparator ?? ',');
    for (const tag of read.bad) badTags.push({ line: row.line, tag });
    const tags = [...new Set([...(mapped?.tags ?? []), ...read.tags])];
    const consent = mapped?.consent;
    accepted.push({
      email: check.address,
      emailNormalized: check.normalized,
      name,
      attributes,
      ...(status === 'active' ? {} : { status }),
      // Only another service's file says who left: this newsletter's own export restores, it does not unsubscribe.
      ...(mapped && status !== 'active' ? { left: true as const } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      ...(consent ? { consent: { ...(consent.optedInAt ? { optedInAt: consent.optedInAt } : {}), ...(consent.ip ? { ip: consent.ip } : {}), evidence: consent.evidence } } : {}),
    });
  }
  rejected.sort((a, b) => a.line - b.line);
  return { format: format?.label ?? null, rows: table.rows.length + table.problems.length, skipped, badTags, accepted, duplicates, rejected };
}
