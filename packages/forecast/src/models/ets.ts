/**
 * Exponential smoothing in its innovations state-space form, ETS(error, trend, season), with
 * automatic selection by AICc. Internal to the package: callers select it through
 * `forecast(series, { model: "ets" })`.
 *
 * Source: Hyndman, Koehler, Ord & Snyder, "Forecasting with Exponential Smoothing: The State Space
 * Approach" (Springer, 2008): recursions (Table 2.3), likelihood (§5.2), initial states (§2.6.1),
 * forecast variances of classes 1 and 2 (§6.3); and R's `forecast::ets` (admissible combinations
 * under `restrict = TRUE`, parameter bounds, the AICc).
 */
import { seasonalIndices } from "./decompose.js";
import { fitRescaled, logistic, logit, nelderMead } from "./optimize.js";
import type { FittedModel, LocalModel, ModelForecast, ModelInput } from "./types.js";

/** The error type: additive or multiplicative. */
export type EtsErrorType = "A" | "M";
/** The trend type: none, additive, or additive damped. */
export type EtsTrendType = "N" | "A" | "Ad";
/** The season type: none, additive, or multiplicative. */
export type EtsSeasonType = "N" | "A" | "M";

/** One ETS model form. */
export interface EtsSpec {
  /** Additive (`"A"`) or multiplicative (`"M"`) error. */
  readonly error: EtsErrorType;
  /** No (`"N"`), additive (`"A"`) or additive damped (`"Ad"`) trend. */
  readonly trend: EtsTrendType;
  /** No (`"N"`), additive (`"A"`) or multiplicative (`"M"`) season. */
  readonly season: EtsSeasonType;
}

/** Smoothing parameters (beta, gamma, phi unused by forms without a trend, season or damping). */
export interface EtsParameters {
  /** Level smoothing. */
  alpha: number;
  /** Slope smoothing (0 without a trend). */
  beta: number;
  /** Seasonal smoothing (0 without a season). */
  gamma: number;
  /** Damping (1 for an undamped trend or none). */
  phi: number;
}

/** Initial states: level, slope, and one seasonal state per position in the cycle. */
export interface EtsState {
  /** The level ℓ. */
  level: number;
  /** The slope b (0 without a trend). */
  slope: number;
  /** `seasons[j]` is the state used at the next time t with t mod m = j. */
  seasons: Float64Array;
}

// Bounds of R's forecast::ets (the "usual" region: 0 < beta < alpha, 0 < gamma < 1 - alpha,
// 0.8 <= phi <= 0.98).
const lowerBound = 1e-4;
const upperBound = 0.9999;
const phiLower = 0.8;
const phiUpper = 0.98;

/** Every combination `forecast::ets` admits by default (no multiplicative trend, no A error with M season). */
export const etsSpecs: readonly EtsSpec[] = (() => {
  const specs: EtsSpec[] = [];
  for (const season of ["N", "A", "M"] as const) {
    for (const error of ["A", "M"] as const) {
      if (error === "A" && season === "M") continue;
      for (const trend of ["N", "A", "Ad"] as const) specs.push({ error, trend, season });
    }
  }
  return specs;
})();

/** `ets(A,Ad,M)`-style name of a form. */
export function etsName(spec: EtsSpec): string {
  return `ets(${spec.error},${spec.trend},${spec.season})`;
}

const multiplicative = (spec: EtsSpec): boolean => spec.error === "M" || spec.season === "M";

/** Outcome of one pass of the recursions. */
interface EtsRun {
  sse: number;
  sumLogMean: number;
  state: EtsState;
}

/**
 * One pass of the recursions over y (Hyndman et al. 2008, Table 2.3, written as R's `etscalc`
 * writes them: the state updates are the same for both error types). Fills `fitted` when given.
 * Returns undefined when a multiplicative form meets a non-positive forecast, level or index.
 */
function runEts(
  y: Float64Array,
  spec: EtsSpec,
  period: number,
  parameters: EtsParameters,
  initial: EtsState,
  seasons: Float64Array,
  fitted?: Float64Array,
): EtsRun | undefined {
  const { alpha, beta, gamma, phi } = parameters;
  const trendFactor = spec.trend === "N" ? 0 : spec.trend === "A" ? 1 : phi;
  const hasSlope = spec.trend !== "N";
  const seasonType = spec.season;
  const errorMultiplicative = spec.error === "M";
  let level = initial.level;
  let slope = initial.slope;
  seasons.set(initial.seasons);
  let sse = 0;
  let sumLogMean = 0;
  // Σ log μ_t as the log of a running product, flushed before it can overflow or underflow: one
  // Math.log per many steps instead of one per step (the log dominated the multiplicative fits).
  let product = 1;
  let position = 0;
  for (let t = 0; t < y.length; t++) {
    const observed = y[t]!;
    const dampedSlope = trendFactor * slope;
    const trendLevel = level + dampedSlope;
    const index = seasonType === "N" ? 0 : seasons[position]!;
    let mean: number;
    let adjusted: number;
    let seasonTarget = 0;
    if (seasonType === "N") {
      mean = trendLevel;
      adjusted = observed;
    } else if (seasonType === "A") {
      mean = trendLevel + index;
      adjusted = observed - index;
      seasonTarget = observed - trendLevel;
    } else {
      if (!(trendLevel > 0) || !(index > 0)) return undefined;
      mean = trendLevel * index;
      adjusted = observed / index;
      seasonTarget = observed / trendLevel;
    }
    if (fitted !== undefined) fitted[t] = mean;
    if (errorMultiplicative) {
      if (!(mean > 0)) return undefined;
      const error = (observed - mean) / mean;
      sse += error * error;
      product *= mean;
      if (product > 1e150 || product < 1e-150) {
        sumLogMean += Math.log(product);
        product = 1;
      }
    } else {
      const error = observed - mean;
      sse += error * error;
    }
    level = trendLevel + alpha * (adjusted - trendLevel);
    if (hasSlope) slope = dampedSlope + beta * (adjusted - trendLevel);
    if (seasonType !== "N") seasons[position] = index + gamma * (seasonTarget - index);
    position = position + 1 === period ? 0 : position + 1;
  }
  sumLogMean += Math.log(product);
  if (!Number.isFinite(sse) || !Number.isFinite(level) || !Number.isFinite(slope)) return undefined;
  return { sse, sumLogMean, state: { level, slope, seasons: Float64Array.from(seasons) } };
}

/**
 * Initial states by the heuristic of Hyndman et al. (2008, §2.6.1) as `forecast::ets` computes
 * its starting values: seasonal states from a classical decomposition of the first three periods
 * (two when the series is shorter), level and slope from a least-squares line through the first
 * max(10, 2m) seasonally adjusted values. Undefined when a multiplicative form cannot start
 * (non-positive indices).
 */
function initialState(y: Float64Array, spec: EtsSpec, period: number): EtsState | undefined {
  const n = y.length;
  const seasons = new Float64Array(Math.max(1, period));
  let adjusted = y;
  if (spec.season !== "N") {
    const span = y.subarray(0, Math.min(n, 3 * period));
    const figure = seasonalIndices(span, period, spec.season === "A" ? "additive" : "multiplicative");
    if (figure === undefined) return undefined;
    seasons.set(figure);
    adjusted = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      adjusted[t] = spec.season === "A" ? y[t]! - figure[t % period]! : y[t]! / figure[t % period]!;
    }
  }
  const count = Math.min(Math.max(10, 2 * period), n);
  let level: number;
  let slope = 0;
  if (spec.trend === "N") {
    let sum = 0;
    for (let t = 0; t < count; t++) sum += adjusted[t]!;
    level = sum / count;
  } else {
    // Least squares of adjusted[t] on t = 1..count; the level is the line's value at t = 0.
    let sumT = 0;
    let sumY = 0;
    for (let t = 0; t < count; t++) {
      sumT += t + 1;
      sumY += adjusted[t]!;
    }
    const meanT = sumT / count;
    const meanY = sumY / count;
    let sxy = 0;
    let sxx = 0;
    for (let t = 0; t < count; t++) {
      sxy += (t + 1 - meanT) * (adjusted[t]! - meanY);
      sxx += (t + 1 - meanT) * (t + 1 - meanT);
    }
    slope = sxx > 0 ? sxy / sxx : 0;
    level = meanY - slope * meanT;
    // forecast::ets perturbs a start whose first forecast is 0 so multiplicative errors are defined.
    if (Math.abs(level + slope) < 1e-8) {
      level *= 1 + 1e-3;
      slope *= 1 + 1e-3;
    }
  }
  if (!Number.isFinite(level) || !Number.isFinite(slope)) return undefined;
  return { level, slope, seasons };
}

/** Decodes optimiser coordinates into parameters inside the bounds. */
function decode(spec: EtsSpec, u: ArrayLike<number>): EtsParameters {
  let index = 0;
  const alpha = lowerBound + (upperBound - lowerBound) * logistic(u[index++]!);
  const beta = spec.trend === "N" ? 0 : lowerBound + (alpha - lowerBound) * logistic(u[index++]!);
  const gamma =
    spec.season === "N" ? 0 : lowerBound + Math.max(0, 1 - alpha - 2 * lowerBound) * logistic(u[index++]!);
  const phi = spec.trend === "Ad" ? phiLower + (phiUpper - phiLower) * logistic(u[index++]!) : 1;
  return { alpha, beta, gamma, phi };
}

/** Optimiser coordinates of starting values (the inverse of {@link decode}). */
function encode(spec: EtsSpec, parameters: EtsParameters): Float64Array {
  const u: number[] = [logit((parameters.alpha - lowerBound) / (upperBound - lowerBound))];
  if (spec.trend !== "N") u.push(logit((parameters.beta - lowerBound) / (parameters.alpha - lowerBound)));
  if (spec.season !== "N") {
    u.push(logit((parameters.gamma - lowerBound) / (1 - parameters.alpha - 2 * lowerBound)));
  }
  if (spec.trend === "Ad") u.push(logit((parameters.phi - phiLower) / (phiUpper - phiLower)));
  return Float64Array.from(u);
}

/** A fitted ETS form, before it is wrapped as a {@link FittedModel}. */
export interface EtsFit {
  /** The form. */
  spec: EtsSpec;
  /** The seasonal period (1 for forms without a season). */
  period: number;
  /** The estimated smoothing parameters. */
  parameters: EtsParameters;
  /** The state after the last observation. */
  final: EtsState;
  /** One-step forecasts μ_t. */
  fitted: Float64Array;
  /** Estimated innovation variance: sum of squared (relative, for M errors) errors / (n − k). */
  sigma2: number;
  /** The maximised log-likelihood. */
  logLikelihood: number;
  /** Its AICc (Infinity when n ≤ k + 1). */
  aicc: number;
  /** k: smoothing parameters + initial states + 1 for the variance. */
  parameterCount: number;
}

/** Options of {@link fitEts}. */
export interface EtsOptions {
  /** Seasonal period for the seasonal forms (0 or 1: none are tried). */
  readonly period: number;
  /** Forms to try; default every admissible one ({@link etsSpecs}). */
  readonly specs?: readonly EtsSpec[];
  /** Nelder–Mead evaluations per form, per parameter plus one (default 20: on M4 Hourly more changes no forecast measurably). */
  readonly maxEvaluationsPerParameter?: number;
}

/** Fits one form by maximum likelihood over its smoothing parameters. */
function fitSpec(
  y: Float64Array,
  spec: EtsSpec,
  period: number,
  evaluationsPerParameter: number,
): EtsFit | undefined {
  const n = y.length;
  const m = spec.season === "N" ? 1 : period;
  const initial = initialState(y, spec, m);
  if (initial === undefined) return undefined;
  const seasons = new Float64Array(initial.seasons.length);
  // The scale floor keeps a perfect fit (a constant series) from a log of 0.
  let scale = 0;
  for (let t = 0; t < n; t++) scale += Math.abs(y[t]!);
  scale = scale / n || 1;
  const floor = spec.error === "M" ? n * 1e-20 : n * (1e-10 * scale) ** 2;
  const objective = (u: Float64Array): number => {
    const run = runEts(y, spec, m, decode(spec, u), initial, seasons);
    if (run === undefined) return Number.POSITIVE_INFINITY;
    return n * Math.log(Math.max(run.sse, floor)) + 2 * run.sumLogMean;
  };
  // Starting values in the spirit of forecast::ets: a small alpha, beta a tenth of it, a small
  // gamma, phi near its upper bound.
  const alpha0 = 0.1;
  const start = encode(spec, { alpha: alpha0, beta: 0.01, gamma: 0.05, phi: 0.97 });
  const best = nelderMead(objective, start, {
    step: 1,
    maxEvaluations: evaluationsPerParameter * (start.length + 1),
    // −2 log L values within 0.1 of each other: far below any AICc difference that matters.
    tolerance: 1e-1,
  });
  const parameters = decode(spec, best.point);
  const fitted = new Float64Array(n);
  const run = runEts(y, spec, m, parameters, initial, seasons, fitted);
  if (run === undefined) return undefined;
  const smoothingCount = start.length;
  const stateCount = 1 + (spec.trend === "N" ? 0 : 1) + (spec.season === "N" ? 0 : m - 1);
  const parameterCount = smoothingCount + stateCount + 1;
  const sse = Math.max(run.sse, floor);
  const logLikelihood = -0.5 * (n * Math.log((2 * Math.PI * sse) / n) + n + 2 * run.sumLogMean);
  const aic = -2 * logLikelihood + 2 * parameterCount;
  const aicc =
    n - parameterCount - 1 > 0
      ? aic + (2 * parameterCount * (parameterCount + 1)) / (n - parameterCount - 1)
      : Number.POSITIVE_INFINITY;
  const sigma2 = run.sse / Math.max(1, n - parameterCount);
  if (!Number.isFinite(logLikelihood) || !Number.isFinite(sigma2)) return undefined;
  return {
    spec,
    period: m,
    parameters,
    final: run.state,
    fitted,
    sigma2,
    logLikelihood,
    aicc,
    parameterCount,
  };
}

/**
 * Point forecasts and, for classes 1 and 2, variances (Hyndman et al. 2008, §6.3), from a fit's
 * final state; `n` is the series' length (it places step h in the seasonal cycle).
 */
export function predictEts(fit: EtsFit, horizon: number, n: number): ModelForecast {
  const { spec, parameters, final, period, sigma2 } = fit;
  const { alpha, beta, gamma, phi } = parameters;
  const mean = new Float64Array(horizon);
  // c_j: the coefficient of the innovation j steps back in the h-step error of the linear models.
  const c = new Float64Array(horizon);
  let dampedSum = 0;
  let phiPower = 1;
  for (let h = 1; h <= horizon; h++) {
    if (spec.trend === "A") dampedSum = h;
    else if (spec.trend === "Ad") {
      phiPower *= phi;
      dampedSum += phiPower;
    }
    const trendLevel = final.level + dampedSum * final.slope;
    const index = spec.season === "N" ? 0 : final.seasons[(n + h - 1) % period]!;
    mean[h - 1] =
      spec.season === "N" ? trendLevel : spec.season === "A" ? trendLevel + index : trendLevel * index;
    c[h - 1] = alpha + beta * dampedSum + (spec.season !== "N" && h % period === 0 ? gamma : 0);
  }
  if (spec.season === "M") return { mean };
  const variance = new Float64Array(horizon);
  if (spec.error === "A") {
    // Class 1: v_h = sigma^2 (1 + sum_{j<h} c_j^2).
    let sum = 1;
    for (let h = 1; h <= horizon; h++) {
      variance[h - 1] = sigma2 * sum;
      sum += c[h - 1]! * c[h - 1]!;
    }
  } else {
    // Class 2: theta_1 = mu_1^2, theta_h = mu_h^2 + sigma^2 sum_{j<h} c_j^2 theta_{h-j},
    // v_h = (1 + sigma^2) theta_h - mu_h^2.
    const theta = new Float64Array(horizon);
    for (let h = 1; h <= horizon; h++) {
      let sum = 0;
      for (let j = 1; j < h; j++) sum += c[j - 1]! * c[j - 1]! * theta[h - j - 1]!;
      const mu = mean[h - 1]!;
      theta[h - 1] = mu * mu + sigma2 * sum;
      variance[h - 1] = Math.max(0, (1 + sigma2) * theta[h - 1]! - mu * mu);
    }
  }
  for (let h = 0; h < horizon; h++) if (!Number.isFinite(variance[h]!)) return { mean };
  return { mean, variance };
}

/**
 * Fits every admissible ETS form (multiplicative ones only for strictly positive data; seasonal
 * ones only with a period ≥ 2 and at least two full periods) and keeps the one with the lowest
 * AICc. Always returns a model: ETS(A,N,N) is admissible for any series of 2 or more points.
 */
export function fitEts(values: Float64Array, options: EtsOptions): FittedModel {
  const n = values.length;
  let positive = true;
  for (let t = 0; t < n; t++) if (!(values[t]! > 0)) positive = false;
  const seasonalOk = options.period >= 2 && n >= 2 * options.period;
  const evaluationsPerParameter = options.maxEvaluationsPerParameter ?? 20;
  let best: EtsFit | undefined;
  for (const spec of options.specs ?? etsSpecs) {
    if (multiplicative(spec) && !positive) continue;
    if (spec.season !== "N" && !seasonalOk) continue;
    const fit = fitSpec(values, spec, options.period, evaluationsPerParameter);
    if (fit === undefined) continue;
    if (best === undefined || fit.aicc < best.aicc) best = fit;
  }
  best ??= fitSpec(values, { error: "A", trend: "N", season: "N" }, 1, evaluationsPerParameter);
  if (best === undefined) throw new Error("ETS(A,N,N) could not be fitted: the series is not finite");
  const chosen = best;
  const params: Record<string, number | string> = {
    error: chosen.spec.error,
    trend: chosen.spec.trend,
    season: chosen.spec.season,
    alpha: chosen.parameters.alpha,
    sigma2: chosen.sigma2,
    logLikelihood: chosen.logLikelihood,
  };
  if (chosen.spec.trend !== "N") params["beta"] = chosen.parameters.beta;
  if (chosen.spec.trend === "Ad") params["phi"] = chosen.parameters.phi;
  if (chosen.spec.season !== "N") {
    params["gamma"] = chosen.parameters.gamma;
    params["period"] = chosen.period;
  }
  return {
    name: etsName(chosen.spec),
    params,
    fitted: chosen.fitted,
    ...(Number.isFinite(chosen.aicc) ? { aicc: chosen.aicc } : {}),
    predict: (horizon: number) => predictEts(chosen, horizon, n),
  };
}

/**
 * ETS with automatic selection: every admissible combination of additive or multiplicative error,
 * no / additive / additive damped trend and no / additive / multiplicative season (period: the
 * shortest given; multiplicative forms only for strictly positive data), each fitted by maximum
 * likelihood over its smoothing parameters with Nelder–Mead, the lowest AICc kept. Forecast
 * variances in closed form for the linear and multiplicative-error classes (1 and 2); none for
 * multiplicative seasons (intervals then come from the residual bootstrap).
 */
export const etsModel: LocalModel = {
  name: "ets",
  minLength: (seasonalPeriods) => (seasonalPeriods[0] === undefined ? 4 : 2 * seasonalPeriods[0]),
  fit: (input: ModelInput) =>
    fitRescaled(input.values, (values) => fitEts(values, { period: input.seasonalPeriods[0] ?? 1 })),
};
