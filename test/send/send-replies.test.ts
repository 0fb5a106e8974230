/**
 * Sending against a scripted SMTP peer (issue 6, hostile inputs 23–27): for each kind of reply, each row ends in the
 * right state and the peer received the right number of copies per subscriber.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runStatus } from '../../src/cli/commands/status.ts';
import { createSmtpTransport } from '../../src/send/transport/smtp-transport.ts';
import { sendHarness } from '../support/send-harness.ts';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.ts';

const LATER = 2 * 3_600_000;
/** A clock two hours ahead: every retry is due. */
const later = () => Date.now() + LATER;

async function peer(
  t: { after: (fn: () => Promise<void>) => void },
  hooks: Parameters<typeof startSmtpPeer>[0] = {},
  options: Parameters<typeof startSmtpPeer>[1] = {},
): Promise<SmtpPeer> {
  const p = await startSmtpPeer(hooks, options);
  t.after(() => p.close());
  return p;
}

function transportFor(p: SmtpPeer, url = p.url, timeoutMs = 2000) {
  return createSmtpTransport({ url, concurrency: 2, timeoutMs });
}

test('replies: every subscriber gets exactly one copy when the server behaves', async (t) => {
  const h = await sendHarness(t, 12);
  const p = await peer(t);
  const transport = transportFor(p);
  assert.deepEqual(await h.run(transport), { outcome: 'finished' });
  await transport.close();
  for (const a of h.addresses) assert.equal(p.copiesOf(a), 1, a);
  assert.equal((await h.ledger.counts(h.sendId)).sent, 12);
  const row = h.db.prepare(`SELECT reply, message_id FROM deliveries WHERE state = 'sent' LIMIT 1`).get() as { reply: string; message_id: string };
  assert.match(row.reply, /^250/);
  assert.match(row.message_id, /^<test-issue\.[0-9a-f]{32}@example\.org>$/);
});

test('replies: 421 at the greeting → retry later, nothing delivered; once the server recovers, one copy each', async (t) => {
  const h = await sendHarness(t, 4);
  let refuse = true;
  const p = await peer(t, { onConnect: () => (refuse ? { code: 421, message: '4.7.0 too busy, try later' } : undefined) });
  const transport = transportFor(p);
  const first = await h.run(transport);
  assert.equal(first.outcome, 'waiting');
  for (const a of h.addresses) assert.equal(h.stateOf(a), 'retry', a);
  assert.equal(p.received().length, 0);
  refuse = false;
  assert.deepEqual(await h.run(transport, { clock: later }), { outcome: 'finished' });
  await transport.close();
  for (const a of h.addresses) assert.equal(p.copiesOf(a), 1, a);
});

test('replies: 451 after DATA → that row is retried and delivered once; the others are sent', async (t) => {
  const h = await sendHarness(t, 4);
  let tries = 0;
  const p = await peer(t, { onData: (to) => (to === 'r1@example.org' && tries++ === 0 ? { code: 451, message: '4.3.0 local error, try again' } : undefined) });
  const transport = transportFor(p);
  assert.equal((await h.run(transport)).outcome, 'waiting');
  assert.equal(h.stateOf('r1@example.org'), 'retry');
  assert.equal(p.copiesOf('r1@example.org'), 0);
  assert.equal((await h.ledger.counts(h.sendId)).sent, 3);
  assert.deepEqual(await h.run(transport, { clock: later }), { outcome: 'finished' });
  await transport.close();
  for (const a of h.addresses) assert.equal(p.copiesOf(a), 1, a);
});

test('replies: 452 on RCPT → retry with the send slowed; 550 5.1.1 on RCPT → failed, bounced, never retried', async (t) => {
  const h = await sendHarness(t, 5);
  let full = true;
  const p = await peer(t, {
    onRcptTo: (to) => {
      if (to === 'r2@example.org' && full) return { code: 452, message: '4.2.2 mailbox full for now' };
      if (to === 'r3@example.org') return { code: 550, message: '5.1.1 <r3@example.org>: user unknown' };
      return undefined;
    },
  });
  const transport = transportFor(p);
  assert.equal((await h.run(transport)).outcome, 'waiting');
  assert.equal(h.stateOf('r2@example.org'), 'retry');
  assert.equal(h.stateOf('r3@example.org'), 'failed');
  assert.equal(h.store.get('r3@example.org')?.status, 'bounced');
  full = false;
  assert.deepEqual(await h.run(transport, { clock: later }), { outcome: 'finished' });
  await transport.close();
  assert.equal(p.copiesOf('r2@example.org'), 1);
  assert.equal(p.copiesOf('r3@example.org'), 0);
  assert.equal(h.stateOf('r3@example.org'), 'failed');
  const failed = await h.ledger.rows(h.sendId, 'failed');
  assert.match(failed[0]?.reply ?? '', /^550 5\.1\.1/);
});

test('replies: 535 on AUTH stops the run; no subscriber is failed, bounced or charged an attempt', async (t) => {
  const h = await sendHarness(t, 6);
  const p = await peer(t, { onAuth: () => ({ code: 535, message: '5.7.8 authentication credentials invalid' }) });
  const transport = transportFor(p, p.urlWithAuth('news', 'wrong password'));
  const result = await h.run(transport);
  await transport.close();
  assert.equal(result.outcome, 'stopped');
  assert.match('reason' in result ? result.reason : '', /535/);
  assert.deepEqual(await h.ledger.counts(h.sendId), { queued: 6, sending: 0, sent: 0, retry: 0, failed: 0, in_doubt: 0, suppressed: 0 });
  assert.equal((h.db.prepare('SELECT max(attempts) AS n FROM deliveries').get() as { n: number }).n, 0);
  assert.equal(h.store.countByStatus().active, 6);
  assert.equal(p.received().length, 0);
});

test('replies: a 5xx to MAIL FROM stops the run without blaming subscribers', async (t) => {
  const h = await sendHarness(t, 3);
  const p = await peer(t, { onMailFrom: () => ({ code: 553, message: '5.7.1 sender address rejected: not owned by user' }) });
  const transport = transportFor(p);
  const result = await h.run(transport);
  await transport.close();
  assert.equal(result.outcome, 'stopped');
  assert.equal((await h.ledger.counts(h.sendId)).queued, 3);
  assert.equal(h.store.countByStatus().active, 3);
});

test('replies: a connection dropped after the final dot leaves the row in_doubt, and nothing resends it', async (t) => {
  const h = await sendHarness(t, 3);
  const p = await peer(t, { onData: (to) => (to === 'r1@example.org' ? 'drop' : undefined) });
  const transport = transportFor(p);
  assert.deepEqual(await h.run(transport), { outcome: 'finished' });
  assert.equal(h.stateOf('r1@example.org'), 'in_doubt');
  // Another run (a resume) and a pause: neither the pool nor the runner sends it again behind the ledger's back.
  assert.deepEqual(await h.run(transport, { clock: later }), { outcome: 'finished' });
  await new Promise((r) => setTimeout(r, 200));
  await transport.close();
  assert.equal(p.dataReceived('r1@example.org'), 1);
  assert.equal(p.copiesOf('r0@example.org'), 1);
  assert.equal(p.copiesOf('r2@example.org'), 1);
});

test('replies: a server that never answers → a timeout, the row retried later, the run goes on', async (t) => {
  const h = await sendHarness(t, 4);
  const p = await peer(t, { onConnect: () => (p.connections === 1 ? 'hang' : undefined) });
  const transport = transportFor(p, p.url, 400);
  const first = await h.run(transport, { concurrency: 1 });
  assert.equal(first.outcome, 'waiting');
  assert.equal((await h.ledger.counts(h.sendId)).retry, 1);
  assert.equal((await h.ledger.counts(h.sendId)).sent, 3, 'the others went through after the timeout');
  assert.deepEqual(await h.run(transport, { clock: later }), { outcome: 'finished' });
  await transport.close();
  for (const a of h.addresses) assert.equal(p.copiesOf(a), 1, a);
});

test('replies: no answer after the final dot → in_doubt (the message may have arrived)', async (t) => {
  const h = await sendHarness(t, 2);
  const p = await peer(t, { onData: (to) => (to === 'r0@example.org' ? 'hang' : undefined) });
  const transport = transportFor(p, p.url, 400);
  assert.deepEqual(await h.run(transport), { outcome: 'finished' });
  await transport.close();
  assert.equal(h.stateOf('r0@example.org'), 'in_doubt');
  assert.equal(h.stateOf('r1@example.org'), 'sent');
  assert.equal(p.dataReceived('r0@example.org'), 1);
});

test('replies: a run of temporary failures pauses the send, with the server\'s words in the reason', async (t) => {
  const h = await sendHarness(t, 40);
  const p = await peer(t, { onRcptTo: () => ({ code: 450, message: '4.7.1 rate limited, slow down' }) });
  const transport = transportFor(p);
  const result = await h.run(transport, { pauseAfter: 8 });
  await transport.close();
  assert.equal(result.outcome, 'paused');
  assert.match('reason' in result ? result.reason : '', /8 messages in a row.*450 4\.7\.1 rate limited/);
  const counts = await h.ledger.counts(h.sendId);
  assert.ok(counts.queued >= 28, `most rows stay queued (${counts.queued})`);
  assert.equal(counts.sending, 0);
});

/** `newsletter status --json` for the harness's database: what the writer is shown. */
type StatusJson = { counts: Record<string, number>; errors: { reply: string; count: number; example: string }[] };

async function statusJson(h: Awaited<ReturnType<typeof sendHarness>>): Promise<StatusJson> {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    assert.equal(await runStatus({ root: h.dir, cwd: h.dir, databasePath: h.dbPath, issue: 'test-issue', json: true }), 0);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(out) as StatusJson;
}

test('replies: a non-ASCII local part and a server without SMTPUTF8 → that row failed with the reason, nobody bounced, the run finishes', async (t) => {
  const eleve = 'élève@exemple.fr';
  const h = await sendHarness(t, 3, [eleve]);
  const p = await peer(t, {}, { hideSMTPUTF8: true });
  const transport = transportFor(p);
  assert.deepEqual(await h.run(transport), { outcome: 'finished' });
  await transport.close();
  assert.equal(h.stateOf(eleve), 'failed');
  assert.equal(p.dataReceived(eleve), 0, 'no raw UTF-8 address went to a server that did not offer SMTPUTF8');
  assert.equal(h.store.get(eleve)?.status, 'active', 'the subscriber is not blamed');
  for (const a of h.addresses.slice(0, 3)) assert.equal(p.copiesOf(a), 1, a);
  const status = await statusJson(h);
  assert.equal(status.counts.failed, 1);
  assert.equal(status.errors.length, 1);
  assert.match(status.errors[0]!.example, /^not sent: the server \(smtp:\/\/127\.0\.0\.1:\d+\) does not offer SMTPUTF8/);
});

test('replies: a non-ASCII local part and a server that offers SMTPUTF8 → sent like every other row', async (t) => {
  const eleve = 'élève@exemple.fr';
  const h = await sendHarness(t, 2, [eleve]);
  const p = await peer(t);
  const transport = transportFor(p);
  assert.deepEqual(await h.run(transport), { outcome: 'finished' });
  await transport.close();
  for (const a of h.addresses) assert.equal(p.copiesOf(a), 1, a);
  assert.deepEqual(p.received().filter((r) => r.smtpUtf8).map((r) => r.to), [eleve]);
});
