import { createRandom } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type EtsFit, type EtsSpec, etsModel, etsSpecs, fitEts, predictEts } from "./ets.js";
import { mstlModel } from "./mstl.js";
import { naive2Model, naiveModel, snaiveModel } from "./naive.js";
import { nelderMead } from "./optimize.js";
import { thetaModel } from "./theta.js";

/** ETS(A,N,N) or ETS(A,N,A) simulated with a seeded generator. */
function simulate(options: {
  n: number;
  alpha: number;
  gamma?: number;
  period?: number;
  sigma: number;
  seed: number;
}): Float64Array {
  const random = createRandom(options.seed);
  const period = options.period ?? 1;
  const seasons = Float64Array.from({ length: period }, (_, j) =>
    period > 1 ? 5 * Math.sin((2 * Math.PI * j) / period) : 0,
  );
  let level = 100;
  const y = new Float64Array(options.n);
  for (let t = 0; t < options.n; t++) {
    const e = options.sigma * random.nextGaussian();
    const s = seasons[t % period]!;
    y[t] = level + s + e;
    level += options.alpha * e;
    seasons[t % period] = s + (options.gamma ?? 0) * e;
  }
  return y;
}

describe("ETS: closed forms", () => {
  it("a constant series gives constant forecasts", () => {
    const values = new Float64Array(120).fill(42);
    const forecast = etsModel.fit({ values, seasonalPeriods: [24] }).predict(48);
    for (const v of forecast.mean) expect(v).toBeCloseTo(42, 8);
  });

  it("a linear trend is extrapolated", () => {
    const values = Float64Array.from({ length: 80 }, (_, t) => 5 + 2 * t);
    const fit = etsModel.fit({ values, seasonalPeriods: [] });
    expect(fit.params["trend"]).toBe("A");
    const forecast = fit.predict(20);
    for (let h = 1; h <= 20; h++) expect(forecast.mean[h - 1]).toBeCloseTo(5 + 2 * (79 + h), 4);
  });

  it("a pure period-24 sine is carried on by a seasonal form", () => {
    const sine = (t: number) => 50 + 10 * Math.sin((2 * Math.PI * t) / 24);
    const values = Float64Array.from({ length: 24 * 8 }, (_, t) => sine(t));
    const fit = etsModel.fit({ values, seasonalPeriods: [24] });
    expect(fit.params["season"]).not.toBe("N");
    const forecast = fit.predict(48);
    for (let h = 1; h <= 48; h++) expect(forecast.mean[h - 1]).toBeCloseTo(sine(24 * 8 + h - 1), 3);
  });

  it("minimum lengths: two full periods for the seasonal forms", () => {
    expect(etsModel.minLength([24, 168])).toBe(48);
    expect(etsModel.minLength([])).toBe(4);
  });

  it("the family has the 15 forms forecast::ets admits by default", () => {
    expect(etsSpecs).toHaveLength(15);
    expect(etsSpecs.some((s) => s.error === "A" && s.season === "M")).toBe(false);
  });
});

describe("ETS: estimation", () => {
  it("recovers alpha and sigma of a simulated ETS(A,N,N)", () => {
    const values = simulate({ n: 800, alpha: 0.3, sigma: 2, seed: 7 });
    const fit = fitEts(values, { period: 1, specs: [{ error: "A", trend: "N", season: "N" }] });
    expect(fit.params["alpha"]).toBeGreaterThan(0.22);
    expect(fit.params["alpha"]).toBeLessThan(0.38);
    expect(Math.sqrt(fit.params["sigma2"] as number)).toBeCloseTo(2, 0);
  });

  it("recovers alpha and gamma of a simulated ETS(A,N,A) with period 12", () => {
    const values = simulate({ n: 1200, alpha: 0.2, gamma: 0.3, period: 12, sigma: 1, seed: 11 });
    const fit = fitEts(values, { period: 12, specs: [{ error: "A", trend: "N", season: "A" }] });
    expect(fit.params["alpha"]).toBeGreaterThan(0.12);
    expect(fit.params["alpha"]).toBeLessThan(0.28);
    expect(fit.params["gamma"]).toBeGreaterThan(0.18);
    expect(fit.params["gamma"]).toBeLessThan(0.42);
  });

  it("automatic selection prefers the simulated form's family to a trend it does not have", () => {
    const values = simulate({ n: 600, alpha: 0.5, sigma: 1, seed: 3 });
    const fit = etsModel.fit({ values, seasonalPeriods: [] });
    expect(fit.params["trend"]).not.toBe("A");
    expect(fit.params["season"]).toBe("N");
    expect(Number.isFinite(fit.aicc)).toBe(true);
  });

  it("is deterministic", () => {
    const values = simulate({ n: 300, alpha: 0.4, gamma: 0.1, period: 24, sigma: 1, seed: 5 });
    const a = etsModel.fit({ values, seasonalPeriods: [24] });
    const b = etsModel.fit({ values, seasonalPeriods: [24] });
    expect(a.name).toBe(b.name);
    expect([...a.predict(10).mean]).toEqual([...b.predict(10).mean]);
  });
});

describe("ETS: forecast variance", () => {
  it("grows with the horizon, for additive and multiplicative errors", () => {
    const values = simulate({ n: 400, alpha: 0.3, sigma: 1, seed: 9 });
    for (const error of ["A", "M"] as const) {
      for (const trend of ["N", "A", "Ad"] as const) {
        const fit = fitEts(values, { period: 1, specs: [{ error, trend, season: "N" }] });
        const variance = fit.predict(24).variance!;
        expect(variance[0]).toBeGreaterThan(0);
        for (let h = 1; h < 24; h++) expect(variance[h]).toBeGreaterThan(variance[h - 1]!);
      }
    }
  });

  it("ETS(A,N,N)'s variance is sigma² (1 + (h − 1) alpha²)", () => {
    const values = simulate({ n: 300, alpha: 0.3, sigma: 1, seed: 13 });
    const fit = fitEts(values, { period: 1, specs: [{ error: "A", trend: "N", season: "N" }] });
    const alpha = fit.params["alpha"] as number;
    const sigma2 = fit.params["sigma2"] as number;
    const variance = fit.predict(5).variance!;
    for (let h = 1; h <= 5; h++)
      expect(variance[h - 1]).toBeCloseTo(sigma2 * (1 + (h - 1) * alpha * alpha), 10);
  });

  it("never returns NaN or Infinity, whatever the data (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), {
          minLength: 48,
          maxLength: 120,
        }),
        (list) => {
          const fit = etsModel.fit({ values: Float64Array.from(list), seasonalPeriods: [24] });
          const forecast = fit.predict(30);
          for (const v of forecast.mean) expect(Number.isFinite(v)).toBe(true);
          for (const v of forecast.variance ?? []) expect(Number.isFinite(v) && v >= 0).toBe(true);
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  });
});

describe("extreme magnitudes", () => {
  it("every model forecasts series near 1e200 and 1e-200 with finite numbers, in scale", () => {
    for (const magnitude of [1e200, -1e200, 1e-200]) {
      const values = Float64Array.from({ length: 120 }, (_, t) => magnitude * (2 + Math.sin(t / 3)));
      for (const model of [etsModel, thetaModel, mstlModel, naiveModel, snaiveModel, naive2Model]) {
        const forecast = model.fit({ values, seasonalPeriods: [24] }).predict(24);
        for (const v of forecast.mean) {
          expect(Number.isFinite(v)).toBe(true);
          expect(Math.abs(v / magnitude)).toBeLessThan(10);
        }
        for (const v of forecast.variance ?? []) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }
    }
  });
});

describe("Nelder–Mead", () => {
  it("finds the minimum of the Rosenbrock function", () => {
    const rosenbrock = (p: Float64Array) => 100 * (p[1]! - p[0]! ** 2) ** 2 + (1 - p[0]!) ** 2;
    const result = nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 2000, tolerance: 1e-14 });
    expect(result.point[0]).toBeCloseTo(1, 3);
    expect(result.point[1]).toBeCloseTo(1, 3);
  });
});

/**
 * Monte Carlo check of the closed-form variances against paths simulated with the error-correction
 * equations of Hyndman et al. (2008, Table 2.3), written here independently of the package's
 * recursions.
 */
describe("ETS: closed-form variances against simulation", () => {
  const period = 4;
  const base = (spec: EtsSpec, parameters: EtsFit["parameters"], sigma2: number): EtsFit => ({
    spec,
    period: spec.season === "N" ? 1 : period,
    parameters,
    final: { level: 100, slope: 1.5, seasons: Float64Array.from([4, -2, 3, -5]) },
    fitted: new Float64Array(0),
    sigma2,
    logLikelihood: 0,
    aicc: 0,
    parameterCount: 0,
  });

  function simulateVariance(fit: EtsFit, horizon: number, paths: number, seed: number): Float64Array {
    const random = createRandom(seed);
    const { alpha, beta, gamma, phi } = fit.parameters;
    const sigma = Math.sqrt(fit.sigma2);
    const sum = new Float64Array(horizon);
    const sumSquares = new Float64Array(horizon);
    for (let p = 0; p < paths; p++) {
      let level = fit.final.level;
      let slope = fit.spec.trend === "N" ? 0 : fit.final.slope;
      const seasons = Float64Array.from(fit.final.seasons);
      const damping = fit.spec.trend === "Ad" ? phi : 1;
      for (let h = 0; h < horizon; h++) {
        const j = h % period;
        const s = fit.spec.season === "N" ? 0 : seasons[j]!;
        const e = sigma * random.nextGaussian();
        const trendLevel = level + damping * slope;
        const mu = trendLevel + s;
        let y: number;
        if (fit.spec.error === "A") {
          y = mu + e;
          level = trendLevel + alpha * e;
          slope = damping * slope + beta * e;
          if (fit.spec.season === "A") seasons[j] = s + gamma * e;
        } else {
          y = mu * (1 + e);
          level = trendLevel + alpha * mu * e;
          slope = damping * slope + beta * mu * e;
          if (fit.spec.season === "A") seasons[j] = s + gamma * mu * e;
        }
        sum[h]! += y;
        sumSquares[h]! += y * y;
      }
    }
    return sum.map((total, h) => sumSquares[h]! / paths - (total / paths) ** 2);
  }

  const cases: { spec: EtsSpec; sigma2: number }[] = [
    { spec: { error: "A", trend: "Ad", season: "A" }, sigma2: 4 },
    { spec: { error: "A", trend: "A", season: "N" }, sigma2: 4 },
    { spec: { error: "M", trend: "Ad", season: "N" }, sigma2: 0.0004 },
    { spec: { error: "M", trend: "A", season: "A" }, sigma2: 0.0004 },
  ];
  for (const { spec, sigma2 } of cases) {
    it(`ets(${spec.error},${spec.trend},${spec.season}): within 5% of 20,000 simulated paths`, () => {
      const fit = base(spec, { alpha: 0.3, beta: 0.05, gamma: 0.2, phi: 0.9 }, sigma2);
      const horizon = 12;
      // n = 0 puts step 1 at cycle position 0, as the simulation does.
      const closed = predictEts(fit, horizon, 0).variance!;
      const simulated = simulateVariance(fit, horizon, 20_000, 17);
      for (let h = 0; h < horizon; h++) {
        expect(Math.abs(closed[h]! / simulated[h]! - 1)).toBeLessThan(0.05);
      }
      for (let h = 1; h < horizon; h++) expect(closed[h]).toBeGreaterThan(closed[h - 1]!);
    });
  }
});
