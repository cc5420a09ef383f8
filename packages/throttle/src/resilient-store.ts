import { type Clock, EnisError, systemTimers, type Timers } from "@enis/core";
import { assertId, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { createMemoryStore, wallClock } from "./memory-store.js";
import {
  type ApplyOptions,
  assertApplyOptions,
  assertKey,
  assertKeys,
  assertRateRules,
  assertRules,
  assertTimeOptions,
  type BatchOutcome,
  type RateRule,
  type StoreRule,
  storeSchema,
  type ThrottleStore,
} from "./store.js";

/*
 * Degraded mode (seed 001: "the kernel uses static quotas when the service is down"). Every call
 * to the shared store races a timer; when the store fails or is slow, the configured policy
 * answers instead and says so in the outcome — never a hang (rate-limiter-flexible #184, #49 hung
 * up to ~30 s). After a failure the store is skipped for `probeIntervalMs` (calls go straight to
 * the policy, without waiting out the timeout each time); the first call after that probes it
 * again, so recovery needs no restart and no new client.
 */

/** What to do while the shared store does not answer. */
export type UnavailablePolicy = "open" | "closed" | "fallback";

/** Options of {@link createResilientStore}. */
export interface ResilientStoreOptions {
  /** The shared store to protect (e.g. `@enis/redis`). */
  store: ThrottleStore;
  /**
   * Longest wait for the store, in ms (integer, 1 to 60,000).
   * @default 50
   */
  timeoutMs?: number;
  /**
   * `"open"`: allow (availability first, Stripe's practice); `"closed"`: refuse (protection first);
   * `"fallback"`: decide on `fallback`, an in-memory store, with the same (static) limits.
   * @default "fallback"
   */
  onUnavailable?: UnavailablePolicy;
  /**
   * The store used by `"fallback"`.
   * @default a new in-memory store
   */
  fallback?: ThrottleStore;
  /**
   * How long to skip a failed store before probing it again, in ms.
   * @default 1000
   */
  probeIntervalMs?: number;
  /**
   * Clock for the probe interval and the fallback's time.
   * @default the wall clock
   */
  clock?: Clock;
  /**
   * Timers for the call timeout.
   * @default the host's `setTimeout` / `clearTimeout`
   */
  timers?: Timers;
  /**
   * Called when the store fails and when it recovers (logs, metrics). What it throws is ignored:
   * a listener's failure must not turn a decision the store made into an outage.
   */
  onStateChange?: (state: "unavailable" | "recovered", error?: unknown) => void;
}

const optionsSchema = z.strictObject({
  store: storeSchema,
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
  onUnavailable: z.enum(["open", "closed", "fallback"]).optional(),
  fallback: storeSchema.optional(),
  probeIntervalMs: z.number().int().min(0).max(3_600_000).optional(),
  clock: z
    .custom<Clock>((value: unknown) => typeof (value as Clock | null)?.nowMs === "function", "a clock")
    .optional(),
  timers: z
    .custom<Timers>(
      (value: unknown) =>
        typeof (value as Timers | null)?.setTimeout === "function" &&
        typeof (value as Timers | null)?.clearTimeout === "function",
      "timers with setTimeout and clearTimeout",
    )
    .optional(),
  onStateChange: z
    .custom<ResilientStoreOptions["onStateChange"]>(
      (value: unknown) => typeof value === "function",
      "a function",
    )
    .optional(),
});

/**
 * Wraps a shared store so that no call waits longer than `timeoutMs`, and a store outage gives
 * the configured policy's decision, marked `degraded`, instead of an error or a hang.
 *
 * @example
 * ```ts
 * const store = createResilientStore({ store: createRedisStore({ client }), timeoutMs: 50, onUnavailable: "fallback" });
 * const limiter = createRateLimiter({ algorithm: "gcra", limit: 100, windowMs: 60_000, store });
 * ```
 */
export function createResilientStore(options: ResilientStoreOptions): ThrottleStore {
  const resolved = parseOptions(optionsSchema, options, "options");
  const primary = resolved.store;
  const timeoutMs = resolved.timeoutMs ?? 50;
  const policy = resolved.onUnavailable ?? "fallback";
  const clock = resolved.clock ?? wallClock;
  const fallback = resolved.fallback ?? createMemoryStore({ clock });
  const probeIntervalMs = resolved.probeIntervalMs ?? 1_000;
  const timers = resolved.timers ?? systemTimers;
  const listener = resolved.onStateChange;
  const onStateChange = (state: "unavailable" | "recovered", error?: unknown): void => {
    try {
      listener?.(state, error);
    } catch {
      // Ignored, as documented: the decision stands whatever a log or metric hook does.
    }
  };
  let skipUntilMs = Number.NEGATIVE_INFINITY;

  const call = async <T>(
    operation: string,
    action: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> => {
    if (clock.nowMs() < skipUntilMs) return { ok: false };
    let timer: unknown;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = timers.setTimeout(
          () =>
            reject(
              new EnisError(
                "STORE_UNAVAILABLE",
                `${primary.name} store: ${operation} took longer than ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      });
      const value = await Promise.race([action(), timeout]);
      if (skipUntilMs !== Number.NEGATIVE_INFINITY) {
        skipUntilMs = Number.NEGATIVE_INFINITY;
        onStateChange("recovered");
      }
      return { ok: true, value };
    } catch (error) {
      // A bad request is the caller's bug, not an outage: it must surface.
      if (EnisError.isInstance(error) && error.code === "INVALID_OPTIONS") throw error;
      if (skipUntilMs === Number.NEGATIVE_INFINITY) onStateChange("unavailable", error);
      skipUntilMs = clock.nowMs() + probeIntervalMs;
      return { ok: false };
    } finally {
      if (timer !== undefined) timers.clearTimeout(timer);
    }
  };

  const degraded = async (rules: readonly StoreRule[], applyOptions: ApplyOptions): Promise<BatchOutcome> => {
    if (policy === "fallback")
      return { ...(await fallback.apply(rules, applyOptions)), degraded: "fallback" };
    const allowed = policy === "open";
    return {
      allowed,
      degraded: policy,
      nowMs: applyOptions.nowMs ?? clock.nowMs(),
      outcomes: rules.map(() => ({
        allowed,
        remaining: 0,
        retryAfterMs: allowed ? 0 : Math.max(1, probeIntervalMs),
        resetAfterMs: 0,
      })),
    };
  };

  // Every call checks its arguments before the store sees them: a bad request is the caller's bug,
  // which must surface as such — not be allowed by "open", nor (thrown by the store as something
  // other than INVALID_OPTIONS) be taken for an outage.
  return {
    name: `resilient(${primary.name})`,
    async apply(rules, applyOptions = {}) {
      assertRules(rules);
      assertApplyOptions(applyOptions);
      const result = await call("apply", () => primary.apply(rules, applyOptions));
      return result.ok ? result.value : degraded(rules, applyOptions);
    },
    async refund(rules: readonly RateRule[], refundOptions = {}) {
      assertRules(rules, "rules", false);
      assertRateRules(rules);
      assertTimeOptions(refundOptions);
      const result = await call("refund", () => primary.refund(rules, refundOptions));
      if (!result.ok && policy === "fallback") await fallback.refund(rules, refundOptions);
    },
    async release(key, leaseId, releaseOptions = {}) {
      assertKey(key, "key");
      assertId(leaseId, "leaseId");
      assertTimeOptions(releaseOptions);
      const result = await call("release", () => primary.release(key, leaseId, releaseOptions));
      // A lease taken on the fallback during an outage is released there, even after recovery.
      const onFallback = policy === "fallback" && (await fallback.release(key, leaseId, releaseOptions));
      return (result.ok && result.value) || onFallback;
    },
    async reset(keys) {
      assertKeys(keys);
      const result = await call("reset", () => primary.reset(keys));
      await fallback.reset(keys);
      if (!result.ok)
        throw new EnisError("STORE_UNAVAILABLE", `${primary.name} store: reset did not complete`, {
          field: "keys",
        });
    },
  };
}
