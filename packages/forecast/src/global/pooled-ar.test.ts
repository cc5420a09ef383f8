import { existsSync, readFileSync } from "node:fs";
import { EnisError } from "@enis/core";
import { evaluateForecasts } from "@enis/forecast";
import { describe, expect, it } from "vitest";
import type { ModelInput } from "../models/types.js";
import { pooledArModel } from "./pooled-ar.js";

function input(values: ArrayLike<number>, seasonalPeriods: readonly number[] = [24]): ModelInput {
  return { values: Float64Array.from(values), seasonalPeriods };
}

function sine(length: number, level: number, amplitude: number, phase: number): number[] {
  return Array.from({ length }, (_, t) => level + amplitude * Math.sin((2 * Math.PI * (t + phase)) / 24));
}

describe("pooledArModel", () => {
  it("documents its minimum length: the longest period + 1 (at least 9) plus the direct steps", () => {
    expect(pooledArModel.name).toBe("pooled-ar");
    expect(pooledArModel.minLength([24, 168])).toBe(169 + 48);
    expect(pooledArModel.minLength([24])).toBe(25 + 48);
    expect(pooledArModel.minLength([])).toBe(9 + 24);
    const short = Array.from({ length: 72 }, (_, t) => 10 + (t % 24));
    let error: unknown;
    try {
      pooledArModel.fitMany([input(short)]);
    } catch (caught) {
      error = caught;
    }
    expect(EnisError.isInstance(error) && error.code).toBe("INVALID_OPTIONS");
    expect(String(error)).toMatch(/at least 73 observations.*got 72/);
  });

  it("recovers constant series", () => {
    const fits = pooledArModel.fitMany([input(new Array(200).fill(5)), input(new Array(150).fill(0.25))]);
    const forecast = fits[0]!.predict(60);
    for (const value of forecast.mean) expect(value).toBeCloseTo(5, 10);
    for (const value of fits[1]!.predict(10).mean) expect(value).toBeCloseTo(0.25, 10);
    for (const value of forecast.variance!) expect(value).toBeCloseTo(0, 10);
  });

  it("recovers pure period-24 sines of different levels, amplitudes and phases, one model for all", () => {
    const series = [sine(300, 100, 30, 0), sine(260, 5, 1, 7), sine(400, 1000, 500, 13)];
    const fits = pooledArModel.fitMany(series.map((values) => input(values)));
    series.forEach((values, i) => {
      const expected = sine(
        values.length + 100,
        i === 0 ? 100 : i === 1 ? 5 : 1000,
        i === 0 ? 30 : i === 1 ? 1 : 500,
        [0, 7, 13][i]!,
      ).slice(values.length);
      const { mean } = fits[i]!.predict(100);
      const amplitude = [30, 1, 500][i]!;
      // Within 3% of the amplitude: the ridge penalty (1% of the windows) shrinks the coefficients.
      mean.forEach((value, h) => {
        expect(Math.abs(value - expected[h]!)).toBeLessThan(0.03 * amplitude);
      });
      // One-step in-sample forecasts: none for the first `lags` observations, then close to the data.
      const lags = fits[i]!.params["lags"] as number;
      expect(Number.isNaN(fits[i]!.fitted[lags - 1]!)).toBe(true);
      for (let t = lags; t < values.length; t++)
        expect(Math.abs(fits[i]!.fitted[t]! - values[t]!)).toBeLessThan(0.03 * amplitude);
    });
    expect(fits[0]!.params["transform"]).toBe("log");
    // One period: members scaled by the daily difference and by the one-step difference.
    expect(fits[0]!.params["windowScaleLags"]).toEqual([24, 1]);
  });

  it("recovers linear trends through zero (no log transform)", () => {
    const trend = (length: number, start: number, slope: number) =>
      Array.from({ length }, (_, t) => start + slope * t);
    const series = [trend(120, -50, 1), trend(100, 300, -2.5), trend(150, 0, 0.1)];
    const fits = pooledArModel.fitMany(series.map((values) => input(values, [])));
    expect(fits[0]!.params["transform"]).toBe("none");
    series.forEach((values, i) => {
      const slope = [1, -2.5, 0.1][i]!;
      const last = values[values.length - 1]!;
      // Within 1% of the change forecast (the ridge penalty shrinks the coefficients a little).
      fits[i]!.predict(50).mean.forEach((value, h) => {
        expect(Math.abs(value - (last + slope * (h + 1)))).toBeLessThan(0.01 * Math.abs(slope) * (h + 1));
      });
    });
  });

  it("is deterministic and gives finite, non-negative variances past the direct block", () => {
    const series = [
      sine(300, 100, 30, 0).map((v, t) => v + ((t * 7919) % 13)),
      sine(320, 50, 10, 5).map((v, t) => v + ((t * 104729) % 7)),
    ];
    const first = pooledArModel.fitMany(series.map((values) => input(values)));
    const second = pooledArModel.fitMany(series.map((values) => input(values)));
    const a = first[1]!.predict(130);
    const b = second[1]!.predict(130);
    expect(Array.from(a.mean)).toEqual(Array.from(b.mean));
    expect(Array.from(a.variance!)).toEqual(Array.from(b.variance!));
    expect(a.mean).toHaveLength(130);
    for (const value of a.variance!) expect(Number.isFinite(value) && value >= 0).toBe(true);
    // The first 48 steps are the direct block; later ones are forecast from it.
    expect(Array.from(first[1]!.predict(48).mean)).toEqual(Array.from(a.mean.subarray(0, 48)));
  });
});

const dataDir = new URL("../../../../../shared/data/m4-hourly/", import.meta.url);
const present = existsSync(new URL("Hourly-train.csv", dataDir));
if (!present)
  console.warn(
    "pooled-ar.test.ts: ../shared/data/m4-hourly is absent beside the repository; the M4 check is skipped",
  );

describe.skipIf(!present)("pooledArModel on M4 Hourly (train file only, its last 48 values held out)", () => {
  it("beats seasonal naive on every 5th series (83), with 95% intervals covering over 85%", () => {
    const rows = readFileSync(new URL("Hourly-train.csv", dataDir), "utf8")
      .split(/\r?\n/)
      .slice(1)
      .filter((line, index) => line.trim() !== "" && index % 5 === 0)
      .map((line) =>
        line
          .split(",")
          .slice(1)
          .map((cell) => cell.replaceAll('"', ""))
          .filter((cell) => cell !== "")
          .map(Number),
      );
    const train = rows.map((row) => row.slice(0, -48));
    const fits = pooledArModel.fitMany(train.map((values) => input(values, [24, 168])));
    const cases = fits.map((fit, i) => {
      const { mean, variance } = fit.predict(48);
      const sd = Array.from(variance!, Math.sqrt);
      return {
        insample: train[i]!,
        actual: rows[i]!.slice(-48),
        forecast: mean,
        interval: {
          lower: Array.from(mean, (m, h) => m - 1.96 * sd[h]!),
          upper: Array.from(mean, (m, h) => m + 1.96 * sd[h]!),
        },
      };
    });
    expect(fits[0]!.params["windowScaleLags"]).toEqual([24, 168]);
    const pooled = evaluateForecasts(cases, { seasonalPeriod: 24 });
    const snaive = evaluateForecasts(
      cases.map(({ insample, actual }) => ({
        insample,
        actual,
        forecast: actual.map((_, h) => insample[insample.length - 24 + (h % 24)]!),
      })),
      { seasonalPeriod: 24 },
    );
    expect(pooled.mase).toBeLessThan(snaive.mase);
    expect(pooled.smape).toBeLessThan(snaive.smape);
    expect(pooled.coverage).toBeGreaterThan(0.85);
  });
});
