/**
 * When a message that met a temporary failure is tried again: 30 s, 1 min, 2, 4, 8, 16, then every 30 min, each
 * moved by up to ±10% so the retries of many rows that failed together (a server that was down) spread out.
 */

const FIRST_MS = 30_000;
const CAP_MS = 30 * 60_000;
const JITTER = 0.1;

/** murmur3's finaliser: every input bit moves every output bit, so neighbouring ids get unrelated jitter. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) that depends only on the seed (all of a safe integer's bits) and the attempt. */
function unit(seed: number, attempt: number): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / 2 ** 32) >>> 0;
  return mix(mix(mix(low ^ 0x9e3779b9) ^ high) ^ Math.imul(attempt, 0x27d4eb2f)) / 2 ** 32;
}

/**
 * How long to wait after attempt number `attempt` (1 for the first) failed. `seed` (the subscriber id) picks the
 * jitter, so the same row always gets the same delays and tests are repeatable. The cap applies before the jitter:
 * late retries land between 27 and 33 minutes apart.
 */
export function retryDelayMs(attempt: number, seed: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a whole number ≥ 1, not ${attempt}`);
  const base = Math.min(CAP_MS, FIRST_MS * 2 ** Math.min(attempt - 1, 16));
  return Math.round(base * (1 + JITTER * (2 * unit(seed, attempt) - 1)));
}

export interface NextAttemptOptions {
  /** Attempts made so far, including the one that just failed. */
  attempt: number;
  /** When the first attempt was made, in ms. */
  firstAttemptAt: number;
  /** The clock, in ms: the delay counts from the failure. */
  now: number;
  /** How long after the first attempt retries may still be made (`retry_for_minutes`). */
  retryForMs: number;
  /** The subscriber id, for the jitter. */
  seed: number;
}

/** When to try again, or give up because that would be later than `firstAttemptAt + retryForMs`. */
export function nextAttempt(opts: NextAttemptOptions): { at: number } | { giveUp: true } {
  const at = opts.now + retryDelayMs(opts.attempt, opts.seed);
  return at > opts.firstAttemptAt + opts.retryForMs ? { giveUp: true } : { at };
}
