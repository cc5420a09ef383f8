import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { autocorrelations, centredMovingAverage, isSeasonal, seasonalIndices } from "./decompose.js";
import { driftModel, naive2Model, naiveModel, snaiveModel } from "./naive.js";

const m4Folder = fileURLToPath(new URL("../../../../../shared/data/m4-hourly/", import.meta.url));
const hasM4 = existsSync(`${m4Folder}Hourly-train.csv`);
if (!hasM4) console.warn(`M4 Hourly not found in ${m4Folder}: the M4 cases are skipped`);

/** The first `count` rows of an M4 file as arrays of numbers (ragged rows, id first). */
function readM4(file: string, count: number): number[][] {
  const lines = readFileSync(`${m4Folder}${file}`, "utf8")
    .split("\n")
    .slice(1, count + 1);
  return lines.map((line) =>
    line
      .split(",")
      .slice(1)
      .map((cell) => cell.replaceAll('"', ""))
      .filter((cell) => cell !== "")
      .map(Number),
  );
}

const sine = (n: number, period = 24): Float64Array =>
  Float64Array.from({ length: n }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / period));

describe("naive family: closed forms", () => {
  it("a constant series gives constant forecasts and zero variance", () => {
    const values = new Float64Array(100).fill(7.5);
    for (const model of [naiveModel, snaiveModel, naive2Model]) {
      const forecast = model.fit({ values, seasonalPeriods: [24] }).predict(30);
      expect([...forecast.mean]).toEqual(new Array(30).fill(7.5));
      expect([...(forecast.variance ?? [])]).toEqual(new Array(30).fill(0));
    }
  });

  it("seasonal naive reproduces a pure period-24 sine", () => {
    const values = sine(24 * 10 + 7);
    const forecast = snaiveModel.fit({ values, seasonalPeriods: [24, 168] }).predict(60);
    const future = sine(24 * 10 + 7 + 60).subarray(24 * 10 + 7);
    for (let h = 0; h < 60; h++) expect(forecast.mean[h]).toBeCloseTo(future[h]!, 10);
  });

  it("naive forecasts the last value with variance h·σ², growing with the horizon", () => {
    const values = Float64Array.from([1, 3, 2, 5, 4]);
    const fit = naiveModel.fit({ values, seasonalPeriods: [] });
    expect(Number.isNaN(fit.fitted[0])).toBe(true);
    expect([...fit.fitted.subarray(1)]).toEqual([1, 3, 2, 5]);
    const forecast = fit.predict(3);
    expect([...forecast.mean]).toEqual([4, 4, 4]);
    const sigma2 = (4 + 1 + 9 + 1) / 4;
    expect([...(forecast.variance ?? [])]).toEqual([sigma2, 2 * sigma2, 3 * sigma2]);
  });

  it("seasonal naive's variance steps up once per period", () => {
    const values = Float64Array.from({ length: 50 }, (_, t) => (t % 4) + (t % 3));
    const variance = snaiveModel.fit({ values, seasonalPeriods: [4] }).predict(9).variance!;
    expect(variance[0]).toBeGreaterThan(0);
    expect(variance[3]).toBe(variance[0]);
    expect(variance[4]).toBeCloseTo(2 * variance[0]!, 12);
    expect(variance[8]).toBeCloseTo(3 * variance[0]!, 12);
  });

  it("minimum lengths: one full period for the seasonal forms", () => {
    expect(naiveModel.minLength([24])).toBe(1);
    expect(snaiveModel.minLength([24, 168])).toBe(24);
    expect(snaiveModel.minLength([])).toBe(1);
    expect(naive2Model.minLength([24])).toBe(24);
  });

  it("Naive2 is plain naive when the series is too short for the test (< 3 periods)", () => {
    const values = sine(71);
    const fit = naive2Model.fit({ values, seasonalPeriods: [24] });
    expect(fit.params["seasonal"]).toBe(false);
    expect([...fit.predict(5).mean]).toEqual(new Array(5).fill(values[70]));
  });

  it("Naive2 leaves data at or below zero unadjusted rather than dividing by a zero index", () => {
    const values = Float64Array.from({ length: 24 * 12 }, (_, t) => Math.sin((2 * Math.PI * t) / 24));
    const forecast = naive2Model.fit({ values, seasonalPeriods: [24] }).predict(48);
    for (const v of forecast.mean) expect(Number.isFinite(v)).toBe(true);
    for (const v of forecast.variance ?? []) expect(Number.isFinite(v)).toBe(true);
  });
});

describe("decomposition helpers", () => {
  it("the centred moving average of an even period uses half weights at the ends", () => {
    const trend = centredMovingAverage([1, 2, 3, 4, 5, 6], 4);
    expect(Number.isNaN(trend[1])).toBe(true);
    expect(trend[2]).toBeCloseTo((0.5 * 1 + 2 + 3 + 4 + 0.5 * 5) / 4, 12);
    expect(trend[3]).toBeCloseTo((0.5 * 2 + 3 + 4 + 5 + 0.5 * 6) / 4, 12);
  });

  it("autocorrelations of an alternating series alternate in sign", () => {
    const r = autocorrelations([1, -1, 1, -1, 1, -1, 1, -1], 2);
    expect(r[0]).toBeCloseTo(-7 / 8, 12);
    expect(r[1]).toBeCloseTo(6 / 8, 12);
  });

  it("a strongly seasonal series passes the test, white-noise-like data does not", () => {
    expect(isSeasonal(sine(300), 24)).toBe(true);
    // A deterministic, aperiodic sequence (fractional parts of t·golden ratio) has no lag-24 pattern.
    const aperiodic = Float64Array.from({ length: 300 }, (_, t) => (t * 0.6180339887) % 1);
    expect(isSeasonal(aperiodic, 24)).toBe(false);
    // R computes the acf to lag floor(10·log10(n)) = 23 for n = 251: period 24 is never tested.
    expect(isSeasonal(sine(251), 24)).toBe(false);
  });

  it("multiplicative indices average to 1", () => {
    const values = Float64Array.from({ length: 96 }, (_, t) => (10 + t) * (1 + 0.2 * Math.sin(t)));
    const figure = seasonalIndices(values, 24, "multiplicative")!;
    expect(figure.reduce((a, b) => a + b, 0) / 24).toBeCloseTo(1, 12);
  });
});

/**
 * Naive2 recomputed here the long way, the way R reads it: acf to lag floor(10·log10 n), the
 * 1.645 limit, the 2×24 moving average as a 25-point filter, the index per hour, the last value.
 */
function naive2ByHand(x: number[], horizon: number): number[] {
  const n = x.length;
  const m = 24;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const c = (k: number) => {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += (x[t]! - mean) * (x[t + k]! - mean);
    return s / n;
  };
  const acf = Array.from({ length: m }, (_, k) => c(k + 1) / c(0));
  const limit =
    (1.645 / Math.sqrt(n)) * Math.sqrt(1 + 2 * acf.slice(0, m - 1).reduce((a, r) => a + r * r, 0));
  const seasonal = n >= 3 * m && Math.abs(acf[m - 1]!) > limit;
  if (!seasonal) return new Array(horizon).fill(x[n - 1]);
  const weights = [0.5, ...new Array(m - 1).fill(1), 0.5].map((w) => w / m);
  const ratios: number[][] = Array.from({ length: m }, () => []);
  for (let t = 12; t < n - 12; t++) {
    const trend = weights.reduce((s, w, k) => s + w * x[t - 12 + k]!, 0);
    ratios[t % m]!.push(x[t]! / trend);
  }
  const raw = ratios.map((list) => list.reduce((a, b) => a + b, 0) / list.length);
  const norm = raw.reduce((a, b) => a + b, 0) / m;
  const index = raw.map((v) => v / norm);
  const lastAdjusted = x[n - 1]! / index[(n - 1) % m]!;
  return Array.from({ length: horizon }, (_, h) => lastAdjusted * index[(n + h) % m]!);
}

describe.skipIf(!hasM4)("M4 Hourly", () => {
  const train = hasM4 ? readM4("Hourly-train.csv", 3) : [];

  it("seasonal naive repeats the last 24 hours of H1", () => {
    const x = train[0]!;
    const forecast = snaiveModel.fit({ values: Float64Array.from(x), seasonalPeriods: [24] }).predict(48);
    const lastDay = x.slice(-24);
    expect([...forecast.mean]).toEqual([...lastDay, ...lastDay]);
  });

  it("Naive2 on H1..H3 matches the organisers' definition recomputed independently", () => {
    let seasonalCount = 0;
    for (const x of train) {
      const fit = naive2Model.fit({ values: Float64Array.from(x), seasonalPeriods: [24] });
      if (fit.params["seasonal"] === true) seasonalCount++;
      const expected = naive2ByHand(x, 48);
      const mean = fit.predict(48).mean;
      for (let h = 0; h < 48; h++) expect(mean[h]).toBeCloseTo(expected[h]!, 8);
    }
    // The comparison exercises the seasonal branch, not only the plain naive one.
    expect(seasonalCount).toBeGreaterThan(0);
  });
});

describe("drift", () => {
  it("extends the line through the first and last observations, its variance growing faster than the walk's", () => {
    const values = Float64Array.from([10, 12, 13, 17, 18]);
    const fit = driftModel.fit({ values, seasonalPeriods: [] });
    const { mean, variance } = fit.predict(3);
    expect(Array.from(mean)).toEqual([20, 22, 24]);
    expect(fit.params).toEqual({ drift: 2 });
    expect(Number.isNaN(fit.fitted[0]!)).toBe(true);
    expect(fit.fitted[1]).toBe(12);
    const sigma2 = (0 + 1 + 4 + 1) / 4;
    expect(Array.from(variance!)).toEqual([
      sigma2 * 1 * (1 + 1 / 4),
      sigma2 * 2 * (1 + 2 / 4),
      sigma2 * 3 * (1 + 3 / 4),
    ]);
    expect(driftModel.minLength([])).toBe(2);
  });

  it("has no variance with two observations (one change, nothing to estimate it from)", () => {
    const fit = driftModel.fit({ values: Float64Array.from([5, 7]), seasonalPeriods: [] });
    expect(Array.from(fit.predict(2).mean)).toEqual([9, 11]);
    expect(fit.predict(2).variance).toBeUndefined();
  });
});
