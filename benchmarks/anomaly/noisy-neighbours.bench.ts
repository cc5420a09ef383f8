/*
 * Claim (issue 13, point 2): on synthetic multi-tenant usage (hundreds of tenants with daily and
 * weekly patterns, sizes over three orders of magnitude, night-batch tenants at their own peak),
 * `detectNoisyNeighbours` finds injected CPU spikes and request floods with precision and recall
 * ≥ 0.9. Slow ramps and memory leaks are reported too, without a target.
 *
 * Data: `generateMultiTenantUsage` (benchmarks/lib/multi-tenant-usage.ts), 300 tenants, 5-minute
 * samples over the 7 days before the last day and the last day up to `nowMs`, 4 abusers of each
 * kind (16, 5.3 %), 10 % night-batch tenants (half of them running through the final window), the
 * biggest 3 % of legitimate tenants labelled `large`. Seeds 1-5, each at two windows: 02:00-03:00
 * UTC (night: batch jobs at their peak) and 14:00-15:00 UTC (day: European tenants at their peak).
 *
 * Detection: one call per platform over the final hour, contamination 0.08 (a little above the
 * true share, as an operator would set it), everything else default (`neighbourBasis: "change"`,
 * `requireSustained: true`); the other rows show what each default is worth.
 *
 * Precision and recall: a flag on an abuser is a true positive of its kind; a flag on a legitimate
 * tenant is a false positive, which cannot be attributed to a kind. Overall precision is
 * TP / (TP + FP). Precision of a kind is TP_kind / (TP_kind + FP) — every false positive counts
 * against every kind, the strict reading — and recall of a kind is TP_kind / abusers of that kind.
 *
 * Run: pnpm build && npx tsx --import ./scripts/text-loader.mjs benchmarks/anomaly/noisy-neighbours.bench.ts
 */
import "../lib/built-packages.js";
import { detectNoisyNeighbours, type NoisyNeighbourOptions } from "@enis/anomaly";
import {
  type AbuseKind,
  abuseKinds,
  generateMultiTenantUsage,
  type MultiTenantUsage,
  type TenantRole,
} from "../lib/multi-tenant-usage.js";
import { median, round, writeResult } from "../lib/report.js";

const tenants = 300;
/** Ten independent platforms: seeds 1-5 end at 03:00 UTC (night), seeds 6-10 at 15:00 UTC (day). */
const platforms = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) => ({ seed, nowHour: seed <= 5 ? 3 : 15 }));
const timedRuns = 3;

type Config = {
  readonly name: string;
  readonly options: Partial<NoisyNeighbourOptions> & { contamination: number };
};
const recommended: Config = {
  name: "defaults (change + requireSustained), contamination 0.08",
  options: { contamination: 0.08 },
};
const configs: Config[] = [
  {
    name: "level, no requireSustained, contamination 0.08",
    options: { contamination: 0.08, neighbourBasis: "level", requireSustained: false },
  },
  {
    name: "change, no requireSustained, contamination 0.08",
    options: { contamination: 0.08, neighbourBasis: "change", requireSustained: false },
  },
  recommended,
  {
    name: "change + requireSustained, contamination 0.05",
    options: { contamination: 0.05, neighbourBasis: "change", requireSustained: true },
  },
  {
    name: "change + requireSustained, contamination 0.15",
    options: { contamination: 0.15, neighbourBasis: "change", requireSustained: true },
  },
];

interface Tally {
  readonly found: Map<TenantRole, number>;
  readonly falsePositives: Map<TenantRole, number>;
  readonly severities: Record<"low" | "moderate" | "severe", number>;
  readonly missed: string[];
  readonly callMs: number[];
}
const add = (map: Map<TenantRole, number>, key: TenantRole) => map.set(key, (map.get(key) ?? 0) + 1);
const isAbuse = (role: TenantRole): role is AbuseKind => (abuseKinds as readonly string[]).includes(role);
const tallies = new Map<Config, Tally>(
  configs.map((config) => [
    config,
    {
      found: new Map(),
      falsePositives: new Map(),
      severities: { low: 0, moderate: 0, severe: 0 },
      missed: [],
      callMs: [],
    },
  ]),
);
const population = new Map<TenantRole, number>();
const samplesPerCall = new Set<number>();
const windowsOnlyMs: number[] = [];
let windowsOnlySamples = 0;

function evaluate(config: Config, platform: MultiTenantUsage, seed: number, nowHour: number): void {
  const tally = tallies.get(config) as Tally;
  const options = { windowMs: platform.windowMs, nowMs: platform.nowMs, seed, ...config.options };
  const runs = config === recommended ? timedRuns : 1;
  let report = detectNoisyNeighbours(platform.samples, options);
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    report = detectNoisyNeighbours(platform.samples, options);
    tally.callMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  if (report.outcome !== "ok") throw new Error(`seed ${seed}: outcome ${report.outcome}`);
  if (config === recommended) {
    // The same call on only the samples it reads (the final window and the same hour of the 7 days
    // before): the report must not change, and the time shows what the rest of the input costs.
    const day = 86_400_000;
    const windowsOnly = platform.samples.filter(
      (s) => (platform.nowMs - s.timestampMs - 1) % day < platform.windowMs,
    );
    const start = process.hrtime.bigint();
    const same = detectNoisyNeighbours(windowsOnly, options);
    windowsOnlyMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    windowsOnlySamples = windowsOnly.length;
    if (JSON.stringify(same) !== JSON.stringify(report))
      throw new Error(`seed ${seed}: the windows alone changed the report`);
  }
  const flagged = new Map(report.flagged.map((t) => [t.tenantId, t]));
  for (const tenant of platform.tenants) {
    const flag = flagged.get(tenant.tenantId);
    if (isAbuse(tenant.role)) {
      if (flag) {
        add(tally.found, tenant.role);
        tally.severities[flag.severity]++;
      } else
        tally.missed.push(
          `${tenant.role} of ${round(tenant.sizeCores, 2)} cores (seed ${seed}, ${nowHour}:00)`,
        );
    } else if (flag) add(tally.falsePositives, tenant.role);
  }
}

for (const { seed, nowHour } of platforms) {
  const platform = generateMultiTenantUsage({ seed, tenants, nowHour });
  samplesPerCall.add(platform.samples.length);
  for (const tenant of platform.tenants) add(population, tenant.role);
  for (const config of configs) evaluate(config, platform, seed, nowHour);
}

const sum = (map: Map<TenantRole, number>) => [...map.values()].reduce((a, b) => a + b, 0);
const abusersOf = (kind: AbuseKind) => population.get(kind) ?? 0;
const totalAbusers = abuseKinds.reduce((a, kind) => a + abusersOf(kind), 0);
const ratio = (num: number, den: number) => (den === 0 ? "n/a" : round(num / den, 3));
const rows = configs.map((config) => {
  const tally = tallies.get(config) as Tally;
  const fp = sum(tally.falsePositives);
  const found = (kind: AbuseKind) => tally.found.get(kind) ?? 0;
  return {
    configuration: config.name,
    recallCpuSpike: ratio(found("cpu-spike"), abusersOf("cpu-spike")),
    recallRequestFlood: ratio(found("request-flood"), abusersOf("request-flood")),
    recallSlowRamp: ratio(found("slow-ramp"), abusersOf("slow-ramp")),
    recallMemoryLeak: ratio(found("memory-leak"), abusersOf("memory-leak")),
    recallAll: ratio(sum(tally.found), totalAbusers),
    precisionCpuSpike: ratio(found("cpu-spike"), found("cpu-spike") + fp),
    precisionRequestFlood: ratio(found("request-flood"), found("request-flood") + fp),
    precisionAll: ratio(sum(tally.found), sum(tally.found) + fp),
    falsePositives: fp,
    medianMsPerCall: round(median(tally.callMs), 3),
  };
});
const main = rows[configs.indexOf(recommended)] as (typeof rows)[number];
const passed = [
  main.recallCpuSpike,
  main.recallRequestFlood,
  main.precisionCpuSpike,
  main.precisionRequestFlood,
].every((value) => typeof value === "number" && value >= 0.9);
const describe = (config: Config) => {
  const tally = tallies.get(config) as Tally;
  const fps = ["ordinary", "large", "night-batch"]
    .map(
      (role) =>
        `${role} ${tally.falsePositives.get(role as TenantRole) ?? 0}/${population.get(role as TenantRole) ?? 0}`,
    )
    .join(", ");
  return `${config.name}: false positives by role (flagged/tenant-windows) ${fps}; severity of the abusers found ${tally.severities.low} low, ${tally.severities.moderate} moderate, ${tally.severities.severe} severe; missed ${tally.missed.length === 0 ? "none" : tally.missed.length <= 12 ? tally.missed.join("; ") : `${tally.missed.length} (${abuseKinds.map((kind) => `${kind} ${tally.missed.filter((m) => m.startsWith(kind)).length}`).join(", ")})`}.`;
};
const mainTally = tallies.get(recommended) as Tally;

writeResult({
  id: "anomaly-noisy-neighbours",
  claim:
    'detectNoisyNeighbours (neighbourBasis "change", requireSustained) finds injected CPU spikes and request floods among 300 tenants with daily patterns with precision and recall >= 0.9',
  target:
    "precision and recall >= 0.9 for cpu-spike and request-flood, with the default options (slow-ramp and memory-leak reported, no target)",
  passed,
  rows,
  notes: [
    `Data: generateMultiTenantUsage (benchmarks/lib/multi-tenant-usage.ts), ${tenants} tenants (0.1 to 100 cores, log-uniform), 5-minute samples over 7 days + the last day to nowMs (${[...samplesPerCall].join(" or ")} samples per call), 4 abusers of each kind (${totalAbusers} over ${platforms.length} platforms), 10 % night-batch tenants (half running through the final window), the biggest 3 % of legitimate tenants labelled large, legitimate one-sample bursts (0.5 % of samples, x1.5-3 on cpu and network). Seeds 1-5 with the final hour 02:00-03:00 UTC, seeds 6-10 with 14:00-15:00 UTC.`,
    "Detection: one detectNoisyNeighbours call per platform over the final hour, seed = data seed, all ten features, zThreshold 3, history the same hour on the 7 previous days; the options of each row as named. contamination 0.08 is a little above the true share (5.3 %), chosen before the runs.",
    "Precision of a kind = TP_kind / (TP_kind + FP), every false positive counted against every kind (a flag names features, not a kind); precisionAll = TP / (TP + FP). The target is judged on the defaults row (change + requireSustained, contamination 0.08).",
    ...configs.map(describe),
    `Time per call (all samples of the 8 days in, report out), default options, median of ${mainTally.callMs.length} calls: ${round(median(mainTally.callMs), 3)} ms (min ${round(Math.min(...mainTally.callMs), 3)}, max ${round(Math.max(...mainTally.callMs), 3)}); other rows one call per platform. Given only the ${windowsOnlySamples} samples it reads (the final hour and the same hour on the 7 days before; same report, checked), median of ${windowsOnlyMs.length} calls: ${round(median(windowsOnlyMs), 3)} ms: most of the full call is validating and grouping the input. A shared 2-core machine: timings are noisy.`,
    "Why the rows differ: by level a tenant must be heavy among all tenants, so the large tenants and the night-batch tenants at their peak take the Isolation Forest's contamination budget and small abusers never stand out; by change each tenant's ratio to its own past is compared, which finds every spike and flood but also one-sample legitimate bursts (max and std features); requireSustained removes those. The slow ramps missed at contamination 0.05 and 0.08 have z-scores of 12 to 15 on cpuMean but fall below the forest's threshold: the forest splits on all ten features alike, and other tenants' one-sample bursts in max/std features isolate them sooner.",
  ],
});
