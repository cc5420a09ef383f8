/*
 * Claim (issue 13, point 1): `createIsolationForest` fits and scores 100,000 rows × 9 features
 * within 1.5x scikit-learn's `IsolationForest` (same run, one core each), and its mean ROC-AUC over
 * 10 seeds is within 0.01 of scikit-learn's on the same data.
 *
 * Data (seeded, `createRandom(2026)`): 97,000 inliers from three Gaussian clusters in 9 dimensions
 * (centres uniform in [-3, 3]^9, unit variance) and 3,000 injected anomalies, half uniform in the
 * box [-7, 7]^9 and half near a cluster but shifted by ±4 in two random features (hard to isolate).
 * The rows are shuffled, written to a temporary CSV (features, then `label`), and read by the
 * scikit-learn peer `isolation_forest_peer.py` beside this file.
 *
 * Speed: fit on the 100,000 rows then score the same 100,000 rows (the Float64Array form), against
 * scikit-learn's fit + score_samples on the same array, both with 100 trees and ψ = 256. Runs
 * alternate (ours, then scikit-learn, 7 times after one warm-up round each), medians compared.
 * Accuracy: the ROC-AUC (rank statistic, ties averaged) of each side's scores against the labels,
 * for seeds / random_state 1 to 10, then the means.
 *
 * Run: pnpm build && npx tsx --import ./scripts/text-loader.mjs benchmarks/anomaly/isolation-forest.bench.ts
 */
import "../lib/built-packages.js";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createIsolationForest } from "@enis/anomaly";
import { createRandom } from "@enis/core";
import { median, round, writeResult } from "../lib/report.js";

const rowCount = 100_000;
const columns = 9;
const anomalyShare = 0.03;
const runs = 7;
const seeds = Array.from({ length: 10 }, (_, i) => i + 1);

function makeData(): { values: Float64Array; labels: Uint8Array } {
  const random = createRandom(2026);
  const centres = Array.from({ length: 3 }, () =>
    Array.from({ length: columns }, () => -3 + 6 * random.next()),
  );
  const anomalies = Math.round(rowCount * anomalyShare);
  const values = new Float64Array(rowCount * columns);
  const labels = new Uint8Array(rowCount);
  // Shuffled positions, so that anomalies are spread over the rows.
  const order = Array.from({ length: rowCount }, (_, i) => i);
  for (let i = rowCount - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let k = 0; k < rowCount; k++) {
    const r = order[k]!;
    const centre = centres[random.nextInt(3)]!;
    const base = r * columns;
    if (k < anomalies && k % 2 === 0) {
      for (let c = 0; c < columns; c++) values[base + c] = -7 + 14 * random.next();
    } else {
      for (let c = 0; c < columns; c++) values[base + c] = centre[c]! + random.nextGaussian();
      if (k < anomalies) {
        for (let s = 0; s < 2; s++) values[base + random.nextInt(columns)]! += random.next() < 0.5 ? -4 : 4;
      }
    }
    labels[r] = k < anomalies ? 1 : 0;
  }
  return { values, labels };
}

/** ROC-AUC by the Mann–Whitney rank statistic, tied scores given their average rank. */
function rocAuc(scores: ArrayLike<number>, labels: Uint8Array): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const { values, labels } = makeData();
const matrix = { values, columns };
const dir = mkdtempSync(join(tmpdir(), "enis-iforest-"));
const csvPath = join(dir, "data.csv");
{
  const lines = [[...Array.from({ length: columns }, (_, c) => `x${c}`), "label"].join(",")];
  for (let r = 0; r < rowCount; r++) {
    const row = Array.from(values.subarray(r * columns, (r + 1) * columns), (x) => x.toPrecision(17));
    lines.push(`${row.join(",")},${labels[r]}`);
  }
  writeFileSync(csvPath, `${lines.join("\n")}\n`);
}

interface Peer {
  readonly version: string;
  run(seed: number): Promise<{ fitScoreMs: number; auc: number }>;
  close(): void;
}

async function startPeer(): Promise<Peer | string> {
  const script = fileURLToPath(new URL("./isolation_forest_peer.py", import.meta.url));
  const child = spawn("python3", [script, csvPath], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failure = new Promise<string>((resolve) => {
    child.on("error", (error) => resolve(error.message));
    child.on("exit", (code) => resolve(stderr.trim().split("\n").pop() || `python3 exited with ${code}`));
  });
  const first = await Promise.race([lines.next(), failure]);
  if (typeof first === "string") return first;
  if (first.done) return await failure;
  const hello = JSON.parse(first.value) as { sklearn: string; python: string };
  return {
    version: `scikit-learn ${hello.sklearn} on Python ${hello.python}`,
    async run(seed) {
      child.stdin.write(`run ${seed}\n`);
      const answer = await Promise.race([lines.next(), failure]);
      if (typeof answer === "string" || answer.done)
        throw new Error(`scikit-learn peer failed: ${String(answer)}`);
      return JSON.parse(answer.value) as { fitScoreMs: number; auc: number };
    },
    close() {
      child.stdin.end("quit\n");
    },
  };
}

function ours(seed: number): { fitScoreMs: number; auc: number } {
  const start = process.hrtime.bigint();
  const scores = createIsolationForest({ seed }).fit(matrix).score(matrix);
  const fitScoreMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { fitScoreMs, auc: rocAuc(scores, labels) };
}

const started = await startPeer();
const peer = typeof started === "string" ? undefined : started;

// Speed: one warm-up round, then `runs` alternating rounds.
const ourMs: number[] = [];
const peerMs: number[] = [];
ours(0);
await peer?.run(0);
for (let i = 1; i <= runs; i++) {
  ourMs.push(ours(100 + i).fitScoreMs);
  if (peer) peerMs.push((await peer.run(100 + i)).fitScoreMs);
}
// Accuracy: seeds 1 to 10 on each side.
const ourAuc: number[] = [];
const peerAuc: number[] = [];
for (const seed of seeds) {
  ourAuc.push(ours(seed).auc);
  if (peer) peerAuc.push((await peer.run(seed)).auc);
}
peer?.close();
rmSync(dir, { recursive: true, force: true });

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const ourMedian = median(ourMs);
const ourMeanAuc = mean(ourAuc);
const rows: Array<Record<string, string | number>> = [
  {
    implementation: "@enis/anomaly createIsolationForest",
    fitScoreMedianMs: round(ourMedian, 4),
    ratioToScikitLearn: peer ? round(ourMedian / median(peerMs), 3) : "n/a",
    meanAuc10Seeds: round(ourMeanAuc, 4),
    aucRange: `${round(Math.min(...ourAuc), 4)}-${round(Math.max(...ourAuc), 4)}`,
  },
];
let passed = false;
const notes: string[] = [
  `Data: ${rowCount} rows x ${columns} features, ${anomalyShare * 100}% injected anomalies (half uniform in [-7, 7]^9, half a cluster point shifted by ±4 in two features), three unit-variance Gaussian clusters for the inliers; createRandom(2026).`,
  `Both fit 100 trees on psi = 256 rows each (depth limit 8) and score the 100,000 training rows; ours takes the Float64Array form.`,
];
if (peer) {
  const peerMedian = median(peerMs);
  const peerMeanAuc = mean(peerAuc);
  rows.push({
    implementation: `${peer.version} IsolationForest (n_jobs=1)`,
    fitScoreMedianMs: round(peerMedian, 4),
    ratioToScikitLearn: 1,
    meanAuc10Seeds: round(peerMeanAuc, 4),
    aucRange: `${round(Math.min(...peerAuc), 4)}-${round(Math.max(...peerAuc), 4)}`,
  });
  const ratio = ourMedian / peerMedian;
  const aucGap = Math.abs(ourMeanAuc - peerMeanAuc);
  passed = ratio <= 1.5 && aucGap <= 0.01;
  notes.push(
    `${peer.version} ran in the same run (isolation_forest_peer.py, same CSV), alternating with ours: ${runs} rounds after one warm-up round each; times are fit + score_samples inside Python (no process start, no CSV read). Ours (ms): ${ourMs.map((x) => round(x, 4)).join(", ")}; scikit-learn (ms): ${peerMs.map((x) => round(x, 4)).join(", ")}.`,
    `Fit + score ratio ${round(ratio, 3)} (target <= 1.5); |mean AUC gap| ${round(aucGap, 3)} (target <= 0.01). Seeds 1-10 (random_state 1-10). Ours per seed: ${ourAuc.map((x) => round(x, 4)).join(", ")}; scikit-learn per seed: ${peerAuc.map((x) => round(x, 4)).join(", ")}.`,
  );
} else {
  notes.push(
    `scikit-learn peer NOT run (python3 with scikit-learn unavailable: ${String(started)}): no ratio or AUC gap, the target is not evaluated in this run.`,
  );
}

writeResult({
  id: "anomaly-isolation-forest",
  claim:
    "createIsolationForest fits + scores 100,000 x 9 within 1.5x scikit-learn's IsolationForest, with a mean ROC-AUC over 10 seeds within 0.01 of it",
  target: "fit + score <= 1.5x scikit-learn (same run); |mean AUC - scikit-learn's| <= 0.01",
  passed,
  rows,
  notes,
});
