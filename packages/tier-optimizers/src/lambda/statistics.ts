import type { LambdaStrategy } from "./types.js";

/*
 * The statistics and the strategy selection of AWS Lambda Power Tuning
 * (alexcasalboni/aws-lambda-power-tuning, lambda/utils.js, executor.js and analyzer.js), written
 * for ENIS: the same arithmetic in the same order, so that the same measurements give the same
 * floating-point figures and the same pick (power-tuning-oracle.ts transcribes the originals and
 * the property test holds the two together).
 */

/** Power Tuning's `minRAM`: its prices are per millisecond at 128 MB (template.yml). */
export const powerTuningMinMemoryMb = 128;

/** The result of {@link trimmedMean}. */
export interface TrimmedMean {
  /** The mean of the values kept. */
  readonly mean: number;
  /** Values discarded at each end: `floor(count × discardTopBottom)`. */
  readonly discardedEachEnd: number;
  /** Values kept: `count − 2 × discardedEachEnd`, at least 1. */
  readonly kept: number;
}

/**
 * Power Tuning's `computeAverageDuration`: sort, discard `floor(n × discardTopBottom)` values at
 * each end, and average the rest, summed from the smallest up. Power Tuning truncates with
 * `parseInt(n × discardTopBottom, 10)`, which parses the number's decimal text: equal to
 * `Math.floor` except below 1e-6, where the text is in exponent form (`5e-7` parses as 5) — a
 * quirk not reproduced here (see docs/parts/tier-lambda.md). `values` is non-empty and
 * `discardTopBottom` in [0, 0.4], so at least one value is kept.
 */
export function trimmedMean(values: readonly number[], discardTopBottom: number): TrimmedMean {
  const sorted = Float64Array.from(values).sort();
  const discardedEachEnd = Math.floor(sorted.length * discardTopBottom);
  const kept = sorted.length - 2 * discardedEachEnd;
  let sum = 0;
  for (let index = discardedEachEnd; index < sorted.length - discardedEachEnd; index++) sum += sorted[index]!;
  return { mean: sum / kept, discardedEachEnd, kept };
}

/** The plain mean of `values` (non-empty), summed in sorted order as {@link trimmedMean}. */
export function plainMean(values: readonly number[]): number {
  return trimmedMean(values, 0).mean;
}

/**
 * Power Tuning's base cost: the price of one millisecond at its `minRAM` (128 MB), from a price
 * per GB-second. Power Tuning ships rounded constants (x86_64 2.1e-9, arm64 1.7e-9 in us-east-1);
 * ENIS derives the figure from the pricing catalogue, so the pick uses the catalogue's prices.
 */
export function powerTuningBaseCostUsd(gbSecondUsd: number): number {
  return (gbSecondUsd * powerTuningMinMemoryMb) / 1024 / 1000;
}

/**
 * Power Tuning's `computePrice`: the compute price of one invocation from the average billed
 * duration, `ceil(duration) × baseCost × (memoryMb / 128)`, in this order of operations.
 */
export function powerTuningPrice(
  baseCostUsd: number,
  memoryMb: number,
  averageBilledDurationMs: number,
): number {
  return Math.ceil(averageBilledDurationMs) * baseCostUsd * (memoryMb / powerTuningMinMemoryMb);
}

/** What the strategies compare: a configuration's selection cost and duration. */
export interface SelectionStat {
  /** The cost the strategies compare (Power Tuning's `averagePrice`, see rightsize-lambda.ts). */
  readonly cost: number;
  /** The trimmed-mean duration, ms. */
  readonly duration: number;
}

/**
 * The balanced score of Power Tuning's `findBalanced`:
 * `weight × cost / maxCost + (1 − weight) × duration / maxDuration`, lower is better. A `maxCost`
 * of 0 (a catalogue whose compute price is 0) would make Power Tuning divide 0 by 0; here the cost
 * term is then 0 (every candidate costs the same).
 */
export function balancedScore(
  stat: SelectionStat,
  weight: number,
  maxCost: number,
  maxDuration: number,
): number {
  const costTerm = maxCost > 0 ? (weight * stat.cost) / maxCost : 0;
  return costTerm + ((1 - weight) * stat.duration) / maxDuration;
}

/**
 * The index of the stat a strategy picks, with Power Tuning's order and tie-breaks: `cost` sorts
 * by cost, then duration; `speed` by duration, then cost; `balanced` by {@link balancedScore}.
 * Power Tuning takes the first element after a stable sort, which is the earliest of the
 * minimal stats in input order; this finds the same one in one pass. `stats` is non-empty and
 * every duration is > 0.
 */
export function pickIndex(stats: readonly SelectionStat[], strategy: LambdaStrategy, weight: number): number {
  let maxCost = Number.NEGATIVE_INFINITY;
  let maxDuration = Number.NEGATIVE_INFINITY;
  for (const stat of stats) {
    if (stat.cost > maxCost) maxCost = stat.cost;
    if (stat.duration > maxDuration) maxDuration = stat.duration;
  }
  const better =
    strategy === "cost"
      ? (a: SelectionStat, b: SelectionStat) =>
          a.cost === b.cost ? a.duration < b.duration : a.cost < b.cost
      : strategy === "speed"
        ? (a: SelectionStat, b: SelectionStat) =>
            a.duration === b.duration ? a.cost < b.cost : a.duration < b.duration
        : (a: SelectionStat, b: SelectionStat) =>
            balancedScore(a, weight, maxCost, maxDuration) < balancedScore(b, weight, maxCost, maxDuration);
  let best = 0;
  for (let index = 1; index < stats.length; index++) {
    if (better(stats[index]!, stats[best]!)) best = index;
  }
  return best;
}
