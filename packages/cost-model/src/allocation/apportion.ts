/**
 * Splits a whole number of cents among items in proportion to their weights, so that the parts are
 * whole cents that sum to `total` exactly: the largest-remainder (Hamilton) method. Each item first
 * gets the floor of its quota `total × weight / Σ weights`; the cents left over (fewer than the
 * number of items) go one each to the items with the largest fractional remainders, ties to the
 * earlier item. An item of weight 0 gets 0. Every part is within one cent of its quota.
 *
 * `total` is a safe integer >= 0, `weights` finite and >= 0 with a positive sum (the callers check).
 *
 * @internal
 */
export function apportion(total: number, weights: ArrayLike<number>): number[] {
  const count = weights.length;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += weights[i]!;
  const parts: number[] = new Array(count);
  const remainders = new Float64Array(count);
  let assigned = 0;
  for (let i = 0; i < count; i++) {
    const quota = (total * weights[i]!) / sum;
    // A rounding error can put a quota a hair above an integer it should equal, or above total.
    const whole = Math.min(Math.floor(quota), total);
    parts[i] = whole;
    remainders[i] = quota - whole;
    assigned += whole;
  }
  let left = total - assigned;
  if (left === 0) return parts;
  const order: number[] = [];
  for (let i = 0; i < count; i++) if (weights[i]! > 0) order.push(i);
  if (left > 0) {
    order.sort((a, b) => remainders[b]! - remainders[a]! || a - b);
    // Fewer than order.length cents are left in exact arithmetic; the loop wraps should rounding
    // leave more.
    for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]!]!++;
    return parts;
  }
  // Rounding gave out too much (possible only when quotas were rounded up): take cents back from
  // the smallest remainders first.
  order.sort((a, b) => remainders[a]! - remainders[b]! || b - a);
  for (let k = 0; left < 0; k = (k + 1) % order.length) {
    const index = order[k]!;
    if (parts[index]! > 0) {
      parts[index]!--;
      left++;
    }
  }
  return parts;
}
