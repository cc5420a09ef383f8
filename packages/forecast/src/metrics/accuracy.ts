import { EnisError } from "@enis/core";
import { assertInteger, assertObject, invalidField } from "@enis/core/validate";

/*
 * The M4 competition's accuracy measures, computed as the organisers' R code computes them
 * (Makridakis, Spiliotis & Assimakopoulos, "The M4 Competition: 100,000 time series and 61
 * forecasting methods", IJF 36(1), 2020; the M4-methods repository, "Benchmarks and Evaluation.R":
 * `smape_cal`, `mase_cal`, and the MSIS of its prediction-interval evaluation). Every function here
 * scores one series; `evaluateForecasts` aggregates many the way the organisers do.
 */

/** A series of observations or forecasts: a plain array or a typed array of finite numbers. */
export type NumericSeries = ArrayLike<number>;

/** A point forecast beside what happened. */
export interface PointAccuracyInput {
  /** What happened over the forecast horizon: finite numbers, at least one. */
  readonly actual: NumericSeries;
  /** The forecast for the same steps: as many finite numbers as `actual`. */
  readonly forecast: NumericSeries;
}

/** A point forecast beside what happened, with the series' history for scaling (MASE). */
export interface ScaledAccuracyInput extends PointAccuracyInput {
  /** The training values the forecast was made from, oldest first: more than `seasonalPeriod` finite numbers. */
  readonly insample: NumericSeries;
  /**
   * The seasonal period of the scaling naive forecast, in observations (M4: 24 for hourly, 12
   * monthly, 4 quarterly, 1 yearly); an integer >= 1.
   */
  readonly seasonalPeriod: number;
}

/** An interval forecast beside what happened. */
export interface IntervalAccuracyInput {
  /** What happened over the forecast horizon: finite numbers, at least one. */
  readonly actual: NumericSeries;
  /** Lower bounds of the interval, one per step, each <= its upper bound. */
  readonly lower: NumericSeries;
  /** Upper bounds of the interval, one per step. */
  readonly upper: NumericSeries;
}

/** An interval forecast beside what happened, with the series' history for scaling (MSIS). */
export interface ScaledIntervalInput extends IntervalAccuracyInput {
  /** The training values, oldest first: more than `seasonalPeriod` finite numbers. */
  readonly insample: NumericSeries;
  /** The seasonal period of the scaling naive forecast, an integer >= 1 (M4 Hourly: 24). */
  readonly seasonalPeriod: number;
  /**
   * The interval's nominal coverage in percent, in (0, 100); α = 1 − level / 100 (M4: 95).
   * @default 95
   */
  readonly level?: number;
}

/** Throws unless `value` is an array or typed array of finite numbers of length >= `minLength`. */
export function checkSeries(value: unknown, field: string, minLength = 1): NumericSeries {
  const isList =
    Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView) && "length" in value);
  if (!isList) throw invalidField(field, value, "an array of finite numbers");
  const series = value as ArrayLike<unknown>;
  if (series.length < minLength) {
    throw invalidField(
      field,
      value,
      minLength === 1
        ? "a non-empty array of finite numbers"
        : `an array of at least ${minLength} finite numbers`,
    );
  }
  for (let i = 0; i < series.length; i++) {
    const item = series[i];
    if (typeof item !== "number" || !Number.isFinite(item)) {
      throw invalidField(`${field}[${i}]`, item, "a finite number");
    }
  }
  return series as NumericSeries;
}

/** Checks `actual` and a second series of the same length, read from an input object. */
function checkPair(
  input: unknown,
  what: string,
  second: "forecast" | "lower" | "upper",
): { actual: NumericSeries; other: NumericSeries } {
  assertObject(input, what);
  const actual = checkSeries(input["actual"], `${what}.actual`);
  const other = checkSeries(input[second], `${what}.${second}`);
  if (other.length !== actual.length) {
    throw invalidField(
      `${what}.${second}`,
      input[second],
      `an array of ${actual.length} numbers (as many as actual)`,
    );
  }
  return { actual, other };
}

/** The error a sum that overflows would give: refused rather than reported as Infinity. */
function finiteOrThrow(value: number, field: string, what: string): number {
  if (!Number.isFinite(value)) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `${field} must be small enough for ${what} to be finite, got a sum that overflows`,
      {
        field,
      },
    );
  }
  return value;
}

/**
 * Mean absolute error: `mean |y − f|`, in the series' units.
 *
 * @example
 * ```ts
 * mae({ actual: [10, 20], forecast: [12, 17] }); // 2.5
 * ```
 */
export function mae(input: PointAccuracyInput): number {
  const { actual, other: forecast } = checkPair(input, "input", "forecast");
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - forecast[i]!);
  return finiteOrThrow(sum / actual.length, "input.forecast", "the mean absolute error");
}

/**
 * Root mean squared error: `sqrt(mean (y − f)²)`, in the series' units.
 *
 * @example
 * ```ts
 * rmse({ actual: [10, 20], forecast: [13, 16] }); // sqrt((9 + 16) / 2) ≈ 3.536
 * ```
 */
export function rmse(input: PointAccuracyInput): number {
  const { actual, other: forecast } = checkPair(input, "input", "forecast");
  // Scaled by the largest error so that squares of large values (1e200) do not overflow.
  let largest = 0;
  for (let i = 0; i < actual.length; i++) largest = Math.max(largest, Math.abs(actual[i]! - forecast[i]!));
  finiteOrThrow(largest, "input.forecast", "the root mean squared error");
  if (largest === 0) return 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const scaled = (actual[i]! - forecast[i]!) / largest;
    sum += scaled * scaled;
  }
  return finiteOrThrow(
    largest * Math.sqrt(sum / actual.length),
    "input.forecast",
    "the root mean squared error",
  );
}

/**
 * Mean absolute percentage error, in percent: `100 · mean |y − f| / |y|`. Undefined where an actual
 * value is 0: such an input is refused (`INVALID_OPTIONS` naming the step); use {@link smape} or
 * {@link mase} for series that touch zero.
 *
 * @example
 * ```ts
 * mape({ actual: [100, 200], forecast: [110, 180] }); // 10
 * ```
 */
export function mape(input: PointAccuracyInput): number {
  const { actual, other: forecast } = checkPair(input, "input", "forecast");
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i]!;
    if (y === 0) throw invalidField(`input.actual[${i}]`, y, "non-zero (MAPE divides by each actual value)");
    sum += Math.abs(y - forecast[i]!) / Math.abs(y);
  }
  return finiteOrThrow((100 * sum) / actual.length, "input.forecast", "the mean absolute percentage error");
}

/** One step's sMAPE term, `200 |y − f| / (|y| + |f|)`, 0 where both are 0 (an exact forecast). */
export function smapeTerm(y: number, f: number): number {
  const denominator = Math.abs(y) + Math.abs(f);
  if (denominator === 0) return 0;
  // Halved before dividing so that |y| + |f| near the largest double does not overflow to Infinity.
  return (200 * (Math.abs(y - f) / 2)) / (denominator / 2);
}

/**
 * Symmetric mean absolute percentage error as M4 defines it, in percent (0 to 200):
 * `mean 200 · |y − f| / (|y| + |f|)`. A step where both the actual and the forecast are 0 scores 0
 * (the organisers' code would give NaN there; an exact forecast is no error).
 *
 * @example
 * ```ts
 * smape({ actual: [100, 200], forecast: [110, 180] }); // (200·10/210 + 200·20/380) / 2 ≈ 10.025
 * ```
 */
export function smape(input: PointAccuracyInput): number {
  const { actual, other: forecast } = checkPair(input, "input", "forecast");
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += smapeTerm(actual[i]!, forecast[i]!);
  return sum / actual.length;
}

/**
 * The MASE / MSIS scale of a series: the in-sample mean absolute error of the seasonal naive
 * forecast, `mean_{t = m+1..n} |x_t − x_{t−m}|` (M4's `mase_cal`). Throws `INVALID_OPTIONS` when
 * the series has `seasonalPeriod` values or fewer, and when the scale is 0 (every value equals the
 * one a period before: MASE is then undefined, never reported as Infinity).
 *
 * @example
 * ```ts
 * seasonalScale([1, 2, 4, 7], 1); // (1 + 2 + 3) / 3 = 2
 * ```
 */
export function seasonalScale(insample: NumericSeries, seasonalPeriod: number, field = "insample"): number {
  assertInteger(seasonalPeriod, "seasonalPeriod", 1);
  const values = checkSeries(insample, field, seasonalPeriod + 1);
  let sum = 0;
  for (let t = seasonalPeriod; t < values.length; t++)
    sum += Math.abs(values[t]! - values[t - seasonalPeriod]!);
  const scale = sum / (values.length - seasonalPeriod);
  if (!(scale > 0)) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `${field} must vary from one season to the next (a seasonal naive error above 0 to scale by), got ${values.length} values each equal to the one ${seasonalPeriod} before`,
      { field },
    );
  }
  return finiteOrThrow(scale, field, "the seasonal naive scale");
}

/**
 * Mean absolute scaled error as M4 defines it: `mean |y − f| / s`, with `s` the in-sample mean
 * absolute error of the seasonal naive forecast ({@link seasonalScale}). Below 1, the forecast beat
 * the in-sample seasonal naive forecast.
 *
 * @example
 * ```ts
 * mase({ actual: [5, 6], forecast: [4, 8], insample: [1, 2, 4, 7], seasonalPeriod: 1 }); // (1 + 2) / 2 / 2 = 0.75
 * ```
 */
export function mase(input: ScaledAccuracyInput): number {
  const { actual, other: forecast } = checkPair(input, "input", "forecast");
  const scale = seasonalScale(input.insample, input.seasonalPeriod, "input.insample");
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - forecast[i]!) / scale;
  return finiteOrThrow(sum / actual.length, "input.forecast", "the mean absolute scaled error");
}

/** Checks an interval input: actual, lower and upper of one length, lower <= upper at every step. */
function checkInterval(
  input: unknown,
  what: string,
): { actual: NumericSeries; lower: NumericSeries; upper: NumericSeries } {
  const { actual, other: lower } = checkPair(input, what, "lower");
  const { other: upper } = checkPair(input, what, "upper");
  for (let i = 0; i < actual.length; i++) {
    if (lower[i]! > upper[i]!) {
      throw invalidField(`${what}.upper[${i}]`, upper[i], `at least lower[${i}] (${lower[i]})`);
    }
  }
  return { actual, lower, upper };
}

/** The interval level in percent, checked, as α = 1 − level / 100. */
export function alphaOfLevel(level: unknown, field: string): number {
  if (typeof level !== "number" || !(level > 0 && level < 100)) {
    throw invalidField(field, level, "a number in (0, 100) (a coverage in percent)");
  }
  return 1 - level / 100;
}

/**
 * One step's interval score (Gneiting & Raftery 2007), unscaled:
 * `(U − L) + (2/α)(L − y)·[y < L] + (2/α)(y − U)·[y > U]`.
 */
export function intervalScoreTerm(y: number, lower: number, upper: number, alpha: number): number {
  let score = upper - lower;
  if (y < lower) score += (2 / alpha) * (lower - y);
  else if (y > upper) score += (2 / alpha) * (y - upper);
  return score;
}

/**
 * Mean scaled interval score as M4 defines it, for an interval at `level` (α = 1 − level/100):
 * `mean [(U − L) + (2/α)(L − y)·[y < L] + (2/α)(y − U)·[y > U]] / s`, with `s` the seasonal naive
 * scale of MASE ({@link seasonalScale}). Lower is better: narrow intervals, penalised by 2/α per
 * unit an actual falls outside.
 *
 * @example
 * ```ts
 * msis({ actual: [5, 9], lower: [4, 6], upper: [6, 8], insample: [1, 2, 4, 7], seasonalPeriod: 1, level: 95 });
 * // (2 + (2 + 40·1)) / 2 / 2 = 11
 * ```
 */
export function msis(input: ScaledIntervalInput): number {
  const { actual, lower, upper } = checkInterval(input, "input");
  const alpha = alphaOfLevel(input.level ?? 95, "input.level");
  const scale = seasonalScale(input.insample, input.seasonalPeriod, "input.insample");
  let sum = 0;
  for (let i = 0; i < actual.length; i++)
    sum += intervalScoreTerm(actual[i]!, lower[i]!, upper[i]!, alpha) / scale;
  return finiteOrThrow(sum / actual.length, "input.upper", "the mean scaled interval score");
}

/**
 * Interval coverage: the share (0 to 1) of actual values inside `[lower, upper]`, bounds included.
 * M4's ACD is `|coverage − level/100|`.
 *
 * @example
 * ```ts
 * coverage({ actual: [5, 9], lower: [4, 6], upper: [6, 8] }); // 0.5
 * ```
 */
export function coverage(input: IntervalAccuracyInput): number {
  const { actual, lower, upper } = checkInterval(input, "input");
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i]! >= lower[i]! && actual[i]! <= upper[i]!) inside++;
  return inside / actual.length;
}
