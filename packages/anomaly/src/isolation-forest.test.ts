import { createRandom } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import {
  averagePathLength,
  createIsolationForest,
  IsolationForest,
  type IsolationForestJSON,
  isolationForestFromJSON,
} from "./isolation-forest.js";

/** Gaussian inliers around the origin and, last, uniform outliers in a wide box. */
function synthetic(seed: number, inliers: number, outliers: number, columns = 3) {
  const random = createRandom(seed);
  const rows: number[][] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < inliers; i++) {
    rows.push(Array.from({ length: columns }, () => random.nextGaussian()));
    labels.push(false);
  }
  for (let i = 0; i < outliers; i++) {
    rows.push(
      Array.from({ length: columns }, () => (random.next() < 0.5 ? -1 : 1) * (4 + 4 * random.next())),
    );
    labels.push(true);
  }
  return { rows, labels };
}

/** ROC-AUC by the rank-sum (Mann–Whitney) statistic, ties counted half. */
function auc(scores: readonly number[], labels: readonly boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (!labels[i]) return;
    scores.forEach((q, j) => {
      if (labels[j]) return;
      pairs++;
      wins += p > q ? 1 : p === q ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe("averagePathLength", () => {
  it("is 2H(n-1) - 2(n-1)/n", () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(3) = 2(1 + 1/2) - 4/3 = 5/3; c(4) = 2(11/6) - 3/2 = 13/6.
    expect(averagePathLength(3)).toBeCloseTo(5 / 3, 14);
    expect(averagePathLength(4)).toBeCloseTo(13 / 6, 14);
    // c(256) with H(255) from its asymptotic expansion ln n + γ + 1/2n − 1/12n².
    const n = 255;
    const h = Math.log(n) + 0.5772156649015329 + 1 / (2 * n) - 1 / (12 * n * n);
    expect(averagePathLength(256)).toBeCloseTo(2 * h - (2 * 255) / 256, 9);
    // scikit-learn's c(256) (H by ln + γ alone) is 10.2448; the exact sum adds about 2/(2·255).
    expect(averagePathLength(256) - 10.2448).toBeCloseTo(1 / 255, 4);
  });

  it("rejects a non-integer", () => {
    expect(catchEnisError(() => averagePathLength(2.5)).code).toBe("INVALID_OPTIONS");
  });
});

describe("createIsolationForest", () => {
  const { rows, labels } = synthetic(1, 500, 25);

  it("gives the same scores for the same seed and different ones for another", () => {
    const a = createIsolationForest({ seed: 3 }).fit(rows).score(rows);
    const b = createIsolationForest({ seed: 3 }).fit(rows).score(rows);
    const c = createIsolationForest({ seed: 4 }).fit(rows).score(rows);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("scores obvious outliers above every inlier", () => {
    const forest = createIsolationForest({ seed: 1 }).fit(rows);
    const [center, far] = forest.score([
      [0, 0, 0],
      [20, -20, 20],
    ]);
    expect(far).toBeGreaterThan(0.7);
    expect(center).toBeLessThan(0.5);
    const scores = forest.score(rows);
    expect(Math.max(...scores.slice(0, 500))).toBeLessThan(forest.score([[20, -20, 20]])[0]!);
  });

  it("separates the synthetic outliers (ROC-AUC > 0.95)", () => {
    const scores = createIsolationForest({ seed: 5 }).fit(rows).score(rows);
    expect(auc(scores, labels)).toBeGreaterThan(0.95);
  });

  it("gives scores in (0, 1], deterministic per seed, independent of the order of the scored rows, identical after a JSON round trip", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 2 }), {
          minLength: 2,
          maxLength: 60,
        }),
        (seed, data) => {
          const forest = createIsolationForest({ seed, trees: 20, sampleSize: 32 }).fit(data);
          const scores = forest.score(data);
          for (const s of scores) expect(s > 0 && s <= 1).toBe(true);
          expect(createIsolationForest({ seed, trees: 20, sampleSize: 32 }).fit(data).score(data)).toEqual(
            scores,
          );
          const reversed = forest.score([...data].reverse());
          expect(reversed.reverse()).toEqual(scores);
          const restored = isolationForestFromJSON(JSON.parse(JSON.stringify(forest)) as IsolationForestJSON);
          expect(restored.score(data)).toEqual(scores);
          expect(IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest))).score(data)).toEqual(scores);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("round-trips through JSON with identical scores and predictions", () => {
    const forest = createIsolationForest({ seed: 9, contamination: 0.05 }).fit(rows);
    const json = JSON.parse(JSON.stringify(forest.toJSON())) as IsolationForestJSON;
    const restored = isolationForestFromJSON(json);
    expect(restored.score(rows)).toEqual(forest.score(rows));
    expect(restored.predict(rows)).toEqual(forest.predict(rows));
    expect(restored.threshold).toBe(forest.threshold);
    expect(restored.toJSON()).toEqual(forest.toJSON());
  });

  it("takes a Float64Array with a column count, scoring as the rows", () => {
    const forest = createIsolationForest({ seed: 2 }).fit(rows);
    const flat = { values: Float64Array.from(rows.flat()), columns: 3 };
    expect(forest.score(flat)).toEqual(forest.score(rows));
    expect(createIsolationForest({ seed: 2 }).fit(flat).score(rows)).toEqual(forest.score(rows));
  });

  it("predicts with the contamination quantile, else above 0.5", () => {
    const withShare = createIsolationForest({ seed: 4, contamination: 25 / 525 }).fit(rows);
    const flagged = withShare.predict(rows).filter(Boolean).length;
    expect(flagged).toBeGreaterThanOrEqual(24);
    expect(flagged).toBeLessThanOrEqual(26);
    const fixed = createIsolationForest({ seed: 4 }).fit(rows);
    expect(fixed.threshold).toBe(0.5);
    expect(fixed.predict(rows)).toEqual(fixed.score(rows).map((s) => s > 0.5));
  });

  it("uses min(sampleSize, rows) rows per tree and depth ceil(log2 ψ)", () => {
    const small = createIsolationForest({ seed: 1 }).fit(rows.slice(0, 100));
    expect(small.sampleSize).toBe(100);
    expect(small.maxDepth).toBe(7);
    const full = createIsolationForest({ seed: 1, trees: 10 }).fit(rows);
    expect(full.sampleSize).toBe(256);
    expect(full.maxDepth).toBe(8);
    expect(full.nodeCount).toBeLessThanOrEqual(10 * 511);
  });

  it("reports bad options and rows as INVALID_OPTIONS naming the field and value", () => {
    const cases: Array<[() => unknown, string, string]> = [
      [() => createIsolationForest({ trees: 0 }), "options.trees", "0"],
      [() => createIsolationForest({ sampleSize: 1 }), "options.sampleSize", "1"],
      [() => createIsolationForest({ contamination: 0 }), "options.contamination", "0"],
      [() => createIsolationForest({ contamination: 0.6 }), "options.contamination", "0.6"],
      [() => createIsolationForest({ seed: 1.5 }), "options.seed", "1.5"],
      [() => createIsolationForest({ tres: 5 } as never), "options.tres", "5"],
      [() => createIsolationForest().fit([]), "rows", "an array of 0"],
      [() => createIsolationForest().fit([[1, 2]]), "rows.length", "1"],
      [
        () =>
          createIsolationForest().fit([
            [1, 2],
            [3, Number.NaN],
          ]),
        "rows[1][1]",
        "NaN",
      ],
      [
        () =>
          createIsolationForest().fit([
            [1, 2],
            [3, 4, 5],
          ]),
        "rows[1]",
        "",
      ],
      [
        () => createIsolationForest().fit({ values: new Float64Array(5), columns: 2 }),
        "rows.values.length",
        "5",
      ],
    ];
    for (const [action, field, value] of cases) {
      const error = catchEnisError(action);
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(field);
      expect(error.message).toContain(value);
    }
    const forest = createIsolationForest().fit(rows);
    expect(catchEnisError(() => forest.score([[1, 2]])).field).toBe("rows[0]");
  });

  it("rejects malformed JSON", () => {
    const json = createIsolationForest({ seed: 1, trees: 2 }).fit(rows).toJSON();
    const broken = { ...json, left: json.left.map((l, i) => (i === 0 ? 0 : l)) };
    expect(catchEnisError(() => isolationForestFromJSON(broken)).field).toBe("json.left[0]");
    expect(catchEnisError(() => isolationForestFromJSON({ ...json, format: "x" } as never)).field).toBe(
      "json.format",
    );
  });
});
