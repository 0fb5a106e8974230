/**
 * `npm run bench:send`: the bulk sender's figures, each next to a baseline measured in the same run.
 *
 * 100,000 generated subscribers and the 1,700-word benchmark issue, a ledger on disk, and a local SMTP sink in another
 * process (Debian's `smtp-sink` when installed, else an smtp-server sink). The send is the real CLI
 * (`newsletter send --yes --json`) in its own process, whose memory is sampled from /proc as it runs. Baselines: stock
 * Nodemailer pooled sending of the same messages, and Debian's `smtp-source` (when installed) blasting same-size
 * messages into the same sink.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src/store/open.ts';
import { SqliteSubscriberTable } from '../src/store/sqlite-subscribers.ts';
import { generateIssue } from './generate-issue.ts';

const root = resolve(import.meta.dirname, '..');
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const BASELINE_MESSAGES = Math.min(SUBSCRIBERS, 20_000);
const CONCURRENCY = 8;
const results: boolean[] = [];

function report(name: string, line: string, ok: boolean | null): void {
  if (ok !== null) results.push(ok);
  console.log(`${ok === null ? 'INFO' : ok ? 'PASS' : 'FAIL'}  ${name}: ${line}`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (kb: number) => `${fmt(kb / 1024, 1)} MB`;

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

/** Runs the real CLI send of `count` subscribers; returns its rate and memory samples. */
async function ourSend(count: number, smtpUrl: string, dkimKey: string | null = null): Promise<{ rate: number; elapsedMs: number; wallMs: number; peakKb: number; samples: { at: number; rss: number }[]; sent: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-send-'));
  try {
    cpSync(join(root, 'templates'), join(dir, 'templates'), { recursive: true });
    const yaml = readFileSync(join(root, 'newsletter.yaml'), 'utf8');
    writeFileSync(join(dir, 'newsletter.yaml'), dkimKey ? `${yaml}\nsending:\n  dkim:\n    domain: example.org\n    selector: bench\n` : yaml);
    mkdirSync(join(dir, 'issues'));
    writeFileSync(join(dir, 'issues', '2026-10-14-synthetic.md'), generateIssue(1));
    const dbPath = join(dir, 'data', 'newsletter.db');
    const db = openDatabase(dbPath);
    new SqliteSubscriberTable(db).importMany(
      Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.org`, emailNormalized: `r${i}@example.org`, name: `Reader ${i}`, attributes: {} })),
      'bench',
    );
    db.close();
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'bin/newsletter.cjs'), 'send', 'synthetic', '--yes', '--json', '--concurrency', String(CONCURRENCY)], {
      cwd: dir,
      env: { ...process.env, SMTP_URL: smtpUrl, NEWSLETTER_DB: dbPath, NEWSLETTER_SECRET: 'bench-secret-0123456789-0123456789-0123456789', DKIM_PRIVATE_KEY: dkimKey ?? '' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
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
    if (status !== 0) throw new Error(`newsletter send exited ${status}: ${stdout}`);
    const summary = JSON.parse(stdout) as { counts: { sent: number }; elapsedMs: number };
    return { rate: summary.counts.sent / (summary.elapsedMs / 1000), elapsedMs: summary.elapsedMs, wallMs, peakKb, samples, sent: summary.counts.sent };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  const quarter = (from: number, to: number) => {
    const s = ours.samples.filter((x) => x.at >= (from * ours.wallMs) && x.at <= (to * ours.wallMs));
    return s.length ? Math.max(...s.map((x) => x.rss)) : 0;
  };
  const early = quarter(0.15, 0.35);
  const late = quarter(0.75, 0.95);
  report(
    'memory',
    `peak RSS ${mb(ours.peakKb)} for ${fmt(SUBSCRIBERS)} subscribers vs ${mb(small.peakKb)} for ${fmt(small.sent)}; RSS ${mb(early)} at a quarter of the send, ${mb(late)} near its end (target < 200 MB, not growing with the list)`,
    ours.peakKb < 200 * 1024 && ours.peakKb < small.peakKb * 1.25 && late < early * 1.25,
  );
} finally {
  sink.stop();
}
console.log(`\n${results.every(Boolean) ? 'All targets met.' : 'Some targets missed.'}`);
process.exitCode = results.every(Boolean) ? 0 : 1;
