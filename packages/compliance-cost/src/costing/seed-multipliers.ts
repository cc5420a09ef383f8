/*
 * Seed 000's tier-5 compliance cost (ComplianceCostOptimizer._apply_compliance_overhead and the
 * compliance_overhead_cost of _analyze_compliance_costs), kept as a named comparison mode so that
 * a reader sees how far its flat multipliers land from the first-principles figure. No authority
 * publishes such multipliers (REFERENCES.md §6): this is not a cost model, only a reproduction.
 */

/** The seed's multipliers of one framework (a factor of 1 where the seed has none). */
export interface SeedFrameworkMultipliers {
  readonly cpu: number;
  readonly memory: number;
  readonly storage: number;
  readonly network: number;
}

/**
 * The seed's multipliers, quoted from seed 000 (`_apply_compliance_overhead`), by framework id.
 * ISO 27001 and any other framework have none (factor 1) in the seed. The seed's comments: HIPAA
 * cpu 1.2 "Encryption overhead", storage 2.0 "Backup requirements", memory 1.1 "Audit buffer";
 * SOX storage 3.0 "7-year retention", cpu 1.15 "Audit processing"; GDPR storage 1.5 "Right to
 * erasure", memory 1.2 "Privacy processing"; PCI DSS network 2.0 "Network segmentation", cpu 1.25
 * "Security scanning"; FedRAMP cpu 1.3 "Security controls", memory 1.3 "Monitoring overhead",
 * storage 2.5 "Compliance artifacts".
 */
export const seedMultipliers: Readonly<Record<string, SeedFrameworkMultipliers>> = Object.freeze({
  hipaa: Object.freeze({ cpu: 1.2, memory: 1.1, storage: 2.0, network: 1 }),
  sox: Object.freeze({ cpu: 1.15, memory: 1, storage: 3.0, network: 1 }),
  gdpr: Object.freeze({ cpu: 1, memory: 1.2, storage: 1.5, network: 1 }),
  "pci-dss": Object.freeze({ cpu: 1.25, memory: 1, storage: 1, network: 2.0 }),
  fedramp: Object.freeze({ cpu: 1.3, memory: 1.3, storage: 2.5, network: 1 }),
});

/**
 * The seed's prices (`cost_model` of `_analyze_compliance_costs`, "air-gapped environment"), USD,
 * and its 730-hour month.
 */
export const seedPrices = Object.freeze({
  cpuCoreHourUsd: 0.15,
  memoryGbHourUsd: 0.02,
  storageGbMonthUsd: 0.5,
  hsmDeviceMonthUsd: 1500,
  /** `dedicated_audit_storage_gb = 1000 × len(frameworks)`. */
  auditStorageGbPerFramework: 1000,
  hoursPerMonth: 730,
});

/** One item of the seed's compliance overhead, summed over the resources. */
export interface SeedOverheadItem {
  readonly item: "cpu-cores" | "memory-gb" | "storage-gb" | "hsm-devices" | "audit-storage-gb";
  /** Units added by the multipliers (cores, GB) or by the per-framework rules (HSMs, GB). */
  readonly quantity: number;
  /** The seed's price of one unit a month (hourly prices × 730). */
  readonly unitPriceUsd: number;
  readonly costUsd: number;
}

/** The seed's model on the same resources, and how far it lands from the first-principles figure. */
export interface SeedMultiplierComparison {
  readonly mode: "seed-multipliers";
  /** Seed 000's compliance overhead, USD a month, summed over the resources (each resource one call of the seed). */
  readonly costUsd: number;
  readonly items: readonly SeedOverheadItem[];
  /** `costUsd / firstPrinciplesUsd`; null when the first-principles figure is 0. */
  readonly ratioToFirstPrinciples: number | null;
  /** The multipliers applied, by framework id (quoted from the seed). */
  readonly multipliers: Readonly<Record<string, SeedFrameworkMultipliers>>;
  /** Where the figures come from, and what the seed's model leaves out or counts wrongly. */
  readonly source: string;
  /** The arithmetic in words. */
  readonly explanation: string;
}

/** Running sums of the seed's overhead items. */
export class SeedAccumulator {
  cpuCores = 0;
  memoryGb = 0;
  storageGb = 0;
  hsmDevices = 0;
  auditStorageGb = 0;

  /**
   * Adds one resource (its cores, memory GB and storage GB before the multipliers) as one call of the seed: the multipliers of `frameworks` multiplied in the
   * order given (as the seed's loop does), each resource figure truncated by Python's `int()`, then
   * one HSM and 1,000 GB of audit storage per framework.
   */
  add(cpuCores: number, memoryGb: number, storageGb: number, frameworks: readonly string[]): void {
    let cpu = 1;
    let memory = 1;
    let storage = 1;
    for (const framework of frameworks) {
      const factors = seedMultipliers[framework];
      if (factors === undefined) continue;
      cpu *= factors.cpu;
      memory *= factors.memory;
      storage *= factors.storage;
    }
    this.cpuCores += Math.trunc(cpuCores * cpu) - cpuCores;
    this.memoryGb += Math.trunc(memoryGb * memory) - memoryGb;
    this.storageGb += Math.trunc(storageGb * storage) - storageGb;
    this.hsmDevices += frameworks.length;
    this.auditStorageGb += seedPrices.auditStorageGbPerFramework * frameworks.length;
  }

  /** The comparison, against the first-principles total. */
  result(firstPrinciplesUsd: number): SeedMultiplierComparison {
    const month = seedPrices.hoursPerMonth;
    const items: SeedOverheadItem[] = [
      item("cpu-cores", this.cpuCores, seedPrices.cpuCoreHourUsd * month),
      item("memory-gb", this.memoryGb, seedPrices.memoryGbHourUsd * month),
      item("storage-gb", this.storageGb, seedPrices.storageGbMonthUsd),
      item("hsm-devices", this.hsmDevices, seedPrices.hsmDeviceMonthUsd),
      item("audit-storage-gb", this.auditStorageGb, seedPrices.storageGbMonthUsd),
    ];
    let total = 0;
    for (const entry of items) total += entry.quantity * entry.unitPriceUsd;
    const costUsd = Number(total.toPrecision(12));
    return {
      mode: "seed-multipliers",
      costUsd,
      items,
      ratioToFirstPrinciples:
        firstPrinciplesUsd > 0 ? Number((costUsd / firstPrinciplesUsd).toPrecision(12)) : null,
      multipliers: seedMultipliers,
      source:
        "seed 000, tier 5, ComplianceCostOptimizer._apply_compliance_overhead (multipliers, int() truncation, one HSM and 1,000 GB of audit storage per framework) and _analyze_compliance_costs (compliance_overhead_cost at the seed's air-gapped prices: $0.15 per core-hour, $0.02 per GB-hour of memory, $0.50 per GB-month, $1,500 per HSM-month, 730 hours). The seed's base doubles as its own redundancy (storage_gb = 3 × data volume) and its personnel ($5,000) and audit ($2,000) per framework a month are left out here. No authority publishes such multipliers.",
      explanation: `${items
        .map((entry) => `${entry.quantity} ${entry.item} × $${entry.unitPriceUsd} = $${entry.costUsd}`)
        .join(" + ")} = $${costUsd}`,
    };
  }
}

function item(name: SeedOverheadItem["item"], quantity: number, unitPriceUsd: number): SeedOverheadItem {
  const price = Number(unitPriceUsd.toPrecision(12));
  return { item: name, quantity, unitPriceUsd: price, costUsd: Number((quantity * price).toPrecision(12)) };
}
