/** The `.eml` outbox: one file per recipient for a send; one per message for confirmations (issue 12, finding 7). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOutboxTransport } from '../../src/send/transport/outbox-transport.ts';
import { projectFor } from '../support/fixtures.ts';

const envelope = { from: 'bounces@example.org', to: 'reader@example.com' };
const message = (n: number) => Buffer.from(`Subject: ${n}\r\n\r\nBody ${n}\r\n`);

test('outbox: named per message, a second confirmation to one address keeps the first; named per recipient, a send has one file each', async (t) => {
  const dir = projectFor(t);
  const confirmations = createOutboxTransport(join(dir, 'c'), 'confirmations', 'message');
  for (const n of [1, 2, 2]) assert.equal((await confirmations.send(envelope, message(n))).kind, 'sent');
  const files = readdirSync(join(dir, 'c')).sort();
  assert.equal(files.length, 2, 'the same message twice (a retry) is one file');
  assert.deepEqual(files.map((f) => readFileSync(join(dir, 'c', f), 'utf8')).sort(), [message(1).toString(), message(2).toString()]);
  const send = createOutboxTransport(join(dir, 's'), 'a send');
  for (const n of [1, 2]) await send.send(envelope, message(n));
  assert.equal(readdirSync(join(dir, 's')).length, 1);
});
