import type { Config } from '../config/schema.ts';
import { nextAttempt } from '../send/pace/backoff.ts';
import type { MessageTransport, Outcome } from '../send/transport/message-transport.ts';
import type { ClaimedConfirmation, ConfirmationQueue } from '../store/confirmation-queue.ts';
import { forLog, maskAddress } from '../subscribers/mask-address.ts';
import { signToken, type Keyring } from '../subscribers/tokens.ts';
import { composeConfirmation } from './confirmation-email.ts';
import { loadConfirmationTemplate, type ConfirmationTemplate } from './confirmation-template.ts';

export interface ConfirmationSenderOptions {
  /** The queue to mail from: every `serve` on one database shares it (claims never overlap). */
  queue: ConfirmationQueue;
  config: Config;
  /** The email's template, rendered once at start (confirmation-template.ts); the tool's default when absent. */
  template?: ConfirmationTemplate;
  keyring: Keyring;
  /** Opens where mail goes, once per batch of due rows; closed when the batch is done. */
  openTransport: () => MessageTransport;
  /** The clock: what is due, the tokens' issue time, the Date header. */
  now?: () => Date;
  /** One line per email sent, retried or given up; addresses masked. */
  log?: (line: string) => void;
  /** How often to look for rows queued by other processes, at most; in ms. */
  pollMs?: number;
  /** How long after the sign-up temporary failures are retried before the email is given up; in ms. */
  retryForMs?: number;
  /** How long a claimed row is held: longer than one SMTP transaction can take, so only a dead sender's is retaken. */
  leaseMs?: number;
}

/** Rows claimed and sent at once; confirmations come one sign-up at a time, so this is rarely reached. */
const BATCH = 10;
/** Retried for a day: a server down overnight still gets every sign-up's email out in the morning. */
export const DEFAULT_RETRY_FOR_MS = 24 * 60 * 60_000;
const DEFAULT_LEASE_MS = 15 * 60_000;
/** Finished rows are kept a month for the operator, then deleted; the daily limit needs only one day of them. */
const KEEP_MS = 30 * 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * Sends the confirmation emails the sign-up form queued: claims due rows, sends each through the transport, and
 * marks it sent, in doubt or failed, or reschedules it with growing delays (30 s, 1, 2, 4 … 30 min, with jitter)
 * until a day after the sign-up. A loop while `serve` runs (`start`, `wake` when a row was queued, `stop`); rows
 * left by a stopped or crashed server are picked up by the next one.
 */
export class ConfirmationSender {
  readonly #queue: ConfirmationQueue;
  readonly #options: ConfirmationSenderOptions;
  readonly #now: () => Date;
  readonly #log: (line: string) => void;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;
  #started = false;
  #again = false;
  #prunedAt = -Infinity;
  #template: Promise<ConfirmationTemplate> | null = null;

  constructor(options: ConfirmationSenderOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log ?? (() => {});
    this.#queue = options.queue;
  }

  /** Starts the loop: due rows at once, then whenever one falls due, a row is queued (`wake`), or a poll comes. */
  start(): void {
    this.#started = true;
    this.#schedule(0);
  }

  /** A row was just queued: send it now rather than at the next poll. */
  wake(): void {
    if (!this.#started) return;
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  /** Stops the loop once the batch in flight is done; rows not yet sent stay queued for the next start. */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Whether emails are being sent right now (so `stop` waits for them). */
  get busy(): boolean {
    return this.#running !== null;
  }

  /** Sends every row due now, batch after batch; returns how many rows were handled. */
  async runOnce(): Promise<number> {
    while (this.#running) await this.#running;
    const run = this.#drain();
    this.#running = run;
    try {
      return await run;
    } finally {
      this.#running = null;
    }
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    this.#timer = null;
    try {
      await this.runOnce();
    } catch (error) {
      // A busy or broken database: said, and tried again at the next poll.
      this.#log(`confirmation emails: ${forLog((error as Error).message)}`);
    }
    if (!this.#started) return;
    if (this.#again) {
      this.#again = false;
      return this.#schedule(0);
    }
    const poll = this.#options.pollMs ?? 5000;
    let due: number | null = null;
    try {
      due = await this.#queue.nextDueAt();
    } catch {
      // the next tick says what is wrong
    }
    this.#schedule(due === null ? poll : Math.min(poll, Math.max(0, due - this.#now().getTime())));
  }

  async #drain(): Promise<number> {
    let handled = 0;
    const now = this.#now().getTime();
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
      await this.#queue.prune(now - KEEP_MS);
      this.#prunedAt = now;
    }
    for (;;) {
      const claimed = await this.#queue.claimDue(this.#now().getTime(), BATCH, this.#options.leaseMs ?? DEFAULT_LEASE_MS);
      if (claimed.length === 0) return handled;
      handled += claimed.length;
      let transport: MessageTransport;
      try {
        transport = this.#options.openTransport();
      } catch (error) {
        // Nowhere to send them now: each is retried later like any temporary failure, not held until its lease ends.
        for (const row of claimed) await this.#record(row, { kind: 'retry', reply: (error as Error).message, slowDown: false }, maskAddress(row.email));
        continue;
      }
      try {
        const results = await Promise.allSettled(claimed.map((row) => this.#send(transport, row)));
        const failure = results.find((r) => r.status === 'rejected');
        if (failure) throw failure.reason;
      } finally {
        await transport.close();
      }
    }
  }

  async #send(transport: MessageTransport, row: ClaimedConfirmation): Promise<void> {
    const who = maskAddress(row.email);
    const date = this.#now();
    // Confirmed, unsubscribed or bounced since the sign-up: the email has nothing left to ask.
    if (row.status !== 'pending') {
      await this.#queue.finish(row.id, 'skipped', date.getTime(), `${row.status} when its turn came`, false);
      return this.#log(`confirmation email to ${who}: not sent, ${row.status} now`);
    }
    let outcome: Outcome;
    try {
      const link = `${this.#options.config.url}/confirm/${signToken(this.#options.keyring, 'confirm', row.tokenKey, date)}`;
      const { envelope, raw } = await composeConfirmation(this.#options.config, await this.#loadTemplate(), row.email, link, date);
      outcome = await transport.send(envelope, raw);
    } catch (error) {
      outcome = { kind: 'retry', reply: (error as Error).message, slowDown: false };
    }
    await this.#record(row, outcome, who);
  }

  #loadTemplate(): Promise<ConfirmationTemplate> {
    this.#template ??= this.#options.template ? Promise.resolve(this.#options.template) : loadConfirmationTemplate(null, this.#options.config);
    return this.#template;
  }

  async #record(row: ClaimedConfirmation, outcome: Outcome, who: string): Promise<void> {
    const now = this.#now().getTime();
    const reply = forLog(outcome.reply);
    switch (outcome.kind) {
      case 'sent':
        await this.#queue.finish(row.id, 'sent', now, outcome.reply, true);
        return this.#log(`confirmation email to ${who}: sent (${reply})`);
      case 'in_doubt':
        // The whole message went out; a second copy would break the one-a-day promise for a message that probably arrived.
        await this.#queue.finish(row.id, 'in_doubt', now, outcome.reply, true);
        return this.#log(`confirmation email to ${who}: in doubt, not resent (${reply})`);
      case 'failed':
        if (outcome.bounce) await this.#queue.failBounced(row.id, now, outcome.reply);
        else await this.#queue.finish(row.id, 'failed', now, outcome.reply, true);
        return this.#log(`confirmation email to ${who}: refused${outcome.bounce ? ', marked bounced' : ''} (${reply})`);
      case 'retry':
      case 'stop': {
        // `stop` (credentials, TLS, a refused sender) is the server's problem, not the subscriber's: retried the same way.
        const attempt = row.attempts + 1;
        const next = nextAttempt({ attempt, firstAttemptAt: row.requestedAt, now, retryForMs: this.#options.retryForMs ?? DEFAULT_RETRY_FOR_MS, seed: row.id });
        if ('giveUp' in next) {
          await this.#queue.finish(row.id, 'failed', now, `given up after ${attempt} attempts: ${outcome.reply}`, true);
          return this.#log(`confirmation email to ${who}: given up after ${attempt} attempts over ${hours(now - row.requestedAt)} (${reply})`);
        }
        await this.#queue.reschedule(row.id, now, next.at, outcome.reply);
        return this.#log(`confirmation email to ${who}: not sent (${reply}); trying again in ${Math.round((next.at - now) / 1000)} s`);
      }
    }
  }
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${Math.round(h)} h` : `${Math.round(ms / 60_000)} min`;
}
