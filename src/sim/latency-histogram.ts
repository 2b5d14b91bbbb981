/** Buckets per doubling of the latency: percentiles come out within about 9 %. */
const STEPS_PER_DOUBLING = 8;
const BUCKETS = 256;

/** Summary of recorded latencies, in milliseconds (0 when nothing was recorded). */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** A fixed-size logarithmic histogram: constant memory and O(1) recording, for millions of calls. */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private count = 0;
  private sum = 0;
  private max = 0;

  record(ms: number): void {
    const bucket = ms < 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(ms) * STEPS_PER_DOUBLING) + 1);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      mean: this.count === 0 ? 0 : this.sum / this.count,
      p50: this.percentile(0.5),
      p95: this.percentile(0.95),
      p99: this.percentile(0.99),
      max: this.max,
    };
  }

  /** The upper bound of the bucket holding the `q` quantile, capped at the largest value seen. */
  private percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket] ?? 0;
      if (seen >= rank) return Math.min(this.max, bucket === 0 ? 1 : 2 ** (bucket / STEPS_PER_DOUBLING));
    }
    return this.max;
  }
}
