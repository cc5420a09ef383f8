import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { naive2Model, naiveModel, snaiveModel } from "./naive.js";
import { fitSes, thetaModel } from "./theta.js";

const m4Folder = fileURLToPath(new URL("../../../../../shared/data/m4-hourly/", import.meta.url));
const hasM4 = existsSync(`${m4Folder}Hourly-train.csv`);
if (!hasM4) console.warn(`M4 Hourly not found in ${m4Folder}: the M4 case is skipped`);

describe("Theta", () => {
  it("a constant series gives constant forecasts", () => {
    const values = new Float64Array(100).fill(3.25);
    const forecast = thetaModel.fit({ values, seasonalPeriods: [24] }).predict(48);
    for (const v of forecast.mean) expect(v).toBeCloseTo(3.25, 10);
  });

  it("extrapolates a linear trend", () => {
    const values = Float64Array.from({ length: 100 }, (_, t) => 10 + 0.5 * t);
    const forecast = thetaModel.fit({ values, seasonalPeriods: [] }).predict(24);
    // The theta = 2 line of an exact line is the line itself: SES with alpha ≈ 1 follows it, and the
    // forecast is the last value plus half the drift per step (Hyndman & Billah 2003).
    for (let h = 1; h <= 24; h++) {
      const line = 10 + 0.5 * (99 + h);
      const halfDrift = 10 + 0.5 * 99 + 0.25 * h;
      expect(forecast.mean[h - 1]).toBeGreaterThanOrEqual(halfDrift - 0.05);
      expect(forecast.mean[h - 1]).toBeLessThanOrEqual(line + 1e-9);
    }
  });

  it("variance grows with the horizon", () => {
    const values = Float64Array.from({ length: 200 }, (_, t) => 50 + Math.sin(t * 1.7) * 3 + t * 0.1);
    const variance = thetaModel.fit({ values, seasonalPeriods: [] }).predict(10).variance!;
    expect(variance[0]).toBeGreaterThan(0);
    for (let h = 1; h < 10; h++) expect(variance[h]).toBeGreaterThanOrEqual(variance[h - 1]!);
  });

  it("a pure period-24 sine on a positive level is reseasonalised", () => {
    const sine = (t: number) => 20 + 5 * Math.sin((2 * Math.PI * t) / 24);
    const values = Float64Array.from({ length: 24 * 20 }, (_, t) => sine(t));
    const fit = thetaModel.fit({ values, seasonalPeriods: [24] });
    expect(fit.params["seasonal"]).toBe(true);
    const forecast = fit.predict(48);
    for (let h = 1; h <= 48; h++) expect(forecast.mean[h - 1]).toBeCloseTo(sine(24 * 20 + h - 1), 1);
  });

  it("negative forecasts of non-negative data become 0, as in the M4 code", () => {
    const values = Float64Array.from({ length: 50 }, (_, t) => 100 - 2 * t);
    const forecast = thetaModel.fit({ values, seasonalPeriods: [] }).predict(100);
    for (const v of forecast.mean) expect(v).toBeGreaterThanOrEqual(0);
    expect(forecast.mean[99]).toBe(0);
  });
});

describe("Theta and the naive family never return NaN or Infinity", () => {
  it("on arbitrary finite data (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }), {
          minLength: 24,
          maxLength: 150,
        }),
        (list) => {
          const values = Float64Array.from(list);
          for (const model of [thetaModel, naiveModel, snaiveModel, naive2Model]) {
            const forecast = model.fit({ values, seasonalPeriods: [24] }).predict(50);
            for (const v of forecast.mean) expect(Number.isFinite(v)).toBe(true);
            for (const v of forecast.variance ?? []) expect(Number.isFinite(v) && v >= 0).toBe(true);
          }
        },
      ),
      { seed: 3, numRuns: 60 },
    );
  });
});

describe("SES by least squares", () => {
  it("finds the alpha that minimises the squared one-step errors (grid check)", () => {
    const values = Float64Array.from({ length: 150 }, (_, t) => 10 + Math.sin(t) + (t % 7) * 0.3);
    const fit = fitSes(values);
    const sse = (alpha: number) => {
      let best = Number.POSITIVE_INFINITY;
      // Brute force over the initial level too.
      for (let l0 = 8; l0 <= 13; l0 += 0.01) {
        let level = l0;
        let s = 0;
        for (const y of values) {
          s += (y - level) ** 2;
          level += alpha * (y - level);
        }
        best = Math.min(best, s);
      }
      return best;
    };
    const found = sse(fit.alpha);
    for (let alpha = 0.01; alpha < 1; alpha += 0.05) expect(found).toBeLessThanOrEqual(sse(alpha) + 1e-3);
  });
});

describe.skipIf(!hasM4)("Theta on M4 Hourly", () => {
  it("H1's forecasts are finite and positive", () => {
    const line = readFileSync(`${m4Folder}Hourly-train.csv`, "utf8").split("\n")[1]!;
    const x = line
      .split(",")
      .slice(1)
      .map((c) => c.replaceAll('"', ""))
      .filter((c) => c !== "")
      .map(Number);
    const forecast = thetaModel.fit({ values: Float64Array.from(x), seasonalPeriods: [24] }).predict(48);
    for (const v of forecast.mean) expect(v).toBeGreaterThan(0);
  });
});
