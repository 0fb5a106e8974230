/** Sign-ups on SQLite (issue 12, issue 15): the shared contract. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/open.ts';
import { SqliteConfirmationQueue } from '../../src/store/sqlite-confirmation-queue.ts';
import { SqliteSignUps } from '../../src/store/sqlite-sign-ups.ts';
import { SqliteSubscriberStore } from '../../src/store/sqlite-subscriber-store.ts';
import { signUpsContract } from './sign-ups-contract.ts';

signUpsContract('sqlite sign-ups', async (t, now) => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-sign-ups-'));
  const db = openDatabase(join(dir, 'newsletter.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { signUps: new SqliteSignUps(db, now), queue: new SqliteConfirmationQueue(db, now), subscribers: new SqliteSubscriberStore(db, now) };
});
