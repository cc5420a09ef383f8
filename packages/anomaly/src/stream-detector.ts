import { EnisError } from "@enis/core";
import { describeValue, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";

/*
 * A streaming anomaly detector for one metric (cost, CPU, request count): each value is scored by
 * how rarely the remembered history holds a value like it. The history is a histogram of values on
 * an asinh scale (fine near zero, logarithmic for large values, so a spike of ten times the usual
 * level lands far away whatever the unit), whose counts decay with a half-life, so the detector
 * follows a series that changes for good. The change from the previous value is scored the same
 * way (a jump unlike the series' usual jumps), and with seasonal periods so is the change from one
 * period earlier, so a value that is ordinary at noon but not at 3 a.m. is caught.
 * Every update costs a fixed number of operations (the histogram has a fixed number of buckets),
 * and the whole state is plain data.
 *
 * Chosen by measurement on the Numenta Anomaly Benchmark's AWS subset (benchmarks/anomaly/nab):
 * this histogram novelty scored above a robust z-score on an exponentially weighted baseline, with
 * or without Numenta's anomaly-likelihood layer on top; scoring the change from the previous value
 * as well made its score steadier across sensitivities (docs/anomaly.md has the figures).
 */

/** Buckets of the value histograms. */
const bucketCount = 200;
/** Half-width of the histograms' range on the asinh scale (values beyond land in the end buckets). */
const asinhRange = 25;
/** The scale unit is this share of the typical magnitude (median |x|) of the warm-up values. */
const scaleShare = 0.1;
/** When the decaying weights grow past this, all counts are rescaled (amortised O(1)). */
const rescaleAbove = 1e200;

/** Options of {@link createAnomalyDetector}. */
export interface AnomalyDetectorOptions {
  /**
   * How readily the detector raises `isAnomaly`, in (0, 1): it does when `score >= 1 − sensitivity`.
   * 0.15 raises a value (or change) when its estimated probability is at most the 0.85th power of
   * that of a value never seen — with a week of remembered history, about once in 1,600 observations.
   * @default 0.15
   */
  readonly sensitivity?: number;
  /**
   * Seasonal periods in observations, each an integer >= 2 (288 for a daily cycle of 5-minute
   * points; 24 and 168 for hourly data), distinct, at most 100,000. With periods, the change from
   * one period earlier is scored as well (once `warmup` such changes have been seen), and a point's
   * score is the largest of its views.
   * @default [] (no seasonality)
   */
  readonly seasonalPeriods?: readonly number[];
  /**
   * Half-life of the remembered history, in observations (an integer >= 10): an observation this
   * many points old counts half as much as the latest one.
   * @default 2016 (a week of 5-minute points)
   */
  readonly halfLife?: number;
  /**
   * Observations before the first score: they set the scale and fill the history (an integer from 10
   * to 100,000). `score` is 0 and `isAnomaly` false until then.
   * @default 100
   */
  readonly warmup?: number;
  /**
   * After an anomaly, later points within this many milliseconds are not raised again (one alert per
   * incident; their `score` is still reported). 0 raises every point above the threshold.
   * @default 14,400,000 (4 hours)
   */
  readonly cooldownMs?: number;
  /**
   * How far beyond what was seen a value must fall to count as new, in histogram buckets (an integer
   * from 0 to 3; a bucket is about a quarter of the value's magnitude for large values, a fortieth of
   * the typical magnitude near zero). Each observation is spread over this many buckets on each side
   * (triangular weights), so a value just past the largest seen is not "never seen". 0 suits spiky
   * metrics where any new extreme matters (it scored best on NAB's CloudWatch series); 2 suits smooth
   * series such as hourly cost, where a new high by a few percent is not an incident.
   * @default 0
   */
  readonly tolerance?: number;
}

/** The resolved options of an {@link AnomalyDetector}. */
export interface ResolvedAnomalyDetectorOptions {
  /** See {@link AnomalyDetectorOptions.sensitivity}. */
  readonly sensitivity: number;
  /** See {@link AnomalyDetectorOptions.seasonalPeriods}. */
  readonly seasonalPeriods: readonly number[];
  /** See {@link AnomalyDetectorOptions.halfLife}. */
  readonly halfLife: number;
  /** See {@link AnomalyDetectorOptions.warmup}. */
  readonly warmup: number;
  /** See {@link AnomalyDetectorOptions.cooldownMs}. */
  readonly cooldownMs: number;
  /** See {@link AnomalyDetectorOptions.tolerance}. */
  readonly tolerance: number;
}

/** What {@link AnomalyDetector.update} says about one point. */
export interface AnomalyUpdate {
  /**
   * How unusual the point is, in [0, 1]: log p / log p₀, where p is the estimated probability, in the
   * remembered history, of a value at least as far out on the same side, and p₀ that of a value never
   * seen (half an observation's weight over the history's). 1: unlike anything remembered; 0.5 with
   * a week of 5-minute history ≈ once in 76 observations. The scale does not depend on how long the
   * history is. 0 during the warm-up.
   */
  readonly score: number;
  /** `score >= 1 − sensitivity`, after the warm-up, and not within `cooldownMs` of the last anomaly. */
  readonly isAnomaly: boolean;
  /** Whether the point fell in the warm-up (no score yet). */
  readonly warmingUp: boolean;
  /**
   * Which view found the point most unusual: `"level"` (the value itself), `"change"` (its change from
   * the previous value) or `"seasonal"` (its change from one seasonal period earlier); `null` during
   * the warm-up.
   */
  readonly driver: "level" | "change" | "seasonal" | null;
}

/** A streaming detector (see {@link createAnomalyDetector}). */
export interface AnomalyDetector {
  /** The resolved options. */
  readonly options: ResolvedAnomalyDetectorOptions;
  /** Points seen so far. */
  readonly count: number;
  /**
   * Scores the next point and adds it to the history.
   * @throws EnisError `INVALID_DATA` when `value` is not a finite number or `timestampMs` is not a
   *   finite number at or after the previous point's (equal timestamps are accepted).
   */
  update(value: number, timestampMs: number): AnomalyUpdate;
  /** The whole state as plain data; {@link anomalyDetectorFromJSON} resumes from it. */
  toJSON(): AnomalyDetectorJSON;
}

/** One decaying histogram, as plain data. */
export interface HistogramJSON {
  /** Bucket weights, in units of the detector's current weight. */
  readonly counts: readonly number[];
  /** Sum of `counts`. */
  readonly total: number;
}

/** The plain-data state of an {@link AnomalyDetector} ({@link AnomalyDetector.toJSON}). */
export interface AnomalyDetectorJSON {
  /** Format tag. */
  readonly format: "enis-anomaly-detector";
  /** Format version. */
  readonly version: 1;
  /** The resolved options. */
  readonly options: ResolvedAnomalyDetectorOptions;
  /** Points seen. */
  readonly count: number;
  /** The scale unit of the histograms; 0 until the warm-up ends. */
  readonly scale: number;
  /** The weight the next point gets (weights grow instead of old counts decaying). */
  readonly weight: number;
  /** The histogram of values. */
  readonly level: HistogramJSON;
  /** The histogram of changes from the previous value. */
  readonly change: HistogramJSON;
  /** One histogram of changes per seasonal period, in the order of `options.seasonalPeriods`. */
  readonly seasonal: readonly HistogramJSON[];
  /** The last `max(1, ...seasonalPeriods)` values, oldest first (during the warm-up: all values so far). */
  readonly recent: readonly number[];
  /** Timestamp of the last point, or `null` before the first. */
  readonly lastTimestampMs: number | null;
  /** Timestamp of the last raised anomaly, or `null`. */
  readonly lastAnomalyMs: number | null;
}

const optionsSchema = z.strictObject({
  sensitivity: z.number().gt(0).lt(1).default(0.15),
  seasonalPeriods: z
    .array(z.number().int().min(2).max(100_000))
    .refine((periods) => new Set(periods).size === periods.length, "distinct periods")
    .default([]),
  halfLife: z.number().int().min(10).default(2016),
  warmup: z.number().int().min(10).max(100_000).default(100),
  cooldownMs: z.number().int().min(0).max(8.64e15).default(14_400_000),
  tolerance: z.number().int().min(0).max(3).default(0),
});

interface Histogram {
  counts: Float64Array;
  total: number;
}

/**
 * Creates a streaming anomaly detector for one series of values (a tenant's hourly cost, a host's
 * CPU, an endpoint's request count). Feed it points in time order with `update(value, timestampMs)`;
 * each call costs a fixed number of operations and returns the point's `score` and whether it is an
 * anomaly. `toJSON()` is the whole state, so a restarted service resumes where it stopped
 * ({@link anomalyDetectorFromJSON}).
 *
 * How it scores: after `warmup` points set the scale unit (a tenth of the median magnitude, or of the
 * mean when the median is 0; 1 when the warm-up holds only zeros), every
 * value is placed in a 200-bucket histogram on the scale asinh(value / unit) whose weights decay with
 * `halfLife`; the score is log p / log p₀, p the estimated probability, in that history, of a value
 * at least as far out on the same side (its bucket included), p₀ that of a value never seen. The change from the previous value, and
 * with `seasonalPeriods` the change from one period earlier, get histograms of their own, and the
 * point scores the largest of these views. An anomaly is
 * raised once per incident: points within `cooldownMs` after one are not raised again.
 *
 * @throws EnisError `INVALID_OPTIONS` naming the option and the value when an option is out of range.
 */
export function createAnomalyDetector(options: AnomalyDetectorOptions = {}): AnomalyDetector {
  const resolved = parseOptions(optionsSchema, options, "options") as ResolvedAnomalyDetectorOptions;
  return build(resolved, undefined);
}

/**
 * Resumes a detector from {@link AnomalyDetector.toJSON}'s output (parsed JSON): the restored detector
 * gives exactly the scores the original would have given.
 * @throws EnisError `INVALID_OPTIONS` naming the field when `json` is not a well-formed state.
 */
export function anomalyDetectorFromJSON(json: AnomalyDetectorJSON): AnomalyDetector {
  const bad = (field: string, got: unknown, expectation: string): never => {
    throw invalidField(`json${field ? `.${field}` : ""}`, got, expectation);
  };
  if (typeof json !== "object" || json === null) bad("", json, "an object");
  if (json.format !== "enis-anomaly-detector" || json.version !== 1) {
    bad("format", json.format, '"enis-anomaly-detector" version 1');
  }
  const resolved = parseOptions(
    optionsSchema,
    json.options,
    "json.options",
  ) as ResolvedAnomalyDetectorOptions;
  const { count, scale, weight, lastTimestampMs, lastAnomalyMs } = json;
  if (!Number.isInteger(count) || count < 0) bad("count", count, "an integer >= 0");
  const warm = count >= resolved.warmup;
  if (typeof scale !== "number" || !Number.isFinite(scale) || (warm ? !(scale > 0) : scale !== 0)) {
    bad("scale", scale, warm ? "a finite number > 0" : "0 (still warming up)");
  }
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 1) {
    bad("weight", weight, "a finite number >= 1");
  }
  const histogram = (value: HistogramJSON, field: string): Histogram => {
    if (typeof value !== "object" || value === null) bad(field, value, "an object");
    const { counts, total } = value;
    if (!Array.isArray(counts) || counts.length !== bucketCount) {
      bad(`${field}.counts`, counts, `an array of ${bucketCount} numbers`);
    }
    let sum = 0;
    counts.forEach((c, i) => {
      if (typeof c !== "number" || !Number.isFinite(c) || c < 0) {
        bad(`${field}.counts[${i}]`, c, "a finite number >= 0");
      }
      sum += c;
    });
    if (
      typeof total !== "number" ||
      !Number.isFinite(total) ||
      Math.abs(total - sum) > 1e-9 * Math.max(1, sum)
    ) {
      bad(`${field}.total`, total, `the sum of the counts (${sum})`);
    }
    return { counts: Float64Array.from(counts), total };
  };
  const level = histogram(json.level, "level");
  if (!Array.isArray(json.seasonal) || json.seasonal.length !== resolved.seasonalPeriods.length) {
    bad("seasonal", json.seasonal, `an array of ${resolved.seasonalPeriods.length} histograms`);
  }
  const lagged = [
    histogram(json.change, "change"),
    ...json.seasonal.map((h, i) => histogram(h, `seasonal[${i}]`)),
  ];
  const keep = warm ? Math.min(count, Math.max(1, ...resolved.seasonalPeriods)) : count;
  if (!Array.isArray(json.recent) || json.recent.length !== keep) {
    bad("recent", json.recent, `an array of ${keep} numbers`);
  }
  json.recent.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) bad(`recent[${i}]`, v, "a finite number");
  });
  const timestamp = (value: unknown, field: string): number | null => {
    if (value === null) return null;
    if (typeof value !== "number" || !Number.isFinite(value)) bad(field, value, "null or a finite number");
    return value as number;
  };
  return build(resolved, {
    count,
    scale,
    weight,
    level,
    lagged,
    recent: [...json.recent],
    lastTimestampMs: timestamp(lastTimestampMs, "lastTimestampMs"),
    lastAnomalyMs: timestamp(lastAnomalyMs, "lastAnomalyMs"),
  });
}

interface State {
  count: number;
  scale: number;
  weight: number;
  level: Histogram;
  /** Histograms of the change from `lags[i]` points earlier. */
  lagged: Histogram[];
  recent: number[];
  lastTimestampMs: number | null;
  lastAnomalyMs: number | null;
}

function build(options: ResolvedAnomalyDetectorOptions, restored: State | undefined): AnomalyDetector {
  /** The lags whose changes are scored: the previous value, then each seasonal period. */
  const lags = [1, ...options.seasonalPeriods];
  const longestLag = Math.max(...lags);
  const growth = 2 ** (1 / options.halfLife);
  const threshold = 1 - options.sensitivity;
  const emptyHistogram = (): Histogram => ({ counts: new Float64Array(bucketCount), total: 0 });
  const state: State = restored ?? {
    count: 0,
    scale: 0,
    weight: 1,
    level: emptyHistogram(),
    lagged: lags.map(emptyHistogram),
    recent: [],
    lastTimestampMs: null,
    lastAnomalyMs: null,
  };
  // `recent` is a ring once warm: `head` indexes its oldest value.
  let head = 0;

  const bucketOf = (x: number): number => {
    const position = Math.floor(
      ((Math.asinh(x / state.scale) + asinhRange) / (2 * asinhRange)) * bucketCount,
    );
    return position < 0 ? 0 : position >= bucketCount ? bucketCount - 1 : position;
  };
  /** log p / log p₀: p the probability of a value at least as far out on its side, p₀ that of one never seen. */
  const surprise = (h: Histogram, x: number): number => {
    if (h.total <= 0) return 0;
    const b = bucketOf(x);
    let below = 0;
    for (let i = 0; i < b; i++) below += h.counts[i]!;
    const atOrBelow = below + h.counts[b]!;
    const atOrAbove = h.total - below;
    const tail = Math.min(atOrBelow, atOrAbove) / h.total;
    const floor = (0.5 * state.weight) / h.total;
    const decades = -Math.log10(Math.max(0, tail) + floor);
    return Math.min(1, Math.max(0, decades / -Math.log10(floor)));
  };
  // Triangular spread over ±tolerance buckets: weights 1, 2, …, tolerance + 1, …, 2, 1, summing to 1.
  const spread = Array.from(
    { length: 2 * options.tolerance + 1 },
    (_, j) => (options.tolerance + 1 - Math.abs(j - options.tolerance)) / (options.tolerance + 1) ** 2,
  );
  const add = (h: Histogram, x: number): void => {
    const centre = bucketOf(x) - options.tolerance;
    for (let j = 0; j < spread.length; j++) {
      const b = Math.min(bucketCount - 1, Math.max(0, centre + j));
      h.counts[b]! += state.weight * spread[j]!;
    }
    h.total += state.weight;
  };
  const advanceWeight = (): void => {
    state.weight *= growth;
    if (state.weight > rescaleAbove) {
      const factor = 1 / state.weight;
      for (const h of [state.level, ...state.lagged]) {
        for (let i = 0; i < bucketCount; i++) h.counts[i]! *= factor;
        h.total *= factor;
      }
      state.weight = 1;
    }
  };
  /** The value `lag` points before the one being added (`recent` holds the last `longestLag`). */
  const valueBefore = (lag: number): number | undefined => {
    const length = state.recent.length;
    if (lag > length) return undefined;
    return state.recent[(head + length - lag) % length];
  };
  const remember = (x: number): void => {
    if (state.recent.length < longestLag) state.recent.push(x);
    else {
      state.recent[head] = x;
      head = (head + 1) % longestLag;
    }
  };
  /** Ends the warm-up: sets the scale and replays the buffered values into the histograms. */
  const finishWarmup = (): void => {
    const buffered = state.recent;
    const magnitudes = buffered.map(Math.abs).sort((a, b) => a - b);
    const median = magnitudes[Math.floor(magnitudes.length / 2)]!;
    const mean = magnitudes.reduce((sum, m) => sum + m, 0) / magnitudes.length;
    // A warm-up of zeros (or of magnitudes so small that a tenth of them underflows) has no scale:
    // the unit is then 1, and the detector is scale-free only from a warm-up with a normal value.
    const scale = scaleShare * (median > 0 ? median : mean);
    state.scale = scale >= Number.MIN_VALUE * 2 ** 52 && Number.isFinite(scale) ? scale : 1;
    state.recent = [];
    head = 0;
    for (const x of buffered) {
      addPoint(x);
      advanceWeight();
    }
  };
  const addPoint = (x: number): void => {
    add(state.level, x);
    lags.forEach((lag, i) => {
      const before = valueBefore(lag);
      if (before !== undefined) add(state.lagged[i]!, x - before);
    });
    remember(x);
  };

  const detector: AnomalyDetector = {
    options,
    get count() {
      return state.count;
    },
    update(value: number, timestampMs: number): AnomalyUpdate {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new EnisError("INVALID_DATA", `value must be a finite number, got ${describeValue(value)}`, {
          field: "value",
        });
      }
      if (
        typeof timestampMs !== "number" ||
        !Number.isFinite(timestampMs) ||
        (state.lastTimestampMs !== null && timestampMs < state.lastTimestampMs)
      ) {
        const after =
          state.lastTimestampMs === null ? "" : ` at or after the previous point's ${state.lastTimestampMs}`;
        throw new EnisError(
          "INVALID_DATA",
          `timestampMs must be a finite number${after}, got ${describeValue(timestampMs)}`,
          { field: "timestampMs" },
        );
      }
      state.lastTimestampMs = timestampMs;
      state.count++;
      if (state.count <= options.warmup) {
        state.recent.push(value);
        if (state.count === options.warmup) finishWarmup();
        return { score: 0, isAnomaly: false, warmingUp: true, driver: null };
      }
      let score = surprise(state.level, value);
      let driver: "level" | "change" | "seasonal" = "level";
      lags.forEach((lag, i) => {
        const before = valueBefore(lag);
        // A view speaks once its own history is as long as the warm-up.
        if (before === undefined || state.count - 1 - lag < options.warmup) return;
        const laggedScore = surprise(state.lagged[i]!, value - before);
        if (laggedScore > score) {
          score = laggedScore;
          driver = i === 0 ? "change" : "seasonal";
        }
      });
      addPoint(value);
      advanceWeight();
      const cooling = state.lastAnomalyMs !== null && timestampMs < state.lastAnomalyMs + options.cooldownMs;
      const isAnomaly = score >= threshold && !cooling;
      if (isAnomaly) state.lastAnomalyMs = timestampMs;
      return { score, isAnomaly, warmingUp: false, driver };
    },
    toJSON(): AnomalyDetectorJSON {
      const length = state.recent.length;
      const recent = Array.from({ length }, (_, i) => state.recent[(head + i) % length]!);
      const histogram = (h: Histogram): HistogramJSON => ({ counts: Array.from(h.counts), total: h.total });
      return {
        format: "enis-anomaly-detector",
        version: 1,
        options,
        count: state.count,
        scale: state.scale,
        weight: state.weight,
        level: histogram(state.level),
        change: histogram(state.lagged[0]!),
        seasonal: state.lagged.slice(1).map(histogram),
        recent,
        lastTimestampMs: state.lastTimestampMs,
        lastAnomalyMs: state.lastAnomalyMs,
      };
    },
  };
  return detector;
}
