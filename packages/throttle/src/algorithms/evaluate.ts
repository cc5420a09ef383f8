import {
  type AlgorithmEvaluation,
  capacityOf,
  type LimitOutcome,
  type RateLimitSpec,
  wholeMs,
} from "./common.js";
import { fixedWindow, refundFixedWindow } from "./fixed-window.js";
import { gcra, refundGcra } from "./gcra.js";
import { refundSlidingWindow, slidingWindow } from "./sliding-window.js";

/*
 * The rate-limit algorithms as pure state transitions, and what they share: the dispatch, the
 * block, the refund. Every store applies exactly these: the memory store calls them; a Redis
 * store runs their Lua twins (evaluate.lua and the algorithms' .lua files beside their .ts files),
 * the same operations in the same order, so IEEE doubles give bit-identical decisions (the
 * conformance suite's differential test checks it). State is a short array of numbers, as a Redis
 * value would hold: the algorithm's own numbers, then — while a key is blocked — the time its
 * block ends.
 *
 * Common rules:
 * - `cost` is an integer >= 0 (validated by the caller; 0 is a look at the current allowance);
 *   time is in milliseconds from the store's clock.
 * - A request that does not fit is refused whole and spends nothing: a cost above what remains
 *   never drives a balance negative (the @upstash/ratelimit token-bucket defect, PR #156).
 * - `retryAfterMs`: 0 when allowed; else the wait until this same cost would be allowed, or
 *   Infinity when it never can (cost above the capacity). Every duration reported is rounded up
 *   to a whole ms (`wholeMs`).
 * - `resetAfterMs`: the wait until the key is back to its full allowance (0 when it already is).
 * - `ttlMs`: how long the state must be kept; after it the state is equivalent to no state, so a
 *   store may expire it (Redis PEXPIRE). Windows up to a year and more are plain arithmetic: no
 *   timers, so no 2^31 ms overflow (rate-limiter-flexible #71, #231).
 * - A refusal of a cost that fits the capacity, on a spec with `blockDurationMs`, starts a block:
 *   the key is refused whatever the cost until the block ends (`reason: "blocked"`), and the
 *   refusal's state, with the block's end, is stored although nothing was spent (`startsBlock`).
 *   A block is not extended by the refusals it causes; the first spend after it clears it.
 */

/** An evaluation: the outcome, and the state to store if the request is spent (or a block starts). */
export interface Evaluation extends LimitOutcome {
  /** State after spending `cost` (when allowed); else the unchanged state, with a block's end when one starts or runs. */
  readonly next: number[];
  /** How long `next` must be kept, in ms. */
  readonly ttlMs: number;
  /**
   * True for a refusal that starts a block: a store writes `next` although the request is refused
   * (unless it is a dry run). Within a refused batch, a store writes {@link blockedState} of the
   * key's stored state instead, so that nothing the batch would have spent is kept.
   */
  readonly startsBlock: boolean;
}

/** How many numbers an algorithm's own state holds; a block's end, when set, follows them. */
export function stateLength(spec: RateLimitSpec): number {
  return spec.algorithm === "sliding-window" ? 3 : 2;
}

/** The algorithm's own evaluation, without blocks. */
function evaluateAlgorithm(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): AlgorithmEvaluation {
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
 * Evaluates `cost` units against `spec` at `nowMs`, from `state` (undefined or [] when the key has
 * none). Pure. With `cost` 0 it describes the current allowance: allowed unless the key is blocked.
 */
export function evaluate(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): Evaluation {
  const length = stateLength(spec);
  let own = state;
  let blockedUntilMs = 0;
  if (state !== undefined && state.length > length) {
    blockedUntilMs = state[length]!;
    own = state.slice(0, length);
  }
  if (blockedUntilMs > nowMs) {
    const current = evaluateAlgorithm(spec, own, nowMs, 0);
    const blockLeftMs = wholeMs(blockedUntilMs - nowMs);
    const next = current.next;
    next.push(blockedUntilMs);
    return {
      allowed: false,
      reason: "blocked",
      remaining: 0,
      retryAfterMs: cost > capacityOf(spec) ? Number.POSITIVE_INFINITY : blockLeftMs,
      resetAfterMs: Math.max(current.resetAfterMs, blockLeftMs),
      next,
      ttlMs: Math.max(current.ttlMs, blockedUntilMs - nowMs),
      startsBlock: false,
    };
  }
  const result = evaluateAlgorithm(spec, own, nowMs, cost);
  const blockDurationMs = spec.blockDurationMs ?? 0;
  // No block involved (every allowed request): the algorithm's own evaluation, as it is.
  if (result.allowed || blockDurationMs === 0 || result.retryAfterMs === Number.POSITIVE_INFINITY) {
    return result;
  }
  const next = result.next;
  next.push(nowMs + blockDurationMs);
  return {
    allowed: false,
    remaining: result.remaining,
    retryAfterMs: Math.max(result.retryAfterMs, blockDurationMs),
    resetAfterMs: Math.max(result.resetAfterMs, blockDurationMs),
    next,
    ttlMs: Math.max(result.ttlMs, blockDurationMs),
    startsBlock: true,
  };
}

/**
 * The state a refused batch stores for a rule that starts a block: the key's stored `state` as it
 * stands at `nowMs` (nothing of the batch spent), with the block's end. With its lifetime in ms.
 */
export function blockedState(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
): { next: number[]; ttlMs: number } {
  const length = stateLength(spec);
  const own = state !== undefined && state.length > length ? state.slice(0, length) : state;
  const current = evaluateAlgorithm(spec, own, nowMs, 0);
  const blockDurationMs = spec.blockDurationMs ?? 0;
  const next = current.next;
  next.push(nowMs + blockDurationMs);
  return { next, ttlMs: Math.max(current.ttlMs, blockDurationMs) };
}

/**
 * Undoes `cost` units of an earlier spend (a refund), never beyond the full allowance. A running
 * block stays. Pure.
 */
export function refund(
  spec: RateLimitSpec,
  state: readonly number[] | undefined,
  nowMs: number,
  cost: number,
): number[] {
  if (state === undefined || state.length === 0) return [];
  const length = stateLength(spec);
  let next: number[];
  switch (spec.algorithm) {
    case "gcra":
    case "token-bucket":
      next = refundGcra(spec, state, nowMs, cost);
      break;
    case "fixed-window":
      next = refundFixedWindow(state, cost);
      break;
    case "sliding-window":
      next = refundSlidingWindow(state, cost);
      break;
  }
  if (state.length > length) next.push(state[length]!);
  return next;
}
