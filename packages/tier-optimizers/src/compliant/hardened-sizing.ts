import {
  type ComplianceCostResult,
  type ComplianceResource,
  type CostComplianceOptions,
  costCompliance,
  type RulePack,
  rulePackRegistry,
} from "@enis/compliance-cost";
import { EnisError } from "@enis/core";
import { invalidField } from "@enis/core/validate";
import {
  computeCost,
  defaultAwsCatalogue,
  instanceType as lookupInstanceType,
  type PriceProvenance,
  type PricingCatalogue,
  storageCost,
} from "@enis/cost-model";
import { type ShifLevel, shifFrameworkId, shifRulePack } from "./shif-levels.js";

/** Hours in a billing month (the AWS Pricing Calculator's 730). */
export const monthHours = 730;

/** The seed's node-redundancy factor with FedRAMP among the frameworks (seed 000, line 2201). */
export const fedrampNodeRedundancyFactor = 1.5;

/**
 * What a compliant deployment runs before any hardening: the load's own CPU, memory and data.
 * Every figure is finite and ≥ 0 (CPU and memory > 0).
 */
export interface HardenedWorkload {
  /** CPU cores the load needs at peak, before SHIF overhead, > 0. */
  readonly cpuCores: number;
  /** Memory the load needs at peak, GiB, before SHIF overhead, > 0. */
  readonly memoryGib: number;
  /** GB of data stored (one copy). @default 0 */
  readonly storedGb?: number;
  /** GB of audit logs ingested a month. @default 0 */
  readonly auditLogGbPerMonth?: number;
  /** GB passing through at-rest encryption a month. @default 0 */
  readonly processedGbPerMonth?: number;
  /** GB sent or received over TLS a month. @default 0 */
  readonly transitGbPerMonth?: number;
  /** KMS API requests a month, a whole number. @default 0 */
  readonly kmsRequestsPerMonth?: number;
  /** GB of documentation and audit evidence written a month (retained as the frameworks say). */
  readonly recordsGbPerMonth?: { readonly documentation?: number; readonly "audit-evidence"?: number };
}

/** The price of single-tenant hardware (EC2 Dedicated Instances). */
export interface DedicatedTenancyPricing {
  /** The per-region fee, USD per hour while any dedicated instance runs, ≥ 0. */
  readonly regionFeeHourlyUsd: number;
  /** Dedicated price / on-demand price − 1, from 0 to 10. */
  readonly instancePremium: number;
}

/**
 * AWS's dedicated-tenancy prices, approximately: a $2 per hour per-region fee and dedicated
 * instance prices about 10% above on-demand (m5.large $0.106 against $0.096).
 */
export const defaultDedicatedTenancyPricing: DedicatedTenancyPricing & {
  readonly provenance: PriceProvenance;
} = Object.freeze({
  regionFeeHourlyUsd: 2,
  instancePremium: 0.1,
  provenance: Object.freeze({
    source: "https://aws.amazon.com/ec2/pricing/dedicated-instances/",
    asOf: "2026-12-01",
    approximate: true,
    note: "The $2/h per-region fee is AWS's published figure; the 10% instance premium is the m5 ratio (dedicated m5.large $0.106/h against $0.096/h on-demand) applied to every type.",
  }),
});

/**
 * The seed's illustrative monthly cost of an air gap: 20 components (2 data diodes, 5 secure
 * terminals, 3 offline backup systems, 10 physical security devices) × $2,000 a component-month
 * (seed 000, lines 1783-1788 and 1806). Not a quote: pass your own figure as `airGapMonthlyUsd`;
 * pass this constant only to reproduce the seed.
 */
export const seedAirGapMonthlyUsd = 40_000;

/** One line of a hardened deployment's monthly bill. */
export interface HardenedCostLine {
  /**
   * - `"base-compute"`: the nodes the load needs with no hardening (on-demand);
   * - `"shif-compute"`: the nodes the SHIF level adds (overhead, redundancy, minimum nodes);
   * - `"dedicated-tenancy"`: the dedicated-instance premium and per-region fee;
   * - `"air-gap"`: the caller's air-gap cost;
   * - `"primary-storage"`: one copy of the stored data, hot tier;
   * - `"compliance"`: `costCompliance` of the frameworks and the SHIF level (encryption, keys,
   *   HSM, audit logs, retention, extra copies, GovCloud premium), detailed in `compliance`.
   */
  readonly item:
    | "base-compute"
    | "shif-compute"
    | "dedicated-tenancy"
    | "air-gap"
    | "primary-storage"
    | "compliance";
  /** USD a month. */
  readonly costUsd: number;
  /** `"baseline"`: what the load costs anyway; `"overhead"`: what hardening and compliance add. */
  readonly part: "baseline" | "overhead";
  /** The arithmetic in words and numbers. */
  readonly explanation: string;
}

/** The nodes a hardened deployment runs. */
export interface HardenedSizing {
  readonly instanceType: string;
  readonly vcpusPerNode: number;
  readonly memoryGibPerNode: number;
  /** The load's CPU and memory × the level's overhead factor. */
  readonly hardenedCpuCores: number;
  readonly hardenedMemoryGib: number;
  /** Nodes the load needs with no hardening: `max(1, ceil(cpu / vCPUs), ceil(memory / GiB))`. */
  readonly baseNodes: number;
  /** Nodes the hardened load fills: the same over the hardened figures. */
  readonly loadNodes: number;
  /** The redundancy factor applied: the level's, or 1.5 with FedRAMP (seed 000, line 2201), whichever is larger. */
  readonly nodeRedundancyFactor: number;
  /** `max(level.minNodes, ceil(loadNodes × nodeRedundancyFactor))`. */
  readonly nodes: number;
  /** Copies of the data kept: the most of the level and the frameworks. */
  readonly replicas: number;
}

/** The priced hardened deployment. */
export interface HardenedPricing {
  readonly sizing: HardenedSizing;
  readonly lines: readonly HardenedCostLine[];
  /** Sum of the lines, USD a month. */
  readonly totalUsd: number;
  /** The `"baseline"` lines: the load with no hardening and no compliance. */
  readonly baselineUsd: number;
  /** `totalUsd − baselineUsd`. */
  readonly overheadUsd: number;
  /** The compliance bill of the frameworks plus the SHIF level's pack. */
  readonly compliance: ComplianceCostResult;
}

/** Inputs of {@link priceHardened}, already checked. */
export interface HardenedInputs {
  readonly workload: HardenedWorkload;
  readonly level: ShifLevel;
  /** Framework ids, known to the registry of `rulePacks`. */
  readonly frameworks: readonly string[];
  readonly rulePacks: readonly RulePack[];
  readonly instanceType: string;
  readonly catalogue: PricingCatalogue | undefined;
  readonly dedicatedTenancy: DedicatedTenancyPricing;
  /** Required when the level is air-gapped. */
  readonly airGapMonthlyUsd: number | undefined;
  /** Options passed to `costCompliance` (not `catalogue` or `rulePacks`). */
  readonly costing: Omit<CostComplianceOptions, "catalogue" | "rulePacks">;
  /** The option path the air-gap cost is read from, for the error. */
  readonly airGapField: string;
}

/** Rounds away binary noise: 12 significant digits. */
export function tidy(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}

/** A figure for an explanation: 6 significant digits. */
export function figure(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** `$1,234.56`. */
export function dollars(value: number): string {
  const tidied = tidy(value);
  if (tidied !== 0 && Math.abs(tidied) < 0.01) {
    return `$${tidied.toLocaleString("en-US", { maximumSignificantDigits: 3 })}`;
  }
  return `$${tidied.toLocaleString("en-US", { maximumFractionDigits: Math.abs(tidied) < 1 ? 4 : 2 })}`;
}

/**
 * Sizes and prices a deployment at a SHIF level: nodes of `instanceType` for the load times the
 * level's overhead, with its redundancy and minimum; the dedicated premium and air gap when the
 * level has them; and `costCompliance` of the frameworks plus the level's own rule pack.
 */
export function priceHardened(inputs: HardenedInputs): HardenedPricing {
  const { workload, level } = inputs;
  const catalogue = inputs.catalogue ?? defaultAwsCatalogue;
  const spec = lookupInstanceType(catalogue, inputs.instanceType);
  const hardenedCpuCores = tidy(workload.cpuCores * level.computeOverheadFactor);
  const hardenedMemoryGib = tidy(workload.memoryGib * level.computeOverheadFactor);
  const nodesFor = (cpu: number, memory: number): number =>
    Math.max(1, Math.ceil(tidy(cpu / spec.vcpus)), Math.ceil(tidy(memory / spec.memoryGib)));
  const baseNodes = nodesFor(workload.cpuCores, workload.memoryGib);
  const loadNodes = nodesFor(hardenedCpuCores, hardenedMemoryGib);
  const fedramp = inputs.frameworks.includes("fedramp");
  const nodeRedundancyFactor = fedramp
    ? Math.max(level.nodeRedundancyFactor, fedrampNodeRedundancyFactor)
    : level.nodeRedundancyFactor;
  const nodes = Math.max(level.minNodes, Math.ceil(tidy(loadNodes * nodeRedundancyFactor)));
  if (!Number.isSafeInteger(nodes)) {
    throw invalidField("options.workload", workload, "small enough that the node count is a safe integer");
  }

  const pack = shifRulePack(level);
  const registry = rulePackRegistry(inputs.rulePacks);
  const frameworks = [...inputs.frameworks, shifFrameworkId(level)];
  const storedGb = workload.storedGb ?? 0;
  const resource: ComplianceResource = {
    id: "deployment",
    instanceType: inputs.instanceType,
    instanceCount: nodes,
    hoursPerMonth: monthHours,
    storedGb,
    replicas: 1,
    replicaScope: "storage",
    ...(workload.auditLogGbPerMonth === undefined ? {} : { auditLogGbPerMonth: workload.auditLogGbPerMonth }),
    ...(workload.processedGbPerMonth === undefined
      ? {}
      : { processedGbPerMonth: workload.processedGbPerMonth }),
    ...(workload.transitGbPerMonth === undefined ? {} : { transitGbPerMonth: workload.transitGbPerMonth }),
    ...(workload.kmsRequestsPerMonth === undefined
      ? {}
      : { kmsRequestsPerMonth: workload.kmsRequestsPerMonth }),
    ...(workload.recordsGbPerMonth === undefined ? {} : { recordsGbPerMonth: workload.recordsGbPerMonth }),
  };
  const compliance = costCompliance([resource], frameworks, {
    ...inputs.costing,
    ...(inputs.catalogue === undefined ? {} : { catalogue: inputs.catalogue }),
    rulePacks: [...inputs.rulePacks, pack],
  });

  const hourly = spec.onDemandHourlyUsd;
  const base = computeCost(
    { instanceType: inputs.instanceType, hours: monthHours, count: baseNodes },
    catalogue,
  );
  const all = computeCost({ instanceType: inputs.instanceType, hours: monthHours, count: nodes }, catalogue);
  const lines: HardenedCostLine[] = [
    {
      item: "base-compute",
      costUsd: base.costUsd,
      part: "baseline",
      explanation: `${baseNodes} × ${inputs.instanceType} (${spec.vcpus} vCPU, ${spec.memoryGib} GiB) hold ${figure(workload.cpuCores)} cores and ${figure(workload.memoryGib)} GiB: ${baseNodes} × ${monthHours} h × ${dollars(hourly)} = ${dollars(base.costUsd)}`,
    },
    {
      item: "shif-compute",
      costUsd: tidy(all.costUsd - base.costUsd),
      part: "overhead",
      explanation: `SHIF ${level.id}: × ${level.computeOverheadFactor} → ${figure(hardenedCpuCores)} cores, ${figure(hardenedMemoryGib)} GiB on ${loadNodes} nodes; × ${nodeRedundancyFactor} redundancy${fedramp && nodeRedundancyFactor === fedrampNodeRedundancyFactor ? " (FedRAMP, seed 000 line 2201)" : ""}, at least ${level.minNodes}: ${nodes} nodes, ${nodes - baseNodes} more than the load needs = ${dollars(all.costUsd - base.costUsd)}`,
    },
  ];
  if (level.dedicatedTenancy) {
    const premium = tidy(all.costUsd * inputs.dedicatedTenancy.instancePremium);
    const fee = tidy(monthHours * inputs.dedicatedTenancy.regionFeeHourlyUsd);
    lines.push({
      item: "dedicated-tenancy",
      costUsd: tidy(premium + fee),
      part: "overhead",
      explanation: `dedicated hardware: ${dollars(all.costUsd)} × ${inputs.dedicatedTenancy.instancePremium} premium = ${dollars(premium)} + per-region fee ${monthHours} h × ${dollars(inputs.dedicatedTenancy.regionFeeHourlyUsd)} = ${dollars(fee)}`,
    });
  }
  if (level.airGapped) {
    if (inputs.airGapMonthlyUsd === undefined) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${inputs.airGapField} must be given (USD a month, ≥ 0) for the air-gapped SHIF level ${JSON.stringify(level.id)}: no air-gap cost is assumed (the seed's illustrative figure is seedAirGapMonthlyUsd, $40,000), got undefined`,
        { field: inputs.airGapField },
      );
    }
    lines.push({
      item: "air-gap",
      costUsd: tidy(inputs.airGapMonthlyUsd),
      part: "overhead",
      explanation: `air gap (physical isolation), as given: ${dollars(inputs.airGapMonthlyUsd)} a month`,
    });
  }
  const storage = storageCost({ gb: storedGb, months: 1 }, catalogue);
  lines.push({
    item: "primary-storage",
    costUsd: storage.costUsd,
    part: "baseline",
    explanation: `${tidy(storedGb)} GB × ${dollars(catalogue.storage.hot.gbMonthUsd)} a GB-month (hot) = ${dollars(storage.costUsd)}`,
  });
  lines.push({
    item: "compliance",
    costUsd: compliance.costUsd,
    part: "overhead",
    explanation: `costCompliance over ${frameworks.join(", ")}: ${compliance.lines.length} lines = ${dollars(compliance.costUsd)} (${compliance.lines.map((line) => `${line.kind} ${dollars(line.costUsd)}`).join(", ") || "nothing"})`,
  });
  const totalUsd = tidy(lines.reduce((sum, line) => sum + line.costUsd, 0));
  const baselineUsd = tidy(
    lines.filter((line) => line.part === "baseline").reduce((sum, line) => sum + line.costUsd, 0),
  );
  const replicas = Math.max(
    level.minReplicas,
    ...inputs.frameworks.map((id) => registry.get(id)?.requirements.minReplicas ?? 1),
  );
  return {
    sizing: {
      instanceType: inputs.instanceType,
      vcpusPerNode: spec.vcpus,
      memoryGibPerNode: spec.memoryGib,
      hardenedCpuCores,
      hardenedMemoryGib,
      baseNodes,
      loadNodes,
      nodeRedundancyFactor,
      nodes,
      replicas,
    },
    lines,
    totalUsd,
    baselineUsd,
    overheadUsd: tidy(totalUsd - baselineUsd),
    compliance,
  };
}
