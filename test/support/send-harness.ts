/** A list, a planned send and a runner wired to a real transport, for the sending tests. */
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { makePlaceholders } from '../../src/render/merge-tags.ts';
import { messageComposer } from '../../src/send/compose/compose.ts';
import type { MessageTransport } from '../../src/send/transport/message-transport.ts';
import { RateLimiter } from '../../src/send/pace/rate-limiter.ts';
import { runSend, type RunnerOptions, type RunOutcome } from '../../src/send/run/runner.ts';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { openDatabase, type Db } from '../../src/store/open.ts';
import { SqliteSubscriberTable } from '../../src/store/sqlite-subscribers.ts';
import { keyringFromEnv } from '../../src/subscribers/tokens.ts';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface SendHarness {
  dir: string;
  dbPath: string;
  db: Db;
  ledger: SqliteLedger;
  store: SqliteSubscriberTable;
  config: Config;
  sendId: number;
  /** `r0@example.org` … in subscriber order, then the `extra` addresses. */
  addresses: string[];
  /** One run of the send loop; `now` is its clock. */
  run(transport: MessageTransport, over?: Partial<RunnerOptions>): Promise<RunOutcome>;
  /** The ledger state of one address's row. */
  stateOf(address: string): string;
}

/** `count` active subscribers (and `extra` ones) and a planned send of a small issue whose body greets each by name. */
export async function sendHarness(t: TestContext, count: number, extra: readonly string[] = []): Promise<SendHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-send-'));
  const dbPath = join(dir, 'newsletter.db');
  const db = openDatabase(dbPath);
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new SqliteSubscriberTable(db);
  const addresses = [...Array.from({ length: count }, (_, i) => `r${i}@example.org`), ...extra];
  store.importMany(addresses.map((email, i) => ({ email, emailNormalized: email, name: `Reader ${i}`, attributes: {} })), 'test');
  const config = parseConfig('name: The Test Letter\nurl: https://news.example.org\nfrom:\n  email: news@example.org\n');
  const ph = makePlaceholders([]);
  const ledger = new SqliteLedger(db);
  const { send } = await ledger.plan(
    {
      slug: 'test-issue',
      issueFile: 'issues/test-issue.md',
      subject: 'A test issue',
      sourceHash: 'h',
      html: `<html><body><p>Hello ${ph.name}.</p><a href="${ph.unsubscribe}">Unsubscribe</a></body></html>`,
      text: `Hello ${ph.name}.\n\nUnsubscribe: ${ph.unsubscribe}\n`,
      placeholderPrefix: ph.prefix,
    },
    Date.now(),
  );
  const keyring = keyringFromEnv(TEST_SECRET);
  return {
    dir,
    dbPath,
    db,
    ledger,
    store,
    config,
    sendId: send.id,
    addresses,
    run: async (transport, over = {}) => {
      const now = over.clock?.() ?? Date.now();
      const runId = await ledger.startRun(send.id, { pid: process.pid, host: 'test', transport: transport.description }, now);
      return runSend(
        {
          ledger,
          sendId: send.id,
          runId,
          transport,
          compose: messageComposer({ config, send: (await ledger.send(send.id))!, keyring, date: new Date(now), sign: null }),
          limiter: new RateLimiter({ perSecond: null, perHour: null, now }),
          concurrency: 2,
          retryForMs: 3_600_000,
          pauseAfter: 20,
          waitForRetries: false,
          clock: Date.now,
          signal: new AbortController().signal,
          ...over,
        },
        await ledger.counts(send.id),
      ).finally(() => ledger.endRun(runId, 'test', Date.now()));
    },
    stateOf: (address) =>
      (db.prepare('SELECT d.state FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.email = ?').get(address) as { state: string }).state,
  };
}
