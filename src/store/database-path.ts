import { join, resolve } from 'node:path';

/** Whether `NEWSLETTER_DB` names a PostgreSQL server rather than a SQLite file. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/**
 * Where the data is: `NEWSLETTER_DB` (as config/environment.ts read it) when it is a PostgreSQL URL; otherwise a SQLite
 * file, `NEWSLETTER_DB` or `data/newsletter.db` under the project root. A relative `NEWSLETTER_DB` is relative to the
 * project root too, so a command run from a subfolder opens the same file. Apart from open.ts so that finding the
 * database loads neither SQLite nor pg.
 */
export function databaseFile(root: string, configured: string | null): string {
  if (configured === ':memory:') return configured;
  if (configured && isPostgresUrl(configured)) return configured;
  return configured ? resolve(root, configured) : join(root, 'data', 'newsletter.db');
}
