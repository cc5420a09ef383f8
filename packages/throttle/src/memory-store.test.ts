import { createManualClock, EnisError } from "@enis/core";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./memory-store.js";
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
