import { EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { algorithmNames } from "./algorithms/index.js";
import { createMemoryStore } from "./memory-store.js";
import { createQuotaManager } from "./quota/manager.js";
import { createRateLimiter } from "./rate-limiter.js";
import { createResilientStore } from "./resilient-store.js";
import { type InProcessStore, maxKeyLength, partitionKey, scopeKey } from "./store.js";

const epoch = 1_763_000_000_000;

describe("createRateLimiter", () => {
  it.each(algorithmNames)(
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
      expect((await limiter.limit("other:api", { nowMs: epoch })).remaining).toBe(9);
      const later = await limiter.limit("acme:api", { nowMs: epoch + refused.retryAfterMs });
      expect(later.allowed).toBe(true);
    },
  );

  it("refuses a cost larger than what remains without spending anything", async () => {
    const limiter = createRateLimiter({ algorithm: "token-bucket", limit: 5, windowMs: 1_000 });
    await limiter.limit("k", { cost: 3, nowMs: epoch });
    const refused = await limiter.limit("k", { cost: 3, nowMs: epoch });
    expect(refused).toMatchObject({ allowed: false, remaining: 2 });
    expect((await limiter.limit("k", { cost: 2, nowMs: epoch, dryRun: true })).allowed).toBe(true);
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

  it.each(algorithmNames)(
    "%s: peek reports the allowance now and a dry run the would-be decision; neither spends",
    async (algorithm) => {
      const limiter = createRateLimiter({ algorithm, limit: 2, windowMs: 1_000 });
      // A fresh key with limit 2 has 2 remaining: peek is the state now, not after a spend.
      expect(await limiter.peek("k", { nowMs: epoch })).toEqual({
        limit: 2,
        remaining: 2,
        resetAfterMs: 0,
        retryAfterMs: 0,
      });
      expect(await limiter.limit("k", { nowMs: epoch, dryRun: true })).toMatchObject({
        allowed: true,
        remaining: 1,
      });
      expect((await limiter.peek("k", { nowMs: epoch })).remaining).toBe(2);
      await limiter.limit("k", { nowMs: epoch });
      expect((await limiter.peek("k", { nowMs: epoch })).remaining).toBe(1);
    },
  );

  it("blocks a key for blockDurationMs after a refusal, on every replica's view of the store", async () => {
    const store = createMemoryStore();
    const options = {
      algorithm: "fixed-window",
      limit: 2,
      windowMs: 1_000,
      blockDurationMs: 10_000,
      store,
    } as const;
    const one = createRateLimiter(options);
    const two = createRateLimiter(options);
    await one.limit("acme:ip", { cost: 2, nowMs: epoch });
    const refused = await one.limit("acme:ip", { nowMs: epoch + 1 });
    expect(refused).toMatchObject({ allowed: false, reason: "rate-limited", retryAfterMs: 10_000 });
    // The window has rolled over, yet the key stays refused until the block ends, on every limiter.
    expect(await two.limit("acme:ip", { nowMs: epoch + 5_000 })).toMatchObject({
      allowed: false,
      reason: "blocked",
      remaining: 0,
      retryAfterMs: 5_001,
    });
    expect(await two.peek("acme:ip", { nowMs: epoch + 5_000 })).toEqual({
      limit: 2,
      remaining: 0,
      resetAfterMs: 5_001,
      retryAfterMs: 5_001,
      reason: "blocked",
    });
    expect((await one.limit("acme:ip", { nowMs: epoch + 10_001 })).allowed).toBe(true);
    expect(one.spec.blockDurationMs).toBe(10_000);
    // A reset lifts a block.
    await one.limit("acme:ip", { cost: 2, nowMs: epoch + 20_000 });
    await one.limit("acme:ip", { nowMs: epoch + 20_001 });
    await one.reset("acme:ip");
    expect((await one.limit("acme:ip", { nowMs: epoch + 20_002 })).allowed).toBe(true);
  });

  it("refunds (a reward) never beyond the allowance, and resets", async () => {
    const limiter = createRateLimiter({ algorithm: "fixed-window", limit: 2, windowMs: 1_000 });
    await limiter.limit("k", { cost: 2, nowMs: epoch });
    expect((await limiter.limit("k", { nowMs: epoch })).allowed).toBe(false);
    await limiter.refund("k", { nowMs: epoch });
    expect((await limiter.limit("k", { nowMs: epoch })).allowed).toBe(true);
    await limiter.refund("k", { cost: 5, nowMs: epoch });
    expect((await limiter.peek("k", { nowMs: epoch })).remaining).toBe(2);
    await limiter.limit("k", { cost: 2, nowMs: epoch });
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
    const spy: InProcessStore = {
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
    await createRateLimiter({
      algorithm: "gcra",
      limit: 5,
      windowMs: 1_000,
      store: spy,
      prefix: "api:",
    }).limit(partitionKey("2001:db8::1", ""));
    await createQuotaManager({
      dimensions: { calls: { kind: "rate", windowMs: 1_000 } },
      limits: { org: { calls: { hard: 5 } }, user: { calls: { hard: 5 } } },
      store: spy,
    }).check({ org: "ac:me", team: "t", user: "u" }, { calls: 1 });
    expect(keys).toEqual([
      "acme:api:payments:alice",
      "acme:api",
      "{2001:db8::1}api:",
      "ac%3Ame:quota:org:calls",
      "ac%3Ame:quota:team:t:user:u:calls",
    ]);
    expect(scopeKey("acme:x", "")).toBe("acme:x");
    // Distinct keys stay distinct in a namespace: one segment, a trailing ":", two segments.
    const scoped = [
      "acme",
      "acme:",
      "acme:api",
      "acme::",
      ":acme",
      "acme:x",
      "{acme}",
      "{acme}:",
      "{acme}x",
    ].map((key) => scopeKey(key, "api:"));
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
      [() => limiter.limit(":x"), "key"],
      [() => limiter.limit("{2001:db8::1"), "key"],
      [() => limiter.limit("x".repeat(maxKeyLength + 1)), "key"],
      [() => limiter.limit("k", { cost: 0 }), "options.cost"],
      [() => limiter.limit("k", { cost: 1.5 }), "options.cost"],
      [() => limiter.limit("k", { cost: Number.POSITIVE_INFINITY }), "options.cost"],
      [() => limiter.limit("k", { cost: 2 ** 53 + 1 }), "options.cost"],
      [() => limiter.limit("k", { nowMs: Number.NaN }), "options.nowMs"],
      [() => limiter.limit("k", { nowMs: -1 }), "options.nowMs"],
      [() => limiter.limit("k", { dryRun: "yes" } as never), "options.dryRun"],
      [() => limiter.limit("k", { kost: 1 } as never), "options.kost"],
      [() => limiter.limit("k", null as never), "options"],
      [() => limiter.peek("k", { cost: 1 } as never), "options.cost"],
      [() => limiter.refund("k", { cost: 0 }), "options.cost"],
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

describe("limitSync and peekSync", () => {
  it.each(algorithmNames)("%s: decide exactly as limit and peek, call for call", async (algorithm) => {
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
        expect(sync.peekSync(key, { nowMs: now })).toEqual(await async.peek(key, { nowMs: now }));
      } else if (step % 11 === 0) {
        const dry = { ...call, dryRun: true };
        expect(sync.limitSync(key, dry)).toEqual(await async.limit(key, dry));
      } else {
        expect(sync.limitSync(key, call)).toEqual(await async.limit(key, call));
      }
    }
  });

  it("exist only on limiters over an in-process store; limit with one rejects bad input instead of throwing", async () => {
    const remote = createResilientStore({ store: createMemoryStore(), onUnavailable: "closed" });
    const limiter = createRateLimiter({ algorithm: "gcra", limit: 5, windowMs: 1_000, store: remote });
    // @ts-expect-error limitSync is not on the type of a limiter over a store that is not in-process.
    expect(limiter.limitSync).toBeUndefined();
    // @ts-expect-error nor is peekSync.
    expect(limiter.peekSync).toBeUndefined();
    expect((await limiter.limit("acme", { nowMs: epoch })).allowed).toBe(true);
    const memory = createRateLimiter({ algorithm: "gcra", limit: 5, windowMs: 1_000 });
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = memory.limit("");
    }).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: "INVALID_OPTIONS", field: "key" });
    expect(catchEnisError(() => memory.limitSync("acme", { cost: 0 })).field).toBe("options.cost");
  });
});
