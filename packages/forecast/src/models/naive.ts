/**
 * The naive family: naive (last value), seasonal naive (the value one period ago) and the M4
 * organisers' Naive2 (naive on the seasonally adjusted series). Internal to the package: callers
 * select them through `forecast(series, { model: "naive" | "snaive" | "naive2" })`.
 *
 * Source: "Benchmarks and Evaluation.R" of the M4-methods repository (`naive`, `naive_seasonal`,
 * Naive2 = `naive(des_input) * SIout`); variances of the random walk and the seasonal random walk
 * as in Hyndman & Athanasopoulos, "Forecasting: Principles and Practice" (3rd ed., §5.5).
 */
import { adjustSeasonality } from "./decompose.js";
import type { FittedModel, LocalModel, ModelForecast, ModelInput } from "./types.js";

/** Mean of the squares of the finite entries of `errors` (undefined when there are none). */
export function meanSquare(errors: ArrayLike<number>): number | undefined {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < errors.length; t++) {
    const e = errors[t]!;
    if (Number.isFinite(e)) {
      sum += e * e;
      count++;
    }
  }
  if (count === 0) return undefined;
  const value = sum / count;
  return Number.isFinite(value) ? value : undefined;
}

/** The seasonal random walk with period `period` (1: the plain random walk). */
function fitSeasonalWalk(values: Float64Array, period: number, name: string): FittedModel {
  const n = values.length;
  const fitted = new Float64Array(n).fill(Number.NaN);
  const residuals = new Float64Array(Math.max(0, n - period));
  for (let t = period; t < n; t++) {
    fitted[t] = values[t - period]!;
    residuals[t - period] = values[t]! - values[t - period]!;
  }
  const sigma2 = meanSquare(residuals);
  return {
    name,
    params: period > 1 ? { period } : {},
    fitted,
    predict(horizon: number): ModelForecast {
      const mean = new Float64Array(horizon);
      const variance = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) {
        // Step h repeats the last observed value at the same position in the cycle.
        mean[h - 1] = values[n - period + ((h - 1) % period)]!;
        // Var = sigma^2 * (number of whole periods reached), FPP3 §5.5.
        variance[h - 1] = (sigma2 ?? 0) * (Math.floor((h - 1) / period) + 1);
      }
      return sigma2 === undefined ? { mean } : { mean, variance };
    },
  };
}

/**
 * Naive: every forecast is the last observation; variance h·σ² with σ² the mean squared
 * one-step change.
 */
export const naiveModel: LocalModel = {
  name: "naive",
  minLength: () => 1,
  fit: (input: ModelInput) => fitSeasonalWalk(input.values, 1, "naive"),
};

/**
 * Random walk with drift: the forecast for step h is the last observation plus h times the mean
 * one-step change over the series, `(y_n − y_1) / (n − 1)` — a straight line through the first and
 * last observations, extended. Variance σ²·h·(1 + h/(n − 1)), σ² the mean squared one-step
 * residual, the second term the drift's own estimation error (FPP3 §5.5, with n − 1 changes).
 * The model for short series with a trend, such as a few months of cost.
 */
export const driftModel: LocalModel = {
  name: "drift",
  minLength: () => 2,
  fit(input: ModelInput): FittedModel {
    const values = input.values;
    const n = values.length;
    const steps = n - 1;
    const drift = (values[n - 1]! - values[0]!) / steps;
    const fitted = new Float64Array(n).fill(Number.NaN);
    const residuals = new Float64Array(steps);
    for (let t = 1; t < n; t++) {
      fitted[t] = values[t - 1]! + drift;
      residuals[t - 1] = values[t]! - fitted[t]!;
    }
    const sigma2 = steps > 1 ? meanSquare(residuals) : undefined;
    return {
      name: "drift",
      params: { drift },
      fitted,
      predict(horizon: number): ModelForecast {
        const mean = new Float64Array(horizon);
        const variance = new Float64Array(horizon);
        for (let h = 1; h <= horizon; h++) {
          mean[h - 1] = values[n - 1]! + h * drift;
          variance[h - 1] = (sigma2 ?? 0) * h * (1 + h / steps);
        }
        return sigma2 === undefined ? { mean } : { mean, variance };
      },
    };
  },
};

/**
 * Seasonal naive: the forecast for step h is the observation one period before it, with the
 * shortest of the seasonal periods (24 for hourly data, the M4 convention); naive when no period is
 * given. Variance σ²·(⌊(h−1)/m⌋ + 1), σ² the mean squared seasonal difference.
 */
export const snaiveModel: LocalModel = {
  name: "snaive",
  minLength: (seasonalPeriods) => seasonalPeriods[0] ?? 1,
  fit: (input: ModelInput) => fitSeasonalWalk(input.values, input.seasonalPeriods[0] ?? 1, "snaive"),
};

/**
 * Naive2, exactly as the M4 organisers define it: when the 90% autocorrelation test at lag m (the
 * shortest period) finds the series seasonal, divide it by the indices of a classical
 * multiplicative decomposition, forecast the adjusted series by its last value, and multiply the
 * indices back; otherwise plain naive. Variance h·σ²·S_h², σ² the mean squared one-step change of
 * the adjusted series.
 */
export const naive2Model: LocalModel = {
  name: "naive2",
  minLength: (seasonalPeriods) => seasonalPeriods[0] ?? 1,
  fit(input: ModelInput): FittedModel {
    const { values } = input;
    const n = values.length;
    const adjustment = adjustSeasonality(values, input.seasonalPeriods[0]);
    const adjusted = adjustment.adjusted;
    const fitted = new Float64Array(n).fill(Number.NaN);
    const residuals = new Float64Array(Math.max(0, n - 1));
    for (let t = 1; t < n; t++) {
      fitted[t] = adjusted[t - 1]! * adjustment.inSample[t]!;
      residuals[t - 1] = adjusted[t]! - adjusted[t - 1]!;
    }
    const sigma2 = meanSquare(residuals);
    const last = adjusted[n - 1]!;
    return {
      name: "naive2",
      params: { period: adjustment.period, seasonal: adjustment.seasonal },
      fitted,
      predict(horizon: number): ModelForecast {
        const mean = new Float64Array(horizon);
        const variance = new Float64Array(horizon);
        for (let h = 1; h <= horizon; h++) {
          const index = adjustment.outOfSample(h);
          mean[h - 1] = last * index;
          variance[h - 1] = (sigma2 ?? 0) * h * index * index;
        }
        return sigma2 === undefined ? { mean } : { mean, variance };
      },
    };
  },
};
