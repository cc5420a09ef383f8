import { EnisError } from "@enis/core";
import { assertKnownKeys, describeValue, invalidField } from "@enis/core/validate";

/*
 * Reading a caller's series: its shape (a list, a typed array, or `{ values, startMs, stepMs }`),
 * and the missing-value policy. Internal: `forecast()` documents the policy.
 */

/** How `forecast()` treats missing values (`null`, `undefined` or `NaN`) inside a series. */
export type MissingPolicy = "interpolate" | "refuse";

/** A series read and cleaned: what a model is fitted on, and how it maps back to the caller's. */
export interface PreparedSeries {
  /** The observations from the first finite one on, gaps filled: finite numbers only. */
  readonly values: Float64Array;
  /** How many leading missing values were trimmed (`values[0]` is the caller's `offset`). */
  readonly offset: number;
  /** The caller's length. */
  readonly length: number;
  /** The caller's indices whose missing value was filled. */
  readonly filled: readonly number[];
  /** Timestamp of the caller's first value, when given. */
  readonly startMs: number | undefined;
  /** Milliseconds between observations, when given. */
  readonly stepMs: number | undefined;
}

/** What the missing-value policy needs to know. */
export interface SeriesPolicy {
  readonly missing: MissingPolicy;
  /** Longest run of missing values filled, or undefined for the default (see `defaultMaxGap`). */
  readonly maxGap: number | undefined;
  /** Seasonal periods, ascending (may be empty). */
  readonly seasonalPeriods: readonly number[];
}

/** The latest timestamp ENIS accepts (the end of the ECMAScript time range). */
export const maxTimestampMs = 8.64e15;

const seriesKeys: ReadonlySet<string> = new Set(["values", "startMs", "stepMs"]);

/** True for an array or a typed array (not a DataView). */
export function isList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** The default `maxGap`: one cycle of the longest seasonal period, or 24 observations (a day of hours). */
export function defaultMaxGap(seasonalPeriods: readonly number[]): number {
  return seasonalPeriods.length > 0 ? (seasonalPeriods[seasonalPeriods.length - 1] as number) : 24;
}

/**
 * Reads `series` (named `field` in errors) and applies the missing-value policy. Throws
 * `INVALID_OPTIONS` naming the offending index.
 */
export function prepareSeries(series: unknown, field: string, policy: SeriesPolicy): PreparedSeries {
  let raw: ArrayLike<unknown>;
  let valuesField = field;
  let startMs: number | undefined;
  let stepMs: number | undefined;
  if (isList(series)) {
    raw = series;
  } else if (typeof series === "object" && series !== null) {
    const record = series as Record<string, unknown>;
    assertKnownKeys(record, seriesKeys, field);
    valuesField = `${field}.values`;
    if (!isList(record["values"])) {
      throw invalidField(valuesField, record["values"], "an array or a typed array of numbers");
    }
    raw = record["values"];
    const start = record["startMs"];
    const step = record["stepMs"];
    if (start !== undefined || step !== undefined) {
      if (typeof start !== "number" || !(start >= 0 && start <= maxTimestampMs)) {
        throw invalidField(`${field}.startMs`, start, `a time in ms from 0 to ${maxTimestampMs}`);
      }
      if (typeof step !== "number" || !Number.isSafeInteger(step) || step < 1) {
        throw invalidField(`${field}.stepMs`, step, "a whole number of ms >= 1");
      }
      startMs = start;
      stepMs = step;
    }
  } else {
    throw invalidField(field, series, "an array of numbers, a typed array, or { values, startMs, stepMs }");
  }

  const length = raw.length;
  if (length === 0) throw invalidField(valuesField, raw, "a non-empty series");
  const values = new Float64Array(length);
  const missing = new Uint8Array(length);
  let first = -1;
  let last = -1;
  for (let index = 0; index < length; index++) {
    const value = raw[index];
    if (typeof value === "number" && Number.isFinite(value)) {
      values[index] = value;
      if (first < 0) first = index;
      last = index;
      continue;
    }
    const isMissing =
      value === null || value === undefined || (typeof value === "number" && Number.isNaN(value));
    if (!isMissing) {
      throw invalidField(
        `${valuesField}[${index}]`,
        value,
        "a finite number, or null or NaN for a missing value",
      );
    }
    if (policy.missing === "refuse") {
      throw invalidField(`${valuesField}[${index}]`, value, 'a finite number (options.missing is "refuse")');
    }
    missing[index] = 1;
  }
  if (first < 0) throw invalidField(valuesField, raw, "a series with at least one finite number");
  if (last < length - 1) {
    throw invalidField(
      `${valuesField}[${length - 1}]`,
      raw[length - 1],
      "a finite number (the last observation, where the forecast starts: a trailing gap is refused)",
    );
  }

  const maxGap = policy.maxGap ?? defaultMaxGap(policy.seasonalPeriods);
  const period = policy.seasonalPeriods[0];
  const filled: number[] = [];
  for (let index = first; index < length; index++) {
    if (missing[index] === 0) continue;
    let end = index;
    while (missing[end + 1] === 1) end++;
    const gap = end - index + 1;
    if (gap > maxGap) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${valuesField}[${index}] must be a finite number (a gap of ${gap} missing values, indices ${index} to ${end}, is longer than options.maxGap ${maxGap}), got ${describeValue(raw[index])}`,
        { field: `${valuesField}[${index}]` },
      );
    }
    const before = values[index - 1] as number;
    const after = values[end + 1] as number;
    for (let at = index; at <= end; at++) {
      // The seasonal neighbour one period earlier (observed or already filled), else one period
      // later when observed, else the straight line between the gap's neighbours.
      if (period !== undefined && at - period >= first) values[at] = values[at - period] as number;
      else if (period !== undefined && at + period < length && missing[at + period] === 0) {
        values[at] = values[at + period] as number;
      } else values[at] = before + ((after - before) * (at - index + 1)) / (gap + 1);
      filled.push(at);
    }
    index = end;
  }
  return {
    values: first === 0 ? values : values.slice(first),
    offset: first,
    length,
    filled,
    startMs,
    stepMs,
  };
}
