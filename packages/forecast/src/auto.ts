import type { FittedModel, LocalModel, ModelForecast, ModelInput } from "./models/types.js";

/*
 * `model: "auto"`: rolling-origin validation on the training data only, then the median of the
 * best few.
 *
 * - Validation horizon V = min(horizon, floor(n / 4)); origins n − 2V and n − V (the first dropped
 *   when a candidate cannot be fitted on n − 2V observations; a candidate that cannot be fitted on
 *   n − V is not validated).
 * - At each origin o every candidate is fitted on the first o observations and forecasts V steps;
 *   its error is the mean absolute error over those steps divided by the in-sample mean absolute
 *   error of the seasonal naive forecast on the same o observations (lag = the shortest seasonal
 *   period, or 1): a MASE, scale-free, so that it compares across series. A flat training window
 *   (scale 0, or below 1e-10 of the level) is scaled by its mean absolute value instead, and an all-zero one by 1.
 * - Score = the mean of the origins' MASE. Candidates are ranked by score, ties to the earlier in
 *   the registry's order.
 * - Members: the best, and the next ones (at most `maxMembers` in all) whose score is within
 *   `combineWithin` of the best. Each is refitted on the whole series; the forecast is the median
 *   of the members' forecasts at each step (the mean when two), the fitted values likewise, and the
 *   variance the median of the members' variances when every member has one (else the intervals
 *   come from the residual bootstrap of the combination's residuals).
 */

/** Tuning of {@link fitAuto}. */
export interface AutoSettings {
  /** Most models combined. */
  readonly maxMembers: number;
  /** A model joins the best when its score is at most (1 + combineWithin) × the best score. */
  readonly combineWithin: number;
}

/**
 * Defaults: combinations of a few good models beat the single best on M4 (Makridakis et al. 2020,
 * finding 1); a model 10% worse than the best in validation is still "good". Chosen on the
 * reasoning, not on the M4 test set.
 */
export const defaultAutoSettings: AutoSettings = { maxMembers: 3, combineWithin: 0.1 };

/**
 * Fits `"auto"` on `input` for forecasts `horizon` steps ahead. `candidates` are in order of
 * preference, each with `minLength <= input.values.length` (at least one).
 */
export function fitAuto(
  input: ModelInput,
  horizon: number,
  candidates: readonly LocalModel[],
  settings: AutoSettings = defaultAutoSettings,
): FittedModel {
  const values = input.values;
  const periods = input.seasonalPeriods;
  const n = values.length;
  const validationHorizon = Math.min(horizon, Math.floor(n / 4));
  const validated =
    validationHorizon >= 1
      ? candidates.filter((model) => model.minLength(periods) <= n - validationHorizon)
      : [];
  if (validated.length === 0) {
    const chosen = (candidates[0] as LocalModel).fit(input);
    return withParams(chosen, chosen.name, {
      selectedBy: "too short to validate: the first candidate",
      candidates: candidates.map((model) => model.name).join(", "),
    });
  }
  if (validated.length === 1 && candidates.length === 1) {
    const chosen = (validated[0] as LocalModel).fit(input);
    return withParams(chosen, chosen.name, { selectedBy: "the only candidate" });
  }
  let longestMinimum = 0;
  for (const model of validated) longestMinimum = Math.max(longestMinimum, model.minLength(periods));
  const origins = [n - 2 * validationHorizon, n - validationHorizon].filter(
    (origin) => origin >= longestMinimum,
  );
  const period = periods[0] ?? 1;
  const scales = origins.map((origin) => naiveScale(values, origin, origin > period ? period : 1));

  const scores = validated.map((model) => {
    let total = 0;
    origins.forEach((origin, index) => {
      const fit = model.fit({ values: values.subarray(0, origin), seasonalPeriods: periods });
      const mean = fit.predict(validationHorizon).mean;
      let error = 0;
      for (let h = 0; h < validationHorizon; h++)
        error += Math.abs((values[origin + h] as number) - (mean[h] as number));
      total += error / validationHorizon / (scales[index] as number);
    });
    return total / origins.length;
  });
  const ranking = validated
    .map((_, index) => index)
    .sort((a, b) => (scores[a] as number) - (scores[b] as number) || a - b);
  const best = scores[ranking[0] as number] as number;
  const members: LocalModel[] = [];
  for (const index of ranking) {
    if (members.length >= settings.maxMembers) break;
    if (members.length === 0 || (scores[index] as number) <= best * (1 + settings.combineWithin)) {
      members.push(validated[index] as LocalModel);
    }
  }
  const fits = members.map((model) => model.fit(input));
  const report = {
    selectedBy: "rolling-origin validation",
    candidates: validated.map((model) => model.name).join(", "),
    scores,
    members: fits.map((fit) => fit.name).join(", "),
    validationHorizon,
    validationOrigins: origins.length,
  };
  if (fits.length === 1) return withParams(fits[0] as FittedModel, (fits[0] as FittedModel).name, report);
  return combine(fits, `median(${fits.map((fit) => fit.name).join(", ")})`, report);
}

/** Mean absolute error of the lag-`lag` naive forecast on `values[0..end)`, never 0. */
function naiveScale(values: Float64Array, end: number, lag: number): number {
  let total = 0;
  for (let t = lag; t < end; t++) total += Math.abs((values[t] as number) - (values[t - lag] as number));
  let level = 0;
  for (let t = 0; t < end; t++) level += Math.abs(values[t] as number);
  level /= end;
  // A scale within rounding of 0 (a noiseless cycle repeats to 1e-15) would turn rounding into scores.
  if (end > lag && total / (end - lag) > 1e-10 * level) return total / (end - lag);
  return level > 0 ? level : 1;
}

/** `fit` under another name, its parameters extended. */
function withParams(fit: FittedModel, name: string, extra: FittedModel["params"]): FittedModel {
  return {
    name,
    params: { ...fit.params, ...extra },
    fitted: fit.fitted,
    ...(fit.aicc === undefined ? {} : { aicc: fit.aicc }),
    predict: (horizon) => fit.predict(horizon),
  };
}

/** The median of the values at `index` of each array, NaN if any is NaN. */
function medianAt(arrays: readonly Float64Array[], index: number, scratch: Float64Array): number {
  for (let k = 0; k < arrays.length; k++) scratch[k] = (arrays[k] as Float64Array)[index] as number;
  const count = arrays.length;
  const sorted = scratch.subarray(0, count).sort();
  if (Number.isNaN(sorted[count - 1] as number)) return Number.NaN;
  const middle = count >> 1;
  return count % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function combine(fits: readonly FittedModel[], name: string, params: FittedModel["params"]): FittedModel {
  const scratch = new Float64Array(fits.length);
  const length = (fits[0] as FittedModel).fitted.length;
  const fitted = new Float64Array(length);
  const fittedArrays = fits.map((fit) => fit.fitted);
  for (let t = 0; t < length; t++) fitted[t] = medianAt(fittedArrays, t, scratch);
  return {
    name,
    params,
    fitted,
    predict(horizon: number): ModelForecast {
      const forecasts = fits.map((fit) => fit.predict(horizon));
      const mean = new Float64Array(horizon);
      const means = forecasts.map((forecast) => forecast.mean);
      for (let h = 0; h < horizon; h++) mean[h] = medianAt(means, h, scratch);
      if (forecasts.some((forecast) => forecast.variance === undefined)) return { mean };
      const variances = forecasts.map((forecast) => forecast.variance as Float64Array);
      const variance = new Float64Array(horizon);
      for (let h = 0; h < horizon; h++) variance[h] = medianAt(variances, h, scratch);
      return { mean, variance };
    },
  };
}
