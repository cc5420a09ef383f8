import { EnisError } from "@enis/core";
import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { forecastWith } from "./engine.js";
import type { ForecastModelParams, ForecastSeries } from "./forecast.js";
import { normalQuantile } from "./intervals.js";
import { defaultRegistry, type ModelRegistry } from "./registry.js";
import { isList, prepareSeries } from "./series.js";

/** A direction of cost: the last forecast month against the last actual month, beyond ±10%. */
export type CostTrend = "increasing" | "stable" | "decreasing";

/**
 * Cost history for {@link forecastMonthlyCost}: monthly totals in US dollars, oldest first (a list
 * or a typed array), or finer observations (hourly, daily cost in USD) with the time of the first
 * and the step between them, summed into UTC calendar months.
 */
export type CostHistory =
  | ArrayLike<number>
  | {
      /** Cost per step in USD, oldest first; `null`/`NaN` for a missing value (interpolated). */
      readonly values: ArrayLike<number | null | undefined>;
      /** Time of `values[0]`, ms since the epoch. */
      readonly startMs: number;
      /** Milliseconds each value covers: a whole number that divides a day (3,600,000 for hourly). */
      readonly stepMs: number;
    };

/** Options of {@link forecastMonthlyCost}. */
export interface MonthlyCostOptions {
  /** How many months to forecast past the last month of history: an integer from 1 to 120. */
  readonly monthsAhead: number;
  /**
   * Nominal coverage of the bounds in percent, in (0, 100).
   * @default 80 (Prophet's default interval width, which the seed's forecaster used)
   */
  readonly level?: number;
  /**
   * The model for the monthly totals (see `forecast()`'s `model`).
   * @default "auto"
   */
  readonly model?: string;
  /**
   * Seed of the residual bootstrap, for models without their own variance.
   * @default 0
   */
  readonly seed?: number;
}

/** What {@link forecastMonthlyCost} returns. Every number is finite. */
export interface MonthlyCostForecast {
  /** The forecast total per month ahead, in USD, never below 0 (nor are the bounds). */
  readonly monthlyUsd: number[];
  /** Lower bound per month, in USD, never below 0 (cost is not negative). */
  readonly lowerUsd: number[];
  /** Upper bound per month, in USD. */
  readonly upperUsd: number[];
  /** The bounds' nominal coverage in percent. */
  readonly level: number;
  /**
   * `"increasing"` when the last forecast month is more than 10% above the last actual month,
   * `"decreasing"` when more than 10% below, `"stable"` otherwise.
   */
  readonly trend: CostTrend;
  /**
   * `(last forecast month − last actual month) / last actual month × 100`; `null` when the last
   * actual month is 0 and the forecast is not (no percentage of nothing).
   */
  readonly changePercent: number | null;
  /** The monthly totals the forecast was made from, in USD (aggregated from timestamps when given). */
  readonly historyUsd: number[];
  /** Start (UTC, ms) of each forecast month, when the history had timestamps. */
  readonly monthStartMs?: number[];
  /**
   * `"model"`: a forecast of the monthly totals (its name and parameters in `model`).
   * `"single-month"`: one month of history, no month-to-month variation to learn from: the month
   * repeats, and the bounds assume a month-to-month change with a standard deviation of 25% of
   * that month, accumulating like a random walk (`± z · 0.25 · total · sqrt(h)`), stated rather
   * than estimated.
   */
  readonly basis: "model" | "single-month";
  /** The model fitted to the monthly totals (`"single-month"` for that rule). */
  readonly model: { readonly name: string; readonly params: ForecastModelParams };
}

/** The single-month rule's assumed month-to-month standard deviation, as a fraction of the month. */
const singleMonthSpread = 0.25;

const dayMs = 86_400_000;

const monthlySchema = z.strictObject({
  monthsAhead: z.number().int().min(1).max(120),
  level: z.number().gt(0).lt(100).optional(),
  model: z.string().min(1).optional(),
  seed: z.number().int().optional(),
});

/**
 * Forecasts monthly cost totals `monthsAhead` months ahead, with bounds and a trend: the seed's
 * cost forecaster, defined from one month of history on.
 *
 * - History given as monthly totals is used as is. History given as `{ values, startMs, stepMs }`
 *   is summed into UTC calendar months; missing values inside are interpolated (gaps of at most 24
 *   steps), and a first or last month the data covers only in part is scaled to the whole month
 *   by the fraction covered (a run-rate: 10 days of a 30-day month count × 3).
 * - Two months or more: `forecast()` on the monthly totals with `options.model` (default
 *   `"auto"`), its interval at `level` as the bounds; a forecast or bound below 0 is reported as 0
 *   (cost is not negative).
 * - One month: the month repeats, with the stated bounds of `basis: "single-month"`.
 *
 * Throws `EnisError` `INVALID_OPTIONS` for a negative or non-finite total, an empty history, a bad
 * option (named), or a step that does not divide a day.
 *
 * @example
 * ```ts
 * const result = forecastMonthlyCost([1200, 1260, 1330, 1390], { monthsAhead: 3 });
 * result.trend;         // "increasing" or "stable", by the ±10% rule
 * result.changePercent; // e.g. 12.4
 * ```
 */
export function forecastMonthlyCost(history: CostHistory, options: MonthlyCostOptions): MonthlyCostForecast {
  return forecastMonthlyCostWith(history, options, defaultRegistry);
}

/** {@link forecastMonthlyCost} with the models of `registry`. Internal. */
export function forecastMonthlyCostWith(
  history: unknown,
  options: unknown,
  registry: ModelRegistry,
): MonthlyCostForecast {
  const parsed = parseOptions(monthlySchema, options, "options");
  const level = parsed.level ?? 80;
  const { totals, nextMonth } = monthlyTotals(history);
  const last = totals[totals.length - 1] as number;
  let monthlyUsd: number[];
  let lowerUsd: number[];
  let upperUsd: number[];
  let basis: MonthlyCostForecast["basis"];
  let model: MonthlyCostForecast["model"];
  if (totals.length === 1) {
    const z = normalQuantile((1 + level / 100) / 2);
    monthlyUsd = new Array<number>(parsed.monthsAhead).fill(last);
    lowerUsd = monthlyUsd.map((total, h) =>
      Math.max(0, total - z * singleMonthSpread * total * Math.sqrt(h + 1)),
    );
    upperUsd = monthlyUsd.map((total, h) => total + z * singleMonthSpread * total * Math.sqrt(h + 1));
    basis = "single-month";
    model = { name: "single-month", params: { spread: singleMonthSpread } };
  } else {
    const result = forecastWith(
      totals,
      {
        horizon: parsed.monthsAhead,
        levels: [level],
        ...(parsed.model === undefined ? {} : { model: parsed.model }),
        ...(parsed.seed === undefined ? {} : { seed: parsed.seed }),
      },
      registry,
    );
    const interval = result.intervals[0];
    if (interval === undefined)
      throw new EnisError("INTERNAL", "forecast returned no interval for the monthly cost");
    monthlyUsd = result.mean.map((value) => Math.max(0, value));
    lowerUsd = interval.lower.map((value) => Math.max(0, value));
    upperUsd = interval.upper.map((value) => Math.max(0, value));
    basis = "model";
    model = result.model;
  }
  const final = monthlyUsd[monthlyUsd.length - 1] as number;
  const changePercent = last === 0 ? (final === 0 ? 0 : null) : ((final - last) / Math.abs(last)) * 100;
  const trend: CostTrend =
    changePercent === null
      ? final > 0
        ? "increasing"
        : "decreasing"
      : changePercent > 10
        ? "increasing"
        : changePercent < -10
          ? "decreasing"
          : "stable";
  if (changePercent !== null && !Number.isFinite(changePercent)) {
    throw invalidField("history", history, "monthly totals whose change stays finite");
  }
  const base: MonthlyCostForecast = {
    monthlyUsd,
    lowerUsd,
    upperUsd,
    level,
    trend,
    changePercent,
    historyUsd: totals,
    basis,
    model,
  };
  if (nextMonth === undefined) return base;
  const monthStartMs: number[] = [];
  for (let h = 0; h < parsed.monthsAhead; h++) {
    const start = monthStart(nextMonth + h);
    if (!Number.isFinite(start)) {
      throw invalidField(
        "options.monthsAhead",
        parsed.monthsAhead,
        "a number of months that ends within the time range",
      );
    }
    monthStartMs.push(start);
  }
  return { ...base, monthStartMs };
}

/** UTC month number (year × 12 + month) of a time. */
function monthOf(ms: number): number {
  const date = new Date(ms);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function monthStart(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1);
}

/** Monthly totals from the history, and the month number after its last (when timestamps are given). */
function monthlyTotals(history: unknown): { totals: number[]; nextMonth: number | undefined } {
  if (isList(history)) {
    if (history.length === 0) throw invalidField("history", history, "a non-empty list of monthly totals");
    const totals: number[] = [];
    for (let index = 0; index < history.length; index++) {
      const value = history[index];
      if (typeof value !== "number" || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
        throw invalidField(`history[${index}]`, value, "a monthly total in USD, finite and >= 0");
      }
      totals.push(value);
    }
    return { totals, nextMonth: undefined };
  }
  if (typeof history !== "object" || history === null) {
    throw invalidField("history", history, "a list of monthly totals or { values, startMs, stepMs }");
  }
  const record = history as Record<string, unknown>;
  if (record["startMs"] === undefined || record["stepMs"] === undefined) {
    throw invalidField(
      record["startMs"] === undefined ? "history.startMs" : "history.stepMs",
      undefined,
      "given with the values (to sum them into months)",
    );
  }
  const prepared = prepareSeries(history, "history", {
    missing: "interpolate",
    maxGap: undefined,
    seasonalPeriods: [],
  });
  const stepMs = prepared.stepMs as number;
  if (stepMs > dayMs || dayMs % stepMs !== 0) {
    throw invalidField("history.stepMs", stepMs, `a whole number of ms that divides a day (${dayMs})`);
  }
  const values = prepared.values;
  values.forEach((value, index) => {
    if (value < 0)
      throw invalidField(`history.values[${prepared.offset + index}]`, value, "a cost in USD >= 0");
  });
  const firstMs = (prepared.startMs as number) + prepared.offset * stepMs;
  const firstMonth = monthOf(firstMs);
  const lastMonth = monthOf(firstMs + (values.length - 1) * stepMs);
  const sums = new Float64Array(lastMonth - firstMonth + 1);
  const counts = new Float64Array(lastMonth - firstMonth + 1);
  for (let index = 0; index < values.length; index++) {
    const month = monthOf(firstMs + index * stepMs) - firstMonth;
    sums[month] = (sums[month] as number) + (values[index] as number);
    counts[month] = (counts[month] as number) + 1;
  }
  const totals: number[] = [];
  for (let month = 0; month < sums.length; month++) {
    const steps = (monthStart(firstMonth + month + 1) - monthStart(firstMonth + month)) / stepMs;
    const count = counts[month] as number;
    // A month with no observation at all (a gap longer than a month) cannot happen: maxGap is 24 steps.
    totals.push(count >= steps ? (sums[month] as number) : ((sums[month] as number) * steps) / count);
  }
  return { totals, nextMonth: lastMonth + 1 };
}

/** Options of {@link forecastCapacity}. */
export interface CapacityOptions {
  /** How many steps (hours, for hourly demand) to plan ahead: an integer from 1 to 100,000. */
  readonly horizon: number;
  /**
   * The probability that demand stays at or below the capacity at each step, in (0, 1) (0.95: 95%
   * of hours covered).
   */
  readonly quantile: number;
  /**
   * Seasonal periods in observations.
   * @default [24, 168] for hourly history (`stepMs` 3,600,000), keeping those with two whole
   * cycles in the history; else []
   */
  readonly seasonalPeriods?: readonly number[];
  /** The model (see `forecast()`). @default "auto" */
  readonly model?: string;
  /** Seed of the residual bootstrap. @default 0 */
  readonly seed?: number;
  /** Missing-value policy (see `forecast()`). @default "interpolate" */
  readonly missing?: "interpolate" | "refuse";
  /** Longest gap filled (see `forecast()`). */
  readonly maxGap?: number;
}

/** What {@link forecastCapacity} returns. */
export interface CapacityForecast {
  /** Capacity per step: the forecast's `quantile` quantile, never below 0. */
  readonly capacity: number[];
  /** The point forecast per step. */
  readonly mean: number[];
  /** The quantile asked for. */
  readonly quantile: number;
  /** Timestamps of the steps, when the history gave `startMs` and `stepMs`. */
  readonly timestamps?: number[];
  /** Where the quantiles come from (see `forecast()`). */
  readonly intervalMethod: "model-variance" | "residual-bootstrap";
  /** The model fitted. */
  readonly model: { readonly name: string; readonly params: ForecastModelParams };
}

const capacitySchema = z.strictObject({
  horizon: z.unknown(),
  quantile: z.number().gt(0).lt(1),
  seasonalPeriods: z.unknown().optional(),
  model: z.unknown().optional(),
  seed: z.unknown().optional(),
  missing: z.unknown().optional(),
  maxGap: z.unknown().optional(),
});

const hourMs = 3_600_000;

/**
 * The per-step capacity that covers demand with probability `quantile`, for scaling ahead of load:
 * at each step the forecast distribution's `quantile` quantile (from the model's variance, normal,
 * or the residual bootstrap; see `forecast()`), never below 0. `quantile` 0.5 gives the point
 * forecast.
 *
 * Throws `EnisError` `INVALID_OPTIONS` for a quantile outside (0, 1) and for everything `forecast()`
 * refuses.
 *
 * @example
 * ```ts
 * const { capacity } = forecastCapacity(
 *   { values: requestsPerHour, startMs, stepMs: 3_600_000 },
 *   { horizon: 24, quantile: 0.95 },
 * );
 * ```
 */
export function forecastCapacity(history: ForecastSeries, options: CapacityOptions): CapacityForecast {
  return forecastCapacityWith(history, options, defaultRegistry);
}

/** {@link forecastCapacity} with the models of `registry`. Internal. */
export function forecastCapacityWith(
  history: unknown,
  options: unknown,
  registry: ModelRegistry,
): CapacityForecast {
  const parsed = parseOptions(capacitySchema, options, "options");
  const { quantile, ...rest } = parsed;
  const forecastOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) forecastOptions[key] = value;
  if (forecastOptions["seasonalPeriods"] === undefined) {
    const record =
      typeof history === "object" && history !== null && !isList(history)
        ? (history as Record<string, unknown>)
        : undefined;
    const values = record?.["values"];
    if (record?.["stepMs"] === hourMs && isList(values)) {
      forecastOptions["seasonalPeriods"] = [24, 168].filter((period) => values.length >= 2 * period);
    }
  }
  const level = Math.abs(2 * quantile - 1) * 100;
  if (level >= 100)
    throw invalidField("options.quantile", quantile, "in (0, 1), distinguishable from 0 and 1");
  const result = forecastWith(history, { ...forecastOptions, levels: level > 0 ? [level] : [] }, registry);
  const interval = result.intervals[0];
  const bound = interval === undefined ? result.mean : quantile > 0.5 ? interval.upper : interval.lower;
  const capacity = bound.map((value) => Math.max(0, value));
  const base: CapacityForecast = {
    capacity,
    mean: result.mean,
    quantile,
    intervalMethod: result.intervalMethod,
    model: result.model,
  };
  return result.timestamps === undefined ? base : { ...base, timestamps: result.timestamps };
}
