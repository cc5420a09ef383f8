import { EnisError } from "@enis/core";
import { allocateCosts } from "@enis/cost-model";
import fc from "fast-check";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { describe, expect, test } from "vitest";
import { type NamespaceUsage, type SizeTenantQuotaOptions, sizeTenantQuota } from "./size-tenant-quota.js";
import {
  newAggregationsConfig,
  type OracleResult,
  type RecommendationConfig,
  vpaOracle,
} from "./test-support/vpa-oracle.js";
import { defaultVpaRecommenderConfig, type VpaRecommenderConfig } from "./vpa.js";

const minuteMs = 60_000;
const dayMs = 86_400_000;
const mebibyte = 1024 * 1024;
const gibibyte = 1024 * mebibyte;
const start = Date.UTC(2026, 10, 1, 7, 13); // not on a day boundary: VPA rounds its reference time
const cluster = { cpuCores: 64, memoryGib: 256, costUsd: 3_000 };

/** A namespace with a daily pattern: `days` of samples every `stepMs`. */
function dailyPattern(
  namespace: string,
  days: number,
  cpuBase: number,
  memoryBase: number,
  stepMs = minuteMs,
): NamespaceUsage {
  const n = Math.round((days * dayMs) / stepMs);
  const cpuCores = new Float64Array(n);
  const memoryBytes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const phase = Math.sin((2 * Math.PI * i * stepMs) / dayMs);
    cpuCores[i] = cpuBase * (1 + 0.5 * phase) + ((i * 7919) % 13) / 100;
    memoryBytes[i] = memoryBase * (1 + 0.2 * phase) + ((i * 104_729) % 17) * mebibyte;
  }
  return { namespace, startMs: start, stepMs, cpuCores, memoryBytes };
}

function oracleFor(
  series: NamespaceUsage,
  config: VpaRecommenderConfig = defaultVpaRecommenderConfig,
): OracleResult {
  const samples = Array.from({ length: series.cpuCores.length }, (_, i) => ({
    timeMs: series.startMs + i * series.stepMs,
    cpuCores: series.cpuCores[i]!,
    memoryBytes: series.memoryBytes[i]!,
  }));
  const recommendation: RecommendationConfig = {
    safetyMarginFraction: config.safetyMarginFraction,
    podMinCpuMillicores: config.podMinCpuMillicores,
    podMinMemoryMb: config.podMinMemoryMb,
    targetCpuPercentile: config.targetCpuPercentile,
    lowerBoundCpuPercentile: config.lowerBoundCpuPercentile,
    upperBoundCpuPercentile: config.upperBoundCpuPercentile,
    confidenceIntervalCpuMs: config.confidenceIntervalCpuMs,
    targetMemoryPercentile: config.targetMemoryPercentile,
    lowerBoundMemoryPercentile: config.lowerBoundMemoryPercentile,
    upperBoundMemoryPercentile: config.upperBoundMemoryPercentile,
    confidenceIntervalMemoryMs: config.confidenceIntervalMemoryMs,
  };
  return vpaOracle(
    samples,
    recommendation,
    newAggregationsConfig(
      config.memoryAggregationIntervalMs,
      config.memoryHistogramDecayHalfLifeMs,
      config.cpuHistogramDecayHalfLifeMs,
    ),
  );
}

function expectEqualsOracle(plan: ReturnType<typeof sizeTenantQuota>, k: number, oracle: OracleResult): void {
  const { cpu, memory } = plan.namespaces[k]!;
  expect({
    cpu: [cpu.recommendation.lowerBound, cpu.recommendation.target, cpu.recommendation.upperBound],
    memory: [
      memory.recommendation.lowerBound,
      memory.recommendation.target,
      memory.recommendation.upperBound,
    ],
    cpuPercentiles: [
      cpu.recommendation.lowerBoundPercentile,
      cpu.recommendation.targetPercentile,
      cpu.recommendation.upperBoundPercentile,
    ],
    memoryPercentiles: [
      memory.recommendation.lowerBoundPercentile,
      memory.recommendation.targetPercentile,
      memory.recommendation.upperBoundPercentile,
    ],
    confidence: [cpu.recommendation.confidence, memory.recommendation.confidence],
  }).toEqual({
    cpu: [oracle.lowerBound.cpu, oracle.target.cpu, oracle.upperBound.cpu],
    memory: [oracle.lowerBound.memory, oracle.target.memory, oracle.upperBound.memory],
    cpuPercentiles: [oracle.cpuPercentiles.lower, oracle.cpuPercentiles.target, oracle.cpuPercentiles.upper],
    memoryPercentiles: [
      oracle.memoryPercentiles.lower,
      oracle.memoryPercentiles.target,
      oracle.memoryPercentiles.upper,
    ],
    confidence: [oracle.confidenceCpu, oracle.confidenceMemory],
  });
}

/** The `spec` of an emitted manifest. */
function specOf<T>(manifest: unknown): T {
  return (manifest as { spec: T }).spec;
}

function thrown(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError");
}

// ------------------------------------------------------------------------------- VPA equivalence

/** Usage values that stress the bucket scheme: zeros, ties, bucket edges, doubles, beyond the range. */
const cpuValue = fc.oneof(
  fc.constantFrom(0, 0.001, 0.0099, 0.01, 0.5, 1, 2, 999.999, 1000, 2500),
  fc.integer({ min: 0, max: 64 }).map((x) => x / 8),
  fc.double({ min: 0, max: 16, noNaN: true, noDefaultInfinity: true }),
);
const memoryValue = fc.oneof(
  fc.constantFrom(0, 1, 9_999_999, 1e7, 262_144_000, 1e12, 3e12),
  fc.integer({ min: 0, max: 64 }).map((x) => x * 64 * mebibyte),
  fc.double({ min: 0, max: 64 * gibibyte, noNaN: true, noDefaultInfinity: true }),
);
const stepMs = fc.constantFrom(1, 997, minuteMs, 3_600_000, 5 * 3_600_000 + 7, dayMs, 2.5 * dayMs);
const stream = fc
  .record({
    startMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    stepMs,
    values: fc.array(fc.tuple(cpuValue, memoryValue), { minLength: 1, maxLength: 400 }),
  })
  .map(({ startMs, stepMs, values }) => ({
    startMs,
    stepMs,
    cpuCores: Float64Array.from(values, (v) => v[0]),
    memoryBytes: Float64Array.from(values, (v) => v[1]),
  }));
const recommenderConfig = fc.record({
  targetCpuPercentile: fc.double({ min: 0.01, max: 1, noNaN: true }),
  lowerBoundCpuPercentile: fc.constantFrom(0.5, 0.1),
  upperBoundCpuPercentile: fc.constantFrom(0.95, 1),
  targetMemoryPercentile: fc.constantFrom(0.9, 0.75),
  lowerBoundMemoryPercentile: fc.constantFrom(0.5),
  upperBoundMemoryPercentile: fc.constantFrom(0.95, 0.99),
  safetyMarginFraction: fc.constantFrom(0.15, 0, 0.3),
  podMinCpuMillicores: fc.constantFrom(25, 0, 1000),
  podMinMemoryMb: fc.constantFrom(250, 0),
  confidenceIntervalCpuMs: fc.constantFrom(dayMs, 18 * minuteMs),
  confidenceIntervalMemoryMs: fc.constantFrom(dayMs),
  cpuHistogramDecayHalfLifeMs: fc.constantFrom(dayMs, 3_600_000, 7 * dayMs + 1),
  memoryHistogramDecayHalfLifeMs: fc.constantFrom(dayMs, 3_600_000),
  memoryAggregationIntervalMs: fc.constantFrom(dayMs, 3_600_000),
});

describe("sizeTenantQuota equals the VPA recommender (test-support/vpa-oracle.ts) on the same samples", () => {
  test("target, lower and upper bounds, bucket percentiles and confidence, with VPA's defaults", () => {
    fc.assert(
      fc.property(stream, (series) => {
        const usage = { namespace: "tenant", ...series };
        const plan = sizeTenantQuota({ usage: [usage], cluster });
        expectEqualsOracle(plan, 0, oracleFor(usage));
      }),
      { numRuns: 300 },
    );
  });

  test("with random recommender settings (percentiles, margin, floors, half-lives, intervals)", () => {
    fc.assert(
      fc.property(stream, recommenderConfig, (series, recommender) => {
        const usage = { namespace: "tenant", ...series };
        const plan = sizeTenantQuota({ usage: [usage], cluster, recommender });
        expectEqualsOracle(plan, 0, oracleFor(usage, { ...defaultVpaRecommenderConfig, ...recommender }));
      }),
      { numRuns: 150 },
    );
  });

  test("namespaces that share a sample grid share its weights and still each equal the oracle", () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 5 }), (series, copies) => {
        const usage = Array.from({ length: copies }, (_, k) => ({
          namespace: `t${k}`,
          startMs: series.startMs,
          stepMs: series.stepMs,
          cpuCores: series.cpuCores.map((v, i) => (i % (k + 1) === 0 ? v : v * (k + 1))),
          memoryBytes: series.memoryBytes.map((v, i) => (i % (k + 2) === 0 ? v / 2 : v)),
        }));
        const plan = sizeTenantQuota({ usage, cluster: { ...cluster, cpuCores: 1e6, memoryGib: 1e6 } });
        for (const [k, u] of usage.entries()) expectEqualsOracle(plan, k, oracleFor(u));
      }),
      { numRuns: 60 },
    );
  });

  test("30 days of 1-minute samples (43,200) with a daily pattern", () => {
    const usage = dailyPattern("payments", 30, 1.2, 3 * gibibyte);
    const plan = sizeTenantQuota({ usage: [usage], cluster });
    expectEqualsOracle(plan, 0, oracleFor(usage));
    expect(plan.namespaces[0]!.memoryPeaks).toBe(30);
  });

  test("a stream longer than 100 half-lives, where VPA moves its reference timestamp", () => {
    const usage = dailyPattern("long", 120, 0.3, gibibyte, 3_600_000);
    const plan = sizeTenantQuota({ usage: [usage], cluster });
    expectEqualsOracle(plan, 0, oracleFor(usage));
  });

  test("VPA's memory quirk: an interval whose first sample is 0 keeps 0 as its peak", () => {
    const usage = {
      namespace: "quirk",
      startMs: start,
      stepMs: 3_600_000,
      cpuCores: [0.1, 0.1, 0.1],
      memoryBytes: [0, 8 * gibibyte, 8 * gibibyte],
    };
    const plan = sizeTenantQuota({ usage: [usage], cluster });
    expectEqualsOracle(plan, 0, oracleFor(usage));
    // The 8 GiB never reached the histogram: the memory target is the 250 MiB floor.
    expect(plan.namespaces[0]!.memory.recommendation.target).toBe(250 * mebibyte);
  });
});

// ------------------------------------------------------------------------------- the plan

describe("sizeTenantQuota's plan", () => {
  const usage = [
    dailyPattern("payments", 30, 1.2, 3 * gibibyte),
    dailyPattern("search", 30, 0.2, 512 * mebibyte),
  ];
  const options: SizeTenantQuotaOptions = {
    usage,
    cluster,
    defaults: { containers: 4 },
    namespaces: {
      payments: {
        containers: 6,
        maxPods: 12,
        current: { requestsCpuCores: 8, requestsMemoryBytes: 16 * gibibyte },
        hpa: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
          minReplicas: 2,
          maxReplicas: 10,
        },
      },
    },
  };
  const plan = sizeTenantQuota(options);
  const payments = plan.namespaces[0]!;
  const search = plan.namespaces[1]!;

  test("manifests are valid Kubernetes objects (kubernetes-models schemas)", () => {
    // kubernetes-models' constructors let the data override apiVersion and kind, so validate() alone
    // would pass a LimitRange handed to ResourceQuota: each object's own apiVersion and kind are pinned.
    for (const ns of plan.namespaces) {
      expect([ns.manifests.resourceQuota.apiVersion, ns.manifests.resourceQuota.kind]).toEqual([
        "v1",
        "ResourceQuota",
      ]);
      expect([ns.manifests.limitRange.apiVersion, ns.manifests.limitRange.kind]).toEqual([
        "v1",
        "LimitRange",
      ]);
      const hpa = ns.manifests.horizontalPodAutoscaler;
      if (hpa !== null) {
        expect([hpa.apiVersion, hpa.kind]).toEqual(["autoscaling/v2", "HorizontalPodAutoscaler"]);
      }
      expect(new ResourceQuota(ns.manifests.resourceQuota as never).toJSON()).toMatchObject({
        apiVersion: "v1",
        kind: "ResourceQuota",
      });
      expect(() => new ResourceQuota(ns.manifests.resourceQuota as never).validate()).not.toThrow();
      expect(() => new LimitRange(ns.manifests.limitRange as never).validate()).not.toThrow();
    }
    expect(payments.manifests.horizontalPodAutoscaler).not.toBeNull();
    expect(() =>
      new HorizontalPodAutoscaler(payments.manifests.horizontalPodAutoscaler as never).validate(),
    ).not.toThrow();
    expect(search.manifests.horizontalPodAutoscaler).toBeNull();
    // The schema check is not vacuous: it checks quantity formats and required fields.
    expect(() =>
      new ResourceQuota({
        metadata: { name: "q" },
        spec: { hard: { "requests.cpu": "1.2 cores" } },
      } as never).validate(),
    ).toThrow(/quantity/);
    expect(() =>
      new LimitRange({ metadata: { name: "l" }, spec: { limits: [{ default: {} }] } } as never).validate(),
    ).toThrow(/type/);
  });

  test("the quota, LimitRange and HPA carry the sizes", () => {
    const hard = specOf<{ hard: Record<string, string> }>(payments.manifests.resourceQuota).hard;
    expect(hard).toEqual({
      "requests.cpu": `${payments.cpu.quotaRequestsMillicores}m`,
      "requests.memory": `${payments.memory.quotaRequestsMib}Mi`,
      "limits.cpu": `${payments.cpu.quotaLimitsMillicores}m`,
      "limits.memory": `${payments.memory.quotaLimitsMib}Mi`,
      pods: "12",
    });
    const limit = specOf<{ limits: Array<Record<string, unknown>> }>(payments.manifests.limitRange).limits[0];
    expect(limit).toEqual({
      type: "Container",
      default: {
        cpu: `${payments.cpu.limitPerContainerMillicores}m`,
        memory: `${payments.memory.limitPerContainerMib}Mi`,
      },
      defaultRequest: {
        cpu: `${payments.cpu.requestPerContainerMillicores}m`,
        memory: `${payments.memory.requestPerContainerMib}Mi`,
      },
      maxLimitRequestRatio: { cpu: "4", memory: "2" },
    });
    expect(payments.containers).toBe(6);
    expect(search.containers).toBe(4); // from defaults
    expect(search.pods).toBeNull();
    // A namespace's constraints override the defaults field by field, inside limitRequestRatio too.
    const merged = sizeTenantQuota({
      usage: [usage[1]!],
      cluster,
      defaults: { containers: 3, limitRequestRatio: { cpu: 3 } },
      namespaces: { search: { limitRequestRatio: { memory: 1.5 } } },
    }).namespaces[0]!;
    expect([merged.containers, merged.cpu.limitRequestRatio, merged.memory.limitRequestRatio]).toEqual([
      3, 3, 1.5,
    ]);
    expect("pods" in specOf<{ hard: object }>(search.manifests.resourceQuota).hard).toBe(false);
    const target = payments.cpu.recommendation.target;
    // The upper-bound percentile + margin, not VPA's upper bound (which carries the confidence multiplier).
    const upper = payments.cpu.recommendation.upperBoundWithoutConfidence;
    expect(upper).toBeLessThan(payments.cpu.recommendation.upperBound);
    expect(payments.hpaCpuUtilization).toBe(Math.floor((100 * target) / upper));
    const hpaSpec = (
      payments.manifests.horizontalPodAutoscaler as unknown as { spec: Record<string, unknown> }
    ).spec;
    expect(hpaSpec["minReplicas"]).toBe(2);
    expect(hpaSpec["maxReplicas"]).toBe(10);
  });

  test("per-container figures round the namespace's up and the quota is per container × containers", () => {
    fc.assert(
      fc.property(
        stream,
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 1, max: 8, noNaN: true }),
        fc.double({ min: 1, max: 8, noNaN: true }),
        (series, containers, cpuRatio, memoryRatio) => {
          const result = sizeTenantQuota({
            usage: [{ namespace: "n", ...series }],
            cluster,
            defaults: { containers, limitRequestRatio: { cpu: cpuRatio, memory: memoryRatio } },
          }).namespaces[0]!;
          for (const [resource, unit, ratio] of [
            [
              {
                request: result.cpu.requestPerContainerMillicores,
                limit: result.cpu.limitPerContainerMillicores,
                quotaRequests: result.cpu.quotaRequestsMillicores,
                quotaLimits: result.cpu.quotaLimitsMillicores,
                recommendation: result.cpu.recommendation,
              },
              1,
              cpuRatio,
            ],
            [
              {
                request: result.memory.requestPerContainerMib,
                limit: result.memory.limitPerContainerMib,
                quotaRequests: result.memory.quotaRequestsMib,
                quotaLimits: result.memory.quotaLimitsMib,
                recommendation: result.memory.recommendation,
              },
              mebibyte,
              memoryRatio,
            ],
          ] as const) {
            const { request, limit, recommendation } = resource;
            expect(request).toBe(Math.ceil(recommendation.target / containers / unit));
            expect(request * containers * unit).toBeGreaterThanOrEqual(recommendation.target);
            expect(limit).toBeGreaterThanOrEqual(request);
            // Kubernetes refuses a container whose limit / request exceeds maxLimitRequestRatio.
            expect(limit <= ratio * request || limit === request).toBe(true);
            expect(limit).toBeLessThanOrEqual(
              Math.max(request, Math.ceil(recommendation.upperBound / containers / unit)),
            );
            expect(resource.quotaRequests).toBe(request * containers);
            expect(resource.quotaLimits).toBe(limit * containers);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  test("costs come from allocateCosts by namespace, before (current quota or observed usage) and after", () => {
    const expected = (after: boolean) =>
      allocateCosts({
        nodes: [{ id: "cluster", ...cluster }],
        workloads: plan.namespaces.map((ns) => ({
          id: ns.namespace,
          nodeId: "cluster",
          namespace: ns.namespace,
          cpuRequestCores: after
            ? ns.cpu.quotaRequestsMillicores / 1000
            : ns.namespace === "payments"
              ? 8
              : 0,
          cpuUsageCores: ns.meanCpuCores,
          memoryRequestGib: after ? ns.memory.quotaRequestsMib / 1024 : ns.namespace === "payments" ? 16 : 0,
          memoryUsageGib: ns.meanMemoryBytes / gibibyte,
        })),
        groupBy: "namespace",
      });
    const before = expected(false);
    const after = expected(true);
    expect(payments.costBasis).toBe("current-quota");
    expect(search.costBasis).toBe("observed-usage");
    for (const ns of plan.namespaces) {
      expect(ns.costBeforeUsd).toBe(before.groups[ns.namespace]!.totalCostUsd);
      expect(ns.costAfterUsd).toBe(after.groups[ns.namespace]!.totalCostUsd);
      expect(ns.period).toBe("window");
      expect(Math.round(ns.savings.usd * 100)).toBe(Math.round((ns.costBeforeUsd - ns.costAfterUsd) * 100));
      expect(ns.savings.percent).toBeCloseTo((100 * ns.savings.usd) / ns.costBeforeUsd, 9);
      expect(ns.savings.lowUsd).toBeUndefined();
    }
    // Sizing from 8 cores / 16 GiB of requests to VPA's target saves money; sizing an unrequested
    // namespace to p90 + 15% costs more than its mean usage.
    expect(payments.savings.usd).toBeGreaterThan(0);
    expect(search.savings.usd).toBeLessThan(0);
    expect(plan.period).toBe("window");
    expect(plan.savings.usd).toBeCloseTo(plan.costBeforeUsd - plan.costAfterUsd, 9);
    expect(Math.round(plan.costBeforeUsd * 100)).toBe(
      Math.round(payments.costBeforeUsd * 100) + Math.round(search.costBeforeUsd * 100),
    );
    expect(plan.idleCostAfterUsd).toBe(after.idle.costUsd);
  });

  test("every namespace explains its numbers", () => {
    const text = payments.explanation.join("\n");
    expect(text).toContain(`target ${payments.cpu.recommendation.target}m`);
    expect(text).toContain(`averageUtilization ${payments.hpaCpuUtilization}%`);
    expect(text).toContain("43200 samples");
    expect(text).toContain(`$${payments.costAfterUsd}`);
    expect(plan.explanation.length).toBeGreaterThan(0);
  });

  test("a long, steady history carries no risk; the input is not changed and the plan is deterministic", () => {
    expect(plan.risks).toEqual([]);
    const copy = Float64Array.from(usage[0]!.cpuCores);
    const again = sizeTenantQuota(options);
    expect(usage[0]!.cpuCores).toEqual(copy);
    expect(again).toEqual(plan);
    expect(Object.isFrozen(plan)).toBe(true);
  });
});

describe("risks", () => {
  test("a short history is low confidence (high below one day) and VPA widens its upper bound", () => {
    const plan = sizeTenantQuota({ usage: [dailyPattern("new", 0.5, 0.5, gibibyte)], cluster });
    const ns = plan.namespaces[0]!;
    expect(ns.cpu.recommendation.confidence).toBeCloseTo(0.5, 2);
    expect(ns.cpu.recommendation.upperBoundMultiplier).toBeCloseTo(3, 1); // VPA: 12 h history → × 3
    expect(ns.risks.find((risk) => risk.kind === "low-confidence")?.severity).toBe("high");
    // × 3 is beyond the default memory limit ratio (2), within the CPU one (4): memory's limit is
    // capped below the upper bound and the plan says so.
    expect(ns.risks.map((risk) => risk.kind)).toEqual(["low-confidence", "oom-risk"]);
    const capped = sizeTenantQuota({
      usage: [dailyPattern("new", 0.5, 0.5, gibibyte)],
      cluster,
      defaults: { limitRequestRatio: { cpu: 2 } },
    });
    expect(capped.namespaces[0]!.risks.map((risk) => risk.kind)).toEqual([
      "low-confidence",
      "oom-risk",
      "cpu-throttling-risk",
    ]);
    const week = sizeTenantQuota({ usage: [dailyPattern("new", 3, 0.5, gibibyte)], cluster });
    expect(week.namespaces[0]!.risks.find((risk) => risk.kind === "low-confidence")?.severity).toBe("medium");
  });

  test("the HPA's target utilisation does not follow the history's length; a short history says so", () => {
    // A flat 0.5 cores: with VPA's upper bound (× (1 + 1/confidence)) the target was 7% after 2 h
    // and 96% after 30 days; against p95 + margin it is the same for both.
    const flat = (name: string, days: number) => {
      const n = Math.round((days * 86_400_000) / 60_000);
      return {
        namespace: name,
        startMs: 0,
        stepMs: 60_000,
        cpuCores: new Float64Array(n).fill(0.5),
        memoryBytes: new Float64Array(n).fill(gibibyte),
      };
    };
    const hpa = {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      maxReplicas: 4,
    };
    const short = sizeTenantQuota({ usage: [flat("short", 2 / 24)], cluster, defaults: { hpa } })
      .namespaces[0]!;
    const long = sizeTenantQuota({ usage: [flat("long", 30)], cluster, defaults: { hpa } }).namespaces[0]!;
    expect(short.cpu.recommendation.upperBoundMultiplier).toBeGreaterThan(10);
    expect(short.hpaCpuUtilization).toBe(long.hpaCpuUtilization);
    expect(long.hpaCpuUtilization).toBeGreaterThanOrEqual(90);
    const lowConfidence = short.risks.find((risk) => risk.kind === "low-confidence");
    expect(lowConfidence?.message).toContain(`HPA's ${short.hpaCpuUtilization}% target`);
    expect(long.risks.some((risk) => risk.kind === "low-confidence")).toBe(false);
  });

  test("OOM risk when the memory upper bound or an observed peak is above the limit", () => {
    const usage = dailyPattern("spiky", 10, 0.5, gibibyte);
    const memoryBytes = Float64Array.from(usage.memoryBytes);
    memoryBytes[5000] = 40 * gibibyte; // one spike
    const plan = sizeTenantQuota({
      usage: [{ ...usage, memoryBytes }],
      cluster,
      defaults: { limitRequestRatio: { memory: 1 } },
      minConfidenceDays: 1,
    });
    const risk = plan.namespaces[0]!.risks.find((r) => r.kind === "oom-risk");
    expect(risk?.severity).toBe("high");
    expect(risk?.message).toContain("OOM");
  });

  test("HPA that may outgrow the pod quota; a pool too small for the requests; usage beyond VPA's histograms", () => {
    const usage = dailyPattern("big", 10, 1500, 2e12, 3_600_000);
    const plan = sizeTenantQuota({
      usage: [usage],
      cluster,
      defaults: {
        maxPods: 5,
        hpa: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 8 },
      },
    });
    const kinds = plan.risks.map((risk) => risk.kind);
    expect(kinds).toContain("hpa-exceeds-pod-quota");
    expect(kinds).toContain("cluster-overcommitted");
    expect(kinds).toContain("beyond-histogram-range");
    expect(plan.risks.find((risk) => risk.kind === "cluster-overcommitted")?.namespace).toBeNull();
  });
});

// ------------------------------------------------------------------------------- bad input

describe("bad input raises EnisError naming the field and the value", () => {
  const good = {
    namespace: "a",
    startMs: start,
    stepMs: minuteMs,
    cpuCores: [0.1, 0.2],
    memoryBytes: [1e8, 2e8],
  };
  const cases: Array<[string, unknown, string, string]> = [
    [
      "negative usage",
      { usage: [{ ...good, cpuCores: [0.1, -1] }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].cpuCores[1] must be a finite number >= 0, got -1",
    ],
    [
      "NaN",
      { usage: [{ ...good, memoryBytes: new Float64Array([1, Number.NaN]) }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].memoryBytes[1] must be a finite number >= 0, got NaN",
    ],
    [
      "a string sample",
      { usage: [{ ...good, cpuCores: [0.1, "2"] }], cluster },
      "INVALID_OPTIONS",
      'options.usage[0].cpuCores[1] must be a finite number >= 0, got "2"',
    ],
    [
      "a CPU sample beyond allocateCosts' range (it named options.workloads[0].cpuUsageCores)",
      { usage: [{ ...good, cpuCores: [0.1, 2e9] }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].cpuCores[1] must be a finite number from 0 to 1000000000 (cores), got 2000000000",
    ],
    [
      "a memory sample beyond allocateCosts' range",
      { usage: [{ ...good, memoryBytes: [1e8, 2e18] }], cluster },
      "INVALID_OPTIONS",
      `options.usage[0].memoryBytes[1] must be a finite number from 0 to ${1e9 * 1024 ** 3} (bytes, 1e9 GiB), got 2000000000000000000`,
    ],
    [
      "a null sample",
      { usage: [{ ...good, memoryBytes: [null, 1] }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].memoryBytes[0] must be a finite number >= 0, got null",
    ],
    [
      "HPA target name",
      {
        usage: [good],
        cluster,
        defaults: {
          hpa: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "Api" }, maxReplicas: 2 },
        },
      },
      "INVALID_OPTIONS",
      "options.defaults.hpa.scaleTargetRef.name must be a DNS-1123 subdomain",
    ],
    [
      "Infinity",
      { usage: [{ ...good, cpuCores: [Number.POSITIVE_INFINITY, 1] }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].cpuCores[0] must be a finite number >= 0, got Infinity",
    ],
    [
      "empty samples",
      { usage: [{ ...good, cpuCores: new Float64Array(0), memoryBytes: [] }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].cpuCores must be a non-empty list of samples, got a Float64Array of 0",
    ],
    [
      "lengths differ",
      { usage: [{ ...good, memoryBytes: [1] }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].memoryBytes must have as many samples as cpuCores (2), got an array of 1",
    ],
    [
      "no namespaces",
      { usage: [], cluster },
      "INVALID_OPTIONS",
      "options.usage must be a non-empty list, got an array of 0",
    ],
    [
      "unknown namespace in constraints",
      {
        usage: [good, { ...good, namespace: "payments" }],
        cluster,
        namespaces: { paymnets: { containers: 2 } },
      },
      "INVALID_OPTIONS",
      'options.namespaces["paymnets"] must be a namespace of options.usage (did you mean "payments"?), got "paymnets"',
    ],
    [
      "duplicate namespace",
      { usage: [good, good], cluster },
      "DUPLICATE_ID",
      'options.usage[1].namespace must be unique, got "a" twice',
    ],
    [
      "bad namespace name",
      { usage: [{ ...good, namespace: "Team_A" }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].namespace must be a DNS-1123 label",
    ],
    [
      "fractional step",
      { usage: [{ ...good, stepMs: 0.5 }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].stepMs must be an integer, got 0.5",
    ],
    [
      "samples not numbers",
      { usage: [{ ...good, cpuCores: "1,2" }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].cpuCores must be a Float64Array, a Float32Array or an array of numbers",
    ],
    [
      "unknown option",
      { usage: [good], cluster, recomender: {} },
      "INVALID_OPTIONS",
      'options.recomender is not a known option (did you mean "recommender"?)',
    ],
    [
      "cluster cost both ways",
      { usage: [good], cluster: { ...cluster, hourlyPriceUsd: 1, hours: 2 } },
      "INVALID_OPTIONS",
      "options.cluster must be given either costUsd, or hourlyPriceUsd and hours",
    ],
    [
      "percentile above 1",
      { usage: [good], cluster, recommender: { targetCpuPercentile: 90 } },
      "INVALID_OPTIONS",
      "options.recommender.targetCpuPercentile must be at most 1, got 90",
    ],
    [
      "limit ratio below 1",
      { usage: [good], cluster, defaults: { limitRequestRatio: { cpu: 0.5 } } },
      "INVALID_OPTIONS",
      "options.defaults.limitRequestRatio.cpu must be at least 1, got 0.5",
    ],
    [
      "last sample after 8.64e15",
      { usage: [{ ...good, startMs: 8.64e15 }], cluster },
      "INVALID_OPTIONS",
      "options.usage[0].startMs must be such that the last sample is at most 8640000000000000 ms",
    ],
  ];
  test.each(cases)("%s", (_name, options, code, message) => {
    const error = thrown(() => sizeTenantQuota(options as SizeTenantQuotaOptions));
    expect(error.code).toBe(code);
    expect(error.message.startsWith(message)).toBe(true);
  });
});
