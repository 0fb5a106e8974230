/** retryWhileBusy (issue 12, finding 13): retries a busy write after pauses that leave the event loop free. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryWhileBusy } from '../../src/store/busy-retry.ts';
import { DatabaseBusyError } from '../../src/store/open.ts';

test('a write that meets a busy database is tried again, and other work runs between the tries', async () => {
  let tries = 0;
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  try {
    const result = await retryWhileBusy(() => {
      tries++;
      if (tries < 6) throw tries % 2 ? new DatabaseBusyError() : Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return 'stored';
    });
    assert.equal(result, 'stored');
    assert.equal(tries, 6);
    assert.ok(ticks >= 2, `the event loop ran other work between tries (${ticks} ticks)`);
  } finally {
    clearInterval(ticker);
  }
});

test('any other error is thrown at once; a database still busy when the budget is spent gives a DatabaseBusyError', async () => {
  let tries = 0;
  await assert.rejects(
    retryWhileBusy(() => {
      tries++;
      throw new TypeError('not busy');
    }),
    TypeError,
  );
  assert.equal(tries, 1);
  let clock = 0;
  await assert.rejects(
    retryWhileBusy(
      () => {
        clock += 40;
        throw new DatabaseBusyError();
      },
      { budgetMs: 100, now: () => clock },
    ),
    (error: unknown) => error instanceof DatabaseBusyError && /0\.1 s/.test(error.message),
  );
  assert.equal(clock, 120, 'it gave up at the first try past the budget');
});
