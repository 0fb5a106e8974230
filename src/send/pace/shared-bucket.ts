/**
 * The send-wide rate caps, kept in the database so that every worker of one send, on any host, draws from the same
 * buckets: `sending.rate_per_second` and `rate_per_hour` hold for the whole send, not per process. The arithmetic is
 * the local limiter's (rate-limiter.ts): a bucket of max(1, perSecond × 0.1) tokens refilled at perSecond, and one
 * of max(1, perHour / 60) refilled at perHour / 3600; so in any window of T seconds all workers together send at
 * most the burst plus perSecond × T. Pure: the engines (sqlite-pacer.ts, pg/pg-pacer.ts) store the state and lock it.
 */

export interface SendCaps {
  perSecond: number | null;
  perHour: number | null;
}

/** One bucket's stored state: its tokens at time `at` (ms). */
export interface BucketState {
  tokens: number;
  at: number;
}

export type CapName = 'second' | 'hour';

/** What a take decided: how many may go now, when one more may (ms; Infinity never), and the buckets to store. */
export interface PaceDecision {
  granted: number;
  nextAt: number;
  states: Partial<Record<CapName, BucketState>>;
}

const SLACK = 1e-9;
const BURST_SECONDS = 0.1;

function shape(cap: CapName, rate: number): { capacity: number; perMs: number } {
  return cap === 'second' ? { capacity: Math.max(1, rate * BURST_SECONDS), perMs: rate / 1000 } : { capacity: Math.max(1, rate / 60), perMs: rate / 3_600_000 };
}

/** The caps that are set, with their rates. */
export function capsInForce(caps: SendCaps): [CapName, number][] {
  const list: [CapName, number][] = [];
  if (caps.perSecond !== null) list.push(['second', caps.perSecond]);
  if (caps.perHour !== null) list.push(['hour', caps.perHour]);
  return list;
}

/** Takes up to `wanted` tokens from every bucket in force at `now`; a bucket never stored starts full. */
export function takeShared(caps: SendCaps, stored: Partial<Record<CapName, BucketState>>, wanted: number, now: number): PaceDecision {
  const inForce = capsInForce(caps);
  let granted = Math.max(0, Math.floor(wanted));
  const refilled = inForce.map(([cap, rate]) => {
    const { capacity, perMs } = shape(cap, rate);
    const before = stored[cap];
    // A clock that stepped back refills nothing rather than draining the bucket.
    const tokens = before === undefined ? (perMs > 0 ? capacity : 0) : Math.min(capacity, before.tokens + Math.max(0, now - before.at) * perMs);
    granted = Math.min(granted, Math.max(0, Math.floor(tokens + SLACK)));
    return { cap, capacity, perMs, tokens };
  });
  const states: Partial<Record<CapName, BucketState>> = {};
  let nextAt = now;
  for (const b of refilled) {
    const left = b.tokens - granted;
    states[b.cap] = { tokens: left, at: now };
    if (Math.floor(left + SLACK) >= 1) continue;
    if (!(b.perMs > 0)) nextAt = Infinity;
    else nextAt = Math.max(nextAt, now + Math.ceil((1 - left) / b.perMs));
  }
  return { granted, nextAt, states };
}
