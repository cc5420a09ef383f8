/** The processor architecture of an instance type or a Lambda function. */
export type Architecture = "x86_64" | "arm64";

/**
 * How an instance-hour is bought:
 * - `"on-demand"`: the list price, no commitment;
 * - `"spot"`: spare capacity that can be reclaimed at two minutes' notice; its price moves with
 *   supply and demand, so a catalogue's spot figure is a dated snapshot, not a quote;
 * - `"reserved-1y"` / `"reserved-3y"`: a Standard Reserved Instance, 1- or 3-year term, no
 *   upfront payment, as its effective hourly price (paid for every hour of the term, used or not).
 */
export type PurchaseOption = "on-demand" | "spot" | "reserved-1y" | "reserved-3y";

/** The purchase options, in the order results list them. */
export const purchaseOptions: readonly PurchaseOption[] = Object.freeze([
  "on-demand",
  "spot",
  "reserved-1y",
  "reserved-3y",
] as const);

/** The price kinds of an instance type, each with its own provenance. */
export type InstancePriceKind = "onDemand" | "spot" | "reserved1y" | "reserved3y";

/**
 * The broad use of an instance family: `general` (m), `compute` (c), `memory` (r), `burstable`
 * (t), `gpu` (g, p), or `other`. Graviton (arm64) types belong to the family's category; their
 * `architecture` says `"arm64"`.
 */
export type InstanceCategory = "general" | "compute" | "memory" | "burstable" | "gpu" | "other";

/**
 * The AWS Spot Instance Advisor's band for how often spot capacity of a type was reclaimed in the
 * trailing month (`"<5%"` … `">20%"`).
 */
export type SpotInterruptionBand = "<5%" | "5-10%" | "10-15%" | "15-20%" | ">20%";

/** The storage temperature tiers, hottest (most expensive per GB-month) first. */
export type StorageTier = "hot" | "warm" | "cold" | "archive";

/** The storage tiers in lifecycle order: data moves hot → warm → cold → archive. */
export const storageTiers: readonly StorageTier[] = Object.freeze([
  "hot",
  "warm",
  "cold",
  "archive",
] as const);

/** Where a figure comes from and how far to trust it. */
export interface PriceProvenance {
  /** URL of the price page or price-list file the figure was read from (or a description of the source). */
  readonly source: string;
  /** The date (`YYYY-MM-DD`, UTC) on which the figure is known to have been the price at `source`. */
  readonly asOf: string;
  /** True when the figure is an estimate (a typical discount, a derived ratio) rather than a published price. */
  readonly approximate: boolean;
  /** How the figure was obtained, and what it leaves out. */
  readonly note?: string;
}

/** One instance type and its hourly prices, in US dollars per instance-hour. */
export interface InstanceTypeSpec {
  /** The type's name, e.g. `"m5.large"` (its key in {@link PricingCatalogue.instanceTypes}). */
  readonly name: string;
  /** The family, e.g. `"m5"` (by default the part of the name before the first "."). */
  readonly family: string;
  /** The family's broad use. */
  readonly category: InstanceCategory;
  /** Virtual CPUs, a whole number >= 1. */
  readonly vcpus: number;
  /** Memory in GiB, > 0. */
  readonly memoryGib: number;
  /** Processor architecture. */
  readonly architecture: Architecture;
  /** GPUs, a whole number >= 0. */
  readonly gpus: number;
  /** The GPU model, when `gpus > 0` (e.g. `"NVIDIA T4"`). */
  readonly gpuModel?: string;
  /** On-demand price, USD per hour. */
  readonly onDemandHourlyUsd: number;
  /** Spot price, USD per hour: a dated snapshot or typical discount (see the catalogue's `instanceTypeSources.spot`). */
  readonly spotHourlyUsd: number;
  /** Standard 1-year no-upfront Reserved Instance, effective USD per hour. */
  readonly reserved1yHourlyUsd: number;
  /** Standard 3-year no-upfront Reserved Instance, effective USD per hour. */
  readonly reserved3yHourlyUsd: number;
  /** How often spot capacity of this type was reclaimed, when known. */
  readonly spotInterruption?: SpotInterruptionBand;
  /** Provenance of this type's prices where it differs from the catalogue's `instanceTypeSources`. */
  readonly sources?: Readonly<Partial<Record<InstancePriceKind, PriceProvenance>>>;
}

/** Lambda prices of one architecture. */
export interface LambdaArchitecturePrices {
  /** USD per GB-second of billed duration (GB = memory MB / 1024). */
  readonly gbSecondUsd: number;
  /** USD per request (invocation): $0.20 per million is `0.0000002`. */
  readonly requestUsd: number;
}

/** Lambda prices, per architecture, with their provenance. */
export interface LambdaPrices extends PriceProvenance {
  readonly x86_64: LambdaArchitecturePrices;
  readonly arm64: LambdaArchitecturePrices;
}

/** The price of one storage tier. */
export interface StorageTierPrice {
  /** USD per GB-month stored. */
  readonly gbMonthUsd: number;
  /** The product that plays this tier, e.g. `"S3 Standard"`. */
  readonly product?: string;
}

/** Storage prices by tier, with their provenance. */
export interface StoragePrices extends PriceProvenance {
  readonly hot: StorageTierPrice;
  readonly warm: StorageTierPrice;
  readonly cold: StorageTierPrice;
  readonly archive: StorageTierPrice;
}

/** Data-transfer prices, with their provenance. */
export interface TransferPrices extends PriceProvenance {
  /** USD per GB transferred out to the internet. */
  readonly internetOutGbUsd: number;
}

/** Key-management (KMS) prices, with their provenance. */
export interface KmsPrices extends PriceProvenance {
  /** USD per customer-managed key per month. */
  readonly keyMonthUsd: number;
  /** USD per 10,000 API requests. */
  readonly per10kRequestsUsd: number;
}

/** The factor from the catalogue's region to AWS GovCloud (US), with its provenance. */
export interface GovCloudPricing extends PriceProvenance {
  /** GovCloud price / commercial-region price, > 0. */
  readonly multiplier: number;
}

/**
 * A validated, deeply frozen pricing catalogue (from {@link loadCatalogue}, {@link withOverrides},
 * {@link toGovCloud} or {@link defaultAwsCatalogue}). All prices in US dollars.
 */
export interface PricingCatalogue {
  /** The cloud provider, e.g. `"aws"`. */
  readonly provider: string;
  /** The region the prices are for, e.g. `"us-east-1"`. */
  readonly region: string;
  /** Instance types by name (a null-prototype record). */
  readonly instanceTypes: Readonly<Record<string, InstanceTypeSpec>>;
  /** Provenance of each instance price kind, unless a type's own `sources` says otherwise. */
  readonly instanceTypeSources: Readonly<Record<InstancePriceKind, PriceProvenance>>;
  readonly lambda: LambdaPrices;
  readonly storage: StoragePrices;
  readonly transfer: TransferPrices;
  readonly kms: KmsPrices;
  readonly govCloud: GovCloudPricing;
}

/** {@link PriceProvenance} as a catalogue's JSON gives it: `approximate` may be left out (false). */
export interface PriceProvenanceInput {
  source: string;
  asOf: string;
  approximate?: boolean;
  note?: string;
}

/**
 * An instance type as a catalogue's JSON gives it: {@link InstanceTypeSpec} where `name` (its
 * key), `family` (the name before the first "."), `category` (`"other"`) and `gpus` (0) may be
 * left out.
 */
export interface InstanceTypeInput {
  name?: string;
  family?: string;
  category?: InstanceCategory;
  vcpus: number;
  memoryGib: number;
  architecture: Architecture;
  gpus?: number;
  gpuModel?: string;
  onDemandHourlyUsd: number;
  spotHourlyUsd: number;
  reserved1yHourlyUsd: number;
  reserved3yHourlyUsd: number;
  spotInterruption?: SpotInterruptionBand;
  sources?: Partial<Record<InstancePriceKind, PriceProvenanceInput>>;
}

/**
 * The JSON form of a pricing catalogue, as {@link loadCatalogue} reads it: the fields of
 * {@link PricingCatalogue}, with the defaults of {@link InstanceTypeInput} and
 * {@link PriceProvenanceInput}.
 */
export interface PricingCatalogueInput {
  provider: string;
  region: string;
  instanceTypes: Record<string, InstanceTypeInput>;
  instanceTypeSources: Record<InstancePriceKind, PriceProvenanceInput>;
  lambda: PriceProvenanceInput & { x86_64: LambdaArchitecturePrices; arm64: LambdaArchitecturePrices };
  storage: PriceProvenanceInput & {
    hot: StorageTierPrice;
    warm: StorageTierPrice;
    cold: StorageTierPrice;
    archive: StorageTierPrice;
  };
  transfer: PriceProvenanceInput & { internetOutGbUsd: number };
  kms: PriceProvenanceInput & { keyMonthUsd: number; per10kRequestsUsd: number };
  govCloud: PriceProvenanceInput & { multiplier: number };
}

/**
 * Overrides for {@link withOverrides}: any part of a catalogue's JSON form, merged field by field
 * (an instance type may give only the fields it changes).
 */
export interface PricingCatalogueOverrides {
  provider?: string;
  region?: string;
  instanceTypes?: Record<string, Partial<InstanceTypeInput>>;
  instanceTypeSources?: Partial<Record<InstancePriceKind, Partial<PriceProvenanceInput>>>;
  lambda?: Partial<PriceProvenanceInput> & {
    x86_64?: Partial<LambdaArchitecturePrices>;
    arm64?: Partial<LambdaArchitecturePrices>;
  };
  storage?: Partial<PriceProvenanceInput> & {
    hot?: Partial<StorageTierPrice>;
    warm?: Partial<StorageTierPrice>;
    cold?: Partial<StorageTierPrice>;
    archive?: Partial<StorageTierPrice>;
  };
  transfer?: Partial<PriceProvenanceInput> & { internetOutGbUsd?: number };
  kms?: Partial<PriceProvenanceInput> & { keyMonthUsd?: number; per10kRequestsUsd?: number };
  govCloud?: Partial<PriceProvenanceInput> & { multiplier?: number };
}
