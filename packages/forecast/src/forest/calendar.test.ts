import { createRandom } from "@enis/core";
import { calendarFeatures, forecastWithCalendar } from "@enis/forecast";
import { describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

const hourMs = 3_600_000;
const dayMs = 86_400_000;
// Monday 2026-01-05 00:00 UTC.
const startMs = Date.UTC(2026, 0, 5);

/** Hourly demand with a daily hump, quieter weekends (and holidays), and Gaussian noise of sd `noise`. */
function hourly(
  days: number,
  seed: number,
  noise: number,
  holiday: (dayStartMs: number) => boolean = () => false,
): { values: number[]; truth: (index: number) => number } {
  const random = createRandom(seed);
  const truth = (index: number): number => {
    const timeMs = startMs + index * hourMs;
    const hour = index % 24;
    const weekday = new Date(timeMs).getUTCDay();
    const rest = weekday === 0 || weekday === 6 || holiday(timeMs - hour * hourMs);
    return 50 + 30 * Math.exp(-(((hour - 13) / 3) ** 2)) * (rest ? 0.4 : 1);
  };
  const values = Array.from(
    { length: days * 24 },
    (_, index) => truth(index) + noise * random.nextGaussian(),
  );
  return { values, truth };
}

describe("calendarFeatures", () => {
  it("gives the hour, weekday (0 = Sunday), weekend and trend on the local clock", () => {
    // Saturday 2026-01-10 22:00 UTC, 3 hourly steps.
    const utc = calendarFeatures({ startMs: Date.UTC(2026, 0, 10, 22), stepMs: hourMs }, 0, 3);
    expect(utc.names).toEqual(["hourOfDay", "dayOfWeek", "weekend", "trend"]);
    expect(Array.from(utc.values)).toEqual([22, 6, 1, 0, 23, 6, 1, 1, 0, 0, 1, 2]);
    // Two hours ahead of UTC: Saturday 22:00 UTC is Sunday 00:00 there; from index 5 on.
    const local = calendarFeatures({ startMs: Date.UTC(2026, 0, 10, 22), stepMs: hourMs }, 5, 1, {
      utcOffsetMs: 2 * hourMs,
      trend: false,
    });
    expect(local.names).toEqual(["hourOfDay", "dayOfWeek", "weekend"]);
    expect(Array.from(local.values)).toEqual([5, 0, 1]);
    // Monday 1969-12-29, before the epoch.
    const early = calendarFeatures({ startMs: Date.UTC(1969, 11, 29, 3), stepMs: hourMs }, 0, 1, {
      trend: false,
    });
    expect(Array.from(early.values)).toEqual([3, 1, 0]);
  });

  it("asks the holiday hook once per local day, with that day's start", () => {
    const asked: number[] = [];
    const features = calendarFeatures({ startMs: Date.UTC(2026, 0, 1, 20), stepMs: hourMs }, 0, 10, {
      utcOffsetMs: -5 * hourMs,
      holidays: (dayStartMs) => {
        asked.push(dayStartMs);
        return dayStartMs === Date.UTC(2026, 0, 1, 5);
      },
    });
    // 20:00 UTC is 15:00 on Jan 1 at UTC-5; 05:00 UTC on Jan 2 is midnight there.
    expect(asked).toEqual([Date.UTC(2026, 0, 1, 5), Date.UTC(2026, 0, 2, 5)]);
    const holidayColumn = features.names.indexOf("holiday");
    const flags = Array.from({ length: 10 }, (_, r) => features.values[r * features.columns + holidayColumn]);
    expect(flags).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it("refuses a bad clock, a bad range and a bad hook answer", () => {
    expect(codeOf(() => calendarFeatures({ startMs: 0, stepMs: 0 }, 0, 1))).toEqual([
      "INVALID_OPTIONS",
      "clock.stepMs",
    ]);
    expect(codeOf(() => calendarFeatures({ startMs: Number.NaN, stepMs: 1 }, 0, 1))).toEqual([
      "INVALID_OPTIONS",
      "clock.startMs",
    ]);
    expect(codeOf(() => calendarFeatures({ startMs: 0, stepMs: 1 }, 0, 0))).toEqual([
      "INVALID_OPTIONS",
      "count",
    ]);
    expect(codeOf(() => calendarFeatures({ startMs: 0, stepMs: 1 }, -1, 1))).toEqual([
      "INVALID_OPTIONS",
      "firstIndex",
    ]);
    const answer = catchEnisError(() =>
      calendarFeatures({ startMs: 0, stepMs: hourMs }, 0, 1, { holidays: (() => "yes") as never }),
    );
    expect(answer.message).toBe('options.holidays(0) must be true or false, got "yes"');
  });
});

describe("forecastWithCalendar", () => {
  it("forecasts the weekly pattern, holidays included, within the noise", () => {
    // A holiday on Monday 2026-03-02, in the forecast week.
    const holiday = (dayStartMs: number) =>
      dayStartMs === Date.UTC(2026, 1, 16) || dayStartMs === Date.UTC(2026, 2, 2);
    const { values, truth } = hourly(56, 3, 2, holiday); // 8 weeks, Monday 2026-01-05 to Sunday 2026-03-01
    const result = forecastWithCalendar(
      { values, startMs, stepMs: hourMs },
      { horizon: 168, seed: 1, holidays: holiday, trend: false },
    );
    expect(result.mean).toHaveLength(168);
    let absolute = 0;
    result.mean.forEach((m, h) => {
      absolute += Math.abs(m - truth(values.length + h));
    });
    // Noise sd 2: the forecast of each hour is a mean of ~8 noisy weeks, its error well below 2.
    expect(absolute / 168).toBeLessThan(1.2);
    // The holiday Monday's 13:00 looks like a weekend's (50 + 12), not a weekday's (50 + 30).
    expect(result.mean[13]).toBeGreaterThan(58);
    expect(result.mean[13]).toBeLessThan(66);
    expect(result.mean[24 + 13]).toBeGreaterThan(75); // Tuesday
    expect(result.model.name).toBe("calendar-forest");
    expect(result.model.params.features).toEqual(["hourOfDay", "dayOfWeek", "weekend", "holiday"]);
    expect(result.model.params.outOfBagR2).toBeGreaterThan(0.9);
  });

  it("gives intervals whose coverage on new data is near their level", () => {
    let inside80 = 0;
    let inside95 = 0;
    let total = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const { values } = hourly(35, seed, 4);
      const history = values.slice(0, 28 * 24);
      const result = forecastWithCalendar(
        { values: history, startMs, stepMs: hourMs },
        { horizon: 168, seed, trees: 60 },
      );
      const [i80, i95] = result.intervals;
      expect([i80!.level, i95!.level]).toEqual([80, 95]);
      for (let h = 0; h < 168; h++) {
        const actual = values[history.length + h]!;
        expect(i95!.lower[h]!).toBeLessThanOrEqual(i80!.lower[h]!);
        expect(i80!.lower[h]!).toBeLessThanOrEqual(result.mean[h]!);
        expect(result.mean[h]!).toBeLessThanOrEqual(i80!.upper[h]!);
        expect(i80!.upper[h]!).toBeLessThanOrEqual(i95!.upper[h]!);
        if (actual >= i80!.lower[h]! && actual <= i80!.upper[h]!) inside80++;
        if (actual >= i95!.lower[h]! && actual <= i95!.upper[h]!) inside95++;
        total++;
      }
    }
    // 1,008 new points (6 series x 1 week); binomial sd ~1.3% at 80%, ~0.7% at 95%.
    expect(inside80 / total).toBeGreaterThan(0.74);
    expect(inside80 / total).toBeLessThan(0.88);
    expect(inside95 / total).toBeGreaterThan(0.91);
    expect(inside95 / total).toBeLessThan(0.99);
  });

  it("follows the latest level with the trend feature, and the average level without it", () => {
    const values = Array.from({ length: 42 * 24 }, (_, i) => (i < 35 * 24 ? 10 : 30) + (i % 24));
    const withTrend = forecastWithCalendar({ values, startMs, stepMs: hourMs }, { horizon: 24, seed: 2 });
    const without = forecastWithCalendar(
      { values, startMs, stepMs: hourMs },
      { horizon: 24, seed: 2, trend: false },
    );
    withTrend.mean.forEach((m, h) => {
      expect(m).toBeCloseTo(30 + h, 0);
    });
    expect(without.mean[0]).toBeLessThan(25);
  });

  it("uses lagged values only from at least `horizon` steps back, and leaves the warm-up unfitted", () => {
    const { values } = hourly(21, 5, 1);
    const result = forecastWithCalendar(
      { values, startMs, stepMs: hourMs },
      { horizon: 24, seed: 3, lags: [168, 24], trend: false },
    );
    expect(result.model.params.features).toEqual(["hourOfDay", "dayOfWeek", "weekend", "lag24", "lag168"]);
    expect(result.fitted.slice(0, 168).every((v) => v === null)).toBe(true);
    expect(result.fitted.slice(168).every((v) => v !== null)).toBe(true);
    result.residuals.forEach((r, i) => {
      if (r !== null) expect(r).toBeCloseTo(values[i]! - result.fitted[i]!, 12);
    });
    // The forecast rows read the last observations through lag24: changing one changes the forecast.
    const changed = values.slice();
    changed[values.length - 24] = 1_000;
    const moved = forecastWithCalendar(
      { values: changed, startMs, stepMs: hourMs },
      { horizon: 24, seed: 3, lags: [168, 24], trend: false },
    );
    expect(moved.mean).not.toEqual(result.mean);
    expect(
      codeOf(() => forecastWithCalendar({ values, startMs, stepMs: hourMs }, { horizon: 48, lags: [24] })),
    ).toEqual(["INVALID_OPTIONS", "options.lags[0]"]);
  });

  it("is deterministic for a seed", () => {
    const { values } = hourly(14, 9, 3);
    const a = forecastWithCalendar({ values, startMs, stepMs: hourMs }, { horizon: 12, seed: 4, trees: 30 });
    const b = forecastWithCalendar({ values, startMs, stepMs: hourMs }, { horizon: 12, seed: 4, trees: 30 });
    const c = forecastWithCalendar({ values, startMs, stepMs: hourMs }, { horizon: 12, seed: 5, trees: 30 });
    expect(a.mean).toEqual(b.mean);
    expect(a.intervals).toEqual(b.intervals);
    expect(a.mean).not.toEqual(c.mean);
  });

  it("refuses bad input with an EnisError naming the field", () => {
    const history = { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], startMs, stepMs: dayMs };
    const nan = catchEnisError(() =>
      forecastWithCalendar({ ...history, values: [1, 2, Number.NaN, 4, 5, 6, 7, 8, 9] }, { horizon: 1 }),
    );
    expect([nan.code, nan.field, nan.message]).toEqual([
      "INVALID_OPTIONS",
      "history.values[2]",
      "history.values[2] must be a finite number, got NaN",
    ]);
    expect(codeOf(() => forecastWithCalendar(history, { horizon: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "options.horizon",
    ]);
    expect(codeOf(() => forecastWithCalendar(history, { horizon: 1, trees: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "options.trees",
    ]);
    expect(codeOf(() => forecastWithCalendar(history, { horizon: 1, levels: [100] }))).toEqual([
      "INVALID_OPTIONS",
      "options.levels[0]",
    ]);
    expect(codeOf(() => forecastWithCalendar({ ...history, stepMs: 0 }, { horizon: 1 }))).toEqual([
      "INVALID_OPTIONS",
      "history.stepMs",
    ]);
    const short = catchEnisError(() =>
      forecastWithCalendar({ ...history, values: [1, 2, 3] }, { horizon: 1 }),
    );
    expect([short.field, short.message]).toEqual([
      "history.values.length",
      "history.values.length must be at least 8 (max(lags) + 8), got 3",
    ]);
    expect(codeOf(() => forecastWithCalendar(history, { horizon: 1, lag: [1] } as never))).toEqual([
      "INVALID_OPTIONS",
      "options.lag",
    ]);
  });

  it("works on daily data (the hour column is constant and never split on)", () => {
    const values = Array.from({ length: 70 }, (_, day) => (day % 7 >= 5 ? 5 : 20));
    const result = forecastWithCalendar(
      { values, startMs, stepMs: dayMs },
      { horizon: 7, seed: 1, trend: false },
    );
    // Day 70 is a Monday like day 0.
    expect(result.mean.map((m) => Math.round(m))).toEqual([20, 20, 20, 20, 20, 5, 5]);
    expect(result.model.params.featureImportances[0]).toBe(0);
  });
});
