import { recogniseBeehiiv } from './beehiiv.ts';
import { recogniseButtondown } from './buttondown.ts';
import { headerName, type ImportFormat } from './format.ts';
import { recogniseGhost } from './ghost.ts';
import { recogniseMailchimp } from './mailchimp.ts';
import { recogniseSubstack } from './substack.ts';

const GENERIC_TAG_COLUMNS = ['tags', 'labels'];

/**
 * Which service wrote the file, by its header row (Mailchimp's three files also by name); null for a plain CSV.
 * Checked most specific first: beehiiv's `status` column alone would match many files.
 */
export function recogniseFormat(header: readonly string[], fileName: string): ImportFormat | null {
  return recogniseMailchimp(header, fileName) ?? recogniseSubstack(header) ?? recogniseGhost(header) ?? recogniseButtondown(header) ?? recogniseBeehiiv(header);
}

/** A plain CSV's `tags` / `labels` / `TAGS` column, read as tags; null when it has none. */
export function genericTagColumn(header: readonly string[]): string | null {
  return header.map(headerName).find((name) => GENERIC_TAG_COLUMNS.includes(name)) ?? null;
}
