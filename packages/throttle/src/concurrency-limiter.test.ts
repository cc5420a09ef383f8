import { createManualClock, EnisError } from "@enis/core";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { createConcurrencyLimiter } from "./concurrency-limiter.js";
import { createRateLimiter } from "./rate-limiter.js";
import { createResilientStore, type UnavailablePolicy } from "./resilient-store.js";
import type { ThrottleStore } from "./store.js";

const epoch = 1_763_000_000_000;

describe("createConcurrencyLimiter", () => {
  it("holds at most the limit, releases, and frees a crashed holder's lease when it expires", async () => {
    let next = 0;
    const executions = createConcurrencyLimiter({ limit: 2, createLeaseId: () => `lease-${next++}` });
    const a = await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch });
    const b = await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch });
    expect([a.allowed, b.allowed]).toEqual([true, true]);
    const c = await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 10 });
    expect(c).toEqual({ allowed: false, remaining: 0, retryAfterMs: 990, reason: "concurrency-limited" });
    if (!a.allowed) throw new Error("unreachable");
    expect(await executions.release(a.lease, { nowMs: epoch + 20 })).toBe(true);
    expect(await executions.release(a.lease, { nowMs: epoch + 20 })).toBe(false);
    expect((await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 30 })).allowed).toBe(true);
    // b's holder never releases; at epoch + 1000 its lease is gone.
    expect((await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 999 })).allowed).toBe(
      false,
    );
    expect((await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 1_000 })).allowed).toBe(
      true,
    );
    expect(await executions.acquire("acme:agents", { ttlMs: 1, cost: 3, nowMs: epoch })).toMatchObject({
      allowed: false,
      reason: "cost-exceeds-limit",
    });
  });

  it("renews a held lease past its first expiry, and takes a lapsed one again only if the units are free", async () => {
    let next = 0;
    const executions = createConcurrencyLimiter({ limit: 3, createLeaseId: () => `lease-${next++}` });
    const first = await executions.acquire("acme:agents", { ttlMs: 1_000, cost: 2, nowMs: epoch });
    if (!first.allowed) throw new Error("unreachable");
    // A heartbeat at 900 ms keeps the two units until 900 + 1000.
    const renewed = await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 900 });
    expect(renewed).toEqual({
      allowed: true,
      remaining: 1,
      lease: { key: "acme:agents", leaseId: "lease-0", cost: 2, expiresAtMs: epoch + 1_900 },
    });
    // Renewing is not taking twice: the lease still holds 2 of 3 units.
    expect(
      await executions.acquire("acme:agents", { ttlMs: 1_000, cost: 2, nowMs: epoch + 1_500 }),
    ).toMatchObject({ allowed: false, remaining: 1, retryAfterMs: 400 });
    expect((await executions.acquire("acme:agents", { ttlMs: 100, nowMs: epoch + 1_899 })).allowed).toBe(
      true,
    );
    // Lapsed at 1900 without a heartbeat; a newcomer takes 2 units; the late renewal must not fit.
    expect(
      (await executions.acquire("acme:agents", { ttlMs: 1_000, cost: 2, nowMs: epoch + 2_000 })).allowed,
    ).toBe(true);
    expect(await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 2_001 })).toMatchObject({
      allowed: false,
      reason: "concurrency-limited",
    });
    // Once those units are free again, the same lease id is taken again.
    expect(await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 3_000 })).toMatchObject({
      allowed: true,
      lease: { leaseId: "lease-0", cost: 2, expiresAtMs: epoch + 4_000 },
    });
    for (const [lease, call, field] of [
      [first.lease, { ttlMs: 0 }, "options.ttlMs"],
      [first.lease, undefined, "options"],
      [{ ...first.lease, cost: 0 }, { ttlMs: 10 }, "lease.cost"],
      [{ ...first.lease, leaseId: "" }, { ttlMs: 10 }, "lease.leaseId"],
      [null, { ttlMs: 10 }, "lease"],
    ] as const) {
      const error = await executions.renew(lease as never, call as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(EnisError.isInstance(error) && error.field).toBe(field);
    }
  });

  it("rejects times no clock can give (a unit mistake), on limiters and leases", async () => {
    const limiter = createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: 1_000 });
    expect(catchEnisError(() => limiter.limitSync("acme", { nowMs: 1e20 })).field).toBe("options.nowMs");
    const executions = createConcurrencyLimiter({ limit: 1 });
    const error = await executions.acquire("acme", { ttlMs: 10, nowMs: 1e300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(EnisError.isInstance(error) && error.field).toBe("options.nowMs");
    expect(limiter.limitSync("acme", { nowMs: 8.64e15 }).allowed).toBe(true);
  });

  it("rejects bad arguments", async () => {
    const executions = createConcurrencyLimiter({ limit: 1 });
    for (const [call, field] of [
      [{ ttlMs: 0 }, "options.ttlMs"],
      [{ ttlMs: 1.5 }, "options.ttlMs"],
      [{ ttlMs: 10, cost: 0 }, "options.cost"],
      [{ ttlMs: 10, nowMs: Number.NaN }, "options.nowMs"],
      [{ ttlMs: 10, amount: 2 }, "options.amount"],
      [{ ttlMs: 10, dryRun: 1 }, "options.dryRun"],
    ] as const) {
      const error = await executions.acquire("k", call as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(EnisError.isInstance(error) && error.field).toBe(field);
    }
    expect(catchEnisError(() => createConcurrencyLimiter({ limit: -1 })).field).toBe("options.limit");
  });
});

describe("createConcurrencyLimiter: one holder per lease id, and honest outcomes behind a degraded store", () => {
  it("refuses an acquire of a lease id that is already held (lease-held); renew is the only way to extend", async () => {
    const executions = createConcurrencyLimiter({ limit: 5, createLeaseId: () => "always-the-same" });
    const first = await executions.acquire("acme:jobs", { ttlMs: 1_000, cost: 2, nowMs: epoch });
    expect(first.allowed).toBe(true);
    // A second holder with the same id would share the lease: refused, nothing changes.
    expect(await executions.acquire("acme:jobs", { ttlMs: 5_000, nowMs: epoch + 100 })).toEqual({
      allowed: false,
      remaining: 3,
      retryAfterMs: 900,
      reason: "lease-held",
    });
    if (!first.allowed) throw new Error("unreachable");
    expect((await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 500 })).allowed).toBe(true);
    expect((await executions.acquire("acme:jobs", { ttlMs: 10, nowMs: epoch + 1_499 })).allowed).toBe(false);
    expect((await executions.acquire("acme:jobs", { ttlMs: 10, nowMs: epoch + 1_500 })).allowed).toBe(true);
  });

  it("reports a dry run's outcome without holding the lease", async () => {
    const executions = createConcurrencyLimiter({ limit: 1 });
    const dry = await executions.acquire("acme:jobs", { ttlMs: 1_000, nowMs: epoch, dryRun: true });
    expect(dry).toMatchObject({ allowed: true, remaining: 0 });
    expect((await executions.acquire("acme:jobs", { ttlMs: 1_000, nowMs: epoch })).allowed).toBe(true);
  });

  /** A store that never answers (a partitioned Redis). */
  const silent: ThrottleStore = {
    name: "silent",
    apply: () => new Promise(() => {}),
    refund: () => new Promise(() => {}),
    release: () => new Promise(() => {}),
    reset: () => new Promise(() => {}),
  };

  it.each([
    ["open", { allowed: true, reason: "store-unavailable" }],
    ["closed", { allowed: false, reason: "store-unavailable" }],
    ["fallback", { allowed: true, reason: "degraded" }],
  ] as const)(
    "says who decided when the store does not answer (%s)",
    async (policy: UnavailablePolicy, expected) => {
      const clock = createManualClock(epoch);
      const store = createResilientStore({
        store: silent,
        onUnavailable: policy,
        timeoutMs: 50,
        clock,
        timers: clock,
      });
      const executions = createConcurrencyLimiter({ limit: 1, store });
      const pending = executions.acquire("acme:jobs", { ttlMs: 1_000 });
      // The store's timeout fires on the manual clock: no real millisecond is waited.
      await Promise.resolve();
      clock.advance(50);
      const outcome = await pending;
      expect(outcome).toMatchObject(expected);
      if (policy === "fallback" && outcome.allowed) {
        // The fallback holds the lease with the static limit: a second one is refused, as degraded.
        expect(await executions.acquire("acme:jobs", { ttlMs: 1_000 })).toMatchObject({
          allowed: false,
          reason: "degraded",
        });
        expect(await executions.release(outcome.lease)).toBe(true);
      }
      if (policy === "open" && outcome.allowed) {
        // The lease is held nowhere: releasing it says so.
        expect(await executions.release(outcome.lease)).toBe(false);
      }
    },
  );
});
