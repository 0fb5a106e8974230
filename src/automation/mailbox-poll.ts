import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/load.ts';
import { parseImapUrl } from '../inbound/imap-url.ts';
import { mailboxPass } from '../inbound/mailbox-pass.ts';
import { returnedMailContext } from '../inbound/returned-mail-context.ts';
import { resultsSummary } from '../inbound/results-summary.ts';
import { MAILBOX_LOCK, withTryLock } from '../store/pg/pg-try-lock.ts';
import type { JobContext } from './job-context.ts';

/** How often the poll looks at the config again while it is off (no `events.imap.interval`, or no IMAP_URL). */
const IDLE_CHECK_MS = 5000;

/**
 * The bounce mailbox, read by the worker every `events.imap.interval` when IMAP_URL is set: the same pass as
 * `bounces --imap` (messages marked only once applied). A failure (the server down, a refused login) is logged,
 * once while it lasts, and the next interval tries again; a config edited while the worker runs is read each time.
 * On PostgreSQL, where many workers run, one at a time reads it (an advisory lock); SQLite runs one worker anyway.
 * Runs until the worker stops; a pass in flight finishes first.
 */
export async function mailboxPollLoop(ctx: JobContext): Promise<void> {
  const { environment, log, signal } = ctx;
  let told: string | null = null;
  const problem = (message: string) => {
    if (message !== told) log(`mailbox: ${message}; trying again at the next interval`);
    told = message;
  };
  while (!signal.aborted) {
    let wait = IDLE_CHECK_MS;
    try {
      const config = await loadConfig(ctx.root);
      const { intervalMs, moveTo } = config.events.imap;
      if (intervalMs > 0 && environment.imapUrl) {
        wait = intervalMs;
        const parsed = parseImapUrl(environment.imapUrl);
        if (!parsed.ok) {
          problem(parsed.error);
        } else {
          const read = () => mailboxPass(returnedMailContext(config, ctx.stores, false, ctx.clock), parsed.target, moveTo);
          // On PostgreSQL one worker reads the mailbox at a time; the others skip the interval rather than read it too.
          const turn = ctx.stores.engine === 'postgres' ? await withTryLock(ctx.stores.pool, MAILBOX_LOCK, read) : { ran: true as const, value: await read() };
          if (turn.ran) {
            const pass = turn.value;
            if (told !== null) log(`mailbox: ${parsed.target.host}:${parsed.target.port} answers again`);
            told = null;
            if (pass.messages > 0) {
              for (const r of pass.results) if (r.outcome !== 'skipped') log(`mailbox: ${r.outcome} ${r.email ?? '—'}: ${r.detail} (${r.source})`);
              log(`mailbox: ${resultsSummary(pass.messages, pass.results)}`);
            }
          }
        }
      }
    } catch (error) {
      problem((error as Error).message);
    }
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return;
    }
  }
}
