import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";

/**
 * Hours in a billing month: 8,760 / 12, the convention of AWS pricing pages (and of the seed, whose
 * `hours_per_month = 730`). Term savings and monthly figures scale the history's hourly rate by it.
 */
const hoursPerMonth = 730;

/**
 * A slope `d·H − k` of the savings curve within this fraction of `max(1, d·H)` of zero counts as
 * zero: a discount of 0.1 over 10 hours means d·H = 1 exactly, not the 1.0000000000000000555 that
 * the double nearest 0.1 gives (which would move the level one hour up for a saving of 1e-17).
 */
const slopeTolerance = 1e-9;

/** What {@link recommendCommitment} advises, in the seed's words (seed 001, `recommend_reserved_capacity`). */
export type CommitmentAdvice = "strongly-recommend" | "recommend" | "not-worth-it";

/**
 * Why {@link CommitmentRecommendation.paybackMonths} is what it is:
 * - `"within-term"` / `"after-term"`: an upfront payment is recovered after `paybackMonths`, within
 *   the term or after it (then the commitment loses money over the term);
 * - `"no-upfront"`: nothing is paid upfront, so there is nothing to recover (`paybackMonths` is 0);
 * - `"no-commitment"`: the recommended level is 0, nothing is bought (`paybackMonths` is null);
 * - `"no-savings"`: the hourly savings are 0, an upfront payment is never recovered (null).
 */
export type CommitmentPaybackReason =
  | "within-term"
  | "after-term"
  | "no-upfront"
  | "no-commitment"
  | "no-savings";

/** Thresholds of {@link CommitmentAdvice} on the net monthly savings (`monthlySavingsUsd`). */
export interface CommitmentThresholds {
  /**
   * Net monthly savings above which the advice is `"strongly-recommend"`, US dollars, >= `recommendMonthlyUsd`.
   * @default 100 (seed 001: `monthly_savings > 100`)
   */
  readonly stronglyRecommendMonthlyUsd?: number;
  /**
   * Net monthly savings above which the advice is `"recommend"`, US dollars, >= 0.
   * @default 50 (seed 001: `monthly_savings > 50`)
   */
  readonly recommendMonthlyUsd?: number;
}

/** Options of {@link recommendCommitment}. */
export interface RecommendCommitmentOptions {
  /**
   * Usage in each hour of a history, one value per hour, each finite and >= 0, at least one hour.
   * Any unit that a commitment is bought in: vCPUs or instances (a reservation), or US dollars per
   * hour of on-demand-equivalent spend (a Savings Plan; then `onDemandPrice` is 1). The
   * `commitment` returned is in the same unit per hour.
   */
  readonly hourlyUsage: readonly number[] | Float64Array;
  /** On-demand price of one unit for one hour, US dollars, finite and > 0. */
  readonly onDemandPrice: number;
  /**
   * Discount of a committed unit-hour against on-demand, in [0, 1): a committed unit costs
   * `(1 - discount) × onDemandPrice` every hour of the term, used or not (0.3 for the seed's 1-year
   * reserved price, 30% off).
   */
  readonly discount: number;
  /**
   * Length of the commitment, months (of 730 hours), an integer from 1 to 120.
   * @default 12
   */
  readonly termMonths?: number;
  /**
   * One-time payment at purchase, US dollars, >= 0, on top of the hourly committed price
   * (a fixed charge: it moves no level, it is subtracted from the term's savings and recovered
   * after `paybackMonths`). Not paid when the recommended level is 0.
   * @default 0
   */
  readonly upfrontUsd?: number;
  /**
   * Points of the evenly spaced grid of levels from 0 to the peak usage that {@link
   * CommitmentRecommendation.curve} evaluates (the recommended level is added to them), an integer
   * from 2 to 10,000.
   * @default 51
   */
  readonly curvePoints?: number;
  /** Thresholds of the advice. @default the seed's: $100 and $50 of net monthly savings */
  readonly thresholds?: CommitmentThresholds;
}

/** The savings of one commitment level, for a chart of savings by level. */
export interface CommitmentCurvePoint {
  /** The level, units per hour. */
  readonly commitment: number;
  /** Net savings over the term at this level, US dollars (negative: the level costs more than on-demand). */
  readonly savingsUsd: number;
  /** `savingsUsd` as a percentage (0-100) of the term's all-on-demand cost; 0 when that cost is 0. */
  readonly savingsPercent: number;
  /** Used committed unit-hours / committed unit-hours over the history, in [0, 1]; null at level 0. */
  readonly utilization: number | null;
}

/** Result of {@link recommendCommitment}. Every `…Usd` figure is over the term unless its name says otherwise. */
export interface CommitmentRecommendation {
  /**
   * The cost-minimising level, units per hour: the `discount`-quantile of the hourly usage (the
   * smallest such level where several cost the same).
   */
  readonly commitment: number;
  /** Hours of history the recommendation was computed on. */
  readonly hours: number;
  /**
   * Used committed unit-hours / committed unit-hours over the history (`Σ min(u, c) / (c·H)`), in
   * [0, 1]; null when the level is 0 (nothing committed, nothing to use).
   */
  readonly expectedUtilization: number | null;
  /** `1 - discount`: below this utilisation a committed unit costs more than paying on-demand for its use. */
  readonly breakEvenUtilization: number;
  /** The term's cost with no commitment: the history's mean hourly on-demand cost × term hours, US dollars. */
  readonly onDemandCostUsd: number;
  /** The term's cost with the commitment, upfront included: `onDemandCostUsd - savingsUsd`. */
  readonly costUsd: number;
  /** Net savings over the term: the history's savings per hour × term hours − `upfrontUsd`. */
  readonly savingsUsd: number;
  /** `savingsUsd / onDemandCostUsd × 100`; 0 when the on-demand cost is 0. */
  readonly savingsPercent: number;
  /** Savings over the history itself (no scaling, no upfront), US dollars; >= 0. */
  readonly historySavingsUsd: number;
  /** Net savings per month: `savingsUsd / termMonths`. The advice thresholds apply to it. */
  readonly monthlySavingsUsd: number;
  /**
   * Months until the gross monthly savings repay `upfrontUsd`: `upfrontUsd / (monthlySavingsUsd +
   * upfrontUsd / termMonths)`; 0 without an upfront payment, null when nothing is bought or saved
   * (see `paybackReason`). Never Infinity or NaN.
   */
  readonly paybackMonths: number | null;
  /** Why `paybackMonths` has its value. */
  readonly paybackReason: CommitmentPaybackReason;
  /** Savings by level, levels ascending: an even grid from 0 to the peak usage, plus `commitment`. */
  readonly curve: readonly CommitmentCurvePoint[];
  /** The advice, from `monthlySavingsUsd` against the thresholds. */
  readonly recommendation: CommitmentAdvice;
}

const nonNegative = z.number().min(0);
const optionsSchema = z.strictObject({
  hourlyUsage: z.custom<readonly number[] | Float64Array>(
    (value: unknown) => Array.isArray(value) || value instanceof Float64Array,
    "an array of hourly usage",
  ),
  onDemandPrice: z.number().positive(),
  discount: z.number().min(0).lt(1),
  termMonths: z.number().int().min(1).max(120).optional(),
  upfrontUsd: nonNegative.optional(),
  curvePoints: z.number().int().min(2).max(10_000).optional(),
  thresholds: z
    .strictObject({
      stronglyRecommendMonthlyUsd: nonNegative.optional(),
      recommendMonthlyUsd: nonNegative.optional(),
    })
    .optional(),
});

/**
 * The cost-minimising commitment (a reservation or a savings plan) for a history of hourly usage,
 * with its savings, utilisation, payback, a savings curve by level, and an advice in the seed's words.
 *
 * A level `c` costs, over the history, `Σ_h [(1 − d)·q·c + q·max(0, u_h − c)]` (committed units
 * paid every hour, usage above them on-demand). Its savings against all on-demand,
 * `q·Σ_h [min(u_h, c) − (1 − d)·c]`, are concave and piecewise linear in `c`, with slope
 * `q·(d·H − k)` between the k-th and (k+1)-th smallest hourly usage: they rise while fewer than `d·H`
 * hours use less than `c`. The optimum is therefore the `d`-quantile of the hourly usage, the
 * `⌈d·H⌉`-th smallest value (the newsvendor solution: every committed unit is busy in at least
 * `1 − d` of the hours, the break-even utilisation). When `d·H` is a whole number k, every level from
 * the k-th to the (k+1)-th smallest usage costs the same; the smallest (the k-th) is returned,
 * so that equal cost buys the least lock-in. A discount of 0 gives level 0. This replaces the seed's
 * median (REFERENCES.md §7), which is the optimum only at a 50% discount.
 *
 * Savings are summed along that slope (non-negative terms up to the optimum, no cancellation),
 * then scaled from the history to the term by the mean hourly saving × `termMonths` × 730 hours.
 * O(H log H) for the sort, O(H) after it.
 *
 * Throws `EnisError` `INVALID_OPTIONS` naming the field and value: an empty history, an hour that is
 * negative, NaN or infinite, a price that is not > 0, a discount outside [0, 1), an unknown option,
 * usage whose sum or a price at which a cost, saving or percentage over the term overflows.
 *
 * @example
 * ```ts
 * const result = recommendCommitment({
 *   hourlyUsage: [2, 2, 3, 4, 4, 4, 6, 8, 8, 10],
 *   onDemandPrice: 0.1,
 *   discount: 0.25,
 * });
 * // result.commitment: 3 (the 0.25-quantile: the 3rd smallest of 10 hours; the seed's median, 4,
 * // saves less); result.expectedUtilization: 28 / 30; result.breakEvenUtilization: 0.75
 * ```
 */
export function recommendCommitment(options: RecommendCommitmentOptions): CommitmentRecommendation {
  const resolved = parseOptions(optionsSchema, options, "options");
  const sorted = sortedUsage(resolved.hourlyUsage);
  const hours = sorted.length;
  const price = resolved.onDemandPrice;
  const discount = resolved.discount;
  const termMonths = resolved.termMonths ?? 12;
  const upfrontUsd = resolved.upfrontUsd ?? 0;
  const curvePoints = resolved.curvePoints ?? 51;
  const recommendMonthlyUsd = resolved.thresholds?.recommendMonthlyUsd ?? 50;
  const stronglyRecommendMonthlyUsd = resolved.thresholds?.stronglyRecommendMonthlyUsd ?? 100;
  if (stronglyRecommendMonthlyUsd < recommendMonthlyUsd) {
    throw invalidField(
      "options.thresholds.stronglyRecommendMonthlyUsd",
      stronglyRecommendMonthlyUsd,
      `at least recommendMonthlyUsd (${recommendMonthlyUsd})`,
    );
  }

  const model = buildSavingsModel(sorted, discount);
  if (!Number.isFinite(model.usageTotal)) {
    throw invalidField(
      "options.hourlyUsage",
      resolved.hourlyUsage,
      "hourly usage whose sum is a finite number",
    );
  }
  const optimum = model.optimalIndex;
  const commitment = model.level(optimum);
  const termHours = termMonths * hoursPerMonth;
  const usageTotal = model.usageTotal;
  const onDemandCostUsd = ((price * usageTotal) / hours) * termHours;
  const point = (level: number): CommitmentCurvePoint => {
    const evaluated = model.at(level);
    const savingsUsd = level > 0 ? ((price * evaluated.savings) / hours) * termHours - upfrontUsd : 0;
    return {
      commitment: level,
      savingsUsd,
      savingsPercent: onDemandCostUsd > 0 ? (100 * savingsUsd) / onDemandCostUsd : 0,
      utilization: level > 0 ? 1 - evaluated.unused / (level * hours) : null,
    };
  };

  const historySavingsUsd = price * model.savingsAt(optimum);
  const headline = point(commitment);
  const savingsUsd = headline.savingsUsd;
  const monthlySavingsUsd = savingsUsd / termMonths;
  const grossMonthlyUsd = (historySavingsUsd / hours) * hoursPerMonth;
  let paybackMonths: number | null;
  let paybackReason: CommitmentPaybackReason;
  if (commitment === 0) {
    paybackMonths = null;
    paybackReason = "no-commitment";
  } else if (upfrontUsd === 0) {
    paybackMonths = 0;
    paybackReason = "no-upfront";
  } else if (!(grossMonthlyUsd > 0)) {
    paybackMonths = null;
    paybackReason = "no-savings";
  } else {
    paybackMonths = upfrontUsd / grossMonthlyUsd;
    paybackReason = paybackMonths <= termMonths ? "within-term" : "after-term";
  }

  const recommendation: CommitmentAdvice =
    monthlySavingsUsd > stronglyRecommendMonthlyUsd
      ? "strongly-recommend"
      : monthlySavingsUsd > recommendMonthlyUsd
        ? "recommend"
        : "not-worth-it";

  const peak = sorted[hours - 1]!;
  const levels: number[] = [];
  for (let i = 0; i < curvePoints; i++) {
    // The last grid point is the peak itself, not peak × (n−1)/(n−1) rounded.
    levels.push(i === curvePoints - 1 ? peak : (peak * i) / (curvePoints - 1));
  }
  const curve: CommitmentCurvePoint[] = [];
  let inserted = false;
  let previous = -1;
  for (const level of levels) {
    if (!inserted && commitment <= level) {
      inserted = true;
      if (commitment !== previous) curve.push(headline);
      previous = commitment;
    }
    if (level === previous) continue;
    curve.push(point(level));
    previous = level;
  }

  // Finite inputs can still give an infinite figure (a price of 1e300, or a subnormal one beside an
  // upfront payment): refused, as the cost functions refuse a cost that overflows.
  const figures = [
    onDemandCostUsd,
    onDemandCostUsd - savingsUsd,
    savingsUsd,
    headline.savingsPercent,
    historySavingsUsd,
    paybackMonths ?? 0,
  ];
  for (const entry of curve) figures.push(entry.savingsUsd, entry.savingsPercent);
  if (!figures.every(Number.isFinite)) {
    throw invalidField(
      "options.onDemandPrice",
      price,
      "a price at which every cost, saving and percentage over the term is a finite number",
    );
  }

  return {
    commitment,
    hours,
    expectedUtilization: headline.utilization,
    breakEvenUtilization: 1 - discount,
    onDemandCostUsd,
    costUsd: onDemandCostUsd - savingsUsd,
    savingsUsd,
    savingsPercent: headline.savingsPercent,
    historySavingsUsd,
    monthlySavingsUsd,
    paybackMonths,
    paybackReason,
    curve,
    recommendation,
  };
}

/** The hourly usage, checked (finite, >= 0, at least one hour) and sorted ascending, as a copy. */
function sortedUsage(usage: readonly number[] | Float64Array): Float64Array {
  const hours = usage.length;
  if (hours === 0) throw invalidField("options.hourlyUsage", usage, "a non-empty list of hourly usage");
  const sorted = new Float64Array(hours);
  for (let h = 0; h < hours; h++) {
    const value: unknown = usage[h];
    if (typeof value !== "number" || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      throw invalidField(`options.hourlyUsage[${h}]`, value, "a finite number >= 0");
    }
    // -0 would sort before 0 and print as "-0" in a level.
    sorted[h] = value === 0 ? 0 : value;
  }
  return sorted.sort();
}

/** Savings per unit of on-demand price, and unused committed unit-hours, at any level. */
interface SavingsModel {
  /** Index k of the optimum: the level is the k-th smallest usage (0: level 0). */
  readonly optimalIndex: number;
  /** Σ u_h over the history. */
  readonly usageTotal: number;
  /** The level at index k: 0 for k = 0, else the k-th smallest usage. */
  level(index: number): number;
  /** Savings / q at the level of index k. */
  savingsAt(index: number): number;
  /** Savings / q and unused committed unit-hours `Σ max(0, c − u_h)` at any level c >= 0. */
  at(level: number): { savings: number; unused: number };
}

/**
 * Prefix tables over the sorted usage u_(1) ≤ … ≤ u_(H), with u_(0) = 0: at index k (level u_(k)),
 * `savings[k] = Σ_{j<k} slope(j)·(u_(j+1) − u_(j))` (savings / q, slope(j) = d·H − j) and
 * `unused[k] = Σ_{j<k} j·(u_(j+1) − u_(j))` (`Σ_h max(0, u_(k) − u_h)`). Both are sums along the
 * piecewise-linear curves, so up to the optimum every term is >= 0.
 */
function buildSavingsModel(sorted: Float64Array, discount: number): SavingsModel {
  const hours = sorted.length;
  const scaled = discount * hours;
  const tolerance = slopeTolerance * Math.max(1, scaled);
  const slope = (index: number): number => {
    const value = scaled - index;
    return Math.abs(value) <= tolerance ? 0 : value;
  };
  // The smallest k whose slope is <= 0: every earlier slope is > 0, every later one <= 0.
  const optimalIndex = Math.max(0, Math.ceil(scaled - tolerance));
  const savings = new Float64Array(hours + 1);
  const unused = new Float64Array(hours + 1);
  let usageTotal = 0;
  let compensation = 0;
  let previous = 0;
  for (let k = 0; k < hours; k++) {
    const value = sorted[k]!;
    const width = value - previous;
    savings[k + 1] = savings[k]! + slope(k) * width;
    unused[k + 1] = unused[k]! + k * width;
    previous = value;
    // Neumaier summation: the on-demand total is the denominator of every percentage.
    const sum = usageTotal + value;
    compensation +=
      Math.abs(usageTotal) >= Math.abs(value) ? usageTotal - sum + value : value - sum + usageTotal;
    usageTotal = sum;
  }
  usageTotal += compensation;
  const level = (index: number): number => (index === 0 ? 0 : sorted[index - 1]!);
  return {
    optimalIndex,
    usageTotal,
    level,
    savingsAt: (index) => savings[index]!,
    at(c) {
      // The number of hours using at most c: c lies in [u_(k), u_(k+1)).
      let low = 0;
      let high = hours;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (sorted[middle]! <= c) low = middle + 1;
        else high = middle;
      }
      const offset = c - level(low);
      return { savings: savings[low]! + slope(low) * offset, unused: unused[low]! + low * offset };
    },
  };
}
