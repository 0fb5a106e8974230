/** The feedback store on SQLite (issue 18): the shared contract (feedback-contract.ts). */
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteFeedback } from '../../src/store/sqlite-feedback.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import { feedbackContract } from './feedback-contract.ts';

feedbackContract('sqlite feedback', async (t: TestContext) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-feedback-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    feedback: new SqliteFeedback(db),
    subscribers: new SqliteSubscriberStore(db),
    ledger: new SqliteLedger(db),
    raws: async () => db.prepare<[], { raw: string | null }>('SELECT raw FROM feedback_events ORDER BY id').all().map((r) => r.raw),
  };
});
