import { parseRulePack, type RulePack, rulePackRegistry } from "@enis/compliance-cost";
import { type TierBudget, type TierCatalogue, type TierId, tierIds } from "@enis/core";
import { deepFreeze, invalidField, parseOptions, resolveCatalogue } from "@enis/core/validate";
import {
  type Architecture,
  computeCost,
  defaultAwsCatalogue,
  defaultResourcePrices,
  kmsCost,
  lambdaCost,
  instanceType as lookupInstanceType,
  type PricingCatalogue,
  storageCost,
} from "@enis/cost-model";
import { z } from "zod";
import {
  type DedicatedTenancyPricing,
  defaultDedicatedTenancyPricing,
  dollars,
  monthHours,
  figure as num,
  priceHardened,
  tidy,
} from "../compliant/hardened-sizing.js";
import { checkFrameworks } from "../compliant/plan-compliant-deployment.js";
import { resolveShifLevel, type ShifLevel, type ShifLevelId } from "../compliant/shif-levels.js";
import {
  defaultTierProfiles,
  type TierDeploymentModel,
  type TierIsolation,
  type TierProfile,
  tierIsolationOrder,
} from "./tier-profiles.js";

/** Milliseconds in a billing month of 730 hours. */
const monthMs = monthHours * 3_600_000;
/** Lambda gives a function one full vCPU at 1,769 MB (AWS Lambda Developer Guide, "Configure Lambda function memory"). */
const lambdaMbPerVcpu = 1_769;
/** Lambda's longest timeout, 15 minutes (AWS Lambda quotas). */
const lambdaMaxDurationMs = 900_000;

/**
 * A workload as a new customer describes it: requests a month and what one request takes. It is
 * written in Lambda's terms (a request holds `memoryMb` and the CPU Lambda gives that memory for
 * `durationMs`) so that every tier is priced from the same figures.
 */
export interface TierWorkload {
  /** Requests a month, a whole number ≥ 0. */
  readonly requestsPerMonth: number;
  /** Mean duration of one request, ms, finite and > 0. */
  readonly durationMs: number;
  /** Memory one request in flight holds (the Lambda function's size), whole MB from 128 to 10,240. */
  readonly memoryMb: number;
  /**
   * Peak concurrency / mean concurrency, finite and from 1 to 1,000: capacity-priced tiers are
   * sized for the peak. @default 1
   */
  readonly peakToMeanRatio?: number;
  /** GB of data stored, finite and ≥ 0. @default 0 */
  readonly storageGb?: number;
}

/** What the workload needs of a tier. Every field is optional: absent, it rules nothing out. */
export interface TierConstraints {
  /** Least monthly availability, percent, in (0, 100]. */
  readonly availabilityPercent?: number;
  /** Greatest p99 latency the workload tolerates, ms, > 0. */
  readonly latencyP99Ms?: number;
  /** Compliance frameworks the deployment must meet (rule-pack ids: `"hipaa"`, `"pci-dss"`, …). */
  readonly frameworks?: readonly string[];
  /** Least isolation from other tenants. */
  readonly isolation?: TierIsolation;
  /** The customer's own monthly budget, USD, ≥ 0. */
  readonly maxMonthlyUsd?: number;
}

/** A tier profile field a caller may override. */
export type TierProfileOverride = Partial<
  Pick<TierProfile, "availabilityPercent" | "latencyP99Ms" | "frameworks" | "isolation">
>;

/** Options of {@link recommendTier}. */
export interface RecommendTierOptions {
  /** The tier catalogue (budgets). @default defaultTierCatalogue */
  readonly tierCatalogue?: TierCatalogue;
  /** The pricing catalogue. @default defaultAwsCatalogue */
  readonly catalogue?: PricingCatalogue;
  /** Overrides of the tiers' profiles (SLA, latency, frameworks, isolation), by tier id. */
  readonly profiles?: Partial<Record<TierId, TierProfileOverride>>;
  /** The node type of the capacity-priced tiers (🟡 🟢 🔵 🔴). @default "m5.xlarge" */
  readonly instanceType?: string;
  /**
   * Share of a node's CPU and memory the peak may fill, in (0, 1]: capacity is the peak / this.
   * @default 0.8 (seed 000, line 2406: resource utilisation > 80%)
   */
  readonly utilizationTarget?: number;
  /** Fewest nodes of a dedicated cluster (🟢, each 🔵 region), a whole number ≥ 1. @default 2 */
  readonly minDedicatedNodes?: number;
  /** Regions of 🔵, each able to carry the peak, a whole number ≥ 1. @default 2 */
  readonly enterpriseRegions?: number;
  /** Lambda concurrency available to the workload (the regional quota), a whole number ≥ 1. @default 1,000 (AWS's default quota) */
  readonly lambdaConcurrencyLimit?: number;
  /** Lambda architecture of 🟤. @default "x86_64" */
  readonly architecture?: Architecture;
  /** The SHIF level 🔴 is priced at. @default "high" */
  readonly complianceShifLevel?: ShifLevelId | ShifLevel;
  /** Air-gap cost of 🔴 when its level is air-gapped, USD a month. */
  readonly airGapMonthlyUsd?: number;
  /** Dedicated-tenancy prices for 🔴. @default defaultDedicatedTenancyPricing */
  readonly dedicatedTenancy?: DedicatedTenancyPricing;
  /** Rule packs beside the built-in ones (their frameworks are offered by 🔴 only, unless a profile lists them). */
  readonly rulePacks?: readonly RulePack[];
}

/**
 * Why a tier is not the recommendation:
 * - `"availability-below-required"`, `"latency-above-required"`, `"framework-not-supported"`,
 *   `"isolation-below-required"`: the tier's profile does not meet the constraint;
 * - `"over-tier-monthly-ceiling"`, `"over-tier-request-ceiling"`: the workload's cost on the tier
 *   is above the tier's budget ceilings (`@enis/core` catalogue, seed 000 budget profiles);
 * - `"over-customer-budget"`: above `constraints.maxMonthlyUsd`;
 * - `"platform-limit"`: the deployment model cannot run it (Lambda's 15-minute timeout or its
 *   concurrency quota);
 * - `"not-cheapest"`: eligible, but the recommendation costs less (or the same, at a lower rank).
 */
export type TierRuledOutReason =
  | "availability-below-required"
  | "latency-above-required"
  | "framework-not-supported"
  | "isolation-below-required"
  | "over-tier-monthly-ceiling"
  | "over-tier-request-ceiling"
  | "over-customer-budget"
  | "platform-limit"
  | "not-cheapest";

/** One reason a tier is ruled out, in words and numbers. */
export interface TierRuling {
  readonly reason: TierRuledOutReason;
  readonly message: string;
}

/** One line of a tier's price for the workload. */
export interface TierPriceLine {
  readonly item: string;
  /** USD a month. */
  readonly costUsd: number;
  readonly explanation: string;
}

/** One tier, priced for the workload and checked against the constraints. */
export interface TierAssessment {
  readonly tier: TierId;
  readonly emoji: string;
  readonly name: string;
  readonly rank: number;
  readonly profile: TierProfile;
  readonly budget: TierBudget;
  readonly deploymentModel: TierDeploymentModel;
  /** The workload's cost on the tier, USD a month. */
  readonly monthlyCostUsd: number;
  /** `monthlyCostUsd / requestsPerMonth`; null with no requests. */
  readonly costPerRequestUsd: number | null;
  readonly lines: readonly TierPriceLine[];
  /** Nodes the tier runs (all regions), for capacity-priced tiers; null for 🟤 and 🟡. */
  readonly nodes: number | null;
  /** Every constraint and ceiling passes. */
  readonly eligible: boolean;
  readonly recommended: boolean;
  /** Why it is not the recommendation; empty for the recommended tier. */
  readonly reasons: readonly TierRuling[];
}

/** The workload's capacity, from its requests, duration and memory. */
export interface TierWorkloadSizing {
  /** Requests in flight on average: `requestsPerMonth × durationMs / (730 h in ms)`. */
  readonly meanConcurrency: number;
  /** `meanConcurrency × peakToMeanRatio`. */
  readonly peakConcurrency: number;
  /** CPU at peak: `peakConcurrency × memoryMb / 1,769` (Lambda's CPU share of memory). */
  readonly peakCpuCores: number;
  /** Memory at peak: `peakConcurrency × memoryMb / 1,024`, GiB. */
  readonly peakMemoryGib: number;
}

/** The answer of {@link recommendTier}. */
export interface TierRecommendation {
  /** `"recommended"`, or `"no-eligible-tier"` when every tier is ruled out (each with its reasons). */
  readonly outcome: "recommended" | "no-eligible-tier";
  /** The cheapest eligible tier; null when none is. */
  readonly recommended: TierId | null;
  /** The five tiers in rank order. */
  readonly tiers: readonly TierAssessment[];
  readonly sizing: TierWorkloadSizing;
  /** The frameworks asked for, deduplicated and sorted. */
  readonly frameworks: readonly string[];
  /** The reasoning in words and numbers, one step a line. */
  readonly explanation: readonly string[];
}

const workloadSchema = z.strictObject({
  requestsPerMonth: z.number().int().min(0).max(1e15),
  durationMs: z.number().finite().positive().max(8.64e7),
  memoryMb: z.number().int().min(128).max(10_240),
  peakToMeanRatio: z.number().finite().min(1).max(1_000).optional(),
  storageGb: z.number().finite().min(0).max(1e12).optional(),
});

const isolationSchema = z.enum(tierIsolationOrder as unknown as [TierIsolation, ...TierIsolation[]]);

const constraintsSchema = z.strictObject({
  availabilityPercent: z.number().finite().gt(0).max(100).optional(),
  latencyP99Ms: z.number().finite().positive().optional(),
  frameworks: z.array(z.unknown()).optional(),
  isolation: isolationSchema.optional(),
  maxMonthlyUsd: z.number().finite().min(0).optional(),
});

const profileOverrideSchema = z.strictObject({
  availabilityPercent: z.number().finite().gt(0).max(100).optional(),
  latencyP99Ms: z.number().finite().positive().optional(),
  frameworks: z.array(z.string().min(1)).optional(),
  isolation: isolationSchema.optional(),
});

const catalogueSchema = z.custom<PricingCatalogue>((value) => {
  try {
    kmsCost({ keys: 0 }, value as PricingCatalogue);
    return true;
  } catch {
    return false;
  }
}, "a pricing catalogue of @enis/cost-model");

const optionsSchema = z.strictObject({
  tierCatalogue: z.unknown().optional(),
  catalogue: catalogueSchema.optional(),
  profiles: z
    .strictObject(Object.fromEntries(tierIds.map((id) => [id, profileOverrideSchema.optional()])))
    .optional(),
  instanceType: z.string().min(1).optional(),
  utilizationTarget: z.number().finite().gt(0).max(1).optional(),
  minDedicatedNodes: z.number().int().min(1).max(1_000).optional(),
  enterpriseRegions: z.number().int().min(1).max(50).optional(),
  lambdaConcurrencyLimit: z.number().int().min(1).max(1e9).optional(),
  architecture: z.enum(["x86_64", "arm64"]).optional(),
  complianceShifLevel: z.unknown().optional(),
  airGapMonthlyUsd: z.number().finite().min(0).max(1e12).optional(),
  dedicatedTenancy: z
    .strictObject({
      regionFeeHourlyUsd: z.number().finite().min(0).max(1e6),
      instancePremium: z.number().finite().min(0).max(10),
    })
    .optional(),
  rulePacks: z.array(z.unknown()).optional(),
});

interface Priced {
  readonly monthlyCostUsd: number;
  readonly lines: TierPriceLine[];
  readonly nodes: number | null;
  readonly limits: TierRuling[];
}

/**
 * The cheapest tier that meets a workload's budget, availability, latency, isolation and
 * compliance needs — the question a new customer asks first — with the reason each other tier
 * was ruled out.
 *
 * Each tier's profile ({@link defaultTierProfiles}: deployment model, SLA, p99 latency,
 * frameworks, isolation; cited to seed 000 or marked policy) is checked against `constraints`, and
 * the workload is priced on the tier's deployment model with `@enis/cost-model`:
 *
 * - 🟤 `serverless`: `lambdaCost` of the requests at `memoryMb` and `durationMs` (billed ms rounded
 *   up), plus storage; ruled out past Lambda's 15-minute timeout or its concurrency quota;
 * - 🟡 `shared-kubernetes`: the peak CPU and memory / `utilizationTarget`, at the node type's
 *   hourly price split into core-hours and GiB-hours in OpenCost's ratio, plus storage;
 * - 🟢 `dedicated-kubernetes`: on-demand nodes holding the peak / `utilizationTarget`, at least
 *   `minDedicatedNodes`, plus storage;
 * - 🔵 `multi-region-kubernetes`: the 🟢 cluster and storage in each of `enterpriseRegions`;
 * - 🔴 `compliance-kubernetes`: the peak sized and priced at `complianceShifLevel` as
 *   `planCompliantDeployment` sizes it (overhead, redundancy, dedicated tenancy, HSM, and the
 *   `costCompliance` bill of the frameworks).
 *
 * The cost is compared with the tier's ceilings (`budget.monthlyCeilingUsd`,
 * `budget.costPerRequestCeilingUsd` of the core catalogue) and with `maxMonthlyUsd`. The
 * recommendation is the eligible tier of least monthly cost (ties: the lower rank); every other
 * tier carries at least one reason. When none is eligible the outcome is `"no-eligible-tier"`,
 * not an error.
 *
 * Throws `EnisError` `INVALID_OPTIONS` for bad input (negative requests, a duration that is not a
 * positive number, memory outside 128–10,240 MB, an unknown framework with the id it resembles, an
 * unknown option), `UNKNOWN_INSTANCE_TYPE` for a node type the catalogue lacks.
 *
 * @example
 * ```ts
 * const answer = recommendTier(
 *   { requestsPerMonth: 2_000_000, durationMs: 120, memoryMb: 512 },
 *   { availabilityPercent: 99.5 },
 * );
 * answer.recommended; // "zero": $2.40 a month on Lambda (120,000 GB-s and 2M requests)
 * answer.tiers[2].reasons; // [{ reason: "not-cheapest", message: "… $280.32 …" }]
 * ```
 */
export function recommendTier(
  workload: TierWorkload,
  constraints: TierConstraints = {},
  options: RecommendTierOptions = {},
): TierRecommendation {
  const load = parseOptions(workloadSchema, workload, "workload");
  const wanted = parseOptions(constraintsSchema, constraints, "constraints");
  const parsed = parseOptions(optionsSchema, options, "options");
  const tiers = resolveCatalogue(parsed.tierCatalogue, "options.tierCatalogue");
  const catalogue = parsed.catalogue ?? defaultAwsCatalogue;
  const rulePacks = (parsed.rulePacks ?? []).map((pack, index) =>
    parseRulePack(pack, `options.rulePacks[${index}]`),
  );
  const registry = rulePackRegistry(rulePacks);
  const frameworks = checkFrameworks(wanted.frameworks ?? [], registry, "constraints.frameworks");
  const profiles = resolveProfiles(parsed.profiles as RecommendTierOptions["profiles"], registry, rulePacks);
  const level = resolveShifLevel(parsed.complianceShifLevel ?? "high", "options.complianceShifLevel");
  const nodeType = parsed.instanceType ?? "m5.xlarge";
  const spec = lookupInstanceType(catalogue, nodeType);
  const utilization = parsed.utilizationTarget ?? 0.8;
  const minNodes = parsed.minDedicatedNodes ?? 2;
  const regions = parsed.enterpriseRegions ?? 2;
  const concurrencyLimit = parsed.lambdaConcurrencyLimit ?? 1_000;
  const architecture = parsed.architecture ?? "x86_64";
  if (level.airGapped && parsed.airGapMonthlyUsd === undefined) {
    throw invalidField(
      "options.airGapMonthlyUsd",
      undefined,
      `given (USD a month) when options.complianceShifLevel is the air-gapped level ${JSON.stringify(level.id)}`,
    );
  }

  const peakToMean = load.peakToMeanRatio ?? 1;
  const storageGb = load.storageGb ?? 0;
  const meanConcurrency = tidy((load.requestsPerMonth * load.durationMs) / monthMs);
  const peakConcurrency = tidy(meanConcurrency * peakToMean);
  const sizing: TierWorkloadSizing = {
    meanConcurrency,
    peakConcurrency,
    peakCpuCores: tidy((peakConcurrency * load.memoryMb) / lambdaMbPerVcpu),
    peakMemoryGib: tidy((peakConcurrency * load.memoryMb) / 1024),
  };
  const storage = storageCost({ gb: storageGb, months: 1 }, catalogue).costUsd;
  const storageLine = (copies: number): TierPriceLine => ({
    item: "storage",
    costUsd: tidy(storage * copies),
    explanation: `${tidy(storageGb)} GB${copies > 1 ? ` × ${copies} regions` : ""} × ${dollars(catalogue.storage.hot.gbMonthUsd)} a GB-month = ${dollars(storage * copies)}`,
  });
  const neededCpu = sizing.peakCpuCores / utilization;
  const neededMemory = sizing.peakMemoryGib / utilization;
  const clusterNodes = Math.max(
    minNodes,
    Math.ceil(tidy(neededCpu / spec.vcpus)),
    Math.ceil(tidy(neededMemory / spec.memoryGib)),
  );
  if (!Number.isSafeInteger(clusterNodes * regions)) {
    throw invalidField("workload", workload, "small enough that the node count is a safe integer");
  }

  const price = (model: TierDeploymentModel): Priced => {
    switch (model) {
      case "serverless": {
        const billedDurationMs = Math.ceil(load.durationMs);
        const lambda = lambdaCost(
          { invocations: load.requestsPerMonth, billedDurationMs, memoryMb: load.memoryMb, architecture },
          catalogue,
        );
        const limits: TierRuling[] = [];
        if (load.durationMs > lambdaMaxDurationMs) {
          limits.push({
            reason: "platform-limit",
            message: `a request takes ${tidy(load.durationMs)} ms, above Lambda's 900,000 ms (15-minute) timeout`,
          });
        }
        if (peakConcurrency > concurrencyLimit) {
          limits.push({
            reason: "platform-limit",
            message: `peak concurrency ${tidy(peakConcurrency)} is above the Lambda concurrency quota of ${concurrencyLimit} (options.lambdaConcurrencyLimit)`,
          });
        }
        return {
          monthlyCostUsd: tidy(lambda.costUsd + storage),
          lines: [
            { item: "lambda", costUsd: lambda.costUsd, explanation: lambda.explanation },
            storageLine(1),
          ],
          nodes: null,
          limits,
        };
      }
      case "shared-kubernetes": {
        // OpenCost's split of a node's price: a core weighs cpuCoreHourUsd / memoryGibHourUsd GiB.
        const weight =
          spec.vcpus * defaultResourcePrices.cpuCoreHourUsd +
          spec.memoryGib * defaultResourcePrices.memoryGibHourUsd;
        const coreHourUsd = (spec.onDemandHourlyUsd * defaultResourcePrices.cpuCoreHourUsd) / weight;
        const gibHourUsd = (spec.onDemandHourlyUsd * defaultResourcePrices.memoryGibHourUsd) / weight;
        // A namespace keeps at least one pod able to serve one request: HPA min_replicas=1 (seed 000, line 337).
        const slots = Math.max(peakConcurrency, 1);
        const quotaCpu = (slots * load.memoryMb) / lambdaMbPerVcpu / utilization;
        const quotaMemory = (slots * load.memoryMb) / 1024 / utilization;
        const cpuUsd = tidy(quotaCpu * coreHourUsd * monthHours);
        const memoryUsd = tidy(quotaMemory * gibHourUsd * monthHours);
        return {
          monthlyCostUsd: tidy(cpuUsd + memoryUsd + storage),
          lines: [
            {
              item: "quota-cpu",
              costUsd: cpuUsd,
              explanation: `${num(slots)} requests in flight (peak, at least 1) × ${load.memoryMb} MB / 1,769 MB a core / ${utilization} = ${num(quotaCpu)} cores requested × ${monthHours} h × ${dollars(coreHourUsd)} a core-hour (${nodeType} at ${dollars(spec.onDemandHourlyUsd)}/h split in OpenCost's CPU:memory price ratio) = ${dollars(cpuUsd)}`,
            },
            {
              item: "quota-memory",
              costUsd: memoryUsd,
              explanation: `${num(slots)} requests in flight × ${load.memoryMb} MB / 1,024 / ${utilization} = ${num(quotaMemory)} GiB requested × ${monthHours} h × ${dollars(gibHourUsd)} a GiB-hour = ${dollars(memoryUsd)}`,
            },
            storageLine(1),
          ],
          nodes: null,
          limits: [],
        };
      }
      case "dedicated-kubernetes":
      case "multi-region-kubernetes": {
        const copies = model === "dedicated-kubernetes" ? 1 : regions;
        const compute = computeCost(
          { instanceType: nodeType, hours: monthHours, count: clusterNodes * copies },
          catalogue,
        );
        return {
          monthlyCostUsd: tidy(compute.costUsd + storage * copies),
          lines: [
            {
              item: "nodes",
              costUsd: compute.costUsd,
              explanation: `max(${minNodes}, ceil(${num(neededCpu)} cores / ${spec.vcpus}), ceil(${num(neededMemory)} GiB / ${spec.memoryGib})) = ${clusterNodes} × ${nodeType}${copies > 1 ? ` in each of ${copies} regions` : ""} (peak / ${utilization}): ${compute.explanation}`,
            },
            storageLine(copies),
          ],
          nodes: clusterNodes * copies,
          limits: [],
        };
      }
      case "compliance-kubernetes": {
        const hardened = priceHardened({
          workload: {
            cpuCores: sizing.peakCpuCores,
            memoryGib: sizing.peakMemoryGib,
            storedGb: storageGb,
          },
          level,
          frameworks,
          rulePacks,
          instanceType: nodeType,
          catalogue: parsed.catalogue,
          dedicatedTenancy: parsed.dedicatedTenancy ?? defaultDedicatedTenancyPricing,
          airGapMonthlyUsd: parsed.airGapMonthlyUsd,
          costing: {},
          airGapField: "options.airGapMonthlyUsd",
        });
        return {
          monthlyCostUsd: hardened.totalUsd,
          lines: hardened.lines.map((line) => ({
            item: line.item,
            costUsd: line.costUsd,
            explanation: line.explanation,
          })),
          nodes: hardened.sizing.nodes,
          limits: [],
        };
      }
    }
  };

  const drafts = tiers.tiers.map((tier) => {
    const profile = profiles.get(tier.id)!;
    const priced = price(profile.deploymentModel);
    const reasons: TierRuling[] = [];
    if (
      wanted.availabilityPercent !== undefined &&
      profile.availabilityPercent < wanted.availabilityPercent
    ) {
      reasons.push({
        reason: "availability-below-required",
        message: `${tier.emoji} ${tier.id} commits to ${profile.availabilityPercent}% availability, below the ${wanted.availabilityPercent}% required`,
      });
    }
    if (wanted.latencyP99Ms !== undefined && profile.latencyP99Ms > wanted.latencyP99Ms) {
      reasons.push({
        reason: "latency-above-required",
        message: `${tier.emoji} ${tier.id} holds a p99 of ${profile.latencyP99Ms} ms, above the ${wanted.latencyP99Ms} ms required`,
      });
    }
    const unsupported = frameworks.filter((framework) => !profile.frameworks.includes(framework));
    if (unsupported.length > 0) {
      reasons.push({
        reason: "framework-not-supported",
        message: `${tier.emoji} ${tier.id} does not offer ${unsupported.join(", ")} (it offers ${profile.frameworks.join(", ") || "none"})`,
      });
    }
    if (
      wanted.isolation !== undefined &&
      tierIsolationOrder.indexOf(profile.isolation) < tierIsolationOrder.indexOf(wanted.isolation)
    ) {
      reasons.push({
        reason: "isolation-below-required",
        message: `${tier.emoji} ${tier.id} isolates by ${profile.isolation}, weaker than the ${wanted.isolation} required`,
      });
    }
    reasons.push(...priced.limits);
    const costPerRequestUsd =
      load.requestsPerMonth === 0 ? null : tidy(priced.monthlyCostUsd / load.requestsPerMonth);
    if (priced.monthlyCostUsd > tier.budget.monthlyCeilingUsd) {
      reasons.push({
        reason: "over-tier-monthly-ceiling",
        message: `${dollars(priced.monthlyCostUsd)} a month on ${tier.emoji} ${tier.id} is above its ${dollars(tier.budget.monthlyCeilingUsd)} ceiling`,
      });
    }
    if (costPerRequestUsd !== null && costPerRequestUsd > tier.budget.costPerRequestCeilingUsd) {
      reasons.push({
        reason: "over-tier-request-ceiling",
        message: `${dollars(costPerRequestUsd)} a request on ${tier.emoji} ${tier.id} is above its ${dollars(tier.budget.costPerRequestCeilingUsd)} ceiling`,
      });
    }
    if (wanted.maxMonthlyUsd !== undefined && priced.monthlyCostUsd > wanted.maxMonthlyUsd) {
      reasons.push({
        reason: "over-customer-budget",
        message: `${dollars(priced.monthlyCostUsd)} a month on ${tier.emoji} ${tier.id} is above the customer's ${dollars(wanted.maxMonthlyUsd)} budget`,
      });
    }
    return { tier, profile, priced, costPerRequestUsd, reasons };
  });

  let pick: (typeof drafts)[number] | undefined;
  for (const draft of drafts) {
    if (draft.reasons.length > 0) continue;
    if (pick === undefined || draft.priced.monthlyCostUsd < pick.priced.monthlyCostUsd) pick = draft;
  }
  const assessments: TierAssessment[] = drafts.map((draft) => {
    const eligible = draft.reasons.length === 0;
    const recommended = draft === pick;
    const reasons = [...draft.reasons];
    if (eligible && !recommended && pick !== undefined) {
      reasons.push({
        reason: "not-cheapest",
        message:
          draft.priced.monthlyCostUsd === pick.priced.monthlyCostUsd
            ? `${dollars(draft.priced.monthlyCostUsd)} a month, the same as ${pick.tier.emoji} ${pick.tier.id}, which ranks lower`
            : `${dollars(draft.priced.monthlyCostUsd)} a month, ${dollars(draft.priced.monthlyCostUsd - pick.priced.monthlyCostUsd)} more than ${pick.tier.emoji} ${pick.tier.id} (${dollars(pick.priced.monthlyCostUsd)})`,
      });
    }
    return {
      tier: draft.tier.id,
      emoji: draft.tier.emoji,
      name: draft.tier.name,
      rank: draft.tier.rank,
      profile: draft.profile,
      budget: draft.tier.budget,
      deploymentModel: draft.profile.deploymentModel,
      monthlyCostUsd: draft.priced.monthlyCostUsd,
      costPerRequestUsd: draft.costPerRequestUsd,
      lines: draft.priced.lines,
      nodes: draft.priced.nodes,
      eligible,
      recommended,
      reasons,
    };
  });

  const explanation = [
    `workload: ${load.requestsPerMonth} requests a month × ${tidy(load.durationMs)} ms at ${load.memoryMb} MB: mean concurrency ${num(meanConcurrency)}, peak ${num(peakConcurrency)} (× ${peakToMean}) = ${num(sizing.peakCpuCores)} cores, ${num(sizing.peakMemoryGib)} GiB`,
    ...assessments.map(
      (assessment) =>
        `${assessment.emoji} ${assessment.tier} (${assessment.deploymentModel}): ${dollars(assessment.monthlyCostUsd)} a month${assessment.costPerRequestUsd === null ? "" : `, ${dollars(assessment.costPerRequestUsd)} a request`}; ${assessment.recommended ? "recommended" : assessment.reasons.map((ruling) => `${ruling.reason}: ${ruling.message}`).join("; ")}`,
    ),
    pick === undefined
      ? "no tier meets every constraint: relax the constraint named most often above, or raise the budget"
      : `recommended: ${pick.tier.emoji} ${pick.tier.id}, the cheapest tier that meets every constraint`,
  ];
  return deepFreeze({
    outcome: pick === undefined ? "no-eligible-tier" : "recommended",
    recommended: pick === undefined ? null : pick.tier.id,
    tiers: assessments,
    sizing,
    frameworks,
    explanation,
  });
}

function resolveProfiles(
  overrides: RecommendTierOptions["profiles"],
  registry: ReadonlyMap<string, RulePack>,
  rulePacks: readonly RulePack[],
): Map<TierId, TierProfile> {
  const profiles = new Map<TierId, TierProfile>();
  for (const base of defaultTierProfiles) {
    const override = overrides?.[base.tier];
    const frameworks =
      override?.frameworks ??
      (base.tier === "compliance"
        ? [...base.frameworks, ...rulePacks.map((pack) => pack.framework)]
        : base.frameworks);
    if (override?.frameworks !== undefined)
      checkFrameworks(override.frameworks, registry, `options.profiles.${base.tier}.frameworks`);
    profiles.set(base.tier, {
      ...base,
      ...(override?.availabilityPercent === undefined
        ? {}
        : { availabilityPercent: override.availabilityPercent }),
      ...(override?.latencyP99Ms === undefined ? {} : { latencyP99Ms: override.latencyP99Ms }),
      ...(override?.isolation === undefined ? {} : { isolation: override.isolation }),
      frameworks: [...new Set(frameworks)].sort(),
    });
  }
  return profiles;
}
