import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";

/**
 * The data categories the shipped packs test (`dataCategories`); a caller's pack may use others.
 * - `"phi"`: electronic protected health information (HIPAA);
 * - `"cardholder-data"`: account data, PAN (PCI DSS);
 * - `"personal-data"`: personal data of people in the EU/EEA (GDPR);
 * - `"financial-reporting"`: records relevant to financial reporting or its audit (SOX);
 * - `"federal"`: federal information (FedRAMP: its pack applies whenever it is chosen).
 */
export type DataCategory = "phi" | "cardholder-data" | "personal-data" | "financial-reporting" | "federal";

/**
 * A resource request as compliance sees it. Every field is optional: a field that a control needs
 * and the request lacks is a violation naming that field, not an error.
 */
export interface ComplianceRequest {
  /** The cloud region the resource runs and stores data in, e.g. `"eu-central-1"` (AWS ids in the shipped catalogue). */
  readonly region?: string;
  /** What data the resource holds; controls scoped to a category (HIPAA: `"phi"`) apply only when listed. See {@link DataCategory}. */
  readonly dataCategories?: readonly string[];
  /** Encryption of the resource's data. */
  readonly encryption?: {
    /** Data is encrypted at rest. */
    readonly atRest?: boolean;
    /** Data is encrypted in transit (TLS). */
    readonly inTransit?: boolean;
    /** The cryptographic modules are FIPS 140 validated (FedRAMP SC-13). */
    readonly fips140Validated?: boolean;
  };
  /** Where the encryption keys live: provider-owned keys only (`"none"`), a KMS with customer-managed keys, or a dedicated HSM. */
  readonly keyManagement?: "none" | "kms" | "hsm";
  /** Multi-factor authentication is enforced for access to the resource (and into a PCI CDE). */
  readonly mfa?: boolean;
  /** Network segmentation of the resource. */
  readonly networkSegmentation?: {
    /** The network zones (subnets, VPCs, security zones) the workload is divided into. */
    readonly zones?: readonly string[];
    /** The cardholder data environment is a zone isolated from the rest (PCI DSS 1.3). */
    readonly cdeIsolated?: boolean;
  };
  /** Security events (access, changes) are logged. */
  readonly auditLogging?: boolean;
  /** Days audit logs are kept in all, an integer ≥ 0. */
  readonly logRetentionDays?: number;
  /** Of those, the most recent days kept immediately available (hot), an integer from 0 to `logRetentionDays`. */
  readonly logImmediatelyAvailableDays?: number;
  /** Days policies, procedures and compliance documentation are kept, an integer ≥ 0. */
  readonly documentationRetentionDays?: number;
  /** Days audit evidence and workpapers are kept, an integer ≥ 0. */
  readonly auditEvidenceRetentionDays?: number;
  /** Copies of the data, the primary included (2 = one backup copy), an integer ≥ 1. */
  readonly replicas?: number;
  /** The legal basis of transfers outside the EU/EEA (GDPR Chapter V). */
  readonly transfer?: {
    /** The recipient is certified under the EU-US Data Privacy Framework. */
    readonly dataPrivacyFramework?: boolean;
    /** Art. 46 safeguards (standard contractual clauses, binding corporate rules) are in place. */
    readonly article46Safeguards?: boolean;
  };
  /** Fields of a caller's own packs, read as `attributes.<name>`. */
  readonly attributes?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

/** The dotted paths of {@link ComplianceRequest} that a condition may read (plus `attributes.<name>`). */
export const requestFields: readonly string[] = Object.freeze([
  "region",
  "dataCategories",
  "encryption.atRest",
  "encryption.inTransit",
  "encryption.fips140Validated",
  "keyManagement",
  "mfa",
  "networkSegmentation.zones",
  "networkSegmentation.cdeIsolated",
  "auditLogging",
  "logRetentionDays",
  "logImmediatelyAvailableDays",
  "documentationRetentionDays",
  "auditEvidenceRetentionDays",
  "replicas",
  "transfer.dataPrivacyFramework",
  "transfer.article46Safeguards",
]);

/** Whether a dotted path names a request field a condition may read. */
export function isRequestField(path: string): boolean {
  return requestFields.includes(path) || /^attributes\.[^.]+$/.test(path);
}

const days = z.number().int().min(0);

const requestSchema = z.strictObject({
  region: z.string().min(1).optional(),
  dataCategories: z.array(z.string().min(1)).optional(),
  encryption: z
    .strictObject({
      atRest: z.boolean().optional(),
      inTransit: z.boolean().optional(),
      fips140Validated: z.boolean().optional(),
    })
    .optional(),
  keyManagement: z.enum(["none", "kms", "hsm"]).optional(),
  mfa: z.boolean().optional(),
  networkSegmentation: z
    .strictObject({
      zones: z.array(z.string().min(1)).optional(),
      cdeIsolated: z.boolean().optional(),
    })
    .optional(),
  auditLogging: z.boolean().optional(),
  logRetentionDays: days.optional(),
  logImmediatelyAvailableDays: days.optional(),
  documentationRetentionDays: days.optional(),
  auditEvidenceRetentionDays: days.optional(),
  replicas: z.number().int().min(1).optional(),
  transfer: z
    .strictObject({
      dataPrivacyFramework: z.boolean().optional(),
      article46Safeguards: z.boolean().optional(),
    })
    .optional(),
  attributes: z
    .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
    .optional(),
});

/** Checks a request's types (an unknown key is named, with the known key it resembles); throws `INVALID_OPTIONS`. */
export function parseComplianceRequest(request: unknown, what = "request"): ComplianceRequest {
  const parsed = parseOptions(requestSchema, request, what) as ComplianceRequest;
  if (
    parsed.logImmediatelyAvailableDays !== undefined &&
    parsed.logRetentionDays !== undefined &&
    parsed.logImmediatelyAvailableDays > parsed.logRetentionDays
  ) {
    throw invalidField(
      `${what}.logImmediatelyAvailableDays`,
      parsed.logImmediatelyAvailableDays,
      `at most ${what}.logRetentionDays (${parsed.logRetentionDays})`,
    );
  }
  for (const [name, value] of Object.entries(parsed.attributes ?? {})) {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw invalidField(`${what}.attributes.${name}`, value, "a finite number");
    }
  }
  return parsed;
}

/** The value at a dotted path of a request, or undefined when any part of the path is absent. */
export function readField(request: ComplianceRequest, path: string): unknown {
  let current: unknown = request;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
