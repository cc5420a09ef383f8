import { type AlgorithmEvaluation, type RateLimitSpec, unitEpsilon, wholeMs } from "./common.js";

/*
 * Sliding window by two aligned counters (the approximation @upstash/ratelimit and Cloudflare
 * use): the previous window's count weighted by the part of it still inside the sliding window,
 * plus the current count. State: [previousCount, currentCount, currentStart].
 * sliding-window.lua is the Lua twin.
 */

/** The sliding window's decision on `cost` units at `nowMs` from `state` (3 numbers, or none). */
export function slidingWindow(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): AlgorithmEvaluation {
  const windowMs = spec.windowMs;
  const currentStart = Math.floor(nowMs / windowMs) * windowMs;
  let previous = 0;
  let current = 0;
  if (state !== undefined && state.length > 0) {
    const storedStart = state[2]!;
    if (storedStart === currentStart) {
      previous = state[0]!;
      current = state[1]!;
    } else if (storedStart === currentStart - windowMs) {
      previous = state[1]!;
    }
  }
  const weight = (windowMs - (nowMs - currentStart)) / windowMs;
  // Snapped before ceil, so 2.0000000001 previous-window units count as 2, not 3.
  const used = Math.ceil(previous * weight - unitEpsilon) + current;
  const windowEnd = currentStart + windowMs;
  // The state must outlive the next window, where the current count becomes the previous one.
  const ttlMs = windowEnd + windowMs - nowMs;
  const resetAfterMs =
    current > 0 ? wholeMs(windowEnd + windowMs - nowMs) : previous > 0 ? wholeMs(windowEnd - nowMs) : 0;
  if (cost > spec.limit || used + cost > spec.limit) {
    return {
      allowed: false,
      remaining: Math.max(0, spec.limit - used),
      retryAfterMs:
        cost > spec.limit
          ? Number.POSITIVE_INFINITY
          : slidingRetry(spec, previous, current, nowMs, currentStart, cost),
      resetAfterMs,
      next: [previous, current, currentStart],
      ttlMs,
      startsBlock: false,
    };
  }
  // Nothing in the current window after this request (a look with cost 0): as a refusal reports.
  return {
    allowed: true,
    remaining: spec.limit - used - cost,
    retryAfterMs: 0,
    resetAfterMs: current + cost > 0 ? wholeMs(windowEnd + windowMs - nowMs) : resetAfterMs,
    next: [previous, current + cost, currentStart],
    ttlMs,
    startsBlock: false,
  };
}

/** Earliest wait after which `cost` fits, as the previous window's weight decays, or the window rolls. */
function slidingRetry(
  spec: RateLimitSpec,
  previous: number,
  current: number,
  nowMs: number,
  currentStart: number,
  cost: number,
): number {
  const windowMs = spec.windowMs;
  const windowEnd = currentStart + windowMs;
  // Within this window: need ceil(previous * w) <= limit - current - cost, w = (windowEnd - t) / windowMs.
  const room = spec.limit - current - cost;
  if (room >= 0 && previous > 0) {
    // ceil(previous * w) <= room  <=>  previous * w <= room  <=>  t >= windowEnd - room * windowMs / previous.
    const at = Math.ceil(windowEnd - (room * windowMs) / previous);
    if (at < windowEnd) return Math.max(1, wholeMs(at - nowMs));
  }
  // Next window: previous becomes `current`, weighted from 1 down; same solve from windowEnd.
  const nextRoom = spec.limit - cost;
  if (current === 0 || nextRoom >= current) return wholeMs(windowEnd - nowMs);
  const at = Math.ceil(windowEnd + windowMs - (nextRoom * windowMs) / current);
  return Math.max(1, wholeMs(at - nowMs));
}

/** The state after giving back `cost` units: the current window's count less `cost`, never below 0. */
export function refundSlidingWindow(state: readonly number[], cost: number): number[] {
  return [state[0]!, Math.max(0, state[1]! - cost), state[2]!];
}
