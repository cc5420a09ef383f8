import { existsSync, readFileSync } from "node:fs";
import { type EvaluatedSeries, evaluateForecasts, owa } from "@enis/forecast";
import { describe, expect, it } from "vitest";

/*
 * The M4 organisers' published Hourly scores, reproduced from the data (REFERENCES.md §4,
 * ../shared/data/m4-hourly/published-point-forecasts-by-frequency.csv): the forecasts are computed
 * here from the train file, scored on the test file by evaluateForecasts, and must match to the
 * three decimals the organisers publish.
 */
const dataDir = new URL("../../../../../shared/data/m4-hourly/", import.meta.url);
const present =
  existsSync(new URL("Hourly-train.csv", dataDir)) && existsSync(new URL("Hourly-test.csv", dataDir));
if (!present) {
  console.warn(
    "m4-published.test.ts: ../shared/data/m4-hourly is absent beside the repository; the published-score checks are skipped",
  );
}

/** Ragged M4 CSV: a header row, then `"id","v1","v2",…` padded with empty cells. */
function readM4(name: string): number[][] {
  const lines = readFileSync(new URL(name, dataDir), "utf8").split(/\r?\n/).slice(1);
  return lines
    .filter((line) => line.trim() !== "")
    .map((line) =>
      line
        .split(",")
        .slice(1)
        .map((cell) => cell.replaceAll('"', ""))
        .filter((cell) => cell !== "")
        .map(Number),
    );
}

/** M4's Naive2: seasonal adjustment by classical multiplicative decomposition when the lag-m autocorrelation is significant, then the last value. */
function naive2(x: number[], m: number, h: number): number[] {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  let denominator = 0;
  for (const v of x) denominator += (v - mean) ** 2;
  let acfSquares = 0;
  let acfM = 0;
  for (let k = 1; k <= m; k++) {
    let numerator = 0;
    for (let t = k; t < n; t++) numerator += (x[t]! - mean) * (x[t - k]! - mean);
    const r = numerator / denominator;
    if (k < m) acfSquares += r * r;
    else acfM = r;
  }
  // M4's seasonality_test: |acf_m| > 1.645 · sqrt((1 + 2 Σ_{k<m} acf_k²) / n) (90%).
  const seasonal = Math.abs(acfM) > 1.645 * Math.sqrt((1 + 2 * acfSquares) / n);
  const index = new Array<number>(m).fill(1);
  if (seasonal) {
    // Centred 2×m moving average (m even), ratios to it, averaged by position, normalised to mean 1.
    const sums = new Array<number>(m).fill(0);
    const counts = new Array<number>(m).fill(0);
    for (let t = m / 2; t < n - m / 2; t++) {
      let trend = 0;
      for (let j = -m / 2; j <= m / 2; j++) trend += (j === -m / 2 || j === m / 2 ? 0.5 : 1) * x[t + j]!;
      trend /= m;
      sums[t % m]! += x[t]! / trend;
      counts[t % m]!++;
    }
    for (let p = 0; p < m; p++) index[p] = sums[p]! / counts[p]!;
    const indexMean = index.reduce((a, b) => a + b, 0) / m;
    for (let p = 0; p < m; p++) index[p] = index[p]! / indexMean;
  }
  const last = x[n - 1]! / index[(n - 1) % m]!;
  return Array.from({ length: h }, (_, i) => last * index[(n + i) % m]!);
}

describe.skipIf(!present)("the M4 Hourly published scores", () => {
  const train = present ? readM4("Hourly-train.csv") : [];
  const test = present ? readM4("Hourly-test.csv") : [];
  const score = (method: (x: number[], h: number) => number[]) =>
    evaluateForecasts(
      train.map<EvaluatedSeries>((insample, i) => ({
        insample,
        actual: test[i]!,
        forecast: method(insample, test[i]!.length),
      })),
      { seasonalPeriod: 24 },
    );

  it("reads 414 series with 48 test values each", () => {
    expect(train).toHaveLength(414);
    expect(test.every((row) => row.length === 48)).toBe(true);
  });

  it("seasonal naive scores sMAPE 13.912, MASE 1.193, OWA 0.627", () => {
    const accuracy = score((x, h) => Array.from({ length: h }, (_, i) => x[x.length - 24 + (i % 24)]!));
    expect(accuracy.smape.toFixed(3)).toBe("13.912");
    expect(accuracy.mase.toFixed(3)).toBe("1.193");
    // The organisers' OWA is formed from the rounded figures (0.5 · (13.912/18.383 + 1.193/2.395) =
    // 0.62745); from the unrounded ones it is 0.62750, which rounds the other way.
    const rounded = owa({ smape: Number(accuracy.smape.toFixed(3)), mase: Number(accuracy.mase.toFixed(3)) });
    expect(rounded.toFixed(3)).toBe("0.627");
    expect(accuracy.owa).toBeCloseTo(0.6275, 4);
  });

  it("naive (the last value) scores sMAPE 43.003, MASE 11.608", () => {
    const accuracy = score((x, h) => new Array<number>(h).fill(x[x.length - 1]!));
    expect(accuracy.smape.toFixed(3)).toBe("43.003");
    expect(accuracy.mase.toFixed(3)).toBe("11.608");
  });

  it("Naive2 scores sMAPE 18.383, MASE 2.395, OWA 1.000", () => {
    const accuracy = score((x, h) => naive2(x, 24, h));
    expect(accuracy.smape.toFixed(3)).toBe("18.383");
    expect(accuracy.mase.toFixed(3)).toBe("2.395");
    expect(accuracy.owa.toFixed(3)).toBe("1.000");
  });
});
