import { createRandom } from "@enis/core";

/*
 * The distribution of the forecast error at each step, from which `forecast()` draws its
 * intervals and `forecastCapacity()` its quantiles. Two sources:
 * - the model's own forecast variance (ETS state space, the naive random walk …): normal quantiles,
 *   `mean + z(p) · sqrt(variance[h])`;
 * - otherwise a residual bootstrap: `bootstrapPaths` paths, each the running sum of one-step
 *   in-sample residuals drawn with replacement (centred on their mean), seeded — the step-h error
 *   of a model whose errors accumulate like a random walk's. It widens with the horizon as
 *   `sqrt(h)` times the residual spread, which is exact for the naive random walk and cautious for
 *   a model whose errors do not accumulate.
 */

/** How many bootstrap paths: the 2.5% quantile then rests on 25 paths. */
export const bootstrapPaths = 1000;

/** How an interval was computed. */
export type IntervalMethod = "model-variance" | "residual-bootstrap";

/**
 * The standard normal quantile (inverse CDF) for p in (0, 1): Acklam's rational approximation
 * (relative error < 1.2e-9), refined by one Halley step on the complementary error function.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** The complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * The error's quantiles at each step for the given probabilities: `offsets[i][h]` is what to add to
 * the mean at step h for probability `probabilities[i]`.
 */
export function errorQuantiles(
  probabilities: readonly number[],
  horizon: number,
  variance: Float64Array | undefined,
  residuals: Float64Array,
  seed: number,
): Float64Array[] {
  if (variance !== undefined) {
    return probabilities.map((p) => {
      const z = normalQuantile(p);
      const offsets = new Float64Array(horizon);
      for (let h = 0; h < horizon; h++) offsets[h] = z * Math.sqrt(variance[h] as number);
      return offsets;
    });
  }
  const count = residuals.length;
  let mean = 0;
  for (let index = 0; index < count; index++) mean += residuals[index] as number;
  mean /= count;
  const random = createRandom(seed);
  const paths = new Float64Array(bootstrapPaths);
  const sorted = new Float64Array(bootstrapPaths);
  const offsets = probabilities.map(() => new Float64Array(horizon));
  for (let h = 0; h < horizon; h++) {
    for (let path = 0; path < bootstrapPaths; path++) {
      paths[path] = (paths[path] as number) + (residuals[random.nextInt(count)] as number) - mean;
    }
    sorted.set(paths);
    sorted.sort();
    for (let i = 0; i < probabilities.length; i++) {
      // Hyndman & Fan type 7, the default of R's quantile() and numpy's.
      const position = (probabilities[i] as number) * (bootstrapPaths - 1);
      const below = Math.floor(position);
      const fraction = position - below;
      const low = sorted[below] as number;
      const high = sorted[Math.min(below + 1, bootstrapPaths - 1)] as number;
      (offsets[i] as Float64Array)[h] = low + (high - low) * fraction;
    }
  }
  return offsets;
}
