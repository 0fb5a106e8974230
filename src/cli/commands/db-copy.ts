import { hostname } from 'node:os';
import type { Environment } from '../../config/environment.ts';
import { processLiveness } from '../../send/run/liveness.ts';
import { copyToPostgres } from '../../store/copy/copy-to-postgres.ts';
import { databaseFile, isPostgresUrl } from '../../store/database-path.ts';
import { describePgUrl, openPool } from '../../store/pg/pg-pool.ts';

export interface DbCopyCommand {
  root: string;
  environment: Environment;
}

const fail = (line: string) => {
  process.stderr.write(`newsletter db copy: ${line}\n`);
  return 1;
};

/**
 * `newsletter db copy --to postgres://…`: the SQLite database (NEWSLETTER_DB) into an empty PostgreSQL one, all in
 * one transaction with the counts checked; then the writer points NEWSLETTER_DB at the URL and carries on, a
 * half-finished send included (its next `send` resumes it there).
 */
export async function runDbCopy(cmd: DbCopyCommand, to: string): Promise<number> {
  if (!isPostgresUrl(to)) return fail(`--to takes a postgres:// or postgresql:// URL, not ${JSON.stringify(to.slice(0, 80))}`);
  const from = databaseFile(cmd.root, cmd.environment.databasePath);
  if (isPostgresUrl(from)) return fail('NEWSLETTER_DB is already a PostgreSQL URL: db copy moves a SQLite file into PostgreSQL');
  const where = describePgUrl(to);
  const pool = openPool(to, { max: 1, applicationName: 'newsletter db copy' });
  try {
    const client = await pool.connect();
    try {
      const alive = processLiveness(hostname());
      const result = await copyToPostgres(from, client, where, {
        alive: (run) => alive(run, Date.now()),
        onTable: (table, rows) => process.stdout.write(`  ${table.padEnd(20)} ${rows.toLocaleString('en-US')}\n`),
      });
      const total = result.tables.reduce((n, t) => n + t.rows, 0);
      process.stdout.write(
        `Copied ${total.toLocaleString('en-US')} rows from ${from} to ${where}; every table's count checked.\n` +
          `Next: set NEWSLETTER_DB=${to.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:…@')} (in .env or the environment), then carry on; \`newsletter status\` shows the same sends.\n`,
      );
      return 0;
    } finally {
      client.release();
    }
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    await pool.end();
  }
}
