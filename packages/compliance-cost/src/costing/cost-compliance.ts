import { EnisError } from "@enis/core";
import {
  assertInteger,
  assertNonNegative,
  describeValue,
  invalidField,
  parseOptions,
} from "@enis/core/validate";
import {
  computeCost,
  daysPerMonth,
  defaultAwsCatalogue,
  kmsCost,
  type PriceProvenance,
  type PricingCatalogue,
  storageCost,
  toGovCloud,
} from "@enis/cost-model";
import { z } from "zod";
import { builtInRulePacks, parseRulePack, unknownFramework } from "../rule-packs/index.js";
import type { FrameworkCostRequirements, RetentionDataClass, RulePack } from "../rule-packs/types.js";
import { type CostingAssumption, costingDefaults, hoursPerMonth } from "./defaults.js";
import { num, sumExact, tidy, usd } from "./money.js";
import { SeedAccumulator } from "./seed-multipliers.js";
import type {
  ComplianceCostKind,
  ComplianceCostLine,
  ComplianceCostResult,
  ComplianceResource,
  CostComplianceOptions,
  FrameworkCost,
  FrameworkLineShare,
} from "./types.js";

/**
 * How a line's cost is attributed to frameworks, in words (also in every result's `attribution`).
 */
export const attributionRule =
  "Per resource, the requirements of its frameworks are merged before anything is priced: the longest retention per class of records and, separately, the most immediately-available days; the most replicas; one encryption at rest, one in transit, one set of keys, one audit-log ingestion and one GovCloud premium however many frameworks ask for them. A line is driven by the frameworks whose own requirement sets it: for a retention's hot part, those with the most immediately-available days; for its archive part, those with the longest retention; for replicas, those with the most; for a yes/no requirement, every framework that says yes. A line's cost is split equally among its driving frameworks, so the frameworks' figures sum to the total and nothing is counted twice.";

/** The requirements that carry a citation and a basis. */
type RequirementName = Exclude<keyof FrameworkCostRequirements, "citations" | "basis">;

const catalogueMessage =
  "a pricing catalogue (loadCatalogue, withOverrides, toGovCloud or defaultAwsCatalogue)";

const optionsSchema = z
  .object({
    catalogue: z
      .custom<PricingCatalogue>((value) => {
        try {
          kmsCost({ keys: 0 }, value as PricingCatalogue);
          return true;
        } catch {
          return false;
        }
      }, catalogueMessage)
      .optional(),
    rulePacks: z.array(z.unknown()).optional(),
    encryptionCyclesPerByte: z.number().positive().finite().optional(),
    cpuClockHz: z.number().positive().finite().optional(),
    encryptionInstanceType: z.string().min(1).optional(),
    auditLogIngestionGbUsd: z.number().nonnegative().finite().optional(),
    cloudHsmHourlyUsd: z.number().nonnegative().finite().optional(),
    hsmCount: z.number().int().min(1).max(1_000).optional(),
  })
  .strict();

const resourceKeys: ReadonlySet<string> = new Set([
  "id",
  "frameworks",
  "instanceType",
  "instanceCount",
  "hoursPerMonth",
  "storedGb",
  "replicas",
  "replicaScope",
  "recordsGbPerMonth",
  "auditLogGbPerMonth",
  "processedGbPerMonth",
  "transitGbPerMonth",
  "kmsKeys",
  "kmsRequestsPerMonth",
]);
const recordKeys: ReadonlySet<string> = new Set(["documentation", "audit-evidence"]);
const retentionClasses: readonly RetentionDataClass[] = ["documentation", "audit-evidence", "audit-logs"];

/** A merged requirement of one set of frameworks: the frameworks that drive it and the citations. */
interface Driven {
  readonly drivers: readonly string[];
  readonly key: string;
  readonly requirement: string;
}

interface RetentionPlan {
  readonly dataClass: RetentionDataClass;
  readonly days: number;
  readonly hotDays: number;
  readonly hot: Driven;
  readonly archive: Driven;
  readonly key: string;
}

/** The merged requirements of one set of frameworks (computed once per distinct set). */
interface Plan {
  readonly retention: readonly RetentionPlan[];
  readonly atRest: Driven | null;
  readonly inTransit: Driven | null;
  readonly keys: Driven | null;
  readonly hsm: readonly string[];
  readonly auditLogging: Driven | null;
  readonly replicas: (Driven & { readonly count: number }) | null;
  readonly govCloud: Driven | null;
}

interface RetentionAccumulator {
  readonly plan: RetentionPlan;
  gb: number;
  resources: number;
}

interface Accumulator {
  readonly kind: ComplianceCostKind;
  readonly driven: Driven;
  readonly instanceType?: string;
  quantity: number;
  /** A second quantity: KMS requests beside keys. */
  extra: number;
  resources: number;
}

/**
 * The monthly cost of complying with `frameworks` for `resources`, from first principles and
 * priced through a `@enis/cost-model` catalogue — no flat multipliers. Per resource, the
 * requirements of its frameworks (from their rule packs) are merged — the longest retention per
 * class of records, the most immediately-available days, the most replicas, one encryption, one
 * set of keys — and then priced:
 *
 * - retention: GB written a month × days kept, the immediately-available days in the hot tier and
 *   the rest in the archive tier (`storageCost` with `archiveAfterDays`); in the steady state a
 *   month's bill equals one month's records over their whole retention;
 * - encryption: GB processed × cycles per byte / clock = vCPU-hours, at the vCPU-hour price of the
 *   resource's instance type (`computeCost`);
 * - keys: KMS key-months and requests (`kmsCost`); an HSM cluster (`hsmCount` HSMs × 730 h ×
 *   `cloudHsmHourlyUsd`), once for all resources, when a framework demands an HSM;
 * - audit logs: GB ingested × `auditLogIngestionGbUsd` (their storage is the `audit-logs` retention);
 * - redundancy: copies beyond the resource's own `replicas`: stored GB at the hot price, and a
 *   standby instance per instance unless `replicaScope` is `"storage"`;
 * - GovCloud: the resource's instance-hours priced in `toGovCloud(catalogue)` minus the commercial price.
 *
 * Each line says its quantity, unit, unit price, source and arithmetic, and which frameworks drive
 * it; its cost is split equally among them ({@link attributionRule}), so `byFramework` sums to
 * `costUsd`. The seed's multiplier model on the same resources is in `seedMultipliers`. Throws
 * `EnisError` `INVALID_OPTIONS` naming the field (a negative volume: `resources[3].storedGb`),
 * `DUPLICATE_ID` or `UNKNOWN_INSTANCE_TYPE`.
 *
 * @example
 * ```ts
 * const result = costCompliance(
 *   [{ id: "payments-db", instanceType: "m5.large", storedGb: 500, auditLogGbPerMonth: 10 }],
 *   ["pci-dss"],
 * );
 * result.costUsd; // USD a month
 * result.lines.map((line) => line.explanation);
 * result.seedMultipliers.costUsd; // what the seed's multipliers would have said
 * ```
 */
export function costCompliance(
  resources: readonly ComplianceResource[],
  frameworks: readonly string[],
  options: CostComplianceOptions = {},
): ComplianceCostResult {
  const parsed = parseOptions(optionsSchema, options, "options");
  const catalogue = parsed.catalogue ?? defaultAwsCatalogue;
  const packs = resolvePacks(frameworks, parsed.rulePacks ?? []);
  const cyclesPerByte = parsed.encryptionCyclesPerByte ?? costingDefaults.encryptionCyclesPerByte.value;
  const clockHz = parsed.cpuClockHz ?? costingDefaults.cpuClockHz.value;
  const encryptionType = parsed.encryptionInstanceType ?? costingDefaults.encryptionInstanceType;
  const ingestionGbUsd = parsed.auditLogIngestionGbUsd ?? costingDefaults.auditLogIngestionGbUsd.value;
  const hsmHourlyUsd = parsed.cloudHsmHourlyUsd ?? costingDefaults.cloudHsmHourlyUsd.value;
  const hsmCount = parsed.hsmCount ?? costingDefaults.hsmCount.value;
  if (!Object.hasOwn(catalogue.instanceTypes, encryptionType)) {
    throw unknownInstanceType(catalogue, "options.encryptionInstanceType", encryptionType);
  }
  if (!Array.isArray(resources)) throw invalidField("resources", resources, "an array");

  // vCPU-hours per GB processed: 1e9 bytes × cycles/byte / (Hz × 3,600 s).
  const vcpuHoursPerGb = (1e9 * cyclesPerByte) / (clockHz * 3600);
  const plans = new Map<string, Plan>();
  const allPlan = planFor(frameworks, packs);
  plans.set(frameworks.join("\u0000"), allPlan);
  const retention = new Map<string, RetentionAccumulator>();
  const lines = new Map<string, Accumulator>();
  const hsmDrivers = new Set<string>();
  const seen = new Set<string>();
  const seed = new SeedAccumulator();
  const callFrameworks = new Set(frameworks);

  const add = (
    kind: ComplianceCostKind,
    driven: Driven,
    quantity: number,
    instanceType?: string,
    extra = 0,
  ): void => {
    const key =
      instanceType === undefined ? `${kind}|${driven.key}` : `${kind}|${driven.key}|${instanceType}`;
    let entry = lines.get(key);
    if (entry === undefined) {
      entry = {
        kind,
        driven,
        ...(instanceType === undefined ? {} : { instanceType }),
        quantity: 0,
        extra: 0,
        resources: 0,
      };
      lines.set(key, entry);
    }
    entry.quantity += quantity;
    entry.extra += extra;
    entry.resources += 1;
  };

  for (let index = 0; index < resources.length; index++) {
    const resource = resources[index];
    const at = `resources[${index}]`;
    if (typeof resource !== "object" || resource === null || Array.isArray(resource)) {
      throw invalidField(at, resource, "an object");
    }
    for (const key in resource) {
      if (!resourceKeys.has(key))
        throw invalidField(
          `${at}.${key}`,
          (resource as unknown as Record<string, unknown>)[key],
          "absent (not a field of a resource)",
        );
    }
    const id = resource.id;
    if (typeof id !== "string" || id.length === 0) throw invalidField(`${at}.id`, id, "a non-empty string");
    if (seen.has(id)) {
      throw new EnisError("DUPLICATE_ID", `${at}.id must be unique, got ${describeValue(id)} twice`, {
        field: `${at}.id`,
      });
    }
    seen.add(id);

    let plan = allPlan;
    let own: readonly string[] = frameworks;
    if (resource.frameworks !== undefined) {
      own = resource.frameworks;
      if (!Array.isArray(own)) throw invalidField(`${at}.frameworks`, own, "an array of framework ids");
      for (let f = 0; f < own.length; f++) {
        if (!callFrameworks.has(own[f]!)) {
          throw invalidField(
            `${at}.frameworks[${f}]`,
            own[f],
            `one of the call's frameworks (${frameworks.join(", ")})`,
          );
        }
        if (own.indexOf(own[f]!) !== f)
          throw invalidField(`${at}.frameworks[${f}]`, own[f], "a framework not already listed");
      }
      const planKey = own.join("\u0000");
      let found = plans.get(planKey);
      if (found === undefined) {
        found = planFor(own, packs);
        plans.set(planKey, found);
      }
      plan = found;
    }

    const storedGb = volume(resource.storedGb, `${at}.storedGb`);
    const auditGb = volume(resource.auditLogGbPerMonth, `${at}.auditLogGbPerMonth`);
    const processedGb = volume(resource.processedGbPerMonth, `${at}.processedGbPerMonth`);
    const transitGb = volume(resource.transitGbPerMonth, `${at}.transitGbPerMonth`);
    const hours = resource.hoursPerMonth ?? hoursPerMonth;
    assertNonNegative(hours, `${at}.hoursPerMonth`);
    if (hours > hoursPerMonth) throw invalidField(`${at}.hoursPerMonth`, hours, `at most ${hoursPerMonth}`);
    const replicas = resource.replicas ?? 1;
    assertInteger(replicas, `${at}.replicas`, 1);
    const scope = resource.replicaScope ?? "storage-and-compute";
    if (scope !== "storage" && scope !== "storage-and-compute") {
      throw invalidField(`${at}.replicaScope`, scope, '"storage" or "storage-and-compute"');
    }
    const records = resource.recordsGbPerMonth;
    if (records !== undefined) {
      if (typeof records !== "object" || records === null || Array.isArray(records)) {
        throw invalidField(`${at}.recordsGbPerMonth`, records, "an object");
      }
      for (const key in records) {
        if (!recordKeys.has(key)) {
          throw invalidField(
            `${at}.recordsGbPerMonth.${key}`,
            (records as Record<string, unknown>)[key],
            'absent (known: "documentation", "audit-evidence")',
          );
        }
      }
    }
    const keys = resource.kmsKeys ?? 1;
    assertInteger(keys, `${at}.kmsKeys`);
    const requests = resource.kmsRequestsPerMonth ?? 0;
    assertInteger(requests, `${at}.kmsRequestsPerMonth`);

    let instanceType: string | undefined;
    let vcpus = 0;
    let memoryGib = 0;
    let count = 0;
    if (resource.instanceType !== undefined) {
      instanceType = resource.instanceType;
      if (typeof instanceType !== "string" || !Object.hasOwn(catalogue.instanceTypes, instanceType)) {
        throw unknownInstanceType(catalogue, `${at}.instanceType`, instanceType);
      }
      const spec = catalogue.instanceTypes[instanceType]!;
      vcpus = spec.vcpus;
      memoryGib = spec.memoryGib;
      count = resource.instanceCount ?? 1;
      assertInteger(count, `${at}.instanceCount`);
    } else if (resource.instanceCount !== undefined) {
      throw invalidField(`${at}.instanceCount`, resource.instanceCount, "absent when instanceType is absent");
    }

    // Retention, per class of records.
    for (const rule of plan.retention) {
      const gb =
        rule.dataClass === "audit-logs"
          ? auditGb
          : volume(
              records?.[rule.dataClass],
              rule.dataClass === "documentation"
                ? `${at}.recordsGbPerMonth.documentation`
                : `${at}.recordsGbPerMonth["${rule.dataClass}"]`,
            );
      if (gb === 0) continue;
      let entry = retention.get(rule.key);
      if (entry === undefined) {
        entry = { plan: rule, gb: 0, resources: 0 };
        retention.set(rule.key, entry);
      }
      entry.gb += gb;
      entry.resources += 1;
    }
    if (records !== undefined) {
      // Validate the classes no framework of this resource retains, too.
      volume(records.documentation, `${at}.recordsGbPerMonth.documentation`);
      volume(records["audit-evidence"], `${at}.recordsGbPerMonth["audit-evidence"]`);
    }

    const cpuType = instanceType ?? encryptionType;
    if (plan.atRest !== null && processedGb > 0) {
      add("encryption-at-rest-cpu", plan.atRest, processedGb * vcpuHoursPerGb, cpuType);
    }
    if (plan.inTransit !== null && transitGb > 0) {
      add("encryption-in-transit-cpu", plan.inTransit, transitGb * vcpuHoursPerGb, cpuType);
    }
    if (plan.keys !== null && (keys > 0 || requests > 0))
      add("kms-keys", plan.keys, keys, undefined, requests);
    for (const framework of plan.hsm) hsmDrivers.add(framework);
    if (plan.auditLogging !== null && auditGb > 0) add("audit-log-ingestion", plan.auditLogging, auditGb);
    if (plan.replicas !== null && plan.replicas.count > replicas) {
      const extra = plan.replicas.count - replicas;
      if (storedGb > 0) add("replica-storage", plan.replicas, extra * storedGb);
      if (scope === "storage-and-compute" && instanceType !== undefined && count > 0 && hours > 0) {
        add("replica-compute", plan.replicas, extra * count * hours, instanceType);
      }
    }
    if (plan.govCloud !== null && instanceType !== undefined && count > 0 && hours > 0) {
      add("govcloud-premium", plan.govCloud, count * hours, instanceType);
    }
    seed.add({ cpuCores: vcpus * count, memoryGb: memoryGib * count, storageGb: storedGb }, own);
  }

  const out: ComplianceCostLine[] = [];
  // Retention lines, hot and archive, from one storageCost per merged rule.
  for (const entry of retention.values()) {
    const rule = entry.plan;
    const cost = storageCost(
      { gb: entry.gb, months: rule.days / daysPerMonth, lifecycle: { archiveAfterDays: rule.hotDays } },
      catalogue,
    );
    for (const [tier, driven] of [
      ["hot", rule.hot],
      ["archive", rule.archive],
    ] as const) {
      const part = cost.byTier[tier];
      if (part.days <= 0) continue;
      out.push({
        kind: tier === "hot" ? "retention-hot" : "retention-archive",
        frameworks: driven.drivers,
        dataClass: rule.dataClass,
        retention: { days: rule.days, immediatelyAvailableDays: rule.hotDays },
        resources: entry.resources,
        quantity: part.gbMonths,
        unit: "GB-months",
        unitPriceUsd: part.gbMonthUsd,
        costUsd: part.costUsd,
        requirement: driven.requirement,
        pricing: cost.provenance,
        explanation: `${num(entry.gb)} GB of ${rule.dataClass} written a month × ${tier} days ${num(part.fromDay)}–${num(part.toDay)} / ${num(daysPerMonth)} days a month = ${num(part.gbMonths)} GB-months × ${usd(part.gbMonthUsd)} (${part.product ?? tier}) = ${usd(part.costUsd)} a month (steady state)`,
      });
    }
  }

  let govCatalogue: PricingCatalogue | undefined;
  for (const entry of lines.values()) {
    out.push(priceLine(entry));
  }
  if (hsmDrivers.size > 0) {
    const drivers = frameworks.filter((framework) => hsmDrivers.has(framework));
    const quantity = hsmCount * hoursPerMonth;
    const costUsd = tidy(quantity * hsmHourlyUsd);
    out.push({
      kind: "hsm",
      frameworks: drivers,
      resources: 0,
      quantity,
      unit: "HSM-hours",
      unitPriceUsd: hsmHourlyUsd,
      costUsd,
      requirement: citedRequirement("dedicated HSM key management", drivers, packs, "keyManagement"),
      pricing: {
        source:
          parsed.cloudHsmHourlyUsd === undefined
            ? costingDefaults.cloudHsmHourlyUsd.source
            : "caller (options.cloudHsmHourlyUsd)",
        asOf: parsed.cloudHsmHourlyUsd === undefined ? costingDefaults.cloudHsmHourlyUsd.asOf : "caller",
        approximate: parsed.cloudHsmHourlyUsd === undefined,
        note: `One cluster shared by every resource; not in the pricing catalogue.${
          parsed.cloudHsmHourlyUsd === undefined ? ` ${costingDefaults.cloudHsmHourlyUsd.note}` : ""
        }`,
      },
      explanation: `${hsmCount} HSMs × ${hoursPerMonth} h = ${num(quantity)} HSM-hours × ${usd(hsmHourlyUsd)} = ${usd(costUsd)} a month (one cluster for all resources)`,
    });
  }

  const total = tidy(sumExact(out.map((line) => line.costUsd)));
  const byFramework: FrameworkCost[] = frameworks.map((framework) => ({
    framework,
    name: packs.get(framework)!.name,
    costUsd: 0,
    lines: [] as FrameworkLineShare[],
  }));
  const index = new Map(byFramework.map((entry, position) => [entry.framework, position]));
  const sums: number[][] = byFramework.map(() => []);
  out.forEach((line, position) => {
    const share = 1 / line.frameworks.length;
    const costUsd = line.costUsd / line.frameworks.length;
    for (const framework of line.frameworks) {
      const at = index.get(framework)!;
      (byFramework[at]!.lines as FrameworkLineShare[]).push({
        line: position,
        kind: line.kind,
        costUsd,
        share,
      });
      sums[at]!.push(costUsd);
    }
  });
  const attributed = byFramework.map((entry, position) => ({ ...entry, costUsd: sumExact(sums[position]!) }));

  return {
    mode: "first-principles",
    period: "month",
    costUsd: total,
    lines: out,
    byFramework: attributed,
    attribution: attributionRule,
    assumptions: [
      assumption(costingDefaults.encryptionCyclesPerByte, parsed.encryptionCyclesPerByte),
      assumption(costingDefaults.cpuClockHz, parsed.cpuClockHz),
      assumption(costingDefaults.auditLogIngestionGbUsd, parsed.auditLogIngestionGbUsd),
      assumption(costingDefaults.cloudHsmHourlyUsd, parsed.cloudHsmHourlyUsd),
      assumption(costingDefaults.hsmCount, parsed.hsmCount),
    ],
    region: catalogue.region,
    resources: resources.length,
    seedMultipliers: seed.result(total),
  };

  function priceLine(entry: Accumulator): ComplianceCostLine {
    const { kind, driven } = entry;
    const base = {
      kind,
      frameworks: driven.drivers,
      resources: entry.resources,
      requirement: driven.requirement,
    };
    switch (kind) {
      case "encryption-at-rest-cpu":
      case "encryption-in-transit-cpu": {
        const type = entry.instanceType!;
        const spec = catalogue.instanceTypes[type]!;
        const cost = computeCost({ instanceType: type, hours: entry.quantity / spec.vcpus }, catalogue);
        const gb = entry.quantity / vcpuHoursPerGb;
        return {
          ...base,
          instanceType: type,
          quantity: tidy(entry.quantity),
          unit: "vCPU-hours",
          unitPriceUsd: tidy(spec.onDemandHourlyUsd / spec.vcpus),
          costUsd: cost.costUsd,
          pricing: cost.provenance,
          explanation: `${num(gb)} GB × 1e9 B × ${num(cyclesPerByte)} cycles/B / ${num(clockHz)} Hz / 3,600 s = ${num(entry.quantity)} vCPU-hours = ${num(cost.hours)} ${type} instance-hours (${spec.vcpus} vCPUs) × ${usd(cost.hourlyUsd)} = ${usd(cost.costUsd)} a month`,
        };
      }
      case "kms-keys": {
        const cost = kmsCost({ keys: entry.quantity, months: 1, requests: entry.extra }, catalogue);
        // Keys and requests as one line each would double the entries; one line carries both, its
        // quantity the key-months and its explanation the requests.
        return {
          ...base,
          quantity: entry.quantity,
          unit: "key-months",
          unitPriceUsd: cost.keyMonthUsd,
          costUsd: cost.costUsd,
          pricing: cost.provenance,
          explanation: `${num(entry.quantity)} keys × 1 month × ${usd(cost.keyMonthUsd)} = ${usd(cost.keysUsd)}, plus ${num(entry.extra)} requests / 10,000 × ${usd(cost.per10kRequestsUsd)} = ${usd(cost.requestsUsd)}; ${usd(cost.costUsd)} a month`,
        };
      }
      case "audit-log-ingestion": {
        const costUsd = tidy(entry.quantity * ingestionGbUsd);
        return {
          ...base,
          quantity: tidy(entry.quantity),
          unit: "GB",
          unitPriceUsd: ingestionGbUsd,
          costUsd,
          pricing: {
            source:
              parsed.auditLogIngestionGbUsd === undefined
                ? costingDefaults.auditLogIngestionGbUsd.source
                : "caller (options.auditLogIngestionGbUsd)",
            asOf:
              parsed.auditLogIngestionGbUsd === undefined
                ? costingDefaults.auditLogIngestionGbUsd.asOf
                : "caller",
            approximate: false,
            note: "Ingestion only; storage is the audit-logs retention line.",
          },
          explanation: `${num(entry.quantity)} GB of audit logs a month × ${usd(ingestionGbUsd)} = ${usd(costUsd)} a month`,
        };
      }
      case "replica-storage": {
        const cost = storageCost({ gb: entry.quantity, months: 1 }, catalogue);
        return {
          ...base,
          quantity: cost.gbMonths,
          unit: "GB-months",
          unitPriceUsd: cost.byTier.hot.gbMonthUsd,
          costUsd: cost.costUsd,
          pricing: cost.provenance,
          explanation: `${num(entry.quantity)} GB of extra copies (copies demanded − copies kept, × stored GB) × 1 month × ${usd(cost.byTier.hot.gbMonthUsd)} (${cost.byTier.hot.product ?? "hot"}) = ${usd(cost.costUsd)} a month`,
        };
      }
      case "replica-compute": {
        const cost = computeCost({ instanceType: entry.instanceType!, hours: entry.quantity }, catalogue);
        return {
          ...base,
          instanceType: entry.instanceType!,
          quantity: cost.instanceHours,
          unit: "instance-hours",
          unitPriceUsd: cost.hourlyUsd,
          costUsd: cost.costUsd,
          pricing: cost.provenance,
          explanation: `${num(entry.quantity)} standby ${entry.instanceType} instance-hours × ${usd(cost.hourlyUsd)} = ${usd(cost.costUsd)} a month`,
        };
      }
      case "govcloud-premium": {
        const type = entry.instanceType!;
        const commercial = computeCost({ instanceType: type, hours: entry.quantity }, catalogue);
        if (catalogue.region.startsWith("us-gov-")) {
          return {
            ...base,
            instanceType: type,
            quantity: commercial.instanceHours,
            unit: "instance-hours",
            unitPriceUsd: 0,
            costUsd: 0,
            pricing: commercial.provenance,
            explanation: `the catalogue is already GovCloud's (${catalogue.region}): no premium over its own prices`,
          };
        }
        govCatalogue ??= toGovCloud(catalogue);
        const gov = computeCost({ instanceType: type, hours: entry.quantity }, govCatalogue);
        const costUsd = tidy(gov.costUsd - commercial.costUsd);
        const { multiplier: _multiplier, ...govProvenance } = catalogue.govCloud;
        return {
          ...base,
          instanceType: type,
          quantity: commercial.instanceHours,
          unit: "instance-hours",
          unitPriceUsd: tidy(gov.hourlyUsd - commercial.hourlyUsd),
          costUsd,
          pricing: govProvenance as PriceProvenance,
          explanation: `${num(entry.quantity)} ${type} instance-hours × (${usd(gov.hourlyUsd)} in ${govCatalogue.region} − ${usd(commercial.hourlyUsd)} in ${catalogue.region}) = ${usd(gov.costUsd)} − ${usd(commercial.costUsd)} = ${usd(costUsd)} a month`,
        };
      }
      default:
        throw new EnisError("INTERNAL", `a ${kind} line cannot be priced here`);
    }
  }
}

/** A volume field: absent is 0; otherwise a finite number >= 0. */
function volume(value: unknown, field: string): number {
  if (value === undefined) return 0;
  assertNonNegative(value, field);
  return value;
}

function unknownInstanceType(catalogue: PricingCatalogue, field: string, name: unknown): EnisError {
  return new EnisError(
    "UNKNOWN_INSTANCE_TYPE",
    `${field} must be an instance type of the ${catalogue.provider} ${catalogue.region} catalogue, got ${describeValue(name)}`,
    { field },
  );
}

/**
 * The packs of `frameworks`, by id: the built-in packs, overridden by the caller's (each checked by
 * `parseRulePack`); throws naming the framework that has none, with the id it most resembles.
 */
function resolvePacks(frameworks: readonly string[], extra: readonly unknown[]): Map<string, RulePack> {
  if (!Array.isArray(frameworks) || frameworks.length === 0) {
    throw invalidField("frameworks", frameworks, "a non-empty array of framework ids");
  }
  const byId = new Map<string, RulePack>(Object.entries(builtInRulePacks));
  const given = new Set<string>();
  extra.forEach((candidate, position) => {
    const pack = parseRulePack(candidate, `options.rulePacks[${position}]`);
    if (given.has(pack.framework)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `options.rulePacks[${position}].framework must be unique among the packs given, got ${describeValue(pack.framework)}`,
        { field: `options.rulePacks[${position}].framework` },
      );
    }
    given.add(pack.framework);
    byId.set(pack.framework, pack);
  });
  const out = new Map<string, RulePack>();
  frameworks.forEach((framework, position) => {
    const pack = typeof framework === "string" ? byId.get(framework) : undefined;
    if (pack === undefined) throw unknownFramework(`frameworks[${position}]`, framework, byId.keys());
    if (out.has(framework))
      throw invalidField(`frameworks[${position}]`, framework, "a framework not already listed");
    out.set(framework, pack);
  });
  return out;
}

/** A requirement and the citations of the frameworks driving it. */
function citedRequirement(
  what: string,
  drivers: readonly string[],
  packs: ReadonlyMap<string, RulePack>,
  key: RequirementName,
): string {
  return `${what}: ${drivers
    .map((framework) => {
      const requirements = packs.get(framework)!.requirements;
      const citation = requirements.citations[key];
      const basis = requirements.basis?.[key];
      const how =
        basis === undefined || basis === "required" || citation?.includes(`(${basis})`) === true
          ? ""
          : ` [${basis}]`;
      return citation === undefined ? `${framework}${how}` : `${framework} (${citation})${how}`;
    })
    .join(", ")}`;
}

function driven(
  what: string,
  drivers: readonly string[],
  packs: ReadonlyMap<string, RulePack>,
  key: RequirementName,
): Driven | null {
  if (drivers.length === 0) return null;
  return { drivers, key: drivers.join(","), requirement: citedRequirement(what, drivers, packs, key) };
}

/** The merged requirements of a set of frameworks, with the frameworks driving each. */
function planFor(frameworks: readonly string[], packs: ReadonlyMap<string, RulePack>): Plan {
  const list = frameworks.map((framework) => packs.get(framework)!);
  const having = (test: (requirements: FrameworkCostRequirements) => boolean): string[] =>
    list.filter((pack) => test(pack.requirements)).map((pack) => pack.framework);

  const retention: RetentionPlan[] = [];
  for (const dataClass of retentionClasses) {
    // Each framework's own longest rule for the class (days, and hot days), with its citations.
    const rules: { framework: string; days: number; hot: number; citation: string; hotCitation: string }[] =
      [];
    for (const pack of list) {
      let days = 0;
      let hot = 0;
      let citation = "";
      let hotCitation = "";
      for (const control of pack.controls) {
        const rule = control.retention;
        if (rule === undefined || rule.dataClass !== dataClass) continue;
        if (rule.minimumDays > days) {
          days = rule.minimumDays;
          citation = rule.citation;
        }
        const available = Math.min(rule.immediatelyAvailableDays ?? 0, rule.minimumDays);
        if (available > hot) {
          hot = available;
          hotCitation = rule.citation;
        }
      }
      if (days > 0) rules.push({ framework: pack.framework, days, hot, citation, hotCitation });
    }
    if (rules.length === 0) continue;
    const days = Math.max(...rules.map((rule) => rule.days));
    const hotDays = Math.min(days, Math.max(...rules.map((rule) => rule.hot)));
    const archiveRules = rules.filter((rule) => rule.days === days);
    const hotRules = hotDays > 0 ? rules.filter((rule) => rule.hot === hotDays) : archiveRules;
    const hot: Driven = {
      drivers: hotRules.map((rule) => rule.framework),
      key: hotRules.map((rule) => rule.framework).join(","),
      requirement: `${dataClass} immediately available for ${hotDays} days: ${hotRules.map((rule) => `${rule.framework} (${rule.hotCitation || rule.citation})`).join(", ")}`,
    };
    const archive: Driven = {
      drivers: archiveRules.map((rule) => rule.framework),
      key: archiveRules.map((rule) => rule.framework).join(","),
      requirement: `${dataClass} kept ${days} days: ${archiveRules.map((rule) => `${rule.framework} (${rule.citation})`).join(", ")}`,
    };
    retention.push({
      dataClass,
      days,
      hotDays,
      hot,
      archive,
      key: `${dataClass}|${days}|${hotDays}|${hot.key}|${archive.key}`,
    });
  }

  const maxReplicas = Math.max(1, ...list.map((pack) => pack.requirements.minReplicas));
  const replicaDrivers =
    maxReplicas > 1 ? having((requirements) => requirements.minReplicas === maxReplicas) : [];
  const replicas = driven(`${maxReplicas} copies`, replicaDrivers, packs, "minReplicas");
  return {
    retention,
    atRest: driven(
      "encryption at rest",
      having((r) => r.encryptionAtRest),
      packs,
      "encryptionAtRest",
    ),
    inTransit: driven(
      "encryption in transit",
      having((r) => r.encryptionInTransit),
      packs,
      "encryptionInTransit",
    ),
    keys: driven(
      "managed keys (KMS)",
      having((r) => r.keyManagement !== "none"),
      packs,
      "keyManagement",
    ),
    hsm: having((r) => r.keyManagement === "hsm"),
    auditLogging: driven(
      "audit logging",
      having((r) => r.auditLogging),
      packs,
      "auditLogging",
    ),
    replicas: replicas === null ? null : { ...replicas, count: maxReplicas },
    govCloud: driven(
      "a government region",
      having((r) => r.govCloud),
      packs,
      "govCloud",
    ),
  };
}

function assumption(base: CostingAssumption, given: number | undefined): CostingAssumption {
  return given === undefined ? base : { ...base, value: given, source: "caller", assumption: false };
}
