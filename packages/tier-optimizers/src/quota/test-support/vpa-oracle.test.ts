/*
 * The oracle is checked against VPA's own unit tests (same commit, vertical-pod-autoscaler/pkg/
 * recommender/{util,logic,model}/*_test.go), so that the property tests compare the package with
 * a transcription that reproduces VPA's documented behaviour, not with a second guess.
 */
import { describe, expect, test } from "vitest";
import {
  AggregateContainerState,
  ContainerState,
  type ContainerUsageSample,
  coresFromCpuAmount,
  cpuAmountFromCores,
  DecayingHistogram,
  getConfidence,
  Histogram,
  memoryAmountFromBytes,
  newAggregationsConfig,
  newExponentialHistogramOptions,
  newLinearHistogramOptions,
  scaleResource,
  vpaOracle,
} from "./vpa-oracle.js";

const hourMs = 3_600_000;
/** decaying_histogram_test.go: `startTime = time.Unix(1234567890, 0)`. */
const startTime = 1_234_567_890_000;
/** histogram_test.go: `NewLinearHistogramOptions(10.0, 1.0, weightEpsilon = 1e-15)`. */
const testHistogramOptions = newLinearHistogramOptions(10.0, 1.0, 1e-15);

describe("VPA oracle reproduces VPA's unit tests", () => {
  test("histogram_options_test.go TestExponentialHistogramOptions", () => {
    const o = newExponentialHistogramOptions(500.0, 40.0, 1.5, 0.001);
    expect(o.numBuckets()).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((b) => o.getBucketStart(b))).toEqual([0, 40, 100, 190, 325, 527.5]);
    expect([-1, 39.99, 40, 100, 900].map((v) => o.findBucket(v))).toEqual([0, 0, 1, 2, 5]);
  });

  test("histogram_options_test.go TestLinearHistogramOptions", () => {
    const o = newLinearHistogramOptions(5.0, 0.3, 0.001);
    expect(o.numBuckets()).toBe(18);
    expect(o.getBucketStart(17)).toBe(5.1);
    expect([-1, 0, 1.3, 100].map((v) => o.findBucket(v))).toEqual([0, 0, 4, 17]);
  });

  test("the recommender's schemes have 176 buckets each (0.01 core / 1e7 B × 1.05, up to 1000 cores / 1e12 B)", () => {
    const config = newAggregationsConfig();
    expect(config.cpuHistogramOptions.numBuckets()).toBe(176);
    expect(config.memoryHistogramOptions.numBuckets()).toBe(176);
    expect(config.cpuHistogramOptions.getBucketStart(1)).toBe(0.01);
  });

  test("histogram_test.go: percentiles return bucket ends; empty is 0", () => {
    const h = new Histogram(testHistogramOptions);
    expect(h.percentile(0.5)).toBe(0);
    for (let i = 1; i <= 4; i++) h.addSample(i, i, 0);
    // TestNoDecay's expectations, on a plain histogram.
    const expected: Array<[number, number]> = [
      [0.0, 2],
      [0.1, 2],
      [0.2, 3],
      [0.3, 3],
      [0.4, 4],
      [0.6, 4],
      [0.7, 5],
      [1.0, 5],
    ];
    for (const [p, value] of expected) expect(h.percentile(p)).toBe(value);
  });

  test("decaying_histogram_test.go TestDecayingHistogramPercentiles", () => {
    const h = new DecayingHistogram(testHistogramOptions, hourMs);
    let timestamp = startTime;
    for (let i = 1; i <= 4; i++) {
      h.addSample(i, i, timestamp);
      timestamp += hourMs;
    }
    const expected: Array<[number, number]> = [
      [0.0, 2],
      [0.02, 2],
      [0.03, 3],
      [0.1, 3],
      [0.11, 4],
      [0.34, 4],
      [0.35, 5],
      [1.0, 5],
    ];
    for (const [p, value] of expected) expect(h.percentile(p)).toBe(value);
  });

  test("decaying_histogram_test.go TestSimpleDecay and TestLongtermDecay", () => {
    const simple = new DecayingHistogram(testHistogramOptions, hourMs);
    simple.addSample(2, 1000, startTime);
    simple.addSample(1, 1, startTime + 20 * hourMs);
    expect(simple.percentile(0.999)).toBe(2);
    expect(simple.percentile(1.0)).toBe(3);

    const longterm = new DecayingHistogram(testHistogramOptions, hourMs);
    longterm.addSample(2, 1, startTime);
    longterm.addSample(1, 1, startTime + 101 * hourMs);
    expect(longterm.percentile(1.0)).toBe(2);
  });

  test("estimator_test.go TestConfidenceMultiplier: confidence 9/1440 and 3.14 × (1 + 0.1/0.00625)^2", () => {
    const s = new AggregateContainerState(newAggregationsConfig());
    let timestamp = 0; // anyTime = time.Unix(0, 0)
    for (let i = 1; i <= 9; i++) {
      s.addSample({ measureStartMs: timestamp, usage: cpuAmountFromCores(1.0), resource: "cpu" });
      timestamp += 2 * 60_000;
    }
    const confidence = getConfidence(s, 24 * hourMs);
    expect(confidence).toBe(0.00625);
    const factor = (1 + 0.1 / confidence) ** 2.0;
    expect(coresFromCpuAmount(scaleResource(cpuAmountFromCores(3.14), factor))).toBe(907.46);
    expect(scaleResource(memoryAmountFromBytes(3.14e9), factor)).toBe(9.0746e11);
    // Custom interval of 18 minutes: 9 / 18 = 0.5.
    expect(getConfidence(s, 18 * 60_000)).toBe(0.5);
    // No history: the upper bound's (1 + 1/0) is MaxResourceAmount, the lower bound's ^-2 is 0.
    const empty = new AggregateContainerState(newAggregationsConfig());
    expect(scaleResource(cpuAmountFromCores(3.14), (1 + 1 / getConfidence(empty, 24 * hourMs)) ** 1)).toBe(
      1e14,
    );
    expect(scaleResource(cpuAmountFromCores(3.14), (1 + 1 / getConfidence(empty, 24 * hourMs)) ** -1)).toBe(
      0,
    );
  });

  test("container_test.go TestAggregateContainerUsageSamples: one memory peak per interval, at its end", () => {
    const calls: string[] = [];
    const config = newAggregationsConfig();
    const recorder = {
      config,
      addSample: (sample: ContainerUsageSample) =>
        calls.push(`add ${sample.resource} ${sample.usage} @${sample.measureStartMs}`),
      subtractSample: (sample: ContainerUsageSample) =>
        calls.push(`subtract ${sample.resource} ${sample.usage} @${sample.measureStartMs}`),
    } as unknown as AggregateContainerState;
    const c = new ContainerState(recorder);
    const t0 = 1_000_000;
    const step = config.memoryAggregationIntervalMs / 2;
    const day = config.memoryAggregationIntervalMs;
    expect(c.addSample({ measureStartMs: t0, usage: 3140, resource: "cpu" })).toBe(true);
    expect(c.addSample({ measureStartMs: t0, usage: 5, resource: "memory" })).toBe(true);
    expect(c.addSample({ measureStartMs: t0 + step, usage: 6280, resource: "cpu" })).toBe(true);
    expect(c.addSample({ measureStartMs: t0 + step, usage: 10, resource: "memory" })).toBe(true);
    expect(c.addSample({ measureStartMs: t0 + 2 * step, usage: 1570, resource: "cpu" })).toBe(true);
    expect(c.addSample({ measureStartMs: t0 + 2 * step, usage: 2, resource: "memory" })).toBe(true);
    expect(c.addSample({ measureStartMs: t0 + 2 * step, usage: 1000, resource: "cpu" })).toBe(false);
    expect(c.addSample({ measureStartMs: t0 + 4 * step, usage: -1000, resource: "cpu" })).toBe(false);
    expect(c.addSample({ measureStartMs: t0 + 4 * step, usage: -1000, resource: "memory" })).toBe(false);
    expect(calls.filter((call) => call.includes("memory"))).toEqual([
      `add memory 5 @${t0 + day}`,
      `subtract memory 5 @${t0 + day}`,
      `add memory 10 @${t0 + day}`,
      `add memory 2 @${t0 + 2 * day}`,
    ]);
  });

  test("a whole path: constant usage lands in one bucket and every bound is its end plus 15%", () => {
    const samples = Array.from({ length: 3 * 1440 }, (_, i) => ({
      timeMs: 1.7e12 + i * 60_000,
      cpuCores: 0.5,
      memoryBytes: 2e9,
    }));
    const result = vpaOracle(samples);
    const options = newAggregationsConfig().cpuHistogramOptions;
    const bucketEnd = options.getBucketStart(options.findBucket(0.5) + 1);
    expect(result.cpuPercentiles).toEqual({ lower: bucketEnd, target: bucketEnd, upper: bucketEnd });
    const base = cpuAmountFromCores(bucketEnd);
    expect(result.target.cpu).toBe(base + scaleResource(base, 0.15));
    // Three days of one sample a minute, minus the last minute: confidence just under 3.
    expect(result.confidenceCpu).toBeCloseTo(3 - 1 / 1440, 12);
  });
});
