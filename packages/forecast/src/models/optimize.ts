/**
 * Deterministic derivative-free minimisers for the models' likelihoods. Internal to the package.
 */

/** What {@link nelderMead} found. */
export interface Minimum {
  /** The best point found. */
  readonly point: Float64Array;
  /** The objective there. */
  readonly value: number;
  /** Objective evaluations spent. */
  readonly evaluations: number;
}

/**
 * Nelder–Mead simplex minimisation (Nelder & Mead, Computer Journal 7(4), 1965; the coefficients of
 * Lagarias et al., SIAM J. Optim. 9(1), 1998: reflection 1, expansion 2, contraction ½, shrink ½).
 * The initial simplex steps `step` along each axis from `start`. Stops after `maxEvaluations` or
 * when the simplex's values lie within `tolerance` (absolute) of each other. Non-finite objective
 * values count as +Infinity, so an infeasible point is never kept.
 */
export function nelderMead(
  objective: (point: Float64Array) => number,
  start: ArrayLike<number>,
  options: { readonly step?: number; readonly maxEvaluations?: number; readonly tolerance?: number } = {},
): Minimum {
  const dimension = start.length;
  const step = options.step ?? 0.5;
  const maxEvaluations = options.maxEvaluations ?? 200 * dimension;
  const tolerance = options.tolerance ?? 1e-7;
  let evaluations = 0;
  const evaluate = (point: Float64Array): number => {
    evaluations++;
    const value = objective(point);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  const simplex: Float64Array[] = [];
  const values: number[] = [];
  for (let i = 0; i <= dimension; i++) {
    const point = Float64Array.from(start);
    if (i > 0) point[i - 1]! += step;
    simplex.push(point);
    values.push(evaluate(point));
  }
  const order = Array.from({ length: dimension + 1 }, (_, i) => i);
  const centroid = new Float64Array(dimension);
  const along = (from: Float64Array, to: Float64Array, factor: number): Float64Array => {
    const point = new Float64Array(dimension);
    for (let j = 0; j < dimension; j++) point[j] = from[j]! + factor * (to[j]! - from[j]!);
    return point;
  };
  while (evaluations < maxEvaluations) {
    // Ties keep index order, so the run is the same on every engine.
    order.sort((a, b) => values[a]! - values[b]! || a - b);
    const best = order[0]!;
    const worst = order[dimension]!;
    const secondWorst = order[dimension - 1]!;
    if (Math.abs(values[worst]! - values[best]!) <= tolerance) break;
    centroid.fill(0);
    for (let k = 0; k < dimension; k++) {
      const point = simplex[order[k]!]!;
      for (let j = 0; j < dimension; j++) centroid[j]! += point[j]! / dimension;
    }
    const reflected = along(centroid, simplex[worst]!, -1);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < values[best]!) {
      const expanded = along(centroid, simplex[worst]!, -2);
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) {
        simplex[worst] = expanded;
        values[worst] = expandedValue;
      } else {
        simplex[worst] = reflected;
        values[worst] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < values[secondWorst]!) {
      simplex[worst] = reflected;
      values[worst] = reflectedValue;
      continue;
    }
    const outside = reflectedValue < values[worst]!;
    const contracted = outside ? along(centroid, reflected, 0.5) : along(centroid, simplex[worst]!, 0.5);
    const contractedValue = evaluate(contracted);
    if (contractedValue < (outside ? reflectedValue : values[worst]!)) {
      simplex[worst] = contracted;
      values[worst] = contractedValue;
      continue;
    }
    const bestPoint = simplex[best]!;
    for (let i = 0; i <= dimension; i++) {
      if (i === best) continue;
      simplex[i] = along(bestPoint, simplex[i]!, 0.5);
      values[i] = evaluate(simplex[i]!);
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= dimension; i++) if (values[i]! < values[bestIndex]!) bestIndex = i;
  return { point: simplex[bestIndex]!, value: values[bestIndex]!, evaluations };
}

/** The logistic function, mapping the real line onto (0, 1): parameters stay inside their bounds. */
export function logistic(u: number): number {
  return 1 / (1 + Math.exp(-u));
}

/** Inverse of {@link logistic} for p in (0, 1). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/**
 * Fits `fit` on the series divided by its largest magnitude when that magnitude is extreme (above
 * 1e150 or below 1e-150), so sums of squares neither overflow nor underflow, and scales the fit
 * back: fitted values and means times the scale, variances times its square. The parameters are
 * then those of the scaled series, reported with `scale`. Other series are fitted as they are.
 */
export function fitRescaled(
  values: Float64Array,
  fit: (values: Float64Array) => import("./types.js").FittedModel,
): import("./types.js").FittedModel {
  let largest = 0;
  for (let t = 0; t < values.length; t++) largest = Math.max(largest, Math.abs(values[t]!));
  if (largest === 0 || (largest <= 1e150 && largest >= 1e-150)) return fit(values);
  const scale = largest;
  const scaled = new Float64Array(values.length);
  for (let t = 0; t < values.length; t++) scaled[t] = values[t]! / scale;
  const inner = fit(scaled);
  const fitted = new Float64Array(values.length);
  for (let t = 0; t < values.length; t++) fitted[t] = inner.fitted[t]! * scale;
  return {
    name: inner.name,
    params: { ...inner.params, scale },
    fitted,
    predict(horizon: number) {
      const base = inner.predict(horizon);
      const mean = base.mean.map((v) => v * scale);
      if (base.variance === undefined) return { mean };
      const variance = base.variance.map((v) => v * scale * scale);
      return variance.every(Number.isFinite) ? { mean, variance } : { mean };
    },
  };
}
