import { EnisError } from "@enis/core";
import { invalidField } from "@enis/core/validate";

/**
 * Jain's fairness index (Jain, Chiu, Hawe 1984): `J = (sum x)^2 / (n * sum x^2)`, in `[1/n, 1]`;
 * 1 when every `x` is equal, `k/n` when `k` of `n` share equally and the rest get nothing.
 *
 * With `ideal`, each `x_i = values_i / ideal_i`: judge a weighted scheduler on allocations
 * normalised by their targets (e.g. the `maxMinAllocate` result), since raw allocations of a
 * perfect 1/5/10/50/100 weighted schedule score only 0.44 (REFERENCES.md §1).
 *
 * Edge cases, by convention: all `x` zero gives 1 (nobody is favoured); `ideal_i = 0` with
 * `values_i = 0` counts as `x_i = 1` (a zero target met exactly), while `ideal_i = 0` with
 * `values_i > 0` has no ratio and throws `INVALID_OPTIONS`. Values and ideals must be finite and
 * >= 0; an empty list and lists of different lengths throw `INVALID_OPTIONS`.
 *
 * @example
 * ```ts
 * jainIndex([1, 1, 1, 1]); // 1
 * jainIndex([1, 0, 0, 0]); // 0.25
 * jainIndex([10, 50], [10, 50]); // 1: each got exactly its ideal
 * ```
 */
export function jainIndex(
  values: readonly number[] | Float64Array,
  ideal?: readonly number[] | Float64Array,
): number {
  if (!Array.isArray(values) && !(values instanceof Float64Array)) {
    throw invalidField("values", values, "an array of numbers or a Float64Array");
  }
  const n = values.length;
  if (n === 0)
    throw new EnisError("INVALID_OPTIONS", "values must hold at least one number, got an empty list", {
      field: "values",
    });
  if (ideal !== undefined) {
    if (!Array.isArray(ideal) && !(ideal instanceof Float64Array)) {
      throw invalidField("ideal", ideal, "an array of numbers or a Float64Array");
    }
    if (ideal.length !== n) {
      throw invalidField("ideal", ideal, `a list of the same length as values (${n})`);
    }
  }
  const ratios = new Float64Array(n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (typeof value !== "number" || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      throw invalidField(`values[${i}]`, value, "a finite number >= 0");
    }
    let x = value;
    if (ideal !== undefined) {
      const target = ideal[i];
      if (typeof target !== "number" || !(target >= 0) || target === Number.POSITIVE_INFINITY) {
        throw invalidField(`ideal[${i}]`, target, "a finite number >= 0");
      }
      if (target === 0) {
        if (value !== 0) throw invalidField(`ideal[${i}]`, target, `> 0 where values[${i}] is ${value}`);
        x = 1;
      } else {
        x = value / target;
      }
    }
    ratios[i] = x;
    if (x > largest) largest = x;
  }
  if (largest === 0 || !Number.isFinite(largest)) {
    if (largest === 0) return 1;
    throw invalidField("values", values, "ratios to ideal that stay finite");
  }
  // Scaling by the largest keeps x^2 from overflowing (or underflowing) for extreme magnitudes.
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = ratios[i]! / largest;
    sum += x;
    sumSquares += x * x;
  }
  // Rounding may put J a hair outside [1/n, 1]; the bounds are exact mathematically.
  return Math.min(1, Math.max(1 / n, (sum * sum) / (n * sumSquares)));
}
