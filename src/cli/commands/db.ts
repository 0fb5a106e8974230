import { relative, resolve } from 'node:path';
import type { Environment } from '../../config/environment.ts';
import { backupDatabase } from '../../store/backup/backup-database.ts';
import type { TableRows } from '../../store/backup/database-file.ts';
import { restoreDatabase } from '../../store/backup/restore-database.ts';
import { databaseFile, isPostgresUrl } from '../../store/database-path.ts';

export interface DbCommand {
  root: string;
  cwd: string;
  environment: Environment;
}

/** A path as the writer would type it from where they are. */
const shown = (cwd: string, path: string) => relative(cwd, path) || path;

function printTables(tables: readonly TableRows[]): void {
  const width = Math.max(...tables.map((t) => t.table.length));
  for (const t of tables) process.stdout.write(`  ${t.table.padEnd(width)}  ${t.rows}\n`);
}

/**
 * Backup and restore work on a SQLite file; PostgreSQL has its own tools, which know its server. The refusal names
 * the host and database (describePgUrl), never the password; pg is not loaded for it.
 */
async function refusePostgres(location: string, command: 'backup' | 'restore'): Promise<number | null> {
  if (!isPostgresUrl(location)) return null;
  const { describePgUrl } = await import('../../store/pg/pg-pool.ts');
  const tool = command === 'backup' ? 'pg_dump' : 'pg_restore';
  process.stderr.write(`newsletter db ${command}: NEWSLETTER_DB is PostgreSQL (${describePgUrl(location)}); db ${command} is for SQLite files: use ${tool} on that database instead\n`);
  return 1;
}

/** `newsletter db backup <file>`: a consistent copy while serve and sends run; rows per table. */
export async function runBackup(cmd: DbCommand, file: string): Promise<number> {
  const source = databaseFile(cmd.root, cmd.environment.databasePath);
  const refused = await refusePostgres(source, 'backup');
  if (refused !== null) return refused;
  const target = resolve(cmd.cwd, file);
  const tables = await backupDatabase(source, target);
  process.stdout.write(`Backed up ${shown(cmd.cwd, source)} to ${shown(cmd.cwd, target)} (rows per table):\n`);
  printTables(tables);
  return 0;
}

/** `newsletter db restore <file>`: the backup in place of the database, the current one kept beside it. */
export async function runRestore(cmd: DbCommand, file: string): Promise<number> {
  const path = databaseFile(cmd.root, cmd.environment.databasePath);
  const refused = await refusePostgres(path, 'restore');
  if (refused !== null) return refused;
  const restored = await restoreDatabase(path, resolve(cmd.cwd, file));
  process.stdout.write(`Restored ${shown(cmd.cwd, path)} from ${file} (rows per table):\n`);
  printTables(restored.tables);
  process.stdout.write(restored.kept ? `The database it replaced is kept as ${shown(cmd.cwd, restored.kept)}.\n` : 'There was no database before.\n');
  return 0;
}
