/**
 * The public server's per-client request limit (not the send pace, which is send/pace/rate-limiter.ts).
 *
 * Fixed-window counters in memory: at most `limit` hits per key in each window. Old windows are dropped as new ones
 * start, so a flood of distinct keys cannot grow the map without bound.
 */
export class ClientRateLimit {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a hit; false when the key is over its limit for this window. */
  hit(key: string, now: number): boolean {
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.limit;
  }
}
