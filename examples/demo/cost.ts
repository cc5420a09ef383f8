/**
 * The demo's cost section: what the simulated platform's shared vCPU pool costs on AWS us-east-1
 * (@enis/cost-model's default catalogue), each tier against its budget ceiling, the cheapest mix
 * of on-demand, spot and reserved capacity, the commitment to buy, and the seed's KPIs.
 */
import { createRandom, type TierId, tierIds } from "@enis/core";
import {
  defaultAwsCatalogue,
  evaluateBudgets,
  evaluateKpis,
  instanceType,
  type Kpi,
  optimizePurchaseMix,
  recommendCommitment,
} from "@enis/cost-model";
import { forecastCapacity } from "@enis/forecast";
import type { SimulatedTenant } from "./simulation.js";
import { lineChartSvg } from "./svg.js";

/** The instance type the pool runs on: its on-demand, spot and reserved prices per vCPU-hour price the pool. */
export const poolInstanceType = "m7g.large";

/** Availability objectives per tier (demo data: the seeds give none per tier). */
export const slaByTier: Record<TierId, number> = {
  zero: 0.99,
  shared: 0.995,
  lite: 0.999,
  enterprise: 0.9995,
  compliance: 0.9999,
};

/** What the cost section needs from the rest of the demo. */
export interface CostInput {
  readonly tenants: readonly SimulatedTenant[];
  /** vCPU each tenant holds in the shared pool (the max-min allocation of section 4). */
  readonly allocations: Readonly<Record<string, number>>;
  /** vCPU each tenant asks the pool for. */
  readonly demands: Readonly<Record<string, number>>;
  /** The pool's size, vCPU. */
  readonly poolCapacity: number;
  /** The evaluation time: budgets are month-to-date at this instant (UTC month). */
  readonly nowMs: number;
  /** p99 queue wait of the other tenants' requests under FIFO and under the fair queue, ms. */
  readonly waitP99Ms: { readonly fifo: number; readonly fair: number };
  /** Requests served per second under FIFO and under the fair queue. */
  readonly throughputRps: { readonly fifo: number; readonly fair: number };
  /** One-off cost of adopting the plan (engineering time, tooling), USD: ROI and payback use it. */
  readonly investmentUsd: number;
  /** The platform's monthly compute budget, USD: the cost-variance KPI compares with it. */
  readonly monthlyBudgetUsd: number;
}

/** What the cost section computed, for the caller to print. */
export interface CostOutcome {
  readonly tierRows: string[][];
  readonly alertCount: number;
  readonly alertCountAtDemand: number;
  readonly alertExample: string | null;
  readonly mixRows: string[][];
  readonly mix: ReturnType<typeof optimizePurchaseMix>;
  readonly commitment: ReturnType<typeof recommendCommitment>;
  readonly medianLevel: number;
  readonly medianSavingsUsd: number;
  readonly kpis: readonly Kpi[];
  readonly svg: string;
  readonly prices: { readonly onDemand: number; readonly spot: number; readonly reserved: number };
}

const hourMs = 3_600_000;
const hoursPerMonth = 730;

/**
 * The pool's hourly usage, as a fraction of each tenant's allocation, over the 720 hours before
 * `nowMs`: a daily cycle peaking mid-afternoon UTC, quieter weekends, and seeded noise.
 */
export function usageProfile(nowMs: number, hours = 720, seed = 11): Float64Array {
  const random = createRandom(seed);
  const profile = new Float64Array(hours);
  for (let h = 0; h < hours; h++) {
    const at = new Date(nowMs - (hours - h) * hourMs);
    const daily = Math.sin((2 * Math.PI * (at.getUTCHours() - 9)) / 24);
    const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6 ? 0.75 : 1;
    const value = (0.58 + 0.27 * daily) * weekend + 0.04 * random.nextGaussian();
    profile[h] = Math.min(1, Math.max(0.15, value));
  }
  return profile;
}

const usd = (x: number) => `$${x.toLocaleString("en-US", { maximumFractionDigits: x < 100 ? 2 : 0 })}`;
const pct = (x: number) => `${x.toFixed(1)}%`;

export function runCost(input: CostInput): CostOutcome {
  const type = instanceType(defaultAwsCatalogue, poolInstanceType);
  const prices = {
    onDemand: type.onDemandHourlyUsd / type.vcpus,
    spot: type.spotHourlyUsd / type.vcpus,
    reserved: type.reserved1yHourlyUsd / type.vcpus,
  };
  const profile = usageProfile(input.nowMs);
  const monthStartMs = Date.UTC(
    new Date(input.nowMs).getUTCFullYear(),
    new Date(input.nowMs).getUTCMonth(),
    1,
  );
  const hoursThisMonth = Math.floor((input.nowMs - monthStartMs) / hourMs);
  let monthToDateFactor = 0;
  for (let h = profile.length - hoursThisMonth; h < profile.length; h++) monthToDateFactor += profile[h]!;
  let profileSum = 0;
  for (const value of profile) profileSum += value;
  const meanUsage = profileSum / profile.length;

  // Budgets: month-to-date on-demand spend of each tenant against its tier's monthly ceiling, as
  // allocated and as it would be had every tenant been given its demand.
  // The rest of the month is projected by @enis/forecast instead of a linear run-rate: the usage
  // profile's hours left, at the 80th percentile of its forecast (daily and weekly cycles), times
  // each tenant's vCPU and price.
  const monthEndMs = Date.UTC(
    new Date(input.nowMs).getUTCFullYear(),
    new Date(input.nowMs).getUTCMonth() + 1,
    1,
  );
  const hoursLeft = Math.ceil((monthEndMs - input.nowMs) / hourMs);
  const ahead = forecastCapacity(
    { values: Array.from(profile), startMs: input.nowMs - profile.length * hourMs, stepMs: hourMs },
    { horizon: hoursLeft, quantile: 0.8, seasonalPeriods: [24, 168], model: "mstl" },
  );
  const usageLeft = ahead.capacity.reduce((sum, value) => sum + value, 0);
  const budgetsFor = (vcpus: Readonly<Record<string, number>>) =>
    evaluateBudgets({
      nowMs: input.nowMs,
      tenants: input.tenants.map((tenant) => ({
        id: tenant.id,
        tier: tenant.tier,
        spendUsd: (vcpus[tenant.id] ?? 0) * prices.onDemand * monthToDateFactor,
      })),
      project: (tenant) => tenant.spendUsd + (vcpus[tenant.tenantId] ?? 0) * prices.onDemand * usageLeft,
    });
  const budgets = budgetsFor(input.allocations);
  const atDemand = budgetsFor(input.demands);
  const tierRows = [
    [
      "tier",
      "tenants",
      "ceiling / tenant",
      "month to date",
      "projected month",
      "alerted",
      "alerted at demand",
    ],
  ];
  const alerted = (report: typeof budgets, tier: TierId) =>
    report.tenants.filter((status) => status.tier === tier && status.alerts.length > 0).length;
  for (const tier of tierIds) {
    const statuses = budgets.tenants.filter((status) => status.tier === tier);
    const spend = statuses.reduce((sum, status) => sum + status.spendUsd, 0);
    const projected = statuses.reduce((sum, status) => sum + (status.projection.projectedUsd ?? 0), 0);
    tierRows.push([
      tier,
      String(statuses.length),
      usd(statuses[0]!.budgetUsd),
      usd(spend),
      usd(projected),
      String(alerted(budgets, tier)),
      String(alerted(atDemand, tier)),
    ]);
  }
  const worst = [...atDemand.alerts].sort((a, b) => (b.projectedUsd ?? 0) - (a.projectedUsd ?? 0))[0];

  // The coming month's CPU-hours per tenant, bought at the least cost; reserved capacity is the
  // commitment recommended below.
  const hourlyUsage = Array.from(profile, (fraction) => fraction * sumAllocations(input.allocations));
  const discount = 1 - prices.reserved / prices.onDemand;
  const commitment = recommendCommitment({
    hourlyUsage,
    onDemandPrice: prices.onDemand,
    discount,
    termMonths: 12,
  });
  const mix = optimizePurchaseMix({
    tenants: input.tenants.map((tenant) => ({
      id: tenant.id,
      cpuHours: (input.allocations[tenant.id] ?? 0) * meanUsage * hoursPerMonth,
      sla: slaByTier[tenant.tier],
    })),
    prices,
    reservedCapacity: commitment.commitment * hoursPerMonth,
  });
  const mixRows = [["tier", "SLA", "CPU-hours", "on-demand", "spot", "reserved", "cost", "all on-demand"]];
  for (const tier of tierIds) {
    const ids = input.tenants.filter((tenant) => tenant.tier === tier).map((tenant) => tenant.id);
    const sum = (key: "onDemand" | "spot" | "reserved" | "costUsd") =>
      ids.reduce((total, id) => total + mix.tenants[id]![key], 0);
    const hours = sum("onDemand") + sum("spot") + sum("reserved");
    const share = (x: number) => (hours === 0 ? "-" : pct((100 * x) / hours));
    mixRows.push([
      tier,
      `${(100 * slaByTier[tier]).toFixed(2)}%`,
      Math.round(hours).toLocaleString("en-US"),
      share(sum("onDemand")),
      share(sum("spot")),
      share(sum("reserved")),
      usd(sum("costUsd")),
      usd(hours * prices.onDemand),
    ]);
  }

  // The seed committed at the median hour whatever the discount: its savings at that level.
  const sorted = [...hourlyUsage].sort((a, b) => a - b);
  const medianLevel = sorted[Math.floor(sorted.length / 2)]!;
  const savingsAt = (level: number) => {
    let perHistory = 0;
    for (const used of hourlyUsage)
      perHistory += prices.onDemand * Math.min(used, level) - (1 - discount) * prices.onDemand * level;
    return (perHistory / hourlyUsage.length) * hoursPerMonth * 12;
  };

  const kpis = evaluateKpis({
    costPerTransaction: {
      totalCostUsd: mix.totalCostUsd,
      transactions: input.tenants.reduce(
        (sum, tenant) => sum + tenant.ratePerSecond * 3_600 * hoursPerMonth,
        0,
      ),
    },
    resourceUtilization: {
      used: profileSum * sumAllocations(input.allocations),
      allocated: input.poolCapacity * profile.length,
    },
    costVariance: { actualUsd: mix.totalCostUsd, budgetUsd: input.monthlyBudgetUsd },
    savingsAchieved: { baselineUsd: mix.allOnDemandCostUsd, optimizedUsd: mix.totalCostUsd },
    returnOnInvestment: { savingsUsd: mix.savingsUsd * 12, investmentUsd: input.investmentUsd },
    paybackPeriod: { investmentUsd: input.investmentUsd, monthlySavingsUsd: mix.savingsUsd },
    tcoReduction: {
      oldTcoUsd: mix.allOnDemandCostUsd * 12,
      newTcoUsd: mix.totalCostUsd * 12 + input.investmentUsd,
    },
    effectiveSavingsRate: { listCostUsd: mix.allOnDemandCostUsd, effectiveCostUsd: mix.totalCostUsd },
    responseTimeImpact: { baselineMs: input.waitP99Ms.fifo, optimizedMs: input.waitP99Ms.fair },
    throughputImpact: { baselineRps: input.throughputRps.fifo, optimizedRps: input.throughputRps.fair },
  });

  const svg = lineChartSvg({
    title: `Commitment for the pool's ${poolInstanceType} vCPU (1 year, ${pct(100 * discount)} off on-demand)`,
    xLabel: "vCPU committed per hour",
    yLabel: "savings over the term, USD",
    series: [
      {
        name: "savings against all on-demand",
        colour: "#1f77b4",
        points: commitment.curve.map(
          (point) => [point.commitment, Math.round(point.savingsUsd)] as [number, number],
        ),
      },
    ],
    markers: [
      {
        x: commitment.commitment,
        label: `recommended ${commitment.commitment.toFixed(0)}`,
        colour: "#2ca02c",
      },
      { x: medianLevel, label: `seed's median ${medianLevel.toFixed(0)}`, colour: "#d62728" },
    ],
  });

  return {
    tierRows,
    alertCount: budgets.alerts.length,
    alertCountAtDemand: atDemand.alerts.length,
    alertExample: worst?.message ?? null,
    mixRows,
    mix,
    commitment,
    medianLevel,
    medianSavingsUsd: savingsAt(medianLevel),
    kpis,
    svg,
    prices,
  };
}

function sumAllocations(allocations: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const id in allocations) total += allocations[id]!;
  return total;
}
