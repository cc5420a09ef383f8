import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test-support/enis-error.js";
import { jainIndex } from "./jain.js";

describe("jainIndex", () => {
  it("scores equal shares 1 and k of n equal shares k/n", () => {
    expect(jainIndex([3, 3, 3])).toBe(1);
    expect(jainIndex([1, 0, 0, 0])).toBeCloseTo(0.25, 12);
    expect(jainIndex(Float64Array.from([2, 2, 0, 0]))).toBeCloseTo(0.5, 12);
  });

  it("stays in [1/n, 1] and is scale invariant", () => {
    fc.assert(
      fc.property(
        // Zero or well above the subnormal range, so that scaling cannot underflow a value to 0.
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e6, noNaN: true })), {
          minLength: 1,
          maxLength: 50,
        }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (values, factor) => {
          const j = jainIndex(values);
          expect(j).toBeGreaterThanOrEqual(1 / values.length);
          expect(j).toBeLessThanOrEqual(1);
          expect(jainIndex(values.map((v) => v * factor))).toBeCloseTo(j, 9);
        },
      ),
      { seed: 31, numRuns: 300 },
    );
  });

  it("normalises by the ideal: a perfect 1/5/10/50/100 weighted schedule scores 1, raw 0.44", () => {
    const ideal = [1, 5, 10, 50, 100];
    expect(jainIndex(ideal)).toBeCloseTo(0.44, 2);
    expect(jainIndex(ideal, ideal)).toBe(1);
    // A zero ideal met with zero counts as x = 1: x = [1, 0.5], J = 2.25 / 2.5.
    expect(jainIndex([0, 5], [0, 10])).toBeCloseTo(0.9, 12);
  });

  it("defines the edge cases", () => {
    expect(jainIndex([0, 0, 0])).toBe(1);
    expect(jainIndex([1e300, 1e300])).toBe(1);
    expect(codeOf(() => jainIndex([]))).toEqual(["INVALID_OPTIONS", "values"]);
    expect(codeOf(() => jainIndex([1, -1]))).toEqual(["INVALID_OPTIONS", "values[1]"]);
    expect(codeOf(() => jainIndex([1, Number.NaN]))).toEqual(["INVALID_OPTIONS", "values[1]"]);
    expect(codeOf(() => jainIndex([1, 2], [1]))).toEqual(["INVALID_OPTIONS", "ideal"]);
    expect(codeOf(() => jainIndex([1, 2], [1, 0]))).toEqual(["INVALID_OPTIONS", "ideal[1]"]);
    expect(codeOf(() => jainIndex([1, 0], [1, Number.POSITIVE_INFINITY]))).toEqual([
      "INVALID_OPTIONS",
      "ideal[1]",
    ]);
  });
});
