/**
 * `newsletter subscribers import` of other services' member exports (issue 16): each lands with the right statuses,
 * tags and consent evidence; a file that says people left unsubscribes them; `--dry-run` tells it per status.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseCsv } from '../../src/subscribers/csv-read.ts';
import { ROOT } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'imports');

interface Stored {
  status: string;
  consent_source: string | null;
  opted_in_at: string | null;
  consent_ip: string | null;
  evidence: Record<string, string> | null;
  tags: string[];
}

/** A project-less CLI on a database of its own (a SQLite file, or PostgreSQL when given a URL), the fixtures copied in. */
function cli(t: TestContext, db?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'nl-import-formats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const database = db ?? join(dir, 'list.db');
  const run = (...args: string[]) =>
    new Promise<{ status: number | null; out: string; err: string }>((done) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), 'subscribers', ...args], { cwd: dir, env: { ...process.env, NEWSLETTER_DB: database } });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('close', (status) => done({ status, out, err }));
    });
  const importFixture = (name: string, ...flags: string[]) => {
    copyFileSync(join(FIXTURES, name), join(dir, name));
    return run('import', name, ...flags);
  };
  /** The statuses as `subscribers export` gives them, by address. */
  const statuses = async () => {
    const r = await run('export');
    assert.equal(r.status, 0, r.err);
    const table = parseCsv(r.out);
    const email = table.header.indexOf('email');
    const status = table.header.indexOf('status');
    return Object.fromEntries(table.rows.map((row) => [row.cells[email], row.cells[status]]));
  };
  /** Consent and tags, from the database itself (SQLite here; see the PostgreSQL test for its own). */
  const stored = (email: string): Stored => {
    const sqlite = new Database(database, { readonly: true });
    try {
      const row = sqlite
        .prepare<[string], { id: number; status: string; consent_source: string | null; opted_in_at: string | null; consent_ip: string | null; consent_evidence: string | null }>(
          'SELECT id, status, consent_source, opted_in_at, consent_ip, consent_evidence FROM subscribers WHERE email_normalized = ?',
        )
        .get(email)!;
      const tags = sqlite.prepare<[number], { tag: string }>('SELECT tag FROM subscriber_tags WHERE subscriber_id = ? ORDER BY tag').all(row.id).map((r) => r.tag);
      return { ...row, evidence: row.consent_evidence === null ? null : (JSON.parse(row.consent_evidence) as Record<string, string>), tags };
    } finally {
      sqlite.close();
    }
  };
  return { dir, run, importFixture, statuses, stored };
}

const summary = (out: string) => /([\d,]+) imported \+ ([\d,]+) updated \+ ([\d,]+) duplicates \+ ([\d,]+) rejected(?: \+ ([\d,]+) skipped)? = ([\d,]+) rows/.exec(out);

test('Mailchimp: subscribed, unsubscribed and cleaned files land active, unsubscribed/complained and bounced, with tags and evidence', async (t) => {
  const { importFixture, statuses, stored } = cli(t);
  for (const [file, format] of [
    ['subscribed_members_export_1a2b3c.csv', 'Mailchimp (subscribed members)'],
    ['unsubscribed_members_export_1a2b3c.csv', 'Mailchimp (unsubscribed members)'],
    ['cleaned_members_export_1a2b3c.csv', 'Mailchimp (cleaned members)'],
  ]) {
    const r = await importFixture(file!);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, new RegExp(`^Recognised: ${format!.replace(/[()]/g, '\\$&')} export\\n`));
  }
  assert.deepEqual(await statuses(), {
    'ana@example.org': 'active',
    'ben@example.org': 'active',
    'cal@example.org': 'unsubscribed',
    'dee@example.org': 'complained',
    'eve@example.org': 'bounced',
  });
  const ana = stored('ana@example.org');
  assert.deepEqual(ana.tags, ['paid-member', 'vip-2024']);
  assert.equal(ana.consent_source, 'subscribed_members_export_1a2b3c.csv');
  assert.equal(ana.opted_in_at, '2024-01-05 10:00:00');
  assert.equal(ana.consent_ip, '203.0.113.5');
  assert.equal(ana.evidence?.CONFIRM_TIME, '2024-01-05 10:02:11');
  const cal = stored('cal@example.org');
  assert.equal(cal.evidence?.UNSUB_REASON, 'I no longer want to receive these emails');
  assert.equal(stored('eve@example.org').evidence?.CLEAN_TIME, '2024-04-01 12:00:00');
});

test('an active subscriber in an unsubscribed file: --dry-run says who would leave and changes nothing; the import unsubscribes them, the file as reason', async (t) => {
  const { dir, run, importFixture, statuses } = cli(t);
  writeFileSync(join(dir, 'before.csv'), 'email\ncal@example.org\ndee@example.org\n');
  assert.equal((await run('import', 'before.csv')).status, 0);
  const dry = await importFixture('unsubscribed_members_export_1a2b3c.csv', '--dry-run');
  assert.equal(dry.status, 0, dry.err);
  assert.match(dry.out, /Dry run, nothing changed: 0 imported \+ 2 updated \+ 0 duplicates \+ 0 rejected = 2 rows/);
  assert.match(dry.out, /would become unsubscribed: 1 \(active before\)/);
  assert.match(dry.out, /would become complained: 1 \(active before\)/);
  assert.deepEqual(await statuses(), { 'cal@example.org': 'active', 'dee@example.org': 'active' });
  const real = await importFixture('unsubscribed_members_export_1a2b3c.csv');
  assert.match(real.out, /became unsubscribed: 1/);
  assert.deepEqual(await statuses(), { 'cal@example.org': 'unsubscribed', 'dee@example.org': 'complained' });
  const show = await run('show', 'cal@example.org');
  assert.match(show.out, /active → unsubscribed {2}unsubscribed according to unsubscribed_members_export_1a2b3c\.csv \(via import:unsubscribed_members_export_1a2b3c\.csv\)/);
  // And a subscribed file later does not bring them back.
  writeFileSync(join(dir, 'again.csv'), 'email\ncal@example.org\n');
  await run('import', 'again.csv');
  assert.equal((await statuses())['cal@example.org'], 'unsubscribed');
});

test('Substack: email_disabled is unsubscribed, deletion requests skipped and counted by reason, paying readers tagged paid with expiry kept', async (t) => {
  const { importFixture, statuses, stored, run } = cli(t);
  const dry = await importFixture('substack-email-list.csv', '--dry-run');
  assert.match(dry.out, /^Recognised: Substack \(email list\) export\n/);
  const m = summary(dry.out)!;
  assert.deepEqual([m[1], m[5], m[6]], ['3', '1', '4'], 'imported + skipped add up to the rows');
  assert.match(dry.out, /new active: 2\n {2}new unsubscribed: 1\n/);
  assert.match(dry.out, /skipped: 1 asked Substack to delete their account/);
  assert.equal((await importFixture('substack-email-list.csv')).status, 0);
  assert.deepEqual(await statuses(), { 'fay@example.org': 'active', 'gus@example.org': 'active', 'hal@example.org': 'unsubscribed' });
  assert.deepEqual(stored('fay@example.org').tags, ['paid']);
  assert.deepEqual(stored('gus@example.org').tags, []);
  assert.match((await run('show', 'fay@example.org')).out, /expiry/);
});

test('Ghost, Buttondown and beehiiv: unsubscribed and bounced rows suppressed, deleted and unconfirmed ones skipped, labels and tags as tags', async (t) => {
  const { importFixture, statuses, stored } = cli(t);
  for (const file of ['ghost-members.csv', 'buttondown-subscribers.csv', 'beehiiv-subscribers.csv']) {
    const r = await importFixture(file);
    assert.equal(r.status, 0, r.err);
    const m = summary(r.out)!;
    assert.equal(Number(m[1]) + Number(m[2]) + Number(m[3]) + Number(m[4]) + Number(m[5] ?? 0), Number(m[6]), `${file}: ${r.out}`);
  }
  assert.deepEqual(await statuses(), {
    'ida@example.org': 'active',
    'jon@example.org': 'unsubscribed',
    'lea@example.org': 'active',
    'max@example.org': 'unsubscribed',
    'ora@example.org': 'active',
    'pat@example.org': 'unsubscribed',
    'rae@example.org': 'bounced',
  });
  assert.deepEqual(stored('ida@example.org').tags, ['early-reader', 'paid']);
  assert.deepEqual(stored('lea@example.org').tags, ['paid', 'paid-readers', 'weekly']);
  assert.equal(stored('max@example.org').evidence?.unsubscription_date, '2024-02-01 00:00:00+00:00');
  assert.equal(stored('ora@example.org').evidence?.utm_source, 'twitter');
});

test('a plain CSV imports as before: no format line, everyone active; a tags column is read as tags and a misfit reported', async (t) => {
  const { dir, run, stored } = cli(t);
  writeFileSync(join(dir, 'plain.csv'), `email,tags\na@example.org,"News, ${'x'.repeat(41)}"\n`);
  const r = await run('import', 'plain.csv');
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, '1 imported + 0 updated + 0 duplicates + 0 rejected = 1 rows\n');
  assert.match(r.err, /plain\.csv:2 the tag "x{41}" cannot be made a tag/);
  assert.deepEqual(stored('a@example.org').tags, ['news']);
  assert.equal(stored('a@example.org').status, 'active');
});

test('PostgreSQL: a Mailchimp unsubscribed file unsubscribes an active subscriber and lands its new rows suppressed, with evidence', needsPg, async (t) => {
  const url = await freshPgDatabase(t);
  const { dir, run, importFixture, statuses } = cli(t, url);
  writeFileSync(join(dir, 'before.csv'), 'email\ncal@example.org\n');
  assert.equal((await run('import', 'before.csv')).status, 0);
  const r = await importFixture('unsubscribed_members_export_1a2b3c.csv');
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /1 imported \+ 1 updated/);
  assert.match(r.out, /became unsubscribed: 1/);
  assert.match(r.out, /new complained: 1/);
  assert.deepEqual(await statuses(), { 'cal@example.org': 'unsubscribed', 'dee@example.org': 'complained' });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ consent_source: string; consent_evidence: string }>(`SELECT consent_source, consent_evidence FROM subscribers WHERE email_normalized = 'dee@example.org'`);
    assert.equal(rows[0]!.consent_source, 'unsubscribed_members_export_1a2b3c.csv');
    assert.equal((JSON.parse(rows[0]!.consent_evidence) as Record<string, string>).UNSUB_REASON, 'The emails are spam and should be reported');
    const tags = await client.query<{ tag: string }>(`SELECT t.tag FROM subscriber_tags t JOIN subscribers s ON s.id = t.subscriber_id WHERE s.email_normalized = 'cal@example.org'`);
    assert.deepEqual(tags.rows.map((x) => x.tag), ['paid-member']);
  } finally {
    await client.end();
  }
});
