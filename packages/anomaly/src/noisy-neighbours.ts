import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { createIsolationForest } from "./isolation-forest.js";

/** A measured resource of a usage sample. */
export type UsageMetric = "cpu" | "memory" | "network" | "requests";

/**
 * One usage sample of a tenant. A metric that was not measured is `null` or absent: it is never
 * guessed, and a tenant whose window lacks a metric the chosen features need is reported in
 * {@link NoisyNeighbourReport.excluded} instead of being scored.
 */
export interface UsageSample {
  /** The tenant the sample belongs to. */
  readonly tenantId: string;
  /** When the sample was taken, in milliseconds since the epoch. */
  readonly timestampMs: number;
  /** CPU use (any unit, the same for every tenant, e.g. cores or a share), a finite number ≥ 0. */
  readonly cpu?: number | null;
  /** Memory use (e.g. GiB), a finite number ≥ 0. */
  readonly memory?: number | null;
  /** Network traffic (e.g. MiB/s), a finite number ≥ 0. */
  readonly network?: number | null;
  /** Requests served since the previous sample, a finite number ≥ 0 (summed over the window). */
  readonly requests?: number | null;
}

/** An aggregate feature of a tenant over a window. */
export type NoisyNeighbourFeature =
  | "cpuMean"
  | "cpuMax"
  | "cpuStd"
  | "memoryMean"
  | "memoryMax"
  | "memoryStd"
  | "networkMean"
  | "networkMax"
  | "networkStd"
  | "requestsSum";

/** Every feature, in the order they are computed. */
export const noisyNeighbourFeatures: readonly NoisyNeighbourFeature[] = Object.freeze([
  "cpuMean",
  "cpuMax",
  "cpuStd",
  "memoryMean",
  "memoryMax",
  "memoryStd",
  "networkMean",
  "networkMax",
  "networkStd",
  "requestsSum",
]);

const FEATURE_METRIC: Readonly<Record<NoisyNeighbourFeature, UsageMetric>> = {
  cpuMean: "cpu",
  cpuMax: "cpu",
  cpuStd: "cpu",
  memoryMean: "memory",
  memoryMax: "memory",
  memoryStd: "memory",
  networkMean: "network",
  networkMax: "network",
  networkStd: "network",
  requestsSum: "requests",
};

/**
 * A tenant's aggregates over a window: the mean, max and population standard deviation of CPU,
 * memory and network, the request sum, and the number of samples. Only the features chosen in
 * {@link NoisyNeighbourOptions.features} are present.
 */
export type TenantAggregates = Partial<Record<NoisyNeighbourFeature, number>> & {
  /** Samples of the tenant in the window. */
  readonly samples: number;
};

/** How a tenant is compared with its own past. */
export interface NoisyNeighbourHistoryOptions {
  /**
   * Distance between the current window and each past window, in milliseconds. The default, one
   * day, compares the same hours of the day on previous days, so a daily pattern is not abuse.
   * @default 86_400_000
   */
  readonly periodMs?: number;
  /**
   * Number of past windows: [nowMs − k·periodMs − windowMs, nowMs − k·periodMs) for k = 1 … periods.
   * @default 7
   */
  readonly periods?: number;
  /**
   * Fewest past windows with complete data needed to judge a tenant against its history; with fewer,
   * the tenant is judged against its neighbours alone (`historyWindows` says how many there were).
   * @default 2
   */
  readonly minWindows?: number;
}

/** Options of {@link detectNoisyNeighbours}. */
export interface NoisyNeighbourOptions {
  /** Length of the window, in milliseconds, > 0. The window is [nowMs − windowMs, nowMs). */
  readonly windowMs: number;
  /** End of the window (exclusive), in milliseconds since the epoch. No clock is read. */
  readonly nowMs: number;
  /**
   * Features compared, a non-empty subset of {@link noisyNeighbourFeatures}.
   * @default all ten
   */
  readonly features?: readonly NoisyNeighbourFeature[];
  /** Expected share of noisy tenants, in (0, 0.5]: the Isolation Forest's contamination. */
  readonly contamination: number;
  /**
   * Fewest scorable tenants for a comparison with neighbours to mean anything, an integer ≥ 2.
   * @default 8
   */
  readonly minTenants?: number;
  /**
   * Seed of the Isolation Forest.
   * @default 0
   */
  readonly seed?: number;
  /**
   * Robust z-score (against neighbours and against the tenant's own history) a feature must reach to
   * explain a flag, > 0.
   * @default 3
   */
  readonly zThreshold?: number;
  /** How each tenant is compared with its own past windows. */
  readonly history?: NoisyNeighbourHistoryOptions;
  /**
   * What is compared with the neighbours. `"level"`: each feature's value over the window, so a
   * tenant must be heavy among the others — a tenant ten times the median size is always far above
   * them, and a small tenant's burst never is. `"change"`: each feature's log-ratio to the tenant's
   * own past median (over the history windows), so a tenant is unusual when it changed more than
   * the others did, whatever its size, and a change the whole platform shares is nobody's abuse.
   * A tenant with fewer than `history.minWindows` past windows is compared by level in both.
   * `"change"` met the precision and recall targets on the noisy-neighbour benchmark where `"level"`
   * did not (docs/anomaly.md).
   * @default "change"
   */
  readonly neighbourBasis?: "level" | "change";
  /**
   * When true, a flag needs a feature of the window as a whole — a mean or `requestsSum` — that
   * reaches `zThreshold` against the neighbours and the history even without the window's single
   * largest sample of its metric. A max or a standard deviation, which one short legitimate burst
   * (or one bad reading) can move, still explains a flag but cannot raise one alone. No effect when
   * the chosen features have no mean or sum.
   * @default true
   */
  readonly requireSustained?: boolean;
}

/** Why one feature explains a flag. */
export interface FeatureDeviation {
  /** The feature. */
  readonly feature: NoisyNeighbourFeature;
  /** The tenant's value over the window. */
  readonly value: number;
  /**
   * Robust z-score against the other tenants in the window, (x − median) / (1.4826 · MAD) across
   * tenants, where x is the value (`neighbourBasis` `"level"`) or its log-ratio to the tenant's own
   * past median (`"change"`).
   */
  readonly neighbourZ: number;
  /** Robust z-score against the tenant's own past windows; `null` when its history is too short. */
  readonly historyZ: number | null;
}

/** Graduated severity, the same values as `@enis/throttle`'s `graduatedThrottle` `severity`. */
export type NoisyNeighbourSeverity = "low" | "moderate" | "severe";

/** A flagged tenant. */
export interface NoisyNeighbour {
  /** The tenant. */
  readonly tenantId: string;
  /** Isolation Forest score against the neighbours, in (0, 1], higher = more anomalous. */
  readonly score: number;
  /**
   * The tenant's strength of deviation: the largest, over its explaining features, of
   * min(neighbourZ, historyZ) (neighbourZ alone without history).
   */
  readonly deviation: number;
  /** `"low"` below 1.5·zThreshold, `"moderate"` below 2.5·zThreshold, `"severe"` from there. */
  readonly severity: NoisyNeighbourSeverity;
  /** Its aggregates over the window. */
  readonly aggregates: TenantAggregates;
  /** The features that explain the flag, strongest first (at most 3). */
  readonly explanation: readonly FeatureDeviation[];
  /** Past windows with complete data it was compared with. */
  readonly historyWindows: number;
}

/** A tenant that could not be scored, and why. */
export interface ExcludedTenant {
  /** The tenant. */
  readonly tenantId: string;
  /** `"missing-metrics"`: a sample in the window lacks a metric the features need. */
  readonly reason: "missing-metrics";
  /** The metrics that are missing. */
  readonly metrics: readonly UsageMetric[];
}

/**
 * The result of {@link detectNoisyNeighbours}. `outcome` is `"ok"` when tenants were scored,
 * `"empty-window"` when no sample falls in the window, and `"too-few-tenants"` when fewer than
 * `minTenants` tenants have complete data there; in the last two `flagged` is empty.
 */
export interface NoisyNeighbourReport {
  /** What happened. */
  readonly outcome: "ok" | "empty-window" | "too-few-tenants";
  /** The flagged tenants, most deviant first. */
  readonly flagged: readonly NoisyNeighbour[];
  /** Tenants with complete data in the window (the ones scored when `outcome` is `"ok"`). */
  readonly tenantsScored: number;
  /** Tenants with samples in the window that could not be scored. */
  readonly excluded: readonly ExcludedTenant[];
}

const featureSchema = z.enum(noisyNeighbourFeatures as [NoisyNeighbourFeature, ...NoisyNeighbourFeature[]]);

const optionsSchema = z
  .object({
    windowMs: z.number().positive().finite(),
    nowMs: z.number().finite(),
    features: z
      .array(featureSchema)
      .min(1)
      .refine((list) => new Set(list).size === list.length, "no duplicates")
      .optional(),
    contamination: z.number().gt(0).max(0.5),
    minTenants: z.number().int().min(2).default(8),
    seed: z.number().int().refine(Number.isSafeInteger, "a safe integer").default(0),
    zThreshold: z.number().positive().finite().default(3),
    neighbourBasis: z.enum(["level", "change"]).default("change"),
    requireSustained: z.boolean().default(true),
    history: z
      .object({
        periodMs: z.number().positive().finite().default(86_400_000),
        periods: z.number().int().min(0).max(10_000).default(7),
        minWindows: z.number().int().min(1).default(2),
      })
      .strict()
      .default({ periodMs: 86_400_000, periods: 7, minWindows: 2 }),
  })
  .strict();

const METRICS: readonly UsageMetric[] = ["cpu", "memory", "network", "requests"];

/** Validates the samples; throws INVALID_OPTIONS naming the first bad field. */
function readUsage(usage: unknown): readonly UsageSample[] {
  if (!Array.isArray(usage)) throw invalidField("usage", usage, "an array of usage samples");
  usage.forEach((sample: unknown, i) => {
    const at = `usage[${i}]`;
    if (typeof sample !== "object" || sample === null) throw invalidField(at, sample, "a usage sample");
    const record = sample as Record<string, unknown>;
    if (typeof record.tenantId !== "string" || record.tenantId === "") {
      throw invalidField(`${at}.tenantId`, record.tenantId, "a non-empty string");
    }
    if (typeof record.timestampMs !== "number" || !Number.isFinite(record.timestampMs)) {
      throw invalidField(`${at}.timestampMs`, record.timestampMs, "a finite number");
    }
    for (const metric of METRICS) {
      const value = record[metric];
      if (value === undefined || value === null) continue;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw invalidField(`${at}.${metric}`, value, "a finite number >= 0, null or absent");
      }
    }
  });
  return usage as readonly UsageSample[];
}

interface WindowData {
  readonly samples: number;
  readonly missing: readonly UsageMetric[];
  readonly vector: Float64Array;
  /** The mean and sum features without the window's single largest sample of their metric. */
  readonly trimmed: Float64Array;
}

/** Aggregates one tenant's samples in a window into the chosen features. */
function aggregate(
  samples: readonly UsageSample[],
  features: readonly NoisyNeighbourFeature[],
  metrics: readonly UsageMetric[],
): WindowData {
  const missing = metrics.filter((metric) => samples.some((sample) => sample[metric] == null));
  const vector = new Float64Array(features.length);
  const trimmed = new Float64Array(features.length);
  if (missing.length === 0) {
    const stats = new Map<
      UsageMetric,
      { mean: number; max: number; std: number; sum: number; trimmedMean: number; trimmedSum: number }
    >();
    for (const metric of metrics) {
      const values = samples.map((sample) => sample[metric] as number);
      const sum = values.reduce((a, b) => a + b, 0);
      const mean = sum / values.length;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
      const max = Math.max(...values);
      const n = values.length;
      // Without the largest sample; the sum is scaled back to n samples so that it stays comparable.
      const trimmedMean = n > 1 ? (sum - max) / (n - 1) : mean;
      stats.set(metric, {
        mean,
        max,
        std: Math.sqrt(variance),
        sum,
        trimmedMean,
        trimmedSum: trimmedMean * n,
      });
    }
    features.forEach((feature, j) => {
      const s = stats.get(FEATURE_METRIC[feature]);
      if (s === undefined) return;
      const kind = feature.endsWith("Mean")
        ? "mean"
        : feature.endsWith("Max")
          ? "max"
          : feature.endsWith("Std")
            ? "std"
            : "sum";
      vector[j] = s[kind];
      trimmed[j] = kind === "mean" ? s.trimmedMean : kind === "sum" ? s.trimmedSum : s[kind];
    });
  }
  return { samples: samples.length, missing, vector, trimmed };
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Robust centre and scale of a column: the median and 1.4826 · MAD; when the MAD is 0, 1.2533 times
 * the mean absolute deviation from the median; when that is 0 too, max(|median| · 0.1, 1e-9), so a
 * constant column gives finite z-scores and a departure from a constant is large but finite.
 */
function robustScale(values: readonly number[]): { centre: number; scale: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const centre = median(sorted);
  const deviations = values.map((v) => Math.abs(v - centre));
  const mad = median([...deviations].sort((a, b) => a - b));
  if (mad > 0) return { centre, scale: 1.4826 * mad };
  const meanAbs = deviations.reduce((a, b) => a + b, 0) / deviations.length;
  if (meanAbs > 0) return { centre, scale: 1.2533 * meanAbs };
  return { centre, scale: Math.max(Math.abs(centre) * 0.1, 1e-9) };
}

/** Whether a feature describes the window as a whole (a mean or a sum) rather than its extremes. */
function isSustained(feature: NoisyNeighbourFeature): boolean {
  return feature.endsWith("Mean") || feature === "requestsSum";
}

type Scale = { readonly centre: number; readonly scale: number };

/** The robust centre and scale (see {@link robustScale}) of each column of `rows`. */
function columnScales(rows: readonly ArrayLike<number>[]): Scale[] {
  const first = rows[0];
  if (first === undefined) return [];
  return Array.from({ length: first.length }, (_, j) => robustScale(rows.map((row) => row[j] as number)));
}

interface Scored {
  readonly tenantId: string;
  readonly current: WindowData;
  readonly all: readonly UsageSample[];
}

/** The samples of a time-sorted list in [endMs − windowMs, endMs), found by binary search. */
function inWindow(sorted: readonly UsageSample[], endMs: number, windowMs: number): readonly UsageSample[] {
  const firstAtOrAfter = (ms: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as UsageSample).timestampMs < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return sorted.slice(firstAtOrAfter(endMs - windowMs), firstAtOrAfter(endMs));
}

/**
 * Finds noisy neighbours: tenants whose usage over the window is unusual both against the other
 * tenants and against their own past.
 *
 * 1. Per tenant, over [nowMs − windowMs, nowMs): the mean, max and standard deviation of CPU, memory
 *    and network, and the request sum (the chosen `features`).
 * 2. Against itself: the same features over past windows [nowMs − k·periodMs − windowMs,
 *    nowMs − k·periodMs), k = 1 … periods (by default the same hours on the 7 previous days), give a
 *    robust z-score per feature.
 * 3. Against neighbours: each feature — its value (`neighbourBasis: "level"`, the default) or its
 *    log-ratio to the tenant's past median (`"change"`, for tenants with enough history) — is
 *    robustly standardised across tenants ((x − median) / (1.4826 · MAD)), and a seeded Isolation
 *    Forest with the given `contamination` is fitted on and scores those vectors (one forest per
 *    basis); a tenant is unusual when `predict` says so.
 * 4. A tenant is flagged when the forest finds it unusual AND at least one feature is at least
 *    `zThreshold` above the neighbours and at least `zThreshold` above its own history (or, when it
 *    has fewer than `history.minWindows` complete past windows, above the neighbours alone). Those
 *    features explain the flag. With `requireSustained`, a mean or sum must also pass both
 *    thresholds without the window's largest sample, so one short burst does not flag.
 *
 * Severity, for `graduatedThrottle`: `deviation` (the largest min(neighbourZ, historyZ) over the
 * explaining features) below 1.5·zThreshold is `"low"`, below 2.5·zThreshold `"moderate"`, otherwise
 * `"severe"`.
 *
 * Pure: `nowMs` is given, and the same inputs and seed give the same report.
 *
 * @throws EnisError `INVALID_OPTIONS` naming the field for a bad option (`windowMs` ≤ 0,
 * `contamination` outside (0, 0.5], unknown keys …) or a bad sample (NaN, a negative metric …).
 *
 * @example
 * const report = detectNoisyNeighbours(samples, { windowMs: 3_600_000, nowMs, contamination: 0.05 });
 * for (const tenant of report.flagged) {
 *   graduatedThrottle({ severity: tenant.severity, tier, appliedAtMs: nowMs, durationMs: 900_000, nowMs });
 * }
 */
export function detectNoisyNeighbours(
  usage: readonly UsageSample[],
  options: NoisyNeighbourOptions,
): NoisyNeighbourReport {
  const parsed = parseOptions(optionsSchema, options, "options");
  const samples = readUsage(usage);
  const features: readonly NoisyNeighbourFeature[] = parsed.features ?? noisyNeighbourFeatures;
  const metrics = METRICS.filter((metric) => features.some((feature) => FEATURE_METRIC[feature] === metric));
  const { windowMs, nowMs, zThreshold } = parsed;
  const { periodMs, periods, minWindows } = parsed.history;

  const byTenant = new Map<string, UsageSample[]>();
  for (const sample of samples) {
    let list = byTenant.get(sample.tenantId);
    if (list === undefined) {
      list = [];
      byTenant.set(sample.tenantId, list);
    }
    list.push(sample);
  }
  // Sums run in time order, so the report does not depend on the order of `usage`.
  for (const list of byTenant.values()) list.sort((a, b) => a.timestampMs - b.timestampMs);

  const scored: Scored[] = [];
  const excluded: ExcludedTenant[] = [];
  const tenantIds = [...byTenant.keys()].sort();
  for (const tenantId of tenantIds) {
    const all = byTenant.get(tenantId) as UsageSample[];
    const inCurrent = inWindow(all, nowMs, windowMs);
    if (inCurrent.length === 0) continue;
    const current = aggregate(inCurrent, features, metrics);
    if (current.missing.length > 0)
      excluded.push({ tenantId, reason: "missing-metrics", metrics: current.missing });
    else scored.push({ tenantId, current, all });
  }

  if (scored.length === 0 && excluded.length === 0) {
    return { outcome: "empty-window", flagged: [], tenantsScored: 0, excluded };
  }
  if (scored.length < parsed.minTenants) {
    return { outcome: "too-few-tenants", flagged: [], tenantsScored: scored.length, excluded };
  }

  // Each tenant's own past: the same features over the past windows with complete data.
  const pasts = scored.map((tenant) => {
    const past: Float64Array[] = [];
    for (let k = 1; k <= periods; k++) {
      const endMs = nowMs - k * periodMs;
      const inPast = inWindow(tenant.all, endMs, windowMs);
      if (inPast.length === 0) continue;
      const window = aggregate(inPast, features, metrics);
      if (window.missing.length === 0) past.push(window.vector);
    }
    return past;
  });
  // Per tenant with enough history, per feature: the robust centre and scale of its past windows.
  const historyScales = pasts.map((past) =>
    past.length < minWindows
      ? null
      : features.map((_, j) => robustScale(past.map((vector) => vector[j] as number))),
  );
  const historyZ = (i: number, j: number, value: number): number | null => {
    const scale = historyScales[i]?.[j];
    return scale === undefined ? null : (value - scale.centre) / scale.scale;
  };

  // Against the neighbours, by level: each feature's value robustly standardised across tenants.
  const all = scored.map((_, i) => i);
  const levelScales = columnScales(scored.map((tenant) => tenant.current.vector));
  const level = (_i: number, _j: number, value: number) => value;
  // By change: the log-ratio of each feature to the tenant's own past median, robustly
  // standardised across the tenants with history, so that sizes do not matter and a change the
  // whole platform shares (a Monday morning) is not one tenant's abuse. The offset, 1 % of the
  // feature's median across tenants, keeps a near-zero past from turning noise into a huge ratio.
  const byChange = parsed.neighbourBasis === "change";
  const withHistory = all.filter((i) => historyScales[i] !== null);
  const offsets = features.map((_, j) => Math.max(0.01 * (levelScales[j] as Scale).centre, 1e-9));
  const pastMedians = pasts.map((past) =>
    features.map((_, j) => median(past.map((vector) => vector[j] as number).sort((a, b) => a - b))),
  );
  const change = (i: number, j: number, value: number) => {
    const offset = offsets[j] as number;
    return Math.log(value + offset) - Math.log(((pastMedians[i] as number[])[j] as number) + offset);
  };
  const changeScales = columnScales(
    withHistory.map((i) =>
      features.map((_, j) => change(i, j, (scored[i] as Scored).current.vector[j] as number)),
    ),
  );
  /** The basis each tenant is compared on: by change when asked and it has history, else by level. */
  const basisOf = (i: number) =>
    byChange && historyScales[i] !== null
      ? { transform: change, scales: changeScales }
      : { transform: level, scales: levelScales };
  const neighbourZ = (i: number, j: number, value: number): number => {
    const { transform, scales } = basisOf(i);
    const { centre, scale } = scales[j] as Scale;
    return (transform(i, j, value) - centre) / scale;
  };
  const vectorOf = (i: number) =>
    features.map((_, j) => neighbourZ(i, j, (scored[i] as Scored).current.vector[j] as number));

  // A seeded Isolation Forest per group of tenants compared on the same basis.
  const scores = new Array<number>(scored.length).fill(0);
  const unusual = new Array<boolean>(scored.length).fill(false);
  const judge = (members: readonly number[]) => {
    if (members.length < 2) return;
    const vectors = members.map(vectorOf);
    const forest = createIsolationForest({ seed: parsed.seed, contamination: parsed.contamination }).fit(
      vectors,
    );
    const memberScores = forest.score(vectors);
    const memberUnusual = forest.predict(vectors);
    members.forEach((i, m) => {
      scores[i] = memberScores[m] as number;
      unusual[i] = memberUnusual[m] as boolean;
    });
  };
  if (!byChange) judge(all);
  else {
    judge(withHistory);
    // Tenants without enough history are compared with every neighbour by level, as in "level".
    const without = all.filter((i) => historyScales[i] === null);
    if (without.length > 0) {
      const vectors = all.map((i) =>
        features.map((_, j) => {
          const { centre, scale } = levelScales[j] as Scale;
          return (((scored[i] as Scored).current.vector[j] as number) - centre) / scale;
        }),
      );
      const forest = createIsolationForest({ seed: parsed.seed, contamination: parsed.contamination }).fit(
        vectors,
      );
      const levelScores = forest.score(vectors);
      const levelUnusual = forest.predict(vectors);
      for (const i of without) {
        scores[i] = levelScores[i] as number;
        unusual[i] = levelUnusual[i] as boolean;
      }
    }
  }

  const sustainedMatters = parsed.requireSustained && features.some(isSustained);
  const exceeds = (n: number, h: number | null) => n >= zThreshold && (h === null || h >= zThreshold);
  const flagged: NoisyNeighbour[] = [];
  scored.forEach((tenant, i) => {
    if (!unusual[i]) return;
    const deviations: FeatureDeviation[] = [];
    features.forEach((feature, j) => {
      const value = tenant.current.vector[j] as number;
      const n = neighbourZ(i, j, value);
      const h = historyZ(i, j, value);
      if (exceeds(n, h)) deviations.push({ feature, value, neighbourZ: n, historyZ: h });
    });
    if (deviations.length === 0) return;
    if (sustainedMatters) {
      // A mean or sum must exceed both thresholds even without the window's largest sample.
      const sustained = features.some((feature, j) => {
        if (!isSustained(feature)) return false;
        const value = tenant.current.trimmed[j] as number;
        return exceeds(neighbourZ(i, j, value), historyZ(i, j, value));
      });
      if (!sustained) return;
    }
    const strength = (d: FeatureDeviation) => Math.min(d.neighbourZ, d.historyZ ?? d.neighbourZ);
    deviations.sort((a, b) => strength(b) - strength(a) || a.feature.localeCompare(b.feature));
    const deviation = strength(deviations[0] as FeatureDeviation);
    const severity: NoisyNeighbourSeverity =
      deviation >= 2.5 * zThreshold ? "severe" : deviation >= 1.5 * zThreshold ? "moderate" : "low";
    const aggregates: Record<string, number> = { samples: tenant.current.samples };
    features.forEach((feature, j) => {
      aggregates[feature] = tenant.current.vector[j] as number;
    });
    flagged.push({
      tenantId: tenant.tenantId,
      score: scores[i] as number,
      deviation,
      severity,
      aggregates: aggregates as TenantAggregates,
      explanation: deviations.slice(0, 3),
      historyWindows: (pasts[i] as Float64Array[]).length,
    });
  });
  flagged.sort((a, b) => b.deviation - a.deviation || a.tenantId.localeCompare(b.tenantId));
  return { outcome: "ok", flagged, tenantsScored: scored.length, excluded };
}
