import { EnisError } from "@enis/core";
import { assertId, assertKnownKeys, assertObject, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { wholeMs } from "./algorithms/index.js";
import { createMemoryStore } from "./memory-store.js";
import {
  assertKey,
  assertTime,
  type BatchOutcome,
  maxWindowMs,
  prefixSchema,
  scopeKey,
  storeSchema,
  type ThrottleStore,
} from "./store.js";

/** A held lease; pass it back to `renew` and `release`. */
export interface Lease {
  /** The store key the lease is held on (the caller's key in the limiter's prefix). */
  readonly key: string;
  readonly leaseId: string;
  /** Units the lease holds. */
  readonly cost: number;
  /** When the lease frees itself if never released nor renewed, by the store's clock, in whole ms. */
  readonly expiresAtMs: number;
}

/** Outcome of `acquire` and `renew`. */
export type AcquireOutcome =
  | {
      readonly allowed: true;
      readonly lease: Lease;
      /** Units still free after this lease. */
      readonly remaining: number;
      /**
       * Set when the shared store did not answer: `"store-unavailable"` (the open policy allowed:
       * the lease is held nowhere) or `"degraded"` (the lease is held by the in-memory fallback).
       */
      readonly reason?: "store-unavailable" | "degraded";
    }
  | {
      readonly allowed: false;
      /** Units free now. */
      readonly remaining: number;
      /**
       * Whole ms until the earliest held lease expires (a lower bound of the wait), until the id's
       * own lease expires for `"lease-held"`, or Infinity when `cost` exceeds the limit.
       */
      readonly retryAfterMs: number;
      readonly reason:
        | "concurrency-limited"
        | "cost-exceeds-limit"
        | "lease-held"
        | "store-unavailable"
        | "degraded";
    };

/** Options of {@link createConcurrencyLimiter}. */
export interface ConcurrencyLimiterOptions {
  /** Most units held at once per key: an integer >= 0. */
  limit: number;
  /** @default a new in-memory store */
  store?: ThrottleStore;
  /**
   * Namespace of this limiter's keys: one segment ending in ":", placed after the key's
   * partition, its organisation (see `createRateLimiter`).
   * @default ""
   */
  prefix?: string;
  /**
   * Makes lease ids. Must be unique across every replica sharing the store: an acquire of an id
   * already held is refused with `reason: "lease-held"`.
   * @default crypto.randomUUID
   */
  createLeaseId?: () => string;
}

/** Options of {@link ConcurrencyLimiter.acquire}. */
export interface AcquireOptions {
  /** Lifetime of the lease in ms, an integer from 1 to ten years: it frees itself after it. */
  ttlMs: number;
  /**
   * Units the lease holds, an integer >= 1.
   * @default 1
   */
  cost?: number;
  /** Time of the call, for stores that take the caller's clock. */
  nowMs?: number;
  /**
   * Decide only: the outcome this call would get (its lease is not held).
   * @default false
   */
  dryRun?: boolean;
}

/** Concurrency leases on keys. */
export interface ConcurrencyLimiter {
  /**
   * Takes `cost` units of `key` for at most `ttlMs` under a new lease; a crashed holder's lease
   * frees itself when it expires.
   */
  acquire(key: string, options: AcquireOptions): Promise<AcquireOutcome>;
  /**
   * Extends a held lease to `ttlMs` from now (a heartbeat for work that outlives its first ttl),
   * keeping its id and cost: the only way to extend a lease. A lease that already expired is
   * taken again under the same id if the units are free, and refused like `acquire` if they are
   * not: either way the limit holds.
   */
  renew(lease: Lease, options: { ttlMs: number; nowMs?: number }): Promise<AcquireOutcome>;
  /** Gives a lease back early; resolves false when it had already expired (or was held nowhere). */
  release(lease: Lease, options?: { nowMs?: number }): Promise<boolean>;
}

const optionsSchema = z.strictObject({
  limit: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  store: storeSchema.optional(),
  prefix: prefixSchema.optional(),
  createLeaseId: z
    .custom<() => string>((value: unknown) => typeof value === "function", "a function")
    .optional(),
});

const acquireKeys: ReadonlySet<string> = new Set(["ttlMs", "cost", "nowMs", "dryRun"]);
const renewKeys: ReadonlySet<string> = new Set(["ttlMs", "nowMs"]);
const releaseKeys: ReadonlySet<string> = new Set(["nowMs"]);

/**
 * Creates a concurrency limiter: at most `limit` units held at once per key, under leases that
 * expire by themselves.
 *
 * @example
 * ```ts
 * const executions = createConcurrencyLimiter({ limit: 5 });
 * const outcome = await executions.acquire("acme:agents", { ttlMs: 30_000 });
 * if (outcome.allowed) { try { await run(); } finally { await executions.release(outcome.lease); } }
 * ```
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const resolved = parseOptions(optionsSchema, options, "options");
  const store = resolved.store ?? createMemoryStore();
  const prefix = resolved.prefix ?? "";
  const createLeaseId = resolved.createLeaseId ?? (() => globalThis.crypto.randomUUID());
  const limit = resolved.limit;

  /** Takes (`renew` false) or extends (`renew` true) `cost` units of `storeKey` under `leaseId`. */
  const take = async (
    storeKey: string,
    leaseId: string,
    cost: number,
    ttlMs: number,
    nowMs: number | undefined,
    renew: boolean,
    dryRun: boolean,
  ): Promise<AcquireOutcome> => {
    const batch: BatchOutcome = await store.apply(
      [{ kind: "lease", key: storeKey, limit, cost, leaseId, ttlMs, renew }],
      nowMs === undefined ? (dryRun ? { dryRun } : {}) : { nowMs, dryRun },
    );
    const outcome = batch.outcomes[0];
    if (outcome === undefined) throw new EnisError("INTERNAL", `store ${store.name} returned no outcome`);
    const degraded: "store-unavailable" | "degraded" | undefined =
      batch.degraded === undefined
        ? undefined
        : batch.degraded === "fallback"
          ? "degraded"
          : "store-unavailable";
    if (batch.allowed) {
      const lease: Lease = { key: storeKey, leaseId, cost, expiresAtMs: wholeMs(batch.nowMs + ttlMs) };
      return degraded === undefined
        ? { allowed: true, remaining: outcome.remaining, lease }
        : { allowed: true, remaining: outcome.remaining, lease, reason: degraded };
    }
    return {
      allowed: false,
      remaining: outcome.remaining,
      retryAfterMs: outcome.retryAfterMs,
      reason:
        degraded ??
        (outcome.reason === "lease-held"
          ? "lease-held"
          : cost > limit
            ? "cost-exceeds-limit"
            : "concurrency-limited"),
    };
  };

  return {
    async acquire(key, callOptions) {
      assertKey(key, "key");
      assertObject(callOptions as unknown, "options");
      assertKnownKeys(callOptions as unknown as Record<string, unknown>, acquireKeys, "options");
      const { ttlMs, cost = 1, nowMs, dryRun = false } = callOptions;
      assertTtl(ttlMs);
      assertCost(cost, "options.cost");
      if (nowMs !== undefined) assertTime(nowMs, "options.nowMs");
      if (typeof dryRun !== "boolean") throw invalidField("options.dryRun", dryRun, "true or false");
      const leaseId = createLeaseId();
      assertId(leaseId, "options.createLeaseId()");
      return take(scopeKey(key, prefix), leaseId, cost, ttlMs, nowMs, false, dryRun);
    },
    async renew(lease, callOptions) {
      assertLease(lease);
      assertObject(callOptions as unknown, "options");
      assertKnownKeys(callOptions as unknown as Record<string, unknown>, renewKeys, "options");
      const { ttlMs, nowMs } = callOptions;
      assertTtl(ttlMs);
      if (nowMs !== undefined) assertTime(nowMs, "options.nowMs");
      return take(lease.key, lease.leaseId, lease.cost, ttlMs, nowMs, true, false);
    },
    async release(lease, callOptions = {}) {
      assertLease(lease);
      assertObject(callOptions as unknown, "options");
      assertKnownKeys(callOptions as unknown as Record<string, unknown>, releaseKeys, "options");
      return store.release(
        lease.key,
        lease.leaseId,
        callOptions.nowMs === undefined ? {} : { nowMs: callOptions.nowMs },
      );
    },
  };
}

function assertTtl(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== "number" || !Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > maxWindowMs)
    throw invalidField("options.ttlMs", ttlMs, `an integer from 1 to ${maxWindowMs}`);
}

function assertCost(cost: unknown, field: string): asserts cost is number {
  if (typeof cost !== "number" || !Number.isSafeInteger(cost) || cost < 1)
    throw invalidField(field, cost, "an integer >= 1");
}

function assertLease(lease: unknown): asserts lease is Lease {
  if (typeof lease !== "object" || lease === null)
    throw invalidField("lease", lease, "a lease from acquire()");
  const { key, leaseId, cost } = lease as Partial<Lease>;
  assertKey(key, "lease.key");
  assertId(leaseId, "lease.leaseId");
  assertCost(cost, "lease.cost");
}
