import { relative } from 'node:path';
import type { Environment } from '../../config/environment.ts';
import { migrateDatabaseAt } from '../../store/database-migrate.ts';
import { databaseFile } from '../../store/database-path.ts';

export interface DbMigrateCommand {
  root: string;
  cwd: string;
  environment: Environment;
}

const ENGINE = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

/**
 * `newsletter db migrate`: the migrations the database lacks, under the engine's lock, and what was done where. A
 * schema newer than this code is refused, nothing changed, exit 1. (Every command that opens the database migrates
 * it too; this one does only that, for a deploy step or to see what happens.)
 */
export async function runDbMigrate(cmd: DbMigrateCommand): Promise<number> {
  const location = databaseFile(cmd.root, cmd.environment.databasePath);
  try {
    const report = await migrateDatabaseAt(location);
    const where = report.engine === 'sqlite' ? relative(cmd.cwd, report.where) || report.where : report.where;
    const did = report.from === report.to ? `already at version ${report.to}, nothing to do` : `migrated from version ${report.from} to ${report.to}`;
    process.stdout.write(`${ENGINE[report.engine]} ${where}: ${did}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`newsletter db migrate: ${(error as Error).message}\n`);
    return 1;
  }
}
