import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test-support/enis-error.js";
import { maxMinAllocate } from "./max-min.js";
import { proportionalShare } from "./proportional-share.js";

const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe("proportionalShare", () => {
  it("applies the seed's 40/30/20/10 factor weights", () => {
    const { weights, factors } = proportionalShare({
      tenants: [
        { id: "a", tier: "lite", paymentHistory: 1, resourceEfficiency: 0.5, timeOfDay: 0 },
        { id: "b", tier: "🔴", paymentHistory: 1, resourceEfficiency: 1, timeOfDay: 1 },
      ],
    });
    expect(factors["a"]!.tier).toBeCloseTo(0.1, 12);
    expect(weights["a"]).toBeCloseTo(0.4 * 0.1 + 0.3 + 0.2 * 0.5, 12);
    expect(weights["b"]).toBeCloseTo(1, 12);
  });

  it("gives weights in (0, 1], increasing in every score, that maxMinAllocate accepts", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("zero", "shared", "lite", "enterprise", "compliance"),
        unit,
        unit,
        unit,
        unit,
        fc.constantFrom("paymentHistory", "resourceEfficiency", "timeOfDay"),
        (tier, payment, efficiency, time, bump, score) => {
          const base = { tier, paymentHistory: payment, resourceEfficiency: efficiency, timeOfDay: time };
          const better = { ...base, [score]: base[score] + (1 - base[score]) * bump };
          const { weights } = proportionalShare({
            tenants: [
              { id: "x", ...base },
              { id: "y", ...better },
            ],
          });
          if (bump > 1e-6 && base[score] < 1 - 1e-6) expect(weights["y"]!).toBeGreaterThan(weights["x"]!);
          expect(weights["x"]!).toBeGreaterThan(0);
          expect(weights["x"]!).toBeLessThanOrEqual(1 + 1e-12);
          expect(weights["y"]!).toBeGreaterThanOrEqual(weights["x"]!);
          const result = maxMinAllocate({
            capacity: 10,
            tierFloors: "none",
            tenants: [
              { id: "x", demand: 100, weight: weights["x"]! },
              { id: "y", demand: 100, weight: weights["y"]! },
            ],
          });
          expect(result.allocations["y"]!).toBeGreaterThanOrEqual(result.allocations["x"]! - 1e-9);
        },
      ),
      { seed: 21, numRuns: 200 },
    );
  });

  it("rejects a malformed catalogue with INVALID_OPTIONS, not a TypeError", () => {
    expect(codeOf(() => proportionalShare({ tenants: [], catalogue: {} as never }))).toEqual([
      "INVALID_OPTIONS",
      "catalogue",
    ]);
  });

  it("validates scores, factor weights, tiers and ids", () => {
    const tenant = { id: "a", tier: "zero", paymentHistory: 0.5, resourceEfficiency: 0.5, timeOfDay: 0.5 };
    expect(codeOf(() => proportionalShare({ tenants: [{ ...tenant, paymentHistory: 1.5 }] }))).toEqual([
      "INVALID_OPTIONS",
      "tenants[0].paymentHistory",
    ]);
    expect(codeOf(() => proportionalShare({ tenants: [{ ...tenant, timeOfDay: Number.NaN }] }))[1]).toBe(
      "tenants[0].timeOfDay",
    );
    expect(codeOf(() => proportionalShare({ tenants: [tenant, tenant] }))[0]).toBe("DUPLICATE_ID");
    expect(codeOf(() => proportionalShare({ tenants: [{ ...tenant, tier: "gold" }] }))).toEqual([
      "UNKNOWN_TIER",
      "tenants[0].tier",
    ]);
    const factorWeights = { tier: 0.5, paymentHistory: 0.3, resourceEfficiency: 0.2, timeOfDay: 0.1 };
    expect(codeOf(() => proportionalShare({ tenants: [tenant], factorWeights }))).toEqual([
      "INVALID_OPTIONS",
      "factorWeights",
    ]);
    expect(
      codeOf(() =>
        proportionalShare({
          tenants: [tenant],
          factorWeights: { ...factorWeights, tier: -0.1, paymentHistory: 0.9 },
        }),
      ),
    ).toEqual(["INVALID_OPTIONS", "factorWeights.tier"]);
    const noTier = { tier: 0, paymentHistory: 1, resourceEfficiency: 0, timeOfDay: 0 };
    expect(
      codeOf(() => proportionalShare({ tenants: [{ ...tenant, paymentHistory: 0 }], factorWeights: noTier })),
    ).toEqual(["INVALID_OPTIONS", "tenants[0]"]);
  });
});
