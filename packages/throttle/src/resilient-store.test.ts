import { createManualClock, EnisError, type ManualClock } from "@enis/core";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { createMemoryStore } from "./memory-store.js";
import { createQuotaManager } from "./quota/manager.js";
import { createRateLimiter } from "./rate-limiter.js";
import { createResilientStore } from "./resilient-store.js";
import type { ThrottleStore } from "./store.js";

/** A store that can be switched between working, hanging for ever, and failing at once. */
function flakyStore() {
  const inner = createMemoryStore();
  let mode: "up" | "hang" | "fail" = "up";
  const gate = <T>(action: () => Promise<T>): Promise<T> => {
    if (mode === "hang") return new Promise<T>(() => {});
    if (mode === "fail") return Promise.reject(new Error("ECONNREFUSED"));
    return action();
  };
  const store: ThrottleStore = {
    name: "flaky",
    apply: (rules, options) => gate(() => inner.apply(rules, options)),
    refund: (rules, options) => gate(() => inner.refund(rules, options)),
    release: (key, id, options) => gate(() => inner.release(key, id, options)),
    reset: (keys) => gate(() => inner.reset(keys)),
  };
  return { store, set: (next: typeof mode) => (mode = next) };
}

const epoch = 1_763_000_000_000;

/**
 * A call's answer when the store hangs: the resilient store's timer is set as the call starts, and
 * fires on the manual clock; no test waits real milliseconds.
 */
function settle<T>(clock: ManualClock, call: Promise<T>, timeoutMs = 20): Promise<T> {
  clock.advance(timeoutMs);
  return call;
}

describe("createResilientStore (degraded mode)", () => {
  it.each(["hang", "fail"] as const)(
    "open: allows while the store is down (%s), and says so",
    async (outage) => {
      const flaky = flakyStore();
      const clock = createManualClock(0);
      const limiter = createRateLimiter({
        algorithm: "fixed-window",
        limit: 1,
        windowMs: 60_000,
        store: createResilientStore({
          store: flaky.store,
          timeoutMs: 20,
          onUnavailable: "open",
          clock,
          timers: clock,
        }),
      });
      flaky.set(outage);
      for (let i = 0; i < 3; i++) {
        expect(await settle(clock, limiter.limit("acme:x", { nowMs: epoch }))).toMatchObject({
          allowed: true,
          reason: "store-unavailable",
        });
      }
    },
  );

  it("open: a quota check invents no soft-limit warnings while the store is down", async () => {
    const flaky = flakyStore();
    const quotas = createQuotaManager({
      dimensions: { calls: { kind: "rate", windowMs: 60_000 } },
      limits: { org: { calls: { hard: 1_000, soft: 800 } } },
      store: createResilientStore({ store: flaky.store, timeoutMs: 20, onUnavailable: "open" }),
    });
    flaky.set("fail");
    expect(await quotas.check({ org: "acme" }, { calls: 1 }, { nowMs: epoch })).toMatchObject({
      allowed: true,
      reason: "store-unavailable",
      warnings: [],
    });
  });

  it("closed: refuses while the store is down", async () => {
    const flaky = flakyStore();
    const clock = createManualClock(0);
    const limiter = createRateLimiter({
      algorithm: "gcra",
      limit: 100,
      windowMs: 1_000,
      store: createResilientStore({
        store: flaky.store,
        timeoutMs: 20,
        onUnavailable: "closed",
        clock,
        timers: clock,
      }),
    });
    flaky.set("hang");
    const pending = limiter.limit("acme:x", { nowMs: epoch });
    expect(clock.pendingTimers).toBe(1);
    expect(await settle(clock, pending)).toMatchObject({
      allowed: false,
      reason: "store-unavailable",
    });
  });

  it("fallback: applies the same static limits in memory, then recovers by itself", async () => {
    const clock = createManualClock(0);
    const flaky = flakyStore();
    const changes: string[] = [];
    const limiter = createRateLimiter({
      algorithm: "fixed-window",
      limit: 2,
      windowMs: 60_000,
      store: createResilientStore({
        store: flaky.store,
        timeoutMs: 20,
        onUnavailable: "fallback",
        probeIntervalMs: 1_000,
        clock,
        timers: clock,
        onStateChange: (state) => changes.push(state),
      }),
    });
    expect(await limiter.limit("acme:x", { nowMs: epoch })).toMatchObject({ allowed: true, remaining: 1 });
    // An answer clears its timer.
    expect(clock.pendingTimers).toBe(0);
    flaky.set("hang");
    expect(await settle(clock, limiter.limit("acme:x", { nowMs: epoch }))).toMatchObject({
      allowed: true,
      reason: "degraded",
    });
    expect(await limiter.limit("acme:x", { nowMs: epoch })).toMatchObject({
      allowed: true,
      reason: "degraded",
    });
    expect(await limiter.limit("acme:x", { nowMs: epoch })).toMatchObject({
      allowed: false,
      reason: "degraded",
    });
    flaky.set("up");
    // Still inside the probe interval: the store is not asked yet.
    expect((await limiter.limit("acme:x", { nowMs: epoch })).reason).toBe("degraded");
    clock.advance(1_000);
    const recovered = await limiter.limit("acme:y", { nowMs: epoch });
    expect(recovered).toEqual({
      allowed: true,
      remaining: 1,
      limit: 2,
      retryAfterMs: 0,
      resetAfterMs: 60_000 - (epoch % 60_000),
    });
    expect(changes).toEqual(["unavailable", "recovered"]);
  });

  it("surfaces the caller's own mistakes instead of hiding them as an outage", async () => {
    const store = createResilientStore({
      store: {
        name: "strict",
        apply: () =>
          Promise.reject(new EnisError("INVALID_OPTIONS", "batch spans organisations", { field: "rules" })),
        refund: async () => {},
        release: async () => false,
        reset: async () => {},
      },
    });
    const error = await store.apply([], {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(EnisError.isInstance(error) && error.field).toBe("rules");
  });

  it("ignores what onStateChange throws: the decision stands, the store is not marked down", async () => {
    const flaky = flakyStore();
    const events: string[] = [];
    const clock = createManualClock(epoch);
    const store = createResilientStore({
      store: flaky.store,
      timeoutMs: 20,
      probeIntervalMs: 10,
      clock,
      onStateChange: (state) => {
        events.push(state);
        throw new Error(`logger broke on ${state}`);
      },
    });
    const limiter = createRateLimiter({ algorithm: "fixed-window", limit: 1, windowMs: 60_000, store });
    flaky.set("fail");
    expect(await limiter.limit("acme:x", { nowMs: epoch })).toMatchObject({
      allowed: true,
      reason: "degraded",
    });
    clock.advance(20);
    flaky.set("up");
    // The primary spends on recovery; the listener's throw must not turn that into an outage.
    const recovered = await limiter.limit("acme:x", { nowMs: epoch });
    expect([recovered.allowed, recovered.remaining, recovered.reason]).toEqual([true, 0, undefined]);
    expect(events).toEqual(["unavailable", "recovered"]);
  });

  it("releases a lease taken on the fallback during an outage, after recovery", async () => {
    const flaky = flakyStore();
    const clock = createManualClock(epoch);
    const store = createResilientStore({ store: flaky.store, timeoutMs: 20, probeIntervalMs: 10, clock });
    const lease = {
      kind: "lease" as const,
      key: "acme:jobs",
      limit: 1,
      cost: 1,
      leaseId: "job-1",
      ttlMs: 60_000,
    };
    flaky.set("fail");
    expect(await store.apply([lease], { nowMs: epoch })).toMatchObject({
      allowed: true,
      degraded: "fallback",
    });
    clock.advance(20);
    flaky.set("up");
    expect(await store.release("acme:jobs", "job-1", { nowMs: epoch + 30 })).toBe(true);
    // The fallback's unit is free again for the next outage.
    clock.advance(20);
    flaky.set("fail");
    expect(await store.apply([{ ...lease, leaseId: "job-2" }], { nowMs: epoch + 60 })).toMatchObject({
      allowed: true,
      degraded: "fallback",
    });
  });

  it("rejects bad requests before any policy answers, and they do not count as an outage", async () => {
    const flaky = flakyStore();
    const events: string[] = [];
    const store = createResilientStore({
      store: flaky.store,
      timeoutMs: 20,
      onUnavailable: "open",
      onStateChange: (state) => events.push(state),
    });
    const fieldOf = (promise: Promise<unknown>) =>
      promise.then(
        () => "none",
        (error: unknown) => (EnisError.isInstance(error) ? error.field : "not an EnisError"),
      );
    const spec = { algorithm: "gcra" as const, limit: 1, windowMs: 1_000, burst: 1 };
    expect(await fieldOf(store.reset(undefined as never))).toBe("keys");
    expect(await fieldOf(store.apply("x" as never))).toBe("rules");
    flaky.set("fail");
    expect(await fieldOf(store.apply([{ kind: "rate", key: "", spec, cost: 1 }]))).toBe("rules[0].key");
    expect(await fieldOf(store.apply([{ kind: "rate", key: "k", spec, cost: Number.NaN }]))).toBe(
      "rules[0].cost",
    );
    expect(await fieldOf(store.release("k", "", {}))).toBe("leaseId");
    expect(events).toEqual([]);
  });

  it("validates its options", () => {
    expect(catchEnisError(() => createResilientStore({ store: {} as never })).field).toBe("options.store");
    expect(
      catchEnisError(() => createResilientStore({ store: createMemoryStore(), timers: {} as never })).field,
    ).toBe("options.timers");
    expect(
      catchEnisError(() => createResilientStore({ store: createMemoryStore(), timeoutMs: 0 })).field,
    ).toBe("options.timeoutMs");
    expect(
      catchEnisError(() =>
        createResilientStore({ store: createMemoryStore(), onUnavailable: "maybe" as never }),
      ).field,
    ).toBe("options.onUnavailable");
  });
});
