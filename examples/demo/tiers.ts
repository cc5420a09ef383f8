/**
 * The demo's tier section: for one tenant of each tier, the tier's planner on the simulated
 * platform's usage, priced before and after against the tier's monthly budget ceiling.
 */
import { createRandom, defaultTierCatalogue, type TierId } from "@enis/core";
import { forecast } from "@enis/forecast";
import {
  optimizeWorkflow,
  planCompliantDeployment,
  recommendInstances,
  recommendTier,
  rightsizeLambda,
  sizeTenantQuota,
  type TierRecommendation,
} from "@enis/tier-optimizers";
import { corrected } from "./compliance.js";

const hourMs = 3_600_000;
const minuteMs = 60_000;

/** One row of the tier table. */
export interface TierPlanRow {
  readonly tier: TierId;
  readonly tenant: string;
  readonly planner: string;
  readonly recommendation: string;
  readonly beforeUsd: number;
  readonly afterUsd: number;
  /** A range of the monthly savings where forecasts are involved. */
  readonly savingsRangeUsd?: readonly [number, number];
  readonly ceilingUsd: number;
  readonly risks: readonly string[];
}

const ceiling = (tier: TierId) => defaultTierCatalogue.get(tier).budget.monthlyCeilingUsd;

/** 🟤 zero: a function behind the tenant's 0.5 requests/s, measured at five memory sizes (seeded). */
function zeroTier(): TierPlanRow {
  const random = createRandom(5);
  // 40 ms of I/O plus 300 ms of CPU at 1,769 MB, single-threaded: CPU share grows with memory.
  const durationAt = (memoryMb: number) => 40 + (300 * 1769) / Math.min(memoryMb, 1769);
  const measurements = [256, 512, 1024, 2048, 3008].map((memoryMb) => ({
    memoryMb,
    durationsMs: Array.from({ length: 20 }, () => durationAt(memoryMb) * (1 + 0.05 * random.nextGaussian())),
  }));
  const invocationsPerMonth = Math.round(0.5 * 30 * 86_400);
  const plan = rightsizeLambda({ current: { memoryMb: 3008 }, measurements, invocationsPerMonth });
  return {
    tier: "zero",
    tenant: "zero-001",
    planner: "rightsizeLambda",
    recommendation: `${plan.current.memoryMb} → ${plan.recommended.memoryMb} MB (${plan.recommended.architecture}, measured), ${(invocationsPerMonth / 1e6).toFixed(2)} M invocations`,
    beforeUsd: plan.costBeforeUsd,
    afterUsd: plan.costAfterUsd,
    ceilingUsd: ceiling("zero"),
    risks: plan.risks.map((risk) => risk.kind),
  };
}

/** 🟡 shared: the namespace of a shared tenant, a week of 1-minute CPU and memory, in a 16-vCPU pool. */
function sharedTier(): TierPlanRow {
  const random = createRandom(6);
  const samples = 7 * 24 * 60;
  const cpuCores = new Float64Array(samples);
  const memoryBytes = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const daily = Math.sin((2 * Math.PI * (i % 1440)) / 1440 - Math.PI / 2);
    cpuCores[i] = Math.max(0.02, 0.6 + 0.35 * daily + 0.08 * random.nextGaussian());
    memoryBytes[i] = (1.4 + 0.3 * daily + 0.05 * random.nextGaussian()) * 2 ** 30;
  }
  const plan = sizeTenantQuota({
    usage: [
      { namespace: "shared-004", startMs: Date.UTC(2026, 10, 13), stepMs: minuteMs, cpuCores, memoryBytes },
    ],
    // The pool, priced for the same week: 4 × m7g.xlarge.
    cluster: { cpuCores: 16, memoryGib: 64, hourlyPriceUsd: 4 * 0.1632, hours: 7 * 24 },
    namespaces: {
      "shared-004": {
        containers: 2,
        maxPods: 8,
        current: { requestsCpuCores: 4, requestsMemoryBytes: 8 * 2 ** 30 },
      },
    },
  });
  const namespace = plan.namespaces[0]!;
  // The plan's costs cover the cluster cost's window (period "window"): here the week it is priced for.
  const weekToMonth = (30 * 24) / (7 * 24);
  return {
    tier: "shared",
    tenant: "shared-004",
    planner: "sizeTenantQuota",
    recommendation: `requests 4 vCPU / 8 GiB → ${namespace.cpu.quotaRequestsMillicores}m / ${namespace.memory.quotaRequestsMib}Mi (VPA target: p90 + 15%)`,
    beforeUsd: plan.costBeforeUsd * weekToMonth,
    afterUsd: plan.costAfterUsd * weekToMonth,
    ceilingUsd: ceiling("shared"),
    risks: plan.risks.map((risk) => risk.kind),
  };
}

/** 🟢 lite: six services on two m5.2xlarge, with ASM state and a CGN cache curve. */
function liteTier(): TierPlanRow {
  const plan = recommendInstances({
    workloads: [
      { id: "api", cpuCores: 1.5, memoryGib: 3 },
      { id: "web", cpuCores: 1, memoryGib: 2 },
      { id: "worker-1", cpuCores: 0.75, memoryGib: 4 },
      { id: "worker-2", cpuCores: 0.75, memoryGib: 4 },
      { id: "scheduler", cpuCores: 0.25, memoryGib: 1 },
      { id: "search", cpuCores: 1, memoryGib: 6 },
    ],
    current: [{ instanceType: "m5.2xlarge", count: 2 }],
    state: { complexity: 0.4, velocityPerHour: 2 },
    cache: {
      workingSetGib: 24,
      hitRate: 0.62,
      currentSizeGib: 8,
      curve: [
        { sizeGib: 4, hitRate: 0.45 },
        { sizeGib: 8, hitRate: 0.62 },
        { sizeGib: 12, hitRate: 0.8 },
        { sizeGib: 16, hitRate: 0.9 },
        { sizeGib: 24, hitRate: 0.96 },
      ],
    },
  });
  const pools = plan.pools.map((pool) => `${pool.count} × ${pool.instanceType}`).join(" + ");
  return {
    tier: "lite",
    tenant: "lite-002",
    planner: "recommendInstances",
    recommendation: `2 × m5.2xlarge → ${pools}; cache 8 → ${plan.cache?.recommended.sizeGib ?? 8} GiB (hit rate ${plan.cache?.recommended.hitRate ?? 0.62})`,
    // Today's nodes and today's 8 GiB cache, against the new nodes and the resized cache.
    beforeUsd: plan.costBeforeUsd!,
    afterUsd: plan.costAfterUsd,
    ceilingUsd: ceiling("lite"),
    risks: plan.risks.map((risk) => risk.kind),
  };
}

/** 🔵 enterprise: a nightly pipeline, scheduled against a forecast of the spot price (30 runs a month). */
function enterpriseTier(startMs: number): TierPlanRow {
  // Four weeks of the hourly spot price of m5.xlarge, with a daytime peak (seeded), forecast a day ahead.
  const random = createRandom(8);
  const history = Array.from({ length: 28 * 24 }, (_, h) => {
    const hour = h % 24;
    return (
      0.07 + 0.03 * Math.max(0, Math.sin((2 * Math.PI * (hour - 6)) / 24)) + 0.003 * random.nextGaussian()
    );
  });
  const spot = forecast(
    { values: history, startMs: startMs - history.length * hourMs, stepMs: hourMs },
    { horizon: 24, seasonalPeriods: [24] },
  );
  const plan = optimizeWorkflow({
    horizonHours: 24,
    steps: [
      {
        id: "extract",
        kind: "batch",
        durationMs: 2 * hourMs,
        instanceType: "m5.xlarge",
        instances: 4,
        interruptible: true,
      },
      {
        id: "clean",
        kind: "batch",
        durationMs: hourMs,
        instanceType: "m5.xlarge",
        instances: 2,
        dependsOn: ["extract"],
        interruptible: true,
      },
      {
        id: "features",
        kind: "batch",
        durationMs: 3 * hourMs,
        instanceType: "m5.xlarge",
        instances: 4,
        dependsOn: ["clean"],
        interruptible: true,
      },
      {
        id: "train",
        kind: "batch",
        durationMs: 4 * hourMs,
        instanceType: "m5.xlarge",
        instances: 4,
        dependsOn: ["features"],
        interruptible: true,
        checkpointIntervalMs: 30 * minuteMs,
      },
      {
        id: "report",
        kind: "batch",
        durationMs: hourMs,
        instanceType: "m5.xlarge",
        dependsOn: ["train"],
        deadlineMs: 20 * hourMs,
      },
      {
        id: "publish",
        kind: "api",
        durationMs: hourMs,
        instanceType: "m5.xlarge",
        dependsOn: ["report"],
        deadlineMs: 22 * hourMs,
      },
    ],
    prices: [{ instanceType: "m5.xlarge", purchase: "spot", forecast: spot }],
  });
  const runsPerMonth = 30;
  const spotSteps = plan.after.steps.filter((step) => step.purchase === "spot").length;
  return {
    tier: "enterprise",
    tenant: "enterprise-001",
    planner: "optimizeWorkflow",
    recommendation: `6-step nightly DAG: ${spotSteps} steps on spot, starts moved off the daytime price peak`,
    // The plan's costs are for one run (period "run").
    beforeUsd: plan.costBeforeUsd * runsPerMonth,
    afterUsd: plan.costAfterUsd * runsPerMonth,
    savingsRangeUsd: [plan.savings.lowUsd * runsPerMonth, plan.savings.highUsd * runsPerMonth],
    ceilingUsd: ceiling("enterprise"),
    risks: [...new Set(plan.risks.map((risk) => risk.kind))],
  };
}

/**
 * 🔴 compliance: section 9's approved request, hardened to SHIF level "high" (HSM keys, three copies,
 * FIPS-validated encryption, a management zone, dedicated nodes). Its planner sizes for compliance, so "before" is the workload unhardened and the
 * difference is what compliance costs, not a saving.
 */
function complianceTier(): TierPlanRow & { readonly violations: readonly string[] } {
  const workload = { cpuCores: 8, memoryGib: 32, storedGb: 800, auditLogGbPerMonth: 65 };
  const asked = planCompliantDeployment({
    request: corrected,
    frameworks: ["gdpr", "pci-dss"],
    shifLevel: "high",
    workload,
  });
  const plan = planCompliantDeployment({
    request: {
      ...corrected,
      keyManagement: "hsm",
      replicas: 3,
      encryption: { atRest: true, inTransit: true, fips140Validated: true },
      networkSegmentation: { zones: ["dmz", "app", "cde", "management"], cdeIsolated: true },
    },
    frameworks: ["gdpr", "pci-dss"],
    shifLevel: "high",
    workload,
  });
  if (!plan.allowed)
    throw new Error(
      `the hardened request is still rejected: ${plan.violations.map((v) => v.message).join("; ")}`,
    );
  return {
    tier: "compliance",
    tenant: "compliance-000",
    planner: "planCompliantDeployment",
    recommendation: `SHIF high: ${plan.sizing.nodes} × ${plan.sizing.instanceType}, HSM keys, 3 copies, ${plan.segmentation.subnets.length} zones`,
    beforeUsd: plan.costBeforeUsd,
    afterUsd: plan.costAfterUsd,
    ceilingUsd: ceiling("compliance"),
    risks: plan.risks.map((risk) => risk.kind),
    violations: asked.allowed ? [] : asked.changes.map((change) => change.message),
  };
}

export function runTierPlans(startMs: number) {
  const compliance = complianceTier();
  return {
    rows: [zeroTier(), sharedTier(), liteTier(), enterpriseTier(startMs), compliance],
    shifChanges: compliance.violations,
  };
}

/** Three new workloads, and the cheapest tier that meets each one's needs. */
export function runTierChoices(): { name: string; answer: TierRecommendation }[] {
  return [
    {
      name: "a webhook: 200k requests a month, 120 ms at 512 MB",
      answer: recommendTier({
        requestsPerMonth: 200_000,
        durationMs: 120,
        memoryMb: 512,
        peakToMeanRatio: 4,
        storageGb: 1,
      }),
    },
    {
      name: "a SaaS API: 30M requests a month, 80 ms at 1 GB, 99.9 %",
      answer: recommendTier(
        { requestsPerMonth: 30_000_000, durationMs: 80, memoryMb: 1024, peakToMeanRatio: 3, storageGb: 50 },
        { availabilityPercent: 99.9 },
      ),
    },
    {
      name: "EU card payments: 5M requests a month, GDPR and PCI DSS, 99.95 %",
      answer: recommendTier(
        { requestsPerMonth: 5_000_000, durationMs: 150, memoryMb: 2048, peakToMeanRatio: 3, storageGb: 800 },
        { frameworks: ["gdpr", "pci-dss"], availabilityPercent: 99.95 },
      ),
    },
  ];
}
