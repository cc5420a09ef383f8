import { forecastManyWith, forecastWith } from "./engine.js";
import { defaultRegistry } from "./registry.js";

/**
 * A series to forecast, oldest first: a list of numbers (a plain array or a typed array), or the
 * values with the time of the first one and the step between them, which adds the forecast steps'
 * timestamps to the result. A missing value is `null`, `undefined` or `NaN` (see
 * {@link ForecastOptions.missing}).
 */
export type ForecastSeries =
  | ArrayLike<number | null | undefined>
  | {
      /** The observations, oldest first. */
      readonly values: ArrayLike<number | null | undefined>;
      /** Time of `values[0]`, ms since the epoch (0 to 8.64e15); given with `stepMs`. */
      readonly startMs?: number;
      /** Milliseconds between consecutive observations, a whole number >= 1 (3,600,000 for hourly data). */
      readonly stepMs?: number;
    };

/** Options of {@link forecast} and {@link forecastMany}. */
export interface ForecastOptions {
  /** How many steps to forecast past the end of the series: an integer from 1 to 100,000. */
  readonly horizon: number;
  /**
   * Seasonal periods in observations, each an integer >= 2 and at most the series' length, distinct
   * (24 and 168 for hourly data with daily and weekly cycles; 7 for daily data).
   * @default [] (no seasonality)
   */
  readonly seasonalPeriods?: readonly number[];
  /**
   * Nominal coverages of the prediction intervals, in percent, each in (0, 100), distinct; returned
   * in ascending order. `[]` asks for no intervals.
   * @default [80, 95]
   */
  readonly levels?: readonly number[];
  /**
   * The model, by name: `"auto"` (rolling-origin validation among {@link autoCandidateNames}, the
   * best or the median of the best two), or one of {@link forecastModelNames} (`"naive"`,
   * `"snaive"`, `"naive2"`, `"ets"`, `"theta"`, `"mstl"`, `"pooled-ar"`).
   * @default "auto"
   */
  readonly model?: string;
  /**
   * Seed of the residual bootstrap that gives the intervals of a model without its own variance: the
   * same seed gives the same intervals.
   * @default 0
   */
  readonly seed?: number;
  /**
   * Missing values (`null`, `undefined`, `NaN`):
   * - `"interpolate"`: leading ones are trimmed (their fitted values and residuals are `null`);
   *   each gap inside the series, at most `maxGap` long, is filled — with seasonal periods, by the
   *   value one shortest period earlier (or later, at the start), else by the straight line between
   *   the gap's neighbours; a trailing gap is refused (the forecast starts from the last observation).
   * - `"refuse"`: any missing value is an error naming its index.
   * ±Infinity and non-numbers are always an error naming the index.
   * @default "interpolate"
   */
  readonly missing?: "interpolate" | "refuse";
  /**
   * The longest run of missing values `"interpolate"` fills, an integer >= 1.
   * @default the longest seasonal period, or 24 without seasonality
   */
  readonly maxGap?: number;
}

/** The parameters a model reports, as plain data. */
export type ForecastModelParams = Readonly<Record<string, number | string | boolean | readonly number[]>>;

/** A prediction interval per forecast step. */
export interface ForecastInterval {
  /** Nominal coverage in percent (e.g. 95). */
  readonly level: number;
  /** Lower bound per step; `lower[h] <= mean[h]`. */
  readonly lower: number[];
  /** Upper bound per step; `upper[h] >= mean[h]`. */
  readonly upper: number[];
}

/** What {@link forecast} returns for one series. Every number is finite. */
export interface ForecastResult {
  /** Point forecasts for steps 1..horizon. */
  readonly mean: number[];
  /** One interval per level, levels ascending (each contains the narrower ones). */
  readonly intervals: ForecastInterval[];
  /**
   * One-step-ahead in-sample forecasts, one per value of the caller's series; `null` where the model
   * gives none (its first observations, trimmed leading gaps).
   */
  readonly fitted: (number | null)[];
  /**
   * `value − fitted` per value of the caller's series; `null` where `fitted` is `null` and where the
   * value was missing (and filled).
   */
  readonly residuals: (number | null)[];
  /**
   * The model fitted: its name (for `"auto"`, the chosen model's, or `median(a, b, …)` for a
   * combination) and its parameters (for `"auto"` also `candidates`, their validation `scores`
   * (MASE), the `members` combined, `validationHorizon` and `validationOrigins`).
   */
  readonly model: { readonly name: string; readonly params: ForecastModelParams };
  /**
   * Where the intervals come from: the model's own forecast variance (normal quantiles), or the
   * seeded residual bootstrap.
   */
  readonly intervalMethod: "model-variance" | "residual-bootstrap";
  /** What the missing-value policy did: the caller's indices it filled, and how many leading values it trimmed. */
  readonly missing: { readonly filled: readonly number[]; readonly trimmed: number };
  /** Timestamps of the forecast steps (ms), when the series gave `startMs` and `stepMs`. */
  readonly timestamps?: number[];
}

/**
 * Forecasts one series `horizon` steps ahead, with prediction intervals.
 *
 * - The model: `options.model` by name, or `"auto"`, which validates the candidates of
 *   {@link autoCandidateNames} (and {@link autoNonSeasonalCandidateNames} without seasonal periods)
 *   on rolling origins of the training data only (the last 2 × min(horizon, n / 4) observations,
 *   two origins, a MASE) and forecasts with the best, or the mean of the best two when the second
 *   scores within 10% of the best.
 * - Intervals: from the model's own forecast variance when it has one (normal quantiles),
 *   otherwise from a residual bootstrap (1,000 paths of accumulated one-step residuals, seeded by
 *   `options.seed`). Both widen with the horizon.
 * - Missing values: see {@link ForecastOptions.missing}.
 *
 * Throws `EnisError` `INVALID_OPTIONS` naming the field and value: an empty series, a missing value
 * under `"refuse"`, a non-finite or non-numeric value (by index), a gap longer than `maxGap`, a
 * trailing gap, a horizon below 1, a period below 2 or longer than the series, a level outside
 * (0, 100), an unknown model or option, and a series shorter than the model's minimum (named).
 *
 * @example
 * ```ts
 * const hourly = Array.from({ length: 24 * 14 }, (_, t) => 100 + 20 * Math.sin((2 * Math.PI * t) / 24));
 * const result = forecast(hourly, { horizon: 24, seasonalPeriods: [24], model: "snaive" });
 * result.mean;         // the last day again
 * result.intervals[1]; // { level: 95, lower: [...], upper: [...] }
 * ```
 */
export function forecast(series: ForecastSeries, options: ForecastOptions): ForecastResult {
  return forecastWith(series, options, defaultRegistry);
}

/**
 * Forecasts many series with the same options (every tenant's hourly cost), in order.
 *
 * With a local model (or `"auto"`) each result equals {@link forecast}'s on that series (same
 * seed, same intervals); the options are validated once. With a global model (`"pooled-ar"`), one
 * model is fitted across all the series. An error names the series by its index
 * (`seriesList[3].values[17]`).
 *
 * @example
 * ```ts
 * const results = forecastMany([tenantA, tenantB], { horizon: 48, seasonalPeriods: [24, 168] });
 * ```
 */
export function forecastMany(
  seriesList: readonly ForecastSeries[],
  options: ForecastOptions,
): ForecastResult[] {
  return forecastManyWith(seriesList, options, defaultRegistry);
}
