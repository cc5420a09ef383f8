import type { ComplianceControl, Condition, RulePack } from "@enis/compliance-cost";
import { EnisError } from "@enis/core";
import { deepFreeze, describeValue, editDistance, parseOptions } from "@enis/core/validate";
import { z } from "zod";

/*
 * SHIF (Security Hardening & Infrastructure Framework) security levels, as typed data. Seed 000
 * names the framework and three `security_level`s (`"maximum"`, `"high"`, anything else) in its 🔴
 * tier optimizer (`_apply_shif_requirements`, lines 1749-1790); it lists the hardening the tier
 * runs with in its technical stack (lines 1483-1493) and in the deployment and report it emits
 * (lines 1929-2051, 2190-2203). Each figure below says whether it is the seed's (with the line) or
 * ENIS Governance's policy.
 */

/** Where a SHIF requirement comes from: seed 000 (with its lines), or ENIS Governance's own policy. */
export interface ShifSource {
  /** `"seed"`: seed 000 says so; `"policy"`: our choice, with the reason in `note`. */
  readonly basis: "seed" | "policy";
  /** For the seed, `"seed 000, lines a-b"` and what it says; for a policy, the reason. */
  readonly note: string;
}

/** A built-in SHIF level id, weakest first. */
export type ShifLevelId = "baseline" | "high" | "maximum";

/**
 * One SHIF security level: the hardening it demands and how each demand sizes and prices a
 * deployment. Plain data (JSON-serialisable); a caller may pass its own level with another `id`.
 */
export interface ShifLevel {
  /** The level's id, e.g. `"high"`; a caller's own level may use any other (lower-case, `-`). */
  readonly id: string;
  /** What the level is for, in a sentence. */
  readonly description: string;
  /**
   * CPU and memory are multiplied by this before node sizing (security agents, inspection,
   * encryption): a finite number from 1 to 10.
   */
  readonly computeOverheadFactor: number;
  /** Where the keys live: a KMS with customer-managed keys, or a dedicated HSM cluster. */
  readonly keyManagement: "kms" | "hsm";
  /** Cryptographic modules must be FIPS 140 validated. */
  readonly fips140Validated: boolean;
  /** Multi-factor authentication is required for access. */
  readonly mfa: boolean;
  /** Security events are audit-logged. */
  readonly auditLogging: boolean;
  /** Copies of the data, the primary included, a whole number from 1 to 10. */
  readonly minReplicas: number;
  /** Fewest nodes of the deployment, a whole number from 1 to 1,000. */
  readonly minNodes: number;
  /**
   * Nodes are `ceil(nodes the load needs × this)`, a finite number from 1 to 10: spare nodes so
   * that a node lost (or taken down to patch) leaves the load room.
   */
  readonly nodeRedundancyFactor: number;
  /** Network zones the request must be segmented into, a whole number from 0 to 64. */
  readonly minNetworkZones: number;
  /** Nodes run on single-tenant hardware (EC2 Dedicated Instances): priced with the dedicated premium. */
  readonly dedicatedTenancy: boolean;
  /** The deployment is physically isolated (no network path out): priced at the caller's air-gap cost. */
  readonly airGapped: boolean;
  /** Where each requirement comes from, by field name. */
  readonly sources: Readonly<Partial<Record<ShifRequirement, ShifSource>>>;
}

/** The requirement fields of a {@link ShifLevel} (those `sources` cites). */
export type ShifRequirement = Exclude<keyof ShifLevel, "id" | "description" | "sources">;

const seedOverhead = (factor: number, level: string): ShifSource => ({
  basis: "seed",
  note: `seed 000, lines 1755-1762: security_level ${level} → overhead_factor ${factor} on cpu_cores and memory_gb`,
});
const seedHsm: ShifSource = {
  basis: "seed",
  note: "seed 000, line 1486 (Tier 5 stack: 'Hardware security modules (HSM)'), line 1944 ('key_management': 'HSM')",
};
const seedFips: ShifSource = {
  basis: "seed",
  note: "seed 000, line 2041 ('key_management': 'FIPS-140-2-Level-3-HSM')",
};
const seedMfa: ShifSource = {
  basis: "seed",
  note: "seed 000, lines 1957-1958 (authentication 'multi_factor': PIV card, biometric, PIN)",
};
const seedAudit: ShifSource = {
  basis: "seed",
  note: "seed 000, line 1492 (Tier 5 deployment: 'Audit-logged operations')",
};
const seedReplicas: ShifSource = {
  basis: "seed",
  note: "seed 000, line 1945 (encrypted storage 'replication_factor': 3)",
};
const seedMinNodes: ShifSource = {
  basis: "seed",
  note: "seed 000, line 2203 (_calculate_node_count: max(3, …)); the seed truncates base × factor with int(), we round up",
};
const seedRedundancy: ShifSource = {
  basis: "seed",
  note: "seed 000, line 2201 (redundancy_factor 1.3; 1.5 with FedRAMP, applied by planCompliantDeployment whatever the level)",
};
const seedZones: ShifSource = {
  basis: "seed",
  note: "seed 000, lines 2125-2155 (four segments: management, production, audit, backup; the seed's 10.0.300.0/24 and 10.0.400.0/24 are not IPv4 and are not reproduced)",
};
const seedDedicated: ShifSource = {
  basis: "seed",
  note: "seed 000, line 1799 ('Higher due to dedicated hardware'), line 1935 ('node_type': 'bare_metal_secure')",
};
const seedAirGap: ShifSource = {
  basis: "seed",
  note: "seed 000, line 1474 ('Air-Gapped + SHIF'), line 1490 ('Physical isolation'), line 2049 ('isolation': 'Air-gapped'); the seed's own example runs at security_level 'maximum' (line 2260)",
};

/**
 * The built-in SHIF levels. `high` is the seed's default level (seed 000, line 1755:
 * `self.shif_config.get('security_level', 'high')`); `maximum` is the one its example runs with
 * (line 2260) and the only one that is air-gapped; `baseline` is the seed's "anything else" (factor
 * 1.1) with a KMS instead of an HSM.
 */
export const shifLevels: Readonly<Record<ShifLevelId, ShifLevel>> = deepFreeze({
  baseline: {
    id: "baseline",
    description:
      "Hardened shared hardware: customer-managed KMS keys, encryption, MFA, audit logs, two copies of the data",
    computeOverheadFactor: 1.1,
    keyManagement: "kms",
    fips140Validated: false,
    mfa: true,
    auditLogging: true,
    minReplicas: 2,
    minNodes: 2,
    nodeRedundancyFactor: 1,
    minNetworkZones: 2,
    dedicatedTenancy: false,
    airGapped: false,
    sources: {
      computeOverheadFactor: seedOverhead(1.1, "other than high or maximum"),
      keyManagement: {
        basis: "policy",
        note: "the seed demands an HSM only of Tier 5 as a whole; a baseline level keeps customer-managed KMS keys (what HIPAA, PCI DSS, ISO 27001 and FedRAMP packs ask for)",
      },
      mfa: seedMfa,
      auditLogging: seedAudit,
      minReplicas: {
        basis: "policy",
        note: "one backup copy besides the primary, the most the shipped HIPAA / GDPR / ISO 27001 / FedRAMP packs demand",
      },
      minNodes: { basis: "policy", note: "two nodes so that one can fail or be patched" },
      nodeRedundancyFactor: { basis: "policy", note: "no spare capacity beyond the two nodes" },
      minNetworkZones: {
        basis: "policy",
        note: "at least the workload and its management network apart",
      },
    },
  },
  high: {
    id: "high",
    description:
      "Dedicated hardware, keys in a FIPS 140 validated HSM, three copies of the data, at least three nodes, the seed's four network segments",
    computeOverheadFactor: 1.3,
    keyManagement: "hsm",
    fips140Validated: true,
    mfa: true,
    auditLogging: true,
    minReplicas: 3,
    minNodes: 3,
    nodeRedundancyFactor: 1.3,
    minNetworkZones: 4,
    dedicatedTenancy: true,
    airGapped: false,
    sources: {
      computeOverheadFactor: seedOverhead(1.3, "high"),
      keyManagement: seedHsm,
      fips140Validated: seedFips,
      mfa: seedMfa,
      auditLogging: seedAudit,
      minReplicas: seedReplicas,
      minNodes: seedMinNodes,
      nodeRedundancyFactor: seedRedundancy,
      minNetworkZones: seedZones,
      dedicatedTenancy: seedDedicated,
      airGapped: {
        basis: "policy",
        note: "the seed air-gaps Tier 5 as a whole; we keep the air gap to the maximum level, so that an HSM-backed dedicated deployment can be bought without it",
      },
    },
  },
  maximum: {
    id: "maximum",
    description: "As high, physically isolated (air-gapped), with the seed's largest overhead",
    computeOverheadFactor: 1.5,
    keyManagement: "hsm",
    fips140Validated: true,
    mfa: true,
    auditLogging: true,
    minReplicas: 3,
    minNodes: 3,
    nodeRedundancyFactor: 1.3,
    minNetworkZones: 4,
    dedicatedTenancy: true,
    airGapped: true,
    sources: {
      computeOverheadFactor: seedOverhead(1.5, "maximum"),
      keyManagement: seedHsm,
      fips140Validated: seedFips,
      mfa: seedMfa,
      auditLogging: seedAudit,
      minReplicas: seedReplicas,
      minNodes: seedMinNodes,
      nodeRedundancyFactor: seedRedundancy,
      minNetworkZones: seedZones,
      dedicatedTenancy: seedDedicated,
      airGapped: seedAirGap,
    },
  },
});

const encryptionAtRestCitation = "seed 000, line 1487 (Tier 5 stack: 'Encrypted storage at rest')";
const encryptionInTransitCitation = "seed 000, line 1968 ('data_in_transit': 'TLS-1.3')";

/** The built-in level ids, weakest first. */
export const shifLevelIds: readonly ShifLevelId[] = Object.freeze(["baseline", "high", "maximum"] as const);

const sourceSchema = z.strictObject({ basis: z.enum(["seed", "policy"]), note: z.string().min(1) });
const requirementNames = [
  "computeOverheadFactor",
  "keyManagement",
  "fips140Validated",
  "mfa",
  "auditLogging",
  "minReplicas",
  "minNodes",
  "nodeRedundancyFactor",
  "minNetworkZones",
  "dedicatedTenancy",
  "airGapped",
] as const;

const levelSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "a lower-case id of letters, digits and -"),
  description: z.string().min(1),
  computeOverheadFactor: z.number().finite().min(1).max(10),
  keyManagement: z.enum(["kms", "hsm"]),
  fips140Validated: z.boolean(),
  mfa: z.boolean(),
  auditLogging: z.boolean(),
  minReplicas: z.number().int().min(1).max(10),
  minNodes: z.number().int().min(1).max(1_000),
  nodeRedundancyFactor: z.number().finite().min(1).max(10),
  minNetworkZones: z.number().int().min(0).max(64),
  dedicatedTenancy: z.boolean(),
  airGapped: z.boolean(),
  sources: z.strictObject(
    Object.fromEntries(requirementNames.map((name) => [name, sourceSchema.optional()])),
  ),
});

/**
 * A SHIF level from a built-in id (`"baseline"`, `"high"`, `"maximum"`) or a caller's own level
 * object (every requirement given, checked). Throws `EnisError("INVALID_OPTIONS")` naming `field`
 * for an unknown id (with the id it resembles) or a malformed level.
 */
export function resolveShifLevel(level: unknown, field = "options.shifLevel"): ShifLevel {
  if (typeof level === "string") {
    const found = (shifLevels as Record<string, ShifLevel>)[level];
    if (found !== undefined && Object.hasOwn(shifLevels, level)) return found;
    const near = shifLevelIds
      .map((id) => ({ id, distance: editDistance(level.toLowerCase(), id) }))
      .sort((a, b) => a.distance - b.distance)[0];
    const hint =
      near !== undefined && near.distance <= 2 ? ` (did you mean ${JSON.stringify(near.id)}?)` : "";
    throw new EnisError(
      "INVALID_OPTIONS",
      `${field} must be a SHIF level${hint}: one of ${shifLevelIds.join(", ")} or a level object, got ${describeValue(level)}`,
      { field },
    );
  }
  return parseOptions(levelSchema, level, field) as ShifLevel;
}

/** The framework id under which a level's requirements are validated and costed: `"shif-<id>"`. */
export function shifFrameworkId(level: ShifLevel): string {
  return `shif-${level.id}`;
}

/**
 * The level's requirements as a `@enis/compliance-cost` rule pack (framework `"shif-<id>"`), so
 * that `validateCompliance` reports a request that falls short of the level as violations with
 * their citations and fixes, and `costCompliance` prices the HSM, encryption, audit logs and
 * copies it demands beside the frameworks'.
 */
export function shifRulePack(level: ShifLevel): RulePack {
  const cite = (requirement: ShifRequirement): string => {
    const source = level.sources[requirement];
    return source === undefined
      ? `SHIF level ${level.id}: ${requirement}`
      : `SHIF level ${level.id} (${source.basis}): ${source.note}`;
  };
  const control = (
    id: string,
    title: string,
    requirement: ShifRequirement,
    fields: string[],
    condition: Condition,
  ): ComplianceControl => ({ id, title, citation: cite(requirement), fields, condition });
  const controls: ComplianceControl[] = [
    {
      id: "SHIF-ENC-1",
      title: "Encrypt data at rest",
      citation: `SHIF level ${level.id} (seed): ${encryptionAtRestCitation}`,
      fields: ["encryption.atRest"],
      condition: { field: "encryption.atRest", equals: true },
    },
    {
      id: "SHIF-ENC-2",
      title: "Encrypt data in transit",
      citation: `SHIF level ${level.id} (seed): ${encryptionInTransitCitation}`,
      fields: ["encryption.inTransit"],
      condition: { field: "encryption.inTransit", equals: true },
    },
    control(
      "SHIF-KEY-1",
      level.keyManagement === "hsm" ? "Keep keys in a dedicated HSM" : "Keep keys in a KMS or an HSM",
      "keyManagement",
      ["keyManagement"],
      level.keyManagement === "hsm"
        ? { field: "keyManagement", equals: "hsm" }
        : { field: "keyManagement", oneOf: ["kms", "hsm"] },
    ),
  ];
  if (level.fips140Validated) {
    controls.push(
      control(
        "SHIF-KEY-2",
        "Use FIPS 140 validated modules",
        "fips140Validated",
        ["encryption.fips140Validated"],
        {
          field: "encryption.fips140Validated",
          equals: true,
        },
      ),
    );
  }
  if (level.mfa) {
    controls.push(
      control("SHIF-IAM-1", "Require multi-factor authentication", "mfa", ["mfa"], {
        field: "mfa",
        equals: true,
      }),
    );
  }
  if (level.auditLogging) {
    controls.push(
      control("SHIF-LOG-1", "Audit-log every operation", "auditLogging", ["auditLogging"], {
        field: "auditLogging",
        equals: true,
      }),
    );
  }
  if (level.minReplicas > 1) {
    controls.push(
      control("SHIF-REP-1", `Keep ${level.minReplicas} copies of the data`, "minReplicas", ["replicas"], {
        field: "replicas",
        atLeast: level.minReplicas,
      }),
    );
  }
  if (level.minNetworkZones > 0) {
    controls.push(
      control(
        "SHIF-NET-1",
        `Segment the network into at least ${level.minNetworkZones} zones`,
        "minNetworkZones",
        ["networkSegmentation.zones"],
        { field: "networkSegmentation.zones", lengthAtLeast: level.minNetworkZones },
      ),
    );
  }
  const keyCitation = cite("keyManagement");
  return {
    framework: shifFrameworkId(level),
    name: `SHIF ${level.id}`,
    version: "ENIS Governance SHIF levels (seed 000 Tier 5)",
    controls,
    requirements: {
      encryptionAtRest: true,
      encryptionInTransit: true,
      keyManagement: level.keyManagement,
      minReplicas: level.minReplicas,
      govCloud: false,
      auditLogging: level.auditLogging,
      citations: {
        encryptionAtRest: encryptionAtRestCitation,
        encryptionInTransit: encryptionInTransitCitation,
        keyManagement: keyCitation,
        minReplicas: cite("minReplicas"),
        auditLogging: cite("auditLogging"),
      },
    },
    notes: [
      "Generated from a SHIF level by shifRulePack (@enis/tier-optimizers): the level's requirements as controls.",
    ],
  };
}
