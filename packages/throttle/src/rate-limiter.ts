import { EnisError } from "@enis/core";
import { assertKnownKeys, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { type Algorithm, algorithmNames, capacityOf, type RateLimitSpec } from "./algorithms/index.js";
import { createMemoryStore } from "./memory-store.js";
import {
  type ApplyOptions,
  assertKey,
  assertTime,
  type BatchOutcome,
  type InProcessRate,
  type InProcessStore,
  inProcessRate,
  maxKeyLength,
  maxWindowMs,
  prefixSchema,
  type RateRule,
  type RuleOutcome,
  scopeKey,
  storeSchema,
  type ThrottleStore,
} from "./store.js";

/** What a limiter decided for one request. */
export interface Decision {
  readonly allowed: boolean;
  /** Units still available after this request (or now, when refused). */
  readonly remaining: number;
  /** The limit per window. */
  readonly limit: number;
  /** 0 when allowed; else whole ms until the same request could be allowed (Infinity if it never can). */
  readonly retryAfterMs: number;
  /** Whole ms until the key is back to its full allowance. */
  readonly resetAfterMs: number;
  /**
   * Why it was refused — `"rate-limited"`; `"cost-exceeds-limit"` when no wait can help;
   * `"blocked"` inside a `blockDurationMs` — or, allowed or not, that the shared store did not
   * answer: `"store-unavailable"` (the open or closed policy decided) or `"degraded"` (decided on
   * the in-memory fallback's static limits).
   */
  readonly reason?: "rate-limited" | "cost-exceeds-limit" | "blocked" | "store-unavailable" | "degraded";
}

/** A key's allowance now, as {@link RateLimiter.peek} reports it: nothing spent, nothing written. */
export interface Allowance {
  /** The limit per window. */
  readonly limit: number;
  /** Units a request could spend now (0 while the key is blocked). */
  readonly remaining: number;
  /** Whole ms until the key is back to its full allowance. */
  readonly resetAfterMs: number;
  /** 0, or while the key is blocked the whole ms until its block ends. */
  readonly retryAfterMs: number;
  /** Set when the shared store did not answer (see {@link Decision.reason}). */
  readonly reason?: "blocked" | "store-unavailable" | "degraded";
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
   * After a refusal (a cost that fits the limit but not what remains), the key stays refused for
   * this many ms, whatever the cost, with `reason: "blocked"` — rate-limiter-flexible's
   * `blockDuration`, in ms. Kept in the store, so every replica sees the block. An integer from 0
   * to ten years.
   * @default 0 (no block)
   */
  blockDurationMs?: number;
  /**
   * Where state lives; share a Redis store (`@enis/redis`) between replicas.
   * @default a new in-memory store
   */
  store?: ThrottleStore;
  /**
   * Namespace of this limiter's keys, so several limiters can share a store: one segment ending
   * in ":" (e.g. `"api:"`). It is placed after the key's partition, its organisation —
   * `acme:payments:alice` is stored as `acme:api:payments:alice` — so the organisation stays first
   * and a Redis Cluster keeps all of an organisation's keys in one slot.
   * @default ""
   */
  prefix?: string;
}

/** Per-call options of {@link RateLimiter.limit}. */
export interface LimitCallOptions {
  /**
   * Units this request spends: an integer >= 1.
   * @default 1
   */
  cost?: number;
  /** Time of the request, for stores that take the caller's clock (tests, replays). */
  nowMs?: number;
  /**
   * Decide only: the decision this call would get, with nothing spent or written.
   * @default false
   */
  dryRun?: boolean;
}

/** Per-call options of {@link RateLimiter.peek}, {@link RateLimiter.refund}. */
export interface TimeCallOptions {
  /** Time of the call, for stores that take the caller's clock. */
  nowMs?: number;
}

/** A rate limiter on keys. */
export interface RateLimiter {
  /** Spends `cost` units of `key` if they fit; otherwise spends nothing. */
  limit(key: string, options?: LimitCallOptions): Promise<Decision>;
  /** The allowance of `key` now: what remains before any spend. Changes nothing. */
  peek(key: string, options?: TimeCallOptions): Promise<Allowance>;
  /**
   * Gives back `cost` units (a request that was not carried out, or a reward), never beyond the
   * full allowance; a running block stays.
   */
  refund(key: string, options?: { cost?: number; nowMs?: number }): Promise<void>;
  /** Forgets `key`: its full allowance is back, and any block is lifted. */
  reset(key: string): Promise<void>;
  /** The resolved limit. */
  readonly spec: Required<RateLimitSpec>;
  readonly store: ThrottleStore;
}

/**
 * A rate limiter over a store that decides in-process (the memory store, the default): the same
 * decisions, also without a promise, for a policy engine's hot path.
 */
export interface InProcessRateLimiter extends RateLimiter {
  /** `limit`, synchronously. */
  limitSync(key: string, options?: LimitCallOptions): Decision;
  /** `peek`, synchronously. */
  peekSync(key: string, options?: TimeCallOptions): Allowance;
  readonly store: InProcessStore;
}

const integer = (min: number, max: number) => z.number().int().min(min).max(max);

const optionsSchema = z.strictObject({
  algorithm: z.enum(algorithmNames),
  limit: integer(1, Number.MAX_SAFE_INTEGER),
  windowMs: integer(1, maxWindowMs),
  burst: integer(1, Number.MAX_SAFE_INTEGER).optional(),
  blockDurationMs: integer(0, maxWindowMs).optional(),
  store: storeSchema.optional(),
  prefix: prefixSchema.optional(),
});

/**
 * Creates a rate limiter: `limit` units per `windowMs` per key, by one of four algorithms, on the
 * in-memory store or any {@link ThrottleStore}. Over the memory store (the default) it also
 * decides synchronously (`limitSync`, `peekSync`).
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ algorithm: "gcra", limit: 100, windowMs: 60_000 });
 * const decision = await limiter.limit("acme:payments:alice", { cost: 2 });
 * if (!decision.allowed) respond(429, { retryAfterMs: decision.retryAfterMs });
 * ```
 */
export function createRateLimiter(
  options: RateLimiterOptions & { store?: InProcessStore | undefined },
): InProcessRateLimiter;
export function createRateLimiter(options: RateLimiterOptions): RateLimiter;
export function createRateLimiter(options: RateLimiterOptions): RateLimiter | InProcessRateLimiter {
  const resolved = parseOptions(optionsSchema, options, "options");
  const isBucket = resolved.algorithm === "gcra" || resolved.algorithm === "token-bucket";
  if (resolved.burst !== undefined && !isBucket) {
    throw invalidField(
      "options.burst",
      resolved.burst,
      `absent: only gcra and token-bucket take a burst, not ${resolved.algorithm}`,
    );
  }
  const spec: Required<RateLimitSpec> = Object.freeze({
    algorithm: resolved.algorithm,
    limit: resolved.limit,
    windowMs: resolved.windowMs,
    burst: resolved.burst ?? resolved.limit,
    blockDurationMs: resolved.blockDurationMs ?? 0,
  });
  const store = resolved.store ?? createMemoryStore();
  const prefix = resolved.prefix ?? "";
  const capacity = capacityOf(spec);
  const longestKey = maxKeyLength - prefix.length;

  /** The store key of a caller's key, checked by the port's rule. */
  const storeKey = (key: unknown): string => {
    assertKey(key, "key");
    if ((key as string).length > longestKey) {
      throw invalidField("key", key, `at most ${longestKey} characters (the store's limit less the prefix)`);
    }
    return scopeKey(key as string, prefix);
  };
  const ruleOf = (key: string, cost: number): RateRule => ({ kind: "rate", key, spec, cost });

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
      reason:
        outcome.reason === "blocked" ? "blocked" : cost > capacity ? "cost-exceeds-limit" : "rate-limited",
    };
  };
  const allowanceOf = (outcome: RuleOutcome, degraded: BatchOutcome["degraded"]): Allowance => {
    const allowance = {
      limit: spec.limit,
      remaining: outcome.remaining,
      resetAfterMs: outcome.resetAfterMs,
      retryAfterMs: outcome.allowed ? 0 : outcome.retryAfterMs,
    };
    if (degraded !== undefined) {
      return { ...allowance, reason: degraded === "fallback" ? "degraded" : "store-unavailable" };
    }
    return outcome.reason === "blocked" ? { ...allowance, reason: "blocked" } : allowance;
  };

  const outcomeOfBatch = (batch: BatchOutcome): RuleOutcome => {
    const outcome = batch.outcomes[0];
    if (outcome === undefined) throw new EnisError("INTERNAL", `store ${store.name} returned no outcome`);
    return outcome;
  };
  const batchOptions = (dryRun: boolean, nowMs: number | undefined): ApplyOptions =>
    nowMs === undefined ? (dryRun ? peekOptions : spendOptions) : { dryRun, nowMs };

  // The memory store's single-rule path (same decisions as applySync, without the batch objects).
  const direct = (store as { [inProcessRate]?: InProcessRate })[inProcessRate];
  const applySync = (store as Partial<InProcessStore>).applySync?.bind(store);

  /**
   * `limit` on an in-process store. The memory store's own path returns the evaluation itself,
   * read here at once: no `[outcome, degraded]` tuple or batch per decision (a limiter's hot path;
   * every object per call showed in the 10k-key benchmark).
   */
  const limitSync = (key: string, callOptions?: LimitCallOptions): Decision => {
    const scoped = storeKey(key);
    let cost = 1;
    let nowMs: number | undefined;
    let dryRun = false;
    // No options (the common call) costs no argument object.
    if (callOptions !== undefined) ({ cost, nowMs, dryRun } = limitArguments(callOptions));
    if (direct !== undefined) return decisionOf(direct(scoped, spec, cost, nowMs, dryRun), cost, undefined);
    const batch = applySync!([ruleOf(scoped, cost)], batchOptions(dryRun, nowMs));
    return decisionOf(outcomeOfBatch(batch), cost, batch.degraded);
  };
  const peekSync = (key: string, callOptions?: TimeCallOptions): Allowance => {
    const scoped = storeKey(key);
    const nowMs = callOptions === undefined ? undefined : timeArguments(callOptions);
    if (direct !== undefined) return allowanceOf(direct(scoped, spec, 0, nowMs, true), undefined);
    const batch = applySync!([ruleOf(scoped, 0)], batchOptions(true, nowMs));
    return allowanceOf(outcomeOfBatch(batch), batch.degraded);
  };

  const limiter: RateLimiter = {
    spec,
    store,
    limit:
      applySync !== undefined
        ? // An in-process store answers now: one resolved promise, not an async chain.
          (key, callOptions) => {
            try {
              return Promise.resolve(limitSync(key, callOptions));
            } catch (error) {
              return Promise.reject(error);
            }
          }
        : async (key, callOptions) => {
            const scoped = storeKey(key);
            const { cost, nowMs, dryRun } = callOptions === undefined ? oneUnit : limitArguments(callOptions);
            const batch = await store.apply([ruleOf(scoped, cost)], batchOptions(dryRun, nowMs));
            return decisionOf(outcomeOfBatch(batch), cost, batch.degraded);
          },
    peek:
      applySync !== undefined
        ? (key, callOptions) => {
            try {
              return Promise.resolve(peekSync(key, callOptions));
            } catch (error) {
              return Promise.reject(error);
            }
          }
        : async (key, callOptions) => {
            const scoped = storeKey(key);
            const nowMs = callOptions === undefined ? undefined : timeArguments(callOptions);
            const batch = await store.apply([ruleOf(scoped, 0)], batchOptions(true, nowMs));
            return allowanceOf(outcomeOfBatch(batch), batch.degraded);
          },
    async refund(key, callOptions) {
      const scoped = storeKey(key);
      const { cost, nowMs } = callOptions === undefined ? oneUnit : refundArguments(callOptions);
      await store.refund([ruleOf(scoped, cost)], nowMs === undefined ? {} : { nowMs });
    },
    async reset(key) {
      await store.reset([storeKey(key)]);
    },
  };
  if (applySync === undefined) return limiter;
  return Object.assign(limiter, { limitSync, peekSync }) as InProcessRateLimiter;
}

const spendOptions: ApplyOptions = Object.freeze({});
const peekOptions: ApplyOptions = Object.freeze({ dryRun: true });
const oneUnit = Object.freeze({ cost: 1, nowMs: undefined, dryRun: false });
const limitOptionNames = "{ cost?, nowMs?, dryRun? }";
const limitOptionKeys: ReadonlySet<string> = new Set(["cost", "nowMs", "dryRun"]);
const refundOptionKeys: ReadonlySet<string> = new Set(["cost", "nowMs"]);
const timeOptionKeys: ReadonlySet<string> = new Set(["nowMs"]);

/** Validates the options of `limit`: an integer cost >= 1, a time, a boolean dryRun. */
function limitArguments(options: LimitCallOptions): {
  cost: number;
  nowMs: number | undefined;
  dryRun: boolean;
} {
  if (typeof options !== "object" || options === null)
    throw invalidField("options", options, `an object ${limitOptionNames}`);
  for (const name in options) {
    if (name !== "cost" && name !== "nowMs" && name !== "dryRun") {
      assertKnownKeys(options as Record<string, unknown>, limitOptionKeys, "options");
    }
  }
  const cost = options.cost ?? 1;
  if (typeof cost !== "number" || !Number.isSafeInteger(cost) || cost < 1) {
    throw invalidField("options.cost", cost, "an integer from 1 to 2^53 - 1");
  }
  const nowMs = options.nowMs;
  if (nowMs !== undefined) assertTime(nowMs, "options.nowMs");
  const dryRun: unknown = options.dryRun;
  if (dryRun !== undefined && typeof dryRun !== "boolean") {
    throw invalidField("options.dryRun", dryRun, "true or false");
  }
  return { cost, nowMs, dryRun: dryRun === true };
}

/** Validates the options of `refund`: an integer cost >= 1 and a time. */
function refundArguments(options: { cost?: number; nowMs?: number }): {
  cost: number;
  nowMs: number | undefined;
} {
  if (typeof options !== "object" || options === null)
    throw invalidField("options", options, "an object { cost?, nowMs? }");
  assertKnownKeys(options as Record<string, unknown>, refundOptionKeys, "options");
  const cost = options.cost ?? 1;
  if (typeof cost !== "number" || !Number.isSafeInteger(cost) || cost < 1) {
    throw invalidField("options.cost", cost, "an integer from 1 to 2^53 - 1");
  }
  const nowMs = options.nowMs;
  if (nowMs !== undefined) assertTime(nowMs, "options.nowMs");
  return { cost, nowMs };
}

/** Validates the options of `peek`: at most a time. */
function timeArguments(options: TimeCallOptions): number | undefined {
  if (typeof options !== "object" || options === null)
    throw invalidField("options", options, "an object { nowMs? }");
  assertKnownKeys(options as Record<string, unknown>, timeOptionKeys, "options");
  if (options.nowMs !== undefined) assertTime(options.nowMs, "options.nowMs");
  return options.nowMs;
}
