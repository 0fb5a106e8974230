/**
 * `npm run bench:send`: the bulk sender's figures, each next to a baseline measured in the same run.
 *
 * 100,000 generated subscribers and the 1,700-word benchmark issue, a ledger on disk, and a local SMTP sink in another
 * process (Debian's `smtp-sink` when installed, else an smtp-server sink). The send is the real CLI
 * (`newsletter send --yes --json`) in its own process, whose memory is sampled from /proc as it runs. Baselines: stock
 * Nodemailer pooled sending of the same messages, and Debian's `smtp-source` (when installed) blasting same-size
 * messages into the same sink.
 *
 * Then PostgreSQL, same sink and subscribers (bench-pg-server.ts: NEWSLETTER_BENCH_PG, else a durable throwaway
 * server): `subscribers import` of the list through the CLI, one worker's send against the SQLite rate above, two
 * workers in separate processes on one send, and planning 1,000,000 subscribers on each engine (bench-plan.ts), with
 * the WAL and the table sizes that the scaling plan (docs/scaling.md) scales up. No PostgreSQL: those lines say SKIP.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { SqliteLedger } from '../src/store/ledger/sqlite-ledger.ts';
import { openDatabase } from '../src/store/open.ts';
import { PgLedger } from '../src/store/pg/pg-ledger.ts';
import { SqliteSubscriberTable } from '../src/store/sqlite-subscribers.ts';
import { generateIssue } from './generate-issue.ts';
import { benchPgServer, migratedPool, tableSizes, walPosition, walSince, type BenchPg } from './bench-pg-server.ts';
import { seedPg, seedSqlite, timePlan } from './bench-plan.ts';

const root = resolve(import.meta.dirname, '..');
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const PLANNED = Number(process.env.BENCH_PLAN_SUBSCRIBERS ?? 1_000_000);
const SECRET = 'bench-secret-0123456789-0123456789-0123456789';
const BASELINE_MESSAGES = Math.min(SUBSCRIBERS, 20_000);
const CONCURRENCY = 8;
const results: boolean[] = [];

function report(name: string, line: string, ok: boolean | null | 'skip'): void {
  if (typeof ok === 'boolean') results.push(ok);
  console.log(`${ok === 'skip' ? 'SKIP' : ok === null ? 'INFO' : ok ? 'PASS' : 'FAIL'}  ${name}: ${line}`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (kb: number) => `${fmt(kb / 1024, 1)} MB`;
const bytes = (n: number) => (n >= 1024 ** 3 ? `${fmt(n / 1024 ** 3, 2)} GB` : `${fmt(n / 1024 ** 2, 1)} MB`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function which(command: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) if (existsSync(join(dir, command))) return join(dir, command);
  return null;
}

/** Starts the sink and waits until it accepts connections. */
async function startSink(port: number): Promise<{ name: string; stop: () => void }> {
  const native = which('smtp-sink');
  const child = native
    ? spawn(native, ['-u', process.getuid?.() === 0 ? 'nobody' : String(process.env.USER ?? 'nobody'), `127.0.0.1:${port}`, '1024'], { stdio: 'ignore' })
    : spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/smtp-sink.ts'), String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        r(true);
      });
      socket.on('error', () => r(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: native ? `Debian's smtp-sink (${native})` : 'an smtp-server sink (Debian smtp-sink not installed)', stop: () => child.kill() };
}

function readStatus(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), hwm: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) };
  } catch {
    return null;
  }
}

interface SendRun {
  rate: number;
  elapsedMs: number;
  wallMs: number;
  peakKb: number;
  samples: { at: number; rss: number }[];
  sent: number;
}

/** A project in a temporary folder: the generated issue, the templates, DKIM when a key is given. */
function makeProject(dkimKey: string | null = null): string {
  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-send-'));
  cpSync(join(root, 'templates'), join(dir, 'templates'), { recursive: true });
  const yaml = readFileSync(join(root, 'newsletter.yaml'), 'utf8');
  writeFileSync(join(dir, 'newsletter.yaml'), dkimKey ? `${yaml}\nsending:\n  dkim:\n    domain: example.org\n    selector: bench\n` : yaml);
  mkdirSync(join(dir, 'issues'));
  writeFileSync(join(dir, 'issues', '2026-10-14-synthetic.md'), generateIssue(1));
  return dir;
}

/** The real CLI's `newsletter send --yes --json` in `dir` on `db`, its memory sampled from /proc as it runs. */
async function cliSend(dir: string, db: string, smtpUrl: string, dkimKey: string | null = null): Promise<SendRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin/newsletter.cjs'), 'send', 'synthetic', '--yes', '--json', '--skip-image-check', '--concurrency', String(CONCURRENCY)], {
    cwd: dir,
    env: { ...process.env, SMTP_URL: smtpUrl, NEWSLETTER_DB: db, NEWSLETTER_SECRET: SECRET, DKIM_PRIVATE_KEY: dkimKey ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  const samples: { at: number; rss: number }[] = [];
  let peakKb = 0;
  const sampler = setInterval(() => {
    const s = child.pid ? readStatus(child.pid) : null;
    if (!s) return;
    samples.push({ at: performance.now() - started, rss: s.rss });
    peakKb = Math.max(peakKb, s.hwm);
  }, 100);
  const status = await new Promise<number | null>((r) => child.on('close', r));
  clearInterval(sampler);
  const wallMs = performance.now() - started;
  if (status !== 0) throw new Error(`newsletter send exited ${status}: ${stdout}${stderr}`);
  const summary = JSON.parse(stdout) as { counts: { sent: number }; elapsedMs: number };
  return { rate: summary.counts.sent / (summary.elapsedMs / 1000), elapsedMs: summary.elapsedMs, wallMs, peakKb, samples, sent: summary.counts.sent };
}

/** The send of `count` subscribers on a SQLite ledger on disk, each with `tagsEach` tags (issue 16: they must not slow it). */
async function ourSend(count: number, smtpUrl: string, dkimKey: string | null = null, tagsEach = 0): Promise<SendRun> {
  const dir = makeProject(dkimKey);
  try {
    const dbPath = join(dir, 'data', 'newsletter.db');
    const db = openDatabase(dbPath);
    new SqliteSubscriberTable(db).importMany(
      Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.org`, emailNormalized: `r${i}@example.org`, name: `Reader ${i}`, attributes: {} })),
      'bench',
    );
    if (tagsEach > 0) {
      db.prepare(
        `WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < ?)
         INSERT INTO subscriber_tags (subscriber_id, tag, added_at) SELECT s.id, 'tag-' || k.n, s.created_at FROM subscribers s, k`,
      ).run(tagsEach);
      db.exec('ANALYZE');
    }
    db.close();
    return await cliSend(dir, dbPath, smtpUrl, dkimKey);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The highest RSS sampled between two fractions of the run's wall time: early against late says whether it grows. */
function rssBetween(run: SendRun, from: number, to: number): number {
  const s = run.samples.filter((x) => x.at >= from * run.wallMs && x.at <= to * run.wallMs);
  return s.length ? Math.max(...s.map((x) => x.rss)) : 0;
}

function stockSend(smtpUrl: string, count: number): { rate: number } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench-send-stock.ts'), smtpUrl, String(count), String(CONCURRENCY)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the stock Nodemailer run failed: ${run.stderr}`);
  const { sent, elapsedMs } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { sent: number; elapsedMs: number };
  return { rate: sent / (elapsedMs / 1000) };
}

function smtpSource(port: number, count: number, size: number): { rate: number } | null {
  const bin = which('smtp-source');
  if (!bin) return null;
  const started = performance.now();
  const run = spawnSync(bin, ['-s', String(CONCURRENCY), '-l', String(size), '-m', String(count), '-f', 'news@example.org', '-t', 'reader@example.org', `127.0.0.1:${port}`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`smtp-source failed: ${run.stderr}`);
  return { rate: count / ((performance.now() - started) / 1000) };
}

/**
 * The RSA-signing limit: RSA-2048 signatures (`crypto.sign`, sha256) per second on all cores at once, one worker
 * thread a core, each signing a header-sized input for `ms`. No DKIM send can pass it, so it is the signed rate's ceiling.
 */
async function rsaLimit(pem: string, ms = 2000): Promise<{ rate: number; threads: number }> {
  const threads = availableParallelism();
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createPrivateKey, sign } = require('node:crypto');
    const key = createPrivateKey(workerData.pem);
    const data = Buffer.alloc(600, 'a');
    const end = performance.now() + workerData.ms;
    let n = 0;
    while (performance.now() < end) { sign('sha256', data, key); n++; }
    parentPort.postMessage(n);`;
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: threads }, () => new Promise<number>((r, j) => new Worker(code, { eval: true, workerData: { pem, ms } }).once('message', r).once('error', j))),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: counts.reduce((a, b) => a + b, 0) / seconds, threads };
}

/** A CSV of `count` subscribers, the addresses and names the SQLite send had. */
function writeCsv(path: string, count: number): void {
  const lines = ['email,name'];
  for (let i = 0; i < count; i++) lines.push(`r${i}@example.org,Reader ${i}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** The real CLI's `newsletter subscribers import <csv>` on `db`: the whole command's seconds. */
async function cliImport(dir: string, db: string, csv: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin/newsletter.cjs'), 'subscribers', 'import', csv], { cwd: dir, env: { ...process.env, NEWSLETTER_DB: db, NEWSLETTER_SECRET: SECRET }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  const status = await new Promise<number | null>((r) => child.on('close', r));
  if (status !== 0) throw new Error(`newsletter subscribers import exited ${status}: ${stderr}`);
  return (performance.now() - started) / 1000;
}

/**
 * The WAL position once the send's run has started (its plan is behind it) and how many rows had left the queue by
 * then, polled every 50 ms until `done` settles; null if the run never showed.
 */
async function walAtRunStart(pool: pg.Pool, done: Promise<unknown>): Promise<{ lsn: string; touched: number } | null> {
  let settled = false;
  void done.finally(() => (settled = true)).catch(() => {});
  while (!settled) {
    const { rows } = await pool.query<{ running: boolean }>('SELECT EXISTS (SELECT 1 FROM send_runs) AS running');
    if (rows[0]!.running) {
      const at = await pool.query<{ lsn: string; touched: number }>(`SELECT pg_current_wal_lsn()::text AS lsn, (SELECT count(*) FROM deliveries WHERE state <> 'queued')::int AS touched`);
      return at.rows[0]!;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

function memoryLine(run: SendRun): { line: string; ok: boolean } {
  const early = rssBetween(run, 0.15, 0.35);
  const late = rssBetween(run, 0.75, 0.95);
  return { line: `peak RSS ${mb(run.peakKb)}; RSS ${mb(early)} at a quarter of the send, ${mb(late)} near its end`, ok: run.peakKb < 200 * 1024 && late < early * 1.25 };
}

/** Planning PLANNED subscribers on a SQLite ledger on disk. */
async function planSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-plan-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  try {
    const seeded = seedSqlite(db, PLANNED);
    const plan = await timePlan(new SqliteLedger(db));
    report('sqlite plan', `${fmt(plan.recipients)} recipients frozen in ${fmt(plan.seconds, 1)} s (target < 20 s; ${fmt(PLANNED)} subscribers seeded in ${fmt(seeded, 1)} s)`, plan.seconds < 20 && plan.recipients === PLANNED);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Planning PLANNED subscribers on PostgreSQL, with the WAL it writes and the sizes it leaves. */
async function planPg(server: BenchPg): Promise<void> {
  const pool = await migratedPool(await server.fresh());
  try {
    const seeded = await seedPg(pool, PLANNED);
    const from = await walPosition(pool);
    const plan = await timePlan(new PgLedger(pool));
    const wal = await walSince(pool, from);
    report('pg plan', `${fmt(plan.recipients)} recipients frozen in ${fmt(plan.seconds, 1)} s (target < 20 s; ${fmt(PLANNED)} subscribers seeded in ${fmt(seeded, 1)} s)`, plan.seconds < 20 && plan.recipients === PLANNED);
    report('pg plan WAL', `${bytes(wal)} of WAL for the plan: ${fmt(wal / plan.recipients)} bytes per planned row`, null);
    await pool.query('VACUUM ANALYZE deliveries');
    const d = await tableSizes(pool, 'deliveries');
    const sub = await tableSizes(pool, 'subscribers');
    report(
      'pg sizes',
      `after the ${fmt(PLANNED)} plan: deliveries ${bytes(d.table)} + indexes ${bytes(d.indexes)} (${fmt((d.table + d.indexes) / plan.recipients)} bytes a row); ` +
        `subscribers ${bytes(sub.table)} + indexes ${bytes(sub.indexes)} (${fmt((sub.table + sub.indexes) / PLANNED)} bytes a row)`,
      null,
    );
  } finally {
    await pool.end();
  }
}

/** The PostgreSQL figures: the import, one worker against `sqliteRate`, two workers on one send. */
async function pgSends(server: BenchPg, smtpUrl: string, sqliteRate: number): Promise<void> {
  const dir = makeProject();
  const csv = join(dir, 'subscribers.csv');
  writeCsv(csv, SUBSCRIBERS);
  const pools: pg.Pool[] = [];
  try {
    const one = await server.fresh();
    const onePool = await migratedPool(one);
    pools.push(onePool);
    const imported = await cliImport(dir, one, csv);
    report('pg import', `newsletter subscribers import of ${fmt(SUBSCRIBERS)} rows (a generated CSV, the whole command) in ${fmt(imported, 1)} s (target < 5 s)`, imported < 5);

    const from = await walPosition(onePool);
    const sending = cliSend(dir, one, smtpUrl);
    const runStart = await walAtRunStart(onePool, sending);
    const single = await sending;
    const walTotal = await walSince(onePool, from);
    report(
      'pg one worker',
      `${fmt(single.rate)} messages/s (${fmt(single.sent)} sent in ${fmt(single.elapsedMs / 1000, 1)} s; ${fmt(single.wallMs / 1000, 1)} s for the whole command with planning) vs SQLite ${fmt(sqliteRate)}/s in this run: ${fmt(single.rate / sqliteRate, 2)}× (target ≥ 0.8×)`,
      single.rate >= 0.8 * sqliteRate && single.sent === SUBSCRIBERS,
    );
    if (runStart) {
      const sendWal = await walSince(onePool, runStart.lsn);
      report('pg send WAL', `${fmt(sendWal / Math.max(1, single.sent - runStart.touched))} bytes of WAL per delivered message once sending (${bytes(sendWal)}); ${fmt(walTotal / single.sent)} per message for the whole command with its plan`, null);
    } else report('pg send WAL', `${fmt(walTotal / single.sent)} bytes per message for the whole command with its plan (the run's start was not seen)`, null);
    const m1 = memoryLine(single);
    report('pg memory, one worker', `${m1.line} (target < 200 MB, flat)`, m1.ok);

    const two = await server.fresh();
    const twoPool = await migratedPool(two);
    pools.push(twoPool);
    await cliImport(dir, two, csv);
    const workers = await Promise.all([cliSend(dir, two, smtpUrl), cliSend(dir, two, smtpUrl)]);
    const { rows } = await twoPool.query<{ sent: number; started_at: number; ended_at: number }>('SELECT sent, started_at, ended_at FROM send_runs ORDER BY id');
    const sent = rows.reduce((a, r) => a + r.sent, 0);
    const span = (Math.max(...rows.map((r) => r.ended_at)) - Math.min(...rows.map((r) => r.started_at))) / 1000;
    report(
      'pg two workers',
      `${fmt(sent / span)} messages/s together (${rows.map((r) => fmt(r.sent)).join(' + ')} sent in ${fmt(span, 1)} s, first run's start to last run's end), ${fmt(sent / span / single.rate, 2)}× one worker; both processes on this machine's ${availableParallelism()} cores with the sink and the server`,
      null,
    );
    workers.forEach((w, i) => {
      const m = memoryLine(w);
      report(`pg memory, worker ${i + 1} of 2`, `${m.line} (target < 200 MB, flat)`, m.ok);
    });
  } finally {
    for (const pool of pools) await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 16: tags must not slow a plain send. The same plain send (no segment) of {@link BASELINE_MESSAGES} into the
 * same sink, on a list with 5 tags a subscriber and on one with none, three times each, alternating; medians compared.
 */
async function tagsDoNotSlow(smtpUrl: string): Promise<void> {
  const plain: number[] = [];
  const tagged: number[] = [];
  for (let i = 0; i < 3; i++) {
    plain.push((await ourSend(BASELINE_MESSAGES, smtpUrl)).rate);
    tagged.push((await ourSend(BASELINE_MESSAGES, smtpUrl, null, 5)).rate);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
  const ratio = median(tagged) / median(plain);
  report(
    'tags',
    `a plain send of ${fmt(BASELINE_MESSAGES)} with 5 tags each: ${fmt(median(tagged))} messages/s vs ${fmt(median(plain))}/s with none ` +
      `(medians of 3: ${tagged.map((r) => fmt(r)).join(', ')} vs ${plain.map((r) => fmt(r)).join(', ')}): ${fmt(ratio, 3)}× (target ≥ 0.95×)`,
    ratio >= 0.95,
  );
}

const port = await freePort();
const sink = await startSink(port);
const smtpUrl = `smtp://127.0.0.1:${port}/?ignoreTLS=true`;
try {
  console.log(`Sink: ${sink.name} on 127.0.0.1:${port}; ${fmt(SUBSCRIBERS)} subscribers; ${CONCURRENCY} connections; Node ${process.version}\n`);
  const stock = stockSend(smtpUrl, BASELINE_MESSAGES);
  const small = await ourSend(Math.max(1000, SUBSCRIBERS / 10), smtpUrl);
  const ours = await ourSend(SUBSCRIBERS, smtpUrl);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const signed = await ourSend(BASELINE_MESSAGES, smtpUrl, pem);
  const rsa = await rsaLimit(pem);
  const size = Math.round(60 * 1024);
  const source = smtpSource(port, BASELINE_MESSAGES, size);

  const ratio = ours.rate / stock.rate;
  report('rate', `${fmt(ours.rate)} messages/s sustained with the ledger (${fmt(ours.sent)} sent in ${fmt(ours.elapsedMs / 1000, 1)} s; ${fmt(ours.wallMs / 1000, 1)} s for the whole command with planning) (target ≥ 2,000/s)`, ours.rate >= 2000 && ours.sent === SUBSCRIBERS);
  report('vs Nodemailer', `stock Nodemailer pooled sending of the same messages: ${fmt(stock.rate)} messages/s (${fmt(BASELINE_MESSAGES)} messages); ours ${fmt(ratio, 2)}× (target ≥ 4×)`, ratio >= 4);
  if (source) report('vs smtp-source', `Debian's smtp-source, ${fmt(BASELINE_MESSAGES)} messages of 60 KB into the same sink: ${fmt(source.rate)} messages/s; ours is ${fmt(ours.rate / source.rate, 2)}× of it (target ≥ 0.7×)`, ours.rate >= 0.7 * source.rate);
  else report('vs smtp-source', 'not installed (apt install postfix provides it)', null);
  report(
    'with DKIM',
    `${fmt(signed.rate)} messages/s with every message DKIM-signed (RSA 2048; ${fmt(signed.sent)} messages), ${fmt(signed.rate / ours.rate, 2)}× the unsigned rate (target ≥ 0.8×); ` +
      `RSA-signing limit ${fmt(rsa.rate)} signatures/s on ${rsa.threads} threads`,
    signed.rate >= 0.8 * ours.rate,
  );
  const early = rssBetween(ours, 0.15, 0.35);
  const late = rssBetween(ours, 0.75, 0.95);
  report(
    'memory',
    `peak RSS ${mb(ours.peakKb)} for ${fmt(SUBSCRIBERS)} subscribers vs ${mb(small.peakKb)} for ${fmt(small.sent)}; RSS ${mb(early)} at a quarter of the send, ${mb(late)} near its end (target < 200 MB, not growing with the list)`,
    ours.peakKb < 200 * 1024 && ours.peakKb < small.peakKb * 1.25 && late < early * 1.25,
  );
  await tagsDoNotSlow(smtpUrl);
  await planSqlite();

  const server = await benchPgServer();
  if ('skip' in server) {
    for (const name of ['pg import', 'pg one worker', 'pg two workers', 'pg memory', 'pg plan']) report(name, server.skip, 'skip');
  } else {
    try {
      report('pg server', server.description, null);
      await pgSends(server, smtpUrl, ours.rate);
      await planPg(server);
    } finally {
      await server.stop();
    }
  }
} finally {
  sink.stop();
}
console.log(`\n${results.every(Boolean) ? 'All targets met.' : 'Some targets missed.'}`);
process.exitCode = results.every(Boolean) ? 0 : 1;
