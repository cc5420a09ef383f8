/*
 * The four rate-limit algorithms as pure state transitions. Every store applies exactly these
 * (the memory store calls them; a Redis store transliterates them to Lua with the same operations
 * in the same order, so IEEE doubles give bit-identical decisions — the conformance suite's
 * differential test checks it). State is a short array of numbers, as a Redis hash would hold.
 * Leases are the one exception in memory: the store keeps them in an indexed table
 * (lease-table.ts) that decides as `evaluateLease` / `releaseLease` do, checked by a model test.
 *
 * Common rules:
 * - `cost` is an integer >= 1 (validated by the caller); time is in milliseconds from the store's clock.
 * - A request that does not fit is refused whole and changes nothing: a cost above what remains
 *   never drives a balance negative (the @upstash/ratelimit token-bucket defect, PR #156).
 * - `retryAfterMs`: 0 when allowed; else the wait until this same cost would be allowed, or
 *   Infinity when it never can (cost above the capacity).
 * - `resetAfterMs`: the wait until the key is back to its full allowance (0 when it already is).
 * - `ttlMs`: how long the state must be kept; after it the state is equivalent to no state, so a
 *   store may expire it (Redis PEXPIRE). Windows up to a year and more are plain arithmetic: no
 *   timers, so no 2^31 ms overflow (rate-limiter-flexible #71, #231).
 */

/** Which algorithm a limit uses. */
export type Algorithm = "gcra" | "token-bucket" | "sliding-window" | "fixed-window";

/** A rate limit: `limit` units per `windowMs`, with up to `burst` at once (GCRA, token bucket). */
export interface RateLimitSpec {
  readonly algorithm: Algorithm;
  /** Units allowed per window, integer >= 1. */
  readonly limit: number;
  /** Window length in milliseconds, integer >= 1. */
  readonly windowMs: number;
  /** Most units usable at once (GCRA, token bucket), integer >= 1. Equals `limit` by default. */
  readonly burst: number;
}

/** The outcome of one limit for one request. */
export interface LimitOutcome {
  readonly allowed: boolean;
  /** Units still available after this request (or now, when refused), integer >= 0. */
  readonly remaining: number;
  readonly retryAfterMs: number;
  readonly resetAfterMs: number;
}

/** An evaluation: the outcome, and the state to store if the request is spent. */
export interface Evaluation extends LimitOutcome {
  /** State after spending `cost` (when allowed) — the state to write back. */
  readonly next: number[];
  /** How long `next` must be kept, in ms. */
  readonly ttlMs: number;
}

/**
 * Evaluates `cost` units against `spec` at `nowMs`, from `state` (undefined or [] when the key has
 * none). Pure. With `cost` 0 it is a peek: the outcome describes the current allowance.
 */
export function evaluate(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): Evaluation {
  switch (spec.algorithm) {
    case "gcra":
    case "token-bucket":
      return gcra(spec, state, nowMs, cost);
    case "fixed-window":
      return fixedWindow(spec, state, nowMs, cost);
    case "sliding-window":
      return slidingWindow(spec, state, nowMs, cost);
  }
}

/**
 * Undoes `cost` units of an earlier spend (a refund), never beyond the full allowance. Pure.
 */
export function refund(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): number[] {
  if (state === undefined || state.length === 0) return [];
  switch (spec.algorithm) {
    case "gcra":
    case "token-bucket":
      return [Math.max(0, snap(debtAt(spec, state, nowMs) - cost)), nowMs];
    case "fixed-window":
      return [Math.max(0, state[0]! - cost), state[1]!];
    case "sliding-window":
      return [state[0]!, Math.max(0, state[1]! - cost), state[2]!];
  }
}

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
 * integer costs never drift.
 */
const unitEpsilon = 1e-9;

function snap(units: number): number {
  const whole = Math.round(units);
  return Math.abs(units - whole) < unitEpsilon ? whole : units;
}

/** Debt in units at `nowMs`, drained since it was measured. */
function debtAt(spec: RateLimitSpec, state: readonly number[] | undefined, nowMs: number): number {
  if (state === undefined || state.length === 0) return 0;
  const drained = ((nowMs - state[1]!) * spec.limit) / spec.windowMs;
  return Math.max(0, snap(state[0]! - drained));
}

function gcra(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): Evaluation {
  const interval = spec.windowMs / spec.limit;
  const debt = debtAt(spec, state, nowMs);
  const after = snap(debt + cost);
  const remainingNow = Math.max(0, Math.floor(spec.burst - debt + unitEpsilon));
  if (cost > spec.burst || after > spec.burst + unitEpsilon) {
    return {
      allowed: false,
      remaining: remainingNow,
      retryAfterMs: cost > spec.burst ? Number.POSITIVE_INFINITY : Math.ceil((after - spec.burst) * interval),
      resetAfterMs: debt * interval,
      next: [debt, nowMs],
      ttlMs: Math.ceil(debt * interval),
    };
  }
  return {
    allowed: true,
    remaining: Math.max(0, Math.floor(spec.burst - after + unitEpsilon)),
    retryAfterMs: 0,
    resetAfterMs: after * interval,
    next: [after, nowMs],
    ttlMs: Math.ceil(after * interval),
  };
}

/*
 * Fixed window aligned to multiples of windowMs since the epoch (as @upstash/ratelimit does,
 * not from the first hit as rate-limiter-flexible does), so every replica agrees on the boundaries.
 * State: [count, windowStart].
 */
function fixedWindow(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): Evaluation {
  const windowStart = Math.floor(nowMs / spec.windowMs) * spec.windowMs;
  const count = state !== undefined && state.length > 0 && state[1] === windowStart ? state[0]! : 0;
  const windowEnd = windowStart + spec.windowMs;
  const resetAfterMs = count > 0 ? windowEnd - nowMs : 0;
  if (cost > spec.limit || count + cost > spec.limit) {
    return {
      allowed: false,
      // Never negative, even when the limit was lowered below a count already spent.
      remaining: Math.max(0, spec.limit - count),
      retryAfterMs: cost > spec.limit ? Number.POSITIVE_INFINITY : windowEnd - nowMs,
      resetAfterMs,
      next: [count, windowStart],
      ttlMs: windowEnd - nowMs,
    };
  }
  const spent = count + cost;
  return {
    allowed: true,
    remaining: spec.limit - spent,
    retryAfterMs: 0,
    resetAfterMs: spent > 0 ? windowEnd - nowMs : 0,
    next: [spent, windowStart],
    ttlMs: windowEnd - nowMs,
  };
}

/*
 * Sliding window by two aligned counters (the approximation @upstash/ratelimit and Cloudflare
 * use): the previous window's count weighted by the part of it still inside the sliding window,
 * plus the current count. State: [previousCount, currentCount, currentStart].
 */
function slidingWindow(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): Evaluation {
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
  const resetAfterMs = current > 0 ? windowEnd + windowMs - nowMs : previous > 0 ? windowEnd - nowMs : 0;
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
    };
  }
  return {
    allowed: true,
    remaining: spec.limit - used - cost,
    retryAfterMs: 0,
    resetAfterMs: windowEnd + windowMs - nowMs,
    next: [previous, current + cost, currentStart],
    ttlMs,
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
    if (at < windowEnd) return Math.max(1, at - nowMs);
  }
  // Next window: previous becomes `current`, weighted from 1 down; same solve from windowEnd.
  const nextRoom = spec.limit - cost;
  if (current === 0 || nextRoom >= current) return windowEnd - nowMs;
  const at = Math.ceil(windowEnd + windowMs - (nextRoom * windowMs) / current);
  return Math.max(1, at - nowMs);
}

/** A held lease: `[leaseId, amount, expiresAtMs]`. */
export type HeldLease = readonly [leaseId: string, amount: number, expiresAtMs: number];

/** A lease evaluation: the outcome and the leases to store if the request is spent. */
export interface LeaseEvaluation extends LimitOutcome {
  readonly next: HeldLease[];
  readonly ttlMs: number;
}

/**
 * Evaluates acquiring (or renewing, for a known `leaseId`) `amount` units under `limit` at
 * `nowMs`. Expired leases are dropped first: a crashed holder frees its units when its lease
 * ends. Pure; stores keep the returned `next` when they spend.
 */
export function evaluateLease(
  limit: number,
  leases: readonly HeldLease[],
  leaseId: string,
  amount: number,
  ttlMs: number,
  nowMs: number,
): LeaseEvaluation {
  const live = leases.filter((lease) => lease[2] > nowMs && lease[0] !== leaseId);
  let held = 0;
  let earliest = Number.POSITIVE_INFINITY;
  let latest = nowMs;
  for (const lease of live) {
    held += lease[1];
    earliest = Math.min(earliest, lease[2]);
    latest = Math.max(latest, lease[2]);
  }
  const decision = leaseDecision(limit, held, earliest, latest, amount, ttlMs, nowMs);
  return { ...decision, next: decision.allowed ? [...live, [leaseId, amount, nowMs + ttlMs]] : live };
}

/**
 * The decision on taking `amount` units for `ttlMs` at `nowMs` when the other live leases hold
 * `held` units, the earliest of them expires at `earliest` (Infinity: none) and the latest at
 * `latest` (at least `nowMs`): the outcome of {@link evaluateLease} without its next leases.
 */
export function leaseDecision(
  limit: number,
  held: number,
  earliest: number,
  latest: number,
  amount: number,
  ttlMs: number,
  nowMs: number,
): Omit<LeaseEvaluation, "next"> {
  if (amount > limit || held + amount > limit) {
    return {
      allowed: false,
      remaining: Math.max(0, limit - held),
      retryAfterMs: amount > limit ? Number.POSITIVE_INFINITY : earliest - nowMs,
      resetAfterMs: latest - nowMs,
      ttlMs: latest - nowMs,
    };
  }
  const until = Math.max(latest, nowMs + ttlMs);
  return {
    allowed: true,
    remaining: limit - held - amount,
    retryAfterMs: 0,
    resetAfterMs: until - nowMs,
    ttlMs: until - nowMs,
  };
}

/** The leases left after releasing `leaseId` (and dropping expired ones), and whether it was held. */
export function releaseLease(
  leases: readonly HeldLease[],
  leaseId: string,
  nowMs: number,
): { next: HeldLease[]; released: boolean } {
  const live = leases.filter((lease) => lease[2] > nowMs);
  const next = live.filter((lease) => lease[0] !== leaseId);
  return { next, released: next.length !== live.length };
}
