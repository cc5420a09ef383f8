import { defaultTierCatalogue, EnisError, tierIds } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test-support/enis-error.js";
import { adaptiveThrottleRate } from "./adaptive-throttle.js";

const calm = { tier: "lite", systemLoad: 0.2, current: 1, baseline: 1, costPressure: 0, hourOfDay: 3 };

describe("adaptiveThrottleRate", () => {
  it("follows the seed's load factor: 1.0 below 50 %, linear to 0.8 at 80 %, 0.7 above", () => {
    const factor = (systemLoad: number) => adaptiveThrottleRate({ ...calm, systemLoad }).factors.systemLoad;
    expect(factor(0)).toBe(1);
    expect(factor(0.4999)).toBe(1);
    expect(factor(0.5)).toBe(1);
    expect(factor(0.65)).toBeCloseTo(0.9, 12);
    expect(factor(0.7999)).toBeCloseTo(0.80007, 5);
    expect(factor(0.8)).toBe(0.7);
    expect(factor(3)).toBe(0.7);
  });

  it("follows the seed's behaviour factor on the worst metric", () => {
    const factor = (current: Record<string, number>) =>
      adaptiveThrottleRate({ ...calm, current, baseline: { cpu: 1, memory: 2 } }).factors.behavior;
    expect(factor({ cpu: 2, memory: 4 })).toBe(1);
    expect(factor({ cpu: 2.01, memory: 1 })).toBe(0.7);
    expect(factor({ cpu: 1, memory: 6.2 })).toBe(0.5);
    expect(adaptiveThrottleRate({ ...calm, current: 50, baseline: 0 }).factors.behavior).toBe(1);
  });

  it("scales cost and time of day within the seed's ranges", () => {
    expect(adaptiveThrottleRate({ ...calm, costPressure: 0.5 }).factors.cost).toBeCloseTo(0.9, 12);
    expect(adaptiveThrottleRate({ ...calm, costPressure: 4 }).factors.cost).toBeCloseTo(0.8, 12);
    expect(adaptiveThrottleRate({ ...calm, hourOfDay: 9 }).factors.timeOfDay).toBe(0.9);
    expect(adaptiveThrottleRate({ ...calm, hourOfDay: 18 }).factors.timeOfDay).toBe(1);
    expect(adaptiveThrottleRate({ ...calm, hourOfDay: 23.5, peakHours: [22, 2] }).factors.timeOfDay).toBe(
      0.9,
    );
  });

  it("combines the factors 0.4 / 0.3 / 0.2 / 0.1 (the documented example)", () => {
    const result = adaptiveThrottleRate({
      tier: "🟡",
      systemLoad: 0.65,
      current: { cpu: 2.5 },
      baseline: { cpu: 1 },
      costPressure: 0.5,
      hourOfDay: 14,
    });
    expect(result.rate).toBeCloseTo(0.84, 12);
    expect(result.atFloor).toBe(false);
  });

  it("never goes below the tier's throttle floor and never above 1", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...tierIds),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 23.999, noNaN: true }),
        (tier, systemLoad, current, costPressure, hourOfDay) => {
          const { rate, floor } = adaptiveThrottleRate({
            tier,
            systemLoad,
            current,
            baseline: 1,
            costPressure,
            hourOfDay,
          });
          return floor === defaultTierCatalogue.get(tier).throttleFloor && rate >= floor && rate <= 1;
        },
      ),
      { seed: 31, numRuns: 500 },
    );
    // Everything at its worst: 0.4*0.7 + 0.3*0.5 + 0.2*0.8 + 0.1*0.9 = 0.68, so only 🔵 and 🔴 floors bind.
    const worst = { systemLoad: 1, current: 10, baseline: 1, costPressure: 1, hourOfDay: 12 };
    expect(adaptiveThrottleRate({ ...worst, tier: "zero" }).rate).toBeCloseTo(0.68, 12);
    expect(adaptiveThrottleRate({ ...worst, tier: "🔵" })).toMatchObject({ rate: 0.7, atFloor: true });
    expect(adaptiveThrottleRate({ ...worst, tier: "🔴" })).toMatchObject({ rate: 0.9, atFloor: true });
  });

  it("never rises when load, spikes or spend rise", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 8, noNaN: true }),
        fc.double({ min: 0, max: 8, noNaN: true }),
        (a, b, c, d) => {
          const rate = (systemLoad: number, current: number, costPressure: number) =>
            adaptiveThrottleRate({ ...calm, tier: "zero", systemLoad, current, costPressure }).rate;
          const [lowLoad, highLoad] = a < b ? [a, b] : [b, a];
          const [low, high] = c < d ? [c, d] : [d, c];
          return (
            rate(highLoad, 1, 0) <= rate(lowLoad, 1, 0) &&
            rate(0, high, 0) <= rate(0, low, 0) &&
            rate(0, 1, high) <= rate(0, 1, low)
          );
        },
      ),
      { seed: 37, numRuns: 300 },
    );
  });

  it("rejects bad inputs with EnisError naming the field", () => {
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, tier: "gold" }))).toEqual(["UNKNOWN_TIER", "tier"]);
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, systemLoad: Number.NaN }))).toEqual([
      "INVALID_OPTIONS",
      "systemLoad",
    ]);
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, systemLoad: -0.1 }))).toEqual([
      "INVALID_OPTIONS",
      "systemLoad",
    ]);
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, costPressure: Number.POSITIVE_INFINITY }))).toEqual([
      "INVALID_OPTIONS",
      "costPressure",
    ]);
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, hourOfDay: 24 }))).toEqual([
      "INVALID_OPTIONS",
      "hourOfDay",
    ]);
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, current: { cpu: 1 }, baseline: {} }))).toEqual([
      "INVALID_OPTIONS",
      "baseline.cpu",
    ]);
    expect(
      codeOf(() => adaptiveThrottleRate({ ...calm, current: { cpu: -1 }, baseline: { cpu: 1 } })),
    ).toEqual(["INVALID_OPTIONS", "current.cpu"]);
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, current: { cpu: 1 }, baseline: 1 }))).toEqual([
      "INVALID_OPTIONS",
      "current",
    ]);
    expect(codeOf(() => adaptiveThrottleRate({ ...calm, peakHours: [9, 25] }))).toEqual([
      "INVALID_OPTIONS",
      "peakHours[1]",
    ]);
    expect(
      codeOf(() =>
        adaptiveThrottleRate({
          ...calm,
          factorWeights: { systemLoad: 0.5, behavior: 0.5, cost: 0.5, timeOfDay: 0 },
        }),
      ),
    ).toEqual(["INVALID_OPTIONS", "factorWeights"]);
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          adaptiveThrottleRate(input as never);
        } catch (error) {
          return EnisError.isInstance(error);
        }
        return true;
      }),
      { seed: 41, numRuns: 300 },
    );
  });
});
