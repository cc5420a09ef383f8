import { EnisError } from "@enis/core";
import { computeCost, defaultAwsCatalogue, toGovCloud, withOverrides } from "@enis/cost-model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RulePack } from "../rule-packs/types.js";
import {
  attributionRule,
  type ComplianceCostLine,
  type ComplianceResource,
  costCompliance,
} from "./index.js";

/** The one line of `kind` (and data class), failing the test when there is not exactly one. */
function line(lines: readonly ComplianceCostLine[], kind: string, dataClass?: string): ComplianceCostLine {
  const found = lines.filter(
    (entry) => entry.kind === kind && (dataClass === undefined || entry.dataClass === dataClass),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

function thrown(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError");
}

/** A small pack of our own: one audit-log rule, an HSM, three copies. */
const vaultPack: RulePack = {
  framework: "acme-vault",
  name: "Acme key vault policy",
  version: "1",
  controls: [
    {
      id: "LOG-1",
      title: "Keep vault logs",
      citation: "Acme policy 7.1",
      fields: [],
      retention: {
        dataClass: "audit-logs",
        minimumDays: 365,
        immediatelyAvailableDays: 90,
        citation: "Acme policy 7.1",
      },
    },
  ],
  requirements: {
    encryptionAtRest: true,
    encryptionInTransit: false,
    keyManagement: "hsm",
    minReplicas: 3,
    govCloud: false,
    auditLogging: false,
    citations: { keyManagement: "Acme policy 3.2", minReplicas: "Acme policy 4.1" },
  },
};

describe("costCompliance: hand-computed cases per framework (default catalogue, us-east-1)", () => {
  it("HIPAA: documentation 6 years in the archive tier, a second copy of data and nodes, one KMS key", () => {
    const result = costCompliance(
      [
        {
          id: "ehr",
          instanceType: "m5.large",
          storedGb: 100,
          replicaScope: "storage-and-compute",
          recordsGbPerMonth: { documentation: 10 },
        },
      ],
      ["hipaa"],
    );
    // 10 GB a month × 2,192 days (6 calendar years at their longest) / (730/24 days a month)
    // = 720.657… GB-months × $0.00099 (Deep Archive).
    const retention = line(result.lines, "retention-archive", "documentation");
    expect(retention.quantity).toBeCloseTo((10 * 2_192 * 24) / 730, 9);
    expect(retention.unitPriceUsd).toBe(0.00099);
    expect(retention.costUsd).toBeCloseTo(((10 * 2_192 * 24) / 730) * 0.00099, 9);
    expect(retention.retention).toEqual({ days: 2_192, immediatelyAvailableDays: 0 });
    expect(retention.frameworks).toEqual(["hipaa"]);
    expect(retention.requirement).toContain("164.316(b)(2)(i)");
    expect(result.lines.some((entry) => entry.kind === "retention-hot")).toBe(false);
    // minReplicas 2, one copy kept: 100 GB × $0.023 and 730 h × $0.096 of a standby m5.large.
    expect(line(result.lines, "replica-storage").costUsd).toBe(2.3);
    expect(line(result.lines, "replica-compute").costUsd).toBe(70.08);
    expect(line(result.lines, "kms-keys").costUsd).toBe(1);
    expect(result.costUsd).toBeCloseTo(((10 * 2_192 * 24) / 730) * 0.00099 + 2.3 + 70.08 + 1, 10);
  });

  it("SOX: audit evidence 7 years archived, audit-log ingestion, no keys, no replicas", () => {
    const result = costCompliance(
      [{ id: "ledger", storedGb: 100, recordsGbPerMonth: { "audit-evidence": 5 }, auditLogGbPerMonth: 2 }],
      ["sox"],
    );
    // 5 × 2,557 (7 calendar years at their longest) × 24 / 730 = 420.328… GB-months × $0.00099.
    const retention = line(result.lines, "retention-archive", "audit-evidence");
    expect(retention.quantity).toBeCloseTo((5 * 2_557 * 24) / 730, 9);
    expect(retention.costUsd).toBeCloseTo(((5 * 2_557 * 24) / 730) * 0.00099, 9);
    expect(line(result.lines, "audit-log-ingestion").costUsd).toBe(1);
    expect(result.lines.map((entry) => entry.kind).sort()).toEqual([
      "audit-log-ingestion",
      "retention-archive",
    ]);
  });

  it("PCI DSS: audit logs 12 months, the last 3 hot (10.5.1), ingestion and KMS requests", () => {
    const result = costCompliance(
      [{ id: "payments", auditLogGbPerMonth: 10, kmsKeys: 2, kmsRequestsPerMonth: 1_000_000 }],
      ["pci-dss"],
    );
    const hot = line(result.lines, "retention-hot", "audit-logs");
    const archive = line(result.lines, "retention-archive", "audit-logs");
    // 12 months at their longest = 366 days, 3 months = 92 (July to September).
    // Hot: 10 × 92 × 24/730 GB-months × $0.023; archive: 10 × 274 × 24/730 × $0.00099.
    expect(hot.quantity).toBeCloseTo((10 * 92 * 24) / 730, 9);
    expect(hot.costUsd).toBeCloseTo(((10 * 92 * 24) / 730) * 0.023, 9);
    expect(archive.quantity).toBeCloseTo((10 * 274 * 24) / 730, 9);
    expect(archive.costUsd).toBeCloseTo(((10 * 274 * 24) / 730) * 0.00099, 9);
    expect(hot.retention).toEqual({ days: 366, immediatelyAvailableDays: 92 });
    expect(line(result.lines, "audit-log-ingestion").costUsd).toBe(5);
    // 2 keys × $1, and 1,000,000 / 10,000 × $0.03 on a line of its own.
    expect(line(result.lines, "kms-keys").costUsd).toBe(2);
    expect(line(result.lines, "kms-requests").costUsd).toBe(3);
  });

  it("FedRAMP: the GovCloud premium is the compute priced in toGovCloud minus the commercial price", () => {
    const result = costCompliance(
      [{ id: "agency", instanceType: "m5.large", instanceCount: 2, replicaScope: "storage-and-compute" }],
      ["fedramp"],
    );
    const premium = line(result.lines, "govcloud-premium");
    // 1,460 instance-hours × ($0.1152 − $0.096).
    expect(premium.quantity).toBe(1460);
    expect(premium.unitPriceUsd).toBe(0.0192);
    expect(premium.costUsd).toBe(28.032);
    expect(premium.explanation).toContain("us-gov-west-1");
    // The same figure as computeCost in toGovCloud(catalogue) minus computeCost in the catalogue.
    const hours = { instanceType: "m5.large", hours: 730, count: 2 };
    expect(premium.costUsd).toBeCloseTo(
      computeCost(hours, toGovCloud(defaultAwsCatalogue)).costUsd - computeCost(hours).costUsd,
      9,
    );
    // minReplicas 2: two standby nodes, in GovCloud: 1,460 h × $0.1152.
    expect(line(result.lines, "replica-compute").costUsd).toBe(168.192);
  });

  it("FedRAMP: every line of a GovCloud resource is priced in toGovCloud(catalogue), not at commercial prices", () => {
    const gov = toGovCloud(defaultAwsCatalogue);
    const agency: ComplianceResource = {
      id: "agency",
      instanceType: "m5.large",
      storedGb: 100,
      replicaScope: "storage-and-compute",
      auditLogGbPerMonth: 10,
      processedGbPerMonth: 675_000,
      kmsKeys: 2,
      kmsRequestsPerMonth: 1_000_000,
    };
    const result = costCompliance([agency], ["fedramp"]);
    // Audit logs 915 days, 366 hot: S3 Standard and Deep Archive at GovCloud prices ($0.0276, $0.001188).
    const hot = line(result.lines, "retention-hot", "audit-logs");
    expect(hot.unitPriceUsd).toBe(gov.storage.hot.gbMonthUsd);
    expect(hot.unitPriceUsd).toBeCloseTo(0.023 * 1.2, 12);
    expect(hot.costUsd).toBeCloseTo(((10 * 366 * 24) / 730) * 0.023 * 1.2, 9);
    const archive = line(result.lines, "retention-archive", "audit-logs");
    expect(archive.unitPriceUsd).toBe(gov.storage.archive.gbMonthUsd);
    expect(archive.costUsd).toBeCloseTo(((10 * (915 - 366) * 24) / 730) * 0.00099 * 1.2, 9);
    // KMS keys and requests: $1.2 a key-month, $0.036 per 10,000 requests.
    expect(line(result.lines, "kms-keys").unitPriceUsd).toBe(gov.kms.keyMonthUsd);
    expect(line(result.lines, "kms-keys").costUsd).toBeCloseTo(2 * 1.2, 12);
    expect(line(result.lines, "kms-requests").costUsd).toBeCloseTo(100 * 0.03 * 1.2, 12);
    // The extra copy: 100 GB at the GovCloud hot price, a standby m5.large at $0.1152 an hour.
    expect(line(result.lines, "replica-storage").costUsd).toBeCloseTo(100 * 0.023 * 1.2, 12);
    expect(line(result.lines, "replica-compute").unitPriceUsd).toBe(
      gov.instanceTypes["m5.large"]!.onDemandHourlyUsd,
    );
    expect(line(result.lines, "replica-compute").costUsd).toBeCloseTo(730 * 0.1152, 9);
    // Encryption: 40 vCPU-hours at the GovCloud vCPU-hour ($0.1152 / 2).
    expect(line(result.lines, "encryption-at-rest-cpu").costUsd).toBeCloseTo(40 * 0.0576, 9);
    // Each GovCloud-priced line says so in its pricing provenance.
    for (const kind of ["retention-hot", "kms-keys", "replica-storage", "replica-compute"]) {
      expect(line(result.lines, kind).pricing.note, kind).toContain("GovCloud");
    }
    // The premium on the resource's own compute stays the difference (1 instance × 730 h × $0.0192).
    expect(line(result.lines, "govcloud-premium").costUsd).toBeCloseTo(730 * 0.0192, 9);
    // Audit-log ingestion is not in the catalogue: priced at the commercial default, said in the assumptions.
    expect(line(result.lines, "audit-log-ingestion").costUsd).toBe(5);
    const ingestion = result.assumptions.find((entry) => entry.name === "auditLogIngestionGbUsd")!;
    expect(ingestion.note).toContain("GovCloud");
    expect(ingestion.note).toContain("options.auditLogIngestionGbUsd");
  });

  it("prices a GovCloud resource in GovCloud and a commercial one commercially in the same call", () => {
    const result = costCompliance(
      [
        { id: "agency", storedGb: 100, frameworks: ["fedramp"], kmsKeys: 1 },
        { id: "clinic", storedGb: 100, frameworks: ["hipaa"], kmsKeys: 1 },
      ],
      ["fedramp", "hipaa"],
    );
    const storage = result.lines.filter((entry) => entry.kind === "replica-storage");
    expect(storage.map((entry) => [entry.frameworks, entry.unitPriceUsd])).toEqual([
      [["fedramp"], toGovCloud(defaultAwsCatalogue).storage.hot.gbMonthUsd],
      [["hipaa"], 0.023],
    ]);
    const keys = result.lines.filter((entry) => entry.kind === "kms-keys");
    expect(keys.map((entry) => entry.costUsd).sort()).toEqual([1, 1.2]);
    // Nothing at commercial prices in the assumptions' notes when no resource runs in GovCloud.
    const commercial = costCompliance([{ id: "clinic", storedGb: 100 }], ["hipaa"]);
    expect(commercial.assumptions.some((entry) => entry.note?.includes("GovCloud"))).toBe(false);
  });

  it("GDPR: encryption CPU from GB processed × cycles per byte, at the vCPU-hour of the instance type", () => {
    const result = costCompliance(
      [{ id: "crm", instanceType: "m5.large", processedGbPerMonth: 675_000 }],
      ["gdpr"],
      {},
    );
    // 675,000 GB × 1e9 B × 0.64 cycles / 3e9 Hz / 3,600 s = 40 vCPU-hours × $0.048 (m5.large $0.096 / 2 vCPUs).
    const encryption = line(result.lines, "encryption-at-rest-cpu");
    expect(encryption.quantity).toBe(40);
    expect(encryption.unit).toBe("vCPU-hours");
    expect(encryption.unitPriceUsd).toBe(0.048);
    expect(encryption.costUsd).toBe(1.92);
    expect(result.lines.some((entry) => entry.kind.startsWith("retention"))).toBe(false);
  });

  it("a line over several instance types sums each type's part, each as computeCost prices it", () => {
    const result = costCompliance(
      [
        { id: "a", instanceType: "m5.large", processedGbPerMonth: 675_000 },
        { id: "b", instanceType: "c7g.xlarge", processedGbPerMonth: 675_000 },
        { id: "c", processedGbPerMonth: 675_000 },
      ],
      ["gdpr"],
    );
    const encryption = line(result.lines, "encryption-at-rest-cpu");
    // 40 vCPU-hours each; c has no instance type and is priced at options.encryptionInstanceType (m5.large).
    expect(encryption.byInstanceType).toEqual([
      { instanceType: "m5.large", quantity: 80, unitPriceUsd: 0.048, costUsd: 3.84 },
      { instanceType: "c7g.xlarge", quantity: 40, unitPriceUsd: 0.03625, costUsd: 1.45 },
    ]);
    expect(encryption.costUsd).toBe(5.29);
    expect(encryption.quantity).toBe(120);
    // 40 vCPU-hours of c7g.xlarge (4 vCPUs) = 10 instance-hours, as computeCost prices them.
    expect(computeCost({ instanceType: "c7g.xlarge", hours: 10 }).costUsd).toBe(1.45);
  });

  it("audit-log events count as GB at the event size the caller gives", () => {
    const result = costCompliance(
      [{ id: "api", auditLogGbPerMonth: 1, auditLogEventsPerMonth: 4_000_000 }],
      ["sox"],
      {
        auditLogEventBytes: 500,
      },
    );
    // 1 GB + 4,000,000 × 500 B = 3 GB × $0.50.
    expect(line(result.lines, "audit-log-ingestion")).toMatchObject({ quantity: 3, costUsd: 1.5 });
    const error = thrown(() => costCompliance([{ id: "api", auditLogEventsPerMonth: 10 }], ["sox"]));
    expect(error.field).toBe("options.auditLogEventBytes");
  });

  it("ISO 27001: KMS keys and requests through kmsCost, each its own line (quantity × unit price = cost)", () => {
    const result = costCompliance([{ id: "app", kmsKeys: 3, kmsRequestsPerMonth: 1_000_000 }], ["iso-27001"]);
    const keys = line(result.lines, "kms-keys");
    expect(keys.quantity).toBe(3);
    expect(keys.unitPriceUsd).toBe(1);
    expect(keys.costUsd).toBe(3); // 3 key-months × $1
    const requests = line(result.lines, "kms-requests");
    expect(requests.quantity).toBe(1_000_000);
    expect(requests.unit).toBe("requests");
    expect(requests.unitPriceUsd).toBe(0.000003); // $0.03 per 10,000
    expect(requests.costUsd).toBe(3); // 1,000,000 / 10,000 × $0.03
    expect(requests.frameworks).toEqual(["iso-27001"]);
    expect(result.costUsd).toBe(6);
    // No requests, no requests line.
    const keysOnly = costCompliance([{ id: "app", kmsKeys: 3 }], ["iso-27001"]);
    expect(keysOnly.lines.filter((entry) => entry.kind === "kms-requests")).toHaveLength(0);
  });

  it("a pack of the caller's: an HSM cluster once for all resources, three copies", () => {
    const resources = [1, 2, 3].map((n) => ({ id: `vault-${n}`, storedGb: 10, kmsKeys: 0 }));
    const result = costCompliance(resources, ["acme-vault"], { rulePacks: [vaultPack] });
    const hsm = line(result.lines, "hsm");
    // 2 HSMs × 730 h × $1.45, not once per resource.
    expect(hsm.quantity).toBe(1460);
    expect(hsm.costUsd).toBe(2117);
    // Three copies, one kept: 2 × 10 GB × 3 resources.
    expect(line(result.lines, "replica-storage").quantity).toBe(60);
    const priced = costCompliance(resources, ["acme-vault"], {
      rulePacks: [vaultPack],
      cloudHsmHourlyUsd: 2,
      hsmCount: 3,
    });
    expect(line(priced.lines, "hsm").costUsd).toBe(4380);
    expect(priced.assumptions.find((entry) => entry.name === "cloudHsmHourlyUsd")).toMatchObject({
      value: 2,
      source: "caller",
    });
  });

  it("prices through the catalogue given", () => {
    const catalogue = withOverrides(defaultAwsCatalogue, { storage: { archive: { gbMonthUsd: 0.002 } } });
    const result = costCompliance(
      [{ id: "ehr", recordsGbPerMonth: { documentation: 10 }, kmsKeys: 0 }],
      ["hipaa"],
      { catalogue },
    );
    // 10 × 2,192 × 24 / 730 GB-months × $0.002.
    expect(line(result.lines, "retention-archive").costUsd).toBeCloseTo(((10 * 2_192 * 24) / 730) * 0.002, 9);
  });
});

describe("costCompliance: several frameworks on one resource", () => {
  const resource: ComplianceResource = {
    id: "shared",
    instanceType: "m5.large",
    storedGb: 100,
    auditLogGbPerMonth: 10,
    processedGbPerMonth: 675_000,
    recordsGbPerMonth: { documentation: 10, "audit-evidence": 5 },
  };

  it("merges before pricing: one encryption, one key, the most replicas, the longest retention", () => {
    // FedRAMP puts the resource in GovCloud: compare with FedRAMP alone, priced there as well.
    const one = costCompliance([resource], ["fedramp"]);
    const all = costCompliance([resource], ["hipaa", "sox", "pci-dss", "fedramp", "iso-27001", "gdpr"]);
    // One encryption line costing what one framework's does, shared by every framework that asks.
    const encryption = line(all.lines, "encryption-at-rest-cpu");
    expect(encryption.costUsd).toBe(line(one.lines, "encryption-at-rest-cpu").costUsd);
    expect(encryption.frameworks).toEqual(["hipaa", "pci-dss", "fedramp", "iso-27001", "gdpr"]);
    expect(line(all.lines, "kms-keys").costUsd).toBe(line(one.lines, "kms-keys").costUsd);
    expect(line(all.lines, "kms-keys").quantity).toBe(1);
    // Replicas: max(2, 1, 1, 2, 2, 2) = 2, one extra copy, not four.
    expect(line(all.lines, "replica-storage").quantity).toBe(100);
    // Audit logs: FedRAMP's 915 days with 366 hot outlast PCI DSS's 366 with 92: FedRAMP drives both parts.
    const hot = line(all.lines, "retention-hot", "audit-logs");
    expect(hot.retention).toEqual({ days: 915, immediatelyAvailableDays: 366 });
    expect(hot.frameworks).toEqual(["fedramp"]);
    expect(line(all.lines, "retention-archive", "audit-logs").frameworks).toEqual(["fedramp"]);
    // Ingestion once.
    expect(line(all.lines, "audit-log-ingestion").quantity).toBe(10);
  });

  it("attributes a line split equally among the frameworks that drive it; the shares sum to the total", () => {
    const result = costCompliance([resource], ["hipaa", "pci-dss"]);
    const encryption = result.lines.findIndex((entry) => entry.kind === "encryption-at-rest-cpu");
    for (const framework of result.byFramework) {
      const share = framework.lines.find((entry) => entry.line === encryption)!;
      expect(share.share).toBe(0.5);
      expect(share.costUsd).toBeCloseTo(result.lines[encryption]!.costUsd / 2, 12);
    }
    const sum = result.byFramework.reduce((total, entry) => total + entry.costUsd, 0);
    expect(sum).toBeCloseTo(result.costUsd, 9);
    expect(result.attribution).toBe(attributionRule);
  });

  it("splits the hot and archive parts of a retention between the frameworks that set each", () => {
    // A pack keeping logs 2 years, none hot, beside PCI DSS's 1 year with 92 days hot.
    const longPack: RulePack = {
      ...vaultPack,
      framework: "acme-archive",
      controls: [
        {
          id: "LOG-2",
          title: "Keep logs two years",
          citation: "Acme 9",
          fields: [],
          retention: { dataClass: "audit-logs", minimumDays: 730, citation: "Acme 9" },
        },
      ],
      requirements: {
        ...vaultPack.requirements,
        keyManagement: "none",
        minReplicas: 1,
        encryptionAtRest: false,
      },
    };
    const result = costCompliance(
      [{ id: "logs", auditLogGbPerMonth: 10, kmsKeys: 0 }],
      ["pci-dss", "acme-archive"],
      {
        rulePacks: [longPack],
      },
    );
    const hot = line(result.lines, "retention-hot", "audit-logs");
    const archive = line(result.lines, "retention-archive", "audit-logs");
    expect(hot.frameworks).toEqual(["pci-dss"]);
    expect(archive.frameworks).toEqual(["acme-archive"]);
    expect(archive.retention).toEqual({ days: 730, immediatelyAvailableDays: 92 });
    expect(archive.quantity).toBeCloseTo((10 * 638 * 24) / 730, 9);
  });

  it("a resource's own frameworks narrow the call's, and replicas it already keeps are not bought again", () => {
    const result = costCompliance(
      [
        { id: "a", storedGb: 100, frameworks: ["sox"] },
        { id: "b", storedGb: 100, replicas: 2 },
        { id: "c", storedGb: 100 },
      ],
      ["sox", "hipaa"],
    );
    // Only c buys a copy: a is SOX only (1 copy), b already keeps 2.
    expect(line(result.lines, "replica-storage")).toMatchObject({ quantity: 100, resources: 1 });
    // A copy is of data by default: no standby node unless the resource says its nodes replicate.
    const nodes = costCompliance([{ id: "d", instanceType: "m5.large" }], ["hipaa"]);
    expect(nodes.lines.some((entry) => entry.kind === "replica-compute")).toBe(false);
  });
});

describe("costCompliance: the seed's multipliers as a comparison mode", () => {
  it("reproduces seed 000's compliance overhead arithmetic", () => {
    // m5.xlarge: 4 vCPUs, 16 GiB. HIPAA then SOX: cpu 1.2 × 1.15 → int(5.52) = 5 (+1 core);
    // memory 1.1 → int(17.6) = 17 (+1 GB); storage 2.0 × 3.0 → 600 (+500 GB); 2 HSMs; 2,000 GB of audit storage.
    const result = costCompliance([{ id: "w", instanceType: "m5.xlarge", storedGb: 100 }], ["hipaa", "sox"]);
    const seed = result.seedMultipliers;
    expect(seed.mode).toBe("seed-multipliers");
    expect(seed.items.map((entry) => [entry.item, entry.quantity])).toEqual([
      ["cpu-cores", 1],
      ["memory-gb", 1],
      ["storage-gb", 500],
      ["hsm-devices", 2],
      ["audit-storage-gb", 2000],
    ]);
    // 1 × 0.15 × 730 + 1 × 0.02 × 730 + 500 × 0.5 + 2 × 1,500 + 2,000 × 0.5.
    expect(seed.costUsd).toBe(4374.1);
    expect(seed.ratioToFirstPrinciples).toBeCloseTo(4374.1 / result.costUsd, 6);
    expect(seed.multipliers["fedramp"]).toEqual({ cpu: 1.3, memory: 1.3, storage: 2.5, network: 1 });
  });

  it("has no multipliers for ISO 27001 but counts its HSM and audit storage, as the seed does", () => {
    const result = costCompliance([{ id: "w", instanceType: "m5.xlarge", storedGb: 100 }], ["iso-27001"]);
    expect(result.seedMultipliers.costUsd).toBe(1500 + 500);
  });
});

describe("costCompliance: totals reconcile (property)", () => {
  const frameworkIds = ["hipaa", "sox", "gdpr", "pci-dss", "fedramp", "iso-27001"] as const;
  const volume = fc.option(fc.double({ min: 0, max: 1e5, noNaN: true }), { nil: undefined });
  const resourceArb = fc.record(
    {
      instanceType: fc.option(fc.constantFrom("m5.large", "c7g.xlarge", "r6i.2xlarge"), { nil: undefined }),
      storedGb: volume,
      replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      auditLogGbPerMonth: volume,
      processedGbPerMonth: volume,
      transitGbPerMonth: volume,
      kmsRequestsPerMonth: fc.option(fc.integer({ min: 0, max: 1e8 }), { nil: undefined }),
      documentation: volume,
      evidence: volume,
      frameworks: fc.option(fc.subarray([...frameworkIds]), { nil: undefined }),
    },
    { requiredKeys: [] },
  );

  it("sum of lines = total, per-framework sums = total, every line non-negative", () => {
    fc.assert(
      fc.property(
        fc.array(resourceArb, { minLength: 1, maxLength: 20 }),
        fc.subarray([...frameworkIds], { minLength: 1 }),
        (drawn, frameworks) => {
          const resources: ComplianceResource[] = drawn.map((entry, index) => ({
            id: `r${index}`,
            ...(entry.instanceType === undefined ? {} : { instanceType: entry.instanceType }),
            ...(entry.storedGb === undefined ? {} : { storedGb: entry.storedGb }),
            ...(entry.replicas === undefined ? {} : { replicas: entry.replicas }),
            ...(entry.auditLogGbPerMonth === undefined
              ? {}
              : { auditLogGbPerMonth: entry.auditLogGbPerMonth }),
            ...(entry.processedGbPerMonth === undefined
              ? {}
              : { processedGbPerMonth: entry.processedGbPerMonth }),
            ...(entry.transitGbPerMonth === undefined ? {} : { transitGbPerMonth: entry.transitGbPerMonth }),
            ...(entry.kmsRequestsPerMonth === undefined
              ? {}
              : { kmsRequestsPerMonth: entry.kmsRequestsPerMonth }),
            recordsGbPerMonth: {
              ...(entry.documentation === undefined ? {} : { documentation: entry.documentation }),
              ...(entry.evidence === undefined ? {} : { "audit-evidence": entry.evidence }),
            },
            ...(entry.frameworks === undefined
              ? {}
              : { frameworks: entry.frameworks.filter((id) => frameworks.includes(id)) }),
          }));
          const result = costCompliance(resources, frameworks);
          const tolerance = 1e-9 * Math.max(1, result.costUsd);
          const lines = result.lines.reduce((total, entry) => total + entry.costUsd, 0);
          const attributed = result.byFramework.reduce((total, entry) => total + entry.costUsd, 0);
          expect(Math.abs(lines - result.costUsd)).toBeLessThanOrEqual(tolerance);
          expect(Math.abs(attributed - result.costUsd)).toBeLessThanOrEqual(tolerance);
          for (const entry of result.lines) {
            expect(entry.costUsd).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(entry.costUsd)).toBe(true);
            expect(entry.frameworks.length).toBeGreaterThan(0);
            // The contract of a line: its cost is its quantity at its unit price.
            expect(Math.abs(entry.quantity * entry.unitPriceUsd - entry.costUsd)).toBeLessThanOrEqual(
              1e-9 * Math.max(1, entry.costUsd),
            );
          }
          // Each line's shares add up to the line.
          result.lines.forEach((entry, index) => {
            const shares = result.byFramework.flatMap((framework) =>
              framework.lines.filter((share) => share.line === index),
            );
            expect(shares).toHaveLength(entry.frameworks.length);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("costCompliance: bad inputs", () => {
  const frameworks = ["hipaa"];
  it.each([
    ["storedGb", { id: "a", storedGb: -1 }, "resources[0].storedGb"],
    ["auditLogGbPerMonth", { id: "a", auditLogGbPerMonth: -0.5 }, "resources[0].auditLogGbPerMonth"],
    [
      "processedGbPerMonth NaN",
      { id: "a", processedGbPerMonth: Number.NaN },
      "resources[0].processedGbPerMonth",
    ],
    [
      "transitGbPerMonth Infinity",
      { id: "a", transitGbPerMonth: Number.POSITIVE_INFINITY },
      "resources[0].transitGbPerMonth",
    ],
    [
      "records",
      { id: "a", recordsGbPerMonth: { documentation: -2 } },
      "resources[0].recordsGbPerMonth.documentation",
    ],
    ["hours", { id: "a", instanceType: "m5.large", hoursPerMonth: 800 }, "resources[0].hoursPerMonth"],
    ["count", { id: "a", instanceType: "m5.large", instanceCount: 1.5 }, "resources[0].instanceCount"],
    ["replicas", { id: "a", replicas: 0 }, "resources[0].replicas"],
    ["keys", { id: "a", kmsKeys: -1 }, "resources[0].kmsKeys"],
    ["events", { id: "a", auditLogEventsPerMonth: -5 }, "resources[0].auditLogEventsPerMonth"],
    [
      "evidence (no framework retains it)",
      { id: "a", recordsGbPerMonth: { "audit-evidence": -1 } },
      'resources[0].recordsGbPerMonth["audit-evidence"]',
    ],
    ["unknown field", { id: "a", storageGb: 5 }, "resources[0].storageGb"],
    ["id", { id: "" }, "resources[0].id"],
    ["frameworks", { id: "a", frameworks: ["sox"] }, "resources[0].frameworks[0]"],
  ])("%s → INVALID_OPTIONS naming the field", (_name, resource, field) => {
    const error = thrown(() => costCompliance([resource as ComplianceResource], frameworks));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe(field);
  });

  it.each([
    [
      "documentation",
      ["hipaa"],
      { recordsGbPerMonth: { documentation: 1e306 } },
      "recordsGbPerMonth.documentation",
    ],
    [
      "evidence",
      ["sox"],
      { recordsGbPerMonth: { "audit-evidence": 1e306 } },
      'recordsGbPerMonth["audit-evidence"]',
    ],
    ["audit logs", ["pci-dss"], { auditLogGbPerMonth: 1e306 }, "auditLogGbPerMonth"],
    ["audit-log events", ["pci-dss"], { auditLogEventsPerMonth: 1e306 }, "auditLogEventsPerMonth"],
    ["replica storage", ["hipaa"], { storedGb: 1e307 }, "storedGb"],
    ["replica storage in GovCloud", ["fedramp"], { storedGb: 1e307 }, "storedGb"],
  ])(
    "an overflow in the %s line is blamed on the resource's field, not cost-model's internal one",
    (_name, frameworks, fields, field) => {
      // A sane resource first, so that the index is checked too.
      const error = thrown(() =>
        costCompliance(
          [{ id: "ok", storedGb: 1 }, { id: "big", ...fields } as ComplianceResource],
          frameworks,
          {
            auditLogEventBytes: 1e9,
          },
        ),
      );
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(`resources[1].${field}`);
      expect(error.message).toContain(`resources[1].${field}`);
      expect(error.message).not.toMatch(/^gb /);
    },
  );

  it("a sum over resources that overflows is blamed on the largest contribution, never returned as Infinity", () => {
    // Each volume is finite; their ingestion sum is not.
    const error = thrown(() =>
      costCompliance(
        [
          { id: "a", auditLogGbPerMonth: 1e308 },
          { id: "b", auditLogGbPerMonth: 1.5e308 },
        ],
        ["sox"],
      ),
    );
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe("resources[1].auditLogGbPerMonth");
    expect(error.message).toContain("2 resources");
  });

  it("an overflow of the seed's comparison is blamed on the stored volume it multiplies, not returned as Infinity", () => {
    // SOX asks no copies, so the first-principles lines are finite; the seed triples the storage.
    const error = thrown(() => costCompliance([{ id: "a" }, { id: "b", storedGb: 1.7e308 }], ["sox"]));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe("resources[1].storedGb");
  });

  it("a misspelt resource field, option or framework gets a did-you-mean; a repeated framework names its index", () => {
    const field = thrown(() => costCompliance([{ id: "a", storageGb: 5 } as never], ["hipaa"]));
    expect(field).toMatchObject({ code: "INVALID_OPTIONS", field: "resources[0].storageGb" });
    expect(field.message).toContain('did you mean "storedGb"');
    const records = thrown(() =>
      costCompliance([{ id: "a", recordsGbPerMonth: { documentaton: 1 } } as never], ["hipaa"]),
    );
    expect(records.field).toBe("resources[0].recordsGbPerMonth.documentaton");
    expect(records.message).toContain('did you mean "documentation"');
    expect(
      thrown(() => costCompliance([{ id: "a" }], ["hipaa"], { rulePack: [] } as never)).message,
    ).toContain('did you mean "rulePacks"');
    expect(thrown(() => costCompliance([{ id: "a" }], ["hipaa", "sox", "hipaa"]))).toMatchObject({
      code: "INVALID_OPTIONS",
      field: "frameworks[2]",
    });
  });

  it("names an unknown framework with the id it resembles", () => {
    const error = thrown(() => costCompliance([{ id: "a" }], ["hipa"]));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe("frameworks[0]");
    expect(error.message).toContain('did you mean "hipaa"');
    expect(thrown(() => costCompliance([{ id: "a" }], [])).field).toBe("frameworks");
    expect(thrown(() => costCompliance([{ id: "a" }], ["sox", "sox"])).field).toBe("frameworks[1]");
  });

  it("refuses duplicate ids, unknown instance types, bad options and a foreign catalogue", () => {
    expect(thrown(() => costCompliance([{ id: "a" }, { id: "a" }], frameworks)).code).toBe("DUPLICATE_ID");
    const unknown = thrown(() => costCompliance([{ id: "a", instanceType: "m5.lrge" }], frameworks));
    expect(unknown.code).toBe("UNKNOWN_INSTANCE_TYPE");
    expect(unknown.field).toBe("resources[0].instanceType");
    expect(
      thrown(() => costCompliance([{ id: "a" }], frameworks, { encryptionCyclesPerByte: 0 })).field,
    ).toBe("options.encryptionCyclesPerByte");
    expect(
      thrown(() => costCompliance([{ id: "a" }], frameworks, { cyclesPerByte: 1 } as unknown as object))
        .field,
    ).toBe("options.cyclesPerByte");
    expect(
      thrown(() => costCompliance([{ id: "a" }], frameworks, { catalogue: { region: "x" } as never })).field,
    ).toBe("options.catalogue");
    expect(thrown(() => costCompliance("a" as never, frameworks)).field).toBe("resources");
  });

  it("costs nothing for no resources, and never NaN", () => {
    const result = costCompliance([], ["hipaa", "sox"]);
    expect(result.costUsd).toBe(0);
    expect(result.lines).toEqual([]);
    expect(result.byFramework.map((entry) => entry.costUsd)).toEqual([0, 0]);
    expect(result.seedMultipliers.ratioToFirstPrinciples).toBeNull();
  });
});
