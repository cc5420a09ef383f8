/*
 * Claim: exact weighted max-min water-filling (floors, caps, tier class floors, dedicated tiers)
 * allocates 100k tenants in <= 30 ms and 1M tenants in <= 400 ms (median), validation and the
 * `allocations` record included. No npm library implements weighted max-min (REFERENCES.md §1), so
 * there is no peer to run side by side. In its place each case measures, in the same run and on
 * the same tenants, the floor any implementation of this API pays: inserting the n ids into a
 * null-prototype object (the `allocations` record), and reports the ratio to it.
 *
 * Run: pnpm build && npx tsx benchmarks/fairness/max-min.bench.ts
 */
import "../lib/built-packages.js";
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

/** The record alone: one insertion per id of a double (not a small integer, as allocations are). */
function insertIds(tenants: readonly MaxMinTenant[]): Record<string, number> {
  const record: Record<string, number> = Object.create(null);
  for (let i = 0; i < tenants.length; i++) {
    const tenant = tenants[i]!;
    record[tenant.id] = tenant.demand * 0.5;
  }
  return record;
}

const rows: Array<Record<string, string | number>> = [];
let passed = true;
for (const testCase of cases) {
  const { tenants, capacity } = makeTenants(testCase.tenants, 20_240_601 + testCase.tenants);
  // Interleaved, so that both see the same machine state (the other CPU's load, the heap size).
  const durations: number[] = [];
  const floorDurations: number[] = [];
  timeRuns(() => maxMinAllocate({ capacity, tenants }), 0, 2);
  timeRuns(() => insertIds(tenants), 0, 2);
  for (let run = 0; run < testCase.runs; run++) {
    durations.push(...timeRuns(() => maxMinAllocate({ capacity, tenants }), 1, 0));
    floorDurations.push(...timeRuns(() => insertIds(tenants), 1, 0));
  }
  const medianMs = median(durations);
  const floorMedianMs = median(floorDurations);
  const met = medianMs <= testCase.targetMs;
  passed &&= met;
  rows.push({
    tenants: testCase.tenants,
    medianMs: round(medianMs),
    p95Ms: round(percentile(durations, 95)),
    targetMs: testCase.targetMs,
    met: met ? "yes" : "no",
    floorMedianMs: round(floorMedianMs),
    floorP95Ms: round(percentile(floorDurations, 95)),
    ratioToFloor: round(medianMs / floorMedianMs),
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
    "Median and p95 by nearest rank over the runs shown (21 / 15 / 7 at 10k / 100k / 1M), after 2 warm-up runs; each maxMinAllocate run is followed by one floor run, so both see the same machine state.",
    "No npm library implements weighted max-min (REFERENCES.md §1): no peer measured. floorMedianMs / floorP95Ms: inserting the same n ids (with double values) into a null-prototype object, i.e. building the allocations record alone, measured in this run; ratioToFloor = medianMs / floorMedianMs.",
    "The floor is V8's dictionary growth (inserting is ~4x overwriting the same keys) plus the GC of the previous run's record; at 1M it is itself near or above the 400 ms target, so the 1M target cannot be met while the API returns a Record of every tenant.",
    "Run with `taskset -c 1 npx tsx benchmarks/fairness/max-min.bench.ts` (the CPUs the run had are under Machine); the figures swing by 20-40% between runs, compare ratios rather than absolute times.",
  ],
});
