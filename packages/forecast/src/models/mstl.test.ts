import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { etsModel } from "./ets.js";
import { mstlModel, usablePeriods } from "./mstl.js";
import { naive2Model, naiveModel, snaiveModel } from "./naive.js";
import { thetaModel } from "./theta.js";

const daily = (t: number) => 3 * Math.sin((2 * Math.PI * t) / 24);
const weekly = (t: number) => (Math.floor((t % 168) / 24) >= 5 ? -4 : 1.6);

describe("MSTL", () => {
  it("a constant series gives constant forecasts", () => {
    const values = new Float64Array(400).fill(12);
    const forecast = mstlModel.fit({ values, seasonalPeriods: [24, 168] }).predict(48);
    for (const v of forecast.mean) expect(v).toBeCloseTo(12, 8);
  });

  it("reproduces a pure period-24 sine, around zero (additive) and on a positive level (log scale)", () => {
    for (const level of [0, 20]) {
      const n = 24 * 30;
      const values = Float64Array.from({ length: n }, (_, t) => level + daily(t));
      const fit = mstlModel.fit({ values, seasonalPeriods: [24, 168] });
      expect(fit.params["transform"]).toBe(level > 0 ? "log" : "none");
      const forecast = fit.predict(72);
      for (let h = 1; h <= 72; h++) expect(forecast.mean[h - 1]).toBeCloseTo(level + daily(n + h - 1), 6);
    }
  });

  it("separates a daily and a weekly pattern and carries both on", () => {
    const n = 168 * 5;
    const values = Float64Array.from({ length: n }, (_, t) => 50 + daily(t) + weekly(t));
    const fit = mstlModel.fit({ values, seasonalPeriods: [24, 168] });
    expect(fit.params["periods"]).toEqual([24, 168]);
    const forecast = fit.predict(168);
    // The daily component drifts a little as its window spans different weekdays: within 0.2 of
    // patterns whose weekly part alone swings by 5.6.
    for (let h = 1; h <= 168; h++) {
      expect(Math.abs(forecast.mean[h - 1]! - (50 + daily(n + h - 1) + weekly(n + h - 1)))).toBeLessThan(0.2);
    }
  });

  it("drops the periods the series holds fewer than two cycles of", () => {
    expect(usablePeriods([24, 168], 300)).toEqual([24]);
    expect(usablePeriods([168, 24], 336)).toEqual([24, 168]);
    const values = Float64Array.from({ length: 300 }, (_, t) => 10 + daily(t));
    expect(mstlModel.fit({ values, seasonalPeriods: [24, 168] }).params["periods"]).toEqual([24]);
    expect(mstlModel.minLength([24, 168])).toBe(48);
    expect(mstlModel.minLength([])).toBe(4);
  });

  it("variance grows with the horizon (on the log scale: from one cycle to the next)", () => {
    const noisy = (t: number) => daily(t) + Math.sin(t * 0.37) * 2;
    const additive = Float64Array.from({ length: 500 }, (_, t) => noisy(t));
    const variance = mstlModel.fit({ values: additive, seasonalPeriods: [24] }).predict(48).variance!;
    expect(variance[0]).toBeGreaterThan(0);
    for (let h = 1; h < 48; h++) expect(variance[h]).toBeGreaterThanOrEqual(variance[h - 1]!);
    expect(variance[47]).toBeGreaterThan(variance[0]!);
    // Positive data: the log-normal variance follows the seasonal level, so compare like hours.
    const positive = Float64Array.from({ length: 500 }, (_, t) => 30 + noisy(t));
    const logVariance = mstlModel.fit({ values: positive, seasonalPeriods: [24] }).predict(48).variance!;
    for (let h = 0; h < 24; h++) expect(logVariance[h + 24]).toBeGreaterThan(logVariance[h]!);
  });

  it("never returns NaN or Infinity (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), {
          minLength: 48,
          maxLength: 200,
        }),
        fc.boolean(),
        (list, positive) => {
          const values = Float64Array.from(list, (v) => (positive ? Math.abs(v) + 1e-3 : v));
          const forecast = mstlModel.fit({ values, seasonalPeriods: [24, 168] }).predict(50);
          for (const v of forecast.mean) expect(Number.isFinite(v)).toBe(true);
          for (const v of forecast.variance ?? []) expect(Number.isFinite(v) && v >= 0).toBe(true);
        },
      ),
      { seed: 7, numRuns: 40 },
    );
  });
});

describe("every model at and just above its minimum length", () => {
  it("fits and forecasts finite numbers (property)", () => {
    const models = [naiveModel, snaiveModel, naive2Model, etsModel, thetaModel, mstlModel];
    fc.assert(
      fc.property(
        fc.constantFrom<number[]>([], [2], [7], [24], [24, 168]),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.double({ min: -100, max: 1000, noNaN: true, noDefaultInfinity: true }), {
          minLength: 400,
          maxLength: 400,
        }),
        (periods, extra, pool) => {
          for (const model of models) {
            const n = model.minLength(periods) + extra;
            const values = Float64Array.from(pool.slice(0, n));
            const fit = model.fit({ values, seasonalPeriods: periods });
            expect(fit.fitted).toHaveLength(n);
            const forecast = fit.predict(30);
            expect(forecast.mean).toHaveLength(30);
            for (const v of forecast.mean) expect(Number.isFinite(v)).toBe(true);
            for (const v of forecast.variance ?? []) expect(Number.isFinite(v) && v >= 0).toBe(true);
          }
        },
      ),
      { seed: 21, numRuns: 40 },
    );
  });
});
