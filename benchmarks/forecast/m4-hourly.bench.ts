/*
 * Claim: on M4 Hourly (414 series, horizon 48; Makridakis et al., IJF 2020), `forecastMany` with
 * model "auto" reaches OWA <= 0.50 (seasonal naive 0.627, FFORMA, 2nd in M4, 0.484; the winner
 * 0.440), runs all 414 series in <= 60 s on this 2-core machine, and its 95% intervals cover 93-97%
 * of the test values. Every other model of the package is scored the same way, in the same run.
 *
 * Fit and choose on the train file only; the test file is read for the final score alone. The
 * metrics are the package's `evaluateForecasts` (the organisers' definitions, m = 24). Before any
 * model is compared, the run reproduces the organisers' published seasonal naive (sMAPE 13.912,
 * MASE 1.193) and Naive2 (18.383, 2.395) through `forecastMany` with seasonal period 24, as M4
 * defines them, and stops with an error if either differs in the third decimal.
 *
 * The compared models run with seasonal periods 24 and 168 (daily and weekly), levels [95].
 * Wall time is the whole `forecastMany` call (validation, fitting, intervals) for all 414 series;
 * CPU time beside it, as the machine is shared.
 *
 * Run: pnpm build && npx tsx --import ./scripts/text-loader.mjs benchmarks/forecast/m4-hourly.bench.ts
 * (skips with a message when ../shared/data/m4-hourly is absent).
 */
import "../lib/built-packages.js";
import { evaluateForecasts, type ForecastResult, forecastMany, forecastModelNames } from "@enis/forecast";
import { readM4Hourly } from "../lib/m4.js";
import { round, writeResult } from "../lib/report.js";

const data = readM4Hourly();
if (data === undefined) {
  console.log("m4-hourly: ../shared/data/m4-hourly is absent beside the repository; nothing measured");
  process.exit(0);
}
const { train, test } = data;
const horizon = 48;
// The organisers' published Hourly figures (published-point-forecasts-by-frequency.csv).
const published = { snaive: { smape: 13.912, mase: 1.193 }, naive2: { smape: 18.383, mase: 2.395 } };

interface Scored {
  readonly smape: number;
  readonly mase: number;
  readonly owa: number;
  readonly msis: number | null;
  readonly coverage: number | null;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly names: string;
}

/** The point forecasts of the latest `run`. */
let lastMeans: number[][] = [];

function run(model: string, seasonalPeriods: number[]): Scored {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const results: ForecastResult[] = forecastMany(train, {
    horizon,
    seasonalPeriods,
    levels: [95],
    model,
    seed: 1,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  lastMeans = results.map((result) => result.mean);
  const accuracy = evaluateForecasts(
    results.map((result, i) => {
      const interval = result.intervals.find((candidate) => candidate.level === 95);
      return {
        insample: train[i]!,
        actual: test[i]!,
        forecast: result.mean,
        ...(interval === undefined ? {} : { interval: { lower: interval.lower, upper: interval.upper } }),
      };
    }),
    { seasonalPeriod: 24, level: 95 },
  );
  // Which models the series ended with (auto chooses per series): the most frequent names.
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result.model.name, (counts.get(result.model.name) ?? 0) + 1);
  const names = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, count]) => `${name} ×${count}`)
    .join(", ");
  return { ...accuracy, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, names };
}

const rows: Array<Record<string, string | number>> = [];
const failures: string[] = [];
function row(model: string, periods: number[], scored: Scored): void {
  const within60 = scored.wallMs <= 60_000;
  const coverageMet = scored.coverage !== null && scored.coverage >= 0.93 && scored.coverage <= 0.97;
  rows.push({
    model,
    seasonalPeriods: periods.join("+"),
    sMAPE: round(scored.smape, 5),
    MASE: round(scored.mase, 4),
    OWA: round(scored.owa, 3),
    MSIS: scored.msis === null ? "-" : round(scored.msis, 4),
    coverage95: scored.coverage === null ? "-" : `${round(100 * scored.coverage, 3)}%`,
    wallS: round(scored.wallMs / 1000, 3),
    cpuS: round(scored.cpuMs / 1000, 3),
    "OWA<=0.50": scored.owa <= 0.5 ? "yes" : "no",
    "<=60s": within60 ? "yes" : "no",
    "cov 93-97%": coverageMet ? "yes" : "no",
    finalModels: scored.names,
  });
}

// 1. The organisers' benchmarks, exactly.
for (const model of ["snaive", "naive2"] as const) {
  const scored = run(model, [24]);
  const expected = published[model];
  if (
    scored.smape.toFixed(3) !== expected.smape.toFixed(3) ||
    scored.mase.toFixed(3) !== expected.mase.toFixed(3)
  ) {
    throw new Error(
      `${model} must reproduce the published M4 Hourly sMAPE ${expected.smape} / MASE ${expected.mase}, got ${scored.smape.toFixed(3)} / ${scored.mase.toFixed(3)}`,
    );
  }
  row(`${model} (M4 check)`, [24], scored);
}

// 2. Every model of the package, and "auto", on daily and weekly seasonality.
const models = [...forecastModelNames, "auto"];
let auto: Scored | undefined;
let autoResults: number[][] | undefined;
let pooledResults: number[][] | undefined;
for (const model of models) {
  try {
    const scored = run(model, [24, 168]);
    if (model === "auto") {
      auto = scored;
      autoResults = lastMeans;
    }
    if (model === "pooled-ar") pooledResults = lastMeans;
    row(model, [24, 168], scored);
  } catch (error) {
    failures.push(`${model}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// 3. Not a package model: the mean of "auto" and "pooled-ar" at each step, scored for the
// decision of how much weight "auto" should give the pooled model (on the train file's last 48
// values, held out, with "auto" choosing among snaive, pooled-ar, mstl, theta, naive2 and naive,
// it scored OWA 0.4825 against auto's 0.4956 and pooled-ar's 0.4953).
if (autoResults !== undefined && pooledResults !== undefined) {
  const autoMeans = autoResults;
  const pooledMeans = pooledResults;
  const accuracy = evaluateForecasts(
    train.map((insample, i) => ({
      insample,
      actual: test[i]!,
      forecast: autoMeans[i]!.map((value, h) => (value + pooledMeans[i]![h]!) / 2),
    })),
    { seasonalPeriod: 24 },
  );
  rows.push({
    model: "mean(auto, pooled-ar): not a package model",
    seasonalPeriods: "24+168",
    sMAPE: round(accuracy.smape, 5),
    MASE: round(accuracy.mase, 4),
    OWA: round(accuracy.owa, 3),
    MSIS: "-",
    coverage95: "-",
    wallS: "-",
    cpuS: "-",
    "OWA<=0.50": accuracy.owa <= 0.5 ? "yes" : "no",
    "<=60s": "-",
    "cov 93-97%": "-",
    finalModels: "the two runs above",
  });
}

const passed =
  auto !== undefined &&
  auto.owa <= 0.5 &&
  auto.wallMs <= 60_000 &&
  auto.coverage !== null &&
  auto.coverage >= 0.93 &&
  auto.coverage <= 0.97;

writeResult({
  id: "forecast-m4-hourly",
  claim:
    'forecastMany(model: "auto") on M4 Hourly (414 series, horizon 48, fit on train only): OWA <= 0.50, all 414 series in <= 60 s, 95% interval coverage 93-97%; every model of the package scored beside it',
  target:
    '"auto": OWA <= 0.50 (published: seasonal naive 0.627, FFORMA 0.484, M4 winner 0.440), wall time <= 60 s for all 414 series, 95% coverage in [93%, 97%]; seasonal naive and Naive2 reproduce 13.912 / 1.193 and 18.383 / 2.395',
  passed,
  rows,
  notes: [
    `Models in this run (forecastModelNames of the built package): ${forecastModelNames.join(", ")}, and "auto".${failures.length > 0 ? ` Failed: ${failures.join("; ")}.` : ""}`,
    "Seasonal naive and Naive2 are run with period 24 only (M4's frequency for Hourly) and reproduce the organisers' published figures to the third decimal (the run stops otherwise); every other row uses periods 24 and 168. OWA = 0.5 (sMAPE / 18.383 + MASE / 2.395); the organisers form it from rounded figures, which gives seasonal naive 0.627 (0.6275 unrounded).",
    "sMAPE, MASE, MSIS and coverage are means over all 414 × 48 test values (evaluateForecasts, m = 24, α = 0.05). Intervals at 95%: from the model's own variance where it has one, else the residual bootstrap (seed 1). finalModels: the names the results report (auto's choice per series), most frequent first.",
    "pooled-ar (the mean of two ridge ARs over self-normalised windows — log, window minus its mean over its mean absolute 24-lag or 168-lag difference — 504 lags, direct models for 48 steps, fitted across the 414 series) was designed and tuned on the train file with its last 48 values held out: there it scored sMAPE 10.791, MASE 0.960 (OWA 0.494 against the Hourly Naive2 reference; the holdout's own seasonal naive scored 14.570 / 1.228), MSIS 7.97, 95% coverage 93.8%. Tried there: the 24-lag-scale member alone (OWA 0.515: sMAPE 11.75, MASE 0.934), the 168-lag one alone (0.511), a 1-lag scale (0.522), scaling windows by their mean (MASE 1.72 at 192 lags), no log (sMAPE 14.6), 192 / 336 / 600 lags (OWA 0.548 / 0.526 / 0.543, one member, stride 3), recursive one-step forecasts (MASE 2.28), the window's level and scale as extra inputs (0.527), ridge 1 vs 10 per 1,000 windows (0.518 vs 0.517), windows at every 2nd / 3rd / 4th / 6th origin (0.495 / 0.497 / 0.494 / 0.503; every 4th kept, a quarter of the cost), a variance inflation of 1 / 1.15 / 1.3 (coverage 88.8 / 92.1 / 94.4%).",
    "Published M4 Hourly figures for comparison (REFERENCES.md §4): Theta 18.138 / 2.455 (OWA 1.006), FFORMA 11.506 / 0.819 (0.484), Smyl ES-RNN 9.328 / 0.893 (0.440), Doornik et al. 8.913 / 0.801 (0.410); published Hourly MSIS: Naive 71.245, ETS 17.487, ARIMA 7.538, the best 6.139.",
    "Run: `npx tsx --import ./scripts/text-loader.mjs benchmarks/forecast/m4-hourly.bench.ts` on the built packages; the 2 cores are shared with other jobs, so wall times can be up to twice the CPU time of a quiet machine.",
  ],
});
