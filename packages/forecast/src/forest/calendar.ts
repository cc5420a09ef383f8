import { EnisError } from "@enis/core";
import { describeValue, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { createRandomForest, type FittedRandomForest } from "./random-forest.js";

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** A regularly spaced series with its clock: observation `i` is at `startMs + i × stepMs`. */
export interface CalendarSeries {
  /** The observations, oldest first, every one finite. */
  readonly values: readonly number[] | Float64Array;
  /** Time of the first observation, milliseconds since the epoch. */
  readonly startMs: number;
  /** Time between observations in milliseconds, an integer >= 1 (3,600,000 for hourly data). */
  readonly stepMs: number;
}

/** Options of {@link calendarFeatures}: which columns to build and how to read the clock. */
export interface CalendarFeatureOptions {
  /**
   * The caller's holiday calendar: called with the epoch milliseconds of the start of each local
   * day (midnight at `utcOffsetMs`), true for a holiday. Adds a `holiday` column (1 or 0).
   * @default no holiday column
   */
  readonly holidays?: (dayStartMs: number) => boolean;
  /**
   * Offset of the local clock from UTC in milliseconds (e.g. -18,000,000 for UTC-5), used for the
   * hour of day, the weekday and the day a holiday falls on. A fixed offset: no daylight saving.
   * @default 0 (UTC)
   */
  readonly utcOffsetMs?: number;
  /**
   * Whether to add a `trend` column, the observation's index from the start of the history. Trees
   * cannot extrapolate it: past the history every forecast sits in the last stretch the trees
   * split off, i.e. the forecast follows the latest level, not the slope.
   * @default true
   */
  readonly trend?: boolean;
}

/** Calendar feature columns, row-major. */
export interface CalendarFeatures {
  /** Column names, in order: `hourOfDay`, `dayOfWeek`, `weekend`, then `holiday` and `trend` when asked for. */
  readonly names: readonly string[];
  /** Row-major values: `values[row × columns + column]`. */
  readonly values: Float64Array;
  /** Number of columns. */
  readonly columns: number;
}

/**
 * Calendar features of observations `firstIndex … firstIndex + count − 1` of a series that starts at
 * `startMs` with step `stepMs`: hour of day (0–23, fractional for sub-hourly steps), day of week
 * (0 = Sunday … 6 = Saturday), weekend (1 on Saturday and Sunday), holiday (the caller's hook) and
 * trend (the observation index), all on the local clock `utcOffsetMs`.
 *
 * @example
 * ```ts
 * const features = calendarFeatures({ startMs: Date.UTC(2026, 0, 5), stepMs: 3_600_000 }, 0, 48);
 * features.names; // ["hourOfDay", "dayOfWeek", "weekend", "trend"]
 * ```
 */
export function calendarFeatures(
  clock: { readonly startMs: number; readonly stepMs: number },
  firstIndex: number,
  count: number,
  options: CalendarFeatureOptions = {},
): CalendarFeatures {
  const resolved = parseOptions(featureSchema, options, "options");
  checkClock(clock.startMs, clock.stepMs, "clock");
  if (!Number.isSafeInteger(firstIndex) || firstIndex < 0) {
    throw invalidField("firstIndex", firstIndex, "an integer >= 0");
  }
  if (!Number.isSafeInteger(count) || count < 1) throw invalidField("count", count, "an integer >= 1");
  return buildCalendar(clock.startMs, clock.stepMs, firstIndex, count, resolved, 0);
}

const holidaysSchema = z.custom<(dayStartMs: number) => boolean>(
  (value) => typeof value === "function",
  "a function (dayStartMs) => boolean",
);

const featureSchema = z
  .object({
    holidays: holidaysSchema.optional(),
    utcOffsetMs: z
      .number()
      .int()
      .min(-14 * hourMs)
      .max(14 * hourMs)
      .default(0),
    trend: z.boolean().default(true),
  })
  .strict();

type ResolvedFeatures = z.output<typeof featureSchema>;

function checkClock(startMs: unknown, stepMs: unknown, what: string): void {
  if (typeof startMs !== "number" || !Number.isFinite(startMs) || Math.abs(startMs) > 8.64e15) {
    throw invalidField(`${what}.startMs`, startMs, "a finite number of epoch milliseconds");
  }
  if (typeof stepMs !== "number" || !Number.isSafeInteger(stepMs) || stepMs < 1) {
    throw invalidField(`${what}.stepMs`, stepMs, "an integer >= 1");
  }
}

/** Builds the calendar columns, leaving `extraColumns` zeroed columns after them (for lags). */
function buildCalendar(
  startMs: number,
  stepMs: number,
  firstIndex: number,
  count: number,
  options: ResolvedFeatures,
  extraColumns: number,
): CalendarFeatures & { readonly baseColumns: number } {
  const names = ["hourOfDay", "dayOfWeek", "weekend"];
  if (options.holidays !== undefined) names.push("holiday");
  if (options.trend) names.push("trend");
  const baseColumns = names.length;
  const columns = baseColumns + extraColumns;
  const values = new Float64Array(count * columns);
  const holidayCache = new Map<number, number>();
  for (let r = 0; r < count; r++) {
    const index = firstIndex + r;
    const local = startMs + index * stepMs + options.utcOffsetMs;
    const intoDay = ((local % dayMs) + dayMs) % dayMs;
    const dayNumber = (local - intoDay) / dayMs;
    // 1970-01-01 was a Thursday (day 4).
    const weekday = (((dayNumber + 4) % 7) + 7) % 7;
    const offset = r * columns;
    values[offset] = intoDay / hourMs;
    values[offset + 1] = weekday;
    values[offset + 2] = weekday === 0 || weekday === 6 ? 1 : 0;
    let c = 3;
    if (options.holidays !== undefined) {
      let flag = holidayCache.get(dayNumber);
      if (flag === undefined) {
        const dayStartMs = dayNumber * dayMs - options.utcOffsetMs;
        const answer: unknown = options.holidays(dayStartMs);
        if (typeof answer !== "boolean") {
          throw invalidField(`options.holidays(${dayStartMs})`, answer, "true or false");
        }
        flag = answer ? 1 : 0;
        holidayCache.set(dayNumber, flag);
      }
      values[offset + c++] = flag;
    }
    if (options.trend) values[offset + c] = index;
  }
  return { names, values, columns, baseColumns };
}

/** Options of {@link forecastWithCalendar}. */
export interface CalendarForecastOptions extends CalendarFeatureOptions {
  /** Steps to forecast past the end of the history, an integer >= 1. */
  readonly horizon: number;
  /**
   * Prediction-interval levels in percent, each in (0, 100).
   * @default [80, 95]
   */
  readonly levels?: readonly number[];
  /**
   * Lagged values used as features: for each lag k a column holding the observation k steps
   * earlier. Each lag must be >= `horizon`, so that every feature of every forecast step is an
   * observed value (no forecast is fed back as an input); the first max(lags) observations have no
   * lagged value and are left out of the training rows. `[168]` (a week ago) suits hourly data
   * with a horizon up to a week.
   * @default [] (calendar features only)
   */
  readonly lags?: readonly number[];
  /**
   * Number of trees.
   * @default 100
   */
  readonly trees?: number;
  /**
   * Deepest a tree may grow.
   * @default unlimited
   */
  readonly maxDepth?: number;
  /**
   * Fewest training rows in a leaf.
   * @default 1
   */
  readonly minSamplesLeaf?: number;
  /**
   * Fraction of the features tried at each split, in (0, 1].
   * @default 1
   */
  readonly maxFeatures?: number;
  /**
   * Seed of the forest: the same seed and history give the same forecast on every machine.
   * @default 0
   */
  readonly seed?: number;
}

/** One prediction interval, per forecast step. */
export interface CalendarInterval {
  /** Level in percent. */
  readonly level: number;
  /** Lower bounds, one per step. */
  readonly lower: number[];
  /** Upper bounds, one per step. */
  readonly upper: number[];
}

/** What {@link forecastWithCalendar} returns. */
export interface CalendarForecast {
  /** Point forecasts (the forest's mean) for steps 1 … horizon. */
  readonly mean: number[];
  /**
   * Prediction intervals, one per level: the forecast plus the empirical quantiles of the
   * out-of-bag residuals at (100 − level) / 2 and (100 + level) / 2 percent.
   */
  readonly intervals: CalendarInterval[];
  /**
   * Out-of-bag prediction of each observation (the mean of the trees that did not draw it):
   * `null` for the observations left out for lack of lagged values, or never out of bag.
   */
  readonly fitted: (number | null)[];
  /** `values − fitted`, `null` where `fitted` is. */
  readonly residuals: (number | null)[];
  /** The model and its parameters. */
  readonly model: {
    readonly name: "calendar-forest";
    readonly params: {
      readonly features: readonly string[];
      readonly featureImportances: readonly number[];
      readonly trees: number;
      readonly outOfBagR2: number | null;
    };
  };
  /** The fitted forest, to inspect or to save with `toJSON()`. */
  readonly forest: FittedRandomForest;
}

const forecastSchema = featureSchema
  .extend({
    horizon: z.number().int().min(1).max(1_000_000),
    levels: z.array(z.number().gt(0).lt(100)).default([80, 95]),
    lags: z.array(z.number().int().min(1)).default([]),
    trees: z.number().int().min(1).max(100_000).default(100),
    maxDepth: z.number().int().min(1).max(1_000).optional(),
    minSamplesLeaf: z.number().int().min(1).default(1),
    maxFeatures: z.number().gt(0).max(1).default(1),
    seed: z.number().int().refine(Number.isSafeInteger, "a safe integer").default(0),
  })
  .strict();

/** Fewest training rows (after the lags' warm-up) the forecaster accepts. */
const minimumTrainingRows = 8;

/**
 * Forecasts a series from its calendar with a random forest ({@link createRandomForest}): the
 * regression of each observation on its hour of day, weekday, weekend flag, the caller's holiday
 * flag, its index (trend) and optional lagged values, fitted on the history and evaluated on the
 * calendar of the next `horizon` steps. Leakage-free: a training row's features are its own
 * calendar and observations at least `horizon` steps before it, exactly what a forecast row has.
 * Intervals come from the out-of-bag residuals (each observation against the trees that never saw
 * it), so they have the same width at every step.
 *
 * @throws EnisError `INVALID_OPTIONS` for a bad option, a non-finite value (named by index), a lag
 * below the horizon, or a history shorter than max(lags) + 8 observations.
 *
 * @example
 * ```ts
 * const result = forecastWithCalendar(
 *   { values: hourlyCostUsd, startMs: Date.UTC(2026, 0, 1), stepMs: 3_600_000 },
 *   { horizon: 24 * 7, seed: 1, holidays: (dayStartMs) => isPublicHoliday(dayStartMs) },
 * );
 * result.mean; result.intervals[0]; // 80% bounds
 * ```
 */
export function forecastWithCalendar(
  history: CalendarSeries,
  options: CalendarForecastOptions,
): CalendarForecast {
  const resolved = parseOptions(forecastSchema, options, "options");
  if (typeof history !== "object" || history === null) {
    throw invalidField("history", history, "{ values, startMs, stepMs }");
  }
  checkClock(history.startMs, history.stepMs, "history");
  const raw: unknown = history.values;
  if (!Array.isArray(raw) && !(raw instanceof Float64Array)) {
    throw invalidField("history.values", raw, "an array of finite numbers");
  }
  const values = raw as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v))
      throw invalidField(`history.values[${i}]`, v, "a finite number");
  }
  const lags = [...new Set(resolved.lags)].sort((a, b) => a - b);
  resolved.lags.forEach((lag, index) => {
    if (lag < resolved.horizon) {
      throw invalidField(`options.lags[${index}]`, lag, `at least the horizon (${resolved.horizon})`);
    }
  });
  const n = values.length;
  const warmUp = lags.length > 0 ? lags[lags.length - 1]! : 0;
  const minimumLength = warmUp + minimumTrainingRows;
  if (n < minimumLength) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `history.values.length must be at least ${minimumLength} (max(lags) + ${minimumTrainingRows}), got ${describeValue(n)}`,
      { field: "history.values.length" },
    );
  }
  const series = values as ArrayLike<number>;

  const trainingRows = n - warmUp;
  const training = buildCalendar(
    history.startMs,
    history.stepMs,
    warmUp,
    trainingRows,
    resolved,
    lags.length,
  );
  const future = buildCalendar(history.startMs, history.stepMs, n, resolved.horizon, resolved, lags.length);
  const { columns, baseColumns } = training;
  for (let r = 0; r < trainingRows; r++) {
    const index = warmUp + r;
    lags.forEach((lag, k) => {
      training.values[r * columns + baseColumns + k] = series[index - lag]!;
    });
  }
  for (let h = 0; h < resolved.horizon; h++) {
    const index = n + h;
    lags.forEach((lag, k) => {
      // index − lag <= n − 1 because lag >= horizon > h.
      future.values[h * columns + baseColumns + k] = series[index - lag]!;
    });
  }
  const targets = new Float64Array(trainingRows);
  for (let r = 0; r < trainingRows; r++) targets[r] = series[warmUp + r]!;

  const forest = createRandomForest({
    trees: resolved.trees,
    minSamplesLeaf: resolved.minSamplesLeaf,
    maxFeatures: resolved.maxFeatures,
    seed: resolved.seed,
    ...(resolved.maxDepth === undefined ? {} : { maxDepth: resolved.maxDepth }),
  }).fit({ values: training.values, columns }, targets);
  const mean = Array.from(forest.predict({ values: future.values, columns }));

  const fitted: (number | null)[] = new Array(n).fill(null);
  const residuals: (number | null)[] = new Array(n).fill(null);
  const outOfBag = forest.outOfBag!;
  const errors: number[] = [];
  for (let r = 0; r < trainingRows; r++) {
    const prediction = outOfBag.predictions[r];
    if (prediction === null || prediction === undefined) continue;
    fitted[warmUp + r] = prediction;
    const residual = targets[r]! - prediction;
    residuals[warmUp + r] = residual;
    errors.push(residual);
  }
  if (errors.length < 2) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `options.trees must be enough for out-of-bag residuals on 2 observations or more, got ${resolved.trees}`,
      { field: "options.trees" },
    );
  }
  errors.sort((a, b) => a - b);
  const intervals = resolved.levels.map((level) => {
    const lowerShift = quantile(errors, (100 - level) / 200);
    const upperShift = quantile(errors, (100 + level) / 200);
    return {
      level,
      lower: mean.map((m) => m + lowerShift),
      upper: mean.map((m) => m + upperShift),
    };
  });
  return {
    mean,
    intervals,
    fitted,
    residuals,
    model: {
      name: "calendar-forest",
      params: {
        features: [...training.names, ...lags.map((lag) => `lag${lag}`)],
        featureImportances: forest.featureImportances,
        trees: forest.trees,
        outOfBagR2: outOfBag.r2,
      },
    },
    forest,
  };
}

/** The p-quantile of sorted values, linear between order statistics (Hyndman & Fan type 7, R's default). */
function quantile(sorted: readonly number[], p: number): number {
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}
