import { join, resolve } from 'node:path';

/**
 * `NEWSLETTER_DB` (as config/environment.ts read it), or `data/newsletter.db` under the project root. A relative `NEWSLETTER_DB` is relative to the
 * project root too, so a command run from a subfolder opens the same file. Apart from open.ts so that finding the
 * database does not load SQLite.
 */
export function databaseFile(root: string, configured: string | null): string {
  if (configured === ':memory:') return configured;
  return configured ? resolve(root, configured) : join(root, 'data', 'newsletter.db');
}
