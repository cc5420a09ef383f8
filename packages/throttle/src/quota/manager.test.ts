import { EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../../test-support/enis-error.js";
import { adaptiveThrottleRate } from "../adaptive-throttle.js";
import { createMemoryStore } from "../memory-store.js";
import { createResilientStore } from "../resilient-store.js";
import { createQuotaManager } from "./manager.js";
import type { InProcessQuotaManager, QuotaManagerOptions } from "./types.js";

const epoch = 1_763_000_000_000;
const alice = { org: "acme", team: "data", user: "alice" };
const bob = { org: "acme", team: "data", user: "bob" };

function manager(overrides: Partial<QuotaManagerOptions> = {}): InProcessQuotaManager {
  let next = 0;
  // Tests that pass a store that is not in-process do not call checkSync.
  return createQuotaManager({
    dimensions: {
      requestsPerMinute: { kind: "rate", windowMs: 60_000, algorithm: "fixed-window" },
      requestsPerDay: { kind: "rate", windowMs: 86_400_000 },
      cpuMillicores: { kind: "gauge", leaseTtlMs: 30_000 },
    },
    limits: {
      org: { requestsPerMinute: { hard: 10, soft: 8 }, cpuMillicores: { hard: 6_000 } },
      team: { requestsPerMinute: { hard: 5 } },
      user: { requestsPerMinute: { hard: 3, soft: 1 }, cpuMillicores: { hard: 4_000 } },
    },
    createLeaseId: () => `lease-${next++}`,
    ...overrides,
  } as QuotaManagerOptions) as InProcessQuotaManager;
}

describe("createQuotaManager", () => {
  it("the most restrictive level wins, and a refusal spends nothing at any level", async () => {
    const quotas = manager();
    for (let i = 0; i < 3; i++) {
      expect((await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch })).allowed).toBe(true);
    }
    const refused = await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch });
    expect(refused).toMatchObject({ allowed: false, reason: "quota-hard" });
    expect(refused.refusals).toEqual([
      {
        level: "user",
        dimension: "requestsPerMinute",
        limit: 3,
        remaining: 0,
        retryAfterMs: 60_000 - (epoch % 60_000),
      },
    ]);
    // The refused check spent nothing at the team: bob still has the team's two remaining units.
    expect((await quotas.check(bob, { requestsPerMinute: 2 }, { nowMs: epoch })).allowed).toBe(true);
    const teamFull = await quotas.check(bob, { requestsPerMinute: 1 }, { nowMs: epoch });
    expect(teamFull.refusals.map((r) => r.level)).toEqual(["team"]);
  });

  it("spends every dimension at every level atomically: all or nothing", async () => {
    const quotas = manager();
    const first = await quotas.check(alice, { requestsPerMinute: 1, cpuMillicores: 3_000 }, { nowMs: epoch });
    expect(first.allowed).toBe(true);
    // cpu at the user level refuses (3000 + 2000 > 4000): the request counters must not move either.
    const refused = await quotas.check(
      alice,
      { requestsPerMinute: 1, cpuMillicores: 2_000 },
      { nowMs: epoch },
    );
    expect(refused.refusals.map((r) => `${r.level}.${r.dimension}`)).toEqual(["user.cpuMillicores"]);
    expect((await quotas.check(alice, { requestsPerMinute: 2 }, { nowMs: epoch })).allowed).toBe(true);
  });

  it("warns above soft limits while allowing", async () => {
    const quotas = manager();
    expect((await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch })).warnings).toEqual([]);
    const second = await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch });
    expect(second.allowed).toBe(true);
    expect(second.warnings).toEqual([
      { level: "user", dimension: "requestsPerMinute", used: 2, soft: 1, hard: 3 },
    ]);
  });

  it("holds gauge units until released or expired", async () => {
    const quotas = manager();
    const held = await quotas.check(alice, { cpuMillicores: 4_000 }, { nowMs: epoch });
    expect(held.leases).toHaveLength(2);
    expect(
      (await quotas.check(bob, { cpuMillicores: 2_500 }, { nowMs: epoch })).refusals.map((r) => r.level),
    ).toEqual(["org"]);
    await quotas.release(held, { nowMs: epoch + 1 });
    expect((await quotas.check(bob, { cpuMillicores: 2_500 }, { nowMs: epoch + 1 })).allowed).toBe(true);
    // Never released: bob's lease frees itself after leaseTtlMs.
    expect((await quotas.check(alice, { cpuMillicores: 4_000 }, { nowMs: epoch + 2 })).allowed).toBe(false);
    expect((await quotas.check(alice, { cpuMillicores: 4_000 }, { nowMs: epoch + 30_001 })).allowed).toBe(
      true,
    );
  });

  it("decides on the store's own state after the store forgets a key's entry (reset, sweep, release)", async () => {
    // A manager remembers where the memory store keeps each of its keys; the store may forget a
    // key meanwhile. A second manager on the same store remembers nothing: it shows what the
    // store holds, so each spend must be in the store, not in an entry it has let go.
    const store = createMemoryStore();
    // Two levels: the store reads a batch of several keys through the manager's memos.
    const options = {
      store,
      limits: {
        team: { requestsPerMinute: { hard: 100 }, cpuMillicores: { hard: 100_000 } },
        user: { requestsPerMinute: { hard: 2 }, cpuMillicores: { hard: 4_000 } },
      },
    };
    const quotas = manager(options);
    const spend = (nowMs: number) => quotas.checkSync(alice, { requestsPerMinute: 1 }, { nowMs }).allowed;
    const twoLeftInStore = (nowMs: number) =>
      manager(options).checkSync(alice, { requestsPerMinute: 2 }, { nowMs, dryRun: true }).allowed;
    // Each phase ends on a refusal, which reads the keys (and remembers their entries) but writes
    // nothing.
    expect([spend(epoch), spend(epoch), spend(epoch)]).toEqual([true, true, false]);
    await store.reset(["acme:quota:team:data:user:alice:requestsPerMinute"]);
    expect([twoLeftInStore(epoch), spend(epoch), twoLeftInStore(epoch), spend(epoch), spend(epoch)]).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);

    // Two minutes later every entry has expired; a thousand other keys make the store sweep them.
    const later = epoch + 120_000;
    const other = { algorithm: "gcra", limit: 1, windowMs: 1_000, burst: 1 } as const;
    for (let index = 0; index < 1_100; index++) {
      store.applySync([{ kind: "rate", key: `other:${index}`, spec: other, cost: 1 }], { nowMs: later });
    }
    expect(store.size).toBe(1_100);
    expect([spend(later), twoLeftInStore(later), spend(later), spend(later)]).toEqual([
      true,
      false,
      true,
      false,
    ]);

    // A lease's key is forgotten once its table is empty, and its expired table is replaced.
    const hold = (units: number, nowMs: number) =>
      quotas.checkSync(alice, { cpuMillicores: units }, { nowMs });
    const oneFreeInStore = (nowMs: number) =>
      manager(options).checkSync(alice, { cpuMillicores: 1 }, { nowMs, dryRun: true }).allowed;
    const held = hold(4_000, later);
    await quotas.release(held, { nowMs: later });
    expect([hold(4_000, later).allowed, oneFreeInStore(later), hold(1, later).allowed]).toEqual([
      true,
      false,
      false,
    ]);
    const leaseExpired = later + 30_000;
    expect([
      hold(4_000, leaseExpired).allowed,
      oneFreeInStore(leaseExpired),
      hold(1, leaseExpired).allowed,
    ]).toEqual([true, false, false]);
  });

  it("changes limits at runtime per organisation, team or user", async () => {
    const quotas = manager();
    quotas.setLimits(alice, { requestsPerMinute: { hard: 1 } });
    expect(quotas.limitsOf(alice)).toEqual({ requestsPerMinute: { hard: 1 } });
    expect(quotas.limitsOf(bob).requestsPerMinute?.hard).toBe(3);
    expect((await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch })).allowed).toBe(true);
    expect((await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch })).allowed).toBe(false);
    quotas.setLimits(alice, undefined);
    expect((await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch })).allowed).toBe(true);
    quotas.setLimits({ org: "acme" }, { requestsPerMinute: { hard: 0 } });
    expect(
      (await quotas.check(bob, { requestsPerMinute: 1 }, { nowMs: epoch })).refusals.map((r) => r.level),
    ).toEqual(["org"]);
  });

  it("matches the rules built afresh for every check, across limit changes and shared ids", () => {
    // Each check's plan (keys and limits per level) is built once and kept; a reference builds the
    // rules from the documented key layout for every check and applies them to a second store.
    const windowMs = 60_000;
    const defaults = { org: { hard: 6, burst: 4 }, team: { hard: 4 }, user: { hard: 2 } } as const;
    const ids = ["x", "y", "z"];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant("check" as const),
              org: fc.constantFrom(...ids),
              team: fc.option(fc.constantFrom(...ids), { nil: undefined }),
              user: fc.option(fc.constantFrom(...ids), { nil: undefined }),
              amount: fc.integer({ min: 0, max: 3 }),
              advanceMs: fc.constantFrom(0, 0, 7_000, 30_000),
            }),
            fc.record({
              op: fc.constant("limit" as const),
              depth: fc.integer({ min: 1, max: 3 }),
              id: fc.constantFrom(...ids),
              hard: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
            }),
          ),
          { maxLength: 80, size: "max" },
        ),
        (steps) => {
          const quotas = createQuotaManager({
            dimensions: { requests: { kind: "rate", windowMs } },
            limits: {
              org: { requests: defaults.org },
              team: { requests: defaults.team },
              user: { requests: defaults.user },
            },
          });
          const reference = createMemoryStore();
          const overrides = new Map<string, number>();
          let now = epoch;
          for (const step of steps) {
            if (step.op === "limit") {
              const path = {
                org: step.id,
                ...(step.depth > 1 ? { team: step.id } : {}),
                ...(step.depth > 2 ? { user: step.id } : {}),
              };
              const subject = [
                `${step.id}:quota:org`,
                `${step.id}:quota:team:${step.id}`,
                `${step.id}:quota:team:${step.id}:user:${step.id}`,
              ][step.depth - 1]!;
              quotas.setLimits(path, step.hard === undefined ? undefined : { requests: { hard: step.hard } });
              if (step.hard === undefined) overrides.delete(subject);
              else overrides.set(subject, step.hard);
              continue;
            }
            now += step.advanceMs;
            const team = step.team;
            const user = team === undefined ? undefined : step.user;
            const path = {
              org: step.org,
              ...(team === undefined ? {} : { team }),
              ...(user === undefined ? {} : { user }),
            };
            const subjects = [`${step.org}:quota:org`];
            if (team !== undefined) subjects.push(`${step.org}:quota:team:${team}`);
            if (user !== undefined) subjects.push(`${subjects[1]}:user:${user}`);
            const rules = subjects.map((subject, depth) => {
              const fallback = [defaults.org, defaults.team, defaults.user][depth]!;
              const override = overrides.get(subject);
              const hard = override ?? fallback.hard;
              const burst = override === undefined && "burst" in fallback ? fallback.burst : hard;
              return {
                kind: "rate" as const,
                key: `${subject}:requests`,
                spec: {
                  algorithm: "gcra" as const,
                  limit: Math.max(1, hard),
                  windowMs,
                  burst: Math.max(1, burst),
                },
                cost: hard < 1 ? Number.MAX_SAFE_INTEGER : step.amount,
              };
            });
            const decision = quotas.checkSync(path, { requests: step.amount }, { nowMs: now });
            if (step.amount === 0) {
              expect(decision.allowed).toBe(true);
              continue;
            }
            const expected = reference.applySync(rules, { nowMs: now });
            expect(decision.allowed).toBe(expected.allowed);
            expect(decision.refusals.map((r) => [r.level, r.remaining, r.retryAfterMs])).toEqual(
              expected.outcomes.flatMap((o, depth) =>
                o.allowed
                  ? []
                  : [
                      [
                        (["org", "team", "user"] as const)[depth],
                        // A hard limit of 0 leaves nothing, whatever its stand-in spec's burst says.
                        rules[depth]!.cost === Number.MAX_SAFE_INTEGER ? 0 : o.remaining,
                        o.retryAfterMs,
                      ],
                    ],
              ),
            );
          }
        },
      ),
      { seed: 23, numRuns: 200 },
    );
  });

  it("keeps ids with separators apart, and decides alike past the plans it keeps", () => {
    const quotas = createQuotaManager({
      dimensions: { requests: { kind: "rate", windowMs: 60_000 } },
      limits: { team: { requests: { hard: 1 } }, user: { requests: { hard: 1 } } },
    });
    // "a:team:b" as an organisation must not share a key with organisation "a", team "b".
    expect(quotas.checkSync({ org: "a", team: "b" }, { requests: 1 }, { nowMs: epoch }).allowed).toBe(true);
    expect(quotas.checkSync({ org: "a:team:b" }, { requests: 1 }, { nowMs: epoch }).allowed).toBe(true);
    expect(quotas.checkSync({ org: "a", team: "b:user:c" }, { requests: 1 }, { nowMs: epoch }).allowed).toBe(
      true,
    );
    expect(quotas.checkSync({ org: "a", team: "b" }, { requests: 1 }, { nowMs: epoch }).allowed).toBe(false);
    // More users than the manager keeps plans for (32,768 nodes): every first check allowed, every
    // second refused, whether its plan was kept or built again.
    const many = createQuotaManager({
      dimensions: { requests: { kind: "rate", windowMs: 60_000 } },
      limits: { user: { requests: { hard: 1 } } },
    });
    const users = 40_000;
    for (let round = 0; round < 2; round++) {
      let allowed = 0;
      for (let i = 0; i < users; i++) {
        const path = { org: "big", team: `t${i % 7}`, user: `u${i}` };
        if (many.checkSync(path, { requests: 1 }, { nowMs: epoch }).allowed) allowed++;
      }
      expect(allowed).toBe(round === 0 ? users : 0);
    }
    // A cache of 5 plan nodes, flushed over and over inside one round: the same decisions.
    const small = createQuotaManager({
      dimensions: { requests: { kind: "rate", windowMs: 60_000 } },
      limits: { org: { requests: { hard: 40 } }, user: { requests: { hard: 2 } } },
      planCacheSize: 5,
    });
    const decided: boolean[] = [];
    for (let i = 0; i < 120; i++) {
      const path = { org: `o${i % 2}`, team: `t${i % 2}`, user: `u${i % 7}` };
      decided.push(small.checkSync(path, { requests: 1 }, { nowMs: epoch }).allowed);
    }
    const kept = createQuotaManager({
      dimensions: { requests: { kind: "rate", windowMs: 60_000 } },
      limits: { org: { requests: { hard: 40 } }, user: { requests: { hard: 2 } } },
    });
    for (let i = 0; i < 120; i++) {
      const path = { org: `o${i % 2}`, team: `t${i % 2}`, user: `u${i % 7}` };
      expect(kept.checkSync(path, { requests: 1 }, { nowMs: epoch }).allowed).toBe(decided[i]);
    }
    // 14 distinct users (2 organisations × 7), 2 checks each.
    expect(decided.filter(Boolean).length).toBe(28);
  });

  it("applies a tenant's current throttle rate to its effective limits", async () => {
    const quotas = manager();
    const { rate } = adaptiveThrottleRate({
      tier: "🟤",
      systemLoad: 0.9,
      current: 4,
      baseline: 1,
      costPressure: 1,
      hourOfDay: 12,
    });
    // rate 0.68: the user's 3 per minute becomes floor(3 * 0.68) = 2.
    expect((await quotas.check(alice, { requestsPerMinute: 2 }, { nowMs: epoch, rate })).allowed).toBe(true);
    const refused = await quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: epoch, rate });
    expect(refused.refusals[0]).toMatchObject({ level: "user", limit: 2 });
  });

  it("admits exactly the limit under concurrent checks", async () => {
    const quotas = manager({ store: createMemoryStore() });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        quotas.check(
          { org: "acme", team: "t", user: `u${i % 5}` },
          { requestsPerMinute: 1 },
          { nowMs: epoch },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(5);
  });

  it("rejects bad input with EnisError naming the field", async () => {
    expect(catchEnisError(() => manager({ limits: { org: { unknown: { hard: 1 } } } })).field).toBe(
      "options.limits.org.unknown",
    );
    expect(
      catchEnisError(() => manager({ limits: { org: { requestsPerMinute: { hard: 1, soft: 2 } } } })).field,
    ).toBe("options.limits.org.requestsPerMinute.soft");
    expect(catchEnisError(() => manager({ dimensions: { x: { kind: "rate", windowMs: 0 } } })).field).toBe(
      "options.dimensions.x.windowMs",
    );
    for (const planCacheSize of [0, 1.5, Number.NaN, "100"]) {
      expect(catchEnisError(() => manager({ planCacheSize } as never)).field).toBe("options.planCacheSize");
    }
    const quotas = manager();
    const calls: [() => Promise<unknown>, string][] = [
      [() => quotas.check({ org: "" }, { requestsPerMinute: 1 }), "path.org"],
      [() => quotas.check({ org: "a", user: "u" }, { requestsPerMinute: 1 }), "path.team"],
      [() => quotas.check(alice, { requestsPerMinute: 1.5 }), "usage.requestsPerMinute"],
      [() => quotas.check(alice, { requestsPerMinute: -1 }), "usage.requestsPerMinute"],
      [() => quotas.check(alice, { gpus: 1 }), "usage.gpus"],
      [() => quotas.check(alice, { toString: 1 }), "usage.toString"],
      [() => quotas.check(alice, JSON.parse('{"__proto__": 1}')), "usage.__proto__"],
      [() => quotas.release({ leases: [null] } as never), "decision.leases[0]"],
      [() => quotas.release({ leases: [] } as never, null as never), "options"],
      [() => quotas.check(alice, { requestsPerMinute: 1 }, { rate: 0 }), "options.rate"],
      [() => quotas.check(alice, { requestsPerMinute: 1 }, { nowMs: Number.NaN }), "options.nowMs"],
    ];
    for (const [call, field] of calls) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(EnisError.isInstance(error) && error.field).toBe(field);
    }
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), async (path, usage) => {
        try {
          await quotas.check(path as never, usage as never, { nowMs: epoch });
        } catch (error) {
          return EnisError.isInstance(error);
        }
        return true;
      }),
      { seed: 81, numRuns: 300 },
    );
  });
});

describe("checkSync", () => {
  it("decides exactly as check, call for call, leases and warnings included", async () => {
    const sync = manager();
    const async = manager();
    let now = epoch;
    for (let step = 0; step < 200; step++) {
      now += [0, 5, 900, 20_000][step % 4]!;
      const path = step % 3 === 0 ? bob : alice;
      const usage = { requestsPerMinute: 1, ...(step % 4 === 0 ? { cpuMillicores: 1_000 } : {}) };
      const options = { nowMs: now, rate: step % 5 === 0 ? 0.5 : 1, dryRun: step % 9 === 0 };
      expect(sync.checkSync(path, usage, options)).toEqual(await async.check(path, usage, options));
    }
  });

  it("keeps dimension names with separators apart from deeper levels' keys", () => {
    const quotas = createQuotaManager({
      dimensions: {
        x: { kind: "rate", windowMs: 60_000, algorithm: "fixed-window" },
        "user:bob:x": { kind: "rate", windowMs: 60_000, algorithm: "fixed-window" },
      },
      limits: { team: { "user:bob:x": { hard: 1 } }, user: { x: { hard: 5 } } },
    });
    expect(quotas.checkSync({ org: "a", team: "t" }, { "user:bob:x": 1 }, { nowMs: epoch }).allowed).toBe(
      true,
    );
    // bob's own "x" is untouched by the team's "user:bob:x".
    expect(quotas.checkSync({ org: "a", team: "t", user: "bob" }, { x: 5 }, { nowMs: epoch }).allowed).toBe(
      true,
    );
  });

  it("reports nothing left under a hard limit of 0, whatever its burst", () => {
    const quotas = createQuotaManager({
      dimensions: { calls: { kind: "rate", windowMs: 60_000 } },
      limits: { org: { calls: { hard: 0, burst: 5 } } },
    });
    expect(quotas.checkSync({ org: "acme" }, { calls: 1 }, { nowMs: epoch }).refusals).toEqual([
      { level: "org", dimension: "calls", limit: 0, remaining: 0, retryAfterMs: Number.POSITIVE_INFINITY },
    ]);
  });

  it("rejects loose check options and malformed decisions instead of spending or throwing TypeError", async () => {
    const quotas = manager();
    const usage = { requestsPerMinute: 1 };
    for (const [options, field] of [
      [{ dryRun: "true" }, "options.dryRun"],
      [{ dryrun: true }, "options.dryrun"],
      [{ nowMs: 1e20 }, "options.nowMs"],
      [{ nowMs: -1 }, "options.nowMs"],
    ] as const) {
      expect(catchEnisError(() => quotas.checkSync(alice, usage, options as never)).field).toBe(field);
    }
    // None of them spent: alice's 3 per minute are all there.
    expect(quotas.checkSync(alice, { requestsPerMinute: 3 }, { dryRun: true, nowMs: epoch }).allowed).toBe(
      true,
    );
    const rejected = await quotas.release({ leases: 5 } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(EnisError.isInstance(rejected) && rejected.field).toBe("decision.leases");
  });

  it("exists only over an in-process store, and names the field of bad input", () => {
    const remote = createQuotaManager({
      dimensions: { calls: { kind: "rate", windowMs: 1_000 } },
      limits: {},
      store: createResilientStore({ store: createMemoryStore(), onUnavailable: "open" }),
    });
    // @ts-expect-error checkSync is not on the type of a manager over a store that is not in-process.
    expect(remote.checkSync).toBeUndefined();
    expect(catchEnisError(() => manager().checkSync(alice, { requestsPerMinute: -1 })).field).toBe(
      "usage.requestsPerMinute",
    );
    expect(catchEnisError(() => manager().checkSync({ org: "acme", user: "x" }, {})).field).toBe("path.team");
  });
});
