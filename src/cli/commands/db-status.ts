import { relative } from 'node:path';
import type { Environment } from '../../config/environment.ts';
import { databaseFile } from '../../store/database-path.ts';
import { databaseStatus, pendingVersions, type DatabaseStatus } from '../../store/database-status.ts';
import { STATUSES } from '../../subscribers/subscriber.ts';

export interface DbStatusCommand {
  root: string;
  cwd: string;
  environment: Environment;
}

const ENGINE = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;
const n = (count: number) => count.toLocaleString('en-US');

/** The lines of `db status`, label and value: a pure function of the status, so each case reads plainly. */
export function statusLines(status: DatabaseStatus, where: string): [string, string][] {
  const lines: [string, string][] = [
    ['Engine', ENGINE[status.engine]],
    ['Where', where],
  ];
  if (!status.exists) {
    lines.push(['Schema', `no database yet: \`newsletter db migrate\` (or any command that opens it) creates it at version ${status.known}`]);
    return lines;
  }
  const pending = pendingVersions(status);
  if (status.version > status.known) {
    lines.push(['Schema', `version ${status.version}, newer than this newsletter knows (${status.known}): upgrade the newsletter; until then db migrate and every command that opens the database refuse it`]);
  } else if (status.version === 0) {
    lines.push(['Schema', `none yet (no newsletter tables); this newsletter's is version ${status.known}`]);
  } else {
    lines.push(['Schema', `version ${status.version}; this newsletter's is ${status.known}${pending.length === 0 ? ', up to date' : ''}`]);
  }
  lines.push([
    'Pending',
    pending.length === 0
      ? 'none'
      : `${pending.length} migration${pending.length === 1 ? '' : 's'} (version${pending.length === 1 ? '' : 's'} ${pending.join(', ')}): \`newsletter db migrate\` applies them (so does any command that opens the database)`,
  ]);
  const { subscribers, sends, deliveries } = status.counts;
  if (subscribers) {
    const total = Object.values(subscribers).reduce((a, b) => a + b, 0);
    lines.push(['Subscribers', `${n(total)} (${STATUSES.map((s) => `${s} ${n(subscribers[s])}`).join(', ')})`]);
  }
  if (sends !== null) lines.push(['Sends', n(sends)]);
  if (deliveries !== null) lines.push(['Deliveries', n(deliveries)]);
  return lines;
}

/**
 * `newsletter db status`: engine, where, the schema version against this code's, pending migrations and the main
 * tables' rows, read without changing anything: a missing SQLite file is not created, no table is made on PostgreSQL.
 */
export async function runDbStatus(cmd: DbStatusCommand): Promise<number> {
  const location = databaseFile(cmd.root, cmd.environment.databasePath);
  try {
    const status = await databaseStatus(location);
    const where = status.engine === 'sqlite' ? relative(cmd.cwd, status.where) || status.where : status.where;
    const lines = statusLines(status, where);
    const width = Math.max(...lines.map(([label]) => label.length));
    for (const [label, value] of lines) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`newsletter db status: ${(error as Error).message}\n`);
    return 1;
  }
}
