/**
 * PostgreSQL migrations (issue 15): two `newsletter db migrate` processes on one fresh database at once both succeed
 * and the schema is applied once, serialised by the advisory lock; a schema newer than the code is refused by
 * `db migrate` and by opening the stores, the database unchanged.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStores } from '../../src/store/open-stores.ts';
import { MIGRATION_LOCK } from '../../src/store/pg/pg-migrate.ts';
import { describePgUrl } from '../../src/store/pg/pg-pool.ts';
import { PG_MIGRATIONS } from '../../src/store/pg/schema.ts';
import { startCli } from '../support/cli-process.ts';
import { projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, freshPgPool, needsPg } from '../support/pg.ts';

const TABLES = ['automation_cursors', 'automation_enrolments', 'confirmation_emails', 'deliveries', 'feedback_events', 'request_counts', 'schedules', 'schema_version', 'send_pace', 'send_runs', 'sends', 'subscriber_events', 'subscriber_tags', 'subscriber_topics_left', 'subscribers', 'webhook_nonces', 'workers'];

async function tablesOf(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
  return rows.map((r) => r.name);
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // The database is dropped (WITH (FORCE)) when the test ends, maybe before this is closed: that is no failure.
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe('postgres migrations', needsPg, () => {
  test('two `db migrate` processes on one fresh database at once both succeed; the schema is applied exactly once', async (t) => {
    const url = await freshPgDatabase(t);
    const dir = projectFor(t);
    // The test takes the migration lock first, so that both processes are inside their migration, queued on the
    // lock, before either can go on: the race two servers started at once by a deploy meet.
    const holder = await connect(url);
    t.after(() => holder.end().catch(() => {}));
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const runs = [startCli(dir, ['db', 'migrate'], { NEWSLETTER_DB: url }), startCli(dir, ['db', 'migrate'], { NEWSLETTER_DB: url })];
    let exited = 0;
    for (const run of runs) void run.done.then(() => exited++);
    const waiting = async () =>
      (
        await holder.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [MIGRATION_LOCK],
        )
      ).rows[0]!.n;
    // Without the lock they would not queue; then they are waited for as they end, and the checks below say why.
    while (exited === 0 && (await waiting()) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await tablesOf(holder).then((tables) => tables.length), 0, 'nothing is written while they wait');
    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    const where = describePgUrl(url);
    assert.deepEqual(
      results.map((r) => r.stdout).sort(),
      [`PostgreSQL ${where}: already at version ${PG_MIGRATIONS.length}, nothing to do\n`, `PostgreSQL ${where}: migrated from version 0 to ${PG_MIGRATIONS.length}\n`],
    );
    assert.deepEqual(await tablesOf(holder), TABLES);
    assert.deepEqual((await holder.query('SELECT version FROM schema_version')).rows, [{ version: PG_MIGRATIONS.length }], 'one row, the current version');
  });

  test('a schema newer than the code is refused by db migrate and by opening the stores; nothing changes', async (t) => {
    const { url, pool } = await freshPgPool(t);
    await pool.query('UPDATE schema_version SET version = $1', [PG_MIGRATIONS.length + 1]);
    // As a later version might: a table this code does not know, and a row in it.
    await pool.query('CREATE TABLE later_feature (id integer)');
    await pool.query('INSERT INTO later_feature VALUES (1)');
    const client = await connect(url);
    t.after(() => client.end().catch(() => {}));
    const tablesBefore = await tablesOf(client);
    const dir = projectFor(t);
    const password = decodeURIComponent(new URL(url).password);

    const migrated = await startCli(dir, ['db', 'migrate'], { NEWSLETTER_DB: url }).done;
    assert.equal(migrated.status, 1);
    assert.equal(migrated.stdout, '');
    assert.equal(
      migrated.stderr,
      `newsletter db migrate: ${describePgUrl(url)}: the database's schema is version ${PG_MIGRATIONS.length + 1}, newer than this newsletter knows (${PG_MIGRATIONS.length}); upgrade the newsletter, nothing was changed\n`,
    );
    if (password) assert.ok(!migrated.stderr.includes(password), 'the password is never shown');
    await assert.rejects(openStores(url), /newer than this newsletter knows/);
    const count = await startCli(dir, ['subscribers', 'count'], { NEWSLETTER_DB: url }).done;
    assert.equal(count.status, 1);
    assert.match(count.stderr, /newer than this newsletter knows/);

    assert.deepEqual((await client.query('SELECT version FROM schema_version')).rows, [{ version: PG_MIGRATIONS.length + 1 }]);
    assert.deepEqual(await tablesOf(client), tablesBefore);
    assert.deepEqual((await client.query('SELECT id FROM later_feature')).rows, [{ id: 1 }]);
  });
});
