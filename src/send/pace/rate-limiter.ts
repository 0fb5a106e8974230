/**
 * How fast the bulk sender may hand messages to one transport: token buckets for the configured caps, and an
 * AIMD (additive increase, multiplicative decrease) per-second rate that backs off when the server complains.
 *
 * Guarantees, for any window of T seconds: at most max(1, perSecond × burstSeconds) + perSecond × T messages
 * (burstSeconds is 0.1 unless set), and at most max(1, perHour / 60) + perHour / 3600 × T; so the long-run rate never
 * exceeds either cap, and a burst never exceeds a tenth of a second's worth (or one minute's share of the hourly cap).
 * And in any hour, at most perHour, counting the messages sent before the limiter started that the caller passes in:
 * the bucket alone would allow a minute's share more, and a provider counting a rolling hour refuses that.
 */

/** A rolling hour, inclusive at both ends: a message sent at t counts until t + HOUR_MS. */
const HOUR_MS = 3_600_000;

/** One bucket: at most `capacity` tokens, refilled continuously at `perMs` tokens a millisecond. */
interface Bucket {
  tokens: number;
  capacity: number;
  perMs: number;
}

/** Refills add floating-point error; a bucket this close to a whole token has it. */
const SLACK = 1e-9;
/** The slowest the per-second rate goes however often the server complains. */
const FLOOR_PER_SECOND = 1;
/** Each success adds this share of the base rate... */
const STEP_SHARE = 0.05;
/** ...per this many successes: from half the cap back to full takes about 1,000 successes. */
const STEP_SUCCESSES = 100;
/**
 * Complaints closer together than this count as one: the messages already in flight were sent at the old rate and
 * tend to be refused together, and halving once for each would collapse the rate for one burst of replies.
 */
const SLOW_DOWN_COOLDOWN_MS = 1000;
/** An uncapped run is uncapped again once its rate reaches this multiple of the speed the server complained at. */
const RELEASE_FACTOR = 2;

const whole = (tokens: number) => Math.max(0, Math.floor(tokens + SLACK));

function cap(name: string, value: number | null): number | null {
  if (value !== null && !(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a number ≥ 0 or null, not ${value}`);
  return value;
}

/** A full bucket, or an empty one that never fills when its rate is 0. */
function bucket(capacity: number, perMs: number): Bucket {
  return { tokens: perMs > 0 ? capacity : 0, capacity, perMs };
}

export interface RateLimiterOptions {
  /** Most messages a second; null for no cap. */
  perSecond: number | null;
  /** Most messages an hour; null for no cap. */
  perHour: number | null;
  /** The clock, in ms. */
  now: number;
  /**
   * How many seconds' worth of the per-second cap may go at once (default 0.1). A whole second's worth would let
   * the first second of a send go at twice the cap, which is what a provider's per-second limit notices.
   */
  burstSeconds?: number;
  /** When the messages of the last hour went (ms), sent before this limiter: they count against the hourly cap. */
  sentBefore?: readonly number[];
}

/** The per-second burst by default: a tenth of a second's worth. */
export const BURST_SECONDS = 0.1;

export class RateLimiter {
  private readonly configured: number | null;
  private readonly floor: number;
  private readonly burstSeconds: number;
  /** The per-second rate in force: the configured one, or less after complaints; null for none. */
  private effective: number | null;
  /** For an uncapped run that was slowed down: the speed the server complained at, which sizes the recovery. */
  private ceiling: number | null = null;
  private second: Bucket | null;
  private readonly hour: Bucket | null;
  private readonly perHour: number | null;
  /** What went in the last hour, oldest first, as (time, count) batches from `head` on; and their total. */
  private readonly sent: { at: number; n: number }[] = [];
  private head = 0;
  private sentInHour = 0;
  private at: number;
  private slowedAt = -Infinity;

  constructor(opts: RateLimiterOptions) {
    this.configured = cap('perSecond', opts.perSecond);
    const perHour = cap('perHour', opts.perHour);
    this.floor = Math.min(FLOOR_PER_SECOND, this.configured ?? FLOOR_PER_SECOND);
    this.burstSeconds = opts.burstSeconds ?? BURST_SECONDS;
    this.effective = this.configured;
    this.second = this.configured === null ? null : bucket(this.burst(this.configured), this.configured / 1000);
    // A minute's share at once (but at least one message, or a small hourly cap could never send).
    this.hour = perHour === null ? null : bucket(Math.max(1, perHour / 60), perHour / 3_600_000);
    this.perHour = perHour;
    this.at = opts.now;
    if (perHour !== null) {
      for (const at of [...(opts.sentBefore ?? [])].sort((a, b) => a - b)) this.record(at, 1);
    }
  }

  /** The per-second rate in force (the configured cap, or less after `slowDown`); null when uncapped. */
  get rate(): number | null {
    return this.effective;
  }

  /** How many of `wanted` messages may go now (0..wanted); they are counted as gone. */
  take(now: number, wanted: number): number {
    this.refill(now);
    let n = wanted > 0 ? Math.floor(wanted) : 0;
    for (const b of this.buckets()) n = Math.min(n, whole(b.tokens));
    if (this.perHour !== null) n = Math.min(n, Math.max(0, Math.floor(this.perHour) - this.inHour(now)));
    for (const b of this.buckets()) b.tokens -= n;
    if (n > 0 && this.perHour !== null) this.record(now, n);
    return n;
  }

  /**
   * Gives back `n` of the last `take`'s messages that did not go after all (the send-wide caps, shared with other
   * workers through the database, granted fewer).
   */
  refund(n: number): void {
    if (!(n > 0)) return;
    for (const b of this.buckets()) b.tokens = Math.min(b.capacity, b.tokens + n);
    if (this.perHour === null) return;
    let left = n;
    for (let i = this.sent.length - 1; i >= this.head && left > 0; i--) {
      const batch = this.sent[i]!;
      const back = Math.min(batch.n, left);
      batch.n -= back;
      left -= back;
      this.sentInHour -= back;
    }
  }

  /** When at least one message may go: `now` if one may already, Infinity if none ever will. */
  nextAt(now: number): number {
    this.refill(now);
    let at = now;
    for (const b of this.buckets()) {
      if (whole(b.tokens) >= 1) continue;
      if (!(b.perMs > 0)) return Infinity;
      let wait = Math.max(0, Math.ceil((1 - SLACK - b.tokens) / b.perMs));
      // Checked with the very arithmetic `refill` does, so `take` at that moment cannot miss by a rounding error.
      while (whole(Math.min(b.capacity, b.tokens + wait * b.perMs)) < 1) wait += 1;
      at = Math.max(at, now + wait);
    }
    return Math.max(at, this.hourFreesAt(now));
  }

  /**
   * The server asked for less traffic: the per-second rate becomes half of the slower of the rate in force and
   * `observedRate` (messages a second the caller measured lately; what counts when uncapped), never below 1/s,
   * and the burst allowance is emptied. A value of `observedRate` that is not a positive number means unknown.
   * Calls within a second of the last halving are ignored.
   */
  slowDown(now: number, observedRate: number): void {
    this.refill(now);
    if (now - this.slowedAt < SLOW_DOWN_COOLDOWN_MS) return;
    this.slowedAt = now;
    const observed = Number.isFinite(observedRate) && observedRate > 0 ? observedRate : Infinity;
    const before = Math.min(this.effective ?? Infinity, observed);
    // Uncapped and no idea how fast it went: all that is known is that it was too fast.
    const next = before === Infinity ? this.floor : Math.max(this.floor, before / 2);
    if (this.configured === null) this.ceiling = Math.max(before === Infinity ? 2 * this.floor : before, this.floor);
    this.setRate(next);
    if (this.second) this.second.tokens = Math.min(this.second.tokens, 0);
  }

  /**
   * One message was accepted: the per-second rate grows by 5% of the base rate per 100 successes, up to the
   * configured cap. The base is the configured cap, or when uncapped the speed the server complained at; an
   * uncapped run is uncapped again once it reaches twice that speed.
   */
  speedUp(now: number): void {
    this.refill(now);
    if (this.effective === null) return;
    const base = this.configured ?? this.ceiling ?? this.floor;
    const next = this.effective + (base * STEP_SHARE) / STEP_SUCCESSES;
    if (this.configured !== null) this.setRate(Math.min(this.configured, next));
    else if (next >= RELEASE_FACTOR * base) {
      this.effective = null;
      this.ceiling = null;
      this.second = null;
    } else this.setRate(next);
  }

  /** The per-second bucket's size at a rate: the burst, and at least one message. */
  private burst(perSecond: number): number {
    return Math.max(1, perSecond * this.burstSeconds);
  }

  private setRate(perSecond: number): void {
    this.effective = perSecond;
    const capacity = this.burst(perSecond);
    if (!this.second) this.second = { tokens: 0, capacity, perMs: perSecond / 1000 };
    this.second.capacity = capacity;
    this.second.perMs = perSecond / 1000;
    this.second.tokens = Math.min(this.second.tokens, capacity);
  }

  private refill(now: number): void {
    const elapsed = now - this.at;
    // A clock that steps back refills nothing (and `at` stays put, so nothing is refilled twice later).
    if (!(elapsed > 0)) return;
    this.at = now;
    for (const b of this.buckets()) b.tokens = Math.min(b.capacity, b.tokens + elapsed * b.perMs);
  }

  /** Messages sent within the hour up to `now`; older ones are forgotten. */
  private inHour(now: number): number {
    while (this.head < this.sent.length && this.sent[this.head]!.at < now - HOUR_MS) this.sentInHour -= this.sent[this.head++]!.n;
    // Forgotten batches are dropped now and then, so the list stays about an hour long.
    if (this.head > 1024 && this.head * 2 > this.sent.length) {
      this.sent.splice(0, this.head);
      this.head = 0;
    }
    return this.sentInHour;
  }

  /** When the hour has room for one more message again: `now` when it has, else when enough of it has aged out. */
  private hourFreesAt(now: number): number {
    if (this.perHour === null) return now;
    const cap = Math.floor(this.perHour);
    let over = this.inHour(now) - cap + 1;
    if (over <= 0) return now;
    if (cap <= 0) return Infinity;
    for (let i = this.head; i < this.sent.length; i++) {
      over -= this.sent[i]!.n;
      if (over <= 0) return Math.max(now, this.sent[i]!.at + HOUR_MS + 1);
    }
    return Infinity;
  }

  private record(time: number, n: number): void {
    const last = this.sent[this.sent.length - 1];
    // Kept in order even if the clock steps back, so ageing out stays a walk from the front.
    const at = last ? Math.max(time, last.at) : time;
    if (last && last.at === at) last.n += n;
    else this.sent.push({ at, n });
    this.sentInHour += n;
  }

  private buckets(): Bucket[] {
    const list: Bucket[] = [];
    if (this.second) list.push(this.second);
    if (this.hour) list.push(this.hour);
    return list;
  }
}
