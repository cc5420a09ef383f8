import { createManualClock, EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateLease, type HeldLease, releaseLease } from "./algorithms/index.js";
import { createMemoryStore } from "./memory-store.js";
import type { LeaseRule, StoreRule } from "./store.js";
import { describeStoreDifferential, describeThrottleStore } from "./testing/index.js";

const epoch = 1_763_000_000_000;

/** The field of the EnisError a call rejects with ("none" when it resolves). */
const fieldOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "none",
    (error: unknown) => (EnisError.isInstance(error) ? error.field : "not an EnisError"),
  );

describeThrottleStore("memory", async () => ({ store: createMemoryStore() }));
// Two memory stores must agree: this catches any hidden read of the wall clock or shared state.
describeStoreDifferential(
  "memory vs memory",
  async () => ({ store: createMemoryStore() }),
  async () => ({
    store: createMemoryStore(),
  }),
);

describe("createMemoryStore", () => {
  it("uses its clock when a call gives no time, and lets idle keys expire", async () => {
    const clock = createManualClock(1_000);
    const store = createMemoryStore({ clock });
    const spec = { algorithm: "fixed-window" as const, limit: 1, windowMs: 100, burst: 1 };
    expect((await store.apply([{ kind: "rate", key: "org:x", spec, cost: 1 }])).nowMs).toBe(1_000);
    expect((await store.apply([{ kind: "rate", key: "org:x", spec, cost: 1 }])).allowed).toBe(false);
    expect(store.size).toBe(1);
    clock.advance(100);
    expect((await store.apply([{ kind: "rate", key: "org:x", spec, cost: 1 }])).allowed).toBe(true);
  });

  it("rejects malformed rules and options with INVALID_OPTIONS, like every store", async () => {
    const store = createMemoryStore();
    const spec = { algorithm: "gcra" as const, limit: 10, windowMs: 1_000, burst: 10 };
    expect(await fieldOf(store.apply([], null as never))).toBe("options");
    expect(
      await fieldOf(
        store.apply([{ kind: "rate", key: "k", spec: { ...spec, algorithm: "leaky" as never }, cost: 1 }]),
      ),
    ).toBe("rules[0].spec.algorithm");
    expect(await fieldOf(store.apply([{ kind: "rate", key: "k", spec, cost: Number.NaN }]))).toBe(
      "rules[0].cost",
    );
    expect(
      await fieldOf(store.apply([{ kind: "rate", key: "k", spec: { ...spec, limit: 0 }, cost: 1 }])),
    ).toBe("rules[0].spec.limit");
    expect(await fieldOf(store.refund([], null as never))).toBe("options");
    expect(await fieldOf(store.release("k", "id", null as never))).toBe("options");
  });

  it("rejects loose options, absurd times and malformed keys instead of acting on them", async () => {
    const store = createMemoryStore();
    const spec = { algorithm: "fixed-window" as const, limit: 1, windowMs: 1_000, burst: 1 };
    const rule = { kind: "rate" as const, key: "org:k", spec, cost: 1 };
    expect(await fieldOf(store.apply([rule], { dryRun: "yes" as never, nowMs: epoch }))).toBe(
      "options.dryRun",
    );
    expect(await fieldOf(store.apply([rule], { dryrun: true, nowMs: epoch } as never))).toBe(
      "options.dryrun",
    );
    // At 1e20 ms one ms more is the same double: a window could never end.
    expect(await fieldOf(store.apply([rule], { nowMs: 1e20 }))).toBe("options.nowMs");
    expect(await fieldOf(store.reset(undefined as never))).toBe("keys");
    expect(await fieldOf(store.reset("abc" as never))).toBe("keys");
    expect(await fieldOf(store.reset([""]))).toBe("keys[0]");
    expect(await fieldOf(store.release("org:k", "id", { nowMs: Number.POSITIVE_INFINITY }))).toBe(
      "options.nowMs",
    );
    const broken = createMemoryStore({ clock: { nowMs: () => Number.NaN } });
    expect(await fieldOf(broken.apply([rule]))).toBe("clock.nowMs()");
    // Nothing above spent anything.
    expect((await store.apply([rule], { nowMs: epoch })).allowed).toBe(true);
  });

  it("never sweeps between a batch's reads and its writes (a spend must not be lost)", async () => {
    const store = createMemoryStore();
    const one = { algorithm: "fixed-window" as const, limit: 1, windowMs: 1_000, burst: 1 };
    const many = { ...one, limit: 100, burst: 100 };
    // "org:b" is read expired by the batch below while the map is full enough for a sweep, and the
    // batch's first write is a new key: a sweep there would drop "org:b" before its write.
    expect(
      (await store.apply([{ kind: "rate", key: "org:b", spec: one, cost: 1 }], { nowMs: 0 })).allowed,
    ).toBe(true);
    for (let i = 0; i < 1_023; i++) {
      await store.apply([{ kind: "rate", key: `filler:${i}`, spec: many, cost: 1 }], { nowMs: 0 });
    }
    const batch = (key: string) => [
      { kind: "rate" as const, key, spec: many, cost: 1 },
      { kind: "rate" as const, key: "org:b", spec: one, cost: 1 },
    ];
    expect((await store.apply(batch("org:new-1"), { nowMs: 5_000 })).allowed).toBe(true);
    expect((await store.apply(batch("org:new-2"), { nowMs: 5_000 })).allowed).toBe(false);
  });

  it("keeps memory bounded by sweeping expired keys", async () => {
    const store = createMemoryStore();
    const spec = { algorithm: "gcra" as const, limit: 10, windowMs: 1_000, burst: 10 };
    for (let i = 0; i < 20_000; i++) {
      await store.apply([{ kind: "rate", key: `org:${i}`, spec, cost: 1 }], { nowMs: i * 1_000 });
    }
    expect(store.size).toBeLessThan(2_100);
  });
});

describe("memory store leases", () => {
  it("decide exactly as evaluateLease / releaseLease on the same leases, under random operations", async () => {
    type Op =
      | {
          op: "apply";
          rules: { key: number; lease: number; cost: number; ttlMs: number; limit: number; renew: boolean }[];
          dryRun: boolean;
        }
      | { op: "release"; key: number; lease: number }
      | { op: "advance"; ms: number };
    const rule = fc.record({
      key: fc.integer({ min: 0, max: 2 }),
      lease: fc.integer({ min: 0, max: 5 }),
      cost: fc.integer({ min: 1, max: 3 }),
      ttlMs: fc.integer({ min: 1, max: 60 }),
      renew: fc.boolean(),
      // Mostly room to spare, so that a wrong sum shows in `remaining`, sometimes too little.
      limit: fc.oneof(fc.integer({ min: 10, max: 20 }), fc.integer({ min: 2, max: 6 })),
    });
    const operation: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        op: fc.constant("apply" as const),
        // One rule, distinct keys, or a key named twice (the overlay): all three paths.
        rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
        dryRun: fc.boolean(),
      }),
      fc.record({
        op: fc.constant("release" as const),
        key: fc.integer({ min: 0, max: 2 }),
        lease: fc.integer({ min: 0, max: 5 }),
      }),
      // Time mostly moves on, sometimes back a little (calls with their own nowMs).
      fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: -6, max: 25 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 40, maxLength: 160, size: "max" }), async (ops) => {
        const store = createMemoryStore();
        // The model: each key's leases as the array the pure functions take.
        const model = new Map<string, HeldLease[]>();
        let nowMs = epoch;
        for (const step of ops) {
          if (step.op === "advance") {
            nowMs += step.ms;
            continue;
          }
          if (step.op === "release") {
            const key = `org:k${step.key}`;
            const { next, released } = releaseLease(model.get(key) ?? [], `l${step.lease}`, nowMs);
            model.set(key, next);
            expect(await store.release(key, `l${step.lease}`, { nowMs })).toBe(released);
            continue;
          }
          const rules: StoreRule[] = step.rules.map((r) => ({
            kind: "lease",
            key: `org:k${r.key}`,
            limit: r.limit,
            cost: r.cost,
            leaseId: `l${r.lease}`,
            ttlMs: r.ttlMs,
            renew: r.renew,
          }));
          const overlay = new Map<string, HeldLease[]>();
          let allowed = true;
          const expected = rules.map((r) => {
            const lease = r as LeaseRule;
            const evaluation = evaluateLease(
              lease.limit,
              overlay.get(lease.key) ?? model.get(lease.key) ?? [],
              lease.leaseId,
              lease.cost,
              lease.ttlMs,
              nowMs,
              lease.renew === true,
            );
            if (evaluation.allowed) overlay.set(lease.key, evaluation.next);
            else allowed = false;
            const { next: _next, ttlMs: _ttl, ...outcome } = evaluation;
            return outcome;
          });
          if (allowed && !step.dryRun) for (const [key, leases] of overlay) model.set(key, leases);
          const batch = store.applySync(rules, { nowMs, dryRun: step.dryRun });
          expect(batch.allowed).toBe(allowed);
          expect(batch.outcomes).toEqual(expected);
        }
      }),
      { seed: 3301, numRuns: 300 },
    );
  });
});
