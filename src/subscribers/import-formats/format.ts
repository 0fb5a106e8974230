import type { Status } from '../subscriber.ts';

/** The statuses a file can give: people who left, bounced or complained are never `active`. */
export type ImportStatus = Extract<Status, 'active' | 'unsubscribed' | 'bounced' | 'complained'>;

/** What the source file says about how and when the person opted in, kept as consent on record. */
export interface Consent {
  optedInAt?: string;
  ip?: string;
  /** The row's evidence fields, by their header, as the file wrote them. */
  evidence: Record<string, string>;
}

/** One data row as a format reads it; the email and name are found by the generic columns. */
export type MappedRow =
  | { status: ImportStatus; tags: string[]; consent?: Consent }
  | { skip: string };

/** A row's cells by header name (matched trimmed, any case); '' for a column the file lacks. */
export type Cells = (column: string) => string;

export interface ImportFormat {
  /** As printed: "Mailchimp (unsubscribed members)". */
  label: string;
  /** Headers (trimmed, any case) read here, so not kept as attributes. */
  consumed: readonly string[];
  /** `;` for Buttondown, `,` elsewhere. */
  tagSeparator?: ',' | ';';
  /** The header of the tags column, if the format has one. */
  tagColumn?: string;
  row(cells: Cells): MappedRow;
}

/** A header cell as compared: trimmed, lower case. */
export const headerName = (cell: string) => cell.trim().toLowerCase();

/** True for the values services write for yes. */
export const isTrue = (value: string) => ['true', 'yes', '1', 't', 'y'].includes(value.trim().toLowerCase());

/** The non-empty cells of `columns`, by the column's own header, for the consent evidence. */
export function evidenceOf(cells: Cells, columns: readonly string[]): Record<string, string> {
  const evidence: Record<string, string> = {};
  for (const column of columns) {
    const value = cells(column).trim();
    if (value !== '') evidence[column] = value;
  }
  return evidence;
}
