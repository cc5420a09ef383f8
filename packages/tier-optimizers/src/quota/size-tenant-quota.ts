import { EnisError } from "@enis/core";
import { describeValue, editDistance, invalidField, parseOptions } from "@enis/core/validate";
import { allocateCosts, type CostAllocation, type ResourcePrices } from "@enis/cost-model";
import { z } from "zod";
import { type PlanSavings, planSavings } from "../plan.js";
import {
  type CpuGridCache,
  defaultVpaRecommenderConfig,
  estimateVpa,
  SampleError,
  type VpaEstimate,
  type VpaRecommenderConfig,
  type VpaResourceEstimate,
} from "./vpa.js";

const mebibyte = 1024 * 1024;
const gibibyte = 1024 * mebibyte;
const dayMs = 86_400_000;
/** The largest time ENIS accepts (conventions: 0 … 8.64e15 ms). */
const maxTimeMs = 8.64e15;
/** The largest sample `allocateCosts` can take (its 1e9 cores and 1e9 GiB). */
const maxSampleCpuCores = 1e9;
const maxSampleMemoryBytes = 1e9 * gibibyte;

/**
 * One namespace's measured usage on a regular grid: sample i was taken at `startMs + i × stepMs`.
 * Samples are columns, not objects, so that 1,000 namespaces × 30 days of 1-minute samples (43.2
 * million samples) are two typed arrays per namespace.
 */
export interface NamespaceUsage {
  /** The namespace, a DNS-1123 label (lower-case letters, digits and "-", at most 63 characters). */
  readonly namespace: string;
  /** Time of sample 0, milliseconds since the epoch, a whole number from 0 to 8.64e15. */
  readonly startMs: number;
  /** Time between samples, whole milliseconds ≥ 1 (VPA's recommender samples every 60,000). */
  readonly stepMs: number;
  /**
   * CPU used by the whole namespace at each sample, cores, finite and ≥ 0. VPA keeps usage in whole
   * millicores, so 0.0125 cores counts as 12 millicores.
   */
  readonly cpuCores: ArrayLike<number>;
  /** Memory used (working set) by the whole namespace at each sample, bytes, finite and ≥ 0; as many samples as `cpuCores`. */
  readonly memoryBytes: ArrayLike<number>;
}

/** What the namespace's quota requests are today, to price the plan against. */
export interface CurrentQuota {
  /** The namespace's `requests.cpu` today, cores, from 0 to 1e9. */
  readonly requestsCpuCores: number;
  /** The namespace's `requests.memory` today, bytes, from 0 to 1e18. */
  readonly requestsMemoryBytes: number;
}

/** The workload an emitted HorizontalPodAutoscaler scales. */
export interface QuotaHpaTarget {
  /** `scaleTargetRef`: the object scaled, e.g. `{ apiVersion: "apps/v1", kind: "Deployment", name: "api" }`. */
  readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  /** Fewest replicas, a whole number ≥ 1. @default 1 */
  readonly minReplicas?: number;
  /** Most replicas, a whole number ≥ `minReplicas`. */
  readonly maxReplicas: number;
}

/** The caller's constraints for a namespace (or, in `defaults`, for every namespace). */
export interface NamespaceQuotaConstraints {
  /**
   * Containers the namespace runs at once, a whole number ≥ 1: the LimitRange's per-container
   * defaults are the namespace's figures divided by it (rounded up). @default 1
   */
  readonly containers?: number;
  /** The quota's `pods`, a whole number ≥ 1. @default no pod limit */
  readonly maxPods?: number;
  /**
   * Largest limit / request per container (the LimitRange's `maxLimitRequestRatio`), each ≥ 1: the
   * limit is VPA's upper bound, at most this multiple of the request. @default { cpu: 4, memory: 2 }
   */
  readonly limitRequestRatio?: { readonly cpu?: number; readonly memory?: number };
  /** Today's quota requests; without them the plan is priced against the observed mean usage. */
  readonly current?: CurrentQuota;
  /** Emit a HorizontalPodAutoscaler (autoscaling/v2) for this workload. @default none */
  readonly hpa?: QuotaHpaTarget;
}

/**
 * The nodes the namespaces share, priced by `@enis/cost-model`'s `allocateCosts` (one pool: its
 * capacity and its cost over the same window as the samples). Give `costUsd`, or `hourlyPriceUsd`
 * and `hours`.
 */
export interface QuotaCluster {
  /** Cores of the pool, > 0. */
  readonly cpuCores: number;
  /** Memory of the pool, GiB, > 0. */
  readonly memoryGib: number;
  /** Cost of the pool over the window, US dollars. */
  readonly costUsd?: number;
  /** Price of the pool per hour, US dollars (with `hours`). */
  readonly hourlyPriceUsd?: number;
  /** Hours of the window (with `hourlyPriceUsd`). */
  readonly hours?: number;
  /** Ratio that splits the pool's cost between CPU and memory. @default cost-model's `defaultResourcePrices` (OpenCost's) */
  readonly resourcePrices?: ResourcePrices;
}

/** Options of {@link sizeTenantQuota}. */
export interface SizeTenantQuotaOptions {
  /** Each namespace's usage, a non-empty list; namespaces unique. */
  readonly usage: readonly NamespaceUsage[];
  /** The nodes the namespaces run on, and what they cost. */
  readonly cluster: QuotaCluster;
  /** Constraints for every namespace; a namespace's own entry in `namespaces` overrides them field by field. */
  readonly defaults?: NamespaceQuotaConstraints;
  /** Constraints per namespace; every key must be a namespace of `usage`. */
  readonly namespaces?: Readonly<Record<string, NamespaceQuotaConstraints>>;
  /** VPA recommender settings (its command-line flags). @default VPA's defaults */
  readonly recommender?: Partial<VpaRecommenderConfig>;
  /** A history shorter than this many days of VPA confidence is a `low-confidence` risk, ≥ 0. @default 7 */
  readonly minConfidenceDays?: number;
}

/** A risk the plan carries. */
export type QuotaRiskKind =
  | "low-confidence"
  | "oom-risk"
  | "cpu-throttling-risk"
  | "beyond-histogram-range"
  | "hpa-exceeds-pod-quota"
  | "cluster-overcommitted";

/** One risk of a plan, with the numbers behind it. */
export interface QuotaRisk {
  /** What kind of risk. */
  readonly kind: QuotaRiskKind;
  /** How bad: `"high"` can break workloads (OOM kills, no history), `"medium"` degrades them, `"low"` is informative. */
  readonly severity: "low" | "medium" | "high";
  /** The namespace, or null for the cluster. */
  readonly namespace: string | null;
  /** The risk in words and numbers. */
  readonly message: string;
}

/** A Kubernetes object, as plain data. */
export type QuotaManifest = Readonly<Record<string, unknown>> & {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
};

/** The CPU figures of a namespace's plan, in millicores (the manifests' `m` quantities). */
export interface QuotaCpuPlan {
  /** VPA's recommendation for the whole namespace (bounds in millicores, percentiles in cores) and the histogram values behind it. */
  readonly recommendation: VpaResourceEstimate;
  /** Per container: the LimitRange's `defaultRequest.cpu`, millicores. */
  readonly requestPerContainerMillicores: number;
  /** Per container: the LimitRange's `default.cpu` limit, millicores. */
  readonly limitPerContainerMillicores: number;
  /** The quota's `requests.cpu`: `requestPerContainerMillicores × containers`. */
  readonly quotaRequestsMillicores: number;
  /** The quota's `limits.cpu`: `limitPerContainerMillicores × containers`. */
  readonly quotaLimitsMillicores: number;
  /** The limit / request ratio applied. */
  readonly limitRequestRatio: number;
}

/** The memory figures of a namespace's plan, in MiB (the manifests' `Mi` quantities). */
export interface QuotaMemoryPlan {
  /** VPA's recommendation for the whole namespace (bytes) and the histogram values behind it. */
  readonly recommendation: VpaResourceEstimate;
  /** Per container: the LimitRange's `defaultRequest.memory`, MiB. */
  readonly requestPerContainerMib: number;
  /** Per container: the LimitRange's `default.memory` limit, MiB. */
  readonly limitPerContainerMib: number;
  /** The quota's `requests.memory`: `requestPerContainerMib × containers`. */
  readonly quotaRequestsMib: number;
  /** The quota's `limits.memory`: `limitPerContainerMib × containers`. */
  readonly quotaLimitsMib: number;
  /** The limit / request ratio applied. */
  readonly limitRequestRatio: number;
}

/** The plan for one namespace. */
export interface NamespaceQuotaPlan {
  /** The namespace. */
  readonly namespace: string;
  /** Samples used. */
  readonly samples: number;
  /** Time from the first sample to the last, ms. */
  readonly historyMs: number;
  /** Memory peaks kept (one per 24 h interval). */
  readonly memoryPeaks: number;
  /** Mean CPU usage over the samples, cores (what the allocation prices as usage). */
  readonly meanCpuCores: number;
  /** Mean memory usage, bytes. */
  readonly meanMemoryBytes: number;
  /** Highest CPU sample, cores. */
  readonly maxCpuCores: number;
  /** Highest memory sample, bytes. */
  readonly maxMemoryBytes: number;
  /** Containers the per-container defaults are divided by. */
  readonly containers: number;
  /** CPU: millicores. */
  readonly cpu: QuotaCpuPlan;
  /** Memory: VPA figures in bytes, per-container and quota figures in MiB. */
  readonly memory: QuotaMemoryPlan;
  /** The quota's `pods`, or null without `maxPods`. */
  readonly pods: number | null;
  /**
   * The HPA's target CPU utilisation (percent of the request), or null without `hpa`:
   * ⌊100 × target / `cpu.recommendation.upperBoundWithoutConfidence`⌋ (1 … 100), the upper-bound
   * percentile + margin without VPA's confidence multiplier, so that it does not follow the history's
   * length; a short history is a `low-confidence` risk instead.
   */
  readonly hpaCpuUtilization: number | null;
  /** The Kubernetes objects to apply. */
  readonly manifests: {
    readonly resourceQuota: QuotaManifest;
    readonly limitRange: QuotaManifest;
    readonly horizontalPodAutoscaler: QuotaManifest | null;
  };
  /** What the cost before is: the current quota's requests, or the observed mean usage. */
  readonly costBasis: "current-quota" | "observed-usage";
  /** The namespace's allocated cost before, over the `period`, US dollars in whole cents. */
  readonly costBeforeUsd: number;
  /** The namespace's allocated cost with the recommended requests, over the `period`, US dollars in whole cents. */
  readonly costAfterUsd: number;
  /** Always `"window"`: the window `cluster.costUsd` (or `hourlyPriceUsd × hours`) covers. */
  readonly period: "window";
  /**
   * `costBeforeUsd − costAfterUsd` in whole cents (negative when the plan reserves more) and its
   * percentage of `costBeforeUsd` (null when that is 0). No range: no forecast is involved.
   */
  readonly savings: PlanSavings;
  /** This namespace's risks. */
  readonly risks: readonly QuotaRisk[];
  /** Every number above, explained. */
  readonly explanation: readonly string[];
}

/** What {@link sizeTenantQuota} returns. */
export interface TenantQuotaPlan {
  /** One plan per namespace, in input order. */
  readonly namespaces: readonly NamespaceQuotaPlan[];
  /** Σ namespaces' cost before, over the `period`, US dollars (whole cents). */
  readonly costBeforeUsd: number;
  /** Σ namespaces' cost after, over the `period`, US dollars (whole cents). */
  readonly costAfterUsd: number;
  /**
   * Always `"window"`: the window the cluster's cost covers — `cluster.costUsd`, or
   * `cluster.hourlyPriceUsd × cluster.hours` — which is meant to be the samples' window. The plan
   * does not convert it to a month: scale by (730 h / the window's hours) for a monthly figure.
   */
  readonly period: "window";
  /** `costBeforeUsd − costAfterUsd` (whole cents) and its percentage of `costBeforeUsd` (null when that is 0). */
  readonly savings: PlanSavings;
  /** Cluster cost no namespace's requests or usage take, before. */
  readonly idleCostBeforeUsd: number;
  /** The same after. */
  readonly idleCostAfterUsd: number;
  /** Every risk: the namespaces' and the cluster's. */
  readonly risks: readonly QuotaRisk[];
  /** The allocations the costs come from (`allocateCosts`, grouped by namespace). */
  readonly allocationBefore: CostAllocation;
  /** The allocation with the recommended requests. */
  readonly allocationAfter: CostAllocation;
  /** The recommender settings used. */
  readonly recommender: VpaRecommenderConfig;
  /** The plan in words. */
  readonly explanation: readonly string[];
}

// ------------------------------------------------------------------------------------- validation

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const samplesSchema = z.custom<ArrayLike<number>>(
  (value) => value instanceof Float64Array || value instanceof Float32Array || Array.isArray(value),
  "a Float64Array, a Float32Array or an array of numbers",
);
const usageSchema = z.strictObject({
  namespace: z
    .string()
    .max(63)
    .regex(
      dns1123Label,
      "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)",
    ),
  startMs: z.number().int().min(0).max(maxTimeMs),
  stepMs: z.number().int().min(1).max(maxTimeMs),
  cpuCores: samplesSchema,
  memoryBytes: samplesSchema,
});
const ratio = z.number().min(1).max(1000);
const constraintsSchema = z.strictObject({
  containers: z.number().int().min(1).max(1_000_000).optional(),
  maxPods: z.number().int().min(1).max(1_000_000_000).optional(),
  limitRequestRatio: z.strictObject({ cpu: ratio.optional(), memory: ratio.optional() }).optional(),
  current: z
    .strictObject({
      requestsCpuCores: z.number().min(0).max(1e9),
      requestsMemoryBytes: z.number().min(0).max(1e18),
    })
    .optional(),
  hpa: z
    .strictObject({
      scaleTargetRef: z.strictObject({
        apiVersion: z.string().min(1),
        kind: z.string().min(1),
        name: z
          .string()
          .max(253)
          .regex(
            /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
            "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')",
          ),
      }),
      minReplicas: z.number().int().min(1).max(1_000_000).optional(),
      maxReplicas: z.number().int().min(1).max(1_000_000),
    })
    .optional(),
});
const price = z.number().positive().max(1e6);
const clusterSchema = z.strictObject({
  cpuCores: z.number().positive().max(1e9),
  memoryGib: z.number().positive().max(1e9),
  costUsd: z.number().min(0).max(1e11).optional(),
  hourlyPriceUsd: z.number().min(0).max(1e6).optional(),
  hours: z.number().min(0).max(1e6).optional(),
  resourcePrices: z
    .strictObject({ cpuCoreHourUsd: price, memoryGibHourUsd: price, gpuHourUsd: z.number().min(0).max(1e6) })
    .optional(),
});
const percentile = z.number().gt(0).max(1);
const durationMs = z.number().int().min(1).max(1e12);
const recommenderSchema = z.strictObject({
  targetCpuPercentile: percentile.optional(),
  lowerBoundCpuPercentile: percentile.optional(),
  upperBoundCpuPercentile: percentile.optional(),
  targetMemoryPercentile: percentile.optional(),
  lowerBoundMemoryPercentile: percentile.optional(),
  upperBoundMemoryPercentile: percentile.optional(),
  safetyMarginFraction: z.number().min(0).max(100).optional(),
  podMinCpuMillicores: z.number().min(0).max(1e9).optional(),
  podMinMemoryMb: z.number().min(0).max(1e9).optional(),
  confidenceIntervalCpuMs: durationMs.optional(),
  confidenceIntervalMemoryMs: durationMs.optional(),
  cpuHistogramDecayHalfLifeMs: durationMs.optional(),
  memoryHistogramDecayHalfLifeMs: durationMs.optional(),
  memoryAggregationIntervalMs: durationMs.optional(),
});
const optionsSchema = z.strictObject({
  usage: z.array(usageSchema).min(1),
  cluster: clusterSchema,
  defaults: constraintsSchema.optional(),
  namespaces: z.record(z.string(), constraintsSchema).optional(),
  recommender: recommenderSchema.optional(),
  minConfidenceDays: z.number().min(0).max(1e6).optional(),
});

type ParsedConstraints = z.output<typeof constraintsSchema>;

/** A namespace's constraints with the defaults applied. */
interface Resolved {
  readonly containers: number;
  readonly maxPods: number | undefined;
  readonly cpuRatio: number;
  readonly memoryRatio: number;
  readonly current: CurrentQuota | undefined;
  readonly hpa: ParsedConstraints["hpa"];
}

function resolveConstraints(
  defaults: ParsedConstraints | undefined,
  own: ParsedConstraints | undefined,
): Resolved {
  return {
    containers: own?.containers ?? defaults?.containers ?? 1,
    maxPods: own?.maxPods ?? defaults?.maxPods,
    cpuRatio: own?.limitRequestRatio?.cpu ?? defaults?.limitRequestRatio?.cpu ?? 4,
    memoryRatio: own?.limitRequestRatio?.memory ?? defaults?.limitRequestRatio?.memory ?? 2,
    current: own?.current ?? defaults?.current,
    hpa: own?.hpa ?? defaults?.hpa,
  };
}

function describeSamples(value: ArrayLike<number>): string {
  return Array.isArray(value)
    ? `an array of ${value.length}`
    : `a ${value.constructor.name} of ${value.length}`;
}

// ------------------------------------------------------------------------------------- formatting

const cpuQuantity = (millicores: number): string => `${millicores}m`;
const memoryQuantity = (mebibytes: number): string => `${mebibytes}Mi`;
const cores = (millicores: number): string => `${millicores / 1000} cores`;
const fmt = (x: number, digits = 4): string =>
  Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : String(x);
const mib = (bytes: number): string => `${fmt(bytes / mebibyte, 7)} MiB`;
const cents = (usd: number): number => Math.round(usd * 100);
const usd = (centsValue: number): number => centsValue / 100;

function resourceLines(
  name: "cpu" | "memory",
  estimate: VpaResourceEstimate,
  config: VpaRecommenderConfig,
): string[] {
  const isCpu = name === "cpu";
  const show = (amount: number): string => (isCpu ? `${amount}m` : mib(amount));
  const raw = (value: number): string => (isCpu ? `${fmt(value, 6)} cores` : mib(value));
  const p = isCpu
    ? [config.lowerBoundCpuPercentile, config.targetCpuPercentile, config.upperBoundCpuPercentile]
    : [config.lowerBoundMemoryPercentile, config.targetMemoryPercentile, config.upperBoundMemoryPercentile];
  const margin = config.safetyMarginFraction;
  return [
    `${name}: p${fmt(p[1]! * 100)} of the ${isCpu ? "decaying CPU histogram" : "decaying histogram of daily memory peaks"} ends at ${raw(estimate.targetPercentile)}; + ${fmt(margin * 100)}% margin, floor ${show(estimate.floor)} → target ${show(estimate.target)}`,
    `${name}: lower bound p${fmt(p[0]! * 100)} = ${raw(estimate.lowerBoundPercentile)} + margin, × (1 + 0.001/${fmt(estimate.confidence)})^-2 = × ${fmt(estimate.lowerBoundMultiplier)} → ${show(estimate.lowerBound)}`,
    `${name}: upper bound p${fmt(p[2]! * 100)} = ${raw(estimate.upperBoundPercentile)} + margin, × (1 + 1/${fmt(estimate.confidence)}) = × ${fmt(estimate.upperBoundMultiplier)} → ${show(estimate.upperBound)}`,
  ];
}

// ------------------------------------------------------------------------------------- the planner

/**
 * Sizes each tenant namespace's ResourceQuota, LimitRange and (optionally) HorizontalPodAutoscaler
 * from its measured usage, with the Vertical Pod Autoscaler recommender's semantics, and prices the
 * change with `@enis/cost-model`'s `allocateCosts` by namespace. Pure: the plan is data.
 *
 * Per namespace, VPA's recommender (kubernetes/autoscaler at commit 55c37cd5, default flags):
 * - CPU: every sample into a decaying histogram (weight 0.1 × 2^(age / 24 h), buckets from 0.01 core
 *   growing 5%); memory: one peak per 24 h interval into the same kind of histogram (from 1e7 B);
 * - target = p90 + 15%, lower bound = p50 + 15% × (1 + 0.001/c)^−2, upper bound = p95 + 15% ×
 *   (1 + 1/c), where c is VPA's confidence (days of history, or samples / 1440 if fewer), each at
 *   least 25 millicores / 250 MiB; percentiles are bucket ends, exactly as VPA returns them.
 *
 * Then: requests = target; limits = upper bound, at most `limitRequestRatio` × the request; per
 * container = namespace figure / `containers`, rounded up to a millicore / MiB; quota = per
 * container × containers. HPA target utilisation = ⌊100 × target / (p95 + margin)⌋ (1 … 100): the
 * load at which a burst up to the upper-bound percentile still fits in the request. VPA's confidence
 * multiplier is left out there (with it, 2 h of history gave 7% and 30 days 96%); a short history is
 * a `low-confidence` risk that names the HPA.
 *
 * Costs are for the window the cluster's cost covers (`period: "window"`), not a month.
 *
 * @throws EnisError `INVALID_OPTIONS` for a bad option or sample (negative, NaN, infinite; an empty
 *   series; series of different lengths; a constraint for a namespace not in `usage`), naming the
 *   field and the value; `DUPLICATE_ID` for a namespace given twice.
 *
 * @example
 * ```ts
 * const plan = sizeTenantQuota({
 *   usage: [{ namespace: "team-a", startMs, stepMs: 60_000, cpuCores, memoryBytes }],
 *   cluster: { cpuCores: 64, memoryGib: 256, costUsd: 2_000 },
 *   namespaces: { "team-a": { containers: 6, current: { requestsCpuCores: 8, requestsMemoryBytes: 32 * 2 ** 30 } } },
 * });
 * plan.namespaces[0].manifests.resourceQuota; // kubectl apply -f
 * ```
 */
export function sizeTenantQuota(options: SizeTenantQuotaOptions): TenantQuotaPlan {
  const parsed = parseOptions(optionsSchema, options, "options");
  const overrides: Record<string, number> = {};
  for (const [key, value] of Object.entries(parsed.recommender ?? {}))
    if (value !== undefined) overrides[key] = value;
  const config: VpaRecommenderConfig = Object.freeze({ ...defaultVpaRecommenderConfig, ...overrides });
  const minConfidenceDays = parsed.minConfidenceDays ?? 7;

  // Namespaces unique; series non-empty, equal lengths, inside the time range.
  const index = new Map<string, number>();
  parsed.usage.forEach((series, k) => {
    const at = `options.usage[${k}]`;
    if (index.has(series.namespace)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${at}.namespace must be unique, got ${describeValue(series.namespace)} twice`,
        { field: `${at}.namespace` },
      );
    }
    index.set(series.namespace, k);
    if (series.cpuCores.length === 0) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${at}.cpuCores must be a non-empty list of samples, got ${describeSamples(series.cpuCores)}`,
        { field: `${at}.cpuCores` },
      );
    }
    if (series.memoryBytes.length !== series.cpuCores.length) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${at}.memoryBytes must have as many samples as cpuCores (${series.cpuCores.length}), got ${describeSamples(series.memoryBytes)}`,
        { field: `${at}.memoryBytes` },
      );
    }
    const endMs = series.startMs + (series.cpuCores.length - 1) * series.stepMs;
    if (endMs > maxTimeMs) {
      throw invalidField(
        `${at}.startMs`,
        series.startMs,
        `such that the last sample is at most ${maxTimeMs} ms (it would be at ${endMs})`,
      );
    }
  });
  const namespaceNames = [...index.keys()];
  for (const name of Object.keys(parsed.namespaces ?? {})) {
    if (!index.has(name)) {
      let best = "";
      let bestDistance = Number.POSITIVE_INFINITY;
      for (const candidate of namespaceNames) {
        const distance = editDistance(name, candidate);
        if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
      }
      const hint =
        bestDistance <= Math.max(2, Math.floor(name.length / 3))
          ? ` (did you mean ${JSON.stringify(best)}?)`
          : "";
      throw invalidField(
        `options.namespaces[${JSON.stringify(name)}]`,
        name,
        `a namespace of options.usage${hint}`,
      );
    }
  }
  const cluster = parsed.cluster;
  const byCost = cluster.costUsd !== undefined;
  const byHour = cluster.hourlyPriceUsd !== undefined || cluster.hours !== undefined;
  if (
    byCost === byHour ||
    (byHour && (cluster.hourlyPriceUsd === undefined || cluster.hours === undefined))
  ) {
    throw invalidField(
      "options.cluster",
      options.cluster,
      "given either costUsd, or hourlyPriceUsd and hours",
    );
  }

  // VPA estimates.
  const cache: CpuGridCache = new Map();
  const estimates: VpaEstimate[] = parsed.usage.map((series, k) => {
    try {
      return estimateVpa(series.startMs, series.stepMs, series.cpuCores, series.memoryBytes, config, cache);
    } catch (error) {
      if (error instanceof SampleError) {
        throw invalidField(
          `options.usage[${k}].${error.series}[${error.index}]`,
          error.value,
          "a finite number >= 0",
        );
      }
      throw error;
    }
  });
  // allocateCosts (cost-model) takes at most 1e9 cores and 1e9 GiB; a larger sample is refused here,
  // under its own name, rather than there as options.workloads[k].cpuUsageCores.
  parsed.usage.forEach((series, k) => {
    const estimate = estimates[k]!;
    for (const [name, largest, limit, unit] of [
      ["cpuCores", estimate.maxCpuCores, maxSampleCpuCores, "cores"],
      ["memoryBytes", estimate.maxMemoryBytes, maxSampleMemoryBytes, "bytes, 1e9 GiB"],
    ] as const) {
      if (largest <= limit) continue;
      const values = series[name];
      let i = 0;
      while (!(values[i]! > limit)) i++;
      throw invalidField(
        `options.usage[${k}].${name}[${i}]`,
        values[i],
        `a finite number from 0 to ${limit} (${unit})`,
      );
    }
  });

  // Sizes, manifests, risks.
  type Draft = Omit<
    NamespaceQuotaPlan,
    "costBeforeUsd" | "costAfterUsd" | "period" | "savings" | "explanation"
  > & {
    explanation: string[];
    resolved: Resolved;
  };
  const drafts: Draft[] = parsed.usage.map((series, k) => {
    const estimate = estimates[k]!;
    const resolved = resolveConstraints(parsed.defaults, parsed.namespaces?.[series.namespace]);
    const ns = series.namespace;
    const c = resolved.containers;
    const cpuRequest = Math.ceil(estimate.cpu.target / c);
    const cpuLimit = Math.max(
      cpuRequest,
      Math.min(Math.ceil(estimate.cpu.upperBound / c), Math.floor(resolved.cpuRatio * cpuRequest)),
    );
    const memoryRequest = Math.ceil(estimate.memory.target / c / mebibyte);
    const memoryLimit = Math.max(
      memoryRequest,
      Math.min(
        Math.ceil(estimate.memory.upperBound / c / mebibyte),
        Math.floor(resolved.memoryRatio * memoryRequest),
      ),
    );
    const cpu: QuotaCpuPlan = {
      recommendation: estimate.cpu,
      requestPerContainerMillicores: cpuRequest,
      limitPerContainerMillicores: cpuLimit,
      quotaRequestsMillicores: cpuRequest * c,
      quotaLimitsMillicores: cpuLimit * c,
      limitRequestRatio: resolved.cpuRatio,
    };
    const memory: QuotaMemoryPlan = {
      recommendation: estimate.memory,
      requestPerContainerMib: memoryRequest,
      limitPerContainerMib: memoryLimit,
      quotaRequestsMib: memoryRequest * c,
      quotaLimitsMib: memoryLimit * c,
      limitRequestRatio: resolved.memoryRatio,
    };
    const pods = resolved.maxPods ?? null;
    const hpaCpuUtilization =
      resolved.hpa === undefined
        ? null
        : estimate.cpu.upperBoundWithoutConfidence === 0
          ? 100 // no CPU at all and a floor of 0: nothing to burst to
          : Math.min(
              100,
              Math.max(1, Math.floor((100 * estimate.cpu.target) / estimate.cpu.upperBoundWithoutConfidence)),
            );

    const hard: Record<string, string> = {
      "requests.cpu": cpuQuantity(cpu.quotaRequestsMillicores),
      "requests.memory": memoryQuantity(memory.quotaRequestsMib),
      "limits.cpu": cpuQuantity(cpu.quotaLimitsMillicores),
      "limits.memory": memoryQuantity(memory.quotaLimitsMib),
    };
    if (pods !== null) hard["pods"] = String(pods);
    const labels = { "app.kubernetes.io/managed-by": "enis-governance" };
    const resourceQuota: QuotaManifest = {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "enis-tenant-quota", namespace: ns, labels },
      spec: { hard },
    };
    const limitRange: QuotaManifest = {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "enis-container-defaults", namespace: ns, labels },
      spec: {
        limits: [
          {
            type: "Container",
            default: { cpu: cpuQuantity(cpuLimit), memory: memoryQuantity(memoryLimit) },
            defaultRequest: { cpu: cpuQuantity(cpuRequest), memory: memoryQuantity(memoryRequest) },
            maxLimitRequestRatio: { cpu: String(resolved.cpuRatio), memory: String(resolved.memoryRatio) },
          },
        ],
      },
    };
    const hpa = resolved.hpa;
    const horizontalPodAutoscaler: QuotaManifest | null =
      hpa === undefined || hpaCpuUtilization === null
        ? null
        : {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: { name: hpa.scaleTargetRef.name, namespace: ns, labels },
            spec: {
              scaleTargetRef: { ...hpa.scaleTargetRef },
              minReplicas: hpa.minReplicas ?? 1,
              maxReplicas: hpa.maxReplicas,
              metrics: [
                {
                  type: "Resource",
                  resource: {
                    name: "cpu",
                    target: { type: "Utilization", averageUtilization: hpaCpuUtilization },
                  },
                },
              ],
            },
          };

    const risks: QuotaRisk[] = [];
    const confidenceDays = Math.min(estimate.cpu.confidence, estimate.memory.confidence);
    if (confidenceDays < minConfidenceDays) {
      risks.push({
        kind: "low-confidence",
        severity: confidenceDays < 1 ? "high" : "medium",
        namespace: ns,
        message: `${ns}: VPA confidence ${fmt(confidenceDays)} (days of history, or samples / 1440) is below ${minConfidenceDays}: the upper bound is × ${fmt(estimate.cpu.upperBoundMultiplier)} and ${estimate.memoryPeaks} daily memory peak(s) decide memory${
          hpaCpuUtilization === null
            ? ""
            : `; the HPA's ${hpaCpuUtilization}% target is read from the same short history (p${fmt(config.upperBoundCpuPercentile * 100)} + margin, without the confidence multiplier): check it once the history is longer`
        }`,
      });
    }
    const memoryLimitBytes = memory.quotaLimitsMib * mebibyte;
    if (estimate.memory.upperBound > memoryLimitBytes || estimate.maxMemoryBytes > memoryLimitBytes) {
      risks.push({
        kind: "oom-risk",
        severity: "high",
        namespace: ns,
        message: `${ns}: memory limit ${memoryQuantity(memory.quotaLimitsMib)} is below ${
          estimate.memory.upperBound > memoryLimitBytes
            ? `VPA's upper bound ${mib(estimate.memory.upperBound)}`
            : `the highest observed sample ${mib(estimate.maxMemoryBytes)}`
        } (limit capped at ${resolved.memoryRatio} × the request): containers may be OOM-killed`,
      });
    }
    if (estimate.cpu.upperBound > cpu.quotaLimitsMillicores) {
      risks.push({
        kind: "cpu-throttling-risk",
        severity: "medium",
        namespace: ns,
        message: `${ns}: CPU limit ${cpuQuantity(cpu.quotaLimitsMillicores)} is below VPA's upper bound ${estimate.cpu.upperBound}m (limit capped at ${resolved.cpuRatio} × the request): bursts beyond it are throttled`,
      });
    }
    if (estimate.maxCpuCores >= 1000 || estimate.maxMemoryBytes >= 1e12) {
      risks.push({
        kind: "beyond-histogram-range",
        severity: "high",
        namespace: ns,
        message: `${ns}: usage reaches ${fmt(estimate.maxCpuCores)} cores / ${mib(estimate.maxMemoryBytes)}, beyond VPA's histograms (1000 cores, 1e12 bytes): percentiles there are the last bucket's start, an underestimate`,
      });
    }
    if (hpa !== undefined && pods !== null && hpa.maxReplicas > pods) {
      risks.push({
        kind: "hpa-exceeds-pod-quota",
        severity: "medium",
        namespace: ns,
        message: `${ns}: the HPA may scale to ${hpa.maxReplicas} replicas but the quota allows ${pods} pods`,
      });
    }

    const explanation = [
      `${ns}: ${estimate.samples} samples every ${series.stepMs} ms over ${fmt(((estimate.samples - 1) * series.stepMs) / dayMs)} days; VPA confidence ${fmt(estimate.cpu.confidence)}; ${estimate.memoryPeaks} memory peak(s) (one per ${fmt(config.memoryAggregationIntervalMs / 3_600_000)} h)`,
      ...resourceLines("cpu", estimate.cpu, config),
      ...resourceLines("memory", estimate.memory, config),
      `per container (÷ ${c}, rounded up): request ${cpuQuantity(cpuRequest)} / ${memoryQuantity(memoryRequest)}; limit = min(upper bound ÷ ${c}, ${resolved.cpuRatio} × request) = ${cpuQuantity(cpuLimit)} CPU, min(upper bound ÷ ${c}, ${resolved.memoryRatio} × request) = ${memoryQuantity(memoryLimit)} memory, at least the request`,
      `quota (per container × ${c}): requests.cpu ${cpuQuantity(cpu.quotaRequestsMillicores)}, requests.memory ${memoryQuantity(memory.quotaRequestsMib)}, limits.cpu ${cpuQuantity(cpu.quotaLimitsMillicores)}, limits.memory ${memoryQuantity(memory.quotaLimitsMib)}${pods === null ? "; no pods limit (no maxPods)" : `; pods ${pods}`}`,
    ];
    if (hpaCpuUtilization !== null) {
      explanation.push(
        `HPA: averageUtilization ${hpaCpuUtilization}% = ⌊100 × target ${estimate.cpu.target}m / (p${fmt(config.upperBoundCpuPercentile * 100)} + margin, at least the floor) ${estimate.cpu.upperBoundWithoutConfidence}m⌋ (1…100): scaling out at this load leaves room for a burst to the upper-bound percentile within the request; VPA's confidence multiplier (× ${fmt(estimate.cpu.upperBoundMultiplier)} here) is left out so that the target does not follow the history's length`,
      );
    }
    return {
      namespace: ns,
      samples: estimate.samples,
      historyMs: (estimate.samples - 1) * series.stepMs,
      memoryPeaks: estimate.memoryPeaks,
      meanCpuCores: estimate.meanCpuCores,
      meanMemoryBytes: estimate.meanMemoryBytes,
      maxCpuCores: estimate.maxCpuCores,
      maxMemoryBytes: estimate.maxMemoryBytes,
      containers: c,
      cpu,
      memory,
      pods,
      hpaCpuUtilization,
      manifests: { resourceQuota, limitRange, horizontalPodAutoscaler },
      costBasis: resolved.current === undefined ? "observed-usage" : "current-quota",
      risks,
      explanation,
      resolved,
    };
  });

  // Costs: one allocation before, one after, by namespace.
  const node = {
    id: "cluster",
    cpuCores: cluster.cpuCores,
    memoryGib: cluster.memoryGib,
    ...(byCost
      ? { costUsd: cluster.costUsd! }
      : { hourlyPriceUsd: cluster.hourlyPriceUsd!, hours: cluster.hours! }),
    ...(cluster.resourcePrices === undefined ? {} : { resourcePrices: cluster.resourcePrices }),
  };
  const workload = (draft: Draft, after: boolean) => ({
    id: draft.namespace,
    nodeId: "cluster",
    namespace: draft.namespace,
    cpuRequestCores: after
      ? draft.cpu.quotaRequestsMillicores / 1000
      : (draft.resolved.current?.requestsCpuCores ?? 0),
    cpuUsageCores: draft.meanCpuCores,
    memoryRequestGib: after
      ? (draft.memory.quotaRequestsMib * mebibyte) / gibibyte
      : (draft.resolved.current?.requestsMemoryBytes ?? 0) / gibibyte,
    memoryUsageGib: draft.meanMemoryBytes / gibibyte,
  });
  const allocate = (after: boolean): CostAllocation =>
    allocateCosts({
      nodes: [node],
      workloads: drafts.map((draft) => workload(draft, after)),
      groupBy: "namespace",
      idle: "report",
    });
  const allocationBefore = allocate(false);
  const allocationAfter = allocate(true);

  let beforeTotal = 0;
  let afterTotal = 0;
  const risks: QuotaRisk[] = [];
  const namespaces: NamespaceQuotaPlan[] = drafts.map((draft) => {
    const before = cents(allocationBefore.groups[draft.namespace]!.totalCostUsd);
    const after = cents(allocationAfter.groups[draft.namespace]!.totalCostUsd);
    beforeTotal += before;
    afterTotal += after;
    const { resolved, explanation, ...rest } = draft;
    explanation.push(
      `cost (allocateCosts, max(request, mean usage) × the pool's unit prices): before $${usd(before)} (${
        resolved.current === undefined
          ? `observed mean usage ${fmt(draft.meanCpuCores)} cores / ${mib(draft.meanMemoryBytes)}, no current quota given`
          : `current requests ${fmt(resolved.current.requestsCpuCores)} cores / ${mib(resolved.current.requestsMemoryBytes)}`
      }), after $${usd(after)} (requests ${cores(draft.cpu.quotaRequestsMillicores)} / ${memoryQuantity(draft.memory.quotaRequestsMib)}), savings $${usd(before - after)}`,
    );
    risks.push(...draft.risks);
    return Object.freeze({
      ...rest,
      costBeforeUsd: usd(before),
      costAfterUsd: usd(after),
      period: "window" as const,
      savings: Object.freeze(planSavings(usd(before), usd(after))),
      explanation: Object.freeze(explanation),
    });
  });
  for (const overcommit of allocationAfter.overcommitted) {
    risks.push({
      kind: "cluster-overcommitted",
      severity: "high",
      namespace: null,
      message: `the recommended ${overcommit.resource} requests and usage (${fmt(overcommit.allocated)} ${overcommit.resource === "cpu" ? "cores" : "GiB"}) exceed the pool's ${overcommit.capacity}: not every namespace can use its quota at once`,
    });
  }
  const explanation = [
    `${namespaces.length} namespace(s) sized with the VPA recommender (target p${fmt(config.targetCpuPercentile * 100)} CPU / p${fmt(config.targetMemoryPercentile * 100)} daily memory peaks + ${fmt(config.safetyMarginFraction * 100)}%, half-life ${fmt(config.cpuHistogramDecayHalfLifeMs / 3_600_000)} h)`,
    `cost before $${usd(beforeTotal)}, after $${usd(afterTotal)}, savings $${usd(beforeTotal - afterTotal)}; idle (unrequested, unused) $${allocationBefore.idle.costUsd} before, $${allocationAfter.idle.costUsd} after: requests freed become idle capacity, money saved only once the pool shrinks`,
    `${risks.length} risk(s)${risks.length === 0 ? "" : `: ${[...new Set(risks.map((risk) => risk.kind))].join(", ")}`}`,
  ];
  return Object.freeze({
    namespaces: Object.freeze(namespaces),
    costBeforeUsd: usd(beforeTotal),
    costAfterUsd: usd(afterTotal),
    period: "window",
    savings: Object.freeze(planSavings(usd(beforeTotal), usd(afterTotal))),
    idleCostBeforeUsd: allocationBefore.idle.costUsd,
    idleCostAfterUsd: allocationAfter.idle.costUsd,
    risks: Object.freeze(risks),
    allocationBefore,
    allocationAfter,
    recommender: config,
    explanation: Object.freeze(explanation),
  });
}
