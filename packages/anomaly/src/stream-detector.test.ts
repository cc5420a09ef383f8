import { createRandom, EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnomalyDetectorOptions, anomalyDetectorFromJSON, createAnomalyDetector } from "./index.js";

const fiveMinutes = 300_000;

/** A noisy series with a daily cycle (288 five-minute points a day), seeded. */
function dailySeries(days: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from(
    { length: days * 288 },
    (_, i) => 50 + 30 * Math.sin((2 * Math.PI * (i % 288)) / 288) + 2 * random.nextGaussian(),
  );
}

function feed(values: readonly number[], options: AnomalyDetectorOptions = {}, startMs = 0) {
  const detector = createAnomalyDetector(options);
  const updates = values.map((value, i) => detector.update(value, startMs + i * fiveMinutes));
  return { detector, updates };
}

describe("createAnomalyDetector", () => {
  it("warms up, then scores in [0, 1] and raises a spike but not the noise around it", () => {
    const random = createRandom(3);
    const values = Array.from({ length: 2000 }, () => 10 + random.nextGaussian());
    values[1500] = 40;
    const { updates } = feed(values);
    expect(updates.slice(0, 100).every((u) => u.warmingUp && u.score === 0 && !u.isAnomaly)).toBe(true);
    expect(updates[100]!.warmingUp).toBe(false);
    expect(updates.every((u) => u.score >= 0 && u.score <= 1)).toBe(true);
    expect(updates[1500]!.isAnomaly).toBe(true);
    expect(updates[1500]!.score).toBeGreaterThan(0.999); // unlike anything remembered
    // Gaussian noise has its own rare values (a new extreme scores near 1 while the history is
    // short): at the default sensitivity at most 0.5% of the 1,899 noise points are raised.
    const noise = updates.filter((u, i) => i !== 1500 && !u.warmingUp);
    expect(noise.filter((u) => u.isAnomaly).length).toBeLessThanOrEqual(Math.ceil(0.005 * noise.length));
  });

  it("raises a level shift once, then learns the new level", () => {
    const random = createRandom(5);
    const values = Array.from({ length: 3000 }, (_, i) => (i < 2000 ? 100 : 300) + 3 * random.nextGaussian());
    const { updates } = feed(values);
    const raised = updates.flatMap((u, i) => (u.isAnomaly ? [i] : []));
    expect(raised.some((i) => i >= 2000 && i < 2003)).toBe(true);
    // Four hours of cooldown, then the new level is ordinary: nothing raised in the last 500 points.
    expect(raised.filter((i) => i >= 2500)).toEqual([]);
  });

  it("is seasonality-aware: a rise at night to the daily peak's level is raised only with the period", () => {
    const values = dailySeries(8, 11);
    // Day 7, from 16:40 (the cycle's low half): a 3-hour ramp up by 60, held for 2 hours. Each step is
    // an ordinary step and every value an ordinary value; only the change from the day before is not.
    const at = 7 * 288 + 200;
    for (let k = 0; k < 60; k++) values[at + k]! += k < 36 ? (60 * k) / 36 : 60;
    const incident = (updates: readonly { isAnomaly: boolean }[]) =>
      updates.slice(at, at + 60).some((u) => u.isAnomaly);
    const plain = feed(values).updates;
    const seasonal = feed(values, { seasonalPeriods: [288] }).updates;
    expect(incident(plain)).toBe(false);
    expect(incident(seasonal)).toBe(true);
    expect(seasonal.slice(at, at + 60).find((u) => u.isAnomaly)!.driver).toBe("seasonal");
  });

  it("raises once per incident within cooldownMs, and again after it", () => {
    const random = createRandom(8);
    const values = Array.from({ length: 1000 }, () => 5 + random.nextGaussian() * 0.2);
    values[500] = 50;
    values[510] = 80; // 50 minutes later: same incident
    values[600] = 120; // 8 h 20 min later: a new one
    const { updates } = feed(values);
    expect(updates[500]!.isAnomaly).toBe(true);
    expect(updates[510]!.score).toBeGreaterThan(0.99);
    expect(updates[510]!.isAnomaly).toBe(false);
    expect(updates[600]!.isAnomaly).toBe(true);
    const everyPoint = feed(values, { cooldownMs: 0 }).updates;
    expect(everyPoint[510]!.isAnomaly).toBe(true);
  });

  it("with tolerance, a value just past the largest seen is not new; one far past it still is", () => {
    const random = createRandom(4);
    const values = Array.from({ length: 1500 }, () => 100 + 10 * random.nextGaussian());
    const highest = Math.max(...values);
    values.push(highest * 1.1, highest * 3);
    const exact = feed(values).updates;
    const tolerant = feed(values, { tolerance: 2 }).updates;
    expect(exact[1500]!.isAnomaly).toBe(true);
    expect(tolerant[1500]!.isAnomaly).toBe(false);
    expect(tolerant[1500]!.score).toBeLessThan(exact[1500]!.score);
    expect(tolerant[1501]!.score).toBeGreaterThan(0.999);
  });

  it("a higher sensitivity raises a superset", () => {
    const values = dailySeries(4, 2).map((v, i) => (i % 397 === 0 ? v * 1.6 : v));
    const low = feed(values, { sensitivity: 0.2, cooldownMs: 0 }).updates;
    const high = feed(values, { sensitivity: 0.5, cooldownMs: 0 }).updates;
    low.forEach((u, i) => {
      if (u.isAnomaly) expect(high[i]!.isAnomaly).toBe(true);
    });
    expect(high.filter((u) => u.isAnomaly).length).toBeGreaterThan(low.filter((u) => u.isAnomaly).length);
  });

  it("property: scores are in [0, 1], deterministic, and independent of the unit (× a power of two)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 120, maxLength: 400 }),
        fc.integer({ min: -20, max: 20 }),
        (values, exponent) => {
          const options = { seasonalPeriods: [7], warmup: 20 };
          const a = feed(values, options).updates;
          const b = feed(values, options).updates;
          a.forEach((u, i) => {
            expect(u.score).toBeGreaterThanOrEqual(0);
            expect(u.score).toBeLessThanOrEqual(1);
            expect(b[i]).toEqual(u);
          });
          // Scaling by 2^k is exact for normal numbers; subnormal ones lose bits. The unit comes from
          // the warm-up, so the claim holds when the warm-up has a nonzero value (else the unit is 1).
          const normal = values.map((v) => (Math.abs(v) < 1e-290 ? 0 : v));
          if (normal.slice(0, 20).every((v) => v === 0)) return;
          const plain = feed(normal, options).updates;
          const scaled = feed(
            normal.map((v) => v * 2 ** exponent),
            options,
          ).updates;
          for (const [i, u] of plain.entries()) expect(scaled[i]).toEqual(u);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("stays finite on a warm-up of zeros or subnormal values (the unit is then 1)", () => {
    for (const tiny of [0, 5e-324, -1e-320]) {
      const values = [...Array.from({ length: 100 }, () => tiny), 3, 0, 1e308, -1e308];
      const { updates, detector } = feed(values);
      expect(detector.toJSON().scale).toBe(1);
      for (const u of updates) expect(Number.isFinite(u.score)).toBe(true);
      expect(updates[100]!.isAnomaly).toBe(true);
    }
  });

  it("property: a detector restored from JSON at any point gives exactly the updates of one never stopped", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 30, maxLength: 300 }),
        fc.nat(),
        fc.constantFrom<readonly number[]>([], [5], [3, 12]),
        (values, cutSeed, seasonalPeriods) => {
          const options = { seasonalPeriods, warmup: 10, halfLife: 50, cooldownMs: 3 * fiveMinutes };
          const cut = cutSeed % (values.length + 1);
          const straight = createAnomalyDetector(options);
          let resumed = createAnomalyDetector(options);
          values.forEach((value, i) => {
            if (i === cut) resumed = anomalyDetectorFromJSON(JSON.parse(JSON.stringify(resumed)));
            expect(resumed.update(value, i * fiveMinutes)).toEqual(straight.update(value, i * fiveMinutes));
          });
          expect(resumed.count).toBe(values.length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("keeps its state bounded and its weights finite over a long stream", () => {
    const detector = createAnomalyDetector({ halfLife: 10, warmup: 10 });
    for (let i = 0; i < 20_000; i++) detector.update(i % 17, i * 1000);
    const json = detector.toJSON();
    expect(Number.isFinite(json.weight)).toBe(true);
    expect(json.level.counts.every(Number.isFinite)).toBe(true);
    expect(json.recent.length).toBe(1);
    expect(JSON.stringify(json).length).toBeLessThan(20_000);
  });

  it("rejects bad input with EnisError naming the field and the value", () => {
    const detector = createAnomalyDetector();
    detector.update(1, 1000);
    expect(() => detector.update(Number.NaN, 2000)).toThrowError(/value must be a finite number, got NaN/);
    expect(() => detector.update(1, 999)).toThrowError(
      /timestampMs must be a finite number at or after the previous point's 1000, got 999/,
    );
    try {
      detector.update(Number.POSITIVE_INFINITY, 3000);
    } catch (error) {
      expect(error).toBeInstanceOf(EnisError);
      expect((error as EnisError).code).toBe("INVALID_DATA");
    }
    expect(detector.count).toBe(1); // refused points are not counted
    expect(() => createAnomalyDetector({ sensitivity: 1 })).toThrowError(/options.sensitivity must be/);
    expect(() => createAnomalyDetector({ seasonalPeriods: [1] })).toThrowError(
      /options.seasonalPeriods\[0\]/,
    );
    expect(() => createAnomalyDetector({ seasonalPeriods: [24, 24] })).toThrowError(/distinct periods/);
    expect(() => createAnomalyDetector({ halfLife: 2.5 })).toThrowError(/options.halfLife/);
    expect(() => createAnomalyDetector({ sensitiviy: 0.2 } as AnomalyDetectorOptions)).toThrowError(
      /did you mean "sensitivity"/,
    );
    const json = detector.toJSON();
    expect(() => anomalyDetectorFromJSON({ ...json, format: "x" } as never)).toThrowError(/json.format/);
    expect(() =>
      anomalyDetectorFromJSON({ ...json, level: { ...json.level, total: json.level.total + 1 } }),
    ).toThrowError(/json.level.total/);
    expect(() => anomalyDetectorFromJSON({ ...json, recent: [] })).toThrowError(/json.recent/);
  });
});
