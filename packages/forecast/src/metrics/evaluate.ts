import { assertArray, assertObject, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import {
  alphaOfLevel,
  checkSeries,
  intervalScoreTerm,
  type NumericSeries,
  seasonalScale,
  smapeTerm,
} from "./accuracy.js";

/**
 * Naive2's M4 Hourly scores, the reference of OWA: sMAPE 18.383, MASE 2.395 (the organisers'
 * published table, `published-point-forecasts-by-frequency.csv`, column Hourly; REFERENCES.md §4).
 */
export const m4HourlyNaive2 = Object.freeze({ smape: 18.383, mase: 2.395 });

/** A method's sMAPE and MASE, and the reference method's, for {@link owa}. */
export interface OwaInput {
  /** The method's sMAPE, in percent (>= 0). */
  readonly smape: number;
  /** The method's MASE (>= 0). */
  readonly mase: number;
  /**
   * The reference's sMAPE and MASE (both > 0): Naive2 on the same series.
   * @default M4 Hourly's Naive2, `{ smape: 18.383, mase: 2.395 }`
   */
  readonly reference?: { readonly smape: number; readonly mase: number };
}

const referenceSchema = z.strictObject({
  smape: z.number().positive().finite(),
  mase: z.number().positive().finite(),
});

const owaSchema = z.strictObject({
  smape: z.number().nonnegative().finite(),
  mase: z.number().nonnegative().finite(),
  reference: referenceSchema.optional(),
});

/**
 * Overall weighted average as M4 defines it: `0.5 · (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2)`.
 * 1 is Naive2's accuracy; M4 Hourly's seasonal naive scores 0.627, its winner 0.440.
 *
 * @example
 * ```ts
 * owa({ smape: 13.912, mase: 1.193 }); // ≈ 0.627 (seasonal naive on M4 Hourly)
 * ```
 */
export function owa(input: OwaInput): number {
  const { smape, mase, reference = m4HourlyNaive2 } = parseOptions(owaSchema, input, "input");
  return 0.5 * (smape / reference.smape + mase / reference.mase);
}

/** One series' forecast beside what happened, for {@link evaluateForecasts}. */
export interface EvaluatedSeries {
  /** The training values the forecast was made from, oldest first (more than `seasonalPeriod`). */
  readonly insample: NumericSeries;
  /** What happened over the horizon: finite numbers, at least one. */
  readonly actual: NumericSeries;
  /** The point forecast, one per actual value. */
  readonly forecast: NumericSeries;
  /** The interval at `options.level`, one bound per actual value; needed for MSIS and coverage. */
  readonly interval?: { readonly lower: NumericSeries; readonly upper: NumericSeries };
}

/** Options of {@link evaluateForecasts}. */
export interface EvaluateOptions {
  /** The seasonal period of MASE's and MSIS's scale, an integer >= 1 (M4 Hourly: 24). */
  readonly seasonalPeriod: number;
  /**
   * The level in percent of the intervals given (MSIS's α = 1 − level / 100).
   * @default 95
   */
  readonly level?: number;
  /**
   * Naive2's sMAPE and MASE on the same series, the reference of OWA.
   * @default M4 Hourly's, `{ smape: 18.383, mase: 2.395 }`
   */
  readonly reference?: { readonly smape: number; readonly mase: number };
}

/** One series' scores, as in {@link ForecastAccuracy}. */
export interface SeriesAccuracy {
  /** sMAPE in percent. */
  readonly smape: number;
  /** MASE. */
  readonly mase: number;
  /** MAE in the series' units. */
  readonly mae: number;
  /** RMSE in the series' units. */
  readonly rmse: number;
  /** MAPE in percent; null when an actual value is 0 (MAPE is undefined there). */
  readonly mape: number | null;
  /** MSIS at the level; null without an interval. */
  readonly msis: number | null;
  /** Share (0 to 1) of actual values inside the interval; null without an interval. */
  readonly coverage: number | null;
}

/** Scores over many series, aggregated as the M4 organisers aggregate them. */
export interface ForecastAccuracy {
  /** sMAPE, mean over every series and step. */
  readonly smape: number;
  /** MASE, mean over every series and step (each step scaled by its own series' scale). */
  readonly mase: number;
  /** OWA of the aggregated sMAPE and MASE against `options.reference`. */
  readonly owa: number;
  /** MAE, mean over every series and step (in the series' mixed units: compare like with like). */
  readonly mae: number;
  /** RMSE, the mean of the series' RMSEs. */
  readonly rmse: number;
  /** MAPE, mean over every series and step; null when any actual value is 0. */
  readonly mape: number | null;
  /** MSIS, mean over every series and step; null unless every series has an interval. */
  readonly msis: number | null;
  /** Coverage over every series and step; null unless every series has an interval. */
  readonly coverage: number | null;
  /** The number of series scored. */
  readonly seriesCount: number;
  /** Each series' scores, in input order. */
  readonly series: readonly SeriesAccuracy[];
}

const evaluateSchema = z.strictObject({
  seasonalPeriod: z.number().int().min(1),
  level: z.number().gt(0).lt(100).optional(),
  reference: referenceSchema.optional(),
});

/**
 * Scores many series' forecasts with the M4 measures and aggregates them as the organisers do: the
 * mean over every series and step of the per-step sMAPE, scaled error (MASE), scaled interval score
 * (MSIS) and inside-the-interval indicator (coverage); OWA from the aggregated sMAPE and MASE. With
 * one horizon for every series (M4: 48 hourly steps), this is the mean of the series' scores.
 *
 * Throws `INVALID_OPTIONS` naming the series and field for: a length mismatch, a value that is not
 * finite, a lower bound above its upper bound, a training series no longer than the seasonal
 * period, and a training series whose seasonal naive scale is 0 (MASE undefined).
 *
 * @example
 * ```ts
 * const accuracy = evaluateForecasts(
 *   [{ insample: [1, 2, 4, 7], actual: [5, 6], forecast: [4, 8], interval: { lower: [3, 5], upper: [6, 9] } }],
 *   { seasonalPeriod: 1 },
 * );
 * accuracy.mase; // 0.75
 * accuracy.coverage; // 1
 * ```
 */
export function evaluateForecasts(
  series: readonly EvaluatedSeries[],
  options: EvaluateOptions,
): ForecastAccuracy {
  const {
    seasonalPeriod,
    level = 95,
    reference = m4HourlyNaive2,
  } = parseOptions(evaluateSchema, options, "options");
  assertArray(series, "series");
  if (series.length === 0) throw invalidField("series", series, "a non-empty array");
  const alpha = alphaOfLevel(level, "options.level");
  let steps = 0;
  let smapeSum = 0;
  let maseSum = 0;
  let maeSum = 0;
  let rmseSum = 0;
  let mapeSum = 0;
  let mapeDefined = true;
  let msisSum = 0;
  let insideCount = 0;
  let allIntervals = true;
  const scores: SeriesAccuracy[] = [];
  for (let s = 0; s < series.length; s++) {
    const what = `series[${s}]`;
    const item: unknown = series[s];
    assertObject(item, what);
    const actual = checkSeries(item["actual"], `${what}.actual`);
    const forecast = checkLength(
      checkSeries(item["forecast"], `${what}.forecast`),
      actual.length,
      `${what}.forecast`,
    );
    const scale = seasonalScale(item["insample"] as NumericSeries, seasonalPeriod, `${what}.insample`);
    let interval: { lower: NumericSeries; upper: NumericSeries } | undefined;
    if (item["interval"] !== undefined) {
      const bounds: unknown = item["interval"];
      assertObject(bounds, `${what}.interval`);
      const lower = checkLength(
        checkSeries(bounds["lower"], `${what}.interval.lower`),
        actual.length,
        `${what}.interval.lower`,
      );
      const upper = checkLength(
        checkSeries(bounds["upper"], `${what}.interval.upper`),
        actual.length,
        `${what}.interval.upper`,
      );
      for (let i = 0; i < actual.length; i++) {
        if (lower[i]! > upper[i]!)
          throw invalidField(`${what}.interval.upper[${i}]`, upper[i], `at least lower[${i}] (${lower[i]})`);
      }
      interval = { lower, upper };
    } else allIntervals = false;

    let sSmape = 0;
    let sAbs = 0;
    let sSquare = 0;
    let sMape = 0;
    let sMapeDefined = true;
    let sScore = 0;
    let sInside = 0;
    let largest = 0;
    for (let i = 0; i < actual.length; i++) largest = Math.max(largest, Math.abs(actual[i]! - forecast[i]!));
    for (let i = 0; i < actual.length; i++) {
      const y = actual[i]!;
      const f = forecast[i]!;
      const error = Math.abs(y - f);
      sSmape += smapeTerm(y, f);
      sAbs += error;
      if (largest > 0) sSquare += (error / largest) ** 2;
      if (y === 0) sMapeDefined = false;
      else sMape += error / Math.abs(y);
      if (interval !== undefined) {
        const lower = interval.lower[i]!;
        const upper = interval.upper[i]!;
        sScore += intervalScoreTerm(y, lower, upper, alpha) / scale;
        if (y >= lower && y <= upper) sInside++;
      }
    }
    const n = actual.length;
    const seriesRmse = largest === 0 ? 0 : largest * Math.sqrt(sSquare / n);
    const score: SeriesAccuracy = {
      smape: sSmape / n,
      mase: sAbs / scale / n,
      mae: sAbs / n,
      rmse: seriesRmse,
      mape: sMapeDefined ? (100 * sMape) / n : null,
      msis: interval === undefined ? null : sScore / n,
      coverage: interval === undefined ? null : sInside / n,
    };
    for (const [key, value] of Object.entries(score)) {
      if (value !== null && !Number.isFinite(value)) {
        throw invalidField(`${what}.forecast`, forecast, `small enough for its ${key} to be finite`);
      }
    }
    scores.push(Object.freeze(score));
    steps += n;
    smapeSum += sSmape;
    maseSum += sAbs / scale;
    maeSum += sAbs;
    rmseSum += seriesRmse;
    if (sMapeDefined) mapeSum += sMape;
    else mapeDefined = false;
    msisSum += sScore;
    insideCount += sInside;
  }
  const smape = smapeSum / steps;
  const mase = maseSum / steps;
  const result: ForecastAccuracy = {
    smape,
    mase,
    owa: 0.5 * (smape / reference.smape + mase / reference.mase),
    mae: maeSum / steps,
    rmse: rmseSum / series.length,
    mape: mapeDefined ? (100 * mapeSum) / steps : null,
    msis: allIntervals ? msisSum / steps : null,
    coverage: allIntervals ? insideCount / steps : null,
    seriesCount: series.length,
    series: Object.freeze(scores),
  };
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw invalidField("series", series, `small enough for the aggregated ${key} to be finite`);
    }
  }
  return Object.freeze(result);
}

function checkLength(values: NumericSeries, length: number, field: string): NumericSeries {
  if (values.length !== length)
    throw invalidField(field, values, `an array of ${length} numbers (as many as actual)`);
  return values;
}
