/**
 * `send` checks that the email's images answer at their published URLs before anything is planned (issue 14): a
 * real local web server standing in for the site at `url`, the real CLI, a real SMTP peer.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { editFile, issueText, projectFor } from '../support/fixtures.ts';
import { startSmtpPeer } from '../support/smtp-peer.ts';
import { runCliAsync } from '../support/cli-process.ts';

/** A real 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const cli = runCliAsync;

/** The "site": answers as `answer` says, recording each request. */
async function site(t: TestContext, answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

/** A project whose issue shows a local image, its `url` pointing at `url`, with two active subscribers. */
async function project(t: TestContext, url: string) {
  const dir = projectFor(t, {
    'issues/images/chart.png': '',
    'issues/2026-11-02-charts.md': issueText('The figures:\n\n![A chart](images/chart.png)', 'title: Charts\ndate: 2026-11-02\nstatus: ready'),
  });
  writeFileSync(join(dir, 'issues', 'images', 'chart.png'), PNG);
  editFile(dir, 'newsletter.yaml', 'url: https://dissentdesk.example.org', `url: ${url}`);
  const db = openDatabase(join(dir, 'data', 'newsletter.db'));
  new SqliteSubscriberTable(db).importMany(['a@example.org', 'b@example.org'].map((email) => ({ email, emailNormalized: email, name: '', attributes: {} })), 'test');
  db.close();
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  return { dir, peer, env: { SMTP_URL: peer.url } };
}

const sends = (dir: string) => {
  const db = new Database(join(dir, 'data', 'newsletter.db'), { readonly: true });
  const n = (db.prepare('SELECT count(*) AS n FROM sends').get() as { n: number }).n;
  db.close();
  return n;
};

test('send: an image answering 404 at its published URL refuses the send, listed; nothing is planned or sent', async (t) => {
  const web = await site(t, (_req, res) => res.writeHead(404).end('not here'));
  const p = await project(t, web.url);
  const run = await cli(p.dir, ['send', 'charts', '--yes'], p.env);
  assert.equal(run.status, 1, run.err);
  assert.match(run.err, new RegExp(`^ {2}${web.url.replace(/[.]/g, '\\.')}/charts/chart\\.png: 404 Not Found$`, 'm'));
  assert.match(run.err, /Publish the archive first \(`newsletter build`, then upload dist\/web\/ to the site at url\), or send anyway with --skip-image-check/);
  assert.match(run.err, /nothing sent/);
  assert.deepEqual(web.requests, ['HEAD /charts/chart.png']);
  assert.equal(sends(p.dir), 0, 'no send was planned');
  assert.equal(p.peer.received().length, 0);
  // The rehearsal says the same.
  const dry = await cli(p.dir, ['send', 'charts', '--dry-run'], p.env);
  assert.equal(dry.status, 1);
  assert.match(dry.err, /chart\.png: 404/);
  // --skip-image-check goes on regardless.
  const skipped = await cli(p.dir, ['send', 'charts', '--yes', '--skip-image-check'], p.env);
  assert.equal(skipped.status, 0, skipped.err);
  assert.equal(p.peer.received().length, 2);
});

test('send: an image answering 200 (or 200 to GET after a 405 to HEAD) lets the send go on', async (t) => {
  for (const headAllowed of [true, false]) {
    const web = await site(t, (req, res) => {
      if (req.method === 'HEAD' && !headAllowed) return res.writeHead(405).end();
      res.writeHead(200, { 'Content-Type': 'image/png' }).end(req.method === 'HEAD' ? undefined : PNG);
    });
    const p = await project(t, web.url);
    const run = await cli(p.dir, ['send', 'charts', '--yes'], p.env);
    assert.equal(run.status, 0, run.err);
    assert.match(run.err, /Checking the email's 1 image at its published URL/);
    assert.deepEqual(web.requests, headAllowed ? ['HEAD /charts/chart.png'] : ['HEAD /charts/chart.png', 'GET /charts/chart.png']);
    assert.equal(p.peer.received().length, 2);
  }
});

test('send: a site that does not answer at all refuses, naming the error', async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const p = await project(t, `http://127.0.0.1:${port}`);
  const run = await cli(p.dir, ['send', 'charts', '--yes'], p.env);
  assert.equal(run.status, 1, run.err);
  assert.match(run.err, new RegExp(`http://127\\.0\\.0\\.1:${port}/charts/chart\\.png: ECONNREFUSED`));
  assert.equal(sends(p.dir), 0);
});
