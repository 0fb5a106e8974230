import pg from 'pg';

export { isPostgresUrl } from '../database-path.ts';

/** `host:port/database` of a PostgreSQL URL, for messages and logs: never the user's password. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
    return `${u.hostname || 'localhost'}:${u.port || '5432'}/${database}`;
  } catch {
    return 'an unreadable PostgreSQL URL';
  }
}

/** bigint columns hold times in ms and counts: well within a double, so read as numbers, not strings. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The URL with `sslmode` meaning what libpq's documentation says (`require`: encrypted, the certificate not checked;
 * `verify-full`: checked against `sslrootcert` or the system's CAs), as the README promises. node-postgres 8 reads
 * `require` as `verify-full` unless told `uselibpqcompat=true`, and prints a ten-line warning on every start.
 */
export function withLibpqSslModes(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.searchParams.has('sslmode') || u.searchParams.has('uselibpqcompat')) return url;
  u.searchParams.set('uselibpqcompat', 'true');
  return u.toString();
}

export interface PoolOptions {
  /** Connections at most; a sender needs two (its loop and its lease), a server one per request in flight. */
  max?: number;
  /** Shown in pg_stat_activity, to tell the newsletter's connections apart. */
  applicationName?: string;
}

/**
 * A pool on the server `url` names (`?sslmode=require` and the other libpq parameters are honoured by node-postgres).
 * Connections are made lazily; the first query reports an unreachable server or a wrong password.
 */
export function openPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withLibpqSslModes(url),
    // The group commit is planned once per connection, generically, so the planner guesses a tenth of a big queue
    // and its cost crosses the JIT thresholds: from about 116,000 queued rows each commit then spent 0.25-2 s
    // compiling (docs/scaling.md). Nothing here is analytics that JIT would speed up.
    options: '-c jit=off',
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'newsletter',
    connectionTimeoutMillis: 10_000,
    types,
  });
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}
