import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  loadNabAws,
  loadNabProfiles,
  loadPublishedScores,
  loadPublishedThreshold,
  type NabFileScores,
  type NabSeries,
  nabAwsAvailable,
  nabProbationLength,
  optimizeThreshold,
  runDetector,
  scaledSigmoid,
  scoreNab,
  standardProfile,
} from "../benchmarks/lib/nab.js";
import { codeOf } from "./enis-error.js";

/*
 * The port of NAB's scorer (benchmarks/lib/nab.ts) against hand-computed cases and against the
 * AWS-subset figures derived from NAB's published per-row scores (the ../shared/data README:
 * Numenta HTM 73.4 at 0.5421876907348634, windowed Gaussian 31.2 at 1.0, standard profile).
 *
 * Hand values use 2 * sigmoid(x) - 1 = tanh(x / 2): a detection at relative position p in a
 * window weighs tanh(-5p / 2) / tanh(5 / 2) (the window's first row is p = -1, weight 1); a false
 * positive at distance d past a window of width w weighs -0.11 * tanh(5 d / (2 (w - 1))), or
 * -0.11 beyond d / (w - 1) = 3 or before any window.
 */

const stepMs = 300_000;
const noProbation = { probationPercent: 0 };
const maxTP = Math.tanh(2.5);

/** A series of `rows` rows 5 minutes apart, with windows given as [first row, last row]. */
function series(rows: number, windows: [number, number][], timestampsMs?: number[]): NabSeries {
  const ts = timestampsMs ?? Array.from({ length: rows }, (_, i) => i * stepMs);
  return {
    name: `synthetic-${rows}`,
    timestampsMs: ts,
    values: ts.map(() => 0),
    windows: windows.map(([a, b]) => ({ startMs: ts[a]!, endMs: ts[b]! })),
  };
}

/** Scores 0 everywhere except 1 at the rows given. */
function detectionsAt(one: NabSeries, rows: number[]): NabFileScores {
  const scores = one.timestampsMs.map(() => 0);
  for (const row of rows) scores[row] = 1;
  return { series: one, scores };
}

describe("NAB scorer: hand-built cases (probation off unless said)", () => {
  const oneWindow = series(60, [[10, 19]]); // width 10

  it("gives a detection on a window's first row the full tpWeight, and 100 normalised", () => {
    const result = scoreNab([detectionsAt(oneWindow, [10])], 0.5, standardProfile, noProbation);
    expect(result.rawScore).toBe(1);
    expect(result.normalizedScore).toBe(100);
    expect(result.files[0]).toMatchObject({
      tp: 1,
      fp: 0,
      fn: 9,
      tn: 50,
      windowsDetected: 1,
      windowsScored: 1,
    });
  });

  it("gives a detection on a window's last row tanh(1/4) / tanh(5/2)", () => {
    // position -(19 - 19 + 1) / 10 = -0.1 → 2 sigmoid(0.5) - 1 = tanh(0.25)
    const result = scoreNab([detectionsAt(oneWindow, [19])], 0.5, standardProfile, noProbation);
    expect(result.rawScore).toBeCloseTo(Math.tanh(0.25) / maxTP, 12);
    expect(result.rawScore).toBeCloseTo(0.24824, 5);
    expect(result.normalizedScore).toBeCloseTo(50 * (1 + Math.tanh(0.25) / maxTP), 10);
  });

  it("counts only the earliest detection in a window, and later ones cost nothing", () => {
    // row 12: position -(19 - 12 + 1) / 10 = -0.8 → tanh(2) / tanh(2.5)
    const result = scoreNab([detectionsAt(oneWindow, [12, 15, 19])], 0.5, standardProfile, noProbation);
    expect(result.rawScore).toBeCloseTo(Math.tanh(2) / maxTP, 12);
    expect(result.files[0]!.tp).toBe(3);
  });

  it("costs fnWeight for a window without detection: the null score, 0 normalised", () => {
    const result = scoreNab([detectionsAt(oneWindow, [])], 0.5, standardProfile, noProbation);
    expect(result).toMatchObject({ rawScore: -1, nullScore: -1, perfectScore: 1, normalizedScore: 0 });
  });

  it("costs a false positive right after a window less than one far after it", () => {
    // row 20: distance 1, position 1 / (10 - 1) → 2 sigmoid(-5/9) - 1 = -tanh(5/18)
    const near = scoreNab([detectionsAt(oneWindow, [10, 20])], 0.5, standardProfile, noProbation);
    expect(near.rawScore).toBeCloseTo(1 - 0.11 * Math.tanh(5 / 18), 12);
    // row 40: position 21/9 ≤ 3 → -tanh(5 * 21 / 18)
    const later = scoreNab([detectionsAt(oneWindow, [10, 40])], 0.5, standardProfile, noProbation);
    expect(later.rawScore).toBeCloseTo(1 - 0.11 * Math.tanh(105 / 18), 12);
    // row 50: position 31/9 > 3 → exactly -1
    const far = scoreNab([detectionsAt(oneWindow, [10, 50])], 0.5, standardProfile, noProbation);
    expect(far.rawScore).toBe(1 - 0.11);
    expect(near.rawScore).toBeGreaterThan(later.rawScore);
    expect(later.rawScore).toBeGreaterThan(far.rawScore);
    expect(far.files[0]).toMatchObject({ tp: 1, fp: 1 });
  });

  it("costs a false positive before any window the full fpWeight", () => {
    const result = scoreNab([detectionsAt(oneWindow, [3, 10])], 0.5, standardProfile, noProbation);
    expect(result.rawScore).toBe(1 - 0.11);
  });

  it("measures distance from the previous window only, with that window's width", () => {
    // windows 10..19 (width 10) and 30..33 (width 4); row 35: distance 2 past the second, 2 / 3
    const two = series(60, [
      [10, 19],
      [30, 33],
    ]);
    const result = scoreNab([detectionsAt(two, [10, 30, 35])], 0.5, standardProfile, noProbation);
    expect(result.rawScore).toBeCloseTo(2 - 0.11 * Math.tanh(5 / 3), 12);
    expect(result).toMatchObject({ nullScore: -2, perfectScore: 2 });
  });

  it("detects on score ≥ threshold, as NAB does", () => {
    const one = { series: oneWindow, scores: oneWindow.timestampsMs.map((_, i) => (i === 10 ? 0.7 : 0.1)) };
    expect(scoreNab([one], 0.7, standardProfile, noProbation).rawScore).toBe(1);
    expect(scoreNab([one], 0.7000000001, standardProfile, noProbation).rawScore).toBe(-1);
    // at 0.1 every row is a detection: the window's first row and 50 false positives
    expect(scoreNab([one], 0.1, standardProfile, noProbation).files[0]).toMatchObject({ tp: 10, fp: 50 });
  });

  it("applies the profile's weights", () => {
    const profile = { tpWeight: 2, fnWeight: 3, fpWeight: 0.5 };
    const hit = scoreNab([detectionsAt(oneWindow, [10, 50])], 0.5, profile, noProbation);
    expect(hit).toMatchObject({ rawScore: 2 - 0.5, nullScore: -3, perfectScore: 2 });
    expect(scoreNab([detectionsAt(oneWindow, [])], 0.5, profile, noProbation).rawScore).toBe(-3);
  });

  it("leaves NAB's probationary rows unscored: min(floor(15% of rows), 750)", () => {
    expect(nabProbationLength(100)).toBe(15);
    expect(nabProbationLength(4032)).toBe(604);
    expect(nabProbationLength(4730)).toBe(709);
    expect(nabProbationLength(5000)).toBe(750);
    expect(nabProbationLength(20_000)).toBe(750);
    const late = series(100, [[50, 59]]);
    // row 14 is probationary: ignored; row 15 is the first scored row: a false positive
    expect(scoreNab([detectionsAt(late, [14])], 0.5).rawScore).toBe(-1);
    expect(scoreNab([detectionsAt(late, [15])], 0.5).rawScore).toBe(-1 - 0.11);
    expect(scoreNab([detectionsAt(late, [15])], 0.5).files[0]).toMatchObject({
      tp: 0,
      fp: 1,
      fn: 10,
      tn: 74,
    });
  });

  it("scores a window cut by the probation on its scored rows, positioned in the whole window", () => {
    // window 10..19 with rows < 15 probationary: a detection at 12 is ignored; one at 15 sits at -0.5
    const cut = series(100, [[10, 19]]);
    expect(scoreNab([detectionsAt(cut, [12])], 0.5).rawScore).toBe(-1);
    expect(scoreNab([detectionsAt(cut, [15])], 0.5).rawScore).toBeCloseTo(Math.tanh(1.25) / maxTP, 12);
  });

  it("drops a window inside the probation from the score and the null score, not from perfect (NAB's runner counts every label)", () => {
    const early = series(100, [
      [2, 5],
      [50, 59],
    ]);
    const result = scoreNab([detectionsAt(early, [3, 50])], 0.5);
    expect(result).toMatchObject({
      rawScore: 1,
      nullScore: -1,
      perfectScore: 2,
      normalizedScore: (100 * 2) / 3,
    });
    expect(result.files[0]).toMatchObject({ windowsScored: 1, windowsDetected: 1 });
  });

  it("follows NAB on repeated timestamps: a window ends at the first row of its end time", () => {
    // rows' times 0,1,2,3,3,3,4,… (×5 min): the window [1, 3] is rows 1..3; row 4 (time 3 again)
    // is past it by 1 row, width 3: -0.11 * tanh(5 / 4)
    const ts = [0, 1, 2, 3, 3, 3, ...Array.from({ length: 20 }, (_, i) => 4 + i)].map((t) => t * stepMs);
    const repeated = series(ts.length, [[1, 3]], ts);
    const result = scoreNab([detectionsAt(repeated, [1, 4])], 0.5, standardProfile, noProbation);
    expect(result.rawScore).toBeCloseTo(1 - 0.11 * Math.tanh(5 / 4), 12);
  });

  it("sums raw, null and perfect over files and normalises the sums", () => {
    const a = series(60, [[10, 19]]);
    const b = series(60, [
      [10, 19],
      [40, 44],
    ]);
    const quiet = series(60, []);
    const result = scoreNab(
      [detectionsAt(a, [10]), detectionsAt(b, [40, 55]), detectionsAt(quiet, [30])],
      0.5,
      standardProfile,
      noProbation,
    );
    const bScore = -1 + 1 - 0.11 * Math.tanh((5 * 11) / 8);
    expect(result.files[0]!.score).toBe(1);
    expect(result.files[1]!.score).toBeCloseTo(bScore, 12);
    expect(result.files[2]!.score).toBe(-0.11);
    expect(result.rawScore).toBeCloseTo(1 + bScore - 0.11, 12);
    expect(result).toMatchObject({ nullScore: -3, perfectScore: 3 });
    expect(result.normalizedScore).toBeCloseTo((100 * (result.rawScore + 3)) / 6, 12);
  });

  it("matches scaledSigmoid's documented values (nab/sweeper.py)", () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });

  it("refuses bad input with EnisError codes", () => {
    const good = detectionsAt(oneWindow, [10]);
    expect(codeOf(() => scoreNab([good], Number.NaN))[0]).toBe("INVALID_OPTIONS");
    expect(codeOf(() => scoreNab([good], 0.5, { ...standardProfile, fpWeight: -1 }))).toEqual([
      "INVALID_OPTIONS",
      "profile.fpWeight",
    ]);
    expect(codeOf(() => scoreNab([good], 0.5, { ...standardProfile, tpWeight: 0 }))[0]).toBe(
      "INVALID_OPTIONS",
    );
    expect(codeOf(() => scoreNab([good], 0.5, standardProfile, { probationPercent: 2 }))[0]).toBe(
      "INVALID_OPTIONS",
    );
    expect(codeOf(() => scoreNab([{ series: oneWindow, scores: [0.5] }], 0.5))[0]).toBe("INVALID_DATA");
    const nan = Array.from(good.scores);
    nan[7] = Number.NaN;
    expect(codeOf(() => scoreNab([{ series: oneWindow, scores: nan }], 0.5))).toEqual([
      "INVALID_DATA",
      "scores[7]",
    ]);
    const above = Array.from(good.scores);
    above[7] = 1.5;
    expect(codeOf(() => optimizeThreshold([{ series: oneWindow, scores: above }]))[0]).toBe("INVALID_DATA");
    const offGrid = { ...oneWindow, windows: [{ startMs: 1, endMs: 19 * stepMs }] };
    expect(codeOf(() => scoreNab([detectionsAt(offGrid, [])], 0.5))[0]).toBe("INVALID_DATA");
    const overlapping = series(60, [
      [10, 19],
      [15, 25],
    ]);
    expect(codeOf(() => scoreNab([detectionsAt(overlapping, [])], 0.5))[0]).toBe("INVALID_DATA");
    // nothing to normalise against: no window in any file
    expect(codeOf(() => scoreNab([detectionsAt(series(60, []), [])], 0.5))[0]).toBe("INVALID_DATA");
  });
});

describe("NAB optimizer: the sweep over every distinct score value", () => {
  /** Random files of 20–80 rows, up to two windows, scores on a coarse grid (so ties occur). */
  const filesArb = fc.array(
    fc
      .record({
        rows: fc.integer({ min: 20, max: 80 }),
        cuts: fc.uniqueArray(fc.integer({ min: 0, max: 79 }), { minLength: 0, maxLength: 4 }),
        seedScores: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 80, maxLength: 80 }),
      })
      .map(({ rows, cuts, seedScores }) => {
        const sorted = cuts.filter((c) => c < rows).sort((a, b) => a - b);
        const windows: [number, number][] = [];
        for (let k = 0; k + 1 < sorted.length; k += 2) windows.push([sorted[k]!, sorted[k + 1]!]);
        const one = series(rows, windows);
        return { series: one, scores: seedScores.slice(0, rows).map((s) => s / 20) };
      }),
    { minLength: 1, maxLength: 4 },
  );

  it("finds the best raw score of scoreNab over 1.1 and every score value, and scoreNab agrees at its threshold", () => {
    fc.assert(
      fc.property(filesArb, fc.boolean(), (files, probation) => {
        const options = probation ? {} : noProbation;
        const withWindows = files.some((f) => f.series.windows.length > 0);
        fc.pre(withWindows);
        const best = optimizeThreshold(files, standardProfile, options);
        const candidates = new Set([1.1, ...files.flatMap((f) => f.scores)]);
        let brute = Number.NEGATIVE_INFINITY;
        for (const t of candidates)
          brute = Math.max(brute, scoreNab(files, t, standardProfile, options).rawScore);
        expect(best.rawScore).toBeCloseTo(brute, 9);
        expect(scoreNab(files, best.threshold, standardProfile, options).rawScore).toBeCloseTo(
          best.rawScore,
          9,
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe.skipIf(!nabAwsAvailable())("NAB AWS subset: the published scores (../shared/data/nab-aws)", () => {
  it("loads the 17 AWS series, 30 windows, aligned published scores, NAB's standard profile", () => {
    const aws = loadNabAws();
    expect(aws).toHaveLength(17);
    expect(aws.reduce((n, s) => n + s.windows.length, 0)).toBe(30);
    expect(aws.reduce((n, s) => n + s.timestampsMs.length, 0)).toBe(67_740);
    expect(
      loadPublishedScores("numenta", aws).every((f, i) => f.scores.length === aws[i]!.values.length),
    ).toBe(true);
    expect(loadNabProfiles()["standard"]).toEqual(standardProfile);
  });

  it("reproduces Numenta HTM's 73.4 at its published threshold 0.5421876907348634", () => {
    const threshold = loadPublishedThreshold("numenta");
    expect(threshold).toBe(0.5421876907348634);
    const result = scoreNab(loadPublishedScores("numenta"), threshold);
    expect(Math.abs(result.normalizedScore - 73.4)).toBeLessThan(0.05);
    expect(result).toMatchObject({ nullScore: -30, perfectScore: 30 });
    // NAB's own sweeper (Python, run on these files) gives 14.051419429569592 raw
    expect(result.rawScore).toBeCloseTo(14.051419429569592, 12);
  });

  it("reproduces windowed Gaussian's 31.2 at its published threshold 1.0", () => {
    const threshold = loadPublishedThreshold("windowedGaussian");
    expect(threshold).toBe(1);
    const result = scoreNab(loadPublishedScores("windowedGaussian"), threshold);
    expect(Math.abs(result.normalizedScore - 31.2)).toBeLessThan(0.05);
    expect(result.rawScore).toBeCloseTo(-11.256215512933577, 12);
  });

  it("finds, over the subset, a threshold at least as good as the published one", () => {
    const htm = optimizeThreshold(loadPublishedScores("numenta"));
    expect(htm.threshold).toBe(0.547289439756);
    expect(htm.normalizedScore).toBeGreaterThanOrEqual(73.4);
    expect(htm.normalizedScore).toBeCloseTo(73.419032382616, 9);
    const gaussian = optimizeThreshold(loadPublishedScores("windowedGaussian"));
    expect(gaussian.threshold).toBe(1);
    expect(gaussian.normalizedScore).toBeCloseTo(31.2396408117774, 9);
  });

  it("gives NAB's null detector (constant 0.5) 0 at its threshold, and runs a detector on every series", () => {
    const nullScores = runDetector((one) => one.values.map(() => 0.5));
    expect(scoreNab(nullScores, 0.6250000000000001).normalizedScore).toBe(0);
    expect(codeOf(() => runDetector(() => [0.5]))[0]).toBe("INVALID_DATA");
  });
});
