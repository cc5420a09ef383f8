import { EnisError } from "@enis/core";
import {
  coverage,
  evaluateForecasts,
  mae,
  mape,
  mase,
  msis,
  owa,
  rmse,
  seasonalScale,
  smape,
} from "@enis/forecast";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return EnisError.isInstance(error) ? error.code : "not an EnisError";
  }
  return undefined;
}

describe("point measures", () => {
  it("compute the closed forms", () => {
    expect(mae({ actual: [10, 20], forecast: [12, 17] })).toBe(2.5);
    expect(rmse({ actual: [10, 20], forecast: [13, 16] })).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(mape({ actual: [100, 200], forecast: [110, 180] })).toBeCloseTo(10, 12);
    expect(smape({ actual: [100, 200], forecast: [110, 180] })).toBeCloseTo(
      (2000 / 210 + 4000 / 380) / 2,
      12,
    );
    expect(seasonalScale([1, 2, 4, 7], 1)).toBe(2);
    expect(seasonalScale([1, 5, 2, 8, 4], 2)).toBe((1 + 3 + 2) / 3);
    expect(mase({ actual: [5, 6], forecast: [4, 8], insample: [1, 2, 4, 7], seasonalPeriod: 1 })).toBe(0.75);
  });

  it("score an exact forecast 0, zeros included", () => {
    expect(smape({ actual: [0, 3], forecast: [0, 3] })).toBe(0);
    expect(rmse({ actual: [0, 3], forecast: [0, 3] })).toBe(0);
  });

  it("sMAPE stays in [0, 200] and is symmetric in actual and forecast", () => {
    const series = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(series, series, (a, b) => {
        const n = Math.min(a.length, b.length);
        const actual = a.slice(0, n);
        const forecast = b.slice(0, n);
        const value = smape({ actual, forecast });
        return (
          value >= 0 &&
          value <= 200 + 1e-9 &&
          Math.abs(value - smape({ actual: forecast, forecast: actual })) < 1e-9
        );
      }),
      { seed: 12 },
    );
  });

  it("RMSE is at least MAE and survives values whose squares overflow", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -1e9, max: 1e9, noNaN: true }),
            fc.double({ min: -1e9, max: 1e9, noNaN: true }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (pairs) => {
          const actual = pairs.map(([y]) => y);
          const forecast = pairs.map(([, f]) => f);
          return rmse({ actual, forecast }) >= mae({ actual, forecast }) * (1 - 1e-12);
        },
      ),
      { seed: 12 },
    );
    expect(rmse({ actual: [1e200, -1e200], forecast: [0, 0] })).toBeCloseTo(1e200, -190);
  });
});

describe("interval measures", () => {
  it("compute MSIS and coverage as M4 does", () => {
    const input = { actual: [5, 9], lower: [4, 6], upper: [6, 8] };
    // Step 1 inside: width 2. Step 2 above by 1: width 2 + (2 / 0.05) · 1 = 42. Scale 2.
    expect(msis({ ...input, insample: [1, 2, 4, 7], seasonalPeriod: 1, level: 95 })).toBeCloseTo(11, 12);
    expect(msis({ ...input, insample: [1, 2, 4, 7], seasonalPeriod: 1 })).toBeCloseTo(11, 12);
    // At 80 %, α = 0.2: 2 + 10 · 1 = 12 for the second step.
    expect(msis({ ...input, insample: [1, 2, 4, 7], seasonalPeriod: 1, level: 80 })).toBeCloseTo(
      (2 + 12) / 2 / 2,
      12,
    );
    expect(coverage(input)).toBe(0.5);
    expect(coverage({ actual: [4, 6], lower: [4, 6], upper: [6, 8] })).toBe(1);
  });
});

describe("OWA", () => {
  it("is 1 for Naive2 and defaults to M4 Hourly's reference", () => {
    expect(owa({ smape: 18.383, mase: 2.395 })).toBeCloseTo(1, 12);
    expect(owa({ smape: 13.912, mase: 1.193 }).toFixed(3)).toBe("0.627");
    expect(owa({ smape: 10, mase: 1, reference: { smape: 20, mase: 2 } })).toBe(0.5);
  });
});

describe("evaluateForecasts", () => {
  it("means over every series and step, and gives each series' scores", () => {
    const accuracy = evaluateForecasts(
      [
        {
          insample: [1, 2, 4, 7],
          actual: [5, 6],
          forecast: [4, 8],
          interval: { lower: [3, 5], upper: [6, 9] },
        },
        {
          insample: [10, 10, 20],
          actual: [0, 10],
          forecast: [0, 20],
          interval: { lower: [1, 10], upper: [2, 30] },
        },
      ],
      { seasonalPeriod: 1, reference: { smape: 20, mase: 1 } },
    );
    expect(accuracy.series[0]!.mase).toBe(0.75);
    // Series 2: scale (0 + 10) / 2 = 5; errors 0 and 10.
    expect(accuracy.series[1]!.mase).toBe(1);
    expect(accuracy.mase).toBe((1 / 2 + 2 / 2 + 0 + 10 / 5) / 4);
    expect(accuracy.smape).toBeCloseTo((200 / 9 + 400 / 14 + 0 + 2000 / 30) / 4, 12);
    expect(accuracy.owa).toBeCloseTo(0.5 * (accuracy.smape / 20 + accuracy.mase), 12);
    expect(accuracy.mape).toBeNull();
    expect(accuracy.series[0]!.mape).toBeCloseTo((100 * (1 / 5 + 2 / 6)) / 2, 12);
    expect(accuracy.coverage).toBe(3 / 4);
    expect(accuracy.msis).not.toBeNull();
    expect(
      evaluateForecasts([{ insample: [1, 2], actual: [3], forecast: [3] }], { seasonalPeriod: 1 }).coverage,
    ).toBeNull();
  });
});

describe("evaluateForecasts against the single-series functions", () => {
  const value = fc.double({ min: 0.5, max: 1e4, noNaN: true });
  const caseArbitrary = fc
    .tuple(
      fc.array(value, { minLength: 6, maxLength: 30 }),
      fc.array(fc.tuple(value, value, value, value), { minLength: 1, maxLength: 12 }),
    )
    .map(([insample, steps]) => ({
      insample,
      actual: steps.map(([y]) => y),
      forecast: steps.map(([, f]) => f),
      interval: {
        lower: steps.map(([, , a, b]) => Math.min(a, b)),
        upper: steps.map(([, , a, b]) => Math.max(a, b)),
      },
    }));

  it("gives each series the scores of mae, rmse, smape, mase, msis and coverage, and sMAPE, MASE and MSIS ignore the unit", () => {
    fc.assert(
      fc.property(
        fc.array(caseArbitrary, { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (cases, unit) => {
          const accuracy = evaluateForecasts(cases, { seasonalPeriod: 2, level: 80 });
          cases.forEach((item, i) => {
            const scores = accuracy.series[i]!;
            const scaled = { insample: item.insample, seasonalPeriod: 2 };
            expect(scores.mae).toBeCloseTo(mae(item), 6);
            expect(scores.rmse).toBeCloseTo(rmse(item), 6);
            expect(scores.smape).toBeCloseTo(smape(item), 9);
            expect(scores.mape).toBeCloseTo(mape(item), 9);
            expect(scores.mase).toBeCloseTo(mase({ ...item, ...scaled }), 9);
            expect(scores.msis).toBeCloseTo(msis({ ...item, ...item.interval, ...scaled, level: 80 }), 6);
            expect(scores.coverage).toBe(coverage({ actual: item.actual, ...item.interval }));
          });
          const steps = cases.reduce((sum, item) => sum + item.actual.length, 0);
          const weighted = cases.reduce(
            (sum, item, i) => sum + accuracy.series[i]!.smape * item.actual.length,
            0,
          );
          expect(accuracy.smape).toBeCloseTo(weighted / steps, 9);
          const times = (list: number[]) => list.map((x) => x * unit);
          const rescaled = evaluateForecasts(
            cases.map((item) => ({
              insample: times(item.insample),
              actual: times(item.actual),
              forecast: times(item.forecast),
              interval: { lower: times(item.interval.lower), upper: times(item.interval.upper) },
            })),
            { seasonalPeriod: 2, level: 80 },
          );
          expect(rescaled.smape).toBeCloseTo(accuracy.smape, 6);
          expect(rescaled.mase / accuracy.mase).toBeCloseTo(1, 6);
          expect(rescaled.msis! / accuracy.msis!).toBeCloseTo(1, 6);
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });
});

describe("bad inputs", () => {
  it("are EnisErrors naming the field, never NaN or Infinity", () => {
    expect(codeOf(() => mae({ actual: [1, 2], forecast: [1] }))).toBe("INVALID_OPTIONS");
    expect(codeOf(() => mae({ actual: [], forecast: [] }))).toBe("INVALID_OPTIONS");
    expect(codeOf(() => smape({ actual: [1, Number.NaN], forecast: [1, 2] }))).toBe("INVALID_OPTIONS");
    expect(codeOf(() => smape({ actual: [1, 2], forecast: [1, Number.POSITIVE_INFINITY] }))).toBe(
      "INVALID_OPTIONS",
    );
    expect(codeOf(() => mape({ actual: [0, 2], forecast: [1, 2] }))).toBe("INVALID_OPTIONS");
    expect(codeOf(() => mase({ actual: [1], forecast: [1], insample: [3, 3, 3], seasonalPeriod: 1 }))).toBe(
      "INVALID_OPTIONS",
    );
    expect(codeOf(() => mase({ actual: [1], forecast: [1], insample: [3], seasonalPeriod: 1 }))).toBe(
      "INVALID_OPTIONS",
    );
    expect(codeOf(() => mase({ actual: [1], forecast: [1], insample: [3, 4], seasonalPeriod: 0 }))).toBe(
      "INVALID_OPTIONS",
    );
    expect(codeOf(() => coverage({ actual: [1], lower: [2], upper: [1] }))).toBe("INVALID_OPTIONS");
    expect(
      codeOf(() =>
        msis({ actual: [1], lower: [0], upper: [2], insample: [1, 2], seasonalPeriod: 1, level: 100 }),
      ),
    ).toBe("INVALID_OPTIONS");
    expect(codeOf(() => mae({ actual: [1.7e308], forecast: [-1.7e308] }))).toBe("INVALID_OPTIONS");
    expect(codeOf(() => owa({ smape: 1, mase: 1, reference: { smape: 0, mase: 1 } }))).toBe(
      "INVALID_OPTIONS",
    );
    expect(codeOf(() => evaluateForecasts([], { seasonalPeriod: 24 }))).toBe("INVALID_OPTIONS");
    expect(
      codeOf(() =>
        evaluateForecasts([{ insample: [1, 2], actual: [1], forecast: [1] }], {
          seasonalPeriod: 1,
          levle: 95,
        } as never),
      ),
    ).toBe("INVALID_OPTIONS");
  });

  it("name the series and the value", () => {
    expect(() =>
      evaluateForecasts(
        [
          { insample: [1, 2], actual: [1], forecast: [1] },
          { insample: [1, 2], actual: [1, 2], forecast: [1] },
        ],
        { seasonalPeriod: 1 },
      ),
    ).toThrow("series[1].forecast must be an array of 2 numbers (as many as actual), got an array of 1");
    expect(() => mase({ actual: [1], forecast: [1], insample: [3, 3, 3], seasonalPeriod: 1 })).toThrow(
      /input\.insample must vary/,
    );
    expect(() => smape({ actual: [1, Number.NaN], forecast: [1, 2] })).toThrow(
      "input.actual[1] must be a finite number, got NaN",
    );
  });
});
