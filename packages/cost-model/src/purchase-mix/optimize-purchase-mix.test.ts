import {
  createLinearProgramSolver,
  type LinearProgramSolver,
  optimizePurchaseMix,
  type PurchaseMixOptions,
  type PurchaseMixResult,
  type PurchaseMixTenant,
  purchaseMixLinearProgram,
} from "@enis/cost-model";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

const seedPrices = { onDemand: 0.05, spot: 0.015, reserved: 0.035 };

let solver: LinearProgramSolver;
beforeAll(async () => {
  solver = await createLinearProgramSolver();
});

/**
 * Whether `cost` is the LP optimum `optimum` of `options`: within 1e-6 relative, or within what
 * HiGHS's own tolerance allows (it takes a reduced cost below 1e-7 of the largest price as 0, so its
 * vertex may cost up to that much more per hour).
 */
function matchesLp(options: PurchaseMixOptions, cost: number, optimum: number): boolean {
  const { onDemand, spot, reserved } = options.prices;
  const hours = options.tenants.reduce((sum, tenant) => sum + tenant.cpuHours, 0);
  return relativelyClose(cost, optimum, 1e-6, 1e-7 * Math.max(onDemand, spot, reserved) * hours + 1e-12);
}

/** The LP optimum of the same options (HiGHS), or its status when there is none. */
function lpOptimum(options: PurchaseMixOptions): number | "infeasible" | "unbounded" {
  const result = solver.solve(purchaseMixLinearProgram(options));
  return result.status === "optimal" ? result.objective : result.status;
}

const relativelyClose = (a: number, b: number, relative = 1e-6, absolute = 1e-9): boolean =>
  Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b)) + absolute;

/** Checks that `result` is a feasible split of `options` (to rounding) whose costs add up. */
function expectFeasible(options: PurchaseMixOptions, result: PurchaseMixResult): void {
  const { prices } = options;
  const cap = options.spotCapForHighSla ?? 0.2;
  const threshold = options.highSlaThreshold ?? 0.999;
  let reserved = 0;
  let total = 0;
  let scale = 1;
  expect(Object.keys(result.tenants).sort()).toEqual(options.tenants.map((tenant) => tenant.id).sort());
  for (const tenant of options.tenants) {
    const split = result.tenants[tenant.id]!;
    const tolerance = 1e-9 * Math.max(1, tenant.cpuHours);
    scale = Math.max(scale, tenant.cpuHours);
    expect(split.onDemand).toBeGreaterThanOrEqual(0);
    expect(split.spot).toBeGreaterThanOrEqual(0);
    expect(split.reserved).toBeGreaterThanOrEqual(0);
    expect(Math.abs(split.onDemand + split.spot + split.reserved - tenant.cpuHours)).toBeLessThanOrEqual(
      tolerance,
    );
    expect(split.highSla).toBe(tenant.sla > threshold);
    if (tenant.sla > threshold) expect(split.spot).toBeLessThanOrEqual(cap * tenant.cpuHours + tolerance);
    const cost =
      split.onDemand * prices.onDemand + split.spot * prices.spot + split.reserved * prices.reserved;
    expect(relativelyClose(split.costUsd, cost, 1e-12, 1e-12)).toBe(true);
    reserved += split.reserved;
    total += split.costUsd;
    for (const value of [split.onDemand, split.spot, split.reserved, split.costUsd]) {
      expect(Number.isFinite(value)).toBe(true);
    }
  }
  if (options.reservedCapacity !== undefined) {
    expect(reserved).toBeLessThanOrEqual(
      options.reservedCapacity + 1e-9 * Math.max(1, options.reservedCapacity),
    );
  }
  expect(relativelyClose(result.totalCostUsd, total, 1e-12, 1e-12)).toBe(true);
  expect(Number.isFinite(result.savingsPercent)).toBe(true);
  expect(result.savingsUsd).toBeGreaterThanOrEqual(0);
  expect(scale).toBeGreaterThan(0);
}

// Prices drawn from a few round values, so that ties (spot = reserved, reserved = on-demand, …)
// and every ordering of the three come up often; plus arbitrary doubles from 1e-6 (the budget row
// holds all three prices, and the LP refuses a row whose coefficients span more than 1e9).
const priceValue = fc.oneof(
  fc.constantFrom(0, 0.01, 0.015, 0.02, 0.035, 0.05),
  fc.double({ min: 1e-6, max: 1, noNaN: true, noDefaultInfinity: true }),
);
const pricesArbitrary = fc.record({ onDemand: priceValue, spot: priceValue, reserved: priceValue });
const hoursArbitrary = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 2000 }),
  fc.double({ min: 1e-6, max: 5000, noNaN: true, noDefaultInfinity: true }),
);
const slaArbitrary = fc.oneof(
  fc.constantFrom(0.99, 0.999, 0.9995, 0.9999, 1, 0),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const tenantsArbitrary = fc
  .array(fc.record({ cpuHours: hoursArbitrary, sla: slaArbitrary }), { minLength: 0, maxLength: 25 })
  .map((list) => list.map((tenant, index): PurchaseMixTenant => ({ id: `tenant-${index}`, ...tenant })));

/**
 * Options without a budget, with a reserved capacity around what the tenants could use (none, 0,
 * a fraction of the hours, or exactly all of them), and any spot cap.
 */
const instanceArbitrary = fc
  .record({
    tenants: tenantsArbitrary,
    prices: pricesArbitrary,
    capacityKind: fc.constantFrom("none", "zero", "fraction", "all"),
    capacityFraction: fc.double({ min: 0, max: 1.2, noNaN: true }),
    spotCapForHighSla: fc.oneof(fc.constantFrom(0, 0.2, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    highSlaThreshold: fc.constantFrom(0.999, 0.99, 0.9995),
  })
  .map(({ tenants, prices, capacityKind, capacityFraction, spotCapForHighSla, highSlaThreshold }) => {
    const totalHours = tenants.reduce((sum, tenant) => sum + tenant.cpuHours, 0);
    const options: PurchaseMixOptions = { tenants, prices, spotCapForHighSla, highSlaThreshold };
    if (capacityKind === "none") return options;
    const reservedCapacity =
      capacityKind === "zero" ? 0 : capacityKind === "all" ? totalHours : capacityFraction * totalHours;
    return { ...options, reservedCapacity };
  });

describe("optimizePurchaseMix: the seed's example", () => {
  it("splits by price: spot for the batch tenant, the high-SLA tenant capped at 20% spot, reserved up to its capacity", () => {
    const mix = optimizePurchaseMix({
      tenants: [
        { id: "batch", cpuHours: 1000, sla: 0.99 },
        { id: "payments", cpuHours: 500, sla: 0.9999 },
      ],
      prices: seedPrices,
      reservedCapacity: 300,
    });
    expect(mix.tenants["batch"]).toEqual({
      onDemand: 0,
      spot: 1000,
      reserved: 0,
      costUsd: 15,
      highSla: false,
    });
    const payments = mix.tenants["payments"]!;
    expect(payments.spot).toBeCloseTo(100, 12);
    expect(payments.reserved).toBeCloseTo(300, 12);
    expect(payments.onDemand).toBeCloseTo(100, 12);
    expect(mix.totalCostUsd).toBeCloseTo(32, 12);
    expect(mix.allOnDemandCostUsd).toBeCloseTo(75, 12);
    expect(mix.savingsUsd).toBeCloseTo(43, 12);
    expect(mix.savingsPercent).toBeCloseTo((43 / 75) * 100, 10);
    expect(mix.binding).toEqual(["reservedCapacity", "spotCapForHighSla"]);
    // One more reserved hour replaces an on-demand hour (0.05 - 0.035); one more spot hour for
    // payments replaces an on-demand hour too (0.05 - 0.015).
    expect(mix.shadowPricesUsd.reservedCapacity).toBeCloseTo(0.015, 12);
    expect(mix.shadowPricesUsd.spotCapForHighSla).toBeCloseTo(0.035, 12);
    expect(mix.totals.spot).toBeCloseTo(1100, 12);
  });

  it("is the LP's optimum (HiGHS) on the same example", () => {
    const options: PurchaseMixOptions = {
      tenants: [
        { id: "batch", cpuHours: 1000, sla: 0.99 },
        { id: "payments", cpuHours: 500, sla: 0.9999 },
      ],
      prices: seedPrices,
      reservedCapacity: 300,
    };
    expect(lpOptimum(options)).toBeCloseTo(optimizePurchaseMix(options).totalCostUsd, 9);
  });

  it("extends as an LP with the user's own constraint (a spot pool), solved by solveLinearProgram", () => {
    const tenants = [
      { id: "batch", cpuHours: 1000, sla: 0.99 },
      { id: "payments", cpuHours: 500, sla: 0.9999 },
    ];
    const model = purchaseMixLinearProgram({ tenants, prices: seedPrices, reservedCapacity: 300 });
    const pool = Object.fromEntries(tenants.map((tenant) => [`spot:${tenant.id}`, 1]));
    const result = solver.solve({
      ...model,
      constraints: [...(model.constraints ?? []), { id: "spotPool", terms: pool, relation: "<=", rhs: 800 }],
    });
    expect(result.status).toBe("optimal");
    if (result.status !== "optimal") return;
    // 300 of the closed form's 1,100 spot hours move to on-demand, at 0.05 - 0.015 each.
    expect(result.objective).toBeCloseTo(32 + 300 * 0.035, 9);
    expect((result.values["spot:batch"] ?? 0) + (result.values["spot:payments"] ?? 0)).toBeCloseTo(800, 9);
    expect(result.shadowPrices["spotPool"]).toBeCloseTo(-0.035, 9);
    expect(result.binding).toEqual(["spotCap:payments", "reservedCapacity", "spotPool"]);
  });

  it("treats sla strictly above the threshold as high-SLA, as the seed (`sla > 0.999`)", () => {
    const mix = optimizePurchaseMix({
      tenants: [
        { id: "three-nines", cpuHours: 100, sla: 0.999 },
        { id: "more", cpuHours: 100, sla: 0.9991 },
      ],
      prices: seedPrices,
    });
    expect(mix.tenants["three-nines"]!.spot).toBe(100);
    expect(mix.tenants["more"]!.spot).toBeCloseTo(20, 12);
    // Without a reserved limit the rest of the capped tenant's hours are reserved, not on-demand.
    expect(mix.tenants["more"]!.reserved).toBeCloseTo(80, 12);
    expect(mix.binding).toEqual(["spotCapForHighSla"]);
    expect(mix.shadowPricesUsd).toEqual({ reservedCapacity: 0, spotCapForHighSla: 0.035 - 0.015 });
  });
});

describe("optimizePurchaseMix: the exact optimum of the LP", () => {
  it("costs what HiGHS finds (within 1e-6 relative), with a feasible split, on random instances", () => {
    fc.assert(
      fc.property(instanceArbitrary, (options) => {
        const mix = optimizePurchaseMix(options);
        expectFeasible(options, mix);
        const optimum = lpOptimum(options);
        expect(typeof optimum).toBe("number");
        expect(matchesLp(options, mix.totalCostUsd, optimum as number)).toBe(true);
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  it("meets a budget at or above the minimum (binding when equal), and refuses one below it with the LP's minimum", () => {
    fc.assert(
      fc.property(
        instanceArbitrary,
        fc.constantFrom("above", "equal", "below"),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        (options, kind, margin) => {
          const minimum = lpOptimum(options) as number;
          const budgetUsd =
            kind === "above"
              ? minimum * (1 + margin) + 1
              : kind === "equal"
                ? minimum
                : minimum * (1 - margin);
          if (kind === "below" && !(minimum > 0)) return; // no budget below 0 to try
          const withBudget = { ...options, budgetUsd };
          if (kind === "below") {
            // HiGHS sees a shortfall only above its feasibility tolerance (1e-7 on scaled rows).
            if (minimum * margin > 1e-6) expect(lpOptimum(withBudget)).toBe("infeasible");
            const error = catchEnisError(() => optimizePurchaseMix(withBudget));
            expect(error.code).toBe("INFEASIBLE");
            expect(error.field).toBe("options.budgetUsd");
            expect(error.message).toContain("budget is the binding constraint");
            const smallest = Number(/at least (\S+) /.exec(error.message)?.[1]);
            expect(matchesLp(options, smallest, minimum)).toBe(true);
            // The budget the message names works.
            expect(optimizePurchaseMix({ ...options, budgetUsd: smallest }).binding).toContain("budget");
            return;
          }
          const mix = optimizePurchaseMix(withBudget);
          expect(matchesLp(options, mix.totalCostUsd, minimum)).toBe(true);
          expect(mix.binding.includes("budget")).toBe(kind === "equal");
          expect(typeof lpOptimum(withBudget)).toBe("number");
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });

  it("reports shadow prices that are optimal duals of the LP: their dual objective is HiGHS's optimum", () => {
    fc.assert(
      fc.property(instanceArbitrary, (options) => {
        const mix = optimizePurchaseMix(options);
        const { onDemand: o, spot: s, reserved: r } = options.prices;
        const cap = options.spotCapForHighSla ?? 0.2;
        const threshold = options.highSlaThreshold ?? 0.999;
        const lambda = mix.shadowPricesUsd.reservedCapacity;
        expect(lambda).toBeGreaterThanOrEqual(0);
        if (options.reservedCapacity === undefined) expect(lambda).toBe(0);
        // The dual solution the proof builds from λ: u = min(o, r + λ) per tenant-hour, μ = max(0, u − s)
        // per hour of spot allowance. It is feasible by construction; equal objectives make it optimal.
        const u = Math.min(o, r + lambda);
        const mu = Math.max(0, u - s);
        let dual = 0;
        for (const tenant of options.tenants) {
          const allowance = tenant.sla > threshold ? cap * tenant.cpuHours : tenant.cpuHours;
          dual += tenant.cpuHours * u - allowance * mu;
        }
        if (options.reservedCapacity !== undefined) dual -= options.reservedCapacity * lambda;
        expect(matchesLp(options, dual, lpOptimum(options) as number)).toBe(true);
        const capped = options.tenants.some(
          (tenant) => tenant.sla > threshold && cap * tenant.cpuHours < tenant.cpuHours,
        );
        expect(mix.shadowPricesUsd.spotCapForHighSla).toBe(capped ? mu : 0);
        expect(mix.binding.includes("reservedCapacity")).toBe(lambda > 0);
        expect(mix.binding.includes("spotCapForHighSla")).toBe(capped && mu > 0);
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it("prices a reserved hour at what one more would save (the right derivative of the minimum cost)", () => {
    fc.assert(
      fc.property(
        instanceArbitrary.filter((options) => options.reservedCapacity !== undefined),
        (options) => {
          const capacity = options.reservedCapacity!;
          const at = (reservedCapacity: number) => optimizePurchaseMix({ ...options, reservedCapacity });
          const { totalCostUsd: base, shadowPricesUsd } = at(capacity);
          const expected = shadowPricesUsd.reservedCapacity;
          // A step short of the next breakpoint (where the price changes): halved until the price
          // at its end is the same.
          let step = 1e-7 * Math.max(1, capacity);
          while (at(capacity + step).shadowPricesUsd.reservedCapacity !== expected && step > 1e-30) step /= 2;
          const relaxed = at(capacity + step).totalCostUsd;
          // Both costs are rounded sums: their difference is good to a few ulps of the cost.
          const rounding = (1e-14 * Math.max(1, base)) / step;
          expect(Math.abs((base - relaxed) / step - expected)).toBeLessThan(1e-6 + rounding);
        },
      ),
      { seed: 16, numRuns: 300 },
    );
  });

  it("costs no more than any random feasible split", () => {
    const splitArbitrary = fc.array(
      fc.record({
        spot: fc.double({ min: 0, max: 1, noNaN: true }),
        reserved: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { minLength: 25, maxLength: 25 },
    );
    fc.assert(
      fc.property(instanceArbitrary, splitArbitrary, (options, fractions) => {
        const mix = optimizePurchaseMix(options);
        const cap = options.spotCapForHighSla ?? 0.2;
        const threshold = options.highSlaThreshold ?? 0.999;
        // A random split: a share of each tenant's hours on spot (within its cap), a share of the
        // rest reserved, all reserved hours scaled down together to the capacity, the rest on-demand.
        const splits = options.tenants.map((tenant, index) => {
          const limit = tenant.sla > threshold ? cap : 1;
          const spot = fractions[index]!.spot * limit * tenant.cpuHours;
          const reserved = fractions[index]!.reserved * (tenant.cpuHours - spot);
          return { spot, reserved, hours: tenant.cpuHours };
        });
        const reservedTotal = splits.reduce((sum, split) => sum + split.reserved, 0);
        const shrink =
          options.reservedCapacity !== undefined && reservedTotal > options.reservedCapacity
            ? options.reservedCapacity / reservedTotal
            : 1;
        const { prices } = options;
        let cost = 0;
        for (const split of splits) {
          const reserved = split.reserved * shrink;
          const onDemand = split.hours - split.spot - reserved;
          cost += onDemand * prices.onDemand + split.spot * prices.spot + reserved * prices.reserved;
        }
        expect(mix.totalCostUsd).toBeLessThanOrEqual(cost + 1e-9 * Math.max(1, cost));
      }),
      { seed: 14, numRuns: 500 },
    );
  });

  it("gives every tenant the same split whatever the order of the list (ties shared in proportion)", () => {
    fc.assert(
      fc.property(instanceArbitrary, fc.integer(), (options, seed) => {
        const shuffled = [...options.tenants];
        let state = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
          const j = state % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const a = optimizePurchaseMix(options);
        const b = optimizePurchaseMix({ ...options, tenants: shuffled });
        for (const tenant of options.tenants) {
          const x = a.tenants[tenant.id]!;
          const y = b.tenants[tenant.id]!;
          for (const key of ["onDemand", "spot", "reserved", "costUsd"] as const) {
            expect(relativelyClose(x[key], y[key], 1e-12, 1e-12)).toBe(true);
          }
        }
      }),
      { seed: 15, numRuns: 200 },
    );
  });
});

describe("optimizePurchaseMix: price orderings and ties", () => {
  const tenants: PurchaseMixTenant[] = [
    { id: "low", cpuHours: 100, sla: 0.99 },
    { id: "high", cpuHours: 100, sla: 0.9999 },
  ];

  it("spot at or above on-demand: no spot at all; reserved where cheaper", () => {
    const mix = optimizePurchaseMix({ tenants, prices: { onDemand: 0.05, spot: 0.05, reserved: 0.04 } });
    expect(mix.totals).toEqual({ onDemand: 0, spot: 0, reserved: 200 });
    const pricey = optimizePurchaseMix({ tenants, prices: { onDemand: 0.05, spot: 0.06, reserved: 0.07 } });
    expect(pricey.totals).toEqual({ onDemand: 200, spot: 0, reserved: 0 });
    expect(pricey.savingsUsd).toBe(0);
    expect(pricey.binding).toEqual([]);
  });

  it("reserved at on-demand's price is not bought (on-demand is preferred on a tie)", () => {
    const mix = optimizePurchaseMix({ tenants, prices: { onDemand: 0.05, spot: 0.015, reserved: 0.05 } });
    expect(mix.tenants["high"]).toMatchObject({ onDemand: 80, reserved: 0 });
    expect(mix.tenants["high"]!.spot).toBeCloseTo(20, 12);
    expect(mix.tenants["low"]).toMatchObject({ spot: 100, reserved: 0 });
  });

  it("reserved at spot's price takes spot's hours first (it cannot be interrupted), spot the rest", () => {
    const mix = optimizePurchaseMix({
      tenants,
      prices: { onDemand: 0.05, spot: 0.02, reserved: 0.02 },
      reservedCapacity: 130,
    });
    // 80 of the high tenant's hours save 0.03 each reserved; the 120 spot-eligible hours save 0;
    // the other 50 reserved hours are shared by them in proportion (50/120 of each).
    expect(mix.tenants["high"]!.reserved).toBeCloseTo(80 + (20 * 50) / 120, 9);
    expect(mix.tenants["low"]!.reserved).toBeCloseTo((100 * 50) / 120, 9);
    expect(mix.tenants["low"]!.spot).toBeCloseTo(100 - (100 * 50) / 120, 9);
    // One more reserved hour replaces a spot hour at the same price: the capacity does not bind.
    expect(mix.shadowPricesUsd.reservedCapacity).toBe(0);
    expect(mix.binding).toEqual([]);
    expect(mix.totalCostUsd).toBeCloseTo(200 * 0.02, 12);
  });

  it("reserved below spot: reserved first everywhere, spot only when reserved runs out", () => {
    const mix = optimizePurchaseMix({
      tenants,
      prices: { onDemand: 0.05, spot: 0.02, reserved: 0.01 },
      reservedCapacity: 100,
    });
    // 80 over-cap hours first (saving 0.04), then 20 of the 120 spot-eligible hours (saving 0.01).
    expect(mix.tenants["high"]!.reserved).toBeCloseTo(80 + (20 * 20) / 120, 9);
    expect(mix.tenants["low"]!.reserved).toBeCloseTo((100 * 20) / 120, 9);
    expect(mix.totals.onDemand).toBe(0);
    expect(mix.shadowPricesUsd.reservedCapacity).toBeCloseTo(0.01, 12);
    expect(mix.shadowPricesUsd.spotCapForHighSla).toBe(0);
    expect(mix.binding).toEqual(["reservedCapacity"]);
  });

  it("shares a short reserved capacity among tenants in proportion to the hours it saves most on", () => {
    const mix = optimizePurchaseMix({
      tenants: [
        { id: "a", cpuHours: 300, sla: 0.9999 },
        { id: "b", cpuHours: 100, sla: 0.9999 },
      ],
      prices: seedPrices,
      reservedCapacity: 160,
    });
    // Over-cap hours: 240 and 80; capacity 160 = half of them.
    expect(mix.tenants["a"]!.reserved).toBeCloseTo(120, 9);
    expect(mix.tenants["b"]!.reserved).toBeCloseTo(40, 9);
  });

  it("with zero prices, zero hours or no tenants, gives zeros and no NaN", () => {
    const free = optimizePurchaseMix({ tenants, prices: { onDemand: 0, spot: 0, reserved: 0 } });
    expect(free.totalCostUsd).toBe(0);
    expect(free.savingsPercent).toBe(0);
    expect(free.totals).toEqual({ onDemand: 200, spot: 0, reserved: 0 });
    const empty = optimizePurchaseMix({ tenants: [], prices: seedPrices, budgetUsd: 0 });
    expect(empty).toMatchObject({
      totalCostUsd: 0,
      allOnDemandCostUsd: 0,
      savingsPercent: 0,
      binding: ["budget"],
    });
    const idle = optimizePurchaseMix({ tenants: [{ id: "idle", cpuHours: 0, sla: 1 }], prices: seedPrices });
    expect(idle.tenants["idle"]).toEqual({ onDemand: 0, spot: 0, reserved: 0, costUsd: 0, highSla: true });
    expect(idle.binding).toEqual([]);
  });

  it("keeps an id like __proto__ as an ordinary key", () => {
    const mix = optimizePurchaseMix({
      tenants: [{ id: "__proto__", cpuHours: 10, sla: 0.5 }],
      prices: seedPrices,
    });
    expect(Object.keys(mix.tenants)).toEqual(["__proto__"]);
    const id = "__proto__";
    expect(mix.tenants[id]!.spot).toBe(10);
  });
});

describe("optimizePurchaseMix: infeasible budgets", () => {
  it("names the budget, the smallest budget that works and the other binding constraints", () => {
    const options: PurchaseMixOptions = {
      tenants: [
        { id: "batch", cpuHours: 1000, sla: 0.99 },
        { id: "payments", cpuHours: 500, sla: 0.9999 },
      ],
      prices: seedPrices,
      reservedCapacity: 300,
      budgetUsd: 30,
    };
    const error = catchEnisError(() => optimizePurchaseMix(options));
    expect(error.code).toBe("INFEASIBLE");
    expect(error.message).toMatch(
      /^options\.budgetUsd must be at least 32(\.0+\d*)? \(the minimum cost of the purchase mix: the budget is the binding constraint, with reservedCapacity and spotCapForHighSla also binding\), got 30$/,
    );
    expect(optimizePurchaseMix({ ...options, budgetUsd: 32 }).binding).toEqual([
      "budget",
      "reservedCapacity",
      "spotCapForHighSla",
    ]);
  });
});

describe("optimizePurchaseMix: bad input", () => {
  const valid: PurchaseMixOptions = { tenants: [{ id: "a", cpuHours: 10, sla: 0.99 }], prices: seedPrices };
  const withTenant = (tenant: unknown) => ({ ...valid, tenants: [tenant] }) as unknown as PurchaseMixOptions;
  const cases: Array<[string, unknown, string, string]> = [
    [
      "negative hours",
      withTenant({ id: "a", cpuHours: -1, sla: 0.9 }),
      "INVALID_OPTIONS",
      "options.tenants[0].cpuHours",
    ],
    [
      "NaN hours",
      withTenant({ id: "a", cpuHours: Number.NaN, sla: 0.9 }),
      "INVALID_OPTIONS",
      "options.tenants[0].cpuHours",
    ],
    [
      "infinite hours",
      withTenant({ id: "a", cpuHours: Infinity, sla: 0.9 }),
      "INVALID_OPTIONS",
      "options.tenants[0].cpuHours",
    ],
    [
      "hours as a string",
      withTenant({ id: "a", cpuHours: "10", sla: 0.9 }),
      "INVALID_OPTIONS",
      "options.tenants[0].cpuHours",
    ],
    [
      "sla above 1",
      withTenant({ id: "a", cpuHours: 1, sla: 1.5 }),
      "INVALID_OPTIONS",
      "options.tenants[0].sla",
    ],
    [
      "sla below 0",
      withTenant({ id: "a", cpuHours: 1, sla: -0.1 }),
      "INVALID_OPTIONS",
      "options.tenants[0].sla",
    ],
    [
      "NaN sla",
      withTenant({ id: "a", cpuHours: 1, sla: Number.NaN }),
      "INVALID_OPTIONS",
      "options.tenants[0].sla",
    ],
    ["missing sla", withTenant({ id: "a", cpuHours: 1 }), "INVALID_OPTIONS", "options.tenants[0].sla"],
    ["empty id", withTenant({ id: "", cpuHours: 1, sla: 0.9 }), "INVALID_OPTIONS", "options.tenants[0].id"],
    ["numeric id", withTenant({ id: 7, cpuHours: 1, sla: 0.9 }), "INVALID_OPTIONS", "options.tenants[0].id"],
    [
      "unknown tenant key",
      withTenant({ id: "a", cpuHours: 1, sla: 0.9, tier: "lite" }),
      "INVALID_OPTIONS",
      "options.tenants[0].tier",
    ],
    ["tenant not an object", withTenant(null), "INVALID_OPTIONS", "options.tenants[0]"],
    [
      "duplicate id",
      {
        ...valid,
        tenants: [
          { id: "a", cpuHours: 1, sla: 0.9 },
          { id: "b", cpuHours: 1, sla: 0.9 },
          { id: "a", cpuHours: 1, sla: 0.9 },
        ],
      },
      "DUPLICATE_ID",
      "options.tenants[2].id",
    ],
    [
      "NaN price",
      { ...valid, prices: { ...seedPrices, spot: Number.NaN } },
      "INVALID_OPTIONS",
      "options.prices.spot",
    ],
    [
      "negative price",
      { ...valid, prices: { ...seedPrices, reserved: -0.01 } },
      "INVALID_OPTIONS",
      "options.prices.reserved",
    ],
    [
      "infinite price",
      { ...valid, prices: { ...seedPrices, onDemand: Infinity } },
      "INVALID_OPTIONS",
      "options.prices.onDemand",
    ],
    [
      "missing price",
      { ...valid, prices: { onDemand: 0.05, spot: 0.01 } },
      "INVALID_OPTIONS",
      "options.prices.reserved",
    ],
    [
      "unknown price",
      { ...valid, prices: { ...seedPrices, savingsPlan: 0.03 } },
      "INVALID_OPTIONS",
      "options.prices.savingsPlan",
    ],
    ["negative budget", { ...valid, budgetUsd: -1 }, "INVALID_OPTIONS", "options.budgetUsd"],
    [
      "NaN reserved capacity",
      { ...valid, reservedCapacity: Number.NaN },
      "INVALID_OPTIONS",
      "options.reservedCapacity",
    ],
    [
      "negative reserved capacity",
      { ...valid, reservedCapacity: -5 },
      "INVALID_OPTIONS",
      "options.reservedCapacity",
    ],
    [
      "spot cap above 1",
      { ...valid, spotCapForHighSla: 1.2 },
      "INVALID_OPTIONS",
      "options.spotCapForHighSla",
    ],
    ["threshold below 0", { ...valid, highSlaThreshold: -1 }, "INVALID_OPTIONS", "options.highSlaThreshold"],
    ["unknown option", { ...valid, budget: 100 }, "INVALID_OPTIONS", "options.budget"],
    ["tenants not an array", { ...valid, tenants: { a: 1 } }, "INVALID_OPTIONS", "options.tenants"],
    ["no options", undefined, "INVALID_OPTIONS", "options"],
  ];
  it.each(cases)("%s", (_name, options, code, field) => {
    expect(codeOf(() => optimizePurchaseMix(options as PurchaseMixOptions))).toEqual([code, field]);
    expect(codeOf(() => purchaseMixLinearProgram(options as PurchaseMixOptions))).toEqual([code, field]);
  });

  it("words a message as `<field> must be <expectation>, got <value>`", () => {
    expect(
      catchEnisError(() => optimizePurchaseMix(withTenant({ id: "a", cpuHours: -1, sla: 0.9 }))).message,
    ).toBe("options.tenants[0].cpuHours must be a finite number >= 0, got -1");
    expect(
      catchEnisError(() => optimizePurchaseMix({ ...valid, prices: { ...seedPrices, spot: Number.NaN } }))
        .message,
    ).toBe("options.prices.spot must be a number, got NaN");
    expect(
      catchEnisError(() => optimizePurchaseMix({ ...valid, budget: 1 } as PurchaseMixOptions)).message,
    ).toBe('options.budget is not a known option (did you mean "budgetUsd"?), got 1');
  });
});
