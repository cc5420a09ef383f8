import { defaultTierCatalogue, EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { type MaxMinTenant, maxMinAllocate, tierSlot } from "./max-min.js";

const relative = 1e-9;
const close = (a: number, b: number, scale = Math.max(1, Math.abs(a), Math.abs(b))): boolean =>
  Math.abs(a - b) <= relative * scale;

// No subnormal amounts: a demand so small that demand / weight underflows to 0 is rejected (its
// water level is not representable); a test checks that rejection on its own.
const amount = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-300, max: 1000, noNaN: true, noDefaultInfinity: true }),
);
const tenantArbitrary = fc.record(
  {
    demand: amount,
    weight: fc.double({ min: 0.01, max: 100, noNaN: true, noDefaultInfinity: true }),
    floor: amount,
    cap: amount,
  },
  { requiredKeys: ["demand"] },
);
const tenantsArbitrary = fc
  .array(tenantArbitrary, { minLength: 0, maxLength: 40 })
  .map((list) => list.map((t, i): MaxMinTenant => ({ id: `t${i}`, ...t })));

function bounds(t: MaxMinTenant): { low: number; high: number; weight: number } {
  const high = Math.min(t.demand, t.cap ?? Number.POSITIVE_INFINITY);
  return { low: Math.min(t.floor ?? 0, high), high, weight: t.weight ?? 1 };
}

/** Scenario where explicit floors fit: capacity at least the floors' sum. */
const scenario = tenantsArbitrary.chain((tenants) => {
  const floors = tenants.reduce((sum, t) => sum + bounds(t).low, 0);
  return fc
    .double({ min: 0, max: 5000, noNaN: true, noDefaultInfinity: true })
    .map((extra) => ({ tenants, capacity: floors + extra }));
});

describe("maxMinAllocate: invariants", () => {
  it("allocates min(C, sum u), within [l, u], at one water level, and never steals", () => {
    fc.assert(
      fc.property(scenario, ({ tenants, capacity }) => {
        const result = maxMinAllocate({ capacity, tenants });
        const sumUpper = tenants.reduce((sum, t) => sum + bounds(t).high, 0);
        const expected = Math.min(capacity, sumUpper);
        const scale = Math.max(1, capacity, sumUpper);
        expect(close(result.allocated, expected, scale)).toBe(true);
        let total = 0;
        for (const t of tenants) {
          const a = result.allocations[t.id]!;
          const { low, high, weight } = bounds(t);
          total += a;
          expect(a).toBeGreaterThanOrEqual(low - relative * scale);
          expect(a).toBeLessThanOrEqual(high + relative * scale);
          if (a > low + relative * scale && a < high - relative * scale) {
            expect(close(a, weight * result.level, scale)).toBe(true);
          }
        }
        expect(close(total, expected, scale)).toBe(true);
        // No-steal: below its upper bound, a tenant's normalised share is at least that of any
        // tenant above its floor.
        for (const i of tenants) {
          const bi = bounds(i);
          const ai = result.allocations[i.id]!;
          if (!(ai < bi.high - relative * scale)) continue;
          for (const j of tenants) {
            const bj = bounds(j);
            const aj = result.allocations[j.id]!;
            if (!(aj > bj.low + relative * scale)) continue;
            expect(ai / bi.weight).toBeGreaterThanOrEqual(aj / bj.weight - relative * scale);
          }
        }
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it("does not depend on the order of the tenants", () => {
    fc.assert(
      fc.property(
        scenario.chain((s) =>
          fc
            .shuffledSubarray(s.tenants, { minLength: s.tenants.length })
            .map((shuffled) => ({ ...s, shuffled })),
        ),
        ({ tenants, shuffled, capacity }) => {
          const a = maxMinAllocate({ capacity, tenants }).allocations;
          const b = maxMinAllocate({ capacity, tenants: shuffled }).allocations;
          for (const t of tenants) expect(close(a[t.id]!, b[t.id]!, Math.max(1, capacity))).toBe(true);
        },
      ),
      { seed: 2, numRuns: 200 },
    );
  });

  it("answers the same whatever ran before it (its scratch arrays are reused between calls)", () => {
    const tiered = scenario.chain(({ tenants, capacity }) =>
      fc
        .tuple(
          fc.array(fc.constantFrom("zero", "🟡", "lite", "🔵", "compliance", undefined), {
            minLength: tenants.length,
            maxLength: tenants.length,
          }),
          fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), { nil: undefined }),
        )
        .map(([tiers, dedicatedCapacity]) => ({
          capacity,
          overcommit: "scale-floors" as const,
          tenants: tenants.map((t, i) => (tiers[i] === undefined ? t : { ...t, tier: tiers[i] })),
          ...(dedicatedCapacity === undefined ? {} : { dedicatedCapacity }),
        })),
    );
    fc.assert(
      fc.property(tiered, tiered, (options, before) => {
        const first = maxMinAllocate(options);
        maxMinAllocate(before);
        expect(maxMinAllocate(options)).toEqual(first);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("is monotone in capacity", () => {
    fc.assert(
      fc.property(
        scenario,
        fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }),
        ({ tenants, capacity }, more) => {
          const small = maxMinAllocate({ capacity, tenants }).allocations;
          const large = maxMinAllocate({ capacity: capacity + more, tenants }).allocations;
          const scale = Math.max(1, capacity + more);
          for (const t of tenants)
            expect(large[t.id]!).toBeGreaterThanOrEqual(small[t.id]! - relative * scale);
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });
});

describe("maxMinAllocate: reference vectors", () => {
  it("matches Kubernetes conc_alloc vectors", () => {
    const ids = ["a", "b", "c", "d"];
    const first = maxMinAllocate({
      capacity: 14,
      tenants: [3, 7, 9, 1].map((demand, i) => ({ id: ids[i]!, demand })),
    });
    expect({ ...first.allocations }).toEqual({ a: 3, b: 5, c: 5, d: 1 });
    expect(first.level).toBe(5);
    const second = maxMinAllocate({
      capacity: 42,
      tenants: [
        { id: "a", demand: 1 },
        { id: "b", demand: 47 },
      ],
    });
    expect({ ...second.allocations }).toEqual({ a: 1, b: 41 });
  });

  it("splits by weight, respects caps and never grants a floor above demand", () => {
    const result = maxMinAllocate({
      capacity: 60,
      tenants: [
        { id: "heavy", demand: 100, weight: 2 },
        { id: "light", demand: 100, weight: 1, cap: 15 },
        { id: "floored", demand: 4, floor: 50 },
      ],
    });
    expect(result.allocations["floored"]).toBe(4);
    expect(result.allocations["light"]).toBe(15);
    expect(result.allocations["heavy"]).toBe(41);
    expect(result.unallocated).toBe(0);
  });

  it("gives an empty tenant list an empty result", () => {
    const result = maxMinAllocate({ capacity: 10, tenants: [] });
    expect(Object.keys(result.allocations)).toEqual([]);
    expect(result.allocated).toBe(0);
    expect(result.unallocated).toBe(10);
  });
});

describe("maxMinAllocate: tiers", () => {
  it("resolves each standard tier spelling without evicting another", () => {
    const spellings = defaultTierCatalogue.tiers.flatMap((t) => [t.id, t.emoji, `${t.emoji} ${t.id}`]);
    expect(new Set(spellings.map(tierSlot)).size).toBe(15);
    // Every spelling of every tier in one list, twice over: each tenant gets its tier's weight.
    const tenants = [...spellings, ...spellings].map((tier, i) => ({ id: `t${i}`, demand: 1_000, tier }));
    const result = maxMinAllocate({ capacity: 1_000, tenants, tierFloors: "none" });
    for (const tenant of tenants) {
      const weight = defaultTierCatalogue.parse(tenant.tier).weight;
      expect(result.allocations[tenant.id]).toBeCloseTo(weight * result.level, 9);
    }
  });

  it("derives weights from tiers (id or emoji)", () => {
    const result = maxMinAllocate({
      capacity: 60,
      tierFloors: "none",
      tenants: [
        { id: "z", demand: 100, tier: "zero" },
        { id: "s", demand: 100, tier: "🟡" },
      ],
    });
    expect(result.allocations["z"]).toBeCloseTo(10, 9);
    expect(result.allocations["s"]).toBeCloseTo(50, 9);
  });

  it("guarantees each tier class at least min(floor, its demand)", () => {
    const tiers = ["zero", "shared", "lite"] as const;
    const fractions = { zero: 0.05, shared: 0.1, lite: 0.2 };
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            demand: amount,
            tier: fc.constantFrom(...tiers),
            weight: fc.option(fc.double({ min: 0.01, max: 1000, noNaN: true, noDefaultInfinity: true }), {
              nil: undefined,
            }),
          }),
          { maxLength: 30, size: "max" },
        ),
        fc.double({ min: 0, max: 5000, noNaN: true, noDefaultInfinity: true }),
        (rows, capacity) => {
          const tenants = rows.map((row, i) => ({
            id: `t${i}`,
            demand: row.demand,
            tier: row.tier,
            ...(row.weight === undefined ? {} : { weight: row.weight }),
          }));
          const result = maxMinAllocate({ capacity, tenants });
          const scale = Math.max(1, capacity);
          for (const tier of tiers) {
            const members = tenants.filter((t) => t.tier === tier);
            const demand = members.reduce((sum, t) => sum + t.demand, 0);
            const got = members.reduce((sum, t) => sum + result.allocations[t.id]!, 0);
            expect(got).toBeGreaterThanOrEqual(
              Math.min(fractions[tier] * capacity, demand) - relative * scale,
            );
          }
          const total = tenants.reduce((sum, t) => sum + t.demand, 0);
          expect(close(result.allocated, Math.min(capacity, total), scale)).toBe(true);
        },
      ),
      { seed: 4, numRuns: 300 },
    );
  });

  it("lets a binding class floor lift a low-weight tier, one level inside it", () => {
    const tenants = [
      { id: "z1", demand: 100, tier: "zero" },
      { id: "z2", demand: 100, tier: "zero", weight: 3 },
      { id: "l", demand: 1000, tier: "lite", weight: 1000 },
    ];
    const withFloors = maxMinAllocate({ capacity: 100, tenants });
    const without = maxMinAllocate({ capacity: 100, tenants, tierFloors: "none" });
    expect(without.allocations["z1"]! + without.allocations["z2"]!).toBeLessThan(5);
    expect(withFloors.allocations["z1"]! + withFloors.allocations["z2"]!).toBeCloseTo(5, 9);
    expect(withFloors.allocations["z2"]! / withFloors.allocations["z1"]!).toBeCloseTo(3, 9);
    expect(withFloors.tierFloorTotals.zero).toBeCloseTo(5, 9);
  });

  it('reads floors per tenant with tierFloors: "tenant" and rejects or scales when they overcommit', () => {
    const tenants = Array.from({ length: 30 }, (_, i) => ({ id: `z${i}`, demand: 10, tier: "zero" }));
    let caught: unknown;
    try {
      maxMinAllocate({ capacity: 100, tenants, tierFloors: "tenant" });
    } catch (error) {
      caught = error;
    }
    expect(EnisError.isInstance(caught) && caught.code).toBe("INFEASIBLE");
    expect((caught as Error).message).toMatch(/^capacity must be at least 150.*short by 50.*got 100$/);
    const scaled = maxMinAllocate({
      capacity: 100,
      tenants,
      tierFloors: "tenant",
      overcommit: "scale-floors",
    });
    expect(scaled.floorScale).toBeCloseTo(100 / 150, 12);
    expect(scaled.allocated).toBeCloseTo(100, 9);
    for (const t of tenants) expect(scaled.allocations[t.id]).toBeCloseTo(100 / 30, 9);
  });

  it("rejects or scales explicit floors above capacity", () => {
    const tenants = [
      { id: "a", demand: 50, floor: 40 },
      { id: "b", demand: 50, floor: 20 },
    ];
    expect(() => maxMinAllocate({ capacity: 30, tenants })).toThrow(/short by 30/);
    const scaled = maxMinAllocate({ capacity: 30, tenants, overcommit: "scale-floors" });
    expect(scaled.floorScale).toBeCloseTo(0.5, 12);
    expect(scaled.allocations["a"]).toBeCloseTo(20, 9);
    expect(scaled.allocations["b"]).toBeCloseTo(10, 9);
  });
});

describe("maxMinAllocate: dedicated tiers", () => {
  const oneOfEachTier = [
    { id: "z", demand: 40, tier: "🟤" },
    { id: "s", demand: 40, tier: "🟡" },
    { id: "l", demand: 40, tier: "🟢" },
    { id: "e", demand: 20, tier: "🔵" },
    { id: "c", demand: 30, tier: "🔴" },
  ];
  const total = (record: Record<string, number>) => Object.values(record).reduce((sum, a) => sum + a, 0);

  it("hands out the capacity and no more: 100 vCPU among one tenant of each tier", () => {
    const result = maxMinAllocate({ capacity: 100, tenants: oneOfEachTier });
    expect(total(result.allocations)).toBeCloseTo(100, 9);
    expect(result.allocated).toBeCloseTo(100, 9);
    expect(result.unallocated).toBe(0);
    expect(result.dedicated).toBeUndefined();
    // 🔵 and 🔴 get their demand first; 🟤's class floor (5 % of 100) binds against the weights 1 / 5 / 10.
    expect(result.allocations["e"]).toBe(20);
    expect(result.allocations["c"]).toBe(30);
    expect(result.allocations["z"]).toBeCloseTo(5, 9);
    expect(result.allocations["s"]).toBeCloseTo(15, 9);
    expect(result.allocations["l"]).toBeCloseTo(30, 9);
  });

  it("serves a dedicated tier's guarantee first, from the shared capacity", () => {
    // 🔵 and 🔴 are guaranteed min(demand, cap) before the pool is water-filled, whatever their weight.
    const tenants = [
      { id: "e", demand: 80, tier: "enterprise", cap: 20, weight: 0.001 },
      { id: "c", demand: 30, tier: "🔴", weight: 0.001 },
      { id: "z", demand: 1_000, tier: "zero", weight: 1_000 },
    ];
    const result = maxMinAllocate({ capacity: 100, tenants });
    expect({ ...result.allocations }).toEqual({ e: 20, c: 30, z: 50 });
    expect(result.tierFloorTotals).toMatchObject({ enterprise: 20, compliance: 30 });
    // Without tier floors the tiers give weights only, and the weights decide.
    const weightsOnly = maxMinAllocate({ capacity: 100, tenants, tierFloors: "none" });
    expect(weightsOnly.allocations["c"]!).toBeLessThan(0.01);
    expect(weightsOnly.allocated).toBeCloseTo(100, 9);
  });

  it("applies the overcommit policy when dedicated guarantees exceed the capacity", () => {
    const tenants = oneOfEachTier.map((t) => (t.id === "c" ? { ...t, demand: 50 } : t));
    const error = catchEnisError(() => maxMinAllocate({ capacity: 100, tenants }));
    expect([error.code, error.field]).toEqual(["INFEASIBLE", "capacity"]);
    // Guarantees: 20 + 50 for 🔵 🔴, 5 + 10 + 20 for the classes of 🟤 🟡 🟢: 105 above 100.
    expect(error.message).toMatch(/^capacity must be at least 105.*short by 5.*got 100$/);
    const scaled = maxMinAllocate({ capacity: 100, tenants, overcommit: "scale-floors" });
    expect(scaled.floorScale).toBeCloseTo(100 / 105, 12);
    expect(scaled.allocations["c"]).toBeCloseTo((50 * 100) / 105, 9);
    expect(scaled.allocated).toBeCloseTo(100, 9);
  });

  it("serves dedicated tiers from dedicatedCapacity only when it is given, and reports it apart", () => {
    const result = maxMinAllocate({ capacity: 100, dedicatedCapacity: 30, tenants: oneOfEachTier });
    expect(Object.keys(result.allocations).sort()).toEqual(["l", "s", "z"]);
    expect(result.allocated).toBeCloseTo(100, 9);
    expect(result.capacity).toBe(100);
    const dedicated = result.dedicated!;
    expect(dedicated.capacity).toBe(30);
    // Weights 50 / 100 at one level: e gets 50 r, c 100 r, summing to 30 → r = 0.2.
    expect(dedicated.level).toBeCloseTo(0.2, 12);
    expect(dedicated.allocations["e"]).toBeCloseTo(10, 9);
    expect(dedicated.allocations["c"]).toBeCloseTo(20, 9);
    expect(dedicated.allocated).toBeCloseTo(30, 9);
    expect(dedicated.unallocated).toBe(0);
    expect(dedicated.demandTotal).toBe(50);
    const roomy = maxMinAllocate({ capacity: 100, dedicatedCapacity: 500, tenants: oneOfEachTier });
    expect({ ...roomy.dedicated!.allocations }).toEqual({ e: 20, c: 30 });
    expect(roomy.dedicated!.unallocated).toBe(450);
  });

  it("never allocates more than capacity (+ dedicatedCapacity when given), for any mix of tiers", () => {
    const tiers = ["zero", "🟡", "lite", "🔵", "compliance", undefined] as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            demand: amount,
            tier: fc.constantFrom(...tiers),
            cap: fc.option(amount, { nil: undefined }),
            floor: fc.option(amount, { nil: undefined }),
            weight: fc.option(fc.double({ min: 0.01, max: 100, noNaN: true, noDefaultInfinity: true }), {
              nil: undefined,
            }),
          }),
          { maxLength: 30 },
        ),
        fc.double({ min: 0, max: 5000, noNaN: true, noDefaultInfinity: true }),
        fc.option(fc.double({ min: 0, max: 5000, noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
        fc.constantFrom("tier", "tenant", "none") as fc.Arbitrary<"tier" | "tenant" | "none">,
        (rows, capacity, dedicatedCapacity, tierFloors) => {
          const tenants = rows.map((row, i) => {
            const tenant: { -readonly [K in keyof MaxMinTenant]: MaxMinTenant[K] } = {
              id: `t${i}`,
              demand: row.demand,
            };
            if (row.tier !== undefined) tenant.tier = row.tier;
            if (row.cap !== undefined) tenant.cap = row.cap;
            if (row.floor !== undefined) tenant.floor = row.floor;
            if (row.weight !== undefined) tenant.weight = row.weight;
            return tenant;
          });
          const result = maxMinAllocate({
            capacity,
            tenants,
            tierFloors,
            overcommit: "scale-floors",
            ...(dedicatedCapacity === undefined ? {} : { dedicatedCapacity }),
          });
          const slack = 1e-9 * Math.max(1, capacity);
          expect(total(result.allocations)).toBeLessThanOrEqual(capacity + slack);
          expect(result.allocated).toBeLessThanOrEqual(capacity + slack);
          expect(result.unallocated).toBeGreaterThanOrEqual(0);
          for (const t of tenants) {
            const upper = Math.min(t.demand, t.cap ?? Number.POSITIVE_INFINITY);
            const a = result.allocations[t.id] ?? result.dedicated?.allocations[t.id];
            expect(a).toBeGreaterThanOrEqual(0);
            expect(a!).toBeLessThanOrEqual(upper + slack);
          }
          if (dedicatedCapacity === undefined) {
            expect(result.dedicated).toBeUndefined();
            expect(Object.keys(result.allocations)).toHaveLength(tenants.length);
          } else {
            const dedicated = result.dedicated!;
            const dedicatedSlack = 1e-9 * Math.max(1, dedicatedCapacity);
            expect(total(dedicated.allocations)).toBeLessThanOrEqual(dedicatedCapacity + dedicatedSlack);
            expect(dedicated.allocated + dedicated.unallocated).toBeCloseTo(dedicatedCapacity, 6);
            const dedicatedIds = tenants.filter((t) => t.tier === "🔵" || t.tier === "compliance");
            expect(Object.keys(dedicated.allocations).sort()).toEqual(dedicatedIds.map((t) => t.id).sort());
          }
        },
      ),
      { seed: 6, numRuns: 400 },
    );
  });
});

describe("maxMinAllocate: bad input", () => {
  it.each([
    ["demand", Number.NaN],
    ["demand", Number.POSITIVE_INFINITY],
    ["demand", -1],
    ["floor", Number.NEGATIVE_INFINITY],
    ["floor", -0.5],
    ["cap", Number.NaN],
    ["cap", Number.POSITIVE_INFINITY],
    ["weight", 0],
    ["weight", -2],
    ["weight", Number.NaN],
    ["weight", Number.POSITIVE_INFINITY],
  ])("rejects %s = %s naming the field and value", (key, value) => {
    const tenants = [
      { id: "ok", demand: 1 },
      { id: "bad", demand: 1, [key]: value },
    ];
    const error = catchEnisError(() => maxMinAllocate({ capacity: 10, tenants }));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe(`tenants[1].${key}`);
    expect(error.message).toContain(String(value));
  });

  it("rejects bad capacity, duplicate ids, unknown tiers and unknown keys", () => {
    expect(catchEnisError(() => maxMinAllocate({ capacity: Number.NaN, tenants: [] })).field).toBe(
      "capacity",
    );
    expect(catchEnisError(() => maxMinAllocate({ capacity: -1, tenants: [] })).code).toBe("INVALID_OPTIONS");
    const duplicate = catchEnisError(() =>
      maxMinAllocate({
        capacity: 1,
        tenants: [
          { id: "a", demand: 1 },
          { id: "b", demand: 1 },
          { id: "a", demand: 2 },
        ],
      }),
    );
    expect(duplicate).toMatchObject({ code: "DUPLICATE_ID", field: "tenants[2].id" });
    const dedicatedDuplicate = catchEnisError(() =>
      maxMinAllocate({
        capacity: 1,
        tenants: [
          { id: "a", demand: 1, tier: "enterprise" },
          { id: "a", demand: 1 },
        ],
      }),
    );
    expect(dedicatedDuplicate.code).toBe("DUPLICATE_ID");
    expect(
      catchEnisError(() => maxMinAllocate({ capacity: 1, tenants: [{ id: "a", demand: 1, tier: "gold" }] })),
    ).toMatchObject({ code: "UNKNOWN_TIER", field: "tenants[0].tier" });
    expect(
      catchEnisError(() =>
        maxMinAllocate({ capacity: 1, tenants: [{ id: "a", demand: 1, wieght: 2 } as never] }),
      ),
    ).toMatchObject({ code: "INVALID_OPTIONS", field: "tenants[0].wieght" });
    expect(
      catchEnisError(() => maxMinAllocate({ capacity: 1, tenants: [], fairness: 1 } as never)).field,
    ).toBe("options.fairness");
    expect(
      catchEnisError(() => maxMinAllocate({ capacity: 1, tenants: [], overcommit: "ignore" } as never)).field,
    ).toBe("overcommit");
  });

  it("rejects a weight so small that demand / weight overflows, and a malformed catalogue", () => {
    const overflow = catchEnisError(() =>
      maxMinAllocate({ capacity: 1e10, tenants: [{ id: "a", demand: 1e300, weight: 1e-299 }] }),
    );
    expect([overflow.code, overflow.field]).toEqual(["INVALID_OPTIONS", "tenants[0].weight"]);
    for (const catalogue of [{}, { parse: () => undefined }, { tiers: [] }]) {
      const error = catchEnisError(() =>
        maxMinAllocate({ capacity: 1, tenants: [], catalogue: catalogue as never }),
      );
      expect([error.code, error.field]).toEqual(["INVALID_OPTIONS", "catalogue"]);
    }
  });

  it("handles sums past the largest double, and rejects levels no double can hold", () => {
    // Demands summing to Infinity: still one level, the capacity handed out in full.
    const huge = maxMinAllocate({
      capacity: 10,
      tenants: [
        { id: "a", demand: 1e308 },
        { id: "b", demand: 1e308 },
        { id: "c", demand: 1 },
      ],
    });
    expect([huge.allocations, huge.allocated, huge.demandTotal]).toEqual([
      { a: 4.5, b: 4.5, c: 1 },
      10,
      Number.POSITIVE_INFINITY,
    ]);
    // Floors summing to Infinity are above any capacity.
    const floors = catchEnisError(() =>
      maxMinAllocate({
        capacity: 10,
        tenants: [
          { id: "a", demand: 1e308, floor: 1e308 },
          { id: "b", demand: 1e308, floor: 1e308 },
        ],
      }),
    );
    expect([floors.code, floors.field]).toEqual(["INFEASIBLE", "capacity"]);
    // Weights whose sum overflows, and a demand / weight that underflows to 0.
    const weights = catchEnisError(() =>
      maxMinAllocate({
        capacity: 10,
        tenants: [
          { id: "a", demand: 1e300, weight: 1e308 },
          { id: "b", demand: 1e300, weight: 1e308 },
        ],
      }),
    );
    expect([weights.code, weights.field]).toEqual(["INVALID_OPTIONS", "tenants[1].weight"]);
    const underflow = catchEnisError(() =>
      maxMinAllocate({ capacity: 1e-300, tenants: [{ id: "a", demand: 2e-300, weight: 1e30 }] }),
    );
    expect([underflow.code, underflow.field]).toEqual(["INVALID_OPTIONS", "tenants[0].weight"]);
  });

  it("answers malformed input with an EnisError, never a crash or NaN", () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.array(fc.oneof(fc.anything(), fc.record({ id: fc.anything(), demand: fc.anything() })), {
          maxLength: 5,
        }),
        (capacity, tenants) => {
          try {
            const result = maxMinAllocate({ capacity, tenants } as never);
            for (const value of Object.values(result.allocations)) expect(Number.isFinite(value)).toBe(true);
          } catch (error) {
            expect(EnisError.isInstance(error)).toBe(true);
            expect(["INVALID_OPTIONS", "DUPLICATE_ID", "UNKNOWN_TIER"]).toContain((error as EnisError).code);
          }
        },
      ),
      { seed: 5, numRuns: 500 },
    );
  });
});
