/*
 * Claim: recommendCommitment over a year of hourly usage (8,760 points) answers in <= 50 ms
 * (median), validation, the sort, the 51-point curve and every figure included; and its level costs
 * exactly what the best level of an Azure-style simulation costs.
 *
 * Peers, in the same run and on the same histories:
 * - the exhaustive simulation: every candidate level (0 and each distinct hourly usage) simulated
 *   hour by hour over the history, the cheapest picked (what Azure's recommendation engine does
 *   over its look-back window, on every level rather than a sample of them);
 * - a grid simulation: 100 evenly spaced levels from 0 to the peak, simulated the same way (the
 *   practical version of the same idea: cheaper, but it may miss the optimum);
 * - the seed's rule (seed 001, `recommend_reserved_capacity`): commit at the median, whatever the
 *   discount. Its cost is reported against the optimum, not its time.
 *
 * Run: pnpm build && npx tsx --import ./scripts/text-loader.mjs benchmarks/cost-model/commitment.bench.ts
 */
import "../lib/built-packages.js";
import { createRandom } from "@enis/core";
import { recommendCommitment } from "@enis/cost-model";
import { median, percentile, round, timeRuns, writeResult } from "../lib/report.js";

const hours = 8_760;
const price = 0.096; // m5.large on-demand, us-east-1, $/hour: the unit here is one instance.
const targetMs = 50;

/**
 * A year of instance counts: a base of 40, a diurnal swing of ±15 peaking mid-afternoon, weekends at
 * 70%, a slow growth of 20% over the year, Gaussian noise (sd 4) and a few incident spikes.
 * `decimals` sets how many distinct values there are (0: whole instances, a few dozen distinct
 * levels; 3: nearly every hour distinct).
 */
function yearOfUsage(seed: number, decimals: number): Float64Array {
  const random = createRandom(seed);
  const usage = new Float64Array(hours);
  const scale = 10 ** decimals;
  for (let h = 0; h < hours; h++) {
    const hourOfDay = h % 24;
    const weekend = Math.floor(h / 24) % 7 >= 5 ? 0.7 : 1;
    const growth = 1 + (0.2 * h) / hours;
    const diurnal = 15 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI);
    const spike = random.next() < 0.002 ? 60 : 0;
    const value = (40 + diurnal) * weekend * growth + 4 * random.nextGaussian() + spike;
    usage[h] = Math.max(0, Math.round(value * scale) / scale);
  }
  return usage;
}

function simulatedCost(usage: Float64Array, discount: number, level: number): number {
  const committed = (1 - discount) * price * level;
  let cost = 0;
  for (let h = 0; h < usage.length; h++) {
    const over = usage[h]! - level;
    cost += committed + (over > 0 ? price * over : 0);
  }
  return cost;
}

/** The cheapest of `levels`, each simulated over the whole history. */
function simulate(usage: Float64Array, discount: number, levels: readonly number[]) {
  let best = { level: 0, cost: Number.POSITIVE_INFINITY };
  for (const level of levels) {
    const cost = simulatedCost(usage, discount, level);
    if (cost < best.cost) best = { level, cost };
  }
  return best;
}

function distinctLevels(usage: Float64Array): number[] {
  return [0, ...new Set(usage)].sort((a, b) => a - b);
}

function gridLevels(usage: Float64Array, points: number): number[] {
  let peak = 0;
  for (const u of usage) peak = Math.max(peak, u);
  return Array.from({ length: points }, (_, i) => (peak * i) / (points - 1));
}

function seedMedian(usage: Float64Array): number {
  const sorted = Float64Array.from(usage).sort();
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2;
}

const cases = [
  { name: "whole instances", decimals: 0, discount: 0.3, seed: 1 },
  { name: "whole instances", decimals: 0, discount: 0.6, seed: 2 },
  { name: "fractional (≈ all distinct)", decimals: 3, discount: 0.3, seed: 3 },
  { name: "fractional (≈ all distinct)", decimals: 3, discount: 0.6, seed: 4 },
];

const rows: Array<Record<string, string | number>> = [];
let passed = true;
for (const testCase of cases) {
  const usage = yearOfUsage(testCase.seed, testCase.decimals);
  const discount = testCase.discount;
  const options = { hourlyUsage: usage, onDemandPrice: price, discount };
  const result = recommendCommitment(options);
  const levels = distinctLevels(usage);
  const grid = gridLevels(usage, 100);

  const ours = timeRuns(() => recommendCommitment(options), 31, 3);
  const exhaustiveRuns = levels.length > 1_000 ? 3 : 11;
  const exhaustive = timeRuns(() => simulate(usage, discount, levels), exhaustiveRuns, 1);
  const gridRuns = timeRuns(() => simulate(usage, discount, grid), 11, 1);

  const best = simulate(usage, discount, levels);
  const atOurs = simulatedCost(usage, discount, result.commitment);
  const gridBest = simulate(usage, discount, grid);
  const onDemand = simulatedCost(usage, discount, 0);
  const medianLevel = seedMedian(usage);
  const atMedian = simulatedCost(usage, discount, medianLevel);

  const medianMs = median(ours);
  // The same optimum: equal simulated cost, up to the simulation's own rounding (a sum of 8,760 terms).
  const sameCost = Math.abs(atOurs - best.cost) <= 1e-9 * onDemand;
  const met = medianMs <= targetMs && sameCost;
  passed &&= met;
  rows.push({
    history: testCase.name,
    discount,
    distinctLevels: levels.length,
    level: round(result.commitment, 6),
    simulatedLevel: round(best.level, 6),
    costGapUsd: round(atOurs - best.cost, 3),
    sameCost: sameCost ? "yes" : "no",
    medianMs: round(medianMs),
    p95Ms: round(percentile(ours, 95)),
    exhaustiveSimulationMs: round(median(exhaustive)),
    gridSimulationMs: round(median(gridRuns)),
    gridShortfallUsd: round(gridBest.cost - best.cost, 3),
    savingsPercent: round(result.savingsPercent, 3),
    seedMedianLevel: round(medianLevel, 6),
    seedMedianSavingsPercent: round((100 * (onDemand - atMedian)) / onDemand, 3),
    target: `<= ${targetMs} ms, same cost`,
    met: met ? "yes" : "no",
  });
}

writeResult({
  id: "cost-model-commitment",
  claim:
    "recommendCommitment over a year of hourly usage (8,760 points) answers in <= 50 ms (median), at the cost of the best level an exhaustive Azure-style simulation finds",
  target: `8,760 hourly points <= ${targetMs} ms median, same cost as the simulated optimum`,
  passed,
  rows,
  notes: [
    "History: a synthetic year of m5.large instance counts ($0.096/h on-demand): base 40, diurnal ±15, weekends at 70%, +20% growth over the year, Gaussian noise (sd 4), incident spikes of +60 in 0.2% of hours (createRandom seeds 1-4). Whole instances give ~100 distinct levels; three decimals give nearly every hour its own level.",
    "medianMs / p95Ms: recommendCommitment (zod validation, sort of a copy, prefix sums, 51-point curve + the level, payback, advice), 31 runs after 3 warm-ups, on the built dist.",
    "exhaustiveSimulationMs: every candidate level (0 and each distinct hourly usage) simulated hour by hour, the cheapest kept: O(hours × levels), 11 runs (3 when there are more than 1,000 levels). gridSimulationMs: 100 evenly spaced levels, 11 runs. simulatedLevel and costGapUsd: the exhaustive simulation's level, and our level's simulated cost minus its cost (0: the same optimum; sameCost allows 1e-9 of the on-demand cost, the simulation's own rounding over 8,760 terms; on a plateau of equal cost — d·H whole, as 0.3 × 8,760 = 2,628 is — the two may name different levels, ours the smaller). gridShortfallUsd: what the grid's best level costs above the optimum.",
    "seedMedianLevel / seedMedianSavingsPercent: the seed's rule (commit at the median whatever the discount, REFERENCES.md §7), simulated on the same history: it matches the optimum only near a 50% discount; at 30% it over-commits, at 60% it under-commits.",
    "Median and p95 by nearest rank. The machine has 2 cores shared with other jobs: absolute times swing; the ratio to the simulation in the same run is the figure to compare.",
  ],
});
