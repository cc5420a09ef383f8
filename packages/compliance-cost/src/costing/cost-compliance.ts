import { EnisError } from "@enis/core";
import { describeValue, invalidField, parseOptions } from "@enis/core/validate";
import {
  daysPerMonth,
  defaultAwsCatalogue,
  kmsCost,
  type PriceProvenance,
  type PricingCatalogue,
  storageCost,
  toGovCloud,
} from "@enis/cost-model";
import { z } from "zod";
import { rulePackRegistry, unknownFramework } from "../rule-packs/index.js";
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
  InstanceTypeShare,
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
    auditLogEventBytes: z.number().positive().finite().optional(),
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
  "auditLogEventsPerMonth",
  "processedGbPerMonth",
  "transitGbPerMonth",
  "kmsKeys",
  "kmsRequestsPerMonth",
]);
const recordKeys: ReadonlySet<string> = new Set(["documentation", "audit-evidence"]);

/**
 * The keys of a resource and of its `recordsGbPerMonth`, as strict schemas: parsed only when a key
 * is unknown (the hot path checks keys by hand), so that the error is `parseOptions`'s, with the key
 * the unknown one resembles (`storageGb`: did you mean `storedGb`?).
 */
const resourceKeysSchema = z
  .object(Object.fromEntries([...resourceKeys].map((key) => [key, z.unknown().optional()])))
  .strict();
const recordKeysSchema = z
  .object(Object.fromEntries([...recordKeys].map((key) => [key, z.unknown().optional()])))
  .strict();
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

/** `toGovCloud(catalogue)`, built once per catalogue (catalogues are frozen, so the result never changes). */
const govCloudCatalogues = new WeakMap<PricingCatalogue, PricingCatalogue>();
function govCloudOf(catalogue: PricingCatalogue): PricingCatalogue {
  let gov = govCloudCatalogues.get(catalogue);
  if (gov === undefined) {
    gov = toGovCloud(catalogue);
    govCloudCatalogues.set(catalogue, gov);
  }
  return gov;
}

/**
 * The resource whose field contributes most to a line, so that an overflow in pricing the line is
 * reported against `resources[index].<field>` rather than a field of `@enis/cost-model`'s.
 */
interface Blame {
  index: number;
  field: string;
  value: unknown;
  amount: number;
}

function noBlame(): Blame {
  return { index: -1, field: "", value: undefined, amount: -1 };
}

/** Keeps in `into` the larger of the two contributions. */
function blameLarger(into: Blame, index: number, field: string, value: unknown, amount: number): void {
  if (amount > into.amount || Number.isNaN(into.amount)) {
    into.index = index;
    into.field = field;
    into.value = value;
    into.amount = amount;
  }
}

/** A line being summed over resources: quantities, and by instance type for the lines priced by one. */
interface Slot {
  /** The largest contribution (for an overflow). */
  readonly blame: Blame;
  readonly kind: ComplianceCostKind;
  readonly driven: Driven;
  /** Priced in `toGovCloud(catalogue)`: the resources it sums run in GovCloud. */
  readonly gov: boolean;
  quantity: number;
  /** A second quantity: KMS requests beside keys. */
  extra: number;
  resources: number;
  /** Quantities by the catalogue's instance-type index, for the lines priced by instance type. */
  readonly byType: Float64Array | null;
}

interface RetentionSlot {
  readonly rule: RetentionPlan;
  /** The largest contribution (for an overflow). */
  readonly blame: Blame;
  /** Priced in `toGovCloud(catalogue)`. */
  readonly gov: boolean;
  gb: number;
  resources: number;
}

/** A plan with the slots its resources add to. */
interface PlanState {
  readonly plan: Plan;
  /** Its resources run in GovCloud: their lines are priced in `toGovCloud(catalogue)`. */
  readonly gov: boolean;
  readonly retention: readonly RetentionSlot[];
  readonly atRest: Slot | null;
  readonly inTransit: Slot | null;
  readonly keys: Slot | null;
  readonly auditLogging: Slot | null;
  readonly replicaStorage: Slot | null;
  readonly replicaCompute: Slot | null;
  readonly govCloud: Slot | null;
}

function slot(kind: ComplianceCostKind, driven: Driven | null, types: number, gov: boolean): Slot | null {
  return driven === null
    ? null
    : {
        kind,
        driven,
        gov,
        blame: noBlame(),
        quantity: 0,
        extra: 0,
        resources: 0,
        byType: types > 0 ? new Float64Array(types) : null,
      };
}

/**
 * The slots of a plan. `inGovCloud`: the catalogue is commercial and a framework of the plan
 * demands a government region, so every line of its resources is priced in `toGovCloud(catalogue)`.
 */
function stateFor(plan: Plan, types: number, commercial: boolean): PlanState {
  const gov = commercial && plan.govCloud !== null;
  return {
    plan,
    gov,
    retention: plan.retention.map((rule) => ({ rule, gov, blame: noBlame(), gb: 0, resources: 0 })),
    atRest: slot("encryption-at-rest-cpu", plan.atRest, types, gov),
    inTransit: slot("encryption-in-transit-cpu", plan.inTransit, types, gov),
    keys: slot("kms-keys", plan.keys, 0, gov),
    auditLogging: slot("audit-log-ingestion", plan.auditLogging, 0, gov),
    replicaStorage: slot("replica-storage", plan.replicas, 0, gov),
    replicaCompute: slot("replica-compute", plan.replicas, types, gov),
    // The premium is the difference between the two catalogues: it is priced from both.
    govCloud: slot("govcloud-premium", plan.govCloud, types, false),
  };
}

function addTo(
  target: Slot,
  index: number,
  field: string,
  value: unknown,
  quantity: number,
  type = -1,
  extra = 0,
): void {
  blameLarger(target.blame, index, field, value, quantity + extra);
  target.quantity += quantity;
  target.extra += extra;
  target.resources += 1;
  if (target.byType !== null && type >= 0) target.byType[type]! += quantity;
}

/** A volume of resource `index`: absent is 0; otherwise a finite number >= 0 (the field named only on error). */
function amount(value: unknown, index: number, name: string): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && value >= 0 && value !== Number.POSITIVE_INFINITY) return value;
  throw invalidField(`resources[${index}].${name}`, value, "a finite number >= 0");
}

/** A whole number >= `min` of resource `index`, `fallback` when absent. */
function whole(value: unknown, index: number, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= min) return value;
  throw invalidField(
    `resources[${index}].${name}`,
    value,
    `an integer in [${min}, ${Number.MAX_SAFE_INTEGER}]`,
  );
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
 * - encryption: GB processed × cycles per byte / clock = vCPU-hours, at the vCPU-hour price
 *   (on-demand hourly / vCPUs) of the resource's instance type in the catalogue;
 * - keys: KMS key-months and requests (`kmsCost`); an HSM cluster (`hsmCount` HSMs × 730 h ×
 *   `cloudHsmHourlyUsd`), once for all resources, when a framework demands an HSM;
 * - audit logs: GB ingested × `auditLogIngestionGbUsd` (their storage is the `audit-logs` retention);
 * - redundancy: copies beyond the resource's own `replicas`: stored GB at the hot price, and a
 *   standby instance per instance when `replicaScope` is `"storage-and-compute"` (on-demand hours);
 * - GovCloud: the resource's instance-hours priced in `toGovCloud(catalogue)` minus the commercial price.
 *
 * A resource one of whose frameworks demands a government region (`requirements.govCloud`, FedRAMP)
 * runs there: all its lines (retention, encryption CPU, KMS keys and requests, replicas) are priced
 * in `toGovCloud(catalogue)`, which scales every catalogue price (instance types, storage tiers,
 * KMS, transfer, Lambda) by the catalogue's `govCloud.multiplier`. Audit-log ingestion and the HSM
 * are not catalogue prices: they stay at their option's figure, and the result's `assumptions` say
 * so. A GovCloud catalogue (`us-gov-…`) prices everything as it stands.
 *
 * Lines priced by instance type (encryption, standby nodes, GovCloud) carry a `byInstanceType`
 * breakdown; their hours × hourly price is `computeCost`'s arithmetic, done in place so that 10,000
 * resources cost milliseconds.
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
  const eventBytes = parsed.auditLogEventBytes;
  if (!Object.hasOwn(catalogue.instanceTypes, encryptionType)) {
    throw unknownInstanceType(catalogue, "options.encryptionInstanceType", encryptionType);
  }
  if (!Array.isArray(resources)) throw invalidField("resources", resources, "an array");

  // vCPU-hours per GB processed: 1e9 bytes × cycles/byte / (Hz × 3,600 s).
  const vcpuHoursPerGb = (1e9 * cyclesPerByte) / (clockHz * 3600);
  const instanceTypes = catalogue.instanceTypes;
  const typeNames = Object.keys(instanceTypes);
  const typeIndex = new Map(typeNames.map((name, at) => [name, at]));
  const encryptionIndex = typeIndex.get(encryptionType)!;
  const commercial = !catalogue.region.startsWith("us-gov-");
  const allState = stateFor(planFor(frameworks, packs), typeNames.length, commercial);
  const states = new Map<string, PlanState>([[frameworks.join("\u0000"), allState]]);
  const hsmDrivers = new Set<string>();
  /** The largest stored volume, for an overflow of the seed's comparison (its storage multipliers). */
  const seedBlame = noBlame();
  let hsmInGovCloud = false;
  const seen = new Set<string>();
  const seed = new SeedAccumulator();
  const callFrameworks = new Set(frameworks);

  for (let index = 0; index < resources.length; index++) {
    const resource = resources[index];
    if (typeof resource !== "object" || resource === null || Array.isArray(resource)) {
      throw invalidField(`resources[${index}]`, resource, "an object");
    }
    for (const key in resource) {
      if (!resourceKeys.has(key)) parseOptions(resourceKeysSchema, resource, `resources[${index}]`);
    }
    const id = resource.id;
    if (typeof id !== "string" || id.length === 0) {
      throw invalidField(`resources[${index}].id`, id, "a non-empty string");
    }
    if (seen.has(id)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `resources[${index}].id must be unique, got ${describeValue(id)} twice`,
        {
          field: `resources[${index}].id`,
        },
      );
    }
    seen.add(id);

    let state = allState;
    let own: readonly string[] = frameworks;
    if (resource.frameworks !== undefined) {
      own = resource.frameworks;
      if (!Array.isArray(own)) {
        throw invalidField(`resources[${index}].frameworks`, own, "an array of framework ids");
      }
      for (let f = 0; f < own.length; f++) {
        if (!callFrameworks.has(own[f]!)) {
          throw invalidField(
            `resources[${index}].frameworks[${f}]`,
            own[f],
            `one of the call's frameworks (${frameworks.join(", ")})`,
          );
        }
        if (own.indexOf(own[f]!) !== f) {
          throw invalidField(
            `resources[${index}].frameworks[${f}]`,
            own[f],
            "a framework not already listed",
          );
        }
      }
      const key = own.join("\u0000");
      let found = states.get(key);
      if (found === undefined) {
        found = stateFor(planFor(own, packs), typeNames.length, commercial);
        states.set(key, found);
      }
      state = found;
    }

    const storedGb = amount(resource.storedGb, index, "storedGb");
    let auditGb = amount(resource.auditLogGbPerMonth, index, "auditLogGbPerMonth");
    // The audit-log field that contributes most, for an overflow.
    let auditField = "auditLogGbPerMonth";
    let auditValue: unknown = auditGb;
    if (resource.auditLogEventsPerMonth !== undefined) {
      const events = amount(resource.auditLogEventsPerMonth, index, "auditLogEventsPerMonth");
      if (eventBytes === undefined) {
        throw invalidField(
          "options.auditLogEventBytes",
          undefined,
          `the mean size of an audit-log event in bytes, when resources[${index}].auditLogEventsPerMonth is given`,
        );
      }
      // Bytes to GB first, so that a large count overflows only where the GB themselves would.
      const eventsGb = events * (eventBytes / 1e9);
      if (eventsGb > auditGb) {
        auditField = "auditLogEventsPerMonth";
        auditValue = events;
      }
      auditGb += eventsGb;
    }
    const processedGb = amount(resource.processedGbPerMonth, index, "processedGbPerMonth");
    const transitGb = amount(resource.transitGbPerMonth, index, "transitGbPerMonth");
    const hours =
      resource.hoursPerMonth === undefined
        ? hoursPerMonth
        : amount(resource.hoursPerMonth, index, "hoursPerMonth");
    if (hours > hoursPerMonth) {
      throw invalidField(`resources[${index}].hoursPerMonth`, hours, `at most ${hoursPerMonth}`);
    }
    const replicas = whole(resource.replicas, index, "replicas", 1, 1);
    const scope = resource.replicaScope ?? "storage";
    if (scope !== "storage" && scope !== "storage-and-compute") {
      throw invalidField(`resources[${index}].replicaScope`, scope, '"storage" or "storage-and-compute"');
    }
    let documentationGb = 0;
    let evidenceGb = 0;
    const records = resource.recordsGbPerMonth;
    if (records !== undefined) {
      if (typeof records !== "object" || records === null || Array.isArray(records)) {
        throw invalidField(`resources[${index}].recordsGbPerMonth`, records, "an object");
      }
      for (const key in records) {
        if (!recordKeys.has(key)) {
          parseOptions(recordKeysSchema, records, `resources[${index}].recordsGbPerMonth`);
        }
      }
      documentationGb = amount(records.documentation, index, "recordsGbPerMonth.documentation");
      evidenceGb = amount(records["audit-evidence"], index, 'recordsGbPerMonth["audit-evidence"]');
    }
    const keys = whole(resource.kmsKeys, index, "kmsKeys", 1);
    const requests = whole(resource.kmsRequestsPerMonth, index, "kmsRequestsPerMonth", 0);

    let instanceType: string | undefined;
    let type = -1;
    let vcpus = 0;
    let memoryGib = 0;
    let count = 0;
    if (resource.instanceType !== undefined) {
      instanceType = resource.instanceType;
      const found = typeof instanceType === "string" ? typeIndex.get(instanceType) : undefined;
      if (found === undefined) {
        throw unknownInstanceType(catalogue, `resources[${index}].instanceType`, instanceType);
      }
      type = found;
      const spec = instanceTypes[typeNames[found]!]!;
      vcpus = spec.vcpus;
      memoryGib = spec.memoryGib;
      count = whole(resource.instanceCount, index, "instanceCount", 1);
    } else if (resource.instanceCount !== undefined) {
      throw invalidField(
        `resources[${index}].instanceCount`,
        resource.instanceCount,
        "absent when instanceType is absent",
      );
    }

    for (const entry of state.retention) {
      const dataClass = entry.rule.dataClass;
      const gb =
        dataClass === "audit-logs" ? auditGb : dataClass === "documentation" ? documentationGb : evidenceGb;
      if (gb === 0) continue;
      if (dataClass === "audit-logs") blameLarger(entry.blame, index, auditField, auditValue, gb);
      else if (dataClass === "documentation")
        blameLarger(entry.blame, index, "recordsGbPerMonth.documentation", documentationGb, gb);
      else blameLarger(entry.blame, index, 'recordsGbPerMonth["audit-evidence"]', evidenceGb, gb);
      entry.gb += gb;
      entry.resources += 1;
    }
    const cpuType = type >= 0 ? type : encryptionIndex;
    if (state.atRest !== null && processedGb > 0)
      addTo(state.atRest, index, "processedGbPerMonth", processedGb, processedGb * vcpuHoursPerGb, cpuType);
    if (state.inTransit !== null && transitGb > 0)
      addTo(state.inTransit, index, "transitGbPerMonth", transitGb, transitGb * vcpuHoursPerGb, cpuType);
    if (state.keys !== null && (keys > 0 || requests > 0))
      addTo(
        state.keys,
        index,
        requests > keys ? "kmsRequestsPerMonth" : "kmsKeys",
        Math.max(requests, keys),
        keys,
        -1,
        requests,
      );
    for (const framework of state.plan.hsm) hsmDrivers.add(framework);
    if (state.gov && state.plan.hsm.length > 0) hsmInGovCloud = true;
    if (state.auditLogging !== null && auditGb > 0)
      addTo(state.auditLogging, index, auditField, auditValue, auditGb);
    const demanded = state.plan.replicas?.count ?? 1;
    if (demanded > replicas) {
      const extra = demanded - replicas;
      if (storedGb > 0) addTo(state.replicaStorage!, index, "storedGb", storedGb, extra * storedGb);
      if (scope === "storage-and-compute" && instanceType !== undefined && count > 0 && hours > 0) {
        addTo(state.replicaCompute!, index, "instanceCount", count, extra * count * hours, type);
      }
    }
    if (state.govCloud !== null && instanceType !== undefined && count > 0 && hours > 0) {
      addTo(state.govCloud, index, "instanceCount", count, count * hours, type);
    }
    seed.add(vcpus * count, memoryGib * count, storedGb, own);
    blameLarger(seedBlame, index, "storedGb", storedGb, storedGb);
  }

  // Merge the slots of every set of frameworks that share a line (same kind, same drivers).
  const retention = new Map<string, RetentionSlot>();
  const merged = new Map<string, Slot>();
  for (const state of states.values()) {
    for (const entry of state.retention) {
      if (entry.resources === 0) continue;
      const key = `${entry.gov ? "gov|" : ""}${entry.rule.key}`;
      const found = retention.get(key);
      if (found === undefined) retention.set(key, { ...entry, blame: { ...entry.blame } });
      else {
        found.gb += entry.gb;
        found.resources += entry.resources;
        const { index, field, value, amount: most } = entry.blame;
        blameLarger(found.blame, index, field, value, most);
      }
    }
    for (const entry of [
      state.atRest,
      state.inTransit,
      state.keys,
      state.auditLogging,
      state.replicaStorage,
      state.replicaCompute,
      state.govCloud,
    ]) {
      if (entry === null || entry.resources === 0) continue;
      const key = `${entry.kind}|${entry.gov ? "gov|" : ""}${entry.driven.key}`;
      const found = merged.get(key);
      if (found === undefined) {
        merged.set(key, {
          ...entry,
          blame: { ...entry.blame },
          byType: entry.byType === null ? null : Float64Array.from(entry.byType),
        });
        continue;
      }
      blameLarger(found.blame, entry.blame.index, entry.blame.field, entry.blame.value, entry.blame.amount);
      found.quantity += entry.quantity;
      found.extra += entry.extra;
      found.resources += entry.resources;
      if (found.byType !== null && entry.byType !== null) {
        for (let at = 0; at < entry.byType.length; at++) found.byType[at]! += entry.byType[at]!;
      }
    }
  }

  const out: ComplianceCostLine[] = [];
  /** The largest contribution to each line of `out` (null for the HSM, which no resource sizes). */
  const blames: (Blame | null)[] = [];
  let govCatalogue: PricingCatalogue | undefined;
  /** The catalogue a slot is priced in: `toGovCloud(catalogue)` for the resources in GovCloud. */
  const pricedIn = (gov: boolean): PricingCatalogue => {
    if (!gov) return catalogue;
    govCatalogue ??= govCloudOf(catalogue);
    return govCatalogue;
  };
  // Retention lines, hot and archive, from one storageCost per merged rule.
  for (const entry of retention.values()) {
    const rule = entry.rule;
    const where = pricedIn(entry.gov);
    const cost = blamed(entry.blame, `${rule.dataClass} retention`, entry.resources, () =>
      storageCost(
        { gb: entry.gb, months: rule.days / daysPerMonth, lifecycle: { archiveAfterDays: rule.hotDays } },
        where,
      ),
    );
    for (const [tier, driven] of [
      ["hot", rule.hot],
      ["archive", rule.archive],
    ] as const) {
      const part = cost.byTier[tier];
      if (part.days <= 0) continue;
      blames.push(entry.blame);
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
        explanation: `${num(entry.gb)} GB of ${rule.dataClass} written a month × ${tier} days ${num(part.fromDay)}–${num(part.toDay)} / ${num(daysPerMonth)} days a month = ${num(part.gbMonths)} GB-months × ${usd(part.gbMonthUsd)} (${part.product ?? tier}${inRegion(entry.gov)}) = ${usd(part.costUsd)} a month (steady state)`,
      });
    }
  }

  const unitPrices = new Map<string, Float64Array>();
  for (const entry of merged.values()) {
    out.push(blamed(entry.blame, entry.kind, entry.resources, () => priceLine(entry)));
    blames.push(entry.blame);
    if (entry.kind === "kms-keys" && entry.extra > 0) {
      out.push(blamed(entry.blame, "kms-requests", entry.resources, () => kmsRequestsLine(entry)));
      blames.push(entry.blame);
    }
  }
  if (hsmDrivers.size > 0) {
    const drivers = frameworks.filter((framework) => hsmDrivers.has(framework));
    const quantity = hsmCount * hoursPerMonth;
    const costUsd = tidy(quantity * hsmHourlyUsd);
    const byDefault = parsed.cloudHsmHourlyUsd === undefined;
    blames.push(null);
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
        source: byDefault ? costingDefaults.cloudHsmHourlyUsd.source : "caller (options.cloudHsmHourlyUsd)",
        asOf: byDefault ? costingDefaults.cloudHsmHourlyUsd.asOf : "caller",
        approximate: byDefault,
        note: `One cluster shared by every resource; not in the pricing catalogue.${
          byDefault ? ` ${costingDefaults.cloudHsmHourlyUsd.note}` : ""
        }${hsmInGovCloud ? ` ${commercialInGovCloud("the HSM cluster", "cloudHsmHourlyUsd")}` : ""}`,
      },
      explanation: `${hsmCount} HSMs × ${hoursPerMonth} h = ${num(quantity)} HSM-hours × ${usd(hsmHourlyUsd)} = ${usd(costUsd)} a month (one cluster for all resources)`,
    });
  }

  const total = tidy(sumExact(out.map((line) => line.costUsd)));
  if (!Number.isFinite(total)) {
    // Every line is finite: their sum is not. Blame the largest line's largest contribution.
    let largest = 0;
    out.forEach((line, at) => {
      if (line.costUsd > out[largest]!.costUsd) largest = at;
    });
    const blame = blames[largest];
    if (blame !== null && blame !== undefined && blame.index >= 0) {
      throw overflowError(blame, "total", resources.length);
    }
    throw new EnisError(
      "INVALID_OPTIONS",
      "resources must be small enough that the total cost is a finite number",
      {
        field: "resources",
      },
    );
  }
  const byFramework = frameworks.map((framework) => ({
    framework,
    name: packs.get(framework)!.name,
    lines: [] as FrameworkLineShare[],
    sums: [] as number[],
  }));
  const position = new Map(byFramework.map((entry, at) => [entry.framework, at]));
  out.forEach((line, at) => {
    const share = 1 / line.frameworks.length;
    const costUsd = line.costUsd / line.frameworks.length;
    for (const framework of line.frameworks) {
      const entry = byFramework[position.get(framework)!]!;
      entry.lines.push({ line: at, kind: line.kind, costUsd, share });
      entry.sums.push(costUsd);
    }
  });

  const seedMultipliers = seed.result(total);
  if (!Number.isFinite(seedMultipliers.costUsd)) {
    if (seedBlame.index >= 0 && seedBlame.amount > 0) {
      throw overflowError(seedBlame, "seed-multipliers comparison", resources.length);
    }
    throw new EnisError(
      "INVALID_OPTIONS",
      "resources must be small enough that the seed-multipliers comparison is a finite number",
      { field: "resources" },
    );
  }
  return {
    mode: "first-principles",
    period: "month",
    costUsd: total,
    lines: out,
    byFramework: byFramework.map(
      (entry): FrameworkCost => ({
        framework: entry.framework,
        name: entry.name,
        costUsd: tidy(sumExact(entry.sums)),
        lines: entry.lines,
      }),
    ),
    attribution: attributionRule,
    assumptions: [
      assumption(costingDefaults.encryptionCyclesPerByte, parsed.encryptionCyclesPerByte),
      assumption(costingDefaults.cpuClockHz, parsed.cpuClockHz),
      withNote(
        assumption(costingDefaults.auditLogIngestionGbUsd, parsed.auditLogIngestionGbUsd),
        out.some((line) => line.kind === "audit-log-ingestion" && line.pricing.note?.includes("GovCloud"))
          ? commercialInGovCloud("audit-log ingestion", "auditLogIngestionGbUsd")
          : undefined,
      ),
      withNote(
        assumption(costingDefaults.cloudHsmHourlyUsd, parsed.cloudHsmHourlyUsd),
        hsmDrivers.size > 0 && hsmInGovCloud
          ? commercialInGovCloud("the HSM cluster", "cloudHsmHourlyUsd")
          : undefined,
      ),
      assumption(costingDefaults.hsmCount, parsed.hsmCount),
    ],
    region: catalogue.region,
    resources: resources.length,
    seedMultipliers,
  };

  /** `", in us-gov-west-1 (toGovCloud)"` for a line priced in GovCloud, else nothing. */
  function inRegion(gov: boolean): string {
    return gov ? `, in ${pricedIn(true).region} (toGovCloud)` : "";
  }

  /** The limitation of a figure the GovCloud catalogue does not hold, said where it is used. */
  function commercialInGovCloud(what: string, option: string): string {
    const given = (parsed as Record<string, unknown>)[option] !== undefined;
    return given
      ? `GovCloud: ${what} of resources in GovCloud is priced at the caller's options.${option}, taken as the GovCloud price.`
      : `GovCloud: ${what} of resources in GovCloud is priced at this commercial (us-east-1) figure: the pricing catalogue, and so toGovCloud(catalogue), holds no such price, and no GovCloud factor is applied to it; pass the GovCloud price as options.${option}.`;
  }

  /** A line priced by instance type: the quantity of each type × its unit price, summed. */
  function byInstanceType(
    entry: Slot,
    unitPrice: (type: string) => number,
  ): { shares: InstanceTypeShare[]; costUsd: number; quantity: number } {
    const shares: InstanceTypeShare[] = [];
    const costs: number[] = [];
    let quantity = 0;
    const amounts = entry.byType!;
    // Each type's unit price, computed and rounded once per kind of line and catalogue, shared by its lines.
    const pricesKey = `${entry.kind}|${entry.gov}`;
    let prices = unitPrices.get(pricesKey);
    if (prices === undefined) {
      prices = new Float64Array(typeNames.length).fill(Number.NaN);
      unitPrices.set(pricesKey, prices);
    }
    for (let at = 0; at < amounts.length; at++) {
      const amountOfType = amounts[at]!;
      if (amountOfType === 0) continue;
      const type = typeNames[at]!;
      let price = prices[at]!;
      if (Number.isNaN(price)) {
        price = tidy(unitPrice(type));
        prices[at] = price;
      }
      const raw = amountOfType * price;
      costs.push(raw);
      quantity += amountOfType;
      shares.push({
        instanceType: type,
        quantity: tidy(amountOfType),
        unitPriceUsd: price,
        costUsd: tidy(raw),
      });
    }
    return { shares, costUsd: tidy(sumExact(costs)), quantity: tidy(quantity) };
  }

  /** The one type's unit price, or the quantity-weighted average over several. */
  function unitPriceOf(priced: { shares: InstanceTypeShare[]; costUsd: number; quantity: number }): number {
    if (priced.shares.length === 1) return priced.shares[0]!.unitPriceUsd;
    return priced.quantity === 0 ? 0 : tidy(priced.costUsd / priced.quantity);
  }

  function typedExplanation(
    what: string,
    unit: string,
    priced: { shares: InstanceTypeShare[]; costUsd: number; quantity: number },
    price: string,
  ): string {
    const only = priced.shares.length === 1 ? priced.shares[0]! : undefined;
    return only === undefined
      ? `${what}: ${num(priced.quantity)} ${unit} over ${priced.shares.length} instance types, each × its ${price} (byInstanceType) = ${usd(priced.costUsd)} a month`
      : `${what}: ${num(only.quantity)} ${unit} × ${usd(only.unitPriceUsd)} (${only.instanceType} ${price}) = ${usd(priced.costUsd)} a month`;
  }

  /** The KMS API requests of a keys slot (its `extra`), driven by the same frameworks. */
  function kmsRequestsLine(entry: Slot): ComplianceCostLine {
    const cost = kmsCost({ keys: 0, months: 1, requests: entry.extra }, pricedIn(entry.gov));
    return {
      kind: "kms-requests",
      frameworks: entry.driven.drivers,
      resources: entry.resources,
      requirement: entry.driven.requirement,
      quantity: entry.extra,
      unit: "requests",
      unitPriceUsd: tidy(cost.per10kRequestsUsd / 10_000),
      costUsd: cost.requestsUsd,
      pricing: cost.provenance,
      explanation: `${num(entry.extra)} requests / 10,000 × ${usd(cost.per10kRequestsUsd)}${inRegion(entry.gov)} = ${usd(cost.requestsUsd)} a month`,
    };
  }

  function priceLine(entry: Slot): ComplianceCostLine {
    const { kind, driven } = entry;
    const base = {
      kind,
      frameworks: driven.drivers,
      resources: entry.resources,
      requirement: driven.requirement,
    };
    const where = pricedIn(entry.gov);
    const prices = where.instanceTypes;
    const { onDemand } = where.instanceTypeSources;
    const here = inRegion(entry.gov);
    switch (kind) {
      case "encryption-at-rest-cpu":
      case "encryption-in-transit-cpu": {
        const priced = byInstanceType(entry, (type) => prices[type]!.onDemandHourlyUsd / prices[type]!.vcpus);
        const gb = entry.quantity / vcpuHoursPerGb;
        return {
          ...base,
          quantity: priced.quantity,
          unit: "vCPU-hours",
          unitPriceUsd: unitPriceOf(priced),
          costUsd: priced.costUsd,
          byInstanceType: priced.shares,
          pricing: onDemand,
          explanation: typedExplanation(
            `${num(gb)} GB × 1e9 B × ${num(cyclesPerByte)} cycles/B / ${num(clockHz)} Hz / 3,600 s`,
            "vCPU-hours",
            priced,
            `on-demand hourly / vCPUs${here}`,
          ),
        };
      }
      case "kms-keys": {
        // The keys only: the requests are their own line (kmsRequestsLine), so that each line's
        // cost is its quantity × its unit price.
        const cost = kmsCost({ keys: entry.quantity, months: 1 }, where);
        return {
          ...base,
          quantity: entry.quantity,
          unit: "key-months",
          unitPriceUsd: cost.keyMonthUsd,
          costUsd: cost.keysUsd,
          pricing: cost.provenance,
          explanation: `${num(entry.quantity)} keys × 1 month × ${usd(cost.keyMonthUsd)}${here} = ${usd(cost.keysUsd)} a month`,
        };
      }
      case "audit-log-ingestion": {
        const costUsd = tidy(entry.quantity * ingestionGbUsd);
        const byDefault = parsed.auditLogIngestionGbUsd === undefined;
        return {
          ...base,
          quantity: tidy(entry.quantity),
          unit: "GB",
          unitPriceUsd: ingestionGbUsd,
          costUsd,
          pricing: {
            source: byDefault
              ? costingDefaults.auditLogIngestionGbUsd.source
              : "caller (options.auditLogIngestionGbUsd)",
            asOf: byDefault ? costingDefaults.auditLogIngestionGbUsd.asOf : "caller",
            approximate: false,
            note: `Ingestion only; storage is the audit-logs retention line.${
              entry.gov ? ` ${commercialInGovCloud("audit-log ingestion", "auditLogIngestionGbUsd")}` : ""
            }`,
          },
          explanation: `${num(entry.quantity)} GB of audit logs a month × ${usd(ingestionGbUsd)} = ${usd(costUsd)} a month`,
        };
      }
      case "replica-storage": {
        const cost = storageCost({ gb: entry.quantity, months: 1 }, where);
        return {
          ...base,
          quantity: cost.gbMonths,
          unit: "GB-months",
          unitPriceUsd: cost.byTier.hot.gbMonthUsd,
          costUsd: cost.costUsd,
          pricing: cost.provenance,
          explanation: `${num(entry.quantity)} GB of extra copies ((copies demanded − copies kept) × stored GB) × 1 month × ${usd(cost.byTier.hot.gbMonthUsd)} (${cost.byTier.hot.product ?? "hot"}${here}) = ${usd(cost.costUsd)} a month`,
        };
      }
      case "replica-compute": {
        const priced = byInstanceType(entry, (type) => prices[type]!.onDemandHourlyUsd);
        return {
          ...base,
          quantity: priced.quantity,
          unit: "instance-hours",
          unitPriceUsd: unitPriceOf(priced),
          costUsd: priced.costUsd,
          byInstanceType: priced.shares,
          pricing: onDemand,
          explanation: typedExplanation("standby nodes", "instance-hours", priced, `on-demand hourly${here}`),
        };
      }
      case "govcloud-premium": {
        if (catalogue.region.startsWith("us-gov-")) {
          return {
            ...base,
            quantity: tidy(entry.quantity),
            unit: "instance-hours",
            unitPriceUsd: 0,
            costUsd: 0,
            pricing: onDemand,
            explanation: `the catalogue is already GovCloud's (${catalogue.region}): no premium over its own prices`,
          };
        }
        const govPrices = pricedIn(true);
        const gov = govPrices.instanceTypes;
        const priced = byInstanceType(
          entry,
          (type) => gov[type]!.onDemandHourlyUsd - instanceTypes[type]!.onDemandHourlyUsd,
        );
        const { multiplier, ...provenance } = catalogue.govCloud;
        return {
          ...base,
          quantity: priced.quantity,
          unit: "instance-hours",
          unitPriceUsd: unitPriceOf(priced),
          costUsd: priced.costUsd,
          byInstanceType: priced.shares,
          pricing: provenance as PriceProvenance,
          explanation: typedExplanation(
            `compute in ${govPrices.region} (toGovCloud, × ${multiplier}) minus ${catalogue.region}`,
            "instance-hours",
            priced,
            `on-demand hourly difference`,
          ),
        };
      }
      default:
        throw new EnisError("INTERNAL", `a ${kind} line cannot be priced here`);
    }
  }
}

/**
 * The error for a line whose cost is not a finite number: against the field of the resource that
 * contributes most to it (`resources[3].storedGb`), never a field of `@enis/cost-model`'s.
 */
function overflowError(blame: Blame, line: string, resources: number): EnisError {
  const field = `resources[${blame.index}].${blame.field}`;
  const others =
    resources > 1
      ? ` (the ${line === "total" ? "total" : "line"} sums ${resources} resources; this one contributes the most)`
      : "";
  return new EnisError(
    "INVALID_OPTIONS",
    `${field} must be small enough that the ${line === "total" ? "total" : `${line} line's`} cost is a finite number, got ${describeValue(blame.value)}${others}`,
    { field },
  );
}

/**
 * Runs the pricing of one line: an error about a field of `@enis/cost-model`'s (its `gb`), or a
 * cost that is not a finite number, is re-raised against the resource's field that contributes most.
 */
function blamed<T extends { readonly costUsd: number }>(
  blame: Blame,
  line: string,
  resources: number,
  price: () => T,
): T {
  let result: T;
  try {
    result = price();
  } catch (error) {
    // cost-model names its own argument (`gb`, `keys`): the catalogue was checked before pricing.
    if (
      EnisError.isInstance(error) &&
      error.code === "INVALID_OPTIONS" &&
      blame.index >= 0 &&
      error.field?.startsWith("catalogue") !== true
    ) {
      throw overflowError(blame, line, resources);
    }
    throw error;
  }
  if (!Number.isFinite(result.costUsd) && blame.index >= 0) throw overflowError(blame, line, resources);
  return result;
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
  // The same registry, and the same errors, as validateCompliance's and riskReduction's.
  const byId = rulePackRegistry(extra, "options.rulePacks");
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

/** `entry` with `extra` appended to its note (unchanged when there is none). */
function withNote(entry: CostingAssumption, extra: string | undefined): CostingAssumption {
  if (extra === undefined) return entry;
  return { ...entry, note: entry.note === undefined ? extra : `${entry.note} ${extra}` };
}

function assumption(base: CostingAssumption, given: number | undefined): CostingAssumption {
  return given === undefined ? base : { ...base, value: given, source: "caller", assumption: false };
}
