/**
 * Token buckets, one per client (API key id, or address without keys): `rate` requests a
 * second on average, `burst` at once. Per process: with `--workers N` each worker keeps its
 * own buckets, so a client spread over N workers may get up to N times the rate.
 */

/** Buckets kept at most; beyond it, full ones (indistinguishable from new ones) are dropped. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  readonly capacity: number;

  constructor(
    /** Requests per second (> 0). */
    readonly rate: number,
    burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = burst > 0 ? burst : Math.max(1, rate);
  }

  /** Takes a token for `id`: 0 when the request may go, else the seconds until it may (at least 1). */
  take(id: string): number {
    const t = this.now();
    let b = this.buckets.get(id);
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.sweep(t);
      b = { tokens: this.capacity, at: t };
      this.buckets.set(id, b);
    } else {
      b.tokens = Math.min(this.capacity, b.tokens + ((t - b.at) / 1000) * this.rate);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rate));
  }

  private sweep(t: number): void {
    for (const [id, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.rate >= this.capacity) this.buckets.delete(id);
    }
    // Still full of busy clients: forget the oldest (it gets a full bucket back, a bounded gift).
    while (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
