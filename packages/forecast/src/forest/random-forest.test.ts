import { createRandom } from "@enis/core";
import { createRandomForest, randomForestFromJSON } from "@enis/forecast";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

function r2(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < actual.length; i++) mean += actual[i]! / actual.length;
  let residual = 0;
  let spread = 0;
  for (let i = 0; i < actual.length; i++) {
    residual += (actual[i]! - predicted[i]!) ** 2;
    spread += (actual[i]! - mean) ** 2;
  }
  return 1 - residual / spread;
}

/** Friedman #1 (Friedman 1991; scikit-learn's make_friedman1): 5 informative features of 10, noise sd 1. */
function friedman(count: number, seed: number): { rows: number[][]; targets: number[]; clean: number[] } {
  const random = createRandom(seed);
  const rows: number[][] = [];
  const targets: number[] = [];
  const clean: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = Array.from({ length: 10 }, () => random.next());
    const y = 10 * Math.sin(Math.PI * x[0]! * x[1]!) + 20 * (x[2]! - 0.5) ** 2 + 10 * x[3]! + 5 * x[4]!;
    rows.push(x);
    clean.push(y);
    targets.push(y + random.nextGaussian());
  }
  return { rows, targets, clean };
}

describe("createRandomForest", () => {
  it("gives the same forest and predictions for the same seed, and another for another seed", () => {
    const { rows, targets } = friedman(300, 1);
    const test = friedman(50, 2).rows;
    const a = createRandomForest({ trees: 20, seed: 7 }).fit(rows, targets);
    const b = createRandomForest({ trees: 20, seed: 7 }).fit(rows, targets);
    const c = createRandomForest({ trees: 20, seed: 8 }).fit(rows, targets);
    expect(Array.from(a.predict(test))).toEqual(Array.from(b.predict(test)));
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(Array.from(a.predict(test))).not.toEqual(Array.from(c.predict(test)));
  });

  it("pins a small forest's predictions, so that a change of algorithm or platform arithmetic is caught", () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 8, Math.floor(i / 8)]);
    const targets = rows.map(([a, b]) => a! * 2 + (b! > 2 ? 10 : 0));
    const forest = createRandomForest({ trees: 5, seed: 3 }).fit(rows, targets);
    const predictions = Array.from(
      forest.predict([
        [0, 0],
        [3.5, 2],
        [7, 4],
        [2, 3],
      ]),
      (v) => Math.round(v * 1e9) / 1e9,
    );
    expect(predictions).toMatchInlineSnapshot(`
      [
        0.4,
        6,
        24,
        14,
      ]
    `);
  });

  it("recovers a step function", () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i / 200]);
    const targets = rows.map(([x]) => (x! < 0.37 ? 3 : x! < 0.71 ? -1 : 5));
    const forest = createRandomForest({ trees: 30, seed: 1 }).fit(rows, targets);
    const probes = [0.1, 0.3, 0.36, 0.38, 0.5, 0.7, 0.72, 0.99];
    const predicted = forest.predict(probes.map((x) => [x]));
    expect(Array.from(predicted, (v) => Math.round(v * 100) / 100)).toEqual([3, 3, 3, -1, -1, -1, 5, 5]);
  });

  it("keeps a small step on a large level (targets are centred before the variance sums)", () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i]);
    const targets = rows.map(([x]) => 1e9 + (x! < 50 ? 0 : 0.5));
    const forest = createRandomForest({ trees: 10, seed: 1 }).fit(rows, targets);
    const predicted = forest.predict([[10], [90]]);
    expect(predicted[0]! - 1e9).toBeCloseTo(0, 6);
    expect(predicted[1]! - 1e9).toBeCloseTo(0.5, 6);
  });

  it("recovers a linear function within a small error, and R² near 1 on new points", () => {
    const random = createRandom(4);
    const rows = Array.from({ length: 500 }, () => [random.next() * 10, random.next()]);
    const targets = rows.map(([x]) => 3 * x! + 2);
    const forest = createRandomForest({ trees: 50, seed: 2 }).fit(rows, targets);
    const probes = Array.from({ length: 100 }, (_, i) => [0.5 + i * 0.09, 0.5]);
    const predicted = forest.predict(probes);
    let worst = 0;
    probes.forEach(([x], i) => {
      worst = Math.max(worst, Math.abs(predicted[i]! - (3 * x! + 2)));
    });
    expect(worst).toBeLessThan(0.5); // 500 points over [0, 10]: neighbours ~0.02 apart
    expect(
      r2(
        probes.map(([x]) => 3 * x! + 2),
        predicted,
      ),
    ).toBeGreaterThan(0.998);
    // All the signal is in the first feature.
    expect(forest.featureImportances[0]).toBeGreaterThan(0.95);
    expect(forest.featureImportances.reduce((sum, v) => sum + v, 0)).toBeCloseTo(1, 12);
  });

  it("reaches R² > 0.8 on Friedman #1 test points, and its out-of-bag R² estimates it", () => {
    const train = friedman(1000, 11);
    const test = friedman(500, 12);
    const forest = createRandomForest({ seed: 5 }).fit(train.rows, train.targets);
    const testR2 = r2(test.targets, forest.predict(test.rows));
    // scikit-learn 1.9.1 RandomForestRegressor (defaults, random_state 0) on these same rows: test R²
    // 0.847, out-of-bag 0.824; this forest: 0.845 and 0.825.
    expect(testR2).toBeGreaterThan(0.8);
    const oob = forest.outOfBag!;
    expect(oob.r2).not.toBeNull();
    expect(Math.abs(oob.r2! - testR2)).toBeLessThan(0.06);
    // Every row is out of bag for about e^-1 of the trees.
    const meanCount = oob.treeCounts.reduce((sum, v) => sum + v, 0) / oob.treeCounts.length;
    expect(meanCount).toBeGreaterThan(30);
    expect(meanCount).toBeLessThan(44);
    // The five informative features carry the importance.
    const informative = forest.featureImportances.slice(0, 5).reduce((sum, v) => sum + v, 0);
    expect(informative).toBeGreaterThan(0.85);
  });

  it("accepts a Float64Array with a column count, giving the same forest as arrays of rows", () => {
    const { rows, targets } = friedman(200, 3);
    const values = Float64Array.from(rows.flat());
    const a = createRandomForest({ trees: 10, seed: 1 }).fit(rows, targets);
    const b = createRandomForest({ trees: 10, seed: 1 }).fit(
      { values, columns: 10 },
      Float64Array.from(targets),
    );
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(Array.from(b.predict({ values: values.subarray(0, 50), columns: 10 }))).toEqual(
      Array.from(a.predict(rows.slice(0, 5))),
    );
  });

  it("honours maxDepth, minSamplesLeaf and no bootstrap", () => {
    const { rows, targets } = friedman(300, 6);
    const stump = createRandomForest({ trees: 3, maxDepth: 1, seed: 1 }).fit(rows, targets);
    expect(stump.nodeCount).toBe(9); // a root and two leaves per tree
    // Without bootstrap and with every feature, each tree is the same fully grown tree: it
    // reproduces the (distinct) training targets exactly.
    const exact = createRandomForest({ trees: 2, bootstrap: false, seed: 1 }).fit(rows, targets);
    expect(Array.from(exact.predict(rows.slice(0, 20)))).toEqual(targets.slice(0, 20));
    expect(exact.outOfBag).toBeUndefined();
    // Half-size bootstrap samples: a row is out of bag for about e^-0.5 = 61% of the trees.
    const half = createRandomForest({ trees: 50, sampleFraction: 0.5, seed: 2 }).fit(rows, targets);
    const outOfBagShare = half.outOfBag!.treeCounts.reduce((sum, v) => sum + v, 0) / (300 * 50);
    expect(outOfBagShare).toBeGreaterThan(0.57);
    expect(outOfBagShare).toBeLessThan(0.65);
    // Without bootstrap, half the rows per tree: each row is left out by about half of the trees
    // (no out-of-bag estimate is kept, but the trees differ).
    const subsampled = createRandomForest({ trees: 2, bootstrap: false, sampleFraction: 0.5, seed: 2 }).fit(
      rows,
      targets,
    );
    const each = subsampled.predictEach(rows);
    expect(Array.from(each.subarray(0, 300))).not.toEqual(Array.from(each.subarray(300)));
    // Leaves of at least 20 rows: a prediction averages at least 20 distinct targets.
    const coarse = createRandomForest({ trees: 1, bootstrap: false, minSamplesLeaf: 20 }).fit(rows, targets);
    const leaves = new Set(coarse.predict(rows)).size;
    expect(leaves).toBeLessThanOrEqual(300 / 20);
    expect(leaves).toBeGreaterThan(3);
  });

  it("keeps every prediction within the range of the targets (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -3, max: 3 })), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        (pairs, ys, seed) => {
          const rows = pairs.map(([x, k]) => [x, k]);
          const targets = rows.map((_, i) => ys[i % ys.length]!);
          const forest = createRandomForest({ trees: 5, seed, maxFeatures: 0.5 }).fit(rows, targets);
          const low = Math.min(...targets);
          const high = Math.max(...targets);
          const probes = [...rows, [-2e6, 0], [2e6, 5]];
          return Array.from(forest.predict(probes)).every(
            (p) => Number.isFinite(p) && p >= low - 1e-6 * Math.abs(low) && p <= high + 1e-6 * Math.abs(high),
          );
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it("round-trips through JSON and predicts the same", () => {
    const { rows, targets } = friedman(200, 9);
    const forest = createRandomForest({ trees: 10, seed: 4 }).fit(rows, targets);
    const restored = randomForestFromJSON(JSON.parse(JSON.stringify(forest)));
    expect(Array.from(restored.predict(rows))).toEqual(Array.from(forest.predict(rows)));
    expect(restored.featureImportances).toEqual(forest.featureImportances);
    expect(restored.outOfBag).toBeUndefined();
    const broken = { ...forest.toJSON(), left: forest.toJSON().left.map((v, i) => (i === 0 ? 0 : v)) };
    expect(codeOf(() => randomForestFromJSON(broken))).toEqual(["INVALID_OPTIONS", "json.left[0]"]);
  });

  it("gives every tree's prediction, whose mean is the forest's", () => {
    const { rows, targets } = friedman(100, 10);
    const forest = createRandomForest({ trees: 7, seed: 1 }).fit(rows, targets);
    const each = forest.predictEach(rows.slice(0, 3));
    const mean = forest.predict(rows.slice(0, 3));
    for (let r = 0; r < 3; r++) {
      let sum = 0;
      for (let t = 0; t < 7; t++) sum += each[t * 3 + r]!;
      expect(sum / 7).toBeCloseTo(mean[r]!, 12);
    }
  });

  it("refuses bad options and bad data with an EnisError naming the field", () => {
    expect(codeOf(() => createRandomForest({ trees: 0 }))).toEqual(["INVALID_OPTIONS", "options.trees"]);
    expect(catchEnisError(() => createRandomForest({ trees: 0 })).message).toBe(
      "options.trees must be at least 1, got 0",
    );
    expect(codeOf(() => createRandomForest({ maxFeatures: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "options.maxFeatures",
    ]);
    expect(codeOf(() => createRandomForest({ minSamplesLeaf: 1.5 }))).toEqual([
      "INVALID_OPTIONS",
      "options.minSamplesLeaf",
    ]);
    expect(codeOf(() => createRandomForest({ tree: 5 } as never))).toEqual([
      "INVALID_OPTIONS",
      "options.tree",
    ]);

    const forest = createRandomForest({ trees: 2 });
    const nan = catchEnisError(() =>
      forest.fit(
        [
          [1, 2],
          [3, Number.NaN],
        ],
        [1, 2],
      ),
    );
    expect([nan.code, nan.field, nan.message]).toEqual([
      "INVALID_OPTIONS",
      "rows[1][1]",
      "rows[1][1] must be a finite number, got NaN",
    ]);
    expect(codeOf(() => forest.fit([[1], [2]], [1, Number.POSITIVE_INFINITY]))).toEqual([
      "INVALID_OPTIONS",
      "targets[1]",
    ]);
    const mismatch = catchEnisError(() => forest.fit([[1], [2], [3]], [1, 2]));
    expect([mismatch.field, mismatch.message]).toEqual([
      "targets.length",
      "targets.length must be 3 (one target per row), got 2",
    ]);
    expect(codeOf(() => forest.fit([[1, 2], [3]], [1, 2]))).toEqual(["INVALID_OPTIONS", "rows[1]"]);
    expect(codeOf(() => forest.fit([], []))).toEqual(["INVALID_OPTIONS", "rows"]);
    expect(codeOf(() => forest.fit({ values: new Float64Array(5), columns: 2 }, [1, 2]))).toEqual([
      "INVALID_OPTIONS",
      "rows.values.length",
    ]);
    expect(codeOf(() => forest.fit({ values: Float64Array.of(1, Number.NaN), columns: 1 }, [1, 2]))).toEqual([
      "INVALID_OPTIONS",
      "rows.values[1]",
    ]);
    const fitted = forest.fit(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [1, 2, 3],
    );
    expect(codeOf(() => fitted.predict([[1, 2, 3]]))).toEqual(["INVALID_OPTIONS", "rows[0]"]);
    expect(codeOf(() => fitted.predict({ values: new Float64Array(3), columns: 3 }))).toEqual([
      "INVALID_OPTIONS",
      "rows.columns",
    ]);
  });

  it("fits one row, and constant targets, to that constant", () => {
    const one = createRandomForest({ trees: 3 }).fit([[5, 1]], [42]);
    expect(Array.from(one.predict([[0, 0]]))).toEqual([42]);
    expect(one.featureImportances).toEqual([0, 0]);
    const flat = createRandomForest({ trees: 3 }).fit(
      Array.from({ length: 30 }, (_, i) => [i]),
      new Array(30).fill(-2.5),
    );
    expect(flat.nodeCount).toBe(3);
    expect(Array.from(flat.predict([[100]]))).toEqual([-2.5]);
  });
});
