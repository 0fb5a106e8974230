/** The automation store on SQLite (issue 17): the shared contract (automations-contract.ts). */
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../../src/store/ledger/sqlite-ledger.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteAutomationStore } from '../../src/store/sqlite-automations.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import { automationsContract } from './automations-contract.ts';

automationsContract('sqlite automations', async (t: TestContext, { now }) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-automations-'));
  const path = join(dir, 'newsletter.db');
  const db = openDatabase(path);
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    automations: new SqliteAutomationStore(db),
    subscribers: new SqliteSubscriberStore(db, now),
    ledger: new SqliteLedger(db),
    another: async () => {
      const other = openDatabase(path);
      t.after(() => other.close());
      return new SqliteAutomationStore(other);
    },
  };
});
