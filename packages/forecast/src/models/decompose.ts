/**
 * Classical decomposition and the M4 organisers' seasonality test, shared by Naive2, Theta and the
 * ETS initial states. Internal to the package.
 *
 * Source: the M4 organisers' benchmark code ("Benchmarks and Evaluation.R" in the M4-methods
 * repository: `SeasonalityTest`, `Benchmarks`), which calls R's `acf` and
 * `decompose(type = "multiplicative")`; both are reproduced here to the letter.
 */

/**
 * Sample autocorrelations at lags 1..maxLag as R's `acf` computes them: the series is demeaned and
 * both the lagged cross-products and the variance are divided by n.
 */
export function autocorrelations(values: ArrayLike<number>, maxLag: number): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += values[t]!;
  mean /= n;
  let denominator = 0;
  for (let t = 0; t < n; t++) {
    const d = values[t]! - mean;
    denominator += d * d;
  }
  const result = new Float64Array(maxLag);
  // A constant series has no autocorrelation to speak of (R returns NaN; the test then says "not
  // seasonal", which 0 reproduces).
  if (!(denominator > 0)) return result;
  for (let k = 1; k <= maxLag; k++) {
    let sum = 0;
    for (let t = 0; t + k < n; t++) sum += (values[t]! - mean) * (values[t + k]! - mean);
    result[k - 1] = sum / denominator;
  }
  return result;
}

/**
 * The M4 seasonality test (`SeasonalityTest` of the organisers' code): a series is seasonal at
 * period m when it holds at least 3m observations and |r_m| exceeds the 90% one-sided limit
 * 1.645 / sqrt(n) * sqrt(1 + 2 * sum_{k<m} r_k^2). As in R, the autocorrelations are computed to
 * lag floor(10 * log10(n)) only, so a period beyond that lag is never found seasonal.
 */
export function isSeasonal(values: ArrayLike<number>, period: number): boolean {
  const n = values.length;
  if (period < 2 || n < 3 * period) return false;
  // R's acf default lag.max, capped at n - 1.
  const maxLag = Math.min(Math.floor(10 * Math.log10(n)), n - 1);
  if (period > maxLag) return false;
  const r = autocorrelations(values, period);
  let cumulative = 1;
  for (let k = 1; k < period; k++) cumulative += 2 * r[k - 1]! * r[k - 1]!;
  const limit = (1.645 / Math.sqrt(n)) * Math.sqrt(cumulative);
  return Math.abs(r[period - 1]!) > limit;
}

/**
 * The centred moving average of R's `decompose`: weights 1/m over m points for odd m, and
 * (0.5, 1, …, 1, 0.5)/m over m + 1 points for even m. NaN where the window does not fit.
 */
export function centredMovingAverage(values: ArrayLike<number>, period: number): Float64Array {
  const n = values.length;
  const trend = new Float64Array(n).fill(Number.NaN);
  const half = Math.floor(period / 2);
  const even = period % 2 === 0;
  for (let t = half; t < n - half; t++) {
    let sum = 0;
    if (even) {
      sum = 0.5 * (values[t - half]! + values[t + half]!);
      for (let k = -half + 1; k < half; k++) sum += values[t + k]!;
    } else {
      for (let k = -half; k <= half; k++) sum += values[t + k]!;
    }
    trend[t] = sum / period;
  }
  return trend;
}

/**
 * Seasonal indices of R's `decompose(x, type)`: the ratios (multiplicative) or differences
 * (additive) of the series to its centred moving average, averaged per position in the cycle
 * (position 0 is the series' first observation) and normalised to mean 1 (multiplicative) or 0
 * (additive). Returns undefined when they cannot be formed: fewer than two full periods, or, for
 * the multiplicative form, a centred average or an index that is not finite and > 0.
 */
export function seasonalIndices(
  values: ArrayLike<number>,
  period: number,
  type: "additive" | "multiplicative",
): Float64Array | undefined {
  const n = values.length;
  if (period < 2 || n < 2 * period) return undefined;
  const trend = centredMovingAverage(values, period);
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  for (let t = 0; t < n; t++) {
    const level = trend[t]!;
    if (Number.isNaN(level)) continue;
    if (type === "multiplicative" && !(level > 0)) return undefined;
    sums[t % period]! += type === "multiplicative" ? values[t]! / level : values[t]! - level;
    counts[t % period]! += 1;
  }
  const figure = new Float64Array(period);
  let total = 0;
  for (let i = 0; i < period; i++) {
    figure[i] = sums[i]! / counts[i]!;
    total += figure[i]!;
  }
  const mean = total / period;
  for (let i = 0; i < period; i++) {
    figure[i] = type === "multiplicative" ? figure[i]! / mean : figure[i]! - mean;
    const value = figure[i]!;
    if (!Number.isFinite(value) || (type === "multiplicative" && !(value > 0))) return undefined;
  }
  return figure;
}

/** A series with its multiplicative seasonal indices divided out, as the M4 benchmarks use it. */
export interface SeasonalAdjustment {
  /** Whether the series was found seasonal and adjusted (false: `adjusted` is the series). */
  readonly seasonal: boolean;
  /** The period tested (0 when none was given). */
  readonly period: number;
  /** The seasonally adjusted series, x_t / S_t. */
  readonly adjusted: Float64Array;
  /** The index S_t of each observation (1 when not seasonal). */
  readonly inSample: Float64Array;
  /** The index of forecast step h (1-based) is `outOfSample(h)`: the cycle continued. */
  outOfSample(step: number): number;
}

/**
 * The M4 benchmarks' deseasonalisation: when the series passes {@link isSeasonal} at `period`,
 * divide it by the indices of a classical multiplicative decomposition; otherwise leave it as it
 * is. Indices that cannot be formed (a non-positive centred average or index: data at or below
 * zero) also leave the series as it is.
 */
export function adjustSeasonality(values: Float64Array, period: number | undefined): SeasonalAdjustment {
  const n = values.length;
  const figure =
    period !== undefined && isSeasonal(values, period)
      ? seasonalIndices(values, period, "multiplicative")
      : undefined;
  if (figure === undefined || period === undefined) {
    return {
      seasonal: false,
      period: period ?? 0,
      adjusted: values,
      inSample: new Float64Array(n).fill(1),
      outOfSample: () => 1,
    };
  }
  const inSample = new Float64Array(n);
  const adjusted = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    inSample[t] = figure[t % period]!;
    adjusted[t] = values[t]! / inSample[t]!;
  }
  return {
    seasonal: true,
    period,
    adjusted,
    inSample,
    outOfSample: (step) => figure[(n + step - 1) % period]!,
  };
}
