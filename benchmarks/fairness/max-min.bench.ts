/*
 * Claim: exact weighted max-min water-filling (floors, caps, tier class floors, dedicated tiers)
 * allocates 100k tenants in <= 30 ms and 1M tenants in <= 400 ms (median), validation and the
 * `allocations` record included. No npm library implements weighted max-min (REFERENCES.md §1), so
 * there is no peer to run side by side.
 *
 * Run: pnpm build && npx tsx benchmarks/fairness/max-min.bench.ts
 */
import { createRandom, type TierId } from "@enis/core";
import { type MaxMinTenant, maxMinAllocate } from "@enis/fairness";
import { median, percentile, round, timeRuns, writeResult } from "../lib/report.js";

// Tier mix of the benchmark: 70 / 20 / 7 / 2 / 1 % (zero, shared, lite, enterprise, compliance).
const mix: ReadonlyArray<readonly [TierId, number]> = [
  ["zero", 0.7],
  ["shared", 0.9],
  ["lite", 0.97],
  ["enterprise", 0.99],
  ["compliance", 1],
];

function makeTenants(count: number, seed: number): { tenants: MaxMinTenant[]; capacity: number } {
  const random = createRandom(seed);
  const tenants: MaxMinTenant[] = new Array(count);
  let totalDemand = 0;
  for (let i = 0; i < count; i++) {
    const draw = random.next();
    let tier: TierId = "compliance";
    for (const [id, cumulative] of mix) {
      if (draw < cumulative) {
        tier = id;
        break;
      }
    }
    // Log-uniform demands over three decades: a few heavy tenants among many light ones.
    const demand = round(10 ** (random.next() * 3), 6);
    totalDemand += demand;
    tenants[i] = { id: `tenant-${i}`, demand, tier };
  }
  return { tenants, capacity: totalDemand / 2 };
}

const cases = [
  { tenants: 10_000, targetMs: 5, runs: 21 },
  { tenants: 100_000, targetMs: 30, runs: 15 },
  { tenants: 1_000_000, targetMs: 400, runs: 7 },
];

const rows: Array<Record<string, string | number>> = [];
let passed = true;
for (const testCase of cases) {
  const { tenants, capacity } = makeTenants(testCase.tenants, 20_240_601 + testCase.tenants);
  const durations = timeRuns(() => maxMinAllocate({ capacity, tenants }), testCase.runs, 2);
  const medianMs = median(durations);
  const met = medianMs <= testCase.targetMs;
  passed &&= met;
  rows.push({
    tenants: testCase.tenants,
    medianMs: round(medianMs),
    p95Ms: round(percentile(durations, 95)),
    targetMs: testCase.targetMs,
    met: met ? "yes" : "no",
  });
}

writeResult({
  id: "fairness-max-min",
  claim:
    "maxMinAllocate water-fills 100k tenants in <= 30 ms and 1M in <= 400 ms (median), validation and the allocations record included",
  target: "10k <= 5 ms, 100k <= 30 ms, 1M <= 400 ms median",
  passed,
  rows,
  notes: [
    "Tier mix 70/20/7/2/1 % (zero/shared/lite/enterprise/compliance), log-uniform demands in [1, 1000], capacity = half the total demand, default options (class tier floors, dedicated tiers separate).",
    "The seed's own target (seed 001) is < 100 ms p95 for one fairness calculation.",
    "Median and p95 by nearest rank over the runs shown, after 2 warm-up runs; the 1M case runs 7 times.",
    "No npm library implements weighted max-min (REFERENCES.md §1): no peer measured.",
    "Floor measured alone on this machine: inserting n string keys into a null-prototype object (the allocations record) costs ~16-22 ms at 100k and ~250-370 ms at 1M in V8 (a Map is no faster), before any validation or water-filling.",
  ],
});
