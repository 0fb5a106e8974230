/**
 * The feedback store on PostgreSQL (issue 18): the shared contract (feedback-contract.ts), and what only PostgreSQL
 * can do to it: servers taking webhooks at once. Skipped without NEWSLETTER_TEST_PG.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgFeedback } from '../../src/store/pg/pg-feedback.ts';
import { PgLedger } from '../../src/store/pg/pg-ledger.ts';
import { openPool } from '../../src/store/pg/pg-pool.ts';
import { PgSubscriberStore } from '../../src/store/pg/pg-subscribers.ts';
import { DEFAULT_SOFT_BOUNCE_POLICY } from '../../src/feedback/suppression-policy.ts';
import type { FeedbackEvent } from '../../src/feedback/feedback-event.ts';
import { freshPgPool, needsPg } from '../support/pg.ts';
import { feedbackContract } from './feedback-contract.ts';

const T0 = Date.parse('2026-11-01T10:00:00Z');

describe('pg feedback: the contract', needsPg, () => {
  feedbackContract('postgres feedback', async (t) => {
    const { pool } = await freshPgPool(t);
    return {
      feedback: new PgFeedback(pool),
      subscribers: new PgSubscriberStore(pool),
      ledger: new PgLedger(pool),
      raws: async () => (await pool.query<{ raw: string | null }>('SELECT raw FROM feedback_events ORDER BY id')).rows.map((r) => r.raw),
    };
  });
});

describe('pg feedback: servers at once', needsPg, () => {
  test('soft bounces from three sends arriving at once through three servers suppress the reader exactly once; one event sent to all three is recorded once', async (t) => {
    const { url, pool } = await freshPgPool(t);
    const subscribers = new PgSubscriberStore(pool);
    const ledger = new PgLedger(pool);
    await subscribers.add({ email: 'ann@example.org', emailNormalized: 'ann@example.org', name: 'Ann', status: 'active', source: 'cli', reason: 'test' });
    const messageIds: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const { send } = await ledger.plan({ slug: `i${n}`, issueFile: `issues/i${n}.md`, subject: 'S', sourceHash: `h${n}`, html: 'x', text: 'x', placeholderPrefix: 'nlmerge0' }, T0);
      const run = await ledger.startRun(send.id, { pid: 1, host: 'h', transport: 't' }, T0);
      const [c] = await ledger.commit(send.id, run, [], 10, T0);
      messageIds.push(`<m${n}@news.example.org>`);
      await ledger.commit(send.id, run, [{ subscriberId: c!.subscriberId, state: 'sent', reply: '250 ok', messageId: messageIds.at(-1)! }], 0, T0);
    }
    const servers = Array.from({ length: 3 }, () => {
      const own = openPool(url, { max: 2 });
      t.after(() => own.end());
      return new PgFeedback(own);
    });
    const soft = (messageId: string, key: string): FeedbackEvent => ({
      kind: 'soft-bounce', recipients: ['ann@example.org'], at: T0, messageId, providerMessageId: null, status: '4.2.2', diagnostic: 'full', provider: 'ses', sourceKey: key, raw: '{}',
    });
    const results = await Promise.all(servers.map((s, i) => s.apply([soft(messageIds[i]!, `k${i}`)], T0 + 1000, DEFAULT_SOFT_BOUNCE_POLICY)));
    const outcomes = results.flatMap((r) => (r.replay ? [] : r.applied.map((a) => a.outcome))).sort();
    assert.deepEqual(outcomes, ['recorded', 'recorded', 'suppressed']);
    assert.equal((await subscribers.get('ann@example.org'))!.status, 'bounced');
    assert.equal((await subscribers.events('ann@example.org')).filter((e) => e.to === 'bounced').length, 1);
    const again = await Promise.all(servers.map((s) => s.apply([soft(messageIds[0]!, 'same')], T0 + 2000, DEFAULT_SOFT_BOUNCE_POLICY)));
    const seen = again.flatMap((r) => (r.replay ? [] : r.applied.map((a) => a.outcome))).sort();
    assert.deepEqual(seen, ['duplicate', 'duplicate', 'recorded']);
  });
});
