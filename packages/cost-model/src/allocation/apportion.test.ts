import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apportion } from "./apportion.js";

describe("apportion (largest remainder)", () => {
  it("gives the leftover cents to the largest remainders, ties to the earlier item", () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(100, [1, 2, 3])).toEqual([17, 33, 50]);
    expect(apportion(1000, [250, 187.5, 125, 62.5, 125, 250])).toEqual([250, 188, 125, 62, 125, 250]);
    expect(apportion(5, [0, 1, 0, 1])).toEqual([0, 3, 0, 2]);
    expect(apportion(0, [1, 2])).toEqual([0, 0]);
  });

  it("sums to the total exactly, each part within one cent of its quota, nothing to a zero weight (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000_000 }),
        fc.array(
          fc.oneof(
            fc.constant(0),
            fc.double({ min: 1e-300, max: 1e12, noNaN: true, noDefaultInfinity: true }),
          ),
          { minLength: 1, maxLength: 60 },
        ),
        (total, weights) => {
          fc.pre(weights.some((w) => w > 0));
          const parts = apportion(total, weights);
          expect(parts.reduce((sum, part) => sum + part, 0)).toBe(total);
          const sum = weights.reduce((acc, w) => acc + w, 0);
          parts.forEach((part, i) => {
            expect(Number.isInteger(part)).toBe(true);
            expect(part).toBeGreaterThanOrEqual(0);
            if (weights[i] === 0) expect(part).toBe(0);
            const quota = (total * weights[i]!) / sum;
            expect(Math.abs(part - quota)).toBeLessThan(1 + 1e-6 * Math.max(1, quota));
          });
        },
      ),
      { seed: 21, numRuns: 500 },
    );
  });
});
