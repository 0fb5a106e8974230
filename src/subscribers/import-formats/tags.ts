import { normalizeTag } from '../../audience/tags.ts';

/**
 * The tag rule (src/audience/tags.ts) applied to tags read from another service's file, where "Paid Member" and
 * "VIP_2024" are common: they are made to fit, and what cannot be is reported.
 */

/** A tag made to fit the rule, or null when nothing is left of it or it is still too long. */
export function normaliseTag(raw: string): string | null {
  const fitted = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: "Café" is "cafe"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return normalizeTag(fitted);
}

/** Tags cells written one of three ways: Mailchimp's `"a","b c"`, a `;` list (Buttondown), or a `,` list. */
export function splitTags(cell: string, separator: ',' | ';' = ','): string[] {
  const text = cell.trim();
  if (text === '') return [];
  if (text.startsWith('"')) return [...text.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"').trim()).filter((t) => t !== '');
  return text.split(separator).map((t) => t.trim()).filter((t) => t !== '');
}

/** The tags of a cell, normalised and without repeats, and those that could not be. */
export function readTags(cell: string, separator: ',' | ';' = ','): { tags: string[]; bad: string[] } {
  const tags = new Set<string>();
  const bad: string[] = [];
  for (const raw of splitTags(cell, separator)) {
    const tag = normaliseTag(raw);
    if (tag === null) bad.push(raw);
    else tags.add(tag);
  }
  return { tags: [...tags], bad };
}
