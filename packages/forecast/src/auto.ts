import type { FittedModel, GlobalModel, LocalModel, ModelForecast, ModelInput } from "./models/types.js";

/*
 * `model: "auto"`: rolling-origin validation on the training data only, then the median of the
 * best few.
 *
 * - Validation horizon V = min(horizon, floor(n / 4)); origins n − 2V and n − V (the first dropped
 *   when a local candidate cannot be fitted on n − 2V observations; a candidate that cannot be
 *   fitted on n − V is not validated).
 * - At each origin o every candidate is fitted on the first o observations and forecasts V steps;
 *   its error is the mean absolute error over those steps divided by the in-sample mean absolute
 *   error of the seasonal naive forecast on the same o observations (lag = the shortest seasonal
 *   period, or 1): a MASE, scale-free, so that it compares across series. A flat training window
 *   (scale 0, or below 1e-10 of the level) is scaled by its mean absolute value instead, and an all-zero one by 1.
 * - Score = the mean of the origins' MASE (a global candidate, fitted across all the series at
 *   each origin, is validated at the last `globalOrigins` origins only). Candidates are ranked by
 *   score, ties to the earlier in the registry's order.
 * - Members: the best, and the next ones (at most `maxMembers` in all) whose score is within
 *   `combineWithin` of the best. Each is refitted on the whole series; the forecast is the median
 *   of the members' forecasts at each step (the mean when two), the fitted values likewise, and the
 *   variance the median of the members' variances when every member has one (else the intervals
 *   come from the residual bootstrap of the combination's residuals).
 */

/** Tuning of {@link fitAutoMany}. */
export interface AutoSettings {
  /** Most models combined. */
  readonly maxMembers: number;
  /** A model joins the best when its score is at most (1 + combineWithin) × the best score. */
  readonly combineWithin: number;
  /** Validation origins: 2 (n − 2V and n − V) or 1 (n − V). */
  readonly origins: 1 | 2;
  /**
   * Validation origins of a global candidate, at most `origins` (the last ones): each costs a fit
   * across every series, by far the dearest step of `"auto"` over hundreds of series.
   */
  readonly globalOrigins: 1 | 2;
}

/**
 * Defaults chosen on the M4 Hourly training file with its last 48 points held out (never on the
 * test file): OWA 0.484 with at most 2 members within 10%, 0.483 with the best alone, 0.487 with 3
 * within 10%, 0.489 with 3 within 5% — alike; two members hedge a wrong choice (combinations beat
 * single methods in M4: Makridakis et al. 2020). Two origins rather than one: 0.487 against 0.494.
 * The pooled model validated at the last origin only: 0.483 against 0.478 at both, for one fit
 * across the 414 series fewer (auto's time is mostly those fits).
 */
export const defaultAutoSettings: AutoSettings = {
  maxMembers: 2,
  combineWithin: 0.1,
  origins: 2,
  globalOrigins: 1,
};

/** A model `"auto"` may choose: fitted on each series alone, or once across the series. */
export type AutoCandidate =
  | { readonly kind: "local"; readonly model: LocalModel }
  | { readonly kind: "global"; readonly model: GlobalModel };

/** One series' validation plan. */
interface Plan {
  readonly input: ModelInput;
  readonly validationHorizon: number;
  /** Indices into the candidates, those validated. */
  readonly validated: number[];
  /** Origins (observation counts), ascending. */
  readonly origins: number[];
  readonly scales: number[];
  /** Sum of the origins' MASE, per validated candidate (same order as `validated`). */
  readonly totals: number[];
}

/**
 * Fits `"auto"` on each of `inputs` (all with the same seasonal periods) for forecasts `horizon`
 * steps ahead. `candidates` are in order of preference; every input must fit at least one of them
 * (`minLength <= n`). A global candidate is fitted once across the series at each validation
 * origin, and once on the whole series when it is chosen for any of them.
 */
export function fitAutoMany(
  inputs: readonly ModelInput[],
  horizon: number,
  candidates: readonly AutoCandidate[],
  settings: AutoSettings = defaultAutoSettings,
): FittedModel[] {
  const periods = inputs[0]?.seasonalPeriods ?? [];
  const minimums = candidates.map((candidate) => candidate.model.minLength(periods));
  const plans: Plan[] = inputs.map((input) => {
    const values = input.values;
    const n = values.length;
    const validationHorizon = Math.min(horizon, Math.floor(n / 4));
    const validated: number[] = [];
    if (validationHorizon >= 1) {
      candidates.forEach((_, index) => {
        if ((minimums[index] as number) <= n - validationHorizon) validated.push(index);
      });
    }
    // The first origin needs every candidate validated there: the local ones, and the global ones
    // only when they are validated at both origins.
    let longestMinimum = 0;
    for (const index of validated) {
      if ((candidates[index] as AutoCandidate).kind === "local" || settings.globalOrigins === 2) {
        longestMinimum = Math.max(longestMinimum, minimums[index] as number);
      }
    }
    const origins = (
      settings.origins === 2 ? [n - 2 * validationHorizon, n - validationHorizon] : [n - validationHorizon]
    ).filter((origin) => origin === n - validationHorizon || origin >= longestMinimum);
    const period = periods[0] ?? 1;
    const scales = origins.map((origin) => naiveScale(values, origin, origin > period ? period : 1));
    return { input, validationHorizon, validated, origins, scales, totals: validated.map(() => 0) };
  });

  const errorAt = (plan: Plan, originIndex: number, mean: Float64Array): number => {
    const values = plan.input.values;
    const origin = plan.origins[originIndex] as number;
    let error = 0;
    for (let h = 0; h < plan.validationHorizon; h++) {
      error += Math.abs((values[origin + h] as number) - (mean[h] as number));
    }
    return error / plan.validationHorizon / (plan.scales[originIndex] as number);
  };

  // Local candidates: fitted per series and origin. A plan validates only when it has a choice.
  const choosing = plans.map((plan) => plan.validated.length > 1);
  plans.forEach((plan, p) => {
    if (!choosing[p]) return;
    plan.validated.forEach((index, slot) => {
      const candidate = candidates[index] as AutoCandidate;
      if (candidate.kind !== "local") return;
      plan.origins.forEach((origin, originIndex) => {
        const fit = candidate.model.fit({
          values: plan.input.values.subarray(0, origin),
          seasonalPeriods: periods,
        });
        plan.totals[slot] =
          (plan.totals[slot] as number) +
          errorAt(plan, originIndex, fit.predict(plan.validationHorizon).mean);
      });
    });
  });
  // Global candidates: one fit across the series per origin position (the last origin, then the one before).
  candidates.forEach((candidate, index) => {
    if (candidate.kind !== "global") return;
    for (let back = 0; back < Math.min(settings.origins, settings.globalOrigins); back++) {
      const members: { plan: Plan; slot: number; originIndex: number }[] = [];
      plans.forEach((plan, p) => {
        const slot = plan.validated.indexOf(index);
        const originIndex = plan.origins.length - 1 - back;
        if (choosing[p] && slot >= 0 && originIndex >= 0) members.push({ plan, slot, originIndex });
      });
      if (members.length === 0) continue;
      const fits = candidate.model.fitMany(
        members.map(({ plan, originIndex }) => ({
          values: plan.input.values.subarray(0, plan.origins[originIndex] as number),
          seasonalPeriods: periods,
        })),
      );
      members.forEach(({ plan, slot, originIndex }, k) => {
        const mean = (fits[k] as FittedModel).predict(plan.validationHorizon).mean;
        plan.totals[slot] = (plan.totals[slot] as number) + errorAt(plan, originIndex, mean);
      });
    }
  });

  const originsOf = (plan: Plan, index: number): number =>
    (candidates[index] as AutoCandidate).kind === "global"
      ? Math.min(plan.origins.length, settings.globalOrigins)
      : plan.origins.length;

  // Choose per series, then fit the members on the whole series (global ones once across all).
  const chosen: number[][] = plans.map((plan, p) => {
    if (!choosing[p]) {
      const n = plan.input.values.length;
      const first = plan.validated[0] ?? minimums.findIndex((minimum) => minimum <= n);
      return [first];
    }
    const scores = plan.totals.map((total, slot) => total / originsOf(plan, plan.validated[slot] as number));
    const ranking = plan.validated
      .map((_, slot) => slot)
      .sort((a, b) => (scores[a] as number) - (scores[b] as number) || a - b);
    const best = scores[ranking[0] as number] as number;
    const members: number[] = [];
    for (const slot of ranking) {
      if (members.length >= settings.maxMembers) break;
      if (members.length === 0 || (scores[slot] as number) <= best * (1 + settings.combineWithin)) {
        members.push(plan.validated[slot] as number);
      }
    }
    return members;
  });
  const globalFits = new Map<number, Map<number, FittedModel>>();
  candidates.forEach((candidate, index) => {
    if (candidate.kind !== "global" || !chosen.some((members) => members.includes(index))) return;
    const eligible = plans
      .map((_, p) => p)
      .filter((p) => (plans[p] as Plan).input.values.length >= (minimums[index] as number));
    const fits = candidate.model.fitMany(eligible.map((p) => (plans[p] as Plan).input));
    globalFits.set(index, new Map(eligible.map((p, k) => [p, fits[k] as FittedModel])));
  });

  return plans.map((plan, p) => {
    const members = chosen[p] as number[];
    const fits = members.map((index) => {
      const candidate = candidates[index] as AutoCandidate;
      return candidate.kind === "local"
        ? candidate.model.fit(plan.input)
        : (globalFits.get(index)?.get(p) as FittedModel);
    });
    if (!choosing[p]) {
      const only = fits[0] as FittedModel;
      return withParams(only, only.name, {
        selectedBy:
          candidates.length === 1
            ? "the only candidate"
            : plan.validated.length === 1
              ? "the only candidate long enough to validate"
              : "too short to validate: the first candidate that fits",
      });
    }
    const report = {
      selectedBy: "rolling-origin validation",
      candidates: plan.validated.map((index) => (candidates[index] as AutoCandidate).model.name).join(", "),
      scores: plan.totals.map((total, slot) => total / originsOf(plan, plan.validated[slot] as number)),
      members: fits.map((fit) => fit.name).join(", "),
      validationHorizon: plan.validationHorizon,
      validationOrigins: plan.origins.length,
    };
    if (fits.length === 1) return withParams(fits[0] as FittedModel, (fits[0] as FittedModel).name, report);
    return combine(fits, `median(${fits.map((fit) => fit.name).join(", ")})`, report);
  });
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
