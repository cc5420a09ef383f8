/*
 * TEST-ONLY ORACLE: a line-by-line transcription of the Kubernetes Vertical Pod Autoscaler's
 * recommender into TypeScript, so that `sizeTenantQuota`'s optimised histograms can be checked
 * against what VPA computes on the same samples. Nothing in the package imports this file.
 *
 * Source: github.com/kubernetes/autoscaler, commit 55c37cd5eb550756c5ccc5a89e9068d77797e575
 * (2026-08-22), under vertical-pod-autoscaler/pkg/recommender/ (Apache-2.0, © The Kubernetes
 * Authors):
 * - util/histogram_options.go      exponential (and linear) bucket schemes
 * - util/histogram.go              bucket weights, epsilon, Percentile (bucket end), scale
 * - util/decaying_histogram.go     2^((t − ref) / halfLife) weights, reference-timestamp shifting
 * - model/aggregations_config.go   CPU 0.01 core × 1.05 up to 1000 cores; memory 1e7 B × 1.05 up
 *                                  to 1e12 B; epsilon = 0.001 × minSampleWeight; half-lives 24 h
 * - model/aggregate_container_state.go  CPU samples weighted minSampleWeight (0.1) — since
 *                                  ca812b36a3 (2025-02-10) no longer the CPU request; memory peaks
 *                                  weighted 1.0; first/last sample and count from CPU samples
 * - model/container.go             one memory peak per aggregation interval (24 h): a higher
 *                                  sample subtracts the old peak and adds the new one, timestamped
 *                                  at the interval's end
 * - model/types.go                 ResourceAmount (int64 millicores / bytes, truncated, clamped
 *                                  to [0, 1e14]), ScaleResource
 * - logic/estimator.go, logic/recommender.go  percentile → margin → confidence multiplier
 *                                  (upper: (1 + 1/c)^1, lower: (1 + 0.001/c)^−2) → min resources
 * - config/config.go               defaults: p90 target, p50 lower, p95 upper, margin 0.15,
 *                                  25 millicores and 250 MiB per pod, confidence intervals 24 h
 *
 * Left out because they cannot change a recommendation: quality metrics (`observeQualityMetrics`,
 * Prometheus side effects), `Equals`/`String`, checkpoints (save/load), OOM events (`RecordOOM`:
 * the package takes no OOM events), the recommender's post-processors (capping to a VPA's
 * min/maxAllowed or a LimitRange, integer CPU) and resource-policy plumbing.
 *
 * Go → TypeScript: `time.Time` becomes milliseconds since the Unix epoch (Go's zero time is
 * `goZeroTimeMs`); a `time.Duration` (int64 nanoseconds, saturating in `Sub`) is computed as
 * milliseconds × 1e6 and clamped to the int64 range, then used as a float64 exactly as Go does;
 * `int(x)` truncates; Go's untyped constant `0.001 * minSampleWeight` is the float64 nearest 1e-4.
 * The libm functions (math.Log, math.Exp2, math.Pow) are JavaScript's Math.log and Math.pow: Go's
 * pure-Go ports and V8's may differ in the last bit on rare inputs, which could move a sample
 * across a bucket boundary or a truncation; the property tests compare this oracle and the package
 * under the same JavaScript functions, which is the claim they can check.
 */

/** The commit transcribed. */
export const vpaCommit = "55c37cd5eb550756c5ccc5a89e9068d77797e575";

/** Go's zero `time.Time` (0001-01-01 00:00:00 UTC) in milliseconds since the Unix epoch. */
export const goZeroTimeMs = -62_135_596_800_000;

/** `float64(math.MaxInt64)`: 2^63 (int64's largest value rounds up to it). */
const maxInt64 = 2 ** 63;
const minInt64 = -(2 ** 63);

/** `float64(a.Sub(b))`: nanoseconds, saturated to the int64 range as `time.Time.Sub` does. */
function subNs(aMs: number, bMs: number): number {
  const ns = (aMs - bMs) * 1e6;
  if (ns > maxInt64) return maxInt64;
  if (ns < minInt64) return minInt64;
  return ns;
}

/** `t.Round(d)` (time.go): to the nearest multiple of d since the zero time, halves up. */
function roundTime(tMs: number, dMs: number): number {
  const r = (tMs - goZeroTimeMs) % dMs;
  if (r + r < dMs) return tMs - r;
  return tMs + (dMs - r);
}

/** decaying_histogram.go `round`. */
function goRound(x: number): number {
  return Math.floor(x + 0.5);
}

/** histogram_options.go `log`. */
function logBase(base: number, x: number): number {
  return Math.log(x) / Math.log(base);
}

// ---------------------------------------------------------------- histogram_options.go

export interface HistogramOptions {
  numBuckets(): number;
  findBucket(value: number): number;
  getBucketStart(bucket: number): number;
  epsilon(): number;
}

export function newLinearHistogramOptions(
  maxValue: number,
  bucketSize: number,
  epsilon: number,
): HistogramOptions {
  if (maxValue <= 0.0 || bucketSize <= 0.0 || epsilon <= 0.0)
    throw new Error("maxValue and bucketSize must both be positive");
  const numBuckets = Math.trunc(Math.ceil(maxValue / bucketSize)) + 1;
  return {
    numBuckets: () => numBuckets,
    findBucket(value) {
      const bucket = Math.trunc(value / bucketSize);
      if (bucket < 0) return 0;
      if (bucket >= numBuckets) return numBuckets - 1;
      return bucket;
    },
    getBucketStart(bucket) {
      if (bucket < 0 || bucket >= numBuckets) throw new Error(`index ${bucket} out of range`);
      return bucket * bucketSize;
    },
    epsilon: () => epsilon,
  };
}

export function newExponentialHistogramOptions(
  maxValue: number,
  firstBucketSize: number,
  ratio: number,
  epsilon: number,
): HistogramOptions {
  if (maxValue <= 0.0 || firstBucketSize <= 0.0 || ratio <= 1.0 || epsilon <= 0.0) {
    throw new Error("maxValue, firstBucketSize and epsilon must be > 0.0, ratio must be > 1.0");
  }
  const numBuckets =
    Math.trunc(Math.ceil(logBase(ratio, (maxValue * (ratio - 1)) / firstBucketSize + 1))) + 1;
  return {
    numBuckets: () => numBuckets,
    findBucket(value) {
      if (value < firstBucketSize) return 0;
      const bucket = Math.trunc(logBase(ratio, (value * (ratio - 1)) / firstBucketSize + 1));
      if (bucket >= numBuckets) return numBuckets - 1;
      return bucket;
    },
    getBucketStart(bucket) {
      if (bucket < 0 || bucket >= numBuckets) throw new Error(`index ${bucket} out of range`);
      if (bucket === 0) return 0.0;
      return (firstBucketSize * (ratio ** bucket - 1)) / (ratio - 1);
    },
    epsilon: () => epsilon,
  };
}

// ---------------------------------------------------------------- histogram.go

export class Histogram {
  readonly bucketWeight: number[];
  totalWeight = 0.0;
  minBucket: number;
  maxBucket = 0;

  constructor(readonly options: HistogramOptions) {
    this.bucketWeight = new Array<number>(options.numBuckets()).fill(0);
    this.minBucket = options.numBuckets() - 1;
  }

  addSample(value: number, weight: number, _timeMs: number): void {
    if (weight < 0.0) throw new Error("sample weight must be non-negative");
    const bucket = this.options.findBucket(value);
    this.bucketWeight[bucket]! += weight;
    this.totalWeight += weight;
    if (bucket < this.minBucket && this.bucketWeight[bucket]! >= this.options.epsilon())
      this.minBucket = bucket;
    if (bucket > this.maxBucket && this.bucketWeight[bucket]! >= this.options.epsilon())
      this.maxBucket = bucket;
  }

  subtractSample(value: number, weight: number, _timeMs: number): void {
    if (weight < 0.0) throw new Error("sample weight must be non-negative");
    const bucket = this.options.findBucket(value);
    const epsilon = this.options.epsilon();
    this.totalWeight = safeSubtract(this.totalWeight, weight, epsilon);
    this.bucketWeight[bucket] = safeSubtract(this.bucketWeight[bucket]!, weight, epsilon);
    this.updateMinAndMaxBucket();
  }

  merge(o: Histogram): void {
    if (this.options !== o.options) throw new Error("can't merge histograms with different options");
    for (let bucket = o.minBucket; bucket <= o.maxBucket; bucket++) {
      this.bucketWeight[bucket]! += o.bucketWeight[bucket]!;
    }
    this.totalWeight += o.totalWeight;
    if (o.minBucket < this.minBucket) this.minBucket = o.minBucket;
    if (o.maxBucket > this.maxBucket) this.maxBucket = o.maxBucket;
  }

  percentile(percentile: number): number {
    if (this.isEmpty()) return 0.0;
    let partialSum = 0.0;
    const threshold = percentile * this.totalWeight;
    let bucket = this.minBucket;
    for (; bucket < this.maxBucket; bucket++) {
      partialSum += this.bucketWeight[bucket]!;
      if (partialSum >= threshold) break;
    }
    if (bucket < this.options.numBuckets() - 1) {
      // Return the end of the bucket.
      return this.options.getBucketStart(bucket + 1);
    }
    // Return the start of the last bucket (note that the last bucket doesn't have an upper bound).
    return this.options.getBucketStart(bucket);
  }

  isEmpty(): boolean {
    return this.bucketWeight[this.minBucket]! < this.options.epsilon();
  }

  updateMinAndMaxBucket(): void {
    const epsilon = this.options.epsilon();
    const lastBucket = this.options.numBuckets() - 1;
    while (this.bucketWeight[this.minBucket]! < epsilon && this.minBucket < lastBucket) this.minBucket++;
    while (this.bucketWeight[this.maxBucket]! < epsilon && this.maxBucket > 0) this.maxBucket--;
  }

  scale(factor: number): void {
    if (factor < 0.0) throw new Error("scale factor must be non-negative");
    for (let bucket = this.minBucket; bucket <= this.maxBucket; bucket++)
      this.bucketWeight[bucket]! *= factor;
    this.totalWeight *= factor;
    this.updateMinAndMaxBucket();
  }
}

function safeSubtract(value: number, sub: number, epsilon: number): number {
  value -= sub;
  if (value < epsilon) return 0.0;
  return value;
}

// ---------------------------------------------------------------- decaying_histogram.go

const maxDecayExponent = 100;

export class DecayingHistogram extends Histogram {
  /** Reference time, ms since the epoch; starts at Go's zero time. */
  referenceTimestamp = goZeroTimeMs;

  constructor(
    options: HistogramOptions,
    readonly halfLifeMs: number,
  ) {
    super(options);
  }

  override addSample(value: number, weight: number, timeMs: number): void {
    super.addSample(value, weight * this.decayFactor(timeMs), timeMs);
  }

  override subtractSample(value: number, weight: number, timeMs: number): void {
    super.subtractSample(value, weight * this.decayFactor(timeMs), timeMs);
  }

  mergeDecaying(o: DecayingHistogram): void {
    if (this.halfLifeMs !== o.halfLifeMs)
      throw new Error("can't merge decaying histograms with different half life periods");
    if (this.referenceTimestamp < o.referenceTimestamp) this.shiftReferenceTimestamp(o.referenceTimestamp);
    else if (o.referenceTimestamp < this.referenceTimestamp)
      o.shiftReferenceTimestamp(this.referenceTimestamp);
    super.merge(o);
  }

  shiftReferenceTimestamp(newReferenceTimestamp: number): void {
    // Make sure the decay start is an integer multiple of halfLife.
    newReferenceTimestamp = roundTime(newReferenceTimestamp, this.halfLifeMs);
    const exponent = goRound(subNs(this.referenceTimestamp, newReferenceTimestamp) / (this.halfLifeMs * 1e6));
    this.scale(ldexp1(exponent)); // Scale all weights by 2^exponent.
    this.referenceTimestamp = newReferenceTimestamp;
  }

  decayFactor(timestampMs: number): number {
    // Max timestamp before the exponent grows too large.
    const maxAllowedTimestamp = this.referenceTimestamp + this.halfLifeMs * maxDecayExponent;
    if (timestampMs > maxAllowedTimestamp) {
      // The exponent has grown too large. Renormalize the histogram by shifting the
      // referenceTimestamp to the current timestamp and rescaling the weights accordingly.
      this.shiftReferenceTimestamp(timestampMs);
    }
    return 2 ** (subNs(timestampMs, this.referenceTimestamp) / (this.halfLifeMs * 1e6));
  }
}

/** `math.Ldexp(1., exponent)`: 2^exponent, exactly, 0 below the subnormals. */
function ldexp1(exponent: number): number {
  if (exponent < -1074) return 0;
  return 2 ** exponent;
}

// ---------------------------------------------------------------- model/types.go

export const maxResourceAmount = 1e14;

function resourceAmountFromFloat(amount: number): number {
  if (amount > maxResourceAmount) return maxResourceAmount;
  if (amount < 0) amount = 0;
  // Go's int64(NaN) is implementation-defined; the recommender never produces NaN from a
  // non-empty histogram, and the oracle refuses to guess.
  if (Number.isNaN(amount)) throw new Error("ResourceAmount(NaN)");
  return Math.trunc(amount);
}

export const cpuAmountFromCores = (cores: number): number => resourceAmountFromFloat(cores * 1000.0);
export const coresFromCpuAmount = (amount: number): number => amount / 1000.0;
export const memoryAmountFromBytes = (bytes: number): number => resourceAmountFromFloat(bytes);
export const scaleResource = (amount: number, factor: number): number =>
  resourceAmountFromFloat(amount * factor);

// ---------------------------------------------------------------- model/aggregations_config.go

const minSampleWeight = 0.1;
/** `epsilon = 0.001 * minSampleWeight`, an untyped Go constant: exactly 1e-4 before rounding. */
const epsilon = 1e-4;

export interface AggregationsConfig {
  memoryAggregationIntervalMs: number;
  memoryHistogramDecayHalfLifeMs: number;
  cpuHistogramDecayHalfLifeMs: number;
  cpuHistogramOptions: HistogramOptions;
  memoryHistogramOptions: HistogramOptions;
}

export function newAggregationsConfig(
  memoryAggregationIntervalMs = 24 * 3_600_000,
  memoryHistogramDecayHalfLifeMs = 24 * 3_600_000,
  cpuHistogramDecayHalfLifeMs = 24 * 3_600_000,
): AggregationsConfig {
  const histogramBucketSizeGrowth = 0.05;
  return {
    memoryAggregationIntervalMs,
    memoryHistogramDecayHalfLifeMs,
    cpuHistogramDecayHalfLifeMs,
    cpuHistogramOptions: newExponentialHistogramOptions(1000.0, 0.01, 1 + histogramBucketSizeGrowth, epsilon),
    memoryHistogramOptions: newExponentialHistogramOptions(1e12, 1e7, 1 + histogramBucketSizeGrowth, epsilon),
  };
}

// ---------------------------------------------------------------- model/aggregate_container_state.go

export class AggregateContainerState {
  readonly aggregateCpuUsage: DecayingHistogram;
  readonly aggregateMemoryPeaks: DecayingHistogram;
  firstSampleStart = goZeroTimeMs;
  lastSampleStart = goZeroTimeMs;
  totalSamplesCount = 0;
  private hasFirst = false;

  constructor(readonly config: AggregationsConfig) {
    this.aggregateCpuUsage = new DecayingHistogram(
      config.cpuHistogramOptions,
      config.cpuHistogramDecayHalfLifeMs,
    );
    this.aggregateMemoryPeaks = new DecayingHistogram(
      config.memoryHistogramOptions,
      config.memoryHistogramDecayHalfLifeMs,
    );
  }

  addSample(sample: ContainerUsageSample): void {
    if (sample.resource === "cpu") this.addCpuSample(sample);
    else this.aggregateMemoryPeaks.addSample(sample.usage, 1.0, sample.measureStartMs);
  }

  subtractSample(sample: ContainerUsageSample): void {
    if (sample.resource !== "memory") throw new Error("SubtractSample doesn't support resource");
    this.aggregateMemoryPeaks.subtractSample(sample.usage, 1.0, sample.measureStartMs);
  }

  private addCpuSample(sample: ContainerUsageSample): void {
    const cpuUsageCores = coresFromCpuAmount(sample.usage);
    this.aggregateCpuUsage.addSample(cpuUsageCores, minSampleWeight, sample.measureStartMs);
    if (sample.measureStartMs > this.lastSampleStart) this.lastSampleStart = sample.measureStartMs;
    if (!this.hasFirst || sample.measureStartMs < this.firstSampleStart) {
      this.firstSampleStart = sample.measureStartMs;
      this.hasFirst = true;
    }
    this.totalSamplesCount++;
  }

  /** MergeContainerState, as AggregateStateByContainerName does into a fresh state. */
  mergeContainerState(other: AggregateContainerState): void {
    this.aggregateCpuUsage.mergeDecaying(other.aggregateCpuUsage);
    this.aggregateMemoryPeaks.mergeDecaying(other.aggregateMemoryPeaks);
    if (!this.hasFirst || (other.hasFirst && other.firstSampleStart < this.firstSampleStart)) {
      this.firstSampleStart = other.firstSampleStart;
      this.hasFirst = other.hasFirst;
    }
    if (other.lastSampleStart > this.lastSampleStart) this.lastSampleStart = other.lastSampleStart;
    this.totalSamplesCount += other.totalSamplesCount;
  }
}

// ---------------------------------------------------------------- model/container.go

export interface ContainerUsageSample {
  measureStartMs: number;
  /** ResourceAmount: millicores or bytes. */
  usage: number;
  resource: "cpu" | "memory";
}

export class ContainerState {
  lastCpuSampleStart = goZeroTimeMs;
  private memoryPeak = 0;
  private oomPeak = 0;
  private windowEnd = goZeroTimeMs;
  private windowEndIsZero = true;
  private lastMemorySampleStart = goZeroTimeMs;

  constructor(readonly aggregator: AggregateContainerState) {}

  addSample(sample: ContainerUsageSample): boolean {
    return sample.resource === "cpu" ? this.addCpuSample(sample) : this.addMemorySample(sample, false);
  }

  private addCpuSample(sample: ContainerUsageSample): boolean {
    if (!(sample.usage >= 0) || !(sample.measureStartMs > this.lastCpuSampleStart)) return false;
    this.aggregator.addSample(sample);
    this.lastCpuSampleStart = sample.measureStartMs;
    return true;
  }

  private getMaxMemoryPeak(): number {
    return Math.max(this.memoryPeak, this.oomPeak);
  }

  private addMemorySample(sample: ContainerUsageSample, isOOM: boolean): boolean {
    const ts = sample.measureStartMs;
    if (!(sample.usage >= 0) || (!isOOM && ts < this.lastMemorySampleStart)) return false;
    this.lastMemorySampleStart = ts;
    if (this.windowEndIsZero) {
      this.windowEnd = ts;
      this.windowEndIsZero = false;
    }
    let addNewPeak = false;
    if (ts < this.windowEnd) {
      const oldMaxMem = this.getMaxMemoryPeak();
      if (oldMaxMem !== 0 && sample.usage > oldMaxMem) {
        // Remove the old peak.
        this.aggregator.subtractSample({
          measureStartMs: this.windowEnd,
          usage: oldMaxMem,
          resource: "memory",
        });
        addNewPeak = true;
      }
    } else {
      // Shift the memory aggregation window to the next interval.
      const interval = this.aggregator.config.memoryAggregationIntervalMs;
      const elapsed = ts - this.windowEnd;
      const shift = elapsed - (elapsed % interval) + interval; // Duration.Truncate + interval
      this.windowEnd += shift;
      this.memoryPeak = 0;
      this.oomPeak = 0;
      addNewPeak = true;
    }
    if (addNewPeak) {
      this.aggregator.addSample({ measureStartMs: this.windowEnd, usage: sample.usage, resource: "memory" });
      if (isOOM) this.oomPeak = sample.usage;
      else this.memoryPeak = sample.usage;
    }
    return true;
  }
}

// ---------------------------------------------------------------- logic/estimator.go + recommender.go

export interface RecommendationConfig {
  safetyMarginFraction: number;
  podMinCpuMillicores: number;
  podMinMemoryMb: number;
  targetCpuPercentile: number;
  lowerBoundCpuPercentile: number;
  upperBoundCpuPercentile: number;
  confidenceIntervalCpuMs: number;
  targetMemoryPercentile: number;
  lowerBoundMemoryPercentile: number;
  upperBoundMemoryPercentile: number;
  confidenceIntervalMemoryMs: number;
}

/** config/config.go DefaultRecommenderConfig, recommendation part. */
export const defaultRecommendationConfig: RecommendationConfig = {
  safetyMarginFraction: 0.15,
  podMinCpuMillicores: 25,
  podMinMemoryMb: 250,
  targetCpuPercentile: 0.9,
  lowerBoundCpuPercentile: 0.5,
  upperBoundCpuPercentile: 0.95,
  confidenceIntervalCpuMs: 24 * 3_600_000,
  targetMemoryPercentile: 0.9,
  lowerBoundMemoryPercentile: 0.5,
  upperBoundMemoryPercentile: 0.95,
  confidenceIntervalMemoryMs: 24 * 3_600_000,
};

type Estimator = (s: AggregateContainerState) => number;

const percentileCpu =
  (p: number): Estimator =>
  (s) =>
    cpuAmountFromCores(s.aggregateCpuUsage.percentile(p));
const percentileMemory =
  (p: number): Estimator =>
  (s) =>
    memoryAmountFromBytes(s.aggregateMemoryPeaks.percentile(p));
const withMargin =
  (marginFraction: number, base: Estimator): Estimator =>
  (s) => {
    const value = base(s);
    return value + scaleResource(value, marginFraction);
  };

/** `time.Duration.Minutes()`. */
function durationMinutes(ms: number): number {
  const ns = ms * 1e6;
  const minute = 60e9;
  const min = Math.trunc(ns / minute);
  const nsec = ns % minute;
  return min + nsec / minute;
}

/** estimator.go getConfidence. */
export function getConfidence(s: AggregateContainerState, confidenceIntervalMs: number): number {
  const lifespanInDays = subNs(s.lastSampleStart, s.firstSampleStart) / (confidenceIntervalMs * 1e6);
  const samplesAmount = s.totalSamplesCount / durationMinutes(confidenceIntervalMs);
  return Math.min(lifespanInDays, samplesAmount);
}

const withConfidenceMultiplier =
  (multiplier: number, exponent: number, base: Estimator, confidenceIntervalMs: number): Estimator =>
  (s) => {
    const confidence = getConfidence(s, confidenceIntervalMs);
    return scaleResource(base(s), (1 + multiplier / confidence) ** exponent);
  };
const withMinResource =
  (minResource: number, base: Estimator): Estimator =>
  (s) =>
    Math.max(base(s), minResource);

export interface OracleRecommendation {
  target: { cpu: number; memory: number };
  lowerBound: { cpu: number; memory: number };
  upperBound: { cpu: number; memory: number };
}

/** CreatePodResourceRecommender + GetRecommendedPodResources for a pod with `containers` containers. */
export function recommend(
  s: AggregateContainerState,
  config: RecommendationConfig = defaultRecommendationConfig,
  containers = 1,
): OracleRecommendation {
  let targetCpu = percentileCpu(config.targetCpuPercentile);
  let lowerBoundCpu = percentileCpu(config.lowerBoundCpuPercentile);
  let upperBoundCpu = percentileCpu(config.upperBoundCpuPercentile);
  let targetMemory = percentileMemory(config.targetMemoryPercentile);
  let lowerBoundMemory = percentileMemory(config.lowerBoundMemoryPercentile);
  let upperBoundMemory = percentileMemory(config.upperBoundMemoryPercentile);
  targetCpu = withMargin(config.safetyMarginFraction, targetCpu);
  lowerBoundCpu = withMargin(config.safetyMarginFraction, lowerBoundCpu);
  upperBoundCpu = withMargin(config.safetyMarginFraction, upperBoundCpu);
  targetMemory = withMargin(config.safetyMarginFraction, targetMemory);
  lowerBoundMemory = withMargin(config.safetyMarginFraction, lowerBoundMemory);
  upperBoundMemory = withMargin(config.safetyMarginFraction, upperBoundMemory);
  upperBoundCpu = withConfidenceMultiplier(1.0, 1.0, upperBoundCpu, config.confidenceIntervalCpuMs);
  upperBoundMemory = withConfidenceMultiplier(1.0, 1.0, upperBoundMemory, config.confidenceIntervalMemoryMs);
  lowerBoundCpu = withConfidenceMultiplier(0.001, -2.0, lowerBoundCpu, config.confidenceIntervalCpuMs);
  lowerBoundMemory = withConfidenceMultiplier(
    0.001,
    -2.0,
    lowerBoundMemory,
    config.confidenceIntervalMemoryMs,
  );

  const fraction = 1.0 / containers;
  const minCpu = scaleResource(cpuAmountFromCores(config.podMinCpuMillicores * 0.001), fraction);
  const minMemory = scaleResource(memoryAmountFromBytes(config.podMinMemoryMb * 1024 * 1024), fraction);
  return {
    target: {
      cpu: withMinResource(minCpu, targetCpu)(s),
      memory: withMinResource(minMemory, targetMemory)(s),
    },
    lowerBound: {
      cpu: withMinResource(minCpu, lowerBoundCpu)(s),
      memory: withMinResource(minMemory, lowerBoundMemory)(s),
    },
    upperBound: {
      cpu: withMinResource(minCpu, upperBoundCpu)(s),
      memory: withMinResource(minMemory, upperBoundMemory)(s),
    },
  };
}

// ---------------------------------------------------------------- the whole path, one sample at a time

/** One observation as VPA's metrics feed would deliver it: a time, CPU cores and memory bytes. */
export interface OracleSample {
  timeMs: number;
  cpuCores: number;
  memoryBytes: number;
}

/** What the oracle reports for one stream of samples. */
export interface OracleResult extends OracleRecommendation {
  /** Raw histogram percentiles (bucket ends), cores and bytes. */
  cpuPercentiles: { lower: number; target: number; upper: number };
  memoryPercentiles: { lower: number; target: number; upper: number };
  confidenceCpu: number;
  confidenceMemory: number;
}

/**
 * Feeds samples, in time order, through ContainerState → AggregateContainerState, merges the
 * aggregate into a fresh one as AggregateStateByContainerName does, and runs the recommender.
 */
export function vpaOracle(
  samples: readonly OracleSample[],
  config: RecommendationConfig = defaultRecommendationConfig,
  aggregations: AggregationsConfig = newAggregationsConfig(),
): OracleResult {
  const aggregate = new AggregateContainerState(aggregations);
  const container = new ContainerState(aggregate);
  for (const sample of samples) {
    container.addSample({
      measureStartMs: sample.timeMs,
      usage: cpuAmountFromCores(sample.cpuCores),
      resource: "cpu",
    });
    container.addSample({
      measureStartMs: sample.timeMs,
      usage: memoryAmountFromBytes(sample.memoryBytes),
      resource: "memory",
    });
  }
  const merged = new AggregateContainerState(aggregations);
  merged.mergeContainerState(aggregate);
  return {
    ...recommend(merged, config),
    cpuPercentiles: {
      lower: merged.aggregateCpuUsage.percentile(config.lowerBoundCpuPercentile),
      target: merged.aggregateCpuUsage.percentile(config.targetCpuPercentile),
      upper: merged.aggregateCpuUsage.percentile(config.upperBoundCpuPercentile),
    },
    memoryPercentiles: {
      lower: merged.aggregateMemoryPeaks.percentile(config.lowerBoundMemoryPercentile),
      target: merged.aggregateMemoryPeaks.percentile(config.targetMemoryPercentile),
      upper: merged.aggregateMemoryPeaks.percentile(config.upperBoundMemoryPercentile),
    },
    confidenceCpu: getConfidence(merged, config.confidenceIntervalCpuMs),
    confidenceMemory: getConfidence(merged, config.confidenceIntervalMemoryMs),
  };
}
