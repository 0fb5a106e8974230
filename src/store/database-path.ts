import { join, resolve } from 'node:path';

/** Whether `NEWSLETTER_DB` names a PostgreSQL server rather than a SQLite file. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** A NEWSLETTER_DB that is neither a PostgreSQL URL nor a file path: refused, never created as a file of that name. */
export class DatabaseLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseLocationError';
  }
}

/**
 * A URL for messages with its credentials gone: scheme, then what follows the last `@` (host, port, database), no
 * query (libpq takes `?password=` too). Whatever sits before that `@` may hold a password, even one with `/` or `@`.
 */
export function withoutCredentials(location: string): string {
  const [, scheme = '', rest = location] = /^([a-z][a-z0-9+.-]*:\/{0,2})?(.*)$/is.exec(location) ?? [];
  const noQuery = rest.split('?')[0]!;
  const at = noQuery.lastIndexOf('@');
  const shown = `${scheme}${at < 0 ? '' : '…@'}${noQuery.slice(at + 1)}`;
  return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
}

/**
 * Why `configured` cannot be the database, or null: it looks like a URL (a scheme and `://`, or `postgres:` without
 * the slashes) but not a PostgreSQL one. Without this, a typo such as `postgress://…` would become a new, empty
 * SQLite file named like the URL, and the command would carry on against it.
 */
export function databaseLocationRefusal(configured: string): string | null {
  if (isPostgresUrl(configured)) return null;
  if (!configured.includes('://') && !/^(postgres(ql)?|pg):/i.test(configured)) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(configured)?.[1] ?? '';
  const what = /^postgres(ql)?$/i.test(scheme) ? `"${scheme}:" needs "//" after it` : `${scheme ? `"${scheme}:"` : 'that'} is not a database this newsletter knows`;
  return `NEWSLETTER_DB=${withoutCredentials(configured)} looks like a URL, but ${what}: write postgres:// or postgresql:// for PostgreSQL, or a file path for SQLite`;
}

/**
 * Where the data is: `NEWSLETTER_DB` (as config/environment.ts read it) when it is a PostgreSQL URL; otherwise a SQLite
 * file, `NEWSLETTER_DB` or `data/newsletter.db` under the project root. A relative `NEWSLETTER_DB` is relative to the
 * project root too, so a command run from a subfolder opens the same file. Every command finds its database here,
 * so a mistyped URL is refused here (DatabaseLocationError). Apart from open.ts so that finding the database loads
 * neither SQLite nor pg.
 */
export function databaseFile(root: string, configured: string | null): string {
  if (configured === ':memory:') return configured;
  if (configured) {
    const refusal = databaseLocationRefusal(configured);
    if (refusal) throw new DatabaseLocationError(refusal);
    if (isPostgresUrl(configured)) return configured;
  }
  return configured ? resolve(root, configured) : join(root, 'data', 'newsletter.db');
}
