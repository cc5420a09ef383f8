import type { PriceProvenance, PricingCatalogue } from "@enis/cost-model";
import type { RetentionDataClass, RulePack } from "../rule-packs/types.js";
import type { CostingAssumption } from "./defaults.js";
import type { SeedMultiplierComparison } from "./seed-multipliers.js";

/**
 * One resource to cost: what it runs, stores, writes and encrypts in a month. Every volume is a
 * finite number >= 0 (a negative one throws `INVALID_OPTIONS` naming the field, e.g.
 * `resources[3].storedGb`); every field but `id` may be left out (0, or the default given).
 */
export interface ComplianceResource {
  /** The resource's id, unique within the call. */
  readonly id: string;
  /**
   * The frameworks that apply to this resource, a subset of the call's `frameworks`.
   * @default all of the call's frameworks
   */
  readonly frameworks?: readonly string[];
  /** The instance type of the catalogue the resource runs on (compute), e.g. `"m5.large"`. */
  readonly instanceType?: string;
  /**
   * Instances of `instanceType`, a whole number >= 0.
   * @default 1 when `instanceType` is given
   */
  readonly instanceCount?: number;
  /**
   * Hours each instance runs in a month, 0 to 730.
   * @default 730 (always on)
   */
  readonly hoursPerMonth?: number;
  /** GB of the resource's data stored (one copy): the amount each extra replica adds. */
  readonly storedGb?: number;
  /**
   * Copies of the data (and nodes) the resource already keeps without any framework, a whole number >= 1.
   * A framework's `minReplicas` adds only the copies beyond these.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * What a replica copies: the data only (`"storage"`), or the data and the instances that serve it
   * (`"storage-and-compute"`: a standby node per instance).
   * @default "storage" (a backup copy; the frameworks' backup controls ask for copies of data)
   */
  readonly replicaScope?: "storage" | "storage-and-compute";
  /** GB of records written a month, by class (audit logs go in `auditLogGbPerMonth`). */
  readonly recordsGbPerMonth?: {
    /** Policies, procedures and the records of actions they require. */
    readonly documentation?: number;
    /** Audit evidence and workpapers. */
    readonly "audit-evidence"?: number;
  };
  /** GB of audit (security and access) logs ingested a month; retained under the `audit-logs` rules. */
  readonly auditLogGbPerMonth?: number;
  /**
   * Audit-log events a month, counted as `events × options.auditLogEventBytes / 1e9` GB on top of
   * `auditLogGbPerMonth` (the option must then be given: no event size is assumed).
   */
  readonly auditLogEventsPerMonth?: number;
  /** GB passing through at-rest encryption a month (encrypted on write plus decrypted on read). */
  readonly processedGbPerMonth?: number;
  /** GB sent or received over encrypted connections (TLS) a month. */
  readonly transitGbPerMonth?: number;
  /**
   * Customer-managed KMS keys the resource uses, a whole number >= 0.
   * @default 1 when a framework calls for managed keys
   */
  readonly kmsKeys?: number;
  /** KMS API requests a month (encrypt, decrypt, generate data key), a whole number >= 0. */
  readonly kmsRequestsPerMonth?: number;
}

/** Options of {@link costCompliance}. */
export interface CostComplianceOptions {
  /**
   * The pricing catalogue every price comes from.
   * @default defaultAwsCatalogue (AWS us-east-1)
   */
  readonly catalogue?: PricingCatalogue;
  /**
   * Rule packs of the caller's, checked by `parseRulePack`, looked up beside the built-in ones by
   * `pack.framework`; a pack with a built-in id replaces the built-in pack.
   * @default [] (the built-in packs only)
   */
  readonly rulePacks?: readonly RulePack[];
  /**
   * CPU cycles per byte of AES-GCM encryption or decryption, > 0.
   * @default 0.64 (AES-NI; see {@link costingDefaults})
   */
  readonly encryptionCyclesPerByte?: number;
  /**
   * Sustained clock of one vCPU, Hz, > 0.
   * @default 3e9
   */
  readonly cpuClockHz?: number;
  /**
   * The instance type whose vCPU-hour prices encryption for a resource without `instanceType`.
   * @default "m5.large"
   */
  readonly encryptionInstanceType?: string;
  /**
   * USD per GB of audit logs ingested, >= 0.
   * @default 0.5 (CloudWatch Logs Standard, us-east-1)
   */
  readonly auditLogIngestionGbUsd?: number;
  /**
   * USD per HSM-hour, >= 0.
   * @default 1.45 (AWS CloudHSM, us-east-1)
   */
  readonly cloudHsmHourlyUsd?: number;
  /**
   * HSMs in the one shared cluster a framework demanding an HSM pays for, a whole number >= 1.
   * @default 2 (AWS's recommendation for production: two Availability Zones)
   */
  readonly hsmCount?: number;
  /**
   * Mean size of an audit-log event in bytes, > 0, to turn a resource's `auditLogEventsPerMonth`
   * into GB (1 GB = 1e9 bytes). Required when a resource gives events; no default is assumed.
   */
  readonly auditLogEventBytes?: number;
}

/** What a cost line pays for. */
export type ComplianceCostKind =
  /** Retained records in the hot tier, for the immediately-available days. */
  | "retention-hot"
  /** Retained records in the archive tier, for the rest of the retention. */
  | "retention-archive"
  /** CPU time of at-rest encryption and decryption. */
  | "encryption-at-rest-cpu"
  /** CPU time of in-transit (TLS) encryption. */
  | "encryption-in-transit-cpu"
  /** Customer-managed KMS keys. */
  | "kms-keys"
  /** KMS API requests. */
  | "kms-requests"
  /** A dedicated HSM cluster (shared by every resource). */
  | "hsm"
  /** Audit-log ingestion. */
  | "audit-log-ingestion"
  /** Extra copies of stored data. */
  | "replica-storage"
  /** Extra (standby) instances. */
  | "replica-compute"
  /** The GovCloud price of the resources' compute minus its commercial price. */
  | "govcloud-premium";

/** Where a line's unit price comes from. */
export type LinePricing = PriceProvenance;

/** One line of the bill: a quantity, its unit, its unit price and the frameworks that drive it. */
export interface ComplianceCostLine {
  readonly kind: ComplianceCostKind;
  /** The frameworks that drive the line (see the attribution rule); its cost is split equally among them. */
  readonly frameworks: readonly string[];
  /** The class of records, for retention lines. */
  readonly dataClass?: RetentionDataClass;
  /** For lines priced by instance type (encryption CPU, standby nodes, GovCloud): each type's part. */
  readonly byInstanceType?: readonly InstanceTypeShare[];
  /** The retention in days and of them the immediately-available days, for retention lines. */
  readonly retention?: { readonly days: number; readonly immediatelyAvailableDays: number };
  /** Resources contributing to the line (0 for the shared HSM line). */
  readonly resources: number;
  /** The quantity bought in a month, in `unit`. */
  readonly quantity: number;
  /** e.g. `"GB-months"`, `"vCPU-hours"`, `"key-months"`, `"requests"`, `"HSM-hours"`, `"GB"`, `"instance-hours"`. */
  readonly unit: string;
  /**
   * USD per `unit` (for the GovCloud premium: the premium per instance-hour); for a line over
   * several instance types, the quantity-weighted average (`costUsd / quantity`).
   */
  readonly unitPriceUsd: number;
  /** USD a month. */
  readonly costUsd: number;
  /** What the frameworks demand, with their citations. */
  readonly requirement: string;
  /** Where the unit price comes from. */
  readonly pricing: LinePricing;
  /** The arithmetic in words and numbers. */
  readonly explanation: string;
}

/** One instance type's part of a line priced by instance type. */
export interface InstanceTypeShare {
  readonly instanceType: string;
  /** vCPU-hours (encryption) or instance-hours (standby nodes, GovCloud). */
  readonly quantity: number;
  /** The type's on-demand price per unit (per vCPU-hour: hourly / vCPUs; GovCloud: the difference), USD. */
  readonly unitPriceUsd: number;
  readonly costUsd: number;
}

/** One framework's share of one line. */
export interface FrameworkLineShare {
  /** Index of the line in {@link ComplianceCostResult.lines}. */
  readonly line: number;
  readonly kind: ComplianceCostKind;
  /** The line's cost divided by the number of frameworks driving it, USD a month. */
  readonly costUsd: number;
  /** 1 / the number of frameworks driving the line. */
  readonly share: number;
}

/** What one framework is attributed. */
export interface FrameworkCost {
  readonly framework: string;
  /** The framework's name in its rule pack. */
  readonly name: string;
  /** Sum of its shares, USD a month. */
  readonly costUsd: number;
  readonly lines: readonly FrameworkLineShare[];
}

/** Result of {@link costCompliance}: a month of steady-state compliance cost, line by line and framework by framework. */
export interface ComplianceCostResult {
  readonly mode: "first-principles";
  /** Every figure is USD a month, in the steady state (the retention windows full). */
  readonly period: "month";
  /** Sum of the lines, USD a month. */
  readonly costUsd: number;
  /** The lines, aggregated over the resources (one per kind, class, instance type and set of driving frameworks). */
  readonly lines: readonly ComplianceCostLine[];
  /** Each framework's shares of the lines; their costs sum to `costUsd`. */
  readonly byFramework: readonly FrameworkCost[];
  /** The rule by which a line's cost is attributed to frameworks. */
  readonly attribution: string;
  /** The figures used that are not catalogue prices, with their sources. */
  readonly assumptions: readonly CostingAssumption[];
  /** The catalogue's region. */
  readonly region: string;
  /** Resources costed. */
  readonly resources: number;
  /** The seed's multiplier model on the same resources, for comparison. */
  readonly seedMultipliers: SeedMultiplierComparison;
}
