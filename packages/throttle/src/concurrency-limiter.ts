import { EnisError } from "@enis/core";
import { assertId, assertObject, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { createMemoryStore } from "./memory-store.js";
import { scopeKey, storeSchema } from "./rate-limiter.js";
import { assertTime, type ThrottleStore } from "./store.js";

/** A held lease; pass it back to `release`. */
export interface Lease {
  readonly key: string;
  readonly leaseId: string;
  readonly amount: number;
  /** When the lease frees itself if never released, by the store's clock. */
  readonly expiresAtMs: number;
}

/** Outcome of `acquire`. */
export type AcquireOutcome =
  | { readonly acquired: true; readonly lease: Lease; readonly remaining: number }
  | {
      readonly acquired: false;
      readonly remaining: number;
      /** ms until the earliest held lease expires (Infinity when `amount` exceeds the limit). */
      readonly retryAfterMs: number;
      readonly reason: "concurrency-limited" | "amount-exceeds-limit";
    };

/** Options of {@link createConcurrencyLimiter}. */
export interface ConcurrencyLimiterOptions {
  /** Most units held at once per key: an integer >= 0. */
  limit: number;
  /** @default a new in-memory store */
  store?: ThrottleStore;
  /**
   * Namespace of this limiter's keys: one segment ending in ":", placed after the key's
   * organisation (see `createRateLimiter`).
   * @default ""
   */
  prefix?: string;
  /**
   * Makes lease ids. Must be unique across every replica sharing the store.
   * @default crypto.randomUUID
   */
  createLeaseId?: () => string;
}

/** Concurrency leases on keys. */
export interface ConcurrencyLimiter {
  /** Takes `amount` units of `key` for at most `ttlMs`; a crashed holder's lease frees itself when it expires. */
  acquire(key: string, options: { ttlMs: number; amount?: number; nowMs?: number }): Promise<AcquireOutcome>;
  /**
   * Extends a held lease to `ttlMs` from now (a heartbeat for work that outlives its first ttl),
   * keeping its id and amount. A lease that already expired is taken again under the same id if
   * the units are free, and refused like `acquire` if they are not: either way the limit holds.
   * Resolves to the renewed lease, or to the refusal.
   */
  renew(lease: Lease, options: { ttlMs: number; nowMs?: number }): Promise<AcquireOutcome>;
  /** Gives a lease back early; resolves false when it had already expired. */
  release(lease: Lease, options?: { nowMs?: number }): Promise<boolean>;
}

const optionsSchema = z.strictObject({
  limit: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  store: storeSchema.optional(),
  prefix: z
    .string()
    .max(256)
    .regex(/^(?:[^:]+:)?$/, 'one segment ending in ":", or ""')
    .optional(),
  createLeaseId: z
    .custom<() => string>((value: unknown) => typeof value === "function", "a function")
    .optional(),
});

/**
 * Creates a concurrency limiter: at most `limit` units held at once per key, under leases that
 * expire by themselves.
 *
 * @example
 * ```ts
 * const executions = createConcurrencyLimiter({ limit: 5 });
 * const outcome = await executions.acquire("acme:agents", { ttlMs: 30_000 });
 * if (outcome.acquired) { try { await run(); } finally { await executions.release(outcome.lease); } }
 * ```
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const resolved = parseOptions(optionsSchema, options, "options");
  const store = resolved.store ?? createMemoryStore();
  const prefix = resolved.prefix ?? "";
  const createLeaseId = resolved.createLeaseId ?? (() => globalThis.crypto.randomUUID());
  const limit = resolved.limit;
  /** Takes (or, for an id already held, extends) `amount` units of `storeKey` under `leaseId`. */
  const take = async (
    storeKey: string,
    leaseId: string,
    amount: number,
    ttlMs: number,
    nowMs: number | undefined,
  ): Promise<AcquireOutcome> => {
    const batch = await store.apply(
      [{ kind: "lease", key: storeKey, limit, amount, leaseId, ttlMs }],
      nowMs === undefined ? {} : { nowMs },
    );
    const outcome = batch.outcomes[0];
    if (outcome === undefined) throw new EnisError("INTERNAL", `store ${store.name} returned no outcome`);
    if (batch.allowed) {
      return {
        acquired: true,
        remaining: outcome.remaining,
        lease: { key: storeKey, leaseId, amount, expiresAtMs: batch.nowMs + ttlMs },
      };
    }
    return {
      acquired: false,
      remaining: outcome.remaining,
      retryAfterMs: outcome.retryAfterMs,
      reason: amount > limit ? "amount-exceeds-limit" : "concurrency-limited",
    };
  };

  return {
    async acquire(key, callOptions) {
      assertId(key, "key");
      if (typeof callOptions !== "object" || callOptions === null)
        throw invalidField("options", callOptions, "an object { ttlMs, amount?, nowMs? }");
      const { ttlMs, amount = 1, nowMs } = callOptions;
      assertTtl(ttlMs);
      assertAmount(amount, "amount");
      assertNow(nowMs);
      const leaseId = createLeaseId();
      assertId(leaseId, "createLeaseId()");
      return take(scopeKey(key, prefix), leaseId, amount, ttlMs, nowMs);
    },
    async renew(lease, callOptions) {
      assertLease(lease);
      if (typeof callOptions !== "object" || callOptions === null)
        throw invalidField("options", callOptions, "an object { ttlMs, nowMs? }");
      const { ttlMs, nowMs } = callOptions;
      assertTtl(ttlMs);
      assertNow(nowMs);
      return take(lease.key, lease.leaseId, lease.amount, ttlMs, nowMs);
    },
    async release(lease, callOptions = {}) {
      assertObject(callOptions as unknown, "options");
      assertLease(lease);
      return store.release(
        lease.key,
        lease.leaseId,
        callOptions.nowMs === undefined ? {} : { nowMs: callOptions.nowMs },
      );
    },
  };
}

function assertTtl(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== "number" || !Number.isSafeInteger(ttlMs) || ttlMs < 1)
    throw invalidField("ttlMs", ttlMs, "an integer >= 1");
}

function assertAmount(amount: unknown, field: string): asserts amount is number {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 1)
    throw invalidField(field, amount, "an integer >= 1");
}

function assertNow(nowMs: unknown): asserts nowMs is number | undefined {
  if (nowMs !== undefined) assertTime(nowMs, "nowMs");
}

function assertLease(lease: unknown): asserts lease is Lease {
  if (typeof lease !== "object" || lease === null)
    throw invalidField("lease", lease, "a lease from acquire()");
  const { key, leaseId, amount } = lease as Partial<Lease>;
  assertId(key, "lease.key");
  assertId(leaseId, "lease.leaseId");
  assertAmount(amount, "lease.amount");
}
