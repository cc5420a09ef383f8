/**
 * The contract every local forecasting model implements. `forecast()` validates the series and the
 * options once, fills or refuses missing values by its documented policy, and hands each model a
 * clean series: finite numbers only, at least the model's `minLength`.
 *
 * Internal to the package (not exported from its index): the public API is `forecast()` /
 * `forecastMany()` and the results they return.
 */

/** What a model is fitted on. */
export interface ModelInput {
  /** The observations, oldest first, every one finite; length >= the model's `minLength`. */
  readonly values: Float64Array;
  /**
   * Seasonal periods in observations (24 and 168 for hourly data), ascending, each an integer >= 2
   * (a period of 1 is no seasonality and is never passed). May be empty.
   */
  readonly seasonalPeriods: readonly number[];
}

/** A model's point forecast and, when it has one, its own forecast variance per step. */
export interface ModelForecast {
  /** Point forecasts for steps 1..horizon, every one finite. */
  readonly mean: Float64Array;
  /**
   * The model's forecast-error variance for steps 1..horizon (finite, >= 0), from its own
   * statistical model (ETS state space, naive random walk …); absent when the model has none, and
   * intervals then come from `forecast()`'s residual bootstrap.
   */
  readonly variance?: Float64Array;
}

/** Parameters a fitted model reports, as plain data. */
export type ModelParams = Readonly<Record<string, number | string | boolean | readonly number[]>>;

/** A model fitted to one series. */
export interface FittedModel {
  /** The model's name as `forecast()` reports it (e.g. `"ets(A,Ad,M)"`, `"theta"`). */
  readonly name: string;
  readonly params: ModelParams;
  /**
   * One-step-ahead in-sample forecasts, aligned with the input (`fitted[t]` forecasts
   * `values[t]`), NaN where the model gives none (its first observations). `forecast()` turns NaN
   * into `null` in what it returns and computes residuals as `values − fitted`.
   */
  readonly fitted: Float64Array;
  /**
   * Information criterion of the fit (AICc for likelihood models), when the model has a
   * likelihood; used to choose within a family. Lower is better.
   */
  readonly aicc?: number;
  /** Forecasts `horizon` >= 1 steps past the end of the series. */
  predict(horizon: number): ModelForecast;
}

/** A forecasting model: its name, the shortest series it can fit, and its fitting function. */
export interface LocalModel {
  /** The name `options.model` selects it by (e.g. `"snaive"`, `"naive2"`, `"ets"`, `"theta"`, `"mstl"`). */
  readonly name: string;
  /** The fewest observations the model can be fitted on, for the given seasonal periods. */
  minLength(seasonalPeriods: readonly number[]): number;
  /** Fits the model. Pure and deterministic: the same input gives the same fit on every machine. */
  fit(input: ModelInput): FittedModel;
}

/**
 * A pooled ("global") model: one set of parameters fitted across many series at once (every
 * tenant's hourly cost), then used to forecast each of them. `forecastMany()` fits it on all the
 * series it is given; `forecast()` on one series alone.
 */
export interface GlobalModel {
  /** The name `options.model` selects it by (e.g. `"pooled-ar"`). */
  readonly name: string;
  /** The fewest observations each series needs, for the given seasonal periods. */
  minLength(seasonalPeriods: readonly number[]): number;
  /**
   * Fits one model across `inputs` (all with the same seasonal periods) and returns each series'
   * fit, in order. Pure and deterministic.
   */
  fitMany(inputs: readonly ModelInput[]): FittedModel[];
}
