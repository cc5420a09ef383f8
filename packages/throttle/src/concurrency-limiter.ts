import { assertId, assertObject, EnisError, invalidField, parseOptions } from "@enis/core";
import { z } from "zod";
import { createMemoryStore } from "./memory-store.js";
import { scopeKey, storeSchema } from "./rate-limiter.js";
import type { ThrottleStore } from "./store.js";

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
  return {
    async acquire(key, callOptions) {
      assertId(key, "key");
      if (typeof callOptions !== "object" || callOptions === null)
        throw invalidField("options", callOptions, "an object { ttlMs, amount?, nowMs? }");
      const { ttlMs, amount = 1, nowMs } = callOptions;
      if (typeof ttlMs !== "number" || !Number.isSafeInteger(ttlMs) || ttlMs < 1)
        throw invalidField("ttlMs", ttlMs, "an integer >= 1");
      if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 1)
        throw invalidField("amount", amount, "an integer >= 1");
      if (nowMs !== undefined && (typeof nowMs !== "number" || !Number.isFinite(nowMs) || nowMs < 0)) {
        throw invalidField("nowMs", nowMs, "a finite number >= 0");
      }
      const leaseId = createLeaseId();
      assertId(leaseId, "createLeaseId()");
      const storeKey = scopeKey(key, prefix);
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
    },
    async release(lease, callOptions = {}) {
      assertObject(callOptions as unknown, "options");
      if (typeof lease !== "object" || lease === null)
        throw invalidField("lease", lease, "a lease from acquire()");
      assertId(lease.key, "lease.key");
      assertId(lease.leaseId, "lease.leaseId");
      return store.release(
        lease.key,
        lease.leaseId,
        callOptions.nowMs === undefined ? {} : { nowMs: callOptions.nowMs },
      );
    },
  };
}
