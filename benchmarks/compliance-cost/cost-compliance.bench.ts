/*
 * Claim: costCompliance prices 10,000 resources under several frameworks in milliseconds
 * (target: <= 50 ms median), validation, the per-resource merge of the frameworks' requirements,
 * the aggregation into lines, the pricing through the catalogue, the attribution and the seed
 * comparison included.
 *
 * The resources are a seeded mix: 60 instance types drawn from the default catalogue, stored GB,
 * records and audit logs written a month, GB processed and sent over TLS, KMS keys and requests;
 * a third of them narrow the call's frameworks to a subset of their own. Cases: one framework
 * (HIPAA), the three commercial ones (HIPAA, SOX, PCI DSS) and all six. No peer: nothing else
 * computes this; the seed's multiplier model runs inside every call (its figure is reported).
 *
 * Run: pnpm build && npx tsx --import ./scripts/text-loader.mjs benchmarks/compliance-cost/cost-compliance.bench.ts
 */
import "../lib/built-packages.js";
import { type ComplianceResource, costCompliance } from "@enis/compliance-cost";
import { createRandom } from "@enis/core";
import { defaultAwsCatalogue } from "@enis/cost-model";
import { median, percentile, round, timeRuns, writeResult } from "../lib/report.js";

const targetMs = 50;
const count = 10_000;
const runs = 30;

const allFrameworks = ["hipaa", "sox", "gdpr", "pci-dss", "fedramp", "iso-27001"] as const;

function resources(seed: number, frameworks: readonly string[]): ComplianceResource[] {
  const random = createRandom(seed);
  const types = Object.keys(defaultAwsCatalogue.instanceTypes);
  const out: ComplianceResource[] = [];
  for (let index = 0; index < count; index++) {
    const own = random.next() < 1 / 3 ? frameworks.filter(() => random.next() < 0.5) : undefined;
    out.push({
      id: `resource-${index}`,
      ...(own === undefined ? {} : { frameworks: own }),
      instanceType: types[Math.floor(random.next() * types.length)]!,
      instanceCount: 1 + Math.floor(random.next() * 4),
      storedGb: Math.round(random.next() * 2_000),
      replicas: random.next() < 0.2 ? 2 : 1,
      recordsGbPerMonth: { documentation: random.next(), "audit-evidence": random.next() * 5 },
      auditLogGbPerMonth: random.next() * 20,
      processedGbPerMonth: random.next() * 5_000,
      transitGbPerMonth: random.next() * 2_000,
      kmsKeys: 1 + Math.floor(random.next() * 3),
      kmsRequestsPerMonth: Math.floor(random.next() * 1_000_000),
    });
  }
  return out;
}

const cases: readonly (readonly [string, readonly string[]])[] = [
  ["hipaa", ["hipaa"]],
  ["hipaa + sox + pci-dss", ["hipaa", "sox", "pci-dss"]],
  ["all six", allFrameworks],
];

const rows: Array<Record<string, string | number>> = [];
let passed = true;
for (const [name, frameworks] of cases) {
  const input = resources(42, frameworks);
  const result = costCompliance(input, frameworks);
  const durations = timeRuns(() => costCompliance(input, frameworks), runs, 3);
  const medianMs = median(durations);
  // CPU time of the process per call (user + system), which waiting for a shared core does not inflate.
  const cpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const before = process.cpuUsage();
    costCompliance(input, frameworks);
    const used = process.cpuUsage(before);
    cpuMs.push((used.user + used.system) / 1000);
  }
  if (medianMs > targetMs) passed = false;
  rows.push({
    frameworks: name,
    resources: count,
    lines: result.lines.length,
    "median ms": round(medianMs, 3),
    "p95 ms": round(percentile(durations, 95), 3),
    "median CPU ms": round(median(cpuMs), 3),
    "first-principles $/month": round(result.costUsd, 6),
    "seed multipliers $/month": round(result.seedMultipliers.costUsd, 6),
    "seed / first principles": round(result.seedMultipliers.ratioToFirstPrinciples ?? Number.NaN, 3),
  });
}

writeResult({
  id: "compliance-cost-costing",
  claim:
    "costCompliance prices 10,000 resources under one to six frameworks in milliseconds, every line explained and attributed",
  target: `10k resources <= ${targetMs} ms median`,
  passed,
  rows,
  notes: [
    `${runs} timed runs after 3 warm-up runs per case, on the built dist; the machine's 2 cores are shared with other work, so wall-clock timings are noisy. "median CPU ms" is the process's CPU time (user + system, GC threads included) per call over ${runs} further runs: waiting for a busy core does not inflate it.`,
    "Each call validates every resource, merges its frameworks' requirements (cached per distinct set of frameworks), aggregates quantities into lines, prices each line once through @enis/cost-model (storageCost, computeCost, kmsCost, toGovCloud) and computes the seed's multiplier figure on the same resources.",
    "The seed's figure is its compliance_overhead_cost per resource at its own air-gapped prices (one HSM at $1,500 a month and 1,000 GB of audit storage per framework per resource dominate it); it is not a cost model, only the comparison the issue asks for.",
  ],
});
