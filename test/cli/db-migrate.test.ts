/**
 * `newsletter db migrate` and `db status` (issue 15) on SQLite and on PostgreSQL: what was done and where, the
 * schema against the code's, pending migrations and row counts, read without changing anything. Also: `db backup`
 * and `db restore` refuse a PostgreSQL URL, a NEWSLETTER_DB that is a mistyped URL is refused by every command, and
 * no output ever holds the password.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { describePgUrl } from '../../src/store/pg/pg-pool.ts';
import { PG_MIGRATIONS } from '../../src/store/pg/schema.ts';
import { runCliAsync } from '../support/cli-process.ts';
import { projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

const cli = runCliAsync;
const N = MIGRATIONS.length;

/** The status lines as label → value, whatever the column width. */
function fields(out: string): Record<string, string> {
  return Object.fromEntries(out.trimEnd().split('\n').map((line) => /^(\S+)\s+(.*)$/.exec(line)!.slice(1, 3) as [string, string]));
}

test('db status and db migrate on SQLite: no database yet, migrated, up to date with counts; an older schema reported, not touched, then migrated', async (t) => {
  const dir = projectFor(t);
  const file = join(dir, 'data', 'newsletter.db');

  const none = await cli(dir, ['db', 'status']);
  assert.equal(none.status, 0, none.err);
  assert.deepEqual(fields(none.out), {
    Engine: 'SQLite',
    Where: 'data/newsletter.db',
    Schema: `no database yet: \`newsletter db migrate\` (or any command that opens it) creates it at version ${N}`,
  });
  assert.equal(existsSync(join(dir, 'data')), false, 'status creates nothing');

  const migrated = await cli(dir, ['db', 'migrate']);
  assert.equal(migrated.status, 0, migrated.err);
  assert.equal(migrated.out, `SQLite data/newsletter.db: migrated from version 0 to ${N}\n`);
  assert.ok(existsSync(file), 'migrate creates the file');
  const again = await cli(dir, ['db', 'migrate']);
  assert.equal(again.out, `SQLite data/newsletter.db: already at version ${N}, nothing to do\n`);

  for (const email of ['ada@example.org', 'bob@example.org', 'cy@example.org']) assert.equal((await cli(dir, ['subscribers', 'add', email, '--confirmed'])).status, 0);
  assert.equal((await cli(dir, ['subscribers', 'remove', 'cy@example.org'])).status, 0);
  const current = await cli(dir, ['db', 'status']);
  assert.equal(current.status, 0, current.err);
  assert.deepEqual(fields(current.out), {
    Engine: 'SQLite',
    Where: 'data/newsletter.db',
    Schema: `version ${N}; this newsletter's is ${N}, up to date`,
    Pending: 'none',
    Subscribers: '3 (pending 0, active 2, unsubscribed 1, bounced 0, complained 0)',
    Sends: '0',
    Deliveries: '0',
  });

  // A database an older version left at schema 1: subscribers but no sends yet.
  const old = join(dir, 'old.db');
  const db = new Database(old);
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  db.close();
  const older = await cli(dir, ['db', 'status'], { NEWSLETTER_DB: 'old.db' });
  assert.equal(older.status, 0, older.err);
  const pending = Array.from({ length: N - 1 }, (_, i) => i + 2);
  assert.deepEqual(fields(older.out), {
    Engine: 'SQLite',
    Where: 'old.db',
    Schema: `version 1; this newsletter's is ${N}`,
    Pending: `${N - 1} migrations (versions ${pending.join(', ')}): \`newsletter db migrate\` applies them (so does any command that opens the database)`,
    Subscribers: '0 (pending 0, active 0, unsubscribed 0, bounced 0, complained 0)',
  });
  const reopened = new Database(old, { readonly: true });
  assert.equal(reopened.pragma('user_version', { simple: true }), 1, 'status migrated nothing');
  reopened.close();
  const upgrade = await cli(dir, ['db', 'migrate'], { NEWSLETTER_DB: 'old.db' });
  assert.equal(upgrade.out, `SQLite old.db: migrated from version 1 to ${N}\n`);
});

test('db status reports a SQLite schema newer than the code; db migrate refuses it, exit 1', async (t) => {
  const dir = projectFor(t);
  mkdirSync(join(dir, 'data'));
  const db = new Database(join(dir, 'data', 'newsletter.db'));
  for (const m of MIGRATIONS) db.exec(m);
  db.pragma(`user_version = ${N + 3}`);
  db.close();
  const status = await cli(dir, ['db', 'status']);
  assert.equal(status.status, 0, status.err);
  assert.equal(
    fields(status.out).Schema,
    `version ${N + 3}, newer than this newsletter knows (${N}): upgrade the newsletter; until then db migrate and every command that opens the database refuse it`,
  );
  assert.equal(fields(status.out).Pending, 'none');
  const migrate = await cli(dir, ['db', 'migrate']);
  assert.equal(migrate.status, 1);
  assert.match(migrate.err, new RegExp(`^newsletter db migrate: .*newsletter\\.db: the database's schema is version ${N + 3}, newer than this newsletter knows \\(${N}\\); upgrade the newsletter, nothing was changed\\n$`));
});

test('db migrate and db status on a file that is not a database: one line naming it', async (t) => {
  const dir = projectFor(t, { 'notes.txt': 'not a database, just some notes that are long enough to have a header\n'.repeat(10) });
  for (const command of ['migrate', 'status']) {
    const r = await cli(dir, ['db', command], { NEWSLETTER_DB: 'notes.txt' });
    assert.equal(r.status, 1, command);
    assert.match(r.err, new RegExp(`^newsletter db ${command}: .*notes\\.txt is not a SQLite database \\(.*\\); is NEWSLETTER_DB right\\?\\n$`));
  }
});

const PG_LIKE = 'postgres://writer:s3cret-pw@db.example.org:5433/letters';

test('db backup and db restore refuse a PostgreSQL URL in one line naming host and database, pointing at pg_dump / pg_restore', async (t) => {
  const dir = projectFor(t);
  const backup = await cli(dir, ['db', 'backup', 'copy.db'], { NEWSLETTER_DB: PG_LIKE });
  assert.equal(backup.status, 1);
  assert.equal(backup.err, 'newsletter db backup: NEWSLETTER_DB is PostgreSQL (db.example.org:5433/letters); db backup is for SQLite files: use pg_dump on that database instead\n');
  const restore = await cli(dir, ['db', 'restore', 'copy.db'], { NEWSLETTER_DB: PG_LIKE });
  assert.equal(restore.status, 1);
  assert.equal(restore.err, 'newsletter db restore: NEWSLETTER_DB is PostgreSQL (db.example.org:5433/letters); db restore is for SQLite files: use pg_restore on that database instead\n');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('copy') || f === 'data'), [], 'nothing written');
});

test('a NEWSLETTER_DB that is a mistyped URL is refused by any command, never created as a file named like it, the password never shown', async (t) => {
  const dir = projectFor(t);
  const before = readdirSync(dir).sort();
  const cases: [string, string, string][] = [
    ['postgress://writer:s3cret-pw@db.example.org/letters', 'postgress://…@db.example.org/letters', '"postgress:" is not a database this newsletter knows'],
    ['postgre://writer:s3cret-pw@db.example.org/letters', 'postgre://…@db.example.org/letters', '"postgre:" is not a database this newsletter knows'],
    ['pg://writer:s3cret-pw@db.example.org/letters', 'pg://…@db.example.org/letters', '"pg:" is not a database this newsletter knows'],
    ['mysql://writer:s3cret-pw@db.example.org/letters', 'mysql://…@db.example.org/letters', '"mysql:" is not a database this newsletter knows'],
    ['postgres:/writer:s3cret-pw@db.example.org/letters', 'postgres:/…@db.example.org/letters', '"postgres:" needs "//" after it'],
  ];
  for (const [url, shown, why] of cases) {
    for (const args of [['subscribers', 'count'], ['db', 'migrate'], ['db', 'status'], ['status']]) {
      const r = await cli(dir, args, { NEWSLETTER_DB: url });
      assert.equal(r.status, 1, `${args.join(' ')} with ${url}`);
      assert.equal(r.out, '');
      assert.match(r.err, new RegExp(`^newsletter(?: db \\w+)?: NEWSLETTER_DB=${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} looks like a URL, but ${why.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: write postgres:// or postgresql:// for PostgreSQL, or a file path for SQLite\n$`), r.err);
      assert.ok(!r.err.includes('s3cret'), 'the password is never shown');
    }
  }
  assert.deepEqual(readdirSync(dir).sort(), before, 'no file or folder was created');
});

describe('db migrate and db status on PostgreSQL', needsPg, () => {
  test('a fresh database: status creates nothing, migrate applies the schema once, status counts the rows; the password never appears', async (t) => {
    const url = await freshPgDatabase(t);
    const where = describePgUrl(url);
    const password = decodeURIComponent(new URL(url).password);
    const dir = projectFor(t);
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const r = await cli(dir, args, { NEWSLETTER_DB: url });
      outputs.push(r.out, r.err);
      return r;
    };
    const M = PG_MIGRATIONS.length;

    const fresh = await run(['db', 'status']);
    assert.equal(fresh.status, 0, fresh.err);
    assert.deepEqual(fields(fresh.out), {
      Engine: 'PostgreSQL',
      Where: where,
      Schema: `none yet (no newsletter tables); this newsletter's is version ${M}`,
      Pending: `${M} migration${M === 1 ? '' : 's'} (version${M === 1 ? '' : 's'} ${Array.from({ length: M }, (_, i) => i + 1).join(', ')}): \`newsletter db migrate\` applies them (so does any command that opens the database)`,
    });
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    await client.connect();
    t.after(() => client.end().catch(() => {}));
    const tables = async () => (await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`)).rows[0].n as number;
    assert.equal(await tables(), 0, 'status created no table');

    assert.equal((await run(['db', 'migrate'])).out, `PostgreSQL ${where}: migrated from version 0 to ${M}\n`);
    assert.equal((await run(['db', 'migrate'])).out, `PostgreSQL ${where}: already at version ${M}, nothing to do\n`);
    for (const email of ['ada@example.org', 'bob@example.org']) assert.equal((await run(['subscribers', 'add', email, '--confirmed'])).status, 0);
    assert.equal((await run(['subscribers', 'remove', 'bob@example.org'])).status, 0);
    const current = await run(['db', 'status']);
    assert.deepEqual(fields(current.out), {
      Engine: 'PostgreSQL',
      Where: where,
      Schema: `version ${M}; this newsletter's is ${M}, up to date`,
      Pending: 'none',
      Subscribers: '2 (pending 0, active 1, unsubscribed 1, bounced 0, complained 0)',
      Sends: '0',
      Deliveries: '0',
    });

    // A schema newer than the code: reported by status, refused by migrate.
    await client.query('UPDATE schema_version SET version = $1', [M + 1]);
    const newer = await run(['db', 'status']);
    assert.match(fields(newer.out).Schema!, new RegExp(`^version ${M + 1}, newer than this newsletter knows \\(${M}\\)`));
    const refused = await run(['db', 'migrate']);
    assert.equal(refused.status, 1);
    assert.match(refused.err, /newer than this newsletter knows/);

    // A database that does not exist, and a wrong password: one line each, naming host, port and database.
    const missing = new URL(url);
    missing.pathname = '/no_such_newsletter_db';
    for (const command of ['status', 'migrate']) {
      const gone = await cli(dir, ['db', command], { NEWSLETTER_DB: missing.toString() });
      outputs.push(gone.out, gone.err);
      assert.equal(gone.status, 1);
      assert.match(gone.err, new RegExp(`^newsletter db ${command}: PostgreSQL at ${describePgUrl(missing.toString()).replace(/\/.*/, '')} has no database "no_such_newsletter_db"`));
    }
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const denied = await cli(dir, ['db', 'status'], { NEWSLETTER_DB: wrong.toString() });
    assert.equal(denied.status, 1);
    assert.match(denied.err, new RegExp(`^newsletter db status: PostgreSQL at [^ ]+ refused the password for user "[^"]+" \\(database [^)]+\\); check NEWSLETTER_DB\\n$`));
    assert.ok(!denied.err.includes('not-the-password'), denied.err);

    assert.ok(password, 'the test server has a password, so that its absence from the output means something');
    for (const text of outputs) assert.ok(!text.includes(password), `the password is never printed: ${text}`);
  });
});
