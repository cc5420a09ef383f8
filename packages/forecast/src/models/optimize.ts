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
