import { EnisError } from "@enis/core";
import { assertArray, describeValue, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { type AutoCandidate, fitAutoMany } from "./auto.js";
import type { ForecastModelParams, ForecastResult } from "./forecast.js";
import { errorQuantiles, type IntervalMethod } from "./intervals.js";
import type { FittedModel, ModelInput } from "./models/types.js";
import type { ModelRegistry } from "./registry.js";
import { type MissingPolicy, maxTimestampMs, type PreparedSeries, prepareSeries } from "./series.js";

/*
 * The work behind `forecast()` and `forecastMany()`, with the model registry as an argument (the
 * tests pass their own models). Internal.
 */

/** The longest horizon accepted. */
export const maxHorizon = 100_000;

const optionsSchema = z.strictObject({
  horizon: z.number().int().min(1).max(maxHorizon),
  seasonalPeriods: z.array(z.number().int().min(2)).optional(),
  levels: z.array(z.number().gt(0).lt(100)).optional(),
  model: z.string().min(1).optional(),
  seed: z.number().int().optional(),
  missing: z.enum(["interpolate", "refuse"]).optional(),
  maxGap: z.number().int().min(1).optional(),
});

/** Options parsed once, with their defaults. */
export interface ResolvedForecastOptions {
  readonly horizon: number;
  /** Ascending. */
  readonly seasonalPeriods: readonly number[];
  /** The caller's periods, in the caller's order (for error messages). */
  readonly givenPeriods: readonly number[];
  /** Ascending. */
  readonly levels: readonly number[];
  readonly model: string;
  readonly seed: number;
  readonly missing: MissingPolicy;
  readonly maxGap: number | undefined;
}

/** Parses `forecast()`'s options against `registry`'s model names. */
export function resolveForecastOptions(options: unknown, registry: ModelRegistry): ResolvedForecastOptions {
  const parsed = parseOptions(optionsSchema, options, "options");
  const givenPeriods = parsed.seasonalPeriods ?? [];
  rejectDuplicates(givenPeriods, "options.seasonalPeriods");
  const levels = parsed.levels ?? [80, 95];
  rejectDuplicates(levels, "options.levels");
  const model = parsed.model ?? "auto";
  if (model !== "auto" && !registry.local.has(model) && !registry.global.has(model)) {
    const names = ["auto", ...registry.local.keys(), ...registry.global.keys()];
    throw invalidField(
      "options.model",
      model,
      `one of ${names.map((name) => JSON.stringify(name)).join(", ")}`,
    );
  }
  return {
    horizon: parsed.horizon,
    seasonalPeriods: [...givenPeriods].sort((a, b) => a - b),
    givenPeriods,
    levels: [...levels].sort((a, b) => a - b),
    model,
    seed: parsed.seed ?? 0,
    missing: parsed.missing ?? "interpolate",
    maxGap: parsed.maxGap,
  };
}

function rejectDuplicates(list: readonly number[], field: string): void {
  const seen = new Set<number>();
  list.forEach((value, index) => {
    if (seen.has(value)) throw invalidField(`${field}[${index}]`, value, "distinct from the other items");
    seen.add(value);
  });
}

/** Reads one series and checks it against the options (periods no longer than the series). */
export function readSeries(
  series: unknown,
  field: string,
  resolved: ResolvedForecastOptions,
): PreparedSeries {
  const prepared = prepareSeries(series, field, resolved);
  const n = prepared.values.length;
  resolved.givenPeriods.forEach((period, index) => {
    if (period > n) {
      throw invalidField(
        `options.seasonalPeriods[${index}]`,
        period,
        `at most the length of ${field} (${n} observations${prepared.offset > 0 ? " after the leading gap" : ""})`,
      );
    }
  });
  if (prepared.startMs !== undefined && prepared.stepMs !== undefined) {
    const lastMs = prepared.startMs + (prepared.length - 1 + resolved.horizon) * prepared.stepMs;
    if (!(lastMs <= maxTimestampMs)) {
      throw invalidField(
        "options.horizon",
        resolved.horizon,
        `a horizon whose last step is at most ${maxTimestampMs} ms (the end of the time range) for ${field}`,
      );
    }
  }
  return prepared;
}

function tooShort(
  field: string,
  minimum: number,
  model: string,
  resolved: ResolvedForecastOptions,
  n: number,
): EnisError {
  const periods =
    resolved.seasonalPeriods.length > 0
      ? ` with seasonal periods [${resolved.seasonalPeriods.join(", ")}]`
      : "";
  return new EnisError(
    "INVALID_OPTIONS",
    `${field} must be at least ${minimum} observations long for model ${JSON.stringify(model)}${periods}, got ${n}`,
    { field },
  );
}

/** Fits the chosen local model (or `"auto"`) to one prepared series. */
export function fitLocal(
  prepared: PreparedSeries,
  field: string,
  resolved: ResolvedForecastOptions,
  registry: ModelRegistry,
): FittedModel {
  const input: ModelInput = { values: prepared.values, seasonalPeriods: resolved.seasonalPeriods };
  const n = prepared.values.length;
  if (resolved.model === "auto") return fitAuto([prepared], [field], resolved, registry)[0] as FittedModel;
  const local = registry.local.get(resolved.model);
  if (local !== undefined) {
    const minimum = local.minLength(input.seasonalPeriods);
    if (n < minimum) throw tooShort(field, minimum, local.name, resolved, n);
    return local.fit(input);
  }
  return fitGlobal([prepared], [field], resolved, registry)[0] as FittedModel;
}

/** `"auto"`'s candidates, in the registry's order of preference. */
function autoCandidates(registry: ModelRegistry, seasonalPeriods: readonly number[]): AutoCandidate[] {
  const names =
    seasonalPeriods.length === 0
      ? [...registry.autoCandidates, ...registry.autoNonSeasonal]
      : registry.autoCandidates;
  return names.map((name) => {
    const local = registry.local.get(name);
    if (local !== undefined) return { kind: "local", model: local };
    const global = registry.global.get(name);
    if (global === undefined)
      throw new EnisError("INTERNAL", `auto candidate ${JSON.stringify(name)} is not registered`);
    return { kind: "global", model: global };
  });
}

/** Fits `"auto"` across prepared series (global candidates fitted once across them). */
export function fitAuto(
  prepared: readonly PreparedSeries[],
  fields: readonly string[],
  resolved: ResolvedForecastOptions,
  registry: ModelRegistry,
): FittedModel[] {
  const candidates = autoCandidates(registry, resolved.seasonalPeriods);
  const minimum = Math.min(
    ...candidates.map((candidate) => candidate.model.minLength(resolved.seasonalPeriods)),
  );
  prepared.forEach((series, index) => {
    if (series.values.length < minimum) {
      throw tooShort(fields[index] as string, minimum, "auto", resolved, series.values.length);
    }
  });
  if (prepared.length === 0) return [];
  return fitAutoMany(
    prepared.map((series) => ({ values: series.values, seasonalPeriods: resolved.seasonalPeriods })),
    resolved.horizon,
    candidates,
    registry.autoSettings,
  );
}

/** Fits the chosen global model across prepared series. */
export function fitGlobal(
  prepared: readonly PreparedSeries[],
  fields: readonly string[],
  resolved: ResolvedForecastOptions,
  registry: ModelRegistry,
): FittedModel[] {
  const model = registry.global.get(resolved.model);
  if (model === undefined)
    throw new EnisError("INTERNAL", `no global model named ${JSON.stringify(resolved.model)}`);
  const minimum = model.minLength(resolved.seasonalPeriods);
  prepared.forEach((series, index) => {
    if (series.values.length < minimum)
      throw tooShort(fields[index] as string, minimum, model.name, resolved, series.values.length);
  });
  if (prepared.length === 0) return [];
  return model.fitMany(
    prepared.map((series) => ({ values: series.values, seasonalPeriods: resolved.seasonalPeriods })),
  );
}

function assertFiniteOutput(
  values: Float64Array,
  field: string,
  prepared: PreparedSeries,
  what: string,
): void {
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index] as number)) {
      let largest = 0;
      for (const value of prepared.values) largest = Math.max(largest, Math.abs(value));
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field} must be of a magnitude whose ${what} stays finite, got values up to ${describeValue(largest)}`,
        { field },
      );
    }
  }
}

/** The result of one fitted series: forecasts, intervals, fitted values and residuals. */
export function assemble(
  prepared: PreparedSeries,
  fit: FittedModel,
  field: string,
  resolved: ResolvedForecastOptions,
): ForecastResult {
  const horizon = resolved.horizon;
  const forecast = fit.predict(horizon);
  const mean = forecast.mean;
  assertFiniteOutput(mean, field, prepared, "forecast");

  const { offset, length, values } = prepared;
  const filled = new Set(prepared.filled);
  const fittedOut: (number | null)[] = new Array(length).fill(null);
  const residualsOut: (number | null)[] = new Array(length).fill(null);
  const pool: number[] = [];
  for (let t = 0; t < values.length; t++) {
    const value = fit.fitted[t] as number;
    if (!Number.isFinite(value)) continue;
    fittedOut[offset + t] = value;
    if (filled.has(offset + t)) continue;
    const residual = (values[t] as number) - value;
    residualsOut[offset + t] = residual;
    pool.push(residual);
  }

  const levels = resolved.levels;
  const method: IntervalMethod = forecast.variance === undefined ? "residual-bootstrap" : "model-variance";
  const intervals: ForecastResult["intervals"] = [];
  if (levels.length > 0) {
    if (forecast.variance === undefined && pool.length < 2) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field} must be long enough for model ${JSON.stringify(fit.name)} to leave 2 in-sample residuals for the intervals' bootstrap (or pass levels: []), got ${values.length} observations`,
        { field },
      );
    }
    const probabilities = levels.flatMap((level) => [(1 - level / 100) / 2, (1 + level / 100) / 2]);
    const offsets = errorQuantiles(
      probabilities,
      horizon,
      forecast.variance,
      Float64Array.from(pool),
      resolved.seed,
    );
    levels.forEach((level, index) => {
      const low = offsets[2 * index] as Float64Array;
      const high = offsets[2 * index + 1] as Float64Array;
      const lower = new Float64Array(horizon);
      const upper = new Float64Array(horizon);
      for (let h = 0; h < horizon; h++) {
        // Never on the wrong side of the mean (a skewed residual sample could put a 10% quantile above 0).
        lower[h] = (mean[h] as number) + Math.min(0, low[h] as number);
        upper[h] = (mean[h] as number) + Math.max(0, high[h] as number);
      }
      assertFiniteOutput(lower, field, prepared, "interval");
      assertFiniteOutput(upper, field, prepared, "interval");
      intervals.push({ level, lower: Array.from(lower), upper: Array.from(upper) });
    });
  }

  const result: ForecastResult = {
    mean: Array.from(mean),
    intervals,
    fitted: fittedOut,
    residuals: residualsOut,
    model: { name: fit.name, params: { ...fit.params } as ForecastModelParams },
    intervalMethod: method,
    missing: { filled: prepared.filled, trimmed: offset },
  };
  if (prepared.startMs !== undefined && prepared.stepMs !== undefined) {
    const timestamps = new Array<number>(horizon);
    for (let h = 1; h <= horizon; h++)
      timestamps[h - 1] = prepared.startMs + (length - 1 + h) * prepared.stepMs;
    return { ...result, timestamps };
  }
  return result;
}

/** `forecast()` with the models of `registry`. Internal (tests, the monthly cost forecast). */
export function forecastWith(series: unknown, options: unknown, registry: ModelRegistry): ForecastResult {
  const resolved = resolveForecastOptions(options, registry);
  return forecastResolved(series, "series", resolved, registry);
}

/** One series with options already resolved. */
export function forecastResolved(
  series: unknown,
  field: string,
  resolved: ResolvedForecastOptions,
  registry: ModelRegistry,
): ForecastResult {
  const prepared = readSeries(series, field, resolved);
  return assemble(prepared, fitLocal(prepared, field, resolved, registry), field, resolved);
}

/** `forecastMany()` with the models of `registry`. Internal. */
export function forecastManyWith(
  seriesList: unknown,
  options: unknown,
  registry: ModelRegistry,
): ForecastResult[] {
  assertArray(seriesList, "seriesList");
  const resolved = resolveForecastOptions(options, registry);
  const pooled = registry.global.has(resolved.model);
  const auto =
    resolved.model === "auto" &&
    [...registry.autoCandidates, ...registry.autoNonSeasonal].some((name) => registry.global.has(name));
  if (!pooled && !auto) {
    return seriesList.map((series, index) =>
      forecastResolved(series, `seriesList[${index}]`, resolved, registry),
    );
  }
  const fields = seriesList.map((_, index) => `seriesList[${index}]`);
  const prepared = seriesList.map((series, index) => readSeries(series, fields[index] as string, resolved));
  const fits = pooled
    ? fitGlobal(prepared, fields, resolved, registry)
    : fitAuto(prepared, fields, resolved, registry);
  return prepared.map((series, index) => assemble(series, fits[index]!, fields[index] as string, resolved));
}
