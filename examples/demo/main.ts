/**
 * ENIS Governance demo: a simulated multi-tenant platform on the embedded in-memory defaults.
 *
 * 300 tenants in five tiers (🟤 70 % · 🟡 20 % · 🟢 7 % · 🔵 2 % · 🔴 1 %) share four workers for one
 * simulated minute; one tenant floods the platform, and @enis/anomaly finds which from the usage.
 * The same seeded trace runs through a plain FIFO queue and through @enis/fairness's fair queue;
 * then @enis/fairness splits a shared CPU pool by weighted max-min with tier guarantees, and the
 * cost, billing, forecast and anomaly packages price, read, project and watch the spend.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { defaultTierCatalogue, type TierId, tierIds } from "@enis/core";
import { jainIndex, maxMinAllocate } from "@enis/fairness";
import type { ThrottleStore } from "@enis/throttle";
import { findNoisyNeighbours, watchSpend } from "./anomaly.js";
import { runBilling } from "./billing.js";
import { runCompliance } from "./compliance.js";
import { runCost } from "./cost.js";
import { runForecast } from "./forecast.js";
import { requestsPerMinuteByTier, runQuotas } from "./quotas.js";
import { createPlatform, poolDemands, runFairQueue, runFifo, type SchedulerOutcome } from "./simulation.js";
import { runTierChoices, runTierPlans } from "./tiers.js";

const started = performance.now();
const platform = createPlatform();
const { tenants } = platform;
const capacityMs = platform.workers * platform.durationMs;

const fair = runFairQueue(platform);
const fifo = runFifo(platform);

// What each tenant is entitled to: weighted max-min of the workers' time over what it offered.
const entitlement = maxMinAllocate({
  capacity: capacityMs,
  tenants: tenants.map((tenant, i) => ({ id: tenant.id, demand: fair.offeredMs[i]!, tier: tenant.tier })),
  // The fair queue knows weights only: so does its yardstick.
  tierFloors: "none",
});
const entitled = Float64Array.from(tenants, (tenant) => entitlement.allocations[tenant.id]!);

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const milliseconds = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const p99 = (values: readonly number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
};
const sumWhere = (values: ArrayLike<number>, keep: (i: number) => boolean) => {
  let total = 0;
  for (let i = 0; i < values.length; i++) if (keep(i)) total += values[i]!;
  return total;
};
const servedTotal = (outcome: SchedulerOutcome) => sumWhere(outcome.servedMs, () => true);
const waitsOf = (outcome: SchedulerOutcome, keep: (i: number) => boolean) =>
  outcome.waitsByTenant.flatMap((waits, i) => (keep(i) ? waits : []));

const table = (rows: string[][]) => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => [...row[c]!].length)));
  for (const [r, row] of rows.entries()) {
    console.log(
      `  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")}`,
    );
    if (r === 0) console.log(`  ${widths.map((w) => "─".repeat(w)).join("  ")}`);
  }
};

const label = (tier: TierId) => {
  const spec = defaultTierCatalogue.get(tier);
  return `${spec.emoji} ${spec.id}`;
};
const offeredTotal = sumWhere(fair.offeredMs, () => true);

console.log("ENIS Governance — demo on the embedded in-memory defaults\n");
console.log(
  `${tenants.length} tenants, ${platform.workers} workers, ${platform.durationMs / 1000} simulated seconds, ` +
    `${platform.trace.length.toLocaleString("en-US")} requests offering ${percent(offeredTotal / capacityMs)} of capacity.\n`,
);

console.log("1. Who is the noisy neighbour? (@enis/anomaly, from usage alone)");
const nowMs = Date.UTC(2026, 10, 20, 12);
const detection = findNoisyNeighbours(platform, nowMs);
const flagged = detection.report.flagged;
if (flagged.length === 0)
  throw new Error("detectNoisyNeighbours flagged nobody: the demo's flood went unseen");
const noisyIndex = tenants.findIndex((tenant) => tenant.id === flagged[0]!.tenantId);
const zScore = (x: number) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1));
console.log(
  `   Usage of the first 20 s (requests, CPU, memory, network every 5 s) of ${detection.report.tenantsScored} tenants, ` +
    "each compared with its neighbours (a seeded Isolation Forest over robust z-scores) and with its own 7 previous days at this hour:",
);
table([
  [
    "flagged tenant",
    "score",
    "severity",
    "why: top features, value (robust z-score against the neighbours / against its own history)",
  ],
  ...flagged.map((tenant) => [
    tenant.tenantId,
    tenant.score.toFixed(3),
    tenant.severity,
    tenant.explanation
      .slice(0, 3)
      .map(
        (e) =>
          `${e.feature} ${Number(e.value.toPrecision(3)).toLocaleString("en-US")} (${zScore(e.neighbourZ)} / ${
            e.historyZ === null ? "no history" : zScore(e.historyZ)
          })`,
      )
      .join("; "),
  ]),
]);
console.log(
  `   ${detection.batchTenants.join(", ")} run a batch at this hour every day: far above their neighbours, ordinary against their own history,`,
);
console.log(
  "   so not flagged (a tenant's daily pattern is not abuse). Sections 2–5 treat the flagged tenant as the noisy neighbour.\n",
);

console.log("2. Who got the workers — share of served work per tier, against its max-min entitlement");
const rows = [
  ["tier", "tenants", "offered", "entitled", "fair queue", "FIFO", "p99 wait fair", "p99 wait FIFO"],
];
for (const tier of tierIds) {
  const inTier = (i: number) => tenants[i]!.tier === tier && i !== noisyIndex;
  rows.push([
    label(tier),
    String(tenants.filter((t, i) => t.tier === tier && i !== noisyIndex).length),
    percent(sumWhere(fair.offeredMs, inTier) / offeredTotal),
    percent(sumWhere(entitled, inTier) / capacityMs),
    percent(sumWhere(fair.servedMs, inTier) / servedTotal(fair)),
    percent(sumWhere(fifo.servedMs, inTier) / servedTotal(fifo)),
    milliseconds(p99(waitsOf(fair, inTier))),
    milliseconds(p99(waitsOf(fifo, inTier))),
  ]);
}
rows.push([
  `${tenants[noisyIndex]!.id} (flagged)`,
  "1",
  percent(fair.offeredMs[noisyIndex]! / offeredTotal),
  percent(entitled[noisyIndex]! / capacityMs),
  percent(fair.servedMs[noisyIndex]! / servedTotal(fair)),
  percent(fifo.servedMs[noisyIndex]! / servedTotal(fifo)),
  milliseconds(p99(fair.waitsByTenant[noisyIndex]!)),
  milliseconds(p99(fifo.waitsByTenant[noisyIndex]!)),
]);
table(rows);

const normalised = (outcome: SchedulerOutcome) => {
  // Jain's index of served / entitled over every tenant; 1 is a perfect weighted max-min split.
  const active = tenants.map((_, i) => i).filter((i) => entitled[i]! > 0);
  const scale = servedTotal(outcome) / sumWhere(entitled, () => true);
  return jainIndex(
    active.map((i) => outcome.servedMs[i]!),
    active.map((i) => entitled[i]! * scale),
  );
};
const rejectedOthers = (outcome: SchedulerOutcome) => sumWhere(outcome.rejected, (i) => i !== noisyIndex);

console.log("\n3. Fairness and the noisy neighbour");
table([
  ["", "fair queue", "FIFO"],
  ["Jain index, served / entitled (1 = exact)", normalised(fair).toFixed(4), normalised(fifo).toFixed(4)],
  [
    "noisy neighbour's share of the workers",
    percent(fair.servedMs[noisyIndex]! / servedTotal(fair)),
    percent(fifo.servedMs[noisyIndex]! / servedTotal(fifo)),
  ],
  [
    "noisy neighbour's requests refused",
    fair.rejected[noisyIndex]!.toLocaleString("en-US"),
    fifo.rejected[noisyIndex]!.toLocaleString("en-US"),
  ],
  [
    "other tenants' requests refused",
    rejectedOthers(fair).toLocaleString("en-US"),
    rejectedOthers(fifo).toLocaleString("en-US"),
  ],
]);
console.log(
  "   The fair queue caps the flood at what is left once every other tenant is served (its max-min\n" +
    "   entitlement); FIFO lets it fill the queue, so everyone waits behind it and loses requests.",
);

const poolCapacity = 3_000;
console.log(
  `\n4. A shared pool of ${poolCapacity.toLocaleString("en-US")} vCPU split by weighted max-min with tier guarantees`,
);
const poolDemand = poolDemands(platform);
const pool = maxMinAllocate({ capacity: poolCapacity, tenants: poolDemand });
const weightsOnly = maxMinAllocate({ capacity: poolCapacity, tenants: poolDemand, tierFloors: "none" });
const tierTotal = (tier: TierId, record: Record<string, number>, of: "demand" | "allocation") =>
  poolDemand
    .filter((t) => t.tier === tier)
    .reduce((sum, t) => sum + (of === "demand" ? t.demand : (record[t.id] ?? 0)), 0);
const poolRows = [["tier", "demand vCPU", "guarantee", "weights only", "allocated vCPU", "satisfied"]];
for (const tier of tierIds) {
  const spec = defaultTierCatalogue.get(tier);
  const demand = tierTotal(tier, pool.allocations, "demand");
  const allocated = tierTotal(tier, pool.allocations, "allocation");
  const guaranteed = (pool.tierFloorTotals[tier] ?? 0).toFixed(0);
  poolRows.push([
    label(tier),
    demand.toFixed(0),
    spec.sharedPoolFloor === "dedicated"
      ? `demand = ${guaranteed}`
      : `${percent(spec.sharedPoolFloor)} = ${guaranteed}`,
    tierTotal(tier, weightsOnly.allocations, "allocation").toFixed(0),
    allocated.toFixed(0),
    percent(demand === 0 ? 1 : allocated / demand),
  ]);
}
table(poolRows);
console.log(
  `   ${pool.allocated.toFixed(0)} of ${poolCapacity.toLocaleString("en-US")} vCPU handed out, at one water level (${pool.level.toFixed(3)} vCPU per unit of weight) above the guarantees;`,
);
console.log(
  "   🔵 and 🔴 tenants get their demand first, and 🟢's class floor lifts it above what its weight alone would give;",
);
console.log(
  `   the noisy neighbour gets ${(pool.allocations[tenants[noisyIndex]!.id] ?? 0).toFixed(0)} of the ${poolDemand[noisyIndex]!.demand.toFixed(0)} vCPU it asks for.`,
);
const held = maxMinAllocate({ capacity: poolCapacity, tenants: poolDemand, dedicatedCapacity: 1_500 });
console.log(
  `   With dedicatedCapacity: 1,500 held apart, 🔵 and 🔴 share those ${held.dedicated!.allocated.toFixed(0)} vCPU by weight ` +
    `(${held.dedicated!.demandTotal.toFixed(0)} asked) and the other tiers the ${poolCapacity.toLocaleString("en-US")}.`,
);

console.log("\n5. Per-tier quotas with the adaptive throttle, and five seconds of shared-store outage");
let sharedStore: ThrottleStore | undefined;
let closeStore = async () => {};
if (process.env.REDIS_URL) {
  // With REDIS_URL, quotas live in Redis (simulated time: the store takes the demo's clock).
  const { Redis } = await import("ioredis");
  const { createRedisStore } = await import("@enis/redis");
  const client = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
  sharedStore = createRedisStore({ client, time: "caller", timeoutMs: 200 });
  closeStore = async () => void client.disconnect();
}
const quota = await runQuotas(platform, sharedStore, flagged);
await closeStore();
const quotaRows = [["tier", "quota / min", "requests", "allowed", "throttled", "decided in degraded mode"]];
for (const group of [...tierIds, "flagged" as const]) {
  const counts = quota.byGroup.get(group)!;
  quotaRows.push([
    group === "flagged" ? `flagged (${flagged.length})` : label(group),
    group === "flagged"
      ? flagged.map((t) => requestsPerMinuteByTier[tenants.find((x) => x.id === t.tenantId)!.tier]).join(", ")
      : String(requestsPerMinuteByTier[group]),
    counts.requests.toLocaleString("en-US"),
    counts.allowed.toLocaleString("en-US"),
    counts.throttled.toLocaleString("en-US"),
    counts.degraded.toLocaleString("en-US"),
  ]);
}
table(quotaRows);
console.log(
  `   Store: ${quota.storeName}${process.env.REDIS_URL ? "" : " (set REDIS_URL to use Redis)"}. Every tenant's quota is scaled by its adaptive throttle rate`,
);
console.log(
  `   (load ${percent(offeredTotal / capacityMs)} of capacity → load factor 0.7). From 20 s, each flagged tenant is under graduatedThrottle at the severity`,
);
console.log(
  `   section 1 graded: ${quota.flaggedRates
    .map(
      (rate) =>
        `${rate.tenantId} ("${flagged.find((t) => t.tenantId === rate.tenantId)!.severity}") ${rate.before.toFixed(2)} → ${rate.during.toFixed(2)}`,
    )
    .join(", ")} (never below its tier's throttle floor).`,
);
console.log(
  `   From ${quota.outage.fromMs / 1000} s to ${quota.outage.toMs / 1000} s the shared store is down: checks fall back to in-memory static limits ` +
    `(reason "degraded"), and return to the shared store by themselves afterwards.`,
);

console.log("\n6. What the pool costs on AWS us-east-1, and how to buy it cheaper (@enis/cost-model)");
const otherWaits = (outcome: SchedulerOutcome) => waitsOf(outcome, (i) => i !== noisyIndex);
const cost = runCost({
  tenants,
  allocations: pool.allocations,
  demands: Object.fromEntries(poolDemand.map((tenant) => [tenant.id, tenant.demand])),
  poolCapacity,
  nowMs,
  waitP99Ms: { fifo: p99(otherWaits(fifo)), fair: p99(otherWaits(fair)) },
  throughputRps: {
    fifo: (1000 * fifo.served) / platform.durationMs,
    fair: (1000 * fair.served) / platform.durationMs,
  },
  investmentUsd: 60_000,
  monthlyBudgetUsd: 24_000,
});
const kpiValue = (value: number | null, unit: string) =>
  value === null
    ? "-"
    : unit === "usd"
      ? `$${Number(value.toPrecision(3))}`
      : unit === "months"
        ? `${value.toFixed(1)} months`
        : `${(100 * value).toFixed(1)}%`;
const money = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;
console.log(
  `   Each tenant's vCPU of section 4, used on a daily cycle, priced as ${"m7g.large"} (on-demand $${cost.prices.onDemand.toFixed(4)}, ` +
    `spot $${cost.prices.spot.toFixed(4)}, 1-year reserved $${cost.prices.reserved.toFixed(4)} per vCPU-hour).`,
);
console.log(
  `   Budgets on ${new Date(nowMs).toISOString().slice(0, 10)}, month to date at on-demand prices, against each tier's monthly ceiling:`,
);
table(cost.tierRows.map((row, r) => (r === 0 ? row : [label(row[0] as TierId), ...row.slice(1)])));
console.log(
  "   Month-end projections come from @enis/forecast (the hours left at the 80th percentile of the usage forecast), not a run-rate.",
);
console.log(
  `   Alerts are data (50 / 80 / 100 % spent, projected month end ≥ 100 %): ${cost.alertCount} as allocated; ${cost.alertCountAtDemand} had every tenant got its demand,`,
);
console.log(`   the worst: "${cost.alertExample}".`);
console.log(
  "\n   The coming month bought at the least cost (the seed's LP, solved exactly; spot ≤ 20 % above 99.9 % SLA):",
);
table(cost.mixRows.map((row, r) => (r === 0 ? row : [label(row[0] as TierId), ...row.slice(1)])));
console.log(
  `   ${money(cost.mix.totalCostUsd)} a month against ${money(cost.mix.allOnDemandCostUsd)} all on-demand: ${cost.mix.savingsPercent.toFixed(1)}% saved; ` +
    `binding: ${cost.mix.binding.join(", ") || "none"}.`,
);
const svgPath = "demo-output/commitment-curve.svg";
mkdirSync("demo-output", { recursive: true });
writeFileSync(svgPath, cost.svg);
console.log(
  `\n   Commitment: ${cost.commitment.commitment.toFixed(0)} vCPU for a year (the ${(100 - 100 * cost.commitment.breakEvenUtilization).toFixed(0)}% discount's quantile of 720 hours of usage), ` +
    `${percent(cost.commitment.expectedUtilization ?? 0)} used, saves ${money(cost.commitment.savingsUsd)} (${cost.commitment.savingsPercent.toFixed(1)}%): "${cost.commitment.recommendation}".`,
);
console.log(
  `   The seed's median (${cost.medianLevel.toFixed(0)} vCPU) would save ${money(cost.medianSavingsUsd)}. Savings by level: ${svgPath}`,
);
console.log("\n   Seed 000's KPIs (a one-off $60,000 to adopt the plan; a $24,000 monthly budget):");
table([
  ["KPI", "value", "target", "status"],
  ...cost.kpis.map((kpi) => [
    kpi.name,
    kpiValue(kpi.value, kpi.unit),
    kpi.target.value === null ? "-" : `${kpi.target.comparator} ${kpiValue(kpi.target.value, kpi.unit)}`,
    kpi.status,
  ]),
]);

console.log(
  "   The guards compare the fair queue with FIFO (section 2): the other tenants' p99 wait falls by two orders of magnitude,",
);
console.log(
  "   while FIFO finishes slightly more requests within the simulated minute, so the throughput guard reads just below its baseline.",
);

const billing = await runBilling("demo-output");
const { report } = billing;
console.log(`\n   Billing data: ${billing.source},`);
console.log("   read through @enis/focus (embedded DuckDB) and split by the business_unit tag:");
const dollars = (x: number) => `$${x.toFixed(2)}`;
const byBilled = [...report.groups].sort((a, b) => b.billedCostUsd - a.billedCostUsd);
const shown = byBilled.slice(0, 6);
const rest = byBilled.slice(6);
const share = (x: number) => percent(report.file.billedCostUsd === 0 ? 0 : x / report.file.billedCostUsd);
const sum = (key: "rowCount" | "billedCostUsd" | "listCostUsd") =>
  rest.reduce((total, group) => total + group[key], 0);
table([
  ["business_unit", "rows", "billed", "list", "share of billed", "credits"],
  ...shown.map((group) => [
    group.key!,
    group.rowCount.toLocaleString("en-US"),
    dollars(group.billedCostUsd),
    dollars(group.listCostUsd),
    share(group.billedCostUsd),
    dollars(group.chargeCategories.credit.billedCostUsd),
  ]),
  [
    `${rest.length} others`,
    sum("rowCount").toLocaleString("en-US"),
    dollars(sum("billedCostUsd")),
    dollars(sum("listCostUsd")),
    share(sum("billedCostUsd")),
    dollars(rest.reduce((total, group) => total + group.chargeCategories.credit.billedCostUsd, 0)),
  ],
  [
    "(no tag)",
    report.unassigned.rowCount.toLocaleString("en-US"),
    dollars(report.unassigned.billedCostUsd),
    dollars(report.unassigned.listCostUsd),
    share(report.unassigned.billedCostUsd),
    dollars(report.unassigned.chargeCategories.credit.billedCostUsd),
  ],
]);
console.log(
  `   Every row in one bucket: ${report.reconciliation.rowCount.toLocaleString("en-US")} rows, billed ${dollars(report.file.billedCostUsd)}; ` +
    `file minus buckets: ${dollars(report.reconciliation.differenceUsd.billedCost)}.`,
);

console.log("\n7. Next month's cost per tier, and the pool's next week (@enis/forecast)");
const hourlyUsdByTier = Object.fromEntries(
  tierIds.map((tier) => [
    tier,
    poolDemand.filter((t) => t.tier === tier).reduce((sum, t) => sum + (pool.allocations[t.id] ?? 0), 0) *
      cost.prices.onDemand *
      0.58,
  ]),
) as Record<TierId, number>;
const outlook = runForecast({ hourlyUsdByTier, endMs: Date.UTC(2026, 10, 1), months: 6 });
console.log(
  `   ${outlook.historyHours.toLocaleString("en-US")} hours (May to October) of each tier's simulated on-demand cost, forecast to November:`,
);
table([
  ["tier", "October", "November forecast", "80% bounds", "trend", "change", "model"],
  ...outlook.byTier.map(({ tier, forecast: f }) => [
    label(tier),
    money(f.historyUsd[f.historyUsd.length - 1]!),
    money(f.monthlyUsd[0]!),
    `${money(f.lowerUsd[0]!)} – ${money(f.upperUsd[0]!)}`,
    f.trend,
    f.changePercent === null ? "-" : `${f.changePercent >= 0 ? "+" : ""}${f.changePercent.toFixed(1)}%`,
    f.model.name,
  ]),
]);
const fanPath = "demo-output/forecast-fan.svg";
writeFileSync(fanPath, outlook.svg);
console.log(
  `   The pool's next 168 hours (${outlook.week.model.name}; 80 and 95% intervals in ${fanPath}), one mark per 4 hours:`,
);
console.log(`   ${outlook.sparkline}`);

console.log("\n8. Watching the spend: a streaming detector on each tier's hourly cost (@enis/anomaly)");
const watch = watchSpend(outlook.historyByTier, outlook.startMs);
const spendPath = "demo-output/spend-alerts.svg";
writeFileSync(spendPath, watch.svg);
console.log(
  `   ${watch.points.toLocaleString("en-US")} hourly points (five tiers, May to October), scored one at a time; each detector's state is`,
);
console.log(
  "   stored as JSON and restored every 30 days, as a restarted service would. Settings for a smooth series: tolerance 2.",
);
table([
  ["tier", "hour (UTC)", "cost", "same hour a week before", "score", "what was unusual"],
  ...watch.alerts.map((alert) => [
    label(alert.tier),
    new Date(alert.atMs).toISOString().slice(0, 16).replace("T", " "),
    `$${alert.usd.toFixed(2)}`,
    `$${alert.usualUsd.toFixed(2)}`,
    alert.score.toFixed(3),
    alert.driver === "change"
      ? "the jump from the hour before"
      : alert.driver === "seasonal"
        ? "the change from a period before"
        : "the level",
  ]),
]);
const incident = outlook.incident;
const caught = watch.alerts.filter(
  (alert) =>
    alert.tier === incident.tier &&
    alert.atMs >= incident.fromMs &&
    alert.atMs <= incident.fromMs + incident.hours * 3_600_000,
);
console.log(
  `   The simulation's incident — a runaway job tripling ${label(incident.tier)}'s spend for ${incident.hours} hours from ` +
    `${new Date(incident.fromMs).toISOString().slice(0, 16).replace("T", " ")} — ${caught.length > 0 ? "was raised at its start and at its end" : "was NOT raised"};`,
);
console.log(
  `   ${watch.alerts.length - caught.length} other alert(s) in ${watch.points.toLocaleString("en-US")} points. The detector was not told where the incident is. Chart: ${spendPath}`,
);

console.log("\n9. A 🔴 tenant's deployment under GDPR and PCI DSS (@enis/compliance-cost)");
const compliance = await runCompliance(nowMs);
console.log(
  "   compliance-000 asks to run EU customers' card payments in us-east-1 on one flat network. Rejected, with the cited violations:",
);
table([
  ["framework", "control", "field", "citation"],
  ...compliance.rejected.violations.map((v) => [v.framework, v.control, v.field, v.citation]),
]);
for (const recommendation of compliance.rejected.recommendations) {
  const text =
    recommendation.message.length > 110 ? `${recommendation.message.slice(0, 107)}…` : recommendation.message;
  console.log(`   → ${text}`);
}
const readiness = compliance.report.readiness;
console.log(
  `   Corrected (eu-central-1; the cardholder-data environment in a zone of its own): ${compliance.approved.compliant ? "approved" : "still rejected"}, ` +
    `${readiness.met} of ${readiness.applicable} applicable controls met, ${readiness.needsEvidence} need evidence a request cannot show`,
);
console.log(
  `   (${compliance.report.frameworks
    .flatMap((f) =>
      f.controls.filter((c) => c.status === "needs-evidence").map((c) => `${f.framework} ${c.control}`),
    )
    .join(", ")}): readiness ${percent(readiness.readiness ?? 0)}, computed, not the seed's hard-coded 98.5.`,
);
console.log(
  "   Its compliance cost a month, from first principles (every line a quantity × a catalogue price; the default catalogue's us-east-1 list prices):",
);
table([
  ["line", "driven by", "quantity", "cost / month"],
  ...compliance.cost.lines.map((line) => [
    line.kind,
    line.frameworks.join(", "),
    `${Number(line.quantity.toPrecision(4)).toLocaleString("en-US")} ${line.unit}`,
    `$${line.costUsd.toFixed(2)}`,
  ]),
  ["total", "", "", `$${compliance.cost.costUsd.toFixed(2)}`],
]);
console.log(
  `   The seed's fixed "compliance multipliers" on the same resources: $${Math.round(compliance.cost.seedMultipliers.costUsd).toLocaleString("en-US")} a month, ` +
    `${(compliance.cost.seedMultipliers.costUsd / compliance.cost.costUsd).toFixed(0)}× the priced figure (no authority publishes such multipliers).`,
);
console.log(
  `   Segmentation of ${compliance.segmentation.baseCidr}, default deny, ${compliance.segmentation.rules.length} explicit allows; ` +
    `emitted as ${compliance.policies.length} Kubernetes NetworkPolicies and ${compliance.securityGroups.length} AWS security groups:`,
);
table([
  ["zone", "subnet", "usable hosts", "accepts"],
  ...compliance.segmentation.subnets.map((subnet) => [
    subnet.zone,
    subnet.cidr,
    subnet.usableHostCount,
    compliance.segmentation.rules
      .filter((rule) => rule.toZone === subnet.zone)
      .map((rule) => `${rule.fromZone ?? rule.fromCidr} → ${rule.protocol}/${rule.fromPort}`)
      .join(", "),
  ]),
]);
const problem = (report: typeof compliance.tampered) =>
  report.ok ? "verified" : `${report.problem!.kind} at entry ${report.problem!.index}`;
console.log(
  `   Audit trail (AES-256-GCM records in a SHA-256 chain, an HMAC checkpoint kept apart as the anchor; the caller's key):`,
);
console.log(
  `   ${compliance.verified.records} records ${problem(compliance.verified)}; one character of the rejection edited in the store: ` +
    `${problem(compliance.tampered)}; the approval deleted: ${problem(compliance.dropped)}.`,
);

console.log("\n10. Each tier's own way to save, priced before and after (@enis/tier-optimizers)");
const tierPlans = runTierPlans(nowMs);
table([
  ["tier", "tenant", "planner", "recommendation", "before / month", "after / month", "ceiling", "saved"],
  ...tierPlans.rows.map((row) => [
    label(row.tier),
    row.tenant,
    row.planner,
    row.recommendation,
    `$${row.beforeUsd.toFixed(2)}`,
    `$${row.afterUsd.toFixed(2)}`,
    money(row.ceilingUsd),
    row.afterUsd > row.beforeUsd
      ? `−$${(row.afterUsd - row.beforeUsd).toFixed(2)} (compliance)`
      : row.savingsRangeUsd
        ? `$${(row.beforeUsd - row.afterUsd).toFixed(2)} ($${row.savingsRangeUsd[0].toFixed(0)}–${row.savingsRangeUsd[1].toFixed(0)})`
        : `$${(row.beforeUsd - row.afterUsd).toFixed(2)}`,
  ]),
]);
for (const row of tierPlans.rows) {
  if (row.risks.length > 0) console.log(`   ${label(row.tier)} risks: ${row.risks.join(", ")}`);
}
console.log(
  `   🔴: section 9's approved request was first refused at SHIF level "high": ${tierPlans.shifChanges.join("; ")}.`,
);
console.log(
  "   Before is the workload unhardened: for 🔴 the planner sizes for compliance, and the difference is what compliance costs.",
);
console.log(
  "\n   recommendTier: the cheapest tier that meets a new workload's needs, and why each other tier is out",
);
const short: Record<string, string> = {
  "availability-below-required": "SLA",
  "latency-above-required": "latency",
  "framework-not-supported": "frameworks",
  "isolation-below-required": "isolation",
  "over-tier-monthly-ceiling": "over ceiling",
  "over-tier-request-ceiling": "over $/request ceiling",
  "over-customer-budget": "over budget",
  "platform-limit": "platform limit",
  "not-cheapest": "dearer",
};
table([
  ["workload", "tier", ...tierIds.map((tier) => label(tier))],
  ...runTierChoices().map(({ name, answer }) => [
    name,
    answer.recommended === null ? "none" : label(answer.recommended),
    ...tierIds.map((tier) => {
      const assessment = answer.tiers.find((t) => t.tier === tier)!;
      const why = assessment.reasons.map((ruling) => short[ruling.reason] ?? ruling.reason).join(", ");
      return `$${assessment.monthlyCostUsd.toFixed(0)}${why ? ` (${why})` : " ✓"}`;
    }),
  ]),
]);

console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(2)} s.`);
