import { createRandom, EnisError } from "@enis/core";
import { forecastCapacity, forecastMonthlyCost } from "@enis/forecast";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forecastMonthlyCostWith } from "./cost.js";
import type { LocalModel } from "./models/types.js";
import { createRegistry } from "./registry.js";

/** A drift model (last value + the average change per step), without a variance. */
const drift: LocalModel = {
  name: "drift",
  minLength: () => 2,
  fit({ values }) {
    const n = values.length;
    const slope = ((values[n - 1] as number) - (values[0] as number)) / (n - 1);
    const fitted = new Float64Array(n).fill(Number.NaN);
    for (let t = 1; t < n; t++) fitted[t] = (values[t - 1] as number) + slope;
    return {
      name: "drift",
      params: { slope },
      fitted,
      predict: (horizon) => ({
        mean: Float64Array.from({ length: horizon }, (_, h) => (values[n - 1] as number) + slope * (h + 1)),
      }),
    };
  },
};
const withDrift = createRegistry([drift], [], ["drift"]);

/** The mean of the history, without a variance. */
const average: LocalModel = {
  name: "average",
  minLength: () => 1,
  fit({ values }) {
    const n = values.length;
    const fitted = new Float64Array(n).fill(Number.NaN);
    let total = 0;
    for (let t = 0; t < n; t++) {
      if (t > 0) fitted[t] = total / t;
      total += values[t] as number;
    }
    return {
      name: "average",
      params: {},
      fitted,
      predict: (horizon) => ({ mean: new Float64Array(horizon).fill(total / n) }),
    };
  },
};

function expectError(run: () => unknown, field: string, message?: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(EnisError.isInstance(error)).toBe(true);
    expect((error as EnisError).code).toBe("INVALID_OPTIONS");
    expect((error as EnisError).field).toBe(field);
    if (message !== undefined) expect((error as EnisError).message).toMatch(message);
    return;
  }
  throw new Error("expected an EnisError");
}

function allFinite(values: readonly number[]): boolean {
  return values.every((value) => Number.isFinite(value));
}

describe("forecastMonthlyCost", () => {
  it("is defined for a single month: the month repeats, with wide stated bounds, stable, no NaN", () => {
    const result = forecastMonthlyCost([1000], { monthsAhead: 3 });
    expect(result.basis).toBe("single-month");
    expect(result.monthlyUsd).toEqual([1000, 1000, 1000]);
    expect(result.trend).toBe("stable");
    expect(result.changePercent).toBe(0);
    // 80%: z = 1.2816; ± z · 25% · 1000 · sqrt(h)
    expect(result.upperUsd[0]).toBeCloseTo(1000 + 1.2815515655 * 250, 4);
    expect(result.lowerUsd[2]).toBeCloseTo(1000 - 1.2815515655 * 250 * Math.sqrt(3), 4);
    for (const list of [result.monthlyUsd, result.lowerUsd, result.upperUsd])
      expect(allFinite(list)).toBe(true);
    const zero = forecastMonthlyCost([0], { monthsAhead: 1 });
    expect(zero).toMatchObject({
      monthlyUsd: [0],
      lowerUsd: [0],
      upperUsd: [0],
      changePercent: 0,
      trend: "stable",
    });
  });

  it("reports the trend beyond ±10% between the last actual month and the last forecast month", () => {
    const up = forecastMonthlyCostWith([100, 110, 120], { monthsAhead: 2 }, withDrift);
    expect(up.monthlyUsd).toEqual([130, 140]);
    expect(up.changePercent).toBeCloseTo(((140 - 120) / 120) * 100, 10);
    expect(up.trend).toBe("increasing");
    expect(forecastMonthlyCostWith([120, 110, 100], { monthsAhead: 2 }, withDrift).trend).toBe("decreasing");
    const flat = forecastMonthlyCostWith([100, 101, 102], { monthsAhead: 3 }, withDrift);
    expect(flat.trend).toBe("stable");
    expect(flat.changePercent).toBeCloseTo((3 / 102) * 100, 10);
    // Never a percentage of nothing
    const fromZero = forecastMonthlyCostWith([0, 0, 0, 0], { monthsAhead: 1 }, withDrift);
    expect(fromZero.changePercent).toBe(0);
    const falls = forecastMonthlyCostWith([20, 10, 0], { monthsAhead: 1, model: "drift" }, withDrift);
    expect(falls.monthlyUsd).toEqual([0]); // -10 is reported as 0: cost is not negative
    expect(falls.lowerUsd[0]).toBe(0);
  });

  it("gives no percentage of a last month at 0 when the forecast is not 0", () => {
    const result = forecastMonthlyCostWith(
      [10, 20, 0],
      { monthsAhead: 2 },
      createRegistry([average], [], ["average"]),
    );
    expect(result.monthlyUsd).toEqual([10, 10]);
    expect(result.changePercent).toBeNull();
    expect(result.trend).toBe("increasing");
  });

  it("never returns NaN or Infinity, for any history of one month or more (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 24 }),
        (history, monthsAhead) => {
          const result = forecastMonthlyCost(history, { monthsAhead });
          for (const list of [result.monthlyUsd, result.lowerUsd, result.upperUsd]) {
            expect(list).toHaveLength(monthsAhead);
            expect(allFinite(list)).toBe(true);
          }
          expect(result.changePercent === null || Number.isFinite(result.changePercent)).toBe(true);
          for (let h = 0; h < monthsAhead; h++) {
            expect(result.lowerUsd[h]!).toBeLessThanOrEqual(result.monthlyUsd[h]!);
            expect(result.upperUsd[h]!).toBeGreaterThanOrEqual(result.monthlyUsd[h]!);
          }
        },
      ),
      { seed: 9, numRuns: 100 },
    );
  });

  it("forecasts with a model from two months on, its bounds at the level asked for", () => {
    const history = [1000, 1100, 1050, 1200, 1150, 1250, 1300, 1280];
    const result = forecastMonthlyCost(history, { monthsAhead: 4, level: 95 });
    expect(result.basis).toBe("model");
    expect(result.level).toBe(95);
    expect(result.historyUsd).toEqual(history);
    for (let h = 0; h < 4; h++) {
      expect(result.lowerUsd[h]!).toBeLessThanOrEqual(result.monthlyUsd[h]!);
      expect(result.upperUsd[h]!).toBeGreaterThan(result.monthlyUsd[h]!);
    }
    expect(result.upperUsd[3]! - result.lowerUsd[3]!).toBeGreaterThan(
      result.upperUsd[0]! - result.lowerUsd[0]!,
    );
    expect(forecastMonthlyCost([500, 700], { monthsAhead: 1 }).basis).toBe("model");
  });

  it("sums hourly cost into UTC calendar months, scaling a partly covered month, with the months' starts", () => {
    const startMs = Date.UTC(2026, 0, 1);
    const hours = (31 + 28 + 15) * 24; // January, February, half of March
    const values = new Array<number>(hours).fill(2);
    const result = forecastMonthlyCost(
      { values, startMs, stepMs: 3_600_000 },
      { monthsAhead: 2, model: "naive" },
    );
    expect(result.historyUsd).toEqual([31 * 48, 28 * 48, 31 * 48]);
    expect(result.monthlyUsd).toEqual([31 * 48, 31 * 48]);
    expect(result.monthStartMs).toEqual([Date.UTC(2026, 3, 1), Date.UTC(2026, 4, 1)]);
    // Daily steps, from the middle of a month, and a missing day interpolated
    const daily = new Array<number | null>(40).fill(10);
    daily[20] = null;
    const fromDaily = forecastMonthlyCost(
      { values: daily, startMs: Date.UTC(2026, 5, 16), stepMs: 86_400_000 },
      { monthsAhead: 1 },
    );
    expect(fromDaily.historyUsd).toEqual([300, 310]); // June (15 days seen, of 30) and July (25 of 31), scaled
  });

  it("refuses bad inputs with an EnisError naming the field", () => {
    expectError(() => forecastMonthlyCost([], { monthsAhead: 1 }), "history", /non-empty/);
    expectError(() => forecastMonthlyCost([100, -5], { monthsAhead: 1 }), "history[1]", />= 0, got -5/);
    expectError(() => forecastMonthlyCost([100, NaN], { monthsAhead: 1 }), "history[1]");
    expectError(() => forecastMonthlyCost([100], { monthsAhead: 0 }), "options.monthsAhead", /at least 1/);
    expectError(() => forecastMonthlyCost([100], { monthsAhead: 1, level: 100 }), "options.level");
    expectError(
      () => forecastMonthlyCost([100], { monthsAhead: 1, months: 2 } as never),
      "options.months",
      /not a known option/,
    );
    expectError(
      () => forecastMonthlyCost({ values: [1, 2], startMs: 0, stepMs: 7 * 86_400_000 }, { monthsAhead: 1 }),
      "history.stepMs",
      /divides a day/,
    );
    expectError(
      () => forecastMonthlyCost({ values: [1, 2] } as never, { monthsAhead: 1 }),
      "history.startMs",
    );
    expectError(
      () => forecastMonthlyCost({ values: [1, -2], startMs: 0, stepMs: 3_600_000 }, { monthsAhead: 1 }),
      "history.values[1]",
    );
  });
});

describe("forecastCapacity", () => {
  function demand(seed: number, length: number): number[] {
    const random = createRandom(seed);
    return Array.from(
      { length },
      (_, t) => 200 + 50 * Math.sin((2 * Math.PI * t) / 24) + 10 * random.nextGaussian(),
    );
  }

  it("gives the forecast's quantile per step: the mean at 0.5, higher for higher quantiles, never below 0", () => {
    const history = demand(1, 24 * 21);
    const options = { horizon: 24, seasonalPeriods: [24], model: "snaive" };
    const median = forecastCapacity(history, { ...options, quantile: 0.5 });
    expect(median.capacity).toEqual(median.mean);
    const p90 = forecastCapacity(history, { ...options, quantile: 0.9 });
    const p99 = forecastCapacity(history, { ...options, quantile: 0.99 });
    const p10 = forecastCapacity(history, { ...options, quantile: 0.1 });
    for (let h = 0; h < 24; h++) {
      expect(p90.capacity[h]!).toBeGreaterThan(median.capacity[h]!);
      expect(p99.capacity[h]!).toBeGreaterThan(p90.capacity[h]!);
      expect(p10.capacity[h]!).toBeLessThan(median.capacity[h]!);
    }
    expect(
      forecastCapacity([0, 0, 0, 5, 0, 0], { horizon: 3, quantile: 0.01, model: "naive" }).capacity,
    ).toEqual([0, 0, 0]);
  });

  it("covers demand about as often as the quantile asks, on simulated seasonal demand", () => {
    let covered = 0;
    let steps = 0;
    for (let run = 0; run < 40; run++) {
      const series = demand(100 + run, 24 * 15);
      const history = series.slice(0, 24 * 14);
      const { capacity } = forecastCapacity(history, {
        horizon: 24,
        quantile: 0.9,
        seasonalPeriods: [24],
        model: "snaive",
      });
      series.slice(24 * 14).forEach((actual, h) => {
        if (actual <= capacity[h]!) covered++;
        steps++;
      });
    }
    expect(covered / steps).toBeGreaterThan(0.85);
    expect(covered / steps).toBeLessThan(0.95);
  });

  it("uses periods 24 and 168 for hourly history by default, and returns the steps' timestamps", () => {
    const values = demand(2, 24 * 15);
    const result = forecastCapacity(
      { values, startMs: 0, stepMs: 3_600_000 },
      { horizon: 2, quantile: 0.95, model: "snaive" },
    );
    expect(result.model.params["period"]).toBe(24);
    expect(result.timestamps).toEqual([24 * 15 * 3_600_000, (24 * 15 + 1) * 3_600_000]);
  });

  it("refuses a quantile outside (0, 1) and what forecast() refuses", () => {
    for (const quantile of [0, 1, 1.5, -0.1, Number.NaN]) {
      expectError(() => forecastCapacity([1, 2, 3], { horizon: 1, quantile }), "options.quantile");
    }
    expectError(() => forecastCapacity([1, 2, 3], { horizon: 0, quantile: 0.9 }), "options.horizon");
    expectError(
      () => forecastCapacity([1, 2, 3], { horizon: 1, quantile: 0.9, levels: [90] } as never),
      "options.levels",
    );
    expectError(() => forecastCapacity([], { horizon: 1, quantile: 0.9 }), "series");
  });
});
