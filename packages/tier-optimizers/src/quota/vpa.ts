/*
 * The Vertical Pod Autoscaler recommender's arithmetic (kubernetes/autoscaler,
 * vertical-pod-autoscaler/pkg/recommender, commit 55c37cd5eb550756c5ccc5a89e9068d77797e575),
 * reorganised for speed on regular sample grids but computing the same floating-point operations
 * in the same order, so that its percentiles and bounds equal VPA's on the same samples. The
 * test-only oracle (test-support/vpa-oracle.ts) is the line-by-line transcription this file is
 * checked against.
 *
 * What is reorganised, and why it changes no result:
 * - CPU sample weights `0.1 × 2^((t − ref) / halfLife)` depend only on the timestamps, so they are
 *   computed once per (start, step, length) grid and shared by every namespace on that grid; the
 *   reference-timestamp shifts (every 100 half-lives) are found from the timestamps alone and
 *   replayed at the same sample as VPA would.
 * - The CPU bucket of a sample depends only on its whole millicores (VPA's ResourceAmount), so the
 *   bucket of each millicore value up to 1,000 cores is computed once with VPA's own `FindBucket`
 *   formula (the same Math.log calls) and kept in a table; values above it use the formula.
 * - Memory goes through the same peak-per-interval logic as model/container.go (subtract the old
 *   peak, add the new one), which only touches the histogram when a daily peak rises; samples are
 *   scanned interval by interval, and the decay factor of an interval's end is computed once.
 */

/** Go's zero `time.Time` (0001-01-01 00:00:00 UTC) in milliseconds since the Unix epoch. */
const goZeroTimeMs = -62_135_596_800_000;
/** `float64(math.MaxInt64)`: 2^63 (int64's largest value rounds up to it). */
const maxInt64 = 2 ** 63;
const minInt64 = -(2 ** 63);

/** VPA's `MaxResourceAmount`: 1e14 millicores or bytes. */
export const maxResourceAmount = 1e14;
/** `minSampleWeight`: the weight of every CPU sample before decay. */
const minSampleWeight = 0.1;
/** `epsilon = 0.001 * minSampleWeight` (an exact Go constant: the double nearest 1e-4). */
const epsilon = 1e-4;
/** `maxDecayExponent`: the reference timestamp moves when a weight would exceed 2^100. */
const maxDecayExponent = 100;
const bucketRatio = 1 + 0.05;

/** An exponential bucket scheme (histogram_options.go). */
interface BucketScheme {
  readonly numBuckets: number;
  readonly firstBucketSize: number;
  readonly ratio: number;
  /** Start of each bucket, `GetBucketStart`. */
  readonly starts: Float64Array;
}

function exponentialScheme(maxValue: number, firstBucketSize: number, ratio: number): BucketScheme {
  const numBuckets =
    Math.trunc(Math.ceil(Math.log((maxValue * (ratio - 1)) / firstBucketSize + 1) / Math.log(ratio))) + 1;
  const starts = new Float64Array(numBuckets);
  for (let b = 1; b < numBuckets; b++) starts[b] = (firstBucketSize * (ratio ** b - 1)) / (ratio - 1);
  return { numBuckets, firstBucketSize, ratio, starts };
}

/** CPU: first bucket 0.01 core, ratio 1.05, up to 1000 cores (176 buckets). */
export const cpuScheme = exponentialScheme(1000.0, 0.01, bucketRatio);
/** Memory: first bucket 1e7 bytes, ratio 1.05, up to 1e12 bytes (176 buckets). */
export const memoryScheme = exponentialScheme(1e12, 1e7, bucketRatio);

/** `FindBucket`, exactly as VPA computes it. */
function findBucket(scheme: BucketScheme, value: number): number {
  if (value < scheme.firstBucketSize) return 0;
  const bucket = Math.trunc(
    Math.log((value * (scheme.ratio - 1)) / scheme.firstBucketSize + 1) / Math.log(scheme.ratio),
  );
  return bucket >= scheme.numBuckets ? scheme.numBuckets - 1 : bucket;
}

/** Millicores covered by the CPU bucket table: 0 … 1,000,000 (1000 cores, the last bucket's start). */
const cpuTableMillicores = 1_000_000;
/** A table entry not computed yet (buckets are 0 … 175). */
const unknownBucket = 255;
let cpuBucketTable: Uint8Array | undefined;

/**
 * The CPU bucket of each whole millicore value up to 1000 cores, filled on first use of each value
 * with VPA's own formula (so only the values a caller's samples take are ever computed).
 */
function cpuBuckets(): Uint8Array {
  if (cpuBucketTable === undefined)
    cpuBucketTable = new Uint8Array(cpuTableMillicores + 1).fill(unknownBucket);
  return cpuBucketTable;
}

/** `float64(a.Sub(b))`: nanoseconds, saturated to int64 as `time.Time.Sub` does. */
function subNs(aMs: number, bMs: number): number {
  const ns = (aMs - bMs) * 1e6;
  return Math.min(Math.max(ns, minInt64), maxInt64);
}

/** `t.Round(d)`: the nearest multiple of d since Go's zero time, halves up. */
function roundTime(tMs: number, dMs: number): number {
  const r = (tMs - goZeroTimeMs) % dMs;
  return r + r < dMs ? tMs - r : tMs + (dMs - r);
}

/** `math.Ldexp(1, e)`. */
function ldexp1(exponent: number): number {
  return exponent < -1074 ? 0 : 2 ** exponent;
}

/** `resourceAmountFromFloat`: truncated to an integer, clamped to [0, 1e14]. */
export function resourceAmount(amount: number): number {
  if (amount > maxResourceAmount) return maxResourceAmount;
  return amount < 0 ? 0 : Math.trunc(amount);
}

/** A decaying histogram (histogram.go + decaying_histogram.go) over typed arrays. */
class DecayingHistogram {
  readonly weights: Float64Array;
  totalWeight = 0;
  minBucket: number;
  maxBucket = 0;
  referenceMs = goZeroTimeMs;

  constructor(
    readonly scheme: BucketScheme,
    readonly halfLifeMs: number,
  ) {
    this.weights = new Float64Array(scheme.numBuckets);
    this.minBucket = scheme.numBuckets - 1;
  }

  add(bucket: number, weight: number): void {
    this.weights[bucket]! += weight;
    const w = this.weights[bucket]!;
    this.totalWeight += weight;
    if (bucket < this.minBucket && w >= epsilon) this.minBucket = bucket;
    if (bucket > this.maxBucket && w >= epsilon) this.maxBucket = bucket;
  }

  subtract(bucket: number, weight: number): void {
    const total = this.totalWeight - weight;
    this.totalWeight = total < epsilon ? 0 : total;
    const w = this.weights[bucket]! - weight;
    this.weights[bucket] = w < epsilon ? 0 : w;
    this.updateMinAndMax();
  }

  updateMinAndMax(): void {
    const last = this.scheme.numBuckets - 1;
    while (this.weights[this.minBucket]! < epsilon && this.minBucket < last) this.minBucket++;
    while (this.weights[this.maxBucket]! < epsilon && this.maxBucket > 0) this.maxBucket--;
  }

  scale(factor: number): void {
    for (let b = this.minBucket; b <= this.maxBucket; b++) this.weights[b]! *= factor;
    this.totalWeight *= factor;
    this.updateMinAndMax();
  }

  shiftReference(newReferenceMs: number): void {
    const rounded = roundTime(newReferenceMs, this.halfLifeMs);
    const exponent = Math.floor(subNs(this.referenceMs, rounded) / (this.halfLifeMs * 1e6) + 0.5);
    this.scale(ldexp1(exponent));
    this.referenceMs = rounded;
  }

  decayFactor(timeMs: number): number {
    if (timeMs > this.referenceMs + this.halfLifeMs * maxDecayExponent) this.shiftReference(timeMs);
    return 2 ** (subNs(timeMs, this.referenceMs) / (this.halfLifeMs * 1e6));
  }

  isEmpty(): boolean {
    return this.weights[this.minBucket]! < epsilon;
  }

  /** `Percentile`: the end of the bucket where the cumulative weight reaches p × total (bucket-based). */
  percentile(p: number): number {
    if (this.isEmpty()) return 0;
    let partialSum = 0;
    const threshold = p * this.totalWeight;
    let bucket = this.minBucket;
    for (; bucket < this.maxBucket; bucket++) {
      partialSum += this.weights[bucket]!;
      if (partialSum >= threshold) break;
    }
    const last = this.scheme.numBuckets - 1;
    return bucket < last ? this.scheme.starts[bucket + 1]! : this.scheme.starts[bucket]!;
  }
}

/** The CPU weights of one sample grid, and where VPA moves its reference timestamp. */
interface CpuGrid {
  /** `0.1 × 2^((t_i − ref) / halfLife)`, per sample. */
  readonly weights: Float64Array;
  /** Sample indices before whose weight VPA shifts the reference (scaling the histogram). */
  readonly shiftAt: readonly number[];
  /** The scale factor of each shift (2^exponent). */
  readonly shiftFactor: readonly number[];
}

/** Computes the CPU weights of a regular grid (decaying_histogram.go, replayed on timestamps only). */
function cpuGrid(startMs: number, stepMs: number, length: number, halfLifeMs: number): CpuGrid {
  const weights = new Float64Array(length);
  const shiftAt: number[] = [];
  const shiftFactor: number[] = [];
  let referenceMs = goZeroTimeMs;
  let first = true;
  for (let i = 0; i < length; i++) {
    const t = startMs + i * stepMs;
    if (t > referenceMs + halfLifeMs * maxDecayExponent) {
      const rounded = roundTime(t, halfLifeMs);
      const exponent = Math.floor(subNs(referenceMs, rounded) / (halfLifeMs * 1e6) + 0.5);
      // The first shift, from Go's zero time, scales an empty histogram: nothing to replay.
      if (!first) {
        shiftAt.push(i);
        shiftFactor.push(ldexp1(exponent));
      }
      referenceMs = rounded;
    }
    first = false;
    weights[i] = minSampleWeight * 2 ** (subNs(t, referenceMs) / (halfLifeMs * 1e6));
  }
  return { weights, shiftAt, shiftFactor };
}

/** VPA's recommendation settings (config/config.go defaults; aggregations_config.go half-lives). */
export interface VpaRecommenderConfig {
  /** Percentile of CPU usage for the target. @default 0.9 */
  readonly targetCpuPercentile: number;
  /** Percentile of CPU usage for the lower bound. @default 0.5 */
  readonly lowerBoundCpuPercentile: number;
  /** Percentile of CPU usage for the upper bound. @default 0.95 */
  readonly upperBoundCpuPercentile: number;
  /** Percentile of daily memory peaks for the target. @default 0.9 */
  readonly targetMemoryPercentile: number;
  /** Percentile of daily memory peaks for the lower bound. @default 0.5 */
  readonly lowerBoundMemoryPercentile: number;
  /** Percentile of daily memory peaks for the upper bound. @default 0.95 */
  readonly upperBoundMemoryPercentile: number;
  /** Fraction added to every estimate (`recommendation-margin-fraction`). @default 0.15 */
  readonly safetyMarginFraction: number;
  /** Least CPU recommended, millicores (`pod-recommendation-min-cpu-millicores`). @default 25 */
  readonly podMinCpuMillicores: number;
  /** Least memory recommended, MiB (`pod-recommendation-min-memory-mb`, VPA multiplies by 1024²). @default 250 */
  readonly podMinMemoryMb: number;
  /** History that counts as one unit of confidence for CPU (`confidence-interval-cpu`), ms. @default 86_400_000 */
  readonly confidenceIntervalCpuMs: number;
  /** Same for memory (`confidence-interval-memory`), ms. @default 86_400_000 */
  readonly confidenceIntervalMemoryMs: number;
  /** Half-life of CPU sample weights (`cpu-histogram-decay-half-life`), ms. @default 86_400_000 */
  readonly cpuHistogramDecayHalfLifeMs: number;
  /** Half-life of memory peak weights (`memory-histogram-decay-half-life`), ms. @default 86_400_000 */
  readonly memoryHistogramDecayHalfLifeMs: number;
  /** Interval over which one memory peak is kept (`memory-aggregation-interval`), ms. @default 86_400_000 */
  readonly memoryAggregationIntervalMs: number;
}

/** VPA's defaults at the transcribed commit. */
export const defaultVpaRecommenderConfig: VpaRecommenderConfig = Object.freeze({
  targetCpuPercentile: 0.9,
  lowerBoundCpuPercentile: 0.5,
  upperBoundCpuPercentile: 0.95,
  targetMemoryPercentile: 0.9,
  lowerBoundMemoryPercentile: 0.5,
  upperBoundMemoryPercentile: 0.95,
  safetyMarginFraction: 0.15,
  podMinCpuMillicores: 25,
  podMinMemoryMb: 250,
  confidenceIntervalCpuMs: 86_400_000,
  confidenceIntervalMemoryMs: 86_400_000,
  cpuHistogramDecayHalfLifeMs: 86_400_000,
  memoryHistogramDecayHalfLifeMs: 86_400_000,
  memoryAggregationIntervalMs: 86_400_000,
});

/** One resource's VPA recommendation and the histogram values it came from. */
export interface VpaResourceEstimate {
  /** Histogram value at the lower-bound percentile (the end of its bucket), cores or bytes. */
  readonly lowerBoundPercentile: number;
  /** Histogram value at the target percentile, cores or bytes. */
  readonly targetPercentile: number;
  /** Histogram value at the upper-bound percentile, cores or bytes. */
  readonly upperBoundPercentile: number;
  /** VPA's lower bound: percentile + margin, × (1 + 0.001/confidence)^−2, at least the floor. Millicores or bytes. */
  readonly lowerBound: number;
  /** VPA's target: percentile + margin, at least the floor. Millicores or bytes. */
  readonly target: number;
  /** VPA's upper bound: percentile + margin, × (1 + 1/confidence), at least the floor. Millicores or bytes. */
  readonly upperBound: number;
  /**
   * The upper-bound percentile + margin, at least the floor, WITHOUT VPA's confidence multiplier:
   * what the upper bound settles to once the history is long. Millicores or bytes. Not VPA's; the
   * HPA's target utilisation is read against it, so that it does not follow the history's length.
   */
  readonly upperBoundWithoutConfidence: number;
  /** The floor: the pod minimum in millicores or bytes. */
  readonly floor: number;
  /** `(1 + 0.001/confidence)^−2`. */
  readonly lowerBoundMultiplier: number;
  /** `1 + 1/confidence` (Infinity with a single sample, as in VPA). */
  readonly upperBoundMultiplier: number;
  /** VPA's confidence: min(history / interval, samples / interval in minutes). */
  readonly confidence: number;
}

/** What VPA's recommender computes for one stream of samples, plus the figures the plan explains. */
export interface VpaEstimate {
  readonly cpu: VpaResourceEstimate;
  readonly memory: VpaResourceEstimate;
  /** CPU samples aggregated (every sample). */
  readonly samples: number;
  /** Memory peaks kept (one per aggregation interval that saw a sample). */
  readonly memoryPeaks: number;
  /** Mean CPU usage, cores. */
  readonly meanCpuCores: number;
  /** Mean memory usage, bytes. */
  readonly meanMemoryBytes: number;
  /** Highest CPU sample, cores. */
  readonly maxCpuCores: number;
  /** Highest memory sample, bytes. */
  readonly maxMemoryBytes: number;
}

/** Thrown through to the caller with the offending index; the caller names the field. */
export class SampleError {
  constructor(
    readonly series: "cpuCores" | "memoryBytes",
    readonly index: number,
    readonly value: number,
  ) {}
}

/** A grid cache for one call: namespaces sampled on the same grid share the CPU weights. */
export type CpuGridCache = Map<string, CpuGrid>;

/**
 * VPA's recommendation for one usage stream on a regular grid: sample i at `startMs + i × stepMs`.
 * Throws {@link SampleError} for a negative, NaN or infinite sample.
 */
export function estimateVpa(
  startMs: number,
  stepMs: number,
  cpuCores: ArrayLike<number>,
  memoryBytes: ArrayLike<number>,
  config: VpaRecommenderConfig,
  cache: CpuGridCache,
): VpaEstimate {
  const n = cpuCores.length;
  // ---- CPU: every sample, weight 0.1 × decay.
  const key = `${startMs}:${stepMs}:${n}:${config.cpuHistogramDecayHalfLifeMs}`;
  let grid = cache.get(key);
  if (grid === undefined) {
    grid = cpuGrid(startMs, stepMs, n, config.cpuHistogramDecayHalfLifeMs);
    cache.set(key, grid);
  }
  const cpu = new DecayingHistogram(cpuScheme, config.cpuHistogramDecayHalfLifeMs);
  const cpuStats: RangeStats = { sum: 0, max: 0 };
  let from = 0;
  for (let shift = 0; shift <= grid.shiftAt.length; shift++) {
    const to = shift < grid.shiftAt.length ? grid.shiftAt[shift]! : n;
    const bad = addCpuRange(cpu, cpuCores, grid.weights, from, to, cpuStats);
    if (bad >= 0) throw new SampleError("cpuCores", bad, cpuCores[bad]!);
    if (shift < grid.shiftAt.length) cpu.scale(grid.shiftFactor[shift]!);
    from = to;
  }

  // ---- Memory: one peak per aggregation interval (model/container.go addMemorySample).
  const memory = new DecayingHistogram(memoryScheme, config.memoryHistogramDecayHalfLifeMs);
  const memoryStats: RangeStats = { sum: 0, max: 0 };
  const interval = config.memoryAggregationIntervalMs;
  let windowEnd = startMs;
  let peaks = 0;
  for (let i = 0; i < n; ) {
    // Sample i is at or after the window's end: the window moves on and its first sample is the peak.
    const v = memoryBytes[i]!;
    if (typeof v !== "number" || !(v >= 0 && v < Number.POSITIVE_INFINITY))
      throw new SampleError("memoryBytes", i, v);
    memoryStats.sum += v;
    if (v > memoryStats.max) memoryStats.max = v;
    const elapsed = startMs + i * stepMs - windowEnd;
    windowEnd += elapsed - (elapsed % interval) + interval;
    const usage = resourceAmount(v);
    // Every later peak of this interval is weighted at the same time (its end), after this call
    // has moved the reference if it had to: the same factor, computed once.
    const weight = 1.0 * memory.decayFactor(windowEnd);
    memory.add(findBucket(memoryScheme, usage), weight);
    peaks++;
    // The samples before the window's end: the first index at or after it.
    let end = Math.min(n, Math.max(i + 1, Math.ceil((windowEnd - startMs) / stepMs)));
    while (end > i + 1 && startMs + (end - 1) * stepMs >= windowEnd) end--;
    while (end < n && startMs + end * stepMs < windowEnd) end++;
    const bad = addMemoryRange(memory, memoryBytes, i + 1, end, usage, weight, memoryStats);
    if (bad >= 0) throw new SampleError("memoryBytes", bad, memoryBytes[bad]!);
    i = end;
  }
  const cpuSum = cpuStats.sum;
  const cpuMax = cpuStats.max;
  const memorySum = memoryStats.sum;
  const memoryMax = memoryStats.max;

  // ---- The recommender (logic/recommender.go, estimator.go) for a pod of one container.
  const firstMs = startMs;
  const lastMs = startMs + (n - 1) * stepMs;
  const confidenceOf = (intervalMs: number): number =>
    Math.min(subNs(lastMs, firstMs) / (intervalMs * 1e6), n / durationMinutes(intervalMs));
  const minCpu = resourceAmount(resourceAmount(config.podMinCpuMillicores * 0.001 * 1000.0) * 1.0);
  const minMemory = resourceAmount(resourceAmount(config.podMinMemoryMb * 1024 * 1024) * 1.0);
  const resource = (
    histogram: DecayingHistogram,
    toAmount: (x: number) => number,
    lowerP: number,
    targetP: number,
    upperP: number,
    intervalMs: number,
    floor: number,
  ): VpaResourceEstimate => {
    const withMargin = (p: number): number => {
      const base = toAmount(p);
      return base + resourceAmount(base * config.safetyMarginFraction);
    };
    const confidence = confidenceOf(intervalMs);
    const lowerBoundPercentile = histogram.percentile(lowerP);
    const targetPercentile = histogram.percentile(targetP);
    const upperBoundPercentile = histogram.percentile(upperP);
    const upperBoundMultiplier = (1 + 1.0 / confidence) ** 1.0;
    const lowerBoundMultiplier = (1 + 0.001 / confidence) ** -2.0;
    return {
      lowerBoundPercentile,
      targetPercentile,
      upperBoundPercentile,
      lowerBound: Math.max(resourceAmount(withMargin(lowerBoundPercentile) * lowerBoundMultiplier), floor),
      target: Math.max(withMargin(targetPercentile), floor),
      upperBound: Math.max(resourceAmount(withMargin(upperBoundPercentile) * upperBoundMultiplier), floor),
      upperBoundWithoutConfidence: Math.max(withMargin(upperBoundPercentile), floor),
      floor,
      lowerBoundMultiplier,
      upperBoundMultiplier,
      confidence,
    };
  };
  return {
    cpu: resource(
      cpu,
      (cores) => resourceAmount(cores * 1000.0),
      config.lowerBoundCpuPercentile,
      config.targetCpuPercentile,
      config.upperBoundCpuPercentile,
      config.confidenceIntervalCpuMs,
      minCpu,
    ),
    memory: resource(
      memory,
      resourceAmount,
      config.lowerBoundMemoryPercentile,
      config.targetMemoryPercentile,
      config.upperBoundMemoryPercentile,
      config.confidenceIntervalMemoryMs,
      minMemory,
    ),
    samples: n,
    memoryPeaks: peaks,
    meanCpuCores: cpuSum / n,
    meanMemoryBytes: memorySum / n,
    maxCpuCores: cpuMax,
    maxMemoryBytes: memoryMax,
  };
}

/** Running sum and maximum of a series. */
interface RangeStats {
  sum: number;
  max: number;
}

/**
 * Adds CPU samples [from, to) with their precomputed weights (histogram.go AddSample, in order).
 * Returns the index of the first bad sample (negative, NaN, infinite), or -1.
 */
function addCpuRange(
  histogram: DecayingHistogram,
  values: ArrayLike<number>,
  weights: Float64Array,
  from: number,
  to: number,
  stats: RangeStats,
): number {
  const table = cpuBuckets();
  const bucketWeights = histogram.weights;
  let total = histogram.totalWeight;
  let minBucket = histogram.minBucket;
  let maxBucket = histogram.maxBucket;
  let sum = stats.sum;
  let max = stats.max;
  let bad = -1;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (typeof v !== "number" || !(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      bad = i;
      break;
    }
    sum += v;
    if (v > max) max = v;
    // CPUAmountFromCores then CoresFromCPUAmount: whole millicores, as VPA stores usage.
    const scaled = v * 1000.0;
    let bucket: number;
    if (scaled <= cpuTableMillicores) {
      const millicores = Math.trunc(scaled);
      bucket = table[millicores]!;
      if (bucket === unknownBucket) {
        bucket = findBucket(cpuScheme, millicores / 1000.0);
        table[millicores] = bucket;
      }
    } else {
      bucket = findBucket(cpuScheme, resourceAmount(scaled) / 1000.0);
    }
    const weight = weights[i]!;
    bucketWeights[bucket]! += weight;
    total += weight;
    if (bucket < minBucket && bucketWeights[bucket]! >= epsilon) minBucket = bucket;
    if (bucket > maxBucket && bucketWeights[bucket]! >= epsilon) maxBucket = bucket;
  }
  histogram.totalWeight = total;
  histogram.minBucket = minBucket;
  histogram.maxBucket = maxBucket;
  stats.sum = sum;
  stats.max = max;
  return bad;
}

/**
 * Memory samples [from, to) inside one aggregation interval whose peak is `peak` (container.go):
 * a higher sample replaces the peak (subtract the old, add the new, both weighted at the interval's
 * end: `weight`), unless the peak is 0. Returns the index of the first bad sample, or -1.
 */
function addMemoryRange(
  histogram: DecayingHistogram,
  values: ArrayLike<number>,
  from: number,
  to: number,
  peak: number,
  weight: number,
  stats: RangeStats,
): number {
  let sum = stats.sum;
  let max = stats.max;
  let bad = -1;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (typeof v !== "number" || !(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      bad = i;
      break;
    }
    sum += v;
    if (v > max) max = v;
    // trunc(v) > peak, for a whole-number peak, is v >= peak + 1.
    if (peak !== 0 && v >= peak + 1) {
      const usage = resourceAmount(v);
      if (usage > peak) {
        histogram.subtract(findBucket(memoryScheme, peak), weight);
        histogram.add(findBucket(memoryScheme, usage), weight);
        peak = usage;
      }
    }
  }
  stats.sum = sum;
  stats.max = max;
  return bad;
}

/** `time.Duration.Minutes()`. */
function durationMinutes(ms: number): number {
  const ns = ms * 1e6;
  const minute = 60e9;
  return Math.trunc(ns / minute) + (ns % minute) / minute;
}
