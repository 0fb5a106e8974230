import { databaseFile } from '../store/database-path.ts';
import { openStores, type OpenStoresOptions } from '../store/open-stores.ts';
import type { Stores } from '../store/stores.ts';

/** The stores a command works on: `NEWSLETTER_DB` (a SQLite file or a PostgreSQL URL), relative to the project root. */
export function openCommandStores(root: string, databasePath: string | null, purpose: string, options: Omit<OpenStoresOptions, 'purpose'> = {}): Promise<Stores> {
  return openStores(databaseFile(root, databasePath), { ...options, purpose });
}
