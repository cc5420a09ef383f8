import { type AlgorithmEvaluation, type RateLimitSpec, wholeMs } from "./common.js";

/*
 * Fixed window aligned to multiples of windowMs since the epoch (as @upstash/ratelimit does,
 * not from the first hit as rate-limiter-flexible does), so every replica agrees on the boundaries.
 * State: [count, windowStart]. fixed-window.lua is the Lua twin.
 */

/** The fixed window's decision on `cost` units at `nowMs` from `state` ([count, windowStart], or none). */
export function fixedWindow(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): AlgorithmEvaluation {
  const windowStart = Math.floor(nowMs / spec.windowMs) * spec.windowMs;
  const count = state !== undefined && state.length > 0 && state[1] === windowStart ? state[0]! : 0;
  const windowEnd = windowStart + spec.windowMs;
  const resetAfterMs = count > 0 ? wholeMs(windowEnd - nowMs) : 0;
  if (cost > spec.limit || count + cost > spec.limit) {
    return {
      allowed: false,
      // Never negative, even when the limit was lowered below a count already spent.
      remaining: Math.max(0, spec.limit - count),
      retryAfterMs: cost > spec.limit ? Number.POSITIVE_INFINITY : wholeMs(windowEnd - nowMs),
      resetAfterMs,
      next: [count, windowStart],
      ttlMs: windowEnd - nowMs,
      startsBlock: false,
    };
  }
  const spent = count + cost;
  return {
    allowed: true,
    remaining: spec.limit - spent,
    retryAfterMs: 0,
    resetAfterMs: spent > 0 ? wholeMs(windowEnd - nowMs) : 0,
    next: [spent, windowStart],
    ttlMs: windowEnd - nowMs,
    startsBlock: false,
  };
}

/** The state after giving back `cost` units: the window's count less `cost`, never below 0. */
export function refundFixedWindow(state: readonly number[], cost: number): number[] {
  return [Math.max(0, state[0]! - cost), state[1]!];
}
