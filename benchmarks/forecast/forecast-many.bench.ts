/*
 * Claim: forecastMany over many series is not slower than calling forecast() on each in a loop,
 * for local models, and gives the same forecasts (issue 12, point 2).
 *
 * Data: the M4 Hourly training series (414, 700 or 960 hourly values each), horizon 48, seasonal
 * periods 24 and 168. For each local model, the loop and forecastMany run alternately (rounds
 * reversed every other time, so a neighbour's load lands on both), after one warm-up of each; the
 * ratio is the median over rounds of forecastMany's time / the loop's time in the same round.
 *
 * Run: npx -y pnpm@10.34.9 build && npx tsx --import ./scripts/text-loader.mjs benchmarks/forecast/forecast-many.bench.ts
 */
import "../lib/built-packages.js";
import { type ForecastOptions, forecast, forecastMany } from "@enis/forecast";
import { readM4Hourly } from "../lib/m4.js";
import { median, round, writeResult } from "../lib/report.js";

const data = readM4Hourly();
if (data === undefined) {
  console.log("forecast-many: ../shared/data/m4-hourly is absent; nothing to measure");
  process.exit(0);
}
const series = data.train;
const rounds = Number(process.env["BENCH_ROUNDS"] ?? 5);
const models = ["snaive", "naive2", "theta", "mstl", "ets"] as const;

const rows: Array<Record<string, string | number>> = [];
let passed = true;
for (const model of models) {
  const options: ForecastOptions = { horizon: 48, seasonalPeriods: [24, 168], model };
  const loop = () => series.map((values) => forecast(values, options));
  const many = () => forecastMany(series, options);
  // Same forecasts, to the bit.
  const a = loop();
  const b = many();
  const same = a.every((result, i) => JSON.stringify(result) === JSON.stringify(b[i]));
  const loopMs: number[] = [];
  const manyMs: number[] = [];
  const ratios: number[] = [];
  for (let pass = 0; pass < rounds; pass++) {
    const order = pass % 2 === 0 ? [loop, many] : [many, loop];
    const times = new Map<() => unknown, number>();
    for (const run of order) {
      const started = performance.now();
      run();
      times.set(run, performance.now() - started);
    }
    loopMs.push(times.get(loop)!);
    manyMs.push(times.get(many)!);
    ratios.push(times.get(many)! / times.get(loop)!);
  }
  const ratio = median(ratios);
  // "Not slower", with the run-to-run noise of a shared 2-core machine: at most 5% above the loop.
  const met = same && ratio <= 1.05;
  passed &&= met;
  rows.push({
    model,
    series: series.length,
    loopMedianMs: round(median(loopMs)),
    forecastManyMedianMs: round(median(manyMs)),
    manyOverLoop: round(ratio),
    sameForecasts: same ? "yes" : "no",
    target: "<= 1.05x, identical",
    met: met ? "yes" : "no",
  });
}

writeResult({
  id: "forecast-many",
  claim:
    "forecastMany over the 414 M4 Hourly training series (horizon 48, periods 24 and 168) takes no longer than forecast() in a loop, for every local model, with identical forecasts",
  target: "forecastMany / loop <= 1.05 (median of paired rounds) and identical results, per local model",
  passed,
  rows,
  notes: [
    `${rounds} rounds per model after one warm-up of each, loop and forecastMany alternating, order reversed every other round; manyOverLoop = median over rounds of the same round's ratio`,
    "forecastMany validates the options once and reuses the parsed settings; each series is still fitted on its own, so the two do the same fitting work and the ratio sits near 1",
    "sameForecasts: every field of every result equal (JSON) between forecastMany and the loop",
  ],
});
