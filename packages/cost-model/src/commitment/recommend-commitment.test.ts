import { recommendCommitment } from "@enis/cost-model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

/**
 * The Azure-style check: the cost of committing to `level` over the history, simulated hour by
 * hour (committed units paid every hour, usage above them on-demand).
 */
function simulatedCost(usage: readonly number[], price: number, discount: number, level: number): number {
  let cost = 0;
  for (const u of usage) cost += (1 - discount) * price * level + price * Math.max(0, u - level);
  return cost;
}

/** Every candidate level (0 and each distinct hourly usage) simulated; the cheapest, smallest first. */
function simulatedOptimum(usage: readonly number[], price: number, discount: number) {
  const candidates = [0, ...new Set(usage)].sort((a, b) => a - b);
  let best = { level: 0, cost: Number.POSITIVE_INFINITY };
  for (const level of candidates) {
    const cost = simulatedCost(usage, price, discount, level);
    if (cost < best.cost) best = { level, cost };
  }
  return best;
}

/** pandas' `quantile(0.5)` (linear interpolation): the seed's level. */
function median(usage: readonly number[]): number {
  const sorted = [...usage].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2;
}

const usageArbitrary = fc.array(
  fc.oneof(
    fc.constant(0),
    fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: 0, max: 20 }),
  ),
  { minLength: 1, maxLength: 200 },
);
const discountArbitrary = fc.oneof(
  fc.double({ min: 0, max: 0.99, noNaN: true }),
  fc.constantFrom(0, 0.1, 0.25, 0.3, 0.5, 0.72),
);
const priceArbitrary = fc.double({ min: 1e-4, max: 10, noNaN: true, noDefaultInfinity: true });

describe("recommendCommitment: the level", () => {
  it("commits at the discount-quantile, as the worked example says", () => {
    const hourlyUsage = [2, 2, 3, 4, 4, 4, 6, 8, 8, 10];
    const result = recommendCommitment({ hourlyUsage, onDemandPrice: 0.1, discount: 0.25 });
    // d·H = 2.5: the 3rd smallest hour.
    expect(result.commitment).toBe(3);
    expect(result.expectedUtilization).toBeCloseTo(28 / 30, 12);
    expect(result.breakEvenUtilization).toBe(0.75);
    expect(result.hours).toBe(10);
    // Σ min(u, 3) − 0.75·3·10 = 28 − 22.5 = 5.5 units of on-demand price.
    expect(result.historySavingsUsd).toBeCloseTo(0.55, 12);
    // 0.055 $/h × 8,760 h.
    expect(result.savingsUsd).toBeCloseTo(481.8, 9);
    expect(result.onDemandCostUsd).toBeCloseTo(((0.1 * 51) / 10) * 8760, 9);
    expect(result.costUsd).toBeCloseTo(result.onDemandCostUsd - result.savingsUsd, 9);
    expect(result.monthlySavingsUsd).toBeCloseTo(40.15, 9);
    expect(result.savingsPercent).toBeCloseTo((100 * 5.5) / 51, 9);
    // The seed's median (4) saves less: Σ min(u, 4) − 0.75·4·10 = 5 units, not 5.5.
    const optimum = simulatedCost(hourlyUsage, 0.1, 0.25, 3);
    const atMedian = simulatedCost(hourlyUsage, 0.1, 0.25, median(hourlyUsage));
    expect(atMedian).toBeGreaterThan(optimum + 0.04);
  });

  it("is not the seed's median: at a 30% discount it commits lower, and saves more", () => {
    // A spiky history: 40% of the hours at 10 units, 60% at 40 to 46.
    const hourlyUsage = Array.from({ length: 100 }, (_, h) => (h % 5 < 2 ? 10 : 40 + (h % 7)));
    const result = recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount: 0.3 });
    expect(result.commitment).toBe(10);
    expect(median(hourlyUsage)).toBeGreaterThanOrEqual(40);
    const simulatedMedian = simulatedCost(hourlyUsage, 1, 0.3, median(hourlyUsage));
    const simulatedOurs = simulatedCost(hourlyUsage, 1, 0.3, result.commitment);
    expect(simulatedOurs).toBeLessThan(simulatedMedian);
    // At the median the commitment loses money: its units are busy in 60% of the hours, under the
    // 70% break-even.
    expect(simulatedMedian).toBeGreaterThan(hourlyUsage.reduce((sum, u) => sum + u, 0));
  });

  it("takes the smallest level of a plateau (d·H whole), 0 at no discount, the peak at a deep one", () => {
    const hourlyUsage = [5, 1, 4, 2, 3, 6, 9, 8, 7, 10];
    // d·H = 3: every level from the 3rd (3) to the 4th (4) smallest costs the same.
    const plateau = recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount: 0.3 });
    expect(plateau.commitment).toBe(3);
    expect(simulatedCost(hourlyUsage, 1, 0.3, 3)).toBeCloseTo(simulatedCost(hourlyUsage, 1, 0.3, 4), 12);
    expect(recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount: 0.1 }).commitment).toBe(1);
    // 0.07 means seven hundredths: over 100 hours d·H = 7, though 0.07 × 100 is 7.000000000000001 in
    // doubles (whose ceiling, 8, would buy one more unit for no saving).
    const hundred = Array.from({ length: 100 }, (_, h) => h + 1);
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(recommendCommitment({ hourlyUsage: hundred, onDemandPrice: 1, discount: 0.07 }).commitment).toBe(
      7,
    );
    const free = recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount: 0 });
    expect(free).toMatchObject({ commitment: 0, savingsUsd: 0, expectedUtilization: null });
    expect(free.recommendation).toBe("not-worth-it");
    expect(recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount: 0.95 }).commitment).toBe(10);
    expect(recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount: 0.85 }).commitment).toBe(9);
  });

  it("equals the simulated optimum's cost on random histories (property)", () => {
    fc.assert(
      fc.property(
        usageArbitrary,
        discountArbitrary,
        priceArbitrary,
        (hourlyUsage, discount, onDemandPrice) => {
          const result = recommendCommitment({ hourlyUsage, onDemandPrice, discount });
          const best = simulatedOptimum(hourlyUsage, onDemandPrice, discount);
          const ours = simulatedCost(hourlyUsage, onDemandPrice, discount, result.commitment);
          const onDemand = simulatedCost(hourlyUsage, onDemandPrice, discount, 0);
          const scale = Math.max(1e-12, onDemand) * 1e-9;
          expect(Math.abs(ours - best.cost)).toBeLessThanOrEqual(scale);
          // The savings reported are the simulated ones.
          expect(Math.abs(result.historySavingsUsd - (onDemand - ours))).toBeLessThanOrEqual(scale);
          // The level is an hour's usage (or 0): a candidate the simulation tried.
          expect(result.commitment === 0 || hourlyUsage.includes(result.commitment)).toBe(true);
        },
      ),
      { seed: 11, numRuns: 400 },
    );
  });

  it("is the smallest simulated minimiser exactly, on integer histories with discounts in twentieths", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 19 }),
        (hourlyUsage, twentieths) => {
          const discount = twentieths / 20;
          // Costs × 20 / price are whole numbers: the simulation's ties are exact.
          const candidates = [0, ...new Set(hourlyUsage)].sort((a, b) => a - b);
          let bestLevel = 0;
          let bestCost = Number.POSITIVE_INFINITY;
          for (const level of candidates) {
            let cost = 0;
            for (const u of hourlyUsage) cost += (20 - twentieths) * level + 20 * Math.max(0, u - level);
            if (cost < bestCost) {
              bestCost = cost;
              bestLevel = level;
            }
          }
          expect(recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount }).commitment).toBe(bestLevel);
        },
      ),
      { seed: 12, numRuns: 500 },
    );
  });
});

describe("recommendCommitment: savings, utilisation, curve", () => {
  it("saves >= 0 against no commitment, utilisation at least the break-even (property)", () => {
    fc.assert(
      fc.property(
        usageArbitrary,
        discountArbitrary,
        priceArbitrary,
        (hourlyUsage, discount, onDemandPrice) => {
          const result = recommendCommitment({ hourlyUsage, onDemandPrice, discount, termMonths: 36 });
          expect(result.historySavingsUsd).toBeGreaterThanOrEqual(0);
          expect(result.savingsUsd).toBeGreaterThanOrEqual(0);
          expect(result.savingsPercent).toBeGreaterThanOrEqual(0);
          expect(result.savingsPercent).toBeLessThanOrEqual(100 * discount + 1e-9);
          if (result.commitment > 0) {
            expect(result.expectedUtilization).not.toBeNull();
            expect(result.expectedUtilization!).toBeLessThanOrEqual(1);
            expect(result.expectedUtilization!).toBeGreaterThanOrEqual(1 - discount - 1e-9);
          } else expect(result.expectedUtilization).toBeNull();
          for (const value of Object.values(result)) {
            if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
          }
          // The curve: ascending levels from 0 to the peak, the recommendation its highest point.
          const curve = result.curve;
          expect(curve[0]!.commitment).toBe(0);
          expect(curve.at(-1)!.commitment).toBe(Math.max(...hourlyUsage));
          const tolerance = 1e-9 * Math.max(1, result.onDemandCostUsd);
          for (let i = 0; i < curve.length; i++) {
            if (i > 0) expect(curve[i]!.commitment).toBeGreaterThan(curve[i - 1]!.commitment);
            expect(curve[i]!.savingsUsd).toBeLessThanOrEqual(result.savingsUsd + tolerance);
            const utilization = curve[i]!.utilization;
            if (curve[i]!.commitment === 0) expect(utilization).toBeNull();
            else {
              expect(utilization!).toBeGreaterThanOrEqual(0);
              expect(utilization!).toBeLessThanOrEqual(1);
            }
          }
          expect(curve.find((p) => p.commitment === result.commitment)?.savingsUsd).toBe(result.savingsUsd);
        },
      ),
      { seed: 13, numRuns: 300 },
    );
  });

  it("evaluates each curve level as the simulation does, between hours' values too", () => {
    const hourlyUsage = [0, 3.5, 1, 7, 2, 2, 9, 4.25, 6, 0.5, 5, 8];
    const result = recommendCommitment({ hourlyUsage, onDemandPrice: 0.2, discount: 0.4, curvePoints: 7 });
    const hours = hourlyUsage.length;
    const onDemand = simulatedCost(hourlyUsage, 0.2, 0.4, 0);
    // 7 grid points (0, 1.5, …, 9) and the commitment (the 0.4-quantile: the 5th smallest, 2).
    expect(result.commitment).toBe(2);
    expect(result.curve.map((p) => p.commitment)).toEqual([0, 1.5, 2, 3, 4.5, 6, 7.5, 9]);
    for (const p of result.curve) {
      const saved = onDemand - simulatedCost(hourlyUsage, 0.2, 0.4, p.commitment);
      expect(p.savingsUsd).toBeCloseTo((saved / hours) * 8760, 9);
      expect(p.savingsPercent).toBeCloseTo((100 * saved) / onDemand, 9);
      if (p.commitment > 0) {
        const used = hourlyUsage.reduce((sum, u) => sum + Math.min(u, p.commitment), 0);
        expect(p.utilization!).toBeCloseTo(used / (p.commitment * hours), 12);
      }
    }
    // The grid's top loses money: 9 units are busy one hour in twelve.
    expect(result.curve.at(-1)!.savingsUsd).toBeLessThan(0);
  });

  it("reads a Float64Array and leaves the caller's array as it was", () => {
    const hourlyUsage = [4, 1, 3, 2];
    const fromArray = recommendCommitment({ hourlyUsage, onDemandPrice: 1, discount: 0.5 });
    expect(hourlyUsage).toEqual([4, 1, 3, 2]);
    const fromTyped = recommendCommitment({
      hourlyUsage: Float64Array.from(hourlyUsage),
      onDemandPrice: 1,
      discount: 0.5,
    });
    expect(fromTyped).toEqual(fromArray);
  });

  it("answers an all-idle history with level 0, no NaN", () => {
    const result = recommendCommitment({ hourlyUsage: [0, 0, 0], onDemandPrice: 1, discount: 0.4 });
    expect(result).toMatchObject({
      commitment: 0,
      expectedUtilization: null,
      onDemandCostUsd: 0,
      savingsUsd: 0,
      savingsPercent: 0,
      paybackMonths: null,
      paybackReason: "no-commitment",
      recommendation: "not-worth-it",
    });
    expect(result.curve).toEqual([{ commitment: 0, savingsUsd: 0, savingsPercent: 0, utilization: null }]);
  });
});

describe("recommendCommitment: term, upfront, payback, advice", () => {
  // 720 hours at 100 units, 0.1 $/unit-hour, 30% off: committing 100 saves $3/h, $2,190 a month.
  const flat = Array.from({ length: 720 }, () => 100);

  it("scales the history's hourly savings to the term", () => {
    const year = recommendCommitment({ hourlyUsage: flat, onDemandPrice: 0.1, discount: 0.3 });
    expect(year.commitment).toBe(100);
    expect(year.expectedUtilization).toBe(1);
    expect(year.historySavingsUsd).toBeCloseTo(720 * 3, 9);
    expect(year.savingsUsd).toBeCloseTo(3 * 8760, 9);
    expect(year.monthlySavingsUsd).toBeCloseTo(3 * 730, 9);
    expect(year.savingsPercent).toBeCloseTo(30, 9);
    const threeYears = recommendCommitment({
      hourlyUsage: flat,
      onDemandPrice: 0.1,
      discount: 0.3,
      termMonths: 36,
    });
    expect(threeYears.savingsUsd).toBeCloseTo(3 * 8760 * 3, 9);
    expect(threeYears.monthlySavingsUsd).toBeCloseTo(year.monthlySavingsUsd, 9);
  });

  it("reports payback explicitly: 0 without upfront, months with it, after the term when it never pays", () => {
    const none = recommendCommitment({ hourlyUsage: flat, onDemandPrice: 0.1, discount: 0.3 });
    expect([none.paybackMonths, none.paybackReason]).toEqual([0, "no-upfront"]);
    const some = recommendCommitment({
      hourlyUsage: flat,
      onDemandPrice: 0.1,
      discount: 0.3,
      upfrontUsd: 4380,
    });
    expect(some.paybackMonths).toBeCloseTo(2, 12);
    expect(some.paybackReason).toBe("within-term");
    expect(some.savingsUsd).toBeCloseTo(3 * 8760 - 4380, 9);
    expect(some.monthlySavingsUsd).toBeCloseTo((3 * 8760 - 4380) / 12, 9);
    expect(some.costUsd).toBeCloseTo(some.onDemandCostUsd - some.savingsUsd, 9);
    const tooMuch = recommendCommitment({
      hourlyUsage: flat,
      onDemandPrice: 0.1,
      discount: 0.3,
      upfrontUsd: 30_000,
    });
    expect(tooMuch.paybackReason).toBe("after-term");
    expect(tooMuch.paybackMonths!).toBeGreaterThan(12);
    expect(tooMuch.savingsUsd).toBeLessThan(0);
    expect(tooMuch.recommendation).toBe("not-worth-it");
    // The curve's level 0 buys nothing, so pays no upfront.
    expect(tooMuch.curve[0]).toMatchObject({ commitment: 0, savingsUsd: 0 });
    const nothing = recommendCommitment({
      hourlyUsage: flat,
      onDemandPrice: 0.1,
      discount: 0,
      upfrontUsd: 10,
    });
    expect([nothing.paybackMonths, nothing.paybackReason]).toEqual([null, "no-commitment"]);
  });

  it("advises in the seed's words on the seed's thresholds ($100 and $50 a month), or the caller's", () => {
    // Monthly savings = 730 × 0.3 × price × 100 units = 21,900 × price.
    const advise = (
      monthlyUsd: number,
      thresholds?: { recommendMonthlyUsd?: number; stronglyRecommendMonthlyUsd?: number },
    ) =>
      recommendCommitment({
        hourlyUsage: flat,
        onDemandPrice: monthlyUsd / 21_900,
        discount: 0.3,
        ...(thresholds === undefined ? {} : { thresholds }),
      });
    expect(advise(150).recommendation).toBe("strongly-recommend");
    expect(advise(100).monthlySavingsUsd).toBeCloseTo(100, 9);
    expect(advise(75).recommendation).toBe("recommend");
    expect(advise(40).recommendation).toBe("not-worth-it");
    expect(advise(40, { recommendMonthlyUsd: 10, stronglyRecommendMonthlyUsd: 30 }).recommendation).toBe(
      "strongly-recommend",
    );
    expect(advise(20, { recommendMonthlyUsd: 10 }).recommendation).toBe("recommend");
  });
});

describe("recommendCommitment: bad input", () => {
  const valid = { hourlyUsage: [1, 2, 3], onDemandPrice: 0.1, discount: 0.3 };
  it.each([
    ["a discount of 1", { discount: 1 }, "options.discount", "options.discount must be less than 1, got 1"],
    ["a discount above 1", { discount: 1.5 }, "options.discount", undefined],
    [
      "a negative discount",
      { discount: -0.1 },
      "options.discount",
      "options.discount must be at least 0, got -0.1",
    ],
    ["a NaN discount", { discount: Number.NaN }, "options.discount", undefined],
    [
      "a NaN price",
      { onDemandPrice: Number.NaN },
      "options.onDemandPrice",
      "options.onDemandPrice must be a number, got NaN",
    ],
    ["a zero price", { onDemandPrice: 0 }, "options.onDemandPrice", undefined],
    ["an infinite price", { onDemandPrice: Number.POSITIVE_INFINITY }, "options.onDemandPrice", undefined],
    [
      "empty usage",
      { hourlyUsage: [] },
      "options.hourlyUsage",
      "options.hourlyUsage must be a non-empty list of hourly usage, got an array of 0",
    ],
    [
      "a negative hour",
      { hourlyUsage: [1, -2, 3] },
      "options.hourlyUsage[1]",
      "options.hourlyUsage[1] must be a finite number >= 0, got -2",
    ],
    ["a NaN hour", { hourlyUsage: [1, 2, Number.NaN] }, "options.hourlyUsage[2]", undefined],
    ["an infinite hour", { hourlyUsage: [Number.POSITIVE_INFINITY] }, "options.hourlyUsage[0]", undefined],
    ["a string hour", { hourlyUsage: [1, "2"] }, "options.hourlyUsage[1]", undefined],
    ["usage that is not a list", { hourlyUsage: "1,2" }, "options.hourlyUsage", undefined],
    ["a term of 0 months", { termMonths: 0 }, "options.termMonths", undefined],
    ["a fractional term", { termMonths: 12.5 }, "options.termMonths", undefined],
    ["a negative upfront", { upfrontUsd: -1 }, "options.upfrontUsd", undefined],
    ["one curve point", { curvePoints: 1 }, "options.curvePoints", undefined],
    ["an unknown option", { discountRate: 0.3 }, "options.discountRate", undefined],
    [
      "usage whose sum overflows",
      { hourlyUsage: [1.7e308, 1.7e308, 1] },
      "options.hourlyUsage",
      "options.hourlyUsage must be hourly usage whose sum is a finite number, got an array of 3",
    ],
    [
      "a price whose term cost overflows",
      { hourlyUsage: [1e10, 2e10], onDemandPrice: 1e300 },
      "options.onDemandPrice",
      undefined,
    ],
    [
      "a price so small that the upfront payment's percentage overflows",
      { hourlyUsage: [1, 1], onDemandPrice: 5e-324, discount: 0.5, upfrontUsd: 1e6 },
      "options.onDemandPrice",
      undefined,
    ],
    [
      "thresholds upside down",
      { thresholds: { recommendMonthlyUsd: 100, stronglyRecommendMonthlyUsd: 50 } },
      "options.thresholds.stronglyRecommendMonthlyUsd",
      undefined,
    ],
  ])("rejects %s", (_, override, field, message) => {
    const error = catchEnisError(() => recommendCommitment({ ...valid, ...override } as never));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe(field);
    if (message !== undefined) expect(error.message).toBe(message);
  });

  it("rejects a missing discount and a missing price", () => {
    expect(codeOf(() => recommendCommitment({ hourlyUsage: [1], onDemandPrice: 1 } as never))).toEqual([
      "INVALID_OPTIONS",
      "options.discount",
    ]);
    expect(codeOf(() => recommendCommitment({ hourlyUsage: [1], discount: 0.2 } as never))).toEqual([
      "INVALID_OPTIONS",
      "options.onDemandPrice",
    ]);
  });
});
