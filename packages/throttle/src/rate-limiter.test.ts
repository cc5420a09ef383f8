import { EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { createConcurrencyLimiter } from "./concurrency-limiter.js";
import { createMemoryStore } from "./memory-store.js";
import { createQuotaManager } from "./quota-manager.js";
import { createRateLimiter, scopeKey } from "./rate-limiter.js";
import { createResilientStore } from "./resilient-store.js";
import type { ThrottleStore } from "./store.js";

const epoch = 1_763_000_000_000;

describe("createRateLimiter", () => {
  it.each(["gcra", "token-bucket", "sliding-window", "fixed-window"] as const)(
    "%s: allows the limit, refuses the next with a retry time, and takes costs above 1",
    async (algorithm) => {
      const limiter = createRateLimiter({ algorithm, limit: 10, windowMs: 60_000 });
      const first = await limiter.limit("acme:api", { cost: 4, nowMs: epoch });
      expect(first).toMatchObject({ allowed: true, remaining: 6, limit: 10, retryAfterMs: 0 });
      expect((await limiter.limit("acme:api", { cost: 6, nowMs: epoch })).remaining).toBe(0);
      const refused = await limiter.limit("acme:api", { nowMs: epoch });
      expect(refused.allowed).toBe(false);
      expect(refused.reason).toBe("rate-limited");
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(120_000);
      const later = await limiter.limit("acme:api", { nowMs: epoch + refused.retryAfterMs });
      expect(later.allowed).toBe(true);
      expect((await limiter.limit("other:api", { nowMs: epoch })).remaining).toBe(9);
    },
  );

  it("refuses a cost larger than what remains without spending anything", async () => {
    const limiter = createRateLimiter({ algorithm: "token-bucket", limit: 5, windowMs: 1_000 });
    await limiter.limit("k", { cost: 3, nowMs: epoch });
    const refused = await limiter.limit("k", { cost: 3, nowMs: epoch });
    expect(refused).toMatchObject({ allowed: false, remaining: 2 });
    expect((await limiter.peek("k", { cost: 2, nowMs: epoch })).allowed).toBe(true);
    expect(await limiter.limit("k", { cost: 2, nowMs: epoch })).toMatchObject({
      allowed: true,
      remaining: 0,
    });
    const never = await limiter.limit("k", { cost: 6, nowMs: epoch + 10_000 });
    expect(never).toMatchObject({
      allowed: false,
      reason: "cost-exceeds-limit",
      retryAfterMs: Number.POSITIVE_INFINITY,
    });
  });

  it("peeks without spending, refunds, and resets", async () => {
    const limiter = createRateLimiter({ algorithm: "fixed-window", limit: 2, windowMs: 1_000 });
    expect((await limiter.peek("k", { nowMs: epoch })).remaining).toBe(1);
    expect((await limiter.peek("k", { nowMs: epoch })).remaining).toBe(1);
    await limiter.limit("k", { cost: 2, nowMs: epoch });
    expect((await limiter.limit("k", { nowMs: epoch })).allowed).toBe(false);
    await limiter.refund("k", { nowMs: epoch });
    expect((await limiter.limit("k", { nowMs: epoch })).allowed).toBe(true);
    await limiter.reset("k");
    expect((await limiter.limit("k", { cost: 2, nowMs: epoch })).allowed).toBe(true);
  });

  it("bursts only where asked: a GCRA burst of 1 spaces requests by windowMs / limit", async () => {
    const limiter = createRateLimiter({ algorithm: "gcra", limit: 10, windowMs: 1_000, burst: 1 });
    expect((await limiter.limit("k", { nowMs: epoch })).allowed).toBe(true);
    const refused = await limiter.limit("k", { nowMs: epoch + 50 });
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 50 });
    expect((await limiter.limit("k", { nowMs: epoch + 100 })).allowed).toBe(true);
  });

  it("keeps the organisation first in every store key, whatever the prefix", async () => {
    const keys: string[] = [];
    const memory = createMemoryStore();
    const spy: ThrottleStore = {
      ...memory,
      name: "spy",
      apply: (rules, options) => {
        keys.push(...rules.map((rule) => rule.key));
        return memory.apply(rules, options);
      },
      applySync: (rules, options) => {
        keys.push(...rules.map((rule) => rule.key));
        return memory.applySync(rules, options);
      },
    };
    await createRateLimiter({
      algorithm: "gcra",
      limit: 5,
      windowMs: 1_000,
      store: spy,
      prefix: "api:",
    }).limit("acme:payments:alice");
    await createRateLimiter({
      algorithm: "gcra",
      limit: 5,
      windowMs: 1_000,
      store: spy,
      prefix: "api:",
    }).limit("acme");
    await createQuotaManager({
      dimensions: { calls: { kind: "rate", windowMs: 1_000 } },
      limits: { org: { calls: { hard: 5 } }, user: { calls: { hard: 5 } } },
      store: spy,
    }).check({ org: "ac:me", team: "t", user: "u" }, { calls: 1 });
    expect(keys).toEqual([
      "acme:api:payments:alice",
      "acme:api",
      "ac%3Ame:quota:org:calls",
      "ac%3Ame:quota:team:t:user:u:calls",
    ]);
    expect(scopeKey("acme:x", "")).toBe("acme:x");
    // Distinct keys stay distinct in a namespace: one segment, a trailing ":", two segments.
    const scoped = ["acme", "acme:", "acme:api", "acme::", ":acme", "acme:x"].map((key) =>
      scopeKey(key, "api:"),
    );
    expect(new Set(scoped).size).toBe(scoped.length);
    expect(
      catchEnisError(() => createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: 1, prefix: "a:b:" }))
        .field,
    ).toBe("options.prefix");
  });

  it("rejects bad options and arguments with EnisError naming the field", async () => {
    const cases: [() => unknown, string][] = [
      [() => createRateLimiter({ algorithm: "leaky" as never, limit: 1, windowMs: 1 }), "options.algorithm"],
      [() => createRateLimiter({ algorithm: "gcra", limit: 1.5, windowMs: 1 }), "options.limit"],
      [() => createRateLimiter({ algorithm: "gcra", limit: 2 ** 53 + 1, windowMs: 1 }), "options.limit"],
      [() => createRateLimiter({ algorithm: "gcra", limit: 0, windowMs: 1 }), "options.limit"],
      [() => createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: Number.NaN }), "options.windowMs"],
      [() => createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: 1e15 }), "options.windowMs"],
      [() => createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: 0 }), "options.windowMs"],
      [
        () => createRateLimiter({ algorithm: "fixed-window", limit: 1, windowMs: 1, burst: 2 }),
        "options.burst",
      ],
      [
        () => createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: 1, store: {} as never }),
        "options.store",
      ],
      [
        () => createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: 1, limt: 3 } as never),
        "options.limt",
      ],
    ];
    for (const [action, field] of cases) expect(catchEnisError(action).field).toBe(field);
    const limiter = createRateLimiter({ algorithm: "gcra", limit: 1, windowMs: 1 });
    const calls: [() => Promise<unknown>, string][] = [
      [() => limiter.limit(""), "key"],
      [() => limiter.limit(5 as never), "key"],
      [() => limiter.limit("k", { cost: 0 }), "cost"],
      [() => limiter.limit("k", { cost: 1.5 }), "cost"],
      [() => limiter.limit("k", { cost: Number.POSITIVE_INFINITY }), "cost"],
      [() => limiter.limit("k", { cost: 2 ** 53 + 1 }), "cost"],
      [() => limiter.limit("k", { nowMs: Number.NaN }), "nowMs"],
      [() => limiter.limit("k", { nowMs: -1 }), "nowMs"],
      [() => limiter.limit("k", { kost: 1 } as never), "options.kost"],
      [() => limiter.limit("k", null as never), "options"],
    ];
    for (const [action, field] of calls) {
      const error = await action().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(EnisError.isInstance(error) && error.field).toBe(field);
    }
  });

  it("answers malformed options from fast-check with EnisError only", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), fc.anything(), async (options, key, call) => {
        try {
          const limiter = createRateLimiter(options as never);
          await limiter.limit(key as never, call as never);
        } catch (error) {
          return EnisError.isInstance(error);
        }
        return true;
      }),
      { seed: 71, numRuns: 300 },
    );
  });
});

describe("createConcurrencyLimiter", () => {
  it("holds at most the limit, releases, and frees a crashed holder's lease when it expires", async () => {
    let next = 0;
    const executions = createConcurrencyLimiter({ limit: 2, createLeaseId: () => `lease-${next++}` });
    const a = await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch });
    const b = await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch });
    expect([a.acquired, b.acquired]).toEqual([true, true]);
    const c = await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 10 });
    expect(c).toEqual({ acquired: false, remaining: 0, retryAfterMs: 990, reason: "concurrency-limited" });
    if (!a.acquired) throw new Error("unreachable");
    expect(await executions.release(a.lease, { nowMs: epoch + 20 })).toBe(true);
    expect(await executions.release(a.lease, { nowMs: epoch + 20 })).toBe(false);
    expect((await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 30 })).acquired).toBe(
      true,
    );
    // b's holder never releases; at epoch + 1000 its lease is gone.
    expect((await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 999 })).acquired).toBe(
      false,
    );
    expect((await executions.acquire("acme:agents", { ttlMs: 1_000, nowMs: epoch + 1_000 })).acquired).toBe(
      true,
    );
    expect(await executions.acquire("acme:agents", { ttlMs: 1, amount: 3, nowMs: epoch })).toMatchObject({
      acquired: false,
      reason: "amount-exceeds-limit",
    });
  });

  it("renews a held lease past its first expiry, and takes a lapsed one again only if the units are free", async () => {
    let next = 0;
    const executions = createConcurrencyLimiter({ limit: 3, createLeaseId: () => `lease-${next++}` });
    const first = await executions.acquire("acme:agents", { ttlMs: 1_000, amount: 2, nowMs: epoch });
    if (!first.acquired) throw new Error("unreachable");
    // A heartbeat at 900 ms keeps the two units until 900 + 1000.
    const renewed = await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 900 });
    expect(renewed).toEqual({
      acquired: true,
      remaining: 1,
      lease: { key: "acme:agents", leaseId: "lease-0", amount: 2, expiresAtMs: epoch + 1_900 },
    });
    // Renewing is not taking twice: the lease still holds 2 of 3 units.
    expect(
      await executions.acquire("acme:agents", { ttlMs: 1_000, amount: 2, nowMs: epoch + 1_500 }),
    ).toMatchObject({ acquired: false, remaining: 1, retryAfterMs: 400 });
    expect((await executions.acquire("acme:agents", { ttlMs: 100, nowMs: epoch + 1_899 })).acquired).toBe(
      true,
    );
    // Lapsed at 1900 without a heartbeat; a newcomer takes 2 units; the late renewal must not fit.
    expect(
      (await executions.acquire("acme:agents", { ttlMs: 1_000, amount: 2, nowMs: epoch + 2_000 })).acquired,
    ).toBe(true);
    expect(await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 2_001 })).toMatchObject({
      acquired: false,
      reason: "concurrency-limited",
    });
    // Once those units are free again, the same lease id is taken again.
    expect(await executions.renew(first.lease, { ttlMs: 1_000, nowMs: epoch + 3_000 })).toMatchObject({
      acquired: true,
      lease: { leaseId: "lease-0", amount: 2, expiresAtMs: epoch + 4_000 },
    });
    for (const [lease, call, field] of [
      [first.lease, { ttlMs: 0 }, "ttlMs"],
      [first.lease, undefined, "options"],
      [{ ...first.lease, amount: 0 }, { ttlMs: 10 }, "lease.amount"],
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
    expect(catchEnisError(() => limiter.limitSync("acme", { nowMs: 1e20 })).field).toBe("nowMs");
    const executions = createConcurrencyLimiter({ limit: 1 });
    const error = await executions.acquire("acme", { ttlMs: 10, nowMs: 1e300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(EnisError.isInstance(error) && error.field).toBe("nowMs");
    expect(limiter.limitSync("acme", { nowMs: 8.64e15 }).allowed).toBe(true);
  });

  it("rejects bad arguments", async () => {
    const executions = createConcurrencyLimiter({ limit: 1 });
    for (const [call, field] of [
      [{ ttlMs: 0 }, "ttlMs"],
      [{ ttlMs: 1.5 }, "ttlMs"],
      [{ ttlMs: 10, amount: 0 }, "amount"],
      [{ ttlMs: 10, nowMs: Number.NaN }, "nowMs"],
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

describe("limitSync and peekSync", () => {
  it.each(["gcra", "token-bucket", "sliding-window", "fixed-window"] as const)(
    "%s: decide exactly as limit and peek, call for call",
    async (algorithm) => {
      const options = { algorithm, limit: 7, windowMs: 1_000 } as const;
      // The memory store's single-rule path on one side; on the other a spread copy of a memory
      // store, which has only its batch methods (applySync for limit, apply for nothing here).
      const sync = createRateLimiter(options);
      const async = createRateLimiter({ ...options, store: { ...createMemoryStore() } });
      let now = epoch;
      for (let step = 0; step < 300; step++) {
        now += [0, 1, 40, 333, 1_500][step % 5]!;
        const call = { cost: 1 + (step % 3), nowMs: now };
        const key = `acme:k${step % 2}`;
        if (step % 7 === 0) {
          expect(sync.peekSync(key, call)).toEqual(await async.peek(key, call));
        } else {
          expect(sync.limitSync(key, call)).toEqual(await async.limit(key, call));
        }
      }
    },
  );

  it("need an in-process store; limit with one rejects bad input instead of throwing", async () => {
    const remote = createResilientStore({ store: createMemoryStore(), onUnavailable: "closed" });
    const limiter = createRateLimiter({ algorithm: "gcra", limit: 5, windowMs: 1_000, store: remote });
    expect(catchEnisError(() => limiter.limitSync("acme")).field).toBe("store");
    expect(catchEnisError(() => limiter.peekSync("acme")).field).toBe("store");
    expect((await limiter.limit("acme", { nowMs: epoch })).allowed).toBe(true);
    const memory = createRateLimiter({ algorithm: "gcra", limit: 5, windowMs: 1_000 });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = memory.limit("");
    }).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: "INVALID_OPTIONS", field: "key" });
    expect(catchEnisError(() => memory.limitSync("acme", { cost: 0 })).field).toBe("cost");
  });
});
