import { SchemaTooNewError } from './pg-migrate.ts';
import { describePgUrl } from './pg-pool.ts';

/** A failure to reach or open the PostgreSQL database, said in one line that names host, port and database. */
export class PgConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgConnectError';
  }
}

/**
 * One line for what went wrong reaching PostgreSQL at `url`: which server, which database, and what to do. The URL's
 * password never appears: only host, port, database and user are named.
 */
export function describePgFailure(error: unknown, url: string): string {
  const where = describePgUrl(url);
  let user = '';
  try {
    user = decodeURIComponent(new URL(url).username);
  } catch {
    // describePgUrl said the URL is unreadable
  }
  const e = error as { code?: string; message?: string };
  const database = where.slice(where.indexOf('/') + 1);
  const server = where.slice(0, where.indexOf('/'));
  if (error instanceof SchemaTooNewError) return error.message;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot reach PostgreSQL at ${server}: connection refused (database ${database}; is the server running, and listening there?)`;
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return `cannot reach PostgreSQL at ${server}: ${e.code === 'ETIMEDOUT' ? 'the connection timed out' : 'the connection was reset'} (database ${database})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach PostgreSQL at ${server}: no route to that host (database ${database})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach PostgreSQL at ${server}: the host name does not resolve (database ${database})`;
    case '28P01':
      return `PostgreSQL at ${server} refused the password for user ${JSON.stringify(user)} (database ${database}); check NEWSLETTER_DB`;
    case '28000':
      return `PostgreSQL at ${server} refused user ${JSON.stringify(user)} for database ${database} (no such role, or pg_hba.conf does not allow it)`;
    case '3D000':
      return `PostgreSQL at ${server} has no database ${JSON.stringify(database)}: create it (createdb ${database}), then try again`;
    case '42501':
      return `PostgreSQL at ${server}: user ${JSON.stringify(user)} may not create the newsletter's tables in ${database} (grant CREATE on its schema)`;
    case '57P03':
      return `PostgreSQL at ${server} is starting up or shutting down; try again in a moment (database ${database})`;
  }
  const message = (e.message ?? String(error)).split('\n')[0]!;
  if (/does not support SSL/i.test(message)) return `PostgreSQL at ${server} does not offer TLS, but NEWSLETTER_DB asks for it (sslmode); database ${database}`;
  if (/timeout expired|Connection terminated due to connection timeout/i.test(message)) return `cannot reach PostgreSQL at ${server}: the connection timed out (database ${database})`;
  // Anything else: the driver's own words, with any password that might appear in them removed.
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  return `PostgreSQL at ${server}, database ${database}: ${password ? message.split(password).join('…') : message}`;
}
