import { type AlgorithmEvaluation, type RateLimitSpec, snap, unitEpsilon, wholeMs } from "./common.js";

/*
 * GCRA (generic cell rate algorithm; redis-cell's CL.THROTTLE) / token bucket. Emission interval
 * T = windowMs / limit; a request of n units adds n·T to the key's "debt" (its theoretical arrival
 * time ahead of now) and is allowed while the debt stays within burst·T. A token bucket of
 * capacity `burst` refilled at limit/windowMs is the same machine seen from the other side (tokens
 * = burst - debt/T), so "token-bucket" shares it: one mechanism, two names users look for.
 *
 * The debt is kept in units, with the time it was measured: [debtUnits, atMs]. Keeping an absolute
 * theoretical arrival time instead would put every comparison at epoch magnitude (1.7e12 ms),
 * where a double's resolution (2.4e-4 ms) is coarser than T for fast limits; differences of small
 * numbers stay exact to ~1e-15 units. Results within 1e-9 of a whole unit are snapped to it, so
 * integer costs never drift. gcra.lua is the Lua twin.
 */

/** Debt in units at `nowMs`, drained since it was measured (`state` of length 2, or none). */
export function debtAt(spec: RateLimitSpec, state: readonly number[] | undefined, nowMs: number): number {
  if (state === undefined || state.length === 0) return 0;
  const drained = ((nowMs - state[1]!) * spec.limit) / spec.windowMs;
  return Math.max(0, snap(state[0]! - drained));
}

/** GCRA's decision on `cost` units at `nowMs` from `state` ([debtUnits, atMs], or none). */
export function gcra(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): AlgorithmEvaluation {
  const interval = spec.windowMs / spec.limit;
  const debt = debtAt(spec, state, nowMs);
  const after = snap(debt + cost);
  const remainingNow = Math.max(0, Math.floor(spec.burst - debt + unitEpsilon));
  if (cost > spec.burst || after > spec.burst + unitEpsilon) {
    return {
      allowed: false,
      remaining: remainingNow,
      retryAfterMs: cost > spec.burst ? Number.POSITIVE_INFINITY : wholeMs((after - spec.burst) * interval),
      resetAfterMs: wholeMs(debt * interval),
      next: [debt, nowMs],
      ttlMs: Math.ceil(debt * interval),
      startsBlock: false,
    };
  }
  return {
    allowed: true,
    remaining: Math.max(0, Math.floor(spec.burst - after + unitEpsilon)),
    retryAfterMs: 0,
    resetAfterMs: wholeMs(after * interval),
    next: [after, nowMs],
    ttlMs: Math.ceil(after * interval),
    startsBlock: false,
  };
}

/** The state after giving back `cost` units at `nowMs`: the debt less `cost`, never below 0. */
export function refundGcra(
  spec: RateLimitSpec,
  state: readonly number[],
  nowMs: number,
  cost: number,
): number[] {
  return [Math.max(0, snap(debtAt(spec, state, nowMs) - cost)), nowMs];
}
