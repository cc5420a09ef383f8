/*
 * The shape of a rule pack: one per framework, plain data (JSON-serialisable), versioned and
 * extensible. `validateCompliance` evaluates the controls' conditions against a request;
 * `costCompliance` prices the controls' retention rules and the pack's cost requirements.
 */

/** A framework id. The shipped packs use these; a caller's own pack may use any other id. */
export type BuiltInFrameworkId = "hipaa" | "sox" | "gdpr" | "pci-dss" | "fedramp" | "iso-27001";

/** The classes of records a retention rule applies to. */
export type RetentionDataClass =
  /** Policies, procedures and the records of actions and assessments they require. */
  | "documentation"
  /** Audit evidence and workpapers. */
  | "audit-evidence"
  /** Security and access logs (audit logs). */
  | "audit-logs";

/** How long one class of records must be kept, and how much of it must stay immediately available. */
export interface RetentionRule {
  /** The class of records. */
  readonly dataClass: RetentionDataClass;
  /** The minimum retention, in days (6 years = 2,190 days; 12 months = 365 days). */
  readonly minimumDays: number;
  /**
   * Of those days, the most recent ones that must be immediately available (hot storage); the
   * rest may sit in an archive tier. Absent: the whole retention may be archived after ingestion.
   */
  readonly immediatelyAvailableDays?: number;
  /** Where the rule comes from, e.g. `"45 CFR 164.316(b)(2)(i)"`. */
  readonly citation: string;
}

/** What a framework demands that costs money beyond retention, with the citation of each demand. */
export interface FrameworkCostRequirements {
  /** Data must be encrypted at rest. */
  readonly encryptionAtRest: boolean;
  /** Data must be encrypted in transit. */
  readonly encryptionInTransit: boolean;
  /** Where keys live: no managed keys, a KMS (customer-managed keys), or a dedicated HSM. */
  readonly keyManagement: "none" | "kms" | "hsm";
  /** Copies of the data the framework's availability or backup controls call for (1 = no extra copy). */
  readonly minReplicas: number;
  /** Workloads must run in a government region (e.g. AWS GovCloud) — priced at its premium. */
  readonly govCloud: boolean;
  /** Security events must be logged (ingestion and storage of audit logs). */
  readonly auditLogging: boolean;
  /** The citations behind these requirements, by requirement name. */
  readonly citations: Readonly<
    Partial<Record<Exclude<keyof FrameworkCostRequirements, "citations">, string>>
  >;
}

/** One control of a framework. */
export interface ComplianceControl {
  /** The control's id within its framework, e.g. `"164.312(a)(2)(iv)"` or `"10.5.1"`. */
  readonly id: string;
  /** A short title. */
  readonly title: string;
  /** The citation an auditor can look up. */
  readonly citation: string;
  /** The request fields the control reads (dotted paths, e.g. `"encryption.atRest"`). */
  readonly fields: readonly string[];
  /** The retention rule the control imposes, if any. */
  readonly retention?: RetentionRule;
}

/** A framework's rules as data. */
export interface RulePack {
  /** The framework id, e.g. `"hipaa"`. */
  readonly framework: string;
  /** The framework's name, e.g. `"HIPAA Security Rule"`. */
  readonly name: string;
  /** The version of the framework text the pack encodes, e.g. `"PCI DSS v4.0.1"`. */
  readonly version: string;
  /** The controls. */
  readonly controls: readonly ComplianceControl[];
  /** The framework's cost requirements beyond retention. */
  readonly requirements: FrameworkCostRequirements;
}
