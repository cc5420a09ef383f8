/*
 * The exact weighted water-filling kernel shared by `maxMinAllocate` and `hierarchicalAllocate`.
 *
 * Problem (Kubernetes `pkg/util/flowcontrol/conc_alloc.go`, YARN `ComputeFairShares.java`):
 * given weights w_i > 0 and bounds 0 <= l_i <= u_i, find the level r with
 *   f(r) = sum_i clamp(w_i * r, l_i, u_i) = target,  sum l <= target <= sum u.
 * f is continuous, non-decreasing and piecewise linear with breakpoints l_i/w_i and u_i/w_i.
 *
 * Rather than sorting all 2n breakpoints (a 2M-element Float64Array sort alone costs ~200 ms on
 * the 2-core reference machine), the kernel narrows a bracket around the level and after each
 * step drops every tenant whose both breakpoints left it (it is then fixed at a bound, or free
 * throughout the bracket). This is the linear-time scheme for continuous knapsack-type problems
 * (Brucker 1984, "An O(n) algorithm for quadratic knapsack problems"). Each round takes two pivots
 * the way Floyd–Rivest selection does: f is estimated from a deterministic sample of ~n^(2/3)
 * active entries, and the pivots are sampled breakpoints either side of the estimated crossing,
 * so most entries leave in one round; a sorted exact median takes over if sampling keeps
 * missing, which keeps the worst case at O(n log n). Once no breakpoint is left inside the
 * bracket, f is linear there and the level is solved exactly. Three passes touch all n entries:
 * one sums the bounds and evaluates f at the first pivots, one classifies every entry against the
 * narrowed bracket, one writes the allocations; the rounds after the first see ~n^(2/3) entries.
 */

/**
 * What makes the level of entry `index` unrepresentable, or undefined: `upper / weight` overflows
 * (the level would be Infinity and hand out more than the target) or underflows to 0 (the entry
 * would count as full at every level but be handed `weight × 0`). For the public entries'
 * validation, with the entry's own field names.
 */
export function waterFillDefect(upper: number, weight: number): string | undefined {
  const level = upper / weight;
  if (level === Number.POSITIVE_INFINITY)
    return `large enough that demand / weight is finite (demand ${upper})`;
  if (level === 0 && upper > 0) return `small enough that demand / weight is not 0 (demand ${upper})`;
  return undefined;
}

/** Largest number of breakpoints sampled to pick a pivot. */
const sampleSize = 63;
/** Most entries sampled to estimate where the level lies (see samplePivots). */
const pivotSampleLimit = 4096;

/**
 * Neumaier-compensated accumulator: fixed sums of a million bounds stay exact to ~1 ulp. A sum
 * past the largest double is Infinity, not NaN (the compensation of an overflowed add is
 * Infinity - Infinity): the terms summed here are never negative, so it can only grow.
 */
class CompensatedSum {
  sum = 0;
  compensation = 0;
  add(value: number): void {
    const total = this.sum + value;
    if (total === Number.POSITIVE_INFINITY) {
      this.sum = total;
      this.compensation = 0;
      return;
    }
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }
  value(): number {
    return this.sum === Number.POSITIVE_INFINITY ? this.sum : this.sum + this.compensation;
  }
}

/**
 * Compensated (Neumaier) sum of `values[0..count)`, which must not be negative: a sum past the
 * largest double is Infinity. A loop over locals: through the accumulator object a million values
 * took half as long again.
 */
export function exactSum(values: Float64Array, count = values.length): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i]!;
    const total = sum + value;
    if (total === Number.POSITIVE_INFINITY) return total;
    if (sum >= value) compensation += sum - total + value;
    else compensation += value - total + sum;
    sum = total;
  }
  return sum + compensation;
}

/**
 * Writes `out[i] = clamp(weights[i] * r, lower[i], upper[i])` for `i < count`, with the smallest
 * level `r >= 0` at which the allocations sum to `target`, and returns `r`.
 *
 * Trusts its arguments (the public entries validate, see {@link waterFillDefect}): weights finite
 * and > 0 with a finite sum, bounds finite with `0 <= lower[i] <= upper[i]`, and `upper[i] /
 * weights[i]` finite and, for `upper[i] > 0`, not 0. `target` is clamped into `[sum lower, sum upper]`: at or below
 * `sum lower` every entry gets its lower bound and the level is 0; at or above `sum upper` every
 * entry gets its upper bound and the level is `max upper[i] / weights[i]`.
 *
 * @internal
 */
export function waterFill(
  weights: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  count: number,
  target: number,
  out: Float64Array,
): number {
  if (count === 0) return 0;
  const sampleCapacity = Math.min(pivotSampleLimit, Math.max(sampleSize, Math.ceil(count ** (2 / 3))));
  const sample = new Float64Array(2 * sampleCapacity);
  const entries = new Int32Array(sampleCapacity);
  const pivots = new Float64Array(2);
  // The first round's pivots come from a sample of every entry, so that one pass over all n
  // entries both sums the bounds and evaluates f at the pivots, and a second classifies each
  // against the narrowed bracket: the entries whose breakpoints left it are never written to the
  // active list. (Classifying first against (0, Infinity) and then evaluating the active entries
  // through that list took two more passes over n.)
  const first = samplePivots(
    weights,
    lower,
    upper,
    undefined,
    count,
    0,
    Number.POSITIVE_INFINITY,
    sample,
    entries,
    0,
    0,
    target,
    pivots,
  );
  const firstBelow = first ? pivots[0]! : 0;
  const firstAbove = first ? pivots[1]! : 0;
  let sumLower = 0;
  let sumUpper = 0;
  let saturationLevel = 0;
  let valueBelow = 0;
  let valueAbove = 0;
  for (let i = 0; i < count; i++) {
    const low = lower[i]!;
    const high = upper[i]!;
    const weight = weights[i]!;
    sumLower += low;
    sumUpper += high;
    const highBreak = high / weight;
    if (highBreak > saturationLevel) saturationLevel = highBreak;
    const a = weight * firstBelow;
    valueBelow += a <= low ? low : Math.min(a, high);
    const b = weight * firstAbove;
    valueAbove += b <= low ? low : Math.min(b, high);
  }
  if (target >= sumUpper) {
    for (let i = 0; i < count; i++) out[i] = upper[i]!;
    return saturationLevel;
  }
  if (target <= sumLower) {
    for (let i = 0; i < count; i++) out[i] = lower[i]!;
    return 0;
  }

  let bracketLow = 0;
  let bracketHigh = Number.POSITIVE_INFINITY;
  if (first) {
    if (valueBelow >= target) bracketHigh = firstBelow;
    else if (valueAbove >= target) {
      bracketLow = firstBelow;
      bracketHigh = firstAbove;
    } else bracketLow = firstAbove;
  }
  // Entries whose both breakpoints lie outside the open bracket are fixed at a bound or free
  // throughout it; the rest are "active" until they leave it. A division may underflow to 0 (a
  // subnormal bound) or overflow to Infinity (a tiny weight): the same comparisons place those.
  const fixed = new CompensatedSum();
  // Weight of entries free (w r inside [l, u]) throughout the bracket: f grows by freeWeight per unit r.
  let freeWeight = 0;
  let active = new Int32Array(Math.min(count, 4 * sampleCapacity));
  let activeCount = 0;
  for (let i = 0; i < count; i++) {
    const weight = weights[i]!;
    const low = lower[i]!;
    const high = upper[i]!;
    const lowBreak = low / weight;
    const highBreak = high / weight;
    if (highBreak <= bracketLow) fixed.add(high);
    else if (lowBreak >= bracketHigh) fixed.add(low);
    else if (lowBreak <= bracketLow && highBreak >= bracketHigh) freeWeight += weight;
    else {
      if (activeCount === active.length) {
        const grown = new Int32Array(Math.min(count, 2 * active.length));
        grown.set(active);
        active = grown;
      }
      active[activeCount++] = i;
    }
  }

  let rounds = first ? 1 : 0;
  const sampleRoundLimit = 2 * Math.ceil(Math.log2(count + 1)) + 8;
  while (activeCount > 0) {
    rounds++;
    if (rounds <= sampleRoundLimit) {
      samplePivots(
        weights,
        lower,
        upper,
        active,
        activeCount,
        bracketLow,
        bracketHigh,
        sample,
        entries,
        fixed.value(),
        freeWeight,
        target,
        pivots,
      );
    } else {
      pivots[0] = pivots[1] = exactMedianPivot(
        weights,
        lower,
        upper,
        active,
        activeCount,
        bracketLow,
        bracketHigh,
      );
    }
    const below = pivots[0]!;
    const above = pivots[1]!;
    // Unreachable while the invariant holds (every active entry has a breakpoint inside the
    // bracket); the guard turns a broken invariant into a slightly off level, never a hang.
    if (!(below > bracketLow && above < bracketHigh && below <= above)) break;

    // f at both pivots in one pass.
    const fixedValue = fixed.value();
    let valueBelow = fixedValue + freeWeight * below;
    let valueAbove = fixedValue + freeWeight * above;
    for (let k = 0; k < activeCount; k++) {
      const i = active[k]!;
      const weight = weights[i]!;
      const low = lower[i]!;
      const high = upper[i]!;
      const a = weight * below;
      valueBelow += a <= low ? low : Math.min(a, high);
      const b = weight * above;
      valueAbove += b <= low ? low : Math.min(b, high);
    }
    if (valueBelow >= target) bracketHigh = below;
    else if (valueAbove >= target) {
      bracketLow = below;
      bracketHigh = above;
    } else bracketLow = above;

    // Compact in place (an entry kept moves only towards the front).
    let kept = 0;
    for (let k = 0; k < activeCount; k++) {
      const i = active[k]!;
      const weight = weights[i]!;
      const low = lower[i]!;
      const high = upper[i]!;
      const lowBreak = low / weight;
      const highBreak = high / weight;
      if (highBreak <= bracketLow) fixed.add(high);
      else if (lowBreak >= bracketHigh) fixed.add(low);
      else if (lowBreak <= bracketLow && highBreak >= bracketHigh) freeWeight += weight;
      else active[kept++] = i;
    }
    activeCount = kept;
  }

  // f(r) = fixed + freeWeight * r on the bracket: solve exactly, then keep r inside the bracket
  // against rounding.
  let level: number;
  if (freeWeight > 0) {
    level = (target - fixed.value()) / freeWeight;
    if (level < bracketLow) level = bracketLow;
    if (level > bracketHigh) level = bracketHigh;
  } else {
    level = Number.isFinite(bracketHigh) ? bracketHigh : bracketLow;
  }
  for (let i = 0; i < count; i++) {
    const a = weights[i]! * level;
    const low = lower[i]!;
    const high = upper[i]!;
    out[i] = a <= low ? low : Math.min(a, high);
  }
  return level;
}

/**
 * Two pivots around where the level probably is (Floyd–Rivest style): up to `sampleSize` evenly
 * spaced active entries (`active` undefined: entries `0..activeCount`) stand for all of them, f is
 * estimated at each of their breakpoints inside (lo, hi), and the pivots are the sampled
 * breakpoints a few ranks either side of where the estimate crosses `target`. One pass then
 * evaluates f at both: when the level lies between them, most active entries leave the bracket in
 * one round instead of half. Returns false, with no pivots, when no sampled breakpoint lies inside
 * the bracket (possible only for a sample of every entry: each active one has a breakpoint there).
 */
function samplePivots(
  weights: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  active: Int32Array | undefined,
  activeCount: number,
  bracketLow: number,
  bracketHigh: number,
  sample: Float64Array,
  entries: Int32Array,
  fixedValue: number,
  freeWeight: number,
  target: number,
  pivots: Float64Array,
): boolean {
  // Floyd–Rivest proportions: a sample of ~n^(2/3) entries, pivots ~sqrt(sample) ranks apart
  // from the estimated crossing, so the level falls between them with high probability and about
  // n^(2/3) entries stay active.
  const wanted = Math.min(pivotSampleLimit, Math.max(sampleSize, Math.ceil(activeCount ** (2 / 3))));
  const step = activeCount <= wanted ? 1 : activeCount / wanted;
  // The sampled entries, walked once here and again by every estimate below.
  let size = 0;
  let sampled = 0;
  for (let position = 0; position < activeCount && sampled < wanted; position += step) {
    const i = active === undefined ? Math.floor(position) : active[Math.floor(position)]!;
    entries[sampled++] = i;
    const weight = weights[i]!;
    const lowBreak = lower[i]! / weight;
    const highBreak = upper[i]! / weight;
    if (lowBreak > bracketLow && lowBreak < bracketHigh) sample[size++] = lowBreak;
    if (highBreak > bracketLow && highBreak < bracketHigh) sample[size++] = highBreak;
  }
  if (size === 0) return false;
  const sorted = sample.subarray(0, size).sort();
  // The estimate of f at a level: the bracket's fixed and free terms, plus the sampled entries'
  // terms scaled up to every active entry. It is non-decreasing, so bisect on the sorted levels.
  const scale = activeCount / sampled;
  const estimate = (level: number): number => {
    let value = 0;
    for (let k = 0; k < sampled; k++) {
      const i = entries[k]!;
      const a = weights[i]! * level;
      const low = lower[i]!;
      value += a <= low ? low : Math.min(a, upper[i]!);
    }
    return fixedValue + freeWeight * level + scale * value;
  };
  let from = 0;
  let to = size;
  while (from < to) {
    const middle = (from + to) >> 1;
    if (estimate(sorted[middle]!) >= target) to = middle;
    else from = middle + 1;
  }
  const margin = Math.ceil(Math.sqrt(size));
  pivots[0] = sorted[Math.max(0, Math.min(size - 1, from - margin))]!;
  pivots[1] = sorted[Math.min(size - 1, from + margin)]!;
  return true;
}

/** Exact median of every active breakpoint inside (lo, hi): halves the active set each round. */
function exactMedianPivot(
  weights: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  active: Int32Array,
  activeCount: number,
  bracketLow: number,
  bracketHigh: number,
): number {
  const breaks = new Float64Array(2 * activeCount + 1);
  return medianBreakpoint(weights, lower, upper, active, activeCount, bracketLow, bracketHigh, breaks, 1);
}

/** Median of the breakpoints inside (lo, hi) of every `step`-th active entry, gathered into `buffer`. */
function medianBreakpoint(
  weights: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  active: Int32Array,
  activeCount: number,
  bracketLow: number,
  bracketHigh: number,
  buffer: Float64Array,
  step: number,
): number {
  let size = 0;
  for (let position = 0; position < activeCount && size < buffer.length - 1; position += step) {
    const i = active[Math.floor(position)]!;
    const weight = weights[i]!;
    const lowBreak = lower[i]! / weight;
    const highBreak = upper[i]! / weight;
    if (lowBreak > bracketLow && lowBreak < bracketHigh) buffer[size++] = lowBreak;
    if (highBreak > bracketLow && highBreak < bracketHigh) buffer[size++] = highBreak;
  }
  // Every active entry keeps a breakpoint strictly inside the bracket, so size >= 1.
  if (size === 0) return Number.NaN;
  const sorted = buffer.subarray(0, size).sort();
  return sorted[size >> 1]!;
}
