import type { Architecture, PriceProvenance } from "@enis/cost-model";
import type { PlanSavings } from "../plan.js";

/**
 * How {@link rightsizeLambda} picks among the configurations, as AWS Lambda Power Tuning's
 * `strategy`:
 * - `"cost"`: the cheapest per invocation (ties: the faster);
 * - `"speed"`: the fastest (ties: the cheaper);
 * - `"balanced"`: the lowest `w × cost / maxCost + (1 − w) × duration / maxDuration`, `w` the
 *   `balancedWeight` (1 = cost, 0 = speed), the maxima over the eligible configurations.
 */
export type LambdaStrategy = "cost" | "speed" | "balanced";

/** Where a figure comes from: durations measured at that configuration, or the duration model. */
export type LambdaBasis = "measured" | "estimated";

/** Durations measured at one memory size and architecture (for example by AWS Lambda Power Tuning). */
export interface LambdaMeasurement {
  /** Configured memory, a whole number of MB from 128 to 10,240. */
  readonly memoryMb: number;
  /**
   * Processor architecture the durations were measured on.
   * @default "x86_64"
   */
  readonly architecture?: Architecture;
  /**
   * Duration of each invocation, ms, each from 0 to 900,000 (Lambda's maximum run), at least one: as Power Tuning counts it,
   * the REPORT line's `Duration` plus `Init Duration` or `Restore Duration` when present. Not
   * rounded (Lambda reports 0.01 ms).
   */
  readonly durationsMs: readonly number[];
  /**
   * The billed duration of each invocation, whole ms from 0 to 900,000, one per duration (the REPORT line's
   * `Billed Duration` plus `Billed Restore Duration`). Without it, each duration is billed rounded
   * up to the next millisecond, Lambda's granularity since December 2020.
   */
  readonly billedDurationsMs?: readonly number[];
}

/** The function's configuration today, and what CloudWatch says about it. */
export interface LambdaCurrentConfiguration {
  /** Configured memory, a whole number of MB from 128 to 10,240. */
  readonly memoryMb: number;
  /**
   * Processor architecture.
   * @default "x86_64"
   */
  readonly architecture?: Architecture;
  /**
   * Durations of invocations at the current configuration, ms, each from 0 to 900,000 (CloudWatch
   * Logs' REPORT lines, or a Logs Insights query of `@duration`). Required without `measurements`;
   * with them, used only for the current cost when the current configuration was not measured.
   */
  readonly durationsMs?: readonly number[];
  /** Billed duration of each of `durationsMs`, whole ms from 0 to 900,000 (REPORT's `Billed Duration`). Optional, as for a measurement. */
  readonly billedDurationsMs?: readonly number[];
  /**
   * The largest `Max Memory Used` of the invocations observed, MB, > 0 and at most `memoryMb`.
   * Required without `measurements`. When given, sizes below it plus `memoryHeadroom` are not
   * recommended.
   */
  readonly maxMemoryUsedMb?: number;
}

/** Options of {@link rightsizeLambda}. */
export interface RightsizeLambdaOptions {
  /** The function's configuration today. */
  readonly current: LambdaCurrentConfiguration;
  /**
   * Durations measured at each candidate configuration, at least one, each memory size and
   * architecture once. Leave out to estimate from `current` alone (CloudWatch only).
   */
  readonly measurements?: readonly LambdaMeasurement[];
  /**
   * Invocations a month at the observed rate, a whole number >= 0. Monthly costs are the cost
   * per invocation times this; the pick does not depend on it.
   */
  readonly invocationsPerMonth: number;
  /** @default "cost" */
  readonly strategy?: LambdaStrategy;
  /**
   * Weight of cost against speed for `strategy: "balanced"`, in [0, 1]; only with that strategy.
   * @default 0.5 (Power Tuning's)
   */
  readonly balancedWeight?: number;
  /**
   * Share of the fastest and of the slowest invocations left out of each mean, in [0, 0.4]
   * (Power Tuning's `discardTopBottom`: cold starts and outliers).
   * @default 0.2
   */
  readonly discardTopBottom?: number;
  /**
   * Margin kept above `current.maxMemoryUsedMb`, a fraction >= 0 and at most 10: no size below
   * `ceil(maxMemoryUsedMb × (1 + memoryHeadroom))` MB is recommended. Only with `maxMemoryUsedMb`.
   * @default 0.2 (chosen: an invocation that runs out of memory fails, and the largest memory
   * observed is a sample's maximum, not a bound)
   */
  readonly memoryHeadroom?: number;
  /**
   * Estimate only: the share, in [0, 1], of the current duration that is CPU work and scales with
   * the CPU share of memory (the rest is waiting and does not).
   * @default 0.5 (no information either way; the risks give the durations at 0 and at 1)
   */
  readonly cpuBoundFraction?: number;
  /**
   * Estimate only: the memory sizes to consider, whole MB from 128 to 10,240. The current size is
   * always considered.
   * @default Power Tuning's default power values (128, 256, 512, 1024, 1536, 3008 MB), 1,769 MB (one
   * full vCPU) and the smallest size with the memory margin
   */
  readonly candidateMemoryMb?: readonly number[];
}

/** Why a configuration was not eligible for the pick. */
export type LambdaExclusion =
  /** Its trimmed-mean duration is 0 ms: Power Tuning treats it as a size without results. */
  | "zero-duration"
  /** Below `maxMemoryUsedMb × (1 + memoryHeadroom)`. */
  | "below-memory-floor"
  /** Estimate only: a modelled duration above Lambda's maximum run (900,000 ms), which would time out. */
  | "over-max-duration";

/** One configuration with its figures. */
export interface LambdaConfigurationFigures {
  readonly memoryMb: number;
  readonly architecture: Architecture;
  /** `"measured"` from durations at this configuration, `"estimated"` from the duration model. */
  readonly basis: LambdaBasis;
  /**
   * Mean duration of an invocation, ms, not rounded: the trimmed mean of the durations
   * (Power Tuning's `averageDuration`), or the model's estimate.
   */
  readonly durationMs: number;
  /**
   * Billed duration priced, whole ms: the trimmed mean of the per-invocation billed durations,
   * rounded up (Power Tuning's `computePrice`); for an estimate, the current one scaled by the model.
   */
  readonly billedDurationMs: number;
  /** Invocations measured at this configuration; null for an estimate. */
  readonly invocationsMeasured: number | null;
  /** Invocations kept in the trimmed means; null for an estimate. */
  readonly invocationsKept: number | null;
  /** Compute (GB-seconds) plus request price of one invocation, US dollars (`lambdaCost` of @enis/cost-model). */
  readonly costPerInvocationUsd: number;
  /** `lambdaCost` at `invocationsPerMonth` invocations, US dollars. */
  readonly monthlyCostUsd: number;
}

/** A configuration considered, with whether it could be picked. */
export interface LambdaCandidate extends LambdaConfigurationFigures {
  /** Whether the strategy could pick it. */
  readonly eligible: boolean;
  /** Why not, when not eligible. */
  readonly excludedBecause: LambdaExclusion | null;
  /**
   * The cost the strategies compare, US dollars per invocation: Power Tuning's `averagePrice`
   * (compute only, `ceil(mean billed ms) × price of 1 ms at 128 MB × memoryMb / 128`), plus the
   * architecture's request price above the cheapest one considered (0 at AWS's list prices, where
   * both architectures pay $0.20 per million requests).
   */
  readonly selectionCostUsd: number;
  /** The balanced score (lower is better) with `strategy: "balanced"` when eligible; else null. */
  readonly balancedScore: number | null;
}

/** What a platform engineer should weigh before applying a recommendation. */
export type LambdaRiskKind =
  /** The recommended configuration is, or may be, slower than the current one. */
  | "performance"
  /** The figures of the recommended configuration are modelled, not measured. */
  | "estimate"
  /** Too little memory margin, now or after the change. */
  | "out-of-memory"
  /** Too few invocations behind a figure. */
  | "few-samples"
  /** The means leave out slow invocations that are billed all the same. */
  | "outliers-excluded"
  /** Current and candidate figures come from different traffic (CloudWatch against a test payload). */
  | "workload-mismatch"
  /** The recommendation changes the processor architecture. */
  | "architecture-change";

/** One risk of a recommendation. */
export interface LambdaRisk {
  readonly kind: LambdaRiskKind;
  /** The risk in words and numbers. */
  readonly message: string;
}

/** The plan {@link rightsizeLambda} returns: every figure with where it comes from. */
export interface LambdaRightsizing {
  /** `"measured"` with measurements, `"estimated"` from CloudWatch alone. */
  readonly basis: LambdaBasis;
  readonly strategy: LambdaStrategy;
  /** The weight used, with `strategy: "balanced"`; else null. */
  readonly balancedWeight: number | null;
  readonly discardTopBottom: number;
  readonly invocationsPerMonth: number;
  /** The smallest memory that keeps the margin, MB: `ceil(maxMemoryUsedMb × (1 + memoryHeadroom))`; null without `maxMemoryUsedMb`. */
  readonly memoryFloorMb: number | null;
  /** The function as it is configured. */
  readonly current: LambdaConfigurationFigures;
  /** The configuration the strategy picks. */
  readonly recommended: LambdaCandidate;
  /** Whether `recommended` differs from `current` in memory or architecture. */
  readonly change: boolean;
  /** Every configuration considered: measurements in their order, or estimates by memory. */
  readonly candidates: readonly LambdaCandidate[];
  /** The current configuration at `invocationsPerMonth` (`current.monthlyCostUsd`), US dollars a `period`. */
  readonly costBeforeUsd: number;
  /** The recommended configuration at `invocationsPerMonth` (`recommended.monthlyCostUsd`), US dollars a `period`. */
  readonly costAfterUsd: number;
  /** Always `"month"`: the costs are at `invocationsPerMonth`. */
  readonly period: "month";
  /**
   * `costBeforeUsd − costAfterUsd` (negative: the recommendation costs more) and its percentage of
   * `costBeforeUsd` (null when that is 0, e.g. with no invocations; the per-invocation figures are
   * `current.costPerInvocationUsd` and `recommended.costPerInvocationUsd`). No range: measured
   * durations, no forecast.
   */
  readonly savings: PlanSavings;
  readonly risks: readonly LambdaRisk[];
  /** The computation in words and numbers, one step a line. */
  readonly explanation: readonly string[];
  /** Where the Lambda prices come from (the catalogue's provenance). */
  readonly provenance: PriceProvenance;
}
