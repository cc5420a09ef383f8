import type { HitRatePoint } from "./types.js";

/** A hit-rate curve sorted by size, starting at size 0 (hit rate 0 added when the first point is larger). */
export function normaliseCurve(points: readonly HitRatePoint[]): HitRatePoint[] {
  const sorted = [...points].sort((a, b) => a.sizeGib - b.sizeGib);
  return sorted[0]!.sizeGib > 0 ? [{ sizeGib: 0, hitRate: 0 }, ...sorted] : sorted;
}

/** The curve's hit rate at `sizeGib`: linear between points, constant beyond the last. */
export function hitRateAt(curve: readonly HitRatePoint[], sizeGib: number): number {
  const last = curve[curve.length - 1]!;
  if (sizeGib >= last.sizeGib) return last.hitRate;
  let lo = 0;
  let hi = curve.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (curve[mid]!.sizeGib <= sizeGib) lo = mid;
    else hi = mid;
  }
  const a = curve[lo]!;
  const b = curve[hi]!;
  return a.hitRate + ((b.hitRate - a.hitRate) * (sizeGib - a.sizeGib)) / (b.sizeGib - a.sizeGib);
}

/**
 * The smallest size at which the curve reaches `target`, or null when it never does. The curve is
 * non-decreasing, so the first segment that crosses the target holds the answer.
 */
export function smallestSizeFor(curve: readonly HitRatePoint[], target: number): number | null {
  if (curve[0]!.hitRate >= target) return curve[0]!.sizeGib;
  for (let k = 1; k < curve.length; k++) {
    const a = curve[k - 1]!;
    const b = curve[k]!;
    if (b.hitRate >= target) {
      return a.sizeGib + ((target - a.hitRate) / (b.hitRate - a.hitRate)) * (b.sizeGib - a.sizeGib);
    }
  }
  return null;
}

/** The smallest size at which the curve reaches its highest hit rate. */
export function smallestSizeAtMaximum(curve: readonly HitRatePoint[]): number {
  const top = curve[curve.length - 1]!.hitRate;
  return curve.find((point) => point.hitRate >= top)!.sizeGib;
}
