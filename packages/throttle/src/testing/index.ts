/**
 * `@enis/throttle/testing`: the conformance suite every ThrottleStore runs (unjs/unstorage's habit:
 * one shared suite per driver). It drives the store with an explicit clock (`nowMs` on every
 * call), so a store with a server clock must be created in its caller-time mode for the suite.
 * Import it in a vitest file:
 *
 * ```ts
 * import { describeThrottleStore } from "@enis/throttle/testing";
 * describeThrottleStore("redis", async () => ({ store: createRedisStore({ client, time: "caller" }) }));
 * ```
 *
 * @module testing
 */
import { createRandom, EnisError, type Random } from "@enis/core";
import { describe, expect, it } from "vitest";
import { type Algorithm, algorithmNames, evaluate, type RateLimitSpec } from "../algorithms/index.js";
import { maxClockLagMs, type StoreRule, type ThrottleStore } from "../store.js";

/** Makes a fresh, empty store for one test; `close` (optional) is awaited after it. */
export type StoreFactory = () => Promise<{ store: ThrottleStore; close?: () => Promise<void> }>;

const algorithms: readonly Algorithm[] = algorithmNames;
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

/** The `[code, field]` of the EnisError a call rejects with, or `["none"]` when it resolves. */
async function rejection(call: () => Promise<unknown>): Promise<[string, string | undefined]> {
  try {
    await call();
  } catch (error) {
    if (EnisError.isInstance(error)) return [error.code, error.field];
    throw error;
  }
  return ["none", undefined];
}

/**
 * Registers the behaviour every store must have: the algorithms' decisions, all-or-nothing
 * batches, dry runs and looks at the allowance, refunds, resets, blocks, leases (an acquire of a
 * held id refused), the key and partition rule, whole-ms durations and the clock-lag rule.
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
            // A server clock reads microseconds: fractional times must still report whole ms.
            now +=
              random.nextInt(4) === 0
                ? random.nextInt(1_500)
                : random.nextInt(40) + random.nextInt(1_000) / 1_000;
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
            const { retryAfterMs, resetAfterMs } = got.outcomes[0]!;
            expect(Number.isInteger(resetAfterMs)).toBe(true);
            expect(Number.isInteger(retryAfterMs) || retryAfterMs === Number.POSITIVE_INFINITY).toBe(true);
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
        const lease = (leaseId: string, cost: number, ttlMs = 1_000): StoreRule => ({
          kind: "lease",
          key: "org:workers",
          limit: 3,
          cost,
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

    it("an acquire of a lease id already held is refused (lease-held); renew extends it", async () => {
      await withStore(factory, async (store) => {
        const rule = (renew: boolean, ttlMs = 1_000): StoreRule => ({
          kind: "lease",
          key: "org:gauge",
          limit: 5,
          cost: 2,
          leaseId: "same",
          ttlMs,
          renew,
        });
        expect((await store.apply([rule(false)], { nowMs: epoch })).allowed).toBe(true);
        // Two holders must never share one lease: the second acquire is refused, nothing changes.
        const again = await store.apply([rule(false)], { nowMs: epoch + 100.5 });
        expect(again.outcomes[0]).toEqual({
          allowed: false,
          remaining: 3,
          retryAfterMs: 900,
          resetAfterMs: 900,
          reason: "lease-held",
        });
        // A renewal extends it (it does not count twice).
        const renewed = await store.apply([rule(true, 2_000)], { nowMs: epoch + 200 });
        expect(renewed.outcomes[0]).toEqual({
          allowed: true,
          remaining: 3,
          retryAfterMs: 0,
          resetAfterMs: 2_000,
        });
        expect((await store.apply([rule(false)], { nowMs: epoch + 2_199 })).outcomes[0]?.reason).toBe(
          "lease-held",
        );
        // Once it has expired the id is free for an acquire again.
        expect((await store.apply([rule(false)], { nowMs: epoch + 2_200 })).allowed).toBe(true);
        // A renewal of a lapsed lease takes it again if it fits.
        expect((await store.apply([rule(true)], { nowMs: epoch + 5_000 })).allowed).toBe(true);
      });
    });

    it("looks at the allowance with cost 0: a fresh key with limit 2 has 2 remaining", async () => {
      await withStore(factory, async (store) => {
        for (const algorithm of algorithms) {
          const spec: RateLimitSpec = { algorithm, limit: 2, windowMs: 1_000, burst: 2 };
          const key = `org:peek-${algorithm}`;
          const look = async () =>
            (await store.apply([{ kind: "rate", key, spec, cost: 0 }], { nowMs: epoch, dryRun: true }))
              .outcomes[0];
          expect(await look()).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0, resetAfterMs: 0 });
          await store.apply([{ kind: "rate", key, spec, cost: 1 }], { nowMs: epoch });
          expect((await look())?.remaining).toBe(1);
          // A dry run of a spend reports the would-be state, and writes nothing.
          const dry = await store.apply([{ kind: "rate", key, spec, cost: 1 }], {
            nowMs: epoch,
            dryRun: true,
          });
          expect(dry.outcomes[0]?.remaining).toBe(0);
          expect((await look())?.remaining).toBe(1);
        }
      });
    });

    it("blocks a key for blockDurationMs after a refusal, and a refused batch writes only the block", async () => {
      await withStore(factory, async (store) => {
        for (const [index, algorithm] of algorithms.entries()) {
          const spec: RateLimitSpec = {
            algorithm,
            limit: 2,
            windowMs: 1_000,
            burst: 2,
            blockDurationMs: 5_000,
          };
          const key = `org:block-${algorithm}`;
          const rule = (cost: number): StoreRule => ({ kind: "rate", key, spec, cost });
          const start = epoch + 10_000 * (index + 1);
          expect((await store.apply([rule(2)], { nowMs: start })).allowed).toBe(true);
          // A dry-run refusal blocks nothing.
          expect((await store.apply([rule(1)], { nowMs: start, dryRun: true })).outcomes[0]?.reason).toBe(
            undefined,
          );
          const refused = (await store.apply([rule(1)], { nowMs: start + 1 })).outcomes[0]!;
          expect([refused.allowed, refused.reason, refused.retryAfterMs >= 5_000]).toEqual([
            false,
            undefined,
            true,
          ]);
          // Blocked, whatever the cost, even once the limit itself would allow it again.
          const blocked = (await store.apply([rule(1)], { nowMs: start + 4_000 })).outcomes[0]!;
          expect(blocked).toMatchObject({
            allowed: false,
            reason: "blocked",
            remaining: 0,
            retryAfterMs: 1_001,
          });
          const look = await store.apply([rule(0)], { nowMs: start + 4_000, dryRun: true });
          expect(look.outcomes[0]?.reason).toBe("blocked");
          // The refusals inside the block do not extend it.
          expect((await store.apply([rule(1)], { nowMs: start + 5_001 })).allowed).toBe(true);
        }
        // In a refused batch, the other rules' spends are not kept; the refusing rule's block is.
        const free: RateLimitSpec = { algorithm: "fixed-window", limit: 10, windowMs: 60_000, burst: 10 };
        const tight: RateLimitSpec = {
          algorithm: "gcra",
          limit: 1,
          windowMs: 60_000,
          burst: 1,
          blockDurationMs: 120_000,
        };
        const at = epoch + 60_000;
        expect(
          (await store.apply([{ kind: "rate", key: "org:tight", spec: tight, cost: 1 }], { nowMs: at }))
            .allowed,
        ).toBe(true);
        const batch = await store.apply(
          [
            { kind: "rate", key: "org:free", spec: free, cost: 3 },
            { kind: "rate", key: "org:tight", spec: tight, cost: 1 },
          ],
          { nowMs: at + 1 },
        );
        expect(batch.allowed).toBe(false);
        const after = await store.apply(
          [
            { kind: "rate", key: "org:free", spec: free, cost: 0 },
            { kind: "rate", key: "org:tight", spec: tight, cost: 0 },
          ],
          { nowMs: at + 70_000, dryRun: true },
        );
        expect(after.outcomes.map((outcome) => [outcome.remaining, outcome.reason])).toEqual([
          [10, undefined],
          [0, "blocked"],
        ]);
      });
    });

    it("takes IPv6, URL and e-mail keys, with their partition stated or by default, and keeps a batch in one partition", async () => {
      await withStore(factory, async (store) => {
        const spec: RateLimitSpec = { algorithm: "fixed-window", limit: 1, windowMs: 60_000, burst: 1 };
        const keys = [
          "{2001:db8::1}",
          "{2001:db8::2}",
          "2001:db8::1", // default partition "2001": valid, but IPv6 keys should state theirs
          "{https://api.example.com}/v1/orders",
          "{https://api.example.com}/v1/users",
          "alice@example.com",
          "{alice@example.com}:uploads",
          "acme:team-a:user-7",
        ];
        const at = epoch + 200_000;
        for (const key of keys) {
          expect((await store.apply([{ kind: "rate", key, spec, cost: 1 }], { nowMs: at })).allowed).toBe(
            true,
          );
        }
        // Every key has its own state: a second spend is refused on each.
        for (const key of keys) {
          expect((await store.apply([{ kind: "rate", key, spec, cost: 1 }], { nowMs: at })).allowed).toBe(
            false,
          );
        }
        // One partition per batch, on every store.
        const sameUrlHost = await store.apply(
          [
            { kind: "rate", key: "{https://api.example.com}/v1/a", spec, cost: 1 },
            { kind: "rate", key: "{https://api.example.com}/v1/b", spec, cost: 1 },
          ],
          { nowMs: at },
        );
        expect(sameUrlHost.allowed).toBe(true);
        expect(
          await rejection(() =>
            store.apply(
              [
                { kind: "rate", key: "{2001:db8::1}:a", spec, cost: 1 },
                { kind: "rate", key: "{2001:db8::2}:a", spec, cost: 1 },
              ],
              { nowMs: at },
            ),
          ),
        ).toEqual(["INVALID_OPTIONS", "rules[1].key"]);
        // One key rule: an empty or unclosed partition, or a brace in it, is refused by every store.
        for (const key of ["", ":x", "{}x", "{abc", "a{b:c", "a}b", "{a{b}c"]) {
          expect([
            key,
            ...(await rejection(() => store.apply([{ kind: "rate", key, spec, cost: 1 }], { nowMs: at }))),
          ]).toEqual([key, "INVALID_OPTIONS", "rules[0].key"]);
          expect([key, ...(await rejection(() => store.reset([key])))]).toEqual([
            key,
            "INVALID_OPTIONS",
            "keys[0]",
          ]);
        }
        expect(
          await rejection(() =>
            store.apply([{ kind: "rate", key: "x".repeat(4_097), spec, cost: 1 }], { nowMs: at }),
          ),
        ).toEqual(["INVALID_OPTIONS", "rules[0].key"]);
      });
    });

    it(`refuses a nowMs more than ${maxClockLagMs} ms before the latest time decided at, and keeps every state a later call may need`, async () => {
      await withStore(factory, async (store) => {
        const slow: RateLimitSpec = { algorithm: "gcra", limit: 1, windowMs: 3_000, burst: 1 };
        const fast: RateLimitSpec = { algorithm: "gcra", limit: 1, windowMs: 10, burst: 1 };
        const start = epoch + 300_000;
        expect(
          (await store.apply([{ kind: "rate", key: "org:slow", spec: slow, cost: 1 }], { nowMs: start }))
            .allowed,
        ).toBe(true);
        // Many keys later (a memory store sweeps once its map has grown), the clock at start + 3,900.
        const later = start + 3_900;
        await Promise.all(
          Array.from({ length: 1_100 }, (_, index) =>
            store.apply([{ kind: "rate", key: `org:many-${index}`, spec: fast, cost: 1 }], { nowMs: later }),
          ),
        );
        // Within the lag, a call still sees the slow key's debt (it expires at start + 3,000).
        const within = await store.apply([{ kind: "rate", key: "org:slow", spec: slow, cost: 1 }], {
          nowMs: later - maxClockLagMs + 50,
        });
        expect(within.allowed).toBe(false);
        expect(
          await rejection(() =>
            store.apply([{ kind: "rate", key: "org:slow", spec: slow, cost: 1 }], {
              nowMs: later - maxClockLagMs - 1,
            }),
          ),
        ).toEqual(["INVALID_OPTIONS", "options.nowMs"]);
        expect(
          await rejection(() => store.release("org:lease", "a", { nowMs: later - maxClockLagMs - 1 })),
        ).toEqual(["INVALID_OPTIONS", "options.nowMs"]);
        expect(
          (
            await store.apply([{ kind: "rate", key: "org:slow", spec: slow, cost: 1 }], {
              nowMs: later - maxClockLagMs,
            })
          ).allowed,
        ).toBe(false);
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
        cost: 1 + random.nextInt(2),
        leaseId: `l${random.nextInt(6)}`,
        ttlMs: 1 + random.nextInt(2_000),
        renew: random.nextInt(2) === 0,
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
        blockDurationMs: random.nextInt(4) === 0 ? [1, 300, 2_500][random.nextInt(3)]! : 0,
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
              now += [0, 1, 3, 50, 400, 3_000][random.nextInt(6)]! + (random.nextInt(3) === 0 ? 0.375 : 0);
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
