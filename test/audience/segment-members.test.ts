/**
 * Compiled segments run against real databases (issue 16): a real SQLite file and a real PostgreSQL, seeded with
 * the same subscribers and tags, each expression checked for its members.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSegment } from '../../src/audience/segment-parse.ts';
import { segmentSql } from '../../src/audience/segment-sql.ts';
import { openDatabase } from '../../src/store/open.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';

/** email, normalised email, created_at, confirmed_at, tags. */
const PEOPLE: [string, string, string, string | null, string[]][] = [
  ['ann@example.org', 'ann@example.org', '2025-12-01T10:00:00.000Z', '2026-01-01T00:00:00.000Z', ['paid', 'weekly']],
  ['Bob@Example.org', 'bob@example.org', '2025-12-31T23:59:59.999Z', null, ['weekly']],
  ['cy@mail.example.org', 'cy@mail.example.org', '2026-02-01T08:00:00.000Z', null, ['paid', 'alerts']],
  ['di@other.net', 'di@other.net', '2026-01-15T12:00:00.000Z', '2026-01-31T23:59:59.999Z', []],
  ['ed@bücher.example', 'ed@xn--bcher-kva.example', '2026-03-01T00:00:00.000Z', null, ['alerts']],
];

/** Expression → the first names of its members, in id order. */
const CASES: [string, string[]][] = [
  ['tag:paid', ['ann', 'cy']],
  ['not tag:paid', ['bob', 'di', 'ed']],
  ['tag:paid and tag:weekly', ['ann']],
  ['tag:paid or tag:alerts', ['ann', 'cy', 'ed']],
  ['tag:weekly or tag:alerts and not tag:paid', ['ann', 'bob', 'ed']],
  ['(tag:weekly or tag:alerts) and not tag:paid', ['bob', 'ed']],
  ['NOT (TAG:paid OR tag:weekly)', ['di', 'ed']],
  ['tag:nobody-has-this', []],
  ['domain:example.org', ['ann', 'bob']],
  ['domain:EXAMPLE.org or domain:mail.example.org', ['ann', 'bob', 'cy']],
  ['domain:bücher.example', ['ed']],
  ['domain:xn--bcher-kva.example', ['ed']],
  ['domain:mail.other.net', []],
  // ann was created in December but confirmed at 2026-01-01 00:00 UTC: confirmation is when she subscribed.
  ['subscribed-before:2026-01-01', ['bob']],
  ['subscribed-after:2026-01-01', ['ann', 'cy', 'di', 'ed']],
  ['not subscribed-before:2026-01-01', ['ann', 'cy', 'di', 'ed']],
  ['subscribed-after:2026-01-01 and subscribed-before:2026-02-01', ['ann', 'di']],
  ['subscribed-after:2026-03-01', ['ed']],
  ['subscribed-after:2026-03-02', []],
  ['tag:paid and domain:example.org or subscribed-after:2026-03-01', ['ann', 'ed']],
];

const names = (emails: string[]): string[] => emails.map((e) => e.split('@')[0]!.toLowerCase());

describe('segments on SQLite', () => {
  test('each expression selects its members', (t: TestContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'nl-segment-'));
    const db = openDatabase(join(dir, 'newsletter.db'));
    t.after(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const insert = db.prepare(
      `INSERT INTO subscribers (email, email_normalized, status, source, created_at, confirmed_at, token_key) VALUES (?, ?, 'active', 'cli', ?, ?, ?)`,
    );
    const tag = db.prepare(`INSERT INTO subscriber_tags (subscriber_id, tag, added_at) VALUES (?, ?, '2026-01-01T00:00:00.000Z')`);
    for (const [email, normalized, created, confirmed, tags] of PEOPLE) {
      const id = Number(insert.run(email, normalized, created, confirmed, `k-${normalized}`).lastInsertRowid);
      for (const t of tags) tag.run(id, t);
    }
    for (const [expression, expected] of CASES) {
      const { sql, params } = segmentSql(parseSegment(expression), 'sqlite');
      assert.ok(!sql.includes("'paid'") && params.length > 0, 'values are bound, not spliced');
      const rows = db.prepare<string[], { email: string }>(`SELECT s.email FROM subscribers s WHERE ${sql} ORDER BY s.id`).all(...params);
      assert.deepEqual(names(rows.map((r) => r.email)), expected, expression);
    }
  });
});

describe('segments on PostgreSQL', needsPg, () => {
  test('each expression selects its members', async (t) => {
    const { pool } = await freshPgPool(t);
    for (const [email, normalized, created, confirmed, tags] of PEOPLE) {
      const { rows } = await pool.query<{ id: number }>(
        `INSERT INTO subscribers (email, email_normalized, status, source, created_at, confirmed_at, token_key) VALUES ($1, $2, 'active', 'cli', $3, $4, $5) RETURNING id`,
        [email, normalized, created, confirmed, `k-${normalized}`],
      );
      for (const tag of tags) await pool.query(`INSERT INTO subscriber_tags (subscriber_id, tag, added_at) VALUES ($1, $2, '2026-01-01T00:00:00.000Z')`, [rows[0]!.id, tag]);
    }
    for (const [expression, expected] of CASES) {
      // Placeholders numbered after one bound before the condition, as the ledger binds them.
      const { sql, params } = segmentSql(parseSegment(expression), 'pg', 2);
      const { rows } = await pool.query<{ email: string }>(`SELECT s.email FROM subscribers s WHERE s.status = $1 AND ${sql} ORDER BY s.id`, ['active', ...params]);
      assert.deepEqual(names(rows.map((r) => r.email)), expected, expression);
    }
  });
});
