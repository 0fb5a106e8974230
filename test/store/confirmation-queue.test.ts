/** The confirmation queue on SQLite (issue 12, finding 3): the shared contract, on two connections to one file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteConfirmationQueue } from '../../src/store/sqlite-confirmation-queue.ts';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import { confirmationQueueContract } from './confirmation-queue-contract.ts';

confirmationQueueContract('sqlite queue', async (t, now) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-queue-'));
  const path = join(dir, 'newsletter.db');
  const db = openDatabase(path);
  const others: ReturnType<typeof openDatabase>[] = [];
  t.after(() => {
    for (const other of others) other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    queue: new SqliteConfirmationQueue(db, now),
    subscribers: new SqliteSubscriberStore(db, now),
    another: async () => {
      const other = openDatabase(path);
      others.push(other);
      return new SqliteConfirmationQueue(other, now);
    },
  };
});
