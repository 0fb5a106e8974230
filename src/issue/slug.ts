const DATE_PREFIX = /^\d{4}-\d{2}-\d{2}-/;

/** The default slug: the file name without `.md` and without a leading `YYYY-MM-DD-`. */
export function slugFromFileName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.md$/i, '');
  return base.replace(DATE_PREFIX, '');
}

/** A URL- and file-safe slug from free text: lower case ASCII letters, digits and single hyphens. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
