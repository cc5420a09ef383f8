import { EnisError } from "@enis/core";
import { assertId, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import type { Algorithm, RateLimitSpec } from "./algorithms.js";
import { createMemoryStore } from "./memory-store.js";
import {
  type ApplyOptions,
  assertTime,
  type BatchOutcome,
  type InProcessRate,
  inProcessRate,
  type RateRule,
  type RuleOutcome,
  type ThrottleStore,
} from "./store.js";

/** Ten years: longer windows are almost certainly a unit mistake (seconds for milliseconds). */
export const maxWindowMs = 315_360_000_000;

/** What a limiter decided for one request. */
export interface Decision {
  readonly allowed: boolean;
  /** Units still available after this request (or now, when refused). */
  readonly remaining: number;
  /** The limit per window. */
  readonly limit: number;
  /** 0 when allowed; else ms until the same request would be allowed (Infinity if it never can). */
  readonly retryAfterMs: number;
  /** ms until the key is back to its full allowance. */
  readonly resetAfterMs: number;
  /**
   * Why it was refused — `"rate-limited"`, or `"cost-exceeds-limit"` when no wait can help — or,
   * allowed or not, that the shared store did not answer: `"store-unavailable"` (the open or
   * closed policy decided) or `"degraded"` (decided on the in-memory fallback's static limits).
   */
  readonly reason?: "rate-limited" | "cost-exceeds-limit" | "store-unavailable" | "degraded";
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** `"gcra"` and `"token-bucket"` (one mechanism: smooth, with bursts), `"sliding-window"`, `"fixed-window"`. */
  algorithm: Algorithm;
  /** Units allowed per window: an integer >= 1. */
  limit: number;
  /** Window length in milliseconds: an integer from 1 to 315,360,000,000 (ten years). */
  windowMs: number;
  /**
   * Most units usable at once (GCRA and token bucket only): an integer >= 1.
   * @default limit
   */
  burst?: number;
  /**
   * Where state lives; share a Redis store (`@enis/redis`) between replicas.
   * @default a new in-memory store
   */
  store?: ThrottleStore;
  /**
   * Namespace of this limiter's keys, so several limiters can share a store: one segment ending
   * in ":" (e.g. `"api:"`). It is placed after the key's first segment, its organisation —
   * `acme:payments:alice` is stored as `acme:api:payments:alice` — so the organisation stays first
   * and a Redis Cluster keeps all of an organisation's keys in one slot.
   * @default ""
   */
  prefix?: string;
}

/** Per-call options of a limiter. */
export interface LimitCallOptions {
  /**
   * Units this request spends: an integer >= 1.
   * @default 1
   */
  cost?: number;
  /** Time of the request, for stores that take the caller's clock (tests, replays). */
  nowMs?: number;
}

/** A rate limiter on keys. */
export interface RateLimiter {
  /** Spends `cost` units of `key` if they fit; otherwise spends nothing. */
  limit(key: string, options?: LimitCallOptions): Promise<Decision>;
  /** The decision `limit` would make, without spending. */
  peek(key: string, options?: LimitCallOptions): Promise<Decision>;
  /**
   * `limit`, synchronously, for a store that decides in-process (`applySync`: the memory store):
   * no promise, for a policy engine's hot path. With another store it throws `INVALID_OPTIONS`.
   */
  limitSync(key: string, options?: LimitCallOptions): Decision;
  /** `peek`, synchronously (as {@link RateLimiter.limitSync}). */
  peekSync(key: string, options?: LimitCallOptions): Decision;
  /** Gives back `cost` units (a request that was not carried out), never beyond the full allowance. */
  refund(key: string, options?: LimitCallOptions): Promise<void>;
  /** Forgets `key`: its full allowance is back. */
  reset(key: string): Promise<void>;
  /** The resolved limit. */
  readonly spec: RateLimitSpec;
  readonly store: ThrottleStore;
}

/** Zod schema of a store option: any object implementing the port. */
export const storeSchema = z.custom<ThrottleStore>((value: unknown) => isStore(value), "a ThrottleStore");

const integer = (min: number, max: number) => z.number().int().min(min).max(max);

const optionsSchema = z.strictObject({
  algorithm: z.enum(["gcra", "token-bucket", "sliding-window", "fixed-window"]),
  limit: integer(1, Number.MAX_SAFE_INTEGER),
  windowMs: integer(1, maxWindowMs),
  burst: integer(1, Number.MAX_SAFE_INTEGER).optional(),
  store: storeSchema.optional(),
  prefix: z
    .string()
    .max(256)
    .regex(/^(?:[^:]+:)?$/, 'one segment ending in ":", or ""')
    .optional(),
});

/**
 * The store key of `key` in the namespace `prefix` (one segment ending in ":"): the prefix goes
 * after the key's first segment, so every key of an organisation starts with that organisation
 * (`acme:payments:alice` → `acme:api:payments:alice`). A key of one segment gets the prefix
 * without its ":" (`acme` → `acme:api`): distinct keys stay distinct (`acme:` → `acme:api:`).
 */
export function scopeKey(key: string, prefix: string): string {
  if (prefix === "") return key;
  const end = key.indexOf(":");
  return end < 0 ? `${key}:${prefix.slice(0, -1)}` : `${key.slice(0, end)}:${prefix}${key.slice(end + 1)}`;
}

/** True for an object with the four methods of the store port. */
export function isStore(value: unknown): value is ThrottleStore {
  if (typeof value !== "object" || value === null) return false;
  const store = value as Record<string, unknown>;
  return ["apply", "refund", "release", "reset"].every((method) => typeof store[method] === "function");
}

/**
 * Creates a rate limiter: `limit` units per `windowMs` per key, by one of four algorithms, on the
 * in-memory store or any {@link ThrottleStore}.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ algorithm: "gcra", limit: 100, windowMs: 60_000 });
 * const decision = await limiter.limit("acme:payments:alice", { cost: 2 });
 * if (!decision.allowed) respond(429, { retryAfterMs: decision.retryAfterMs });
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const resolved = parseOptions(optionsSchema, options, "options");
  const isBucket = resolved.algorithm === "gcra" || resolved.algorithm === "token-bucket";
  if (resolved.burst !== undefined && !isBucket) {
    throw invalidField(
      "options.burst",
      resolved.burst,
      `absent: only gcra and token-bucket take a burst, not ${resolved.algorithm}`,
    );
  }
  const spec: RateLimitSpec = Object.freeze({
    algorithm: resolved.algorithm,
    limit: resolved.limit,
    windowMs: resolved.windowMs,
    burst: resolved.burst ?? resolved.limit,
  });
  const store = resolved.store ?? createMemoryStore();
  const prefix = resolved.prefix ?? "";
  const capacity = isBucket ? spec.burst : spec.limit;

  const ruleOf = (key: string, cost: number): RateRule => ({
    kind: "rate",
    key: scopeKey(key, prefix),
    spec,
    cost,
  });
  const decisionOf = (outcome: RuleOutcome, cost: number, degraded: BatchOutcome["degraded"]): Decision => {
    if (degraded !== undefined) {
      return {
        allowed: outcome.allowed,
        remaining: outcome.remaining,
        limit: spec.limit,
        retryAfterMs: outcome.retryAfterMs,
        resetAfterMs: outcome.resetAfterMs,
        reason: degraded === "fallback" ? "degraded" : "store-unavailable",
      };
    }
    if (outcome.allowed) {
      return {
        allowed: true,
        remaining: outcome.remaining,
        limit: spec.limit,
        retryAfterMs: 0,
        resetAfterMs: outcome.resetAfterMs,
      };
    }
    return {
      allowed: false,
      remaining: outcome.remaining,
      limit: spec.limit,
      retryAfterMs: outcome.retryAfterMs,
      resetAfterMs: outcome.resetAfterMs,
      reason: cost > capacity ? "cost-exceeds-limit" : "rate-limited",
    };
  };

  // The memory store's single-rule path (same decisions as applySync, without the batch objects).
  const direct = (store as { [inProcessRate]?: InProcessRate })[inProcessRate];
  const decisionOfBatch = (batch: BatchOutcome, cost: number): Decision => {
    const outcome = batch.outcomes[0];
    if (outcome === undefined) throw new EnisError("INTERNAL", `store ${store.name} returned no outcome`);
    return decisionOf(outcome, cost, batch.degraded);
  };
  const batchOptions = (dryRun: boolean, nowMs: number | undefined): ApplyOptions =>
    nowMs === undefined ? (dryRun ? peekOptions : spendOptions) : { dryRun, nowMs };

  const runSync = (key: string, callOptions: LimitCallOptions | undefined, dryRun: boolean): Decision => {
    if (store.applySync === undefined) {
      throw invalidField(
        "store",
        store.name,
        "a store that decides in-process (with applySync, as createMemoryStore()) for limitSync / peekSync; use limit / peek",
      );
    }
    // No options (the common call) costs no argument object.
    const { cost, nowMs } =
      callOptions === undefined ? defaultArguments(key) : callArguments(key, callOptions);
    if (direct !== undefined) {
      return decisionOf(direct(scopeKey(key, prefix), spec, cost, nowMs, dryRun), cost, undefined);
    }
    return decisionOfBatch(store.applySync([ruleOf(key, cost)], batchOptions(dryRun, nowMs)), cost);
  };

  const run = (
    key: string,
    callOptions: LimitCallOptions | undefined,
    dryRun: boolean,
  ): Promise<Decision> => {
    if (store.applySync !== undefined) {
      // An in-process store answers now: one resolved promise, not an async chain.
      try {
        return Promise.resolve(runSync(key, callOptions, dryRun));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return runAsync(key, callOptions, dryRun);
  };

  const runAsync = async (
    key: string,
    callOptions: LimitCallOptions | undefined,
    dryRun: boolean,
  ): Promise<Decision> => {
    const { cost, nowMs } = callArguments(key, callOptions);
    return decisionOfBatch(await store.apply([ruleOf(key, cost)], batchOptions(dryRun, nowMs)), cost);
  };

  return {
    spec,
    store,
    limit: (key, callOptions) => run(key, callOptions, false),
    peek: (key, callOptions) => run(key, callOptions, true),
    limitSync: (key, callOptions) => runSync(key, callOptions, false),
    peekSync: (key, callOptions) => runSync(key, callOptions, true),
    async refund(key, callOptions) {
      const { cost, nowMs } = callArguments(key, callOptions);
      await store.refund([ruleOf(key, cost)], nowMs === undefined ? {} : { nowMs });
    },
    async reset(key) {
      assertKey(key);
      await store.reset([scopeKey(key, prefix)]);
    },
  };
}

const spendOptions: ApplyOptions = Object.freeze({});
const peekOptions: ApplyOptions = Object.freeze({ dryRun: true });
const oneUnit = Object.freeze({ cost: 1, nowMs: undefined });

/** The arguments of a call without options: the key checked, cost 1, the store's clock. */
function defaultArguments(key: unknown): { cost: number; nowMs: number | undefined } {
  assertKey(key);
  return oneUnit;
}

function assertKey(key: unknown): asserts key is string {
  assertId(key, "key");
  if ((key as string).length > 1024) throw invalidField("key", key, "at most 1024 characters");
}

/** Validates the per-call arguments every limiter method takes. */
export function callArguments(
  key: unknown,
  options: LimitCallOptions | undefined,
): { cost: number; nowMs: number | undefined } {
  assertKey(key);
  if (options === undefined) return { cost: 1, nowMs: undefined };
  if (typeof options !== "object" || options === null)
    throw invalidField("options", options, "an object { cost?, nowMs? }");
  for (const name of Object.keys(options)) {
    if (name !== "cost" && name !== "nowMs")
      throw invalidField(
        `options.${name}`,
        (options as Record<string, unknown>)[name],
        "absent (not a known option)",
      );
  }
  const cost = options.cost ?? 1;
  if (typeof cost !== "number" || !Number.isSafeInteger(cost) || cost < 1) {
    throw invalidField("cost", cost, "an integer from 1 to 2^53 - 1");
  }
  const nowMs = options.nowMs;
  if (nowMs !== undefined) assertTime(nowMs, "nowMs");
  return { cost, nowMs };
}
