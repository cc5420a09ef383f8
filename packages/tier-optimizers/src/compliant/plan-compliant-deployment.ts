import {
  type ComplianceCostResult,
  type ComplianceRecommendation,
  type ComplianceRequest,
  type ComplianceValidation,
  type ComplianceViolation,
  type CostComplianceOptions,
  parseComplianceRequest,
  parseRulePack,
  planSegmentation,
  type RegionCatalogue,
  type RulePack,
  rulePackRegistry,
  type SegmentationOptions,
  type SegmentationPlan,
  unknownFramework,
  validateCompliance,
} from "@enis/compliance-cost";
import { EnisError } from "@enis/core";
import { deepFreeze, parseOptions } from "@enis/core/validate";
import { kmsCost, type PricingCatalogue } from "@enis/cost-model";
import { z } from "zod";
import { type PlanSavings, planSavings } from "../plan.js";
import {
  type DedicatedTenancyPricing,
  defaultDedicatedTenancyPricing,
  dollars,
  type HardenedCostLine,
  type HardenedSizing,
  type HardenedWorkload,
  priceHardened,
} from "./hardened-sizing.js";
import {
  resolveShifLevel,
  type ShifLevel,
  type ShifLevelId,
  shifFrameworkId,
  shifRulePack,
} from "./shif-levels.js";

/** Options of {@link planCompliantDeployment}. */
export interface PlanCompliantDeploymentOptions {
  /** The deployment as compliance sees it (region, data, encryption, keys, MFA, zones, retention, copies). */
  readonly request: ComplianceRequest;
  /** Compliance frameworks the deployment must meet: built-in ids (`"hipaa"`, `"sox"`, `"gdpr"`, `"pci-dss"`, `"fedramp"`, `"iso-27001"`) or those of `rulePacks`; may be empty (SHIF only). */
  readonly frameworks: readonly string[];
  /** The SHIF security level: `"baseline"`, `"high"`, `"maximum"`, or a level object of the caller's. */
  readonly shifLevel: ShifLevelId | ShifLevel;
  /** The load to size: CPU and memory at peak before hardening, data and volumes. */
  readonly workload: HardenedWorkload;
  /** The instance type the nodes run on. @default "m5.xlarge" */
  readonly instanceType?: string;
  /** The pricing catalogue (`@enis/cost-model`). @default defaultAwsCatalogue (us-east-1) */
  readonly catalogue?: PricingCatalogue;
  /** The caller's rule packs, beside (and overriding) the built-in ones. */
  readonly rulePacks?: readonly RulePack[];
  /** The region catalogue of `validateCompliance`. @default awsRegionCatalogue */
  readonly regionCatalogue?: RegionCatalogue;
  /**
   * The network plan of an approved deployment (`planSegmentation`'s options). @default the seed's
   * four segments (management, production, audit, backup; seed 000 lines 2125-2195) as /24s of
   * 10.0.0.0/16 with the seed's firewall rules.
   */
  readonly segmentation?: SegmentationOptions;
  /** Dedicated-tenancy prices. @default {@link defaultDedicatedTenancyPricing} */
  readonly dedicatedTenancy?: DedicatedTenancyPricing;
  /**
   * Monthly cost of the air gap, USD, ≥ 0: required for an air-gapped level (`"maximum"`); no figure
   * is assumed. `seedAirGapMonthlyUsd` is the seed's illustrative $40,000.
   */
  readonly airGapMonthlyUsd?: number;
  /** Options passed to `costCompliance`: HSM price and count, encryption cycles and clock, the instance type pricing encryption, log ingestion price. */
  readonly costing?: Pick<
    CostComplianceOptions,
    | "encryptionCyclesPerByte"
    | "cpuClockHz"
    | "encryptionInstanceType"
    | "auditLogIngestionGbUsd"
    | "cloudHsmHourlyUsd"
    | "hsmCount"
  >;
}

/** What a platform engineer should weigh before deploying an approved plan. */
export type CompliantDeploymentRiskKind =
  /** Controls that no request field can show: they need evidence (policies, assessments). */
  | "evidence-required"
  /** The request was assumed in scope of controls because it lacks the fields to tell. */
  | "scope-assumed"
  /** The request's network zones are not the zones the segmentation plan lays out. */
  | "segmentation-mismatch"
  /** Prices that are estimates (dedicated premium, GovCloud ratio, spot and reserved). */
  | "approximate-prices";

/** One risk of an approved plan. */
export interface CompliantDeploymentRisk {
  readonly kind: CompliantDeploymentRiskKind;
  readonly message: string;
}

/**
 * The detail behind an approved plan's `costBeforeUsd` / `costAfterUsd`: every line (the
 * `"baseline"` lines sum to the cost before, all of them to the cost after) and the compliance bill.
 */
export interface CompliantDeploymentCost {
  /** USD a month, every line. */
  readonly lines: readonly HardenedCostLine[];
  /** The compliance bill (frameworks and the SHIF level's pack), line by line and framework by framework. */
  readonly compliance: ComplianceCostResult;
}

/** A request that breaks a rule: nothing is sized. */
export interface RejectedDeployment {
  readonly allowed: false;
  readonly reason: "non-compliant";
  readonly shifLevel: ShifLevel;
  /** The frameworks checked: the caller's and `"shif-<level>"`. */
  readonly frameworks: readonly string[];
  /** Every violated control, with its citation and the change that fixes it. */
  readonly violations: readonly ComplianceViolation[];
  /** The changes that would make the request compliant, merged across frameworks. */
  readonly changes: readonly ComplianceRecommendation[];
  readonly validation: ComplianceValidation;
  readonly explanation: readonly string[];
}

/** A compliant request, sized and priced at the SHIF level, with its network plan. */
export interface ApprovedDeployment {
  readonly allowed: true;
  readonly reason: null;
  readonly shifLevel: ShifLevel;
  readonly frameworks: readonly string[];
  readonly validation: ComplianceValidation;
  readonly sizing: HardenedSizing;
  /**
   * The load with no hardening and no compliance — its own nodes and one copy of its data, on
   * demand (the `"baseline"` lines) — USD a `period`.
   */
  readonly costBeforeUsd: number;
  /** The hardened, compliant deployment: every line, USD a `period`. */
  readonly costAfterUsd: number;
  /** Always `"month"`. */
  readonly period: "month";
  /**
   * `costBeforeUsd − costAfterUsd`: NEGATIVE, since compliance costs (its magnitude is what SHIF and
   * the frameworks add); `percent` the same against the unhardened load (−100 = twice its cost), null
   * when that is 0. Not a saving to bank: the price of being allowed to run at this level.
   */
  readonly savings: PlanSavings;
  /** The lines behind the two costs. */
  readonly cost: CompliantDeploymentCost;
  readonly segmentation: SegmentationPlan;
  readonly risks: readonly CompliantDeploymentRisk[];
  readonly explanation: readonly string[];
}

/** The result of {@link planCompliantDeployment}. */
export type CompliantDeploymentPlan = RejectedDeployment | ApprovedDeployment;

const volume = z.number().finite().min(0).max(1e15);
const workloadSchema = z.strictObject({
  cpuCores: z.number().finite().positive().max(1e7),
  memoryGib: z.number().finite().positive().max(1e9),
  storedGb: volume.optional(),
  auditLogGbPerMonth: volume.optional(),
  processedGbPerMonth: volume.optional(),
  transitGbPerMonth: volume.optional(),
  kmsRequestsPerMonth: z.number().int().min(0).max(1e15).optional(),
  recordsGbPerMonth: z
    .strictObject({ documentation: volume.optional(), "audit-evidence": volume.optional() })
    .optional(),
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
  request: z.unknown(),
  frameworks: z.array(z.unknown()),
  shifLevel: z.unknown(),
  workload: workloadSchema,
  instanceType: z.string().min(1).optional(),
  catalogue: catalogueSchema.optional(),
  rulePacks: z.array(z.unknown()).optional(),
  regionCatalogue: z.unknown().optional(),
  segmentation: z.unknown().optional(),
  dedicatedTenancy: z
    .strictObject({
      regionFeeHourlyUsd: z.number().finite().min(0).max(1e6),
      instancePremium: z.number().finite().min(0).max(10),
    })
    .optional(),
  airGapMonthlyUsd: z.number().finite().min(0).max(1e12).optional(),
  costing: z
    .strictObject({
      encryptionCyclesPerByte: z.number().finite().positive().optional(),
      cpuClockHz: z.number().finite().positive().optional(),
      encryptionInstanceType: z.string().min(1).optional(),
      auditLogIngestionGbUsd: z.number().finite().min(0).optional(),
      cloudHsmHourlyUsd: z.number().finite().min(0).optional(),
      hsmCount: z.number().int().min(1).max(1_000).optional(),
    })
    .optional(),
});

/** The seed's four network segments and firewall rules (seed 000, lines 2125-2195), on valid subnets. */
export const seedSegmentation: SegmentationOptions = Object.freeze({
  baseCidr: "10.0.0.0/16",
  zones: Object.freeze([
    { name: "management", prefixLength: 24 },
    {
      name: "production",
      prefixLength: 24,
      allow: [
        {
          from: "management",
          ports: [
            { protocol: "tcp", port: 22 },
            { protocol: "tcp", port: 443 },
          ],
        },
      ],
    },
    {
      name: "audit",
      prefixLength: 24,
      allow: [{ from: "production", ports: [{ protocol: "udp", port: 514 }] }],
    },
    {
      name: "backup",
      prefixLength: 24,
      allow: [{ from: "production", ports: [{ protocol: "tcp", port: 873 }] }],
    },
  ]),
}) as SegmentationOptions;

/** Checks the framework ids against the registry of the extra packs; throws `INVALID_OPTIONS` naming `field[i]`. */
export function checkFrameworks(
  frameworks: readonly unknown[],
  registry: ReadonlyMap<string, RulePack>,
  field: string,
): string[] {
  const ids: string[] = [];
  frameworks.forEach((framework, index) => {
    if (typeof framework !== "string" || !registry.has(framework)) {
      throw unknownFramework(`${field}[${index}]`, framework, registry.keys());
    }
    if (!ids.includes(framework)) ids.push(framework);
  });
  return ids.sort();
}

/**
 * Plans a deployment for the 🔴 compliance tier: validates the request against the frameworks'
 * rule packs and the SHIF level's requirements (`validateCompliance` of `@enis/compliance-cost`,
 * with the level as a pack of its own, `"shif-<level>"`), then sizes and prices it at the level.
 *
 * A request that breaks any applicable control is **rejected** (`allowed: false`): each violation
 * cites its control, and `changes` lists the edits to the request that would make it compliant.
 * Nothing is sized for it. An **approved** plan (`allowed: true`) carries:
 *
 * - `sizing`: nodes of `instanceType` for the load × the level's overhead factor, × its redundancy
 *   factor (1.5 with FedRAMP, seed 000 line 2201), at least its minimum nodes;
 * - `costBeforeUsd`: the baseline (the load's own nodes and one copy of its data, on demand);
 *   `costAfterUsd`: every line, a month (`period: "month"`); `savings.usd` = before − after is
 *   negative, the cost of compliance; `cost.lines`: the baseline lines and the
 *   overhead lines — SHIF compute, dedicated tenancy, air gap, and `costCompliance` of the
 *   frameworks plus the level (encryption, keys, HSM, audit logs, retention, copies, GovCloud);
 * - `segmentation`: `planSegmentation` of `options.segmentation`, or of the seed's four zones;
 * - `risks`: controls that need evidence, scope assumed, approximate prices.
 *
 * Pure and deterministic. Throws `EnisError` `INVALID_OPTIONS` (a negative or non-finite volume,
 * an unknown framework with the id it resembles, an unknown SHIF level, a request of the wrong
 * shape, an air-gapped level without `airGapMonthlyUsd`), `UNKNOWN_INSTANCE_TYPE`, or what
 * `planSegmentation` throws for a bad network plan (`INVALID_OPTIONS`, `DUPLICATE_ID`, `INFEASIBLE`).
 *
 * @example
 * ```ts
 * const plan = planCompliantDeployment({
 *   request: { region: "us-east-1", dataCategories: ["phi"], encryption: { atRest: true, inTransit: true, fips140Validated: true },
 *     keyManagement: "hsm", mfa: true, auditLogging: true, replicas: 3, documentationRetentionDays: 2557,
 *     networkSegmentation: { zones: ["management", "production", "audit", "backup"] } },
 *   frameworks: ["hipaa"],
 *   shifLevel: "high",
 *   workload: { cpuCores: 8, memoryGib: 32, storedGb: 500 },
 * });
 * if (plan.allowed) plan.costAfterUsd; else plan.changes.map((change) => change.message);
 * ```
 */
export function planCompliantDeployment(options: PlanCompliantDeploymentOptions): CompliantDeploymentPlan {
  const parsed = parseOptions(optionsSchema, options, "options");
  const level = resolveShifLevel(parsed.shifLevel, "options.shifLevel");
  const rulePacks = (parsed.rulePacks ?? []).map((pack, index) =>
    parseRulePack(pack, `options.rulePacks[${index}]`),
  );
  const shifId = shifFrameworkId(level);
  rulePacks.forEach((pack, index) => {
    if (pack.framework === shifId) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `options.rulePacks[${index}].framework must not be ${JSON.stringify(shifId)}, the id of the SHIF level's own pack, got ${JSON.stringify(pack.framework)}`,
        { field: `options.rulePacks[${index}].framework` },
      );
    }
  });
  const registry = rulePackRegistry(rulePacks);
  const frameworks = checkFrameworks(parsed.frameworks, registry, "options.frameworks");
  const request = parseComplianceRequest(parsed.request, "options.request");
  const checked = [...frameworks, shifId];
  const validation = validateCompliance(request, checked, {
    rulePacks: [...rulePacks, shifRulePack(level)],
    ...(parsed.regionCatalogue === undefined
      ? {}
      : { regionCatalogue: parsed.regionCatalogue as RegionCatalogue }),
  });
  const explanation: string[] = [
    `checked against ${checked.join(", ")}: ${validation.requiredControls.length} applicable controls, ${validation.violations.length} violated`,
  ];

  if (!validation.compliant) {
    for (const violation of validation.violations)
      explanation.push(`violation: ${violation.message} [${violation.citation}]`);
    for (const change of validation.recommendations) {
      explanation.push(
        `change: ${change.message} (${change.controls.map((control) => `${control.framework} ${control.control}`).join(", ")})`,
      );
    }
    return deepFreeze({
      allowed: false,
      reason: "non-compliant",
      shifLevel: level,
      frameworks: checked,
      violations: validation.violations,
      changes: validation.recommendations,
      validation,
      explanation,
    });
  }

  const priced = priceHardened({
    workload: parsed.workload as HardenedWorkload,
    level,
    frameworks,
    rulePacks,
    instanceType: parsed.instanceType ?? "m5.xlarge",
    catalogue: parsed.catalogue,
    dedicatedTenancy: parsed.dedicatedTenancy ?? defaultDedicatedTenancyPricing,
    airGapMonthlyUsd: parsed.airGapMonthlyUsd,
    costing: (parsed.costing ?? {}) as Omit<CostComplianceOptions, "catalogue" | "rulePacks">,
    airGapField: "options.airGapMonthlyUsd",
  });
  const segmentationOptions = (parsed.segmentation ?? seedSegmentation) as SegmentationOptions;
  const segmentation = planSegmentation(segmentationOptions);

  const risks: CompliantDeploymentRisk[] = [];
  const evidence = validation.requiredControls.filter((control) => !control.checkable);
  if (evidence.length > 0) {
    risks.push({
      kind: "evidence-required",
      message: `${evidence.length} applicable controls cannot be shown by the request and need evidence: ${evidence.map((control) => `${control.framework} ${control.control} (${control.title})`).join("; ")}`,
    });
  }
  const assumed = validation.requiredControls.filter((control) => control.applicability === "assumed");
  if (assumed.length > 0) {
    risks.push({
      kind: "scope-assumed",
      message: `${assumed.length} controls were taken to apply because the request lacks the fields to tell (e.g. dataCategories): ${assumed.map((control) => `${control.framework} ${control.control}`).join(", ")}`,
    });
  }
  const planned = segmentation.subnets.map((subnet) => subnet.zone);
  const requested = request.networkSegmentation?.zones ?? [];
  const missing = requested.filter((zone) => !planned.includes(zone));
  if (missing.length > 0) {
    risks.push({
      kind: "segmentation-mismatch",
      message: `the request names zones the segmentation plan does not lay out: ${missing.join(", ")} (planned: ${planned.join(", ")}); pass options.segmentation with the request's zones`,
    });
  }
  const approximate: string[] = [];
  if (level.dedicatedTenancy && parsed.dedicatedTenancy === undefined)
    approximate.push("the dedicated-tenancy premium");
  if (priced.compliance.lines.some((line) => line.kind === "govcloud-premium"))
    approximate.push("the GovCloud ratio");
  if (approximate.length > 0) {
    risks.push({
      kind: "approximate-prices",
      message: `estimated, not list, prices: ${approximate.join(", ")}`,
    });
  }

  const { sizing } = priced;
  explanation.push(
    `SHIF ${level.id}: ${level.description}`,
    `sizing: ${sizing.nodes} × ${sizing.instanceType} (load ${sizing.loadNodes} nodes after × ${level.computeOverheadFactor} overhead; × ${sizing.nodeRedundancyFactor} redundancy; at least ${level.minNodes}); the load alone needs ${sizing.baseNodes}`,
    ...priced.lines.map((line) => `${line.item}: ${line.explanation}`),
    `total ${dollars(priced.totalUsd)} a month: baseline ${dollars(priced.baselineUsd)}, SHIF and compliance overhead ${dollars(priced.overheadUsd)}`,
    `segmentation: ${segmentation.subnets.map((subnet) => `${subnet.zone} ${subnet.cidr}`).join(", ")}; ${segmentation.rules.length} allow rules, everything else denied`,
  );
  return deepFreeze({
    allowed: true,
    reason: null,
    shifLevel: level,
    frameworks: checked,
    validation,
    sizing,
    costBeforeUsd: priced.baselineUsd,
    costAfterUsd: priced.totalUsd,
    period: "month",
    savings: planSavings(priced.baselineUsd, priced.totalUsd),
    cost: {
      lines: priced.lines,
      compliance: priced.compliance,
    },
    segmentation,
    risks,
    explanation,
  });
}
