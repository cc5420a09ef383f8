/*
 * What every algorithm shares: the names, the spec, the outcome, and the two numeric rules every
 * store applies alike (common.lua is this file's Lua twin, operation by operation).
 */

/** The algorithm names, written once: every schema, check and message takes them from here. */
export const algorithmNames = ["gcra", "token-bucket", "sliding-window", "fixed-window"] as const;

/** Which algorithm a limit uses. */
export type Algorithm = (typeof algorithmNames)[number];

const algorithmSet: ReadonlySet<unknown> = new Set(algorithmNames);

/** True for one of {@link algorithmNames}. */
export function isAlgorithm(value: unknown): value is Algorithm {
  return algorithmSet.has(value);
}

/** A rate limit: `limit` units per `windowMs`, with up to `burst` at once (GCRA, token bucket). */
export interface RateLimitSpec {
  readonly algorithm: Algorithm;
  /** Units allowed per window, integer >= 1. */
  readonly limit: number;
  /** Window length in milliseconds, integer >= 1. */
  readonly windowMs: number;
  /** Most units usable at once (GCRA, token bucket), integer >= 1. Equals `limit` by default. */
  readonly burst: number;
  /**
   * After a refusal (a cost that fits the capacity but not what remains), the key stays refused for
   * this many ms, whatever the cost (rate-limiter-flexible's `blockDuration`). Integer >= 0.
   * @default 0 (no block)
   */
  readonly blockDurationMs?: number | undefined;
}

/** The outcome of one limit for one request. */
export interface LimitOutcome {
  readonly allowed: boolean;
  /** Units still available after this request (or now, when refused), integer >= 0. */
  readonly remaining: number;
  /** 0 when allowed; else whole ms until the same request could be allowed, or Infinity. */
  readonly retryAfterMs: number;
  /** Whole ms until the key is back to its full allowance (0 when it already is). */
  readonly resetAfterMs: number;
  /**
   * Set on a refusal that is not the limit's plain "too few units": `"blocked"` (the key is inside
   * its `blockDurationMs`) or `"lease-held"` (an acquire of a lease id that is already held).
   */
  readonly reason?: "blocked" | "lease-held";
}

/** One algorithm's evaluation: the outcome, and the state to store if the request is spent. */
export interface AlgorithmEvaluation {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly retryAfterMs: number;
  readonly resetAfterMs: number;
  /** State after spending `cost` (when allowed), or the unchanged state normalised to now. */
  readonly next: number[];
  /** How long `next` must be kept, in ms. */
  readonly ttlMs: number;
  /**
   * Always false: an algorithm's own evaluation starts no block (only `evaluate`'s block rule
   * does). Carried so that `evaluate` returns an evaluation that involves no block as it is: a
   * copy of it with this one field added was an object per decision on a limiter's hot path.
   */
  readonly startsBlock: false;
}

/** Units of slack below which a result is snapped to the whole unit it is next to. */
export const unitEpsilon = 1e-9;

/**
 * Snaps `units` to the nearest whole unit when within {@link unitEpsilon} of it, so integer costs
 * never drift through the divisions of a rate.
 */
export function snap(units: number): number {
  const whole = Math.round(units);
  return Math.abs(units - whole) < unitEpsilon ? whole : units;
}

/**
 * A duration as reported: rounded up to a whole millisecond. A server clock reads microseconds and
 * an emission interval can be a third of a ms; every store reports the same whole numbers, and a
 * wait rounded up is still long enough.
 */
export function wholeMs(durationMs: number): number {
  return Math.ceil(durationMs);
}

/** Units a fresh key allows at once: the burst of GCRA and the token bucket, else the limit. */
export function capacityOf(spec: RateLimitSpec): number {
  return spec.algorithm === "gcra" || spec.algorithm === "token-bucket" ? spec.burst : spec.limit;
}
