import { createManualClock, EnisError } from "@enis/core";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./memory-store.js";
import { describeStoreDifferential, describeThrottleStore } from "./testing/index.js";

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
    const fieldOf = (promise: Promise<unknown>) =>
      promise.then(
        () => "none",
        (error: unknown) => (EnisError.isInstance(error) ? error.field : "not an EnisError"),
      );
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

  it("keeps memory bounded by sweeping expired keys", async () => {
    const store = createMemoryStore();
    const spec = { algorithm: "gcra" as const, limit: 10, windowMs: 1_000, burst: 10 };
    for (let i = 0; i < 20_000; i++) {
      await store.apply([{ kind: "rate", key: `org:${i}`, spec, cost: 1 }], { nowMs: i * 1_000 });
    }
    expect(store.size).toBeLessThan(2_100);
  });
});
