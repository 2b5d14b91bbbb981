/**
 * A latency histogram with about 1.6 % resolution from 1 µs to hours: values are kept in microseconds, exact below
 * 128 µs, then 64 buckets per doubling. Constant memory, O(1) recording, mergeable across load processes (the
 * counts travel over IPC as [bucket, count] pairs).
 */
const LINEAR = 128;
const SUB_BUCKETS = 64;
const MAX_EXPONENT = 44;
const SIZE = LINEAR + (MAX_EXPONENT - 7 + 1) * SUB_BUCKETS;

export interface HistogramData {
  /** Non-empty buckets as [index, count]. */
  buckets: [number, number][];
  count: number;
  sumMs: number;
  maxMs: number;
}

export interface LatencyStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

function bucketOf(us: number): number {
  if (us < LINEAR) return us < 0 ? 0 : Math.floor(us);
  const exponent = Math.min(MAX_EXPONENT, Math.floor(Math.log2(us)));
  const shift = exponent - 6;
  const mantissa = Math.min(SUB_BUCKETS * 2 - 1, Math.floor(us / 2 ** shift));
  return LINEAR + (exponent - 7) * SUB_BUCKETS + (mantissa - SUB_BUCKETS);
}

/** The upper bound (µs) of a bucket. */
function upperBoundUs(bucket: number): number {
  if (bucket < LINEAR) return bucket + 1;
  const offset = bucket - LINEAR;
  const exponent = Math.floor(offset / SUB_BUCKETS) + 7;
  const mantissa = (offset % SUB_BUCKETS) + SUB_BUCKETS;
  return (mantissa + 1) * 2 ** (exponent - 6);
}

export class Histogram {
  private readonly counts = new Float64Array(SIZE);
  private count = 0;
  private sumMs = 0;
  private maxMs = 0;

  record(ms: number): void {
    this.counts[bucketOf(ms * 1000)]! += 1;
    this.count += 1;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get size(): number {
    return this.count;
  }

  merge(data: HistogramData): void {
    for (const [bucket, n] of data.buckets) this.counts[bucket]! += n;
    this.count += data.count;
    this.sumMs += data.sumMs;
    if (data.maxMs > this.maxMs) this.maxMs = data.maxMs;
  }

  toData(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { buckets, count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  /** The `q` quantile in ms (the upper bound of its bucket, capped at the largest value seen). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.maxMs, upperBoundUs(i) / 1000);
    }
    return this.maxMs;
  }

  stats(): LatencyStats {
    return {
      count: this.count,
      meanMs: this.count === 0 ? 0 : this.sumMs / this.count,
      p50Ms: this.quantile(0.5),
      p90Ms: this.quantile(0.9),
      p99Ms: this.quantile(0.99),
      p999Ms: this.quantile(0.999),
      maxMs: this.maxMs,
    };
  }

  static from(parts: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const part of parts) h.merge(part);
    return h;
  }
}
