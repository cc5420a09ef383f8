/*
 * The conformance suite every ThrottleStore runs (unjs/unstorage's habit: one shared suite per
 * driver). It drives the store with an explicit clock (`nowMs` on every call), so a store with a
 * server clock must be created in its caller-time mode for the suite. Import it in a vitest file:
 *
 *   import { describeThrottleStore } from "@enis/throttle/testing";
 *   describeThrottleStore("redis", async () => ({ store: createRedisStore({ client, time: "caller" }) }));
 */
import { createRandom, type Random } from "@enis/core";
import { describe, expect, it } from "vitest";
import { type Algorithm, evaluate, type RateLimitSpec } from "../algorithms.js";
import type { StoreRule, ThrottleStore } from "../store.js";

/** Makes a fresh, empty store for one test; `close` (optional) is awaited after it. */
export type StoreFactory = () => Promise<{ store: ThrottleStore; close?: () => Promise<void> }>;

const algorithms: Algorithm[] = ["gcra", "token-bucket", "fixed-window", "sliding-window"];
const epoch = 1_763_000_000_000;

async function withStore(
  factory: StoreFactory,
  body: (store: ThrottleStore) => Promise<void>,
): Promise<void> {
  const { store, close } = await factory();
  try {
    await body(store);
  } finally {
    await close?.();
  }
}

/**
 * Registers the behaviour every store must have: the algorithms' decisions, all-or-nothing
 * batches, dry runs, refunds, resets and leases.
 */
export function describeThrottleStore(name: string, factory: StoreFactory): void {
  describe(`ThrottleStore conformance: ${name}`, () => {
    for (const algorithm of algorithms) {
      it(`${algorithm}: decides exactly as the pure algorithm`, async () => {
        await withStore(factory, async (store) => {
          const spec: RateLimitSpec = {
            algorithm,
            limit: 5,
            windowMs: 1_000,
            burst: algorithm === "gcra" ? 3 : 5,
          };
          const random = createRandom(algorithms.indexOf(algorithm) + 1);
          let state: number[] | undefined;
          let now = epoch;
          for (let i = 0; i < 60; i++) {
            now += random.nextInt(4) === 0 ? random.nextInt(1_500) : random.nextInt(40);
            const cost = 1 + random.nextInt(3);
            const want = evaluate(spec, state, now, cost);
            const got = await store.apply([{ kind: "rate", key: "org:limit", spec, cost }], { nowMs: now });
            expect(got.allowed).toBe(want.allowed);
            expect(got.outcomes[0]).toEqual({
              allowed: want.allowed,
              remaining: want.remaining,
              retryAfterMs: want.retryAfterMs,
              resetAfterMs: want.resetAfterMs,
            });
            if (want.allowed) state = want.next;
          }
        });
      });
    }

    it("spends all rules of a batch or none", async () => {
      await withStore(factory, async (store) => {
        const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 10, windowMs: 60_000, burst: 10 };
        const tight: RateLimitSpec = { ...spec, limit: 2, burst: 2 };
        const rules: StoreRule[] = [
          { kind: "rate", key: "org:a", spec, cost: 1 },
          { kind: "rate", key: "org:b", spec, cost: 1 },
          { kind: "rate", key: "org:c", spec: tight, cost: 3 },
        ];
        const refused = await store.apply(rules, { nowMs: epoch });
        expect(refused.allowed).toBe(false);
        expect(refused.outcomes.map((o) => o.allowed)).toEqual([true, true, false]);
        const peek = await store.apply(rules.slice(0, 2), { nowMs: epoch, dryRun: true });
        expect(peek.outcomes.map((o) => o.remaining)).toEqual([9, 9]);
        const spent = await store.apply(rules.slice(0, 2), { nowMs: epoch });
        expect(spent.allowed).toBe(true);
        const after = await store.apply(rules.slice(0, 2), { nowMs: epoch, dryRun: true });
        expect(after.outcomes.map((o) => o.remaining)).toEqual([8, 8]);
      });
    });

    it("a key named twice in one batch sees its own spend", async () => {
      await withStore(factory, async (store) => {
        const spec: RateLimitSpec = { algorithm: "gcra", limit: 3, windowMs: 3_000, burst: 3 };
        const rule: StoreRule = { kind: "rate", key: "org:same", spec, cost: 2 };
        const batch = await store.apply([rule, rule], { nowMs: epoch });
        expect(batch.allowed).toBe(false);
        expect((await store.apply([{ ...rule, cost: 3 }], { nowMs: epoch })).allowed).toBe(true);
      });
    });

    it("refunds and resets", async () => {
      await withStore(factory, async (store) => {
        const spec: RateLimitSpec = { algorithm: "sliding-window", limit: 4, windowMs: 10_000, burst: 4 };
        const rule = { kind: "rate" as const, key: "org:r", spec, cost: 4 };
        expect((await store.apply([rule], { nowMs: epoch })).allowed).toBe(true);
        expect((await store.apply([{ ...rule, cost: 1 }], { nowMs: epoch })).allowed).toBe(false);
        await store.refund([{ ...rule, cost: 2 }], { nowMs: epoch });
        expect((await store.apply([{ ...rule, cost: 2 }], { nowMs: epoch })).allowed).toBe(true);
        await store.reset(["org:r"]);
        expect((await store.apply([rule], { nowMs: epoch })).allowed).toBe(true);
      });
    });

    it("leases: bounded, released early, and expire by themselves", async () => {
      await withStore(factory, async (store) => {
        const lease = (leaseId: string, amount: number, ttlMs = 1_000): StoreRule => ({
          kind: "lease",
          key: "org:workers",
          limit: 3,
          amount,
          leaseId,
          ttlMs,
        });
        expect((await store.apply([lease("a", 2)], { nowMs: epoch })).allowed).toBe(true);
        const refused = await store.apply([lease("b", 2)], { nowMs: epoch + 10 });
        expect(refused.outcomes[0]).toMatchObject({ allowed: false, remaining: 1, retryAfterMs: 990 });
        expect(await store.release("org:workers", "a", { nowMs: epoch + 20 })).toBe(true);
        expect(await store.release("org:workers", "a", { nowMs: epoch + 20 })).toBe(false);
        expect((await store.apply([lease("b", 3)], { nowMs: epoch + 30 })).allowed).toBe(true);
        // "b" is never released, as if its holder crashed: it frees itself at epoch + 1030.
        expect((await store.apply([lease("c", 1)], { nowMs: epoch + 1_029 })).allowed).toBe(false);
        expect((await store.apply([lease("c", 1)], { nowMs: epoch + 1_030 })).allowed).toBe(true);
      });
    });
  });
}

/** A random batch for the differential test, within one organisation. */
function randomBatch(random: Random, org = "org"): StoreRule[] {
  const rules: StoreRule[] = [];
  const count = 1 + random.nextInt(3);
  for (let i = 0; i < count; i++) {
    if (random.nextInt(5) === 0) {
      rules.push({
        kind: "lease",
        key: `${org}:lease-${random.nextInt(2)}`,
        limit: 1 + random.nextInt(4),
        amount: 1 + random.nextInt(2),
        leaseId: `l${random.nextInt(6)}`,
        ttlMs: 1 + random.nextInt(2_000),
      });
      continue;
    }
    const algorithm = algorithms[random.nextInt(algorithms.length)]!;
    const limit = 1 + random.nextInt(8);
    rules.push({
      kind: "rate",
      key: `${org}:${algorithm}-${random.nextInt(3)}`,
      spec: {
        algorithm,
        limit,
        windowMs: [1, 7, 250, 1_000, 86_400_000][random.nextInt(5)]!,
        burst: 1 + random.nextInt(limit),
      },
      cost: 1 + random.nextInt(3),
    });
  }
  return rules;
}

/**
 * Registers a differential test: random operation sequences (batches of rate and lease rules,
 * dry runs, refunds, releases, resets, time moving by 0 to 3 s) give identical decisions on the
 * two stores, driven by the same clock. Some steps submit up to 40 batches at once, over two
 * organisations and at clock readings a few ms apart (backwards too), without awaiting between
 * them: a store must decide them as if they came one after the other in submission order (a store
 * that coalesces concurrent batches into one round trip must keep that order).
 */
export function describeStoreDifferential(
  name: string,
  first: StoreFactory,
  second: StoreFactory,
  runs = 20,
): void {
  describe(`ThrottleStore differential: ${name}`, () => {
    it(`gives identical decisions over ${runs} random sequences`, async () => {
      for (let run = 0; run < runs; run++) {
        await withStore(first, async (a) => {
          await withStore(second, async (b) => {
            const random = createRandom(1_000 + run);
            let now = epoch + random.nextInt(1_000_000);
            for (let step = 0; step < 80; step++) {
              now += [0, 1, 3, 50, 400, 3_000][random.nextInt(6)]!;
              const choice = random.nextInt(11);
              if (choice === 10) {
                const count = 2 + random.nextInt(39);
                const calls = Array.from({ length: count }, () => ({
                  rules: randomBatch(random, random.nextInt(3) === 0 ? "org2" : "org"),
                  nowMs: now + random.nextInt(7) - 3,
                  dryRun: random.nextInt(8) === 0,
                }));
                const submit = (store: ThrottleStore) =>
                  Promise.all(calls.map(({ rules, ...options }) => store.apply(rules, options)));
                const [xs, ys] = await Promise.all([submit(a), submit(b)]);
                const decided = (outcomes: typeof xs) =>
                  outcomes.map((outcome) => ({ allowed: outcome.allowed, outcomes: outcome.outcomes }));
                expect({ step, burst: decided(ys) }).toEqual({ step, burst: decided(xs) });
              } else if (choice < 7) {
                const rules = randomBatch(random);
                const dryRun = random.nextInt(6) === 0;
                const [x, y] = await Promise.all([
                  a.apply(rules, { nowMs: now, dryRun }),
                  b.apply(rules, { nowMs: now, dryRun }),
                ]);
                expect({ step, allowed: y.allowed, outcomes: y.outcomes }).toEqual({
                  step,
                  allowed: x.allowed,
                  outcomes: x.outcomes,
                });
              } else if (choice === 7) {
                const rules = randomBatch(random).filter((rule) => rule.kind === "rate");
                await Promise.all([a.refund(rules, { nowMs: now }), b.refund(rules, { nowMs: now })]);
              } else if (choice === 8) {
                const key = `org:lease-${random.nextInt(2)}`;
                const leaseId = `l${random.nextInt(6)}`;
                const [x, y] = await Promise.all([
                  a.release(key, leaseId, { nowMs: now }),
                  b.release(key, leaseId, { nowMs: now }),
                ]);
                expect({ step, released: y }).toEqual({ step, released: x });
              } else {
                const keys = [`org:${algorithms[random.nextInt(algorithms.length)]}-${random.nextInt(3)}`];
                await Promise.all([a.reset(keys), b.reset(keys)]);
              }
            }
          });
        });
      }
    });
  });
}
