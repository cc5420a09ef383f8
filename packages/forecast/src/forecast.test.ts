import { createRandom, EnisError } from "@enis/core";
import { forecast, forecastMany } from "@enis/forecast";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forecastManyWith, forecastWith } from "./engine.js";
import type { FittedModel, GlobalModel, LocalModel, ModelForecast } from "./models/types.js";
import { createRegistry } from "./registry.js";

/*
 * Fake models of the tests' own, so that the API is tested apart from the real models: a naive
 * model without a variance (intervals from the bootstrap), a drift model (a trend), and a global
 * model that counts its fits.
 */

function walkFit(values: Float64Array, name: string, drift: boolean): FittedModel {
  const n = values.length;
  const slope = drift && n > 1 ? ((values[n - 1] as number) - (values[0] as number)) / (n - 1) : 0;
  const fitted = new Float64Array(n).fill(Number.NaN);
  for (let t = 1; t < n; t++) fitted[t] = (values[t - 1] as number) + slope;
  return {
    name,
    params: { slope },
    fitted,
    predict(horizon: number): ModelForecast {
      const mean = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) mean[h - 1] = (values[n - 1] as number) + slope * h;
      return { mean };
    },
  };
}

const plainNaive: LocalModel = {
  name: "plain-naive",
  minLength: () => 2,
  fit: ({ values }) => walkFit(values, "plain-naive", false),
};
const drift: LocalModel = {
  name: "drift",
  minLength: () => 2,
  fit: ({ values }) => walkFit(values, "drift", true),
};
const seasonalCopy: LocalModel = {
  name: "season-copy",
  minLength: (periods) => 2 * (periods[0] ?? 1),
  fit({ values, seasonalPeriods }) {
    const m = seasonalPeriods[0] ?? 1;
    const n = values.length;
    const fitted = new Float64Array(n).fill(Number.NaN);
    for (let t = m; t < n; t++) fitted[t] = values[t - m] as number;
    return {
      name: "season-copy",
      params: { period: m },
      fitted,
      predict: (horizon) => ({
        mean: Float64Array.from({ length: horizon }, (_, h) => values[n - m + (h % m)] as number),
      }),
    };
  },
};
const needsFifty: LocalModel = {
  name: "needs-fifty",
  minLength: () => 50,
  fit: ({ values }) => walkFit(values, "needs-fifty", false),
};

function countingGlobal(): { model: GlobalModel; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    model: {
      name: "pooled-mean",
      minLength: () => 3,
      fitMany(inputs) {
        calls.push(inputs.length);
        // One pooled parameter: the mean one-step change across every series.
        let total = 0;
        let count = 0;
        for (const { values } of inputs) {
          for (let t = 1; t < values.length; t++) total += (values[t] as number) - (values[t - 1] as number);
          count += values.length - 1;
        }
        const slope = total / count;
        return inputs.map(({ values }) => {
          const fit = walkFit(values, "pooled-mean", false);
          return {
            ...fit,
            params: { slope },
            predict: (horizon: number) => ({
              mean: Float64Array.from(
                { length: horizon },
                (_, h) => (values[values.length - 1] as number) + slope * (h + 1),
              ),
            }),
          };
        });
      },
    },
  };
}

const fakes = createRegistry(
  [plainNaive, drift, seasonalCopy, needsFifty],
  [],
  ["season-copy", "drift", "plain-naive"],
);

function sine(length: number, period = 24, phase = 0): number[] {
  return Array.from({ length }, (_, t) => 50 + 10 * Math.sin((2 * Math.PI * (t + phase)) / period));
}

function randomWalk(seed: number, length: number): number[] {
  const random = createRandom(seed);
  const values = [100];
  for (let t = 1; t < length; t++) values.push((values[t - 1] as number) + random.nextGaussian());
  return values;
}

function expectError(run: () => unknown, field: string | RegExp, message?: RegExp): EnisError {
  try {
    run();
  } catch (error) {
    expect(EnisError.isInstance(error)).toBe(true);
    const enis = error as EnisError;
    expect(enis.code).toBe("INVALID_OPTIONS");
    if (typeof field === "string") expect(enis.field).toBe(field);
    else expect(enis.field).toMatch(field);
    if (message !== undefined) expect(enis.message).toMatch(message);
    return enis;
  }
  throw new Error("expected an EnisError");
}

describe("forecast: closed-form cases", () => {
  it("forecasts a constant series as that constant, with zero-width intervals, for every naive-family model and auto", () => {
    const series = new Array(96).fill(7.5);
    for (const model of ["naive", "snaive", "naive2", "auto"]) {
      const result = forecast(series, { horizon: 30, seasonalPeriods: [24], model });
      expect(result.mean).toEqual(new Array(30).fill(7.5));
      for (const interval of result.intervals) {
        expect(interval.lower).toEqual(result.mean);
        expect(interval.upper).toEqual(result.mean);
      }
    }
  });

  it("recovers a pure period-24 sine with the seasonal naive model", () => {
    const series = sine(24 * 10);
    const result = forecast(series, { horizon: 72, seasonalPeriods: [24], model: "snaive" });
    const expected = sine(24 * 10 + 72).slice(24 * 10);
    result.mean.forEach((value, h) => {
      expect(value).toBeCloseTo(expected[h] as number, 9);
    });
    expect(result.model.name).toBe("snaive");
    // A noiseless cycle leaves no residual: the intervals collapse onto the forecast.
    expect(result.intervals[1]?.upper[71]).toBeCloseTo(expected[71] as number, 9);
  });

  it('"auto" recovers a sine through the seasonal models and reports its candidates\' validation scores', () => {
    const result = forecast(sine(24 * 10), { horizon: 48, seasonalPeriods: [24] });
    expect(String(result.model.params["members"])).toContain("snaive");
    const expected = sine(24 * 10 + 48).slice(24 * 10);
    result.mean.forEach((value, h) => {
      expect(value).toBeCloseTo(expected[h] as number, 6);
    });
    expect(result.model.params["selectedBy"]).toBe("rolling-origin validation");
    expect(String(result.model.params["candidates"])).toContain("naive2");
    const scores = result.model.params["scores"] as readonly number[];
    expect(scores[0]).toBeCloseTo(0, 9);
  });

  it("recovers a linear trend with ETS, and through auto", () => {
    const series = Array.from({ length: 60 }, (_, t) => 3 + 2 * t);
    const expected = Array.from({ length: 12 }, (_, h) => 3 + 2 * (60 + h));
    const result = forecast(series, { horizon: 12, model: "ets" });
    expect(result.model.name).toMatch(/^ets\(.,A/);
    result.mean.forEach((value, h) => {
      expect(value).toBeCloseTo(expected[h] as number, 6);
    });
    // without seasonal periods "auto" validates ETS and the drift too, and keeps those with a trend
    // (the others miss the line): both extend it exactly
    const auto = forecast(series, { horizon: 12 });
    expect(auto.model.name).toMatch(/ets\(.,A|drift/);
    expect(auto.model.name).not.toMatch(/naive|theta/);
    auto.mean.forEach((value, h) => {
      expect(value).toBeCloseTo(expected[h] as number, 6);
    });
  });

  it("recovers a linear trend through a model with a trend (the tests' drift model)", () => {
    const series = Array.from({ length: 50 }, (_, t) => 3 + 2 * t);
    const result = forecastWith(series, { horizon: 10, model: "drift" }, fakes);
    expect(result.mean).toEqual(Array.from({ length: 10 }, (_, h) => 3 + 2 * (50 + h)));
    // and "auto" prefers it over the naive and seasonal candidates on a trend
    expect(forecastWith(series, { horizon: 10 }, fakes).model.name).toBe("drift");
  });
});

describe("forecast: intervals", () => {
  it("widen with the horizon, from the model's variance and from the bootstrap", () => {
    const series = randomWalk(1, 300);
    const fromVariance = forecast(series, { horizon: 24, model: "naive" });
    const fromBootstrap = forecastWith(series, { horizon: 24, model: "plain-naive" }, fakes);
    expect(fromVariance.intervalMethod).toBe("model-variance");
    expect(fromBootstrap.intervalMethod).toBe("residual-bootstrap");
    for (const result of [fromVariance, fromBootstrap]) {
      for (const { lower, upper } of result.intervals) {
        const widths = upper.map((value, h) => value - (lower[h] as number));
        for (let h = 1; h < widths.length; h++)
          expect(widths[h]).toBeGreaterThanOrEqual((widths[h - 1] as number) * 0.97);
        expect(widths[23]).toBeGreaterThan((widths[0] as number) * 3);
      }
    }
  });

  it("cover about their nominal level on random walks with unit noise (both methods)", () => {
    const runs = 300;
    const horizon = 12;
    const hits = { "model-variance": [0, 0], "residual-bootstrap": [0, 0] };
    for (let run = 0; run < runs; run++) {
      const full = randomWalk(1000 + run, 200 + horizon);
      const train = full.slice(0, 200);
      const future = full.slice(200);
      const results = [
        forecast(train, { horizon, model: "naive" }),
        forecastWith(train, { horizon, model: "plain-naive", seed: run }, fakes),
      ];
      for (const result of results) {
        result.intervals.forEach(({ lower, upper }, index) => {
          for (let h = 0; h < horizon; h++) {
            const actual = future[h] as number;
            if (actual >= (lower[h] as number) && actual <= (upper[h] as number))
              hits[result.intervalMethod][index]! += 1;
          }
        });
      }
    }
    for (const counts of Object.values(hits)) {
      expect(counts[0]! / (runs * horizon)).toBeGreaterThan(0.75);
      expect(counts[0]! / (runs * horizon)).toBeLessThan(0.85);
      expect(counts[1]! / (runs * horizon)).toBeGreaterThan(0.92);
      expect(counts[1]! / (runs * horizon)).toBeLessThan(0.98);
    }
  });

  it("are sorted by level, nested, on either side of the mean, and replay with the seed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 3, maxLength: 60 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 20 }),
        (values, levels, horizon) => {
          const options = { horizon, levels, model: "plain-naive", seed: 7 };
          const result = forecastWith(values, options, fakes);
          expect(result.intervals.map((interval) => interval.level)).toEqual(
            [...levels].sort((a, b) => a - b),
          );
          for (let index = 0; index < result.intervals.length; index++) {
            const { lower, upper } = result.intervals[index]!;
            for (let h = 0; h < horizon; h++) {
              expect(lower[h]!).toBeLessThanOrEqual(result.mean[h]!);
              expect(upper[h]!).toBeGreaterThanOrEqual(result.mean[h]!);
              const wider = result.intervals[index + 1];
              if (wider !== undefined) {
                expect(wider.lower[h]!).toBeLessThanOrEqual(lower[h]!);
                expect(wider.upper[h]!).toBeGreaterThanOrEqual(upper[h]!);
              }
            }
          }
          expect(forecastWith(values, options, fakes)).toEqual(result);
        },
      ),
      { seed: 12, numRuns: 100 },
    );
  });
});

describe("forecast: series shapes and missing values", () => {
  it("accepts typed arrays and { values, startMs, stepMs }, adding the steps' timestamps", () => {
    const values = randomWalk(3, 40);
    const plain = forecast(values, { horizon: 3, model: "naive" });
    expect(forecast(Float64Array.from(values), { horizon: 3, model: "naive" })).toEqual(plain);
    const timed = forecast({ values, startMs: 1_000, stepMs: 3_600_000 }, { horizon: 3, model: "naive" });
    expect(timed.mean).toEqual(plain.mean);
    expect(timed.timestamps).toEqual([
      1_000 + 40 * 3_600_000,
      1_000 + 41 * 3_600_000,
      1_000 + 42 * 3_600_000,
    ]);
    expect(plain.timestamps).toBeUndefined();
  });

  it("fills an inner gap on the straight line, or from the seasonal neighbour, and trims a leading one", () => {
    const linear = forecast([null, NaN, 1, 2, null, null, 5, 6], { horizon: 1, model: "naive" });
    expect(linear.missing).toEqual({ filled: [4, 5], trimmed: 2 });
    expect(linear.fitted).toEqual([null, null, null, 1, 2, 3, 4, 5]);
    // filled values have a fitted value but no residual (nothing was observed there)
    expect(linear.residuals).toEqual([null, null, null, 1, null, null, 1, 1]);

    const series: (number | null)[] = sine(24 * 4);
    const truth = series[50] as number;
    series[50] = null;
    const seasonal = forecast(series, { horizon: 1, seasonalPeriods: [24], model: "snaive" });
    expect(seasonal.fitted[74]).toBeCloseTo(truth, 9); // snaive's fitted at 74 is the filled value at 50
  });

  it("refuses a trailing gap, a gap longer than maxGap, and any missing value under missing: refuse", () => {
    expectError(() => forecast([1, 2, null], { horizon: 1 }), "series[2]", /last observation/);
    expectError(
      () => forecast([1, null, null, 4, 5], { horizon: 1, maxGap: 1 }),
      "series[1]",
      /gap of 2 missing values/,
    );
    expectError(() => forecast([1, 2, NaN, 4], { horizon: 1, missing: "refuse" }), "series[2]", /got NaN/);
    expectError(
      () => forecast({ values: [1, null, 3] }, { horizon: 1, missing: "refuse" }),
      "series.values[1]",
    );
    expectError(() => forecast([null, null], { horizon: 1 }), "series", /at least one finite number/);
  });
});

describe("forecast: bad inputs are EnisErrors with a code, naming the field", () => {
  const series = randomWalk(5, 60);
  it.each([
    ["an empty series", () => forecast([], { horizon: 1 }), "series", /non-empty/],
    ["Infinity", () => forecast([1, Infinity, 3], { horizon: 1 }), "series[1]", /got Infinity/],
    ["a string", () => forecast([1, "2", 3] as never, { horizon: 1 }), "series[1]", /got "2"/],
    ["horizon 0", () => forecast(series, { horizon: 0 }), "options.horizon", /at least 1, got 0/],
    ["horizon 1.5", () => forecast(series, { horizon: 1.5 }), "options.horizon", /integer/],
    [
      "a period longer than the series",
      () => forecast(series, { horizon: 1, seasonalPeriods: [24, 168] }),
      "options.seasonalPeriods[1]",
      /at most the length of series \(60 observations\), got 168/,
    ],
    [
      "a period of 1",
      () => forecast(series, { horizon: 1, seasonalPeriods: [1] }),
      "options.seasonalPeriods[0]",
      /at least 2/,
    ],
    [
      "a repeated period",
      () => forecast(series, { horizon: 1, seasonalPeriods: [7, 7] }),
      "options.seasonalPeriods[1]",
      /distinct/,
    ],
    ["level 0", () => forecast(series, { horizon: 1, levels: [0] }), "options.levels[0]", /greater than 0/],
    [
      "level 100",
      () => forecast(series, { horizon: 1, levels: [80, 100] }),
      "options.levels[1]",
      /less than 100/,
    ],
    [
      "a repeated level",
      () => forecast(series, { horizon: 1, levels: [80, 80] }),
      "options.levels[1]",
      /distinct/,
    ],
    [
      "an unknown model",
      () => forecast(series, { horizon: 1, model: "prophet" }),
      "options.model",
      /one of "auto", "snaive"/,
    ],
    [
      "an unknown option",
      () => forecast(series, { horizon: 1, level: 95 } as never),
      "options.level",
      /not a known option \(did you mean "levels"\?\)/,
    ],
    ["no options", () => forecast(series, undefined as never), "options", /an object/],
    [
      "a series of the wrong shape",
      () => forecast("abc" as never, { horizon: 1 }),
      "series",
      /an array of numbers/,
    ],
    [
      "an unknown series key",
      () => forecast({ values: [1], start: 0 } as never, { horizon: 1 }),
      "series.start",
      /not a known option/,
    ],
    [
      "stepMs 0",
      () => forecast({ values: [1, 2], startMs: 0, stepMs: 0 }, { horizon: 1 }),
      "series.stepMs",
      /ms >= 1/,
    ],
    [
      "a horizon past the end of time",
      () => forecast({ values: [1, 2], startMs: 8.6e15, stepMs: 3_600_000_000 }, { horizon: 20_000 }),
      "options.horizon",
      /end of the time range/,
    ],
  ])("%s", (_, run, field, message) => {
    expectError(run, field, message);
  });

  it("names the minimum length when the series is too short for the model", () => {
    expectError(
      () => forecastWith(randomWalk(1, 30), { horizon: 1, model: "needs-fifty" }, fakes),
      "series",
      /at least 50 observations long for model "needs-fifty", got 30/,
    );
    const longOnly = createRegistry([needsFifty, seasonalCopy], [], ["season-copy", "needs-fifty"]);
    expectError(
      () => forecastWith(randomWalk(1, 10), { horizon: 1, seasonalPeriods: [6] }, longOnly),
      "series",
      /at least 12 observations long for model "auto" with seasonal periods \[6\], got 10/,
    );
    expectError(
      () => forecastWith([4], { horizon: 1, model: "plain-naive" }, fakes),
      "series",
      /at least 2 observations/,
    );
  });

  it("refuses intervals with no residual to bootstrap, unless levels is []", () => {
    expectError(
      () => forecastWith([1, 2], { horizon: 2, model: "plain-naive" }, fakes),
      "series",
      /2 in-sample residuals/,
    );
    expect(forecastWith([1, 2], { horizon: 2, model: "plain-naive", levels: [] }, fakes).mean).toEqual([
      2, 2,
    ]);
  });
});

describe("forecastMany", () => {
  const list = [
    randomWalk(1, 200),
    sine(24 * 9),
    { values: [...sine(24 * 5, 24, 3), null, 50], startMs: 0, stepMs: 60_000 },
    randomWalk(2, 97),
  ];

  it("equals forecast on each series, for every local model, and for auto over local models", () => {
    for (const model of ["naive", "snaive", "naive2", "ets", "theta", "mstl"]) {
      const options = { horizon: 30, seasonalPeriods: [24], model };
      expect(forecastMany(list, options)).toEqual(list.map((series) => forecast(series, options)));
    }
    // auto over the package's models includes the pooled model: one series alone is forecast()
    for (const series of list) {
      const options = { horizon: 30, seasonalPeriods: [24] };
      expect(forecastMany([series], options)).toEqual([forecast(series, options)]);
    }
    for (const model of ["auto", "plain-naive", "drift"]) {
      const options = { horizon: 7, levels: [50, 90], model, seed: 3 };
      expect(forecastManyWith(list, options, fakes)).toEqual(
        list.map((series) => forecastWith(series, options, fakes)),
      );
    }
  });

  it("equals forecast on random series (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 5, maxLength: 80 }), {
          maxLength: 5,
        }),
        fc.integer({ min: 1, max: 12 }),
        (seriesList, horizon) => {
          const options = { horizon, seasonalPeriods: [2], levels: [90] };
          expect(forecastManyWith(seriesList, options, fakes)).toEqual(
            seriesList.map((series) => forecastWith(series, options, fakes)),
          );
        },
      ),
      { seed: 4, numRuns: 50 },
    );
  });

  it("fits a global model once across every series", () => {
    const { model, calls } = countingGlobal();
    const registry = createRegistry([plainNaive], [model], ["plain-naive"]);
    const results = forecastManyWith(
      [
        [1, 2, 3, 4],
        [10, 12, 14],
      ],
      { horizon: 2, model: "pooled-mean" },
      registry,
    );
    expect(calls).toEqual([2]);
    // the pooled slope: (3 + 4) / (3 + 2) one-step changes
    expect(results[0]?.mean).toEqual([4 + 7 / 5, 4 + 14 / 5]);
    expect(results[1]?.model.params["slope"]).toBe(7 / 5);
    // forecast() fits it on one series alone
    expect(forecastWith([1, 2, 3, 4], { horizon: 1, model: "pooled-mean" }, registry).mean).toEqual([5]);
    expectError(
      () =>
        forecastManyWith(
          [
            [1, 2, 3],
            [1, 2],
          ],
          { horizon: 1, model: "pooled-mean" },
          registry,
        ),
      "seriesList[1]",
      /at least 3/,
    );
  });

  it('"auto" fits a global candidate once across the series to validate it, and once more when chosen', () => {
    const { model, calls } = countingGlobal();
    const registry = createRegistry([plainNaive, drift], [model], ["plain-naive", "pooled-mean", "drift"]);
    const trending = [0, 1, 2, 3].map((k) => Array.from({ length: 40 }, (_, t) => k + 2 * t));
    const results = forecastManyWith(trending, { horizon: 4 }, registry);
    // the last origin (n − 4) across the 4 series, then the final fit across the 4
    expect(calls).toEqual([4, 4]);
    for (const result of results) {
      expect(result.model.params["candidates"]).toBe("plain-naive, pooled-mean, drift");
      // both forecast a line exactly (score 0); the pooled one comes first in the order of preference
      expect(result.model.params["members"]).toBe("pooled-mean, drift");
    }
    // and with a single series it is forecast()
    expect(forecastManyWith([trending[0]], { horizon: 4 }, registry)).toEqual([
      forecastWith(trending[0], { horizon: 4 }, registry),
    ]);
  });

  it("keeps both origins for the local candidates when only a global one cannot use the first", () => {
    const { model, calls } = countingGlobal();
    const needy: GlobalModel = { ...model, minLength: () => 34 };
    const registry = createRegistry([plainNaive, drift], [needy], ["plain-naive", "pooled-mean", "drift"]);
    const series = [0, 1].map((k) => Array.from({ length: 40 }, (_, t) => k + 2 * t + (t % 3)));
    // V = 4: origins 32 and 36; the global model (34 observations at least) is validated at 36 only
    const results = forecastManyWith(series, { horizon: 4 }, registry);
    expect(results[0]?.model.params["validationOrigins"]).toBe(2);
    expect(results[0]?.model.params["candidates"]).toBe("plain-naive, pooled-mean, drift");
    expect(calls[0]).toBe(2);
  });

  it("names the series at fault, and refuses a list that is not one", () => {
    expectError(
      () =>
        forecastMany(
          [
            [1, 2, 3],
            [1, NaN, 3],
          ],
          { horizon: 1, missing: "refuse" },
        ),
      "seriesList[1][1]",
    );
    expectError(() => forecastMany([[1, 2], { values: [] }], { horizon: 1 }), "seriesList[1].values");
    expectError(() => forecastMany("x" as never, { horizon: 1 }), "seriesList", /an array/);
    expect(forecastMany([], { horizon: 1 })).toEqual([]);
  });
});
