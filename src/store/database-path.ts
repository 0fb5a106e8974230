import { join, resolve } from 'node:path';

/**
 * `NEWSLETTER_DB`, or `data/newsletter.db` under the project root. A relative `NEWSLETTER_DB` is relative to the
 * project root too, so a command run from a subfolder opens the same file. Apart from open.ts so that finding the
 * database does not load SQLite.
 */
export function databasePath(root: string, env: NodeJS.ProcessEnv): string {
  const path = env.NEWSLETTER_DB?.trim();
  if (path === ':memory:') return path;
  return path ? resolve(root, path) : join(root, 'data', 'newsletter.db');
}
