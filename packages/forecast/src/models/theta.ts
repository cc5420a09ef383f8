/**
 * The standard Theta method (Assimakopoulos & Nikolopoulos, IJF 16(4), 2000) exactly as the M4
 * organisers run it as a benchmark (`Theta.classic` in "Benchmarks and Evaluation.R" of the
 * M4-methods repository), with the forecast variance of SES with drift (Hyndman & Billah, IJF
 * 19(2), 2003). Internal to the package: callers select it through
 * `forecast(series, { model: "theta" })`.
 */
import { adjustSeasonality } from "./decompose.js";
import { fitRescaled } from "./optimize.js";
import type { FittedModel, LocalModel, ModelForecast, ModelInput } from "./types.js";

/** Simple exponential smoothing fitted by least squares over alpha and the initial level. */
export interface SesFit {
  /** The smoothing parameter, in [0.0001, 0.9999]. */
  readonly alpha: number;
  /** The initial level, the forecast of the first observation. */
  readonly initialLevel: number;
  /** The level after the last observation: every SES forecast. */
  readonly finalLevel: number;
  /** One-step forecasts: `fitted[t]` forecasts `values[t]`. */
  readonly fitted: Float64Array;
}

const alphaLower = 1e-4;
const alphaUpper = 0.9999;

/**
 * Sum of squared one-step errors of SES with smoothing `alpha`, the initial level profiled out:
 * the errors are linear in it, e_t = a_t − (1 − α)^t·ℓ₀, so its least-squares value is
 * Σ a_t d_t / Σ d_t² with d_t = (1 − α)^t.
 */
function profiledSse(values: Float64Array, alpha: number): { sse: number; initialLevel: number } {
  let level = 0;
  let decay = 1;
  let sumAA = 0;
  let sumAD = 0;
  let sumDD = 0;
  for (let t = 0; t < values.length; t++) {
    const a = values[t]! - level;
    sumAA += a * a;
    sumAD += a * decay;
    sumDD += decay * decay;
    level += alpha * a;
    decay *= 1 - alpha;
  }
  const initialLevel = sumAD / sumDD;
  return { sse: Math.max(0, sumAA - (sumAD * sumAD) / sumDD), initialLevel };
}

/**
 * SES fitted as `forecast::ses` fits it (ETS(A,N,N) by least squares over alpha in
 * [0.0001, 0.9999] and the initial level): the level is profiled out in closed form and alpha is
 * found by a grid of 25 points followed by golden-section search in the best cell. Deterministic.
 */
export function fitSes(values: Float64Array): SesFit {
  const grid = 25;
  let bestIndex = 0;
  let bestSse = Number.POSITIVE_INFINITY;
  const at = (i: number) => alphaLower + ((alphaUpper - alphaLower) * i) / (grid - 1);
  for (let i = 0; i < grid; i++) {
    const { sse } = profiledSse(values, at(i));
    if (sse < bestSse) {
      bestSse = sse;
      bestIndex = i;
    }
  }
  let low = at(Math.max(0, bestIndex - 1));
  let high = at(Math.min(grid - 1, bestIndex + 1));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let x1 = high - ratio * (high - low);
  let x2 = low + ratio * (high - low);
  let f1 = profiledSse(values, x1).sse;
  let f2 = profiledSse(values, x2).sse;
  for (let iteration = 0; iteration < 40 && high - low > 1e-6; iteration++) {
    if (f1 <= f2) {
      high = x2;
      x2 = x1;
      f2 = f1;
      x1 = high - ratio * (high - low);
      f1 = profiledSse(values, x1).sse;
    } else {
      low = x1;
      x1 = x2;
      f1 = f2;
      x2 = low + ratio * (high - low);
      f2 = profiledSse(values, x2).sse;
    }
  }
  let alpha = f1 <= f2 ? x1 : x2;
  if (Math.min(f1, f2) > bestSse) alpha = at(bestIndex);
  const { initialLevel } = profiledSse(values, alpha);
  const fitted = new Float64Array(values.length);
  let level = Number.isFinite(initialLevel) ? initialLevel : values[0]!;
  for (let t = 0; t < values.length; t++) {
    fitted[t] = level;
    level += alpha * (values[t]! - level);
  }
  return { alpha, initialLevel: fitted[0]!, finalLevel: level, fitted };
}

/**
 * Theta: deseasonalise as the M4 benchmarks do (classical multiplicative decomposition at the
 * shortest period when the 90% autocorrelation test finds the series seasonal), fit the linear
 * trend (the theta = 0 line) by least squares and SES to the theta = 2 line 2·x − trend; forecast
 * the average of the two lines' extrapolations and reseasonalise. As in the M4 code, negative
 * forecasts become 0 — here only when no observation is negative. Variance σ²·(1 + (h − 1)·α²)·S_h²,
 * σ² the mean squared one-step error on the adjusted series.
 */
export const thetaModel: LocalModel = {
  name: "theta",
  minLength: (seasonalPeriods) => Math.max(3, seasonalPeriods[0] ?? 3),
  fit: (input: ModelInput) => fitRescaled(input.values, (values) => fitTheta(values, input.seasonalPeriods)),
};

/** Theta on a series whose sums of squares are finite. */
function fitTheta(values: Float64Array, seasonalPeriods: readonly number[]): FittedModel {
  const n = values.length;
  const adjustment = adjustSeasonality(values, seasonalPeriods[0]);
  const adjusted = adjustment.adjusted;
  // Least-squares line through (t, adjusted[t]) for t = 1..n.
  const meanT = (n + 1) / 2;
  let meanY = 0;
  for (let t = 0; t < n; t++) meanY += adjusted[t]!;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t + 1 - meanT) * (adjusted[t]! - meanY);
    sxx += (t + 1 - meanT) * (t + 1 - meanT);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = meanY - slope * meanT;
  const thetaLine = new Float64Array(n);
  for (let t = 0; t < n; t++) thetaLine[t] = 2 * adjusted[t]! - (intercept + slope * (t + 1));
  const ses = fitSes(thetaLine);
  const fitted = new Float64Array(n);
  let sumSquares = 0;
  let nonNegative = true;
  for (let t = 0; t < n; t++) {
    const oneStep = 0.5 * ses.fitted[t]! + 0.5 * (intercept + slope * (t + 1));
    fitted[t] = oneStep * adjustment.inSample[t]!;
    sumSquares += (adjusted[t]! - oneStep) ** 2;
    if (values[t]! < 0) nonNegative = false;
  }
  const sigma2 = sumSquares / n;
  const { alpha } = ses;
  return {
    name: "theta",
    params: {
      alpha,
      slope,
      intercept,
      sigma2,
      period: adjustment.period,
      seasonal: adjustment.seasonal,
    },
    fitted,
    predict(horizon: number): ModelForecast {
      const mean = new Float64Array(horizon);
      const variance = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) {
        const index = adjustment.outOfSample(h);
        let point = 0.5 * ses.finalLevel + 0.5 * (intercept + slope * (n + h));
        if (nonNegative && point < 0) point = 0;
        mean[h - 1] = point * index;
        variance[h - 1] = sigma2 * (1 + (h - 1) * alpha * alpha) * index * index;
      }
      return { mean, variance };
    },
  };
}
