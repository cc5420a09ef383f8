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
  /**
   * The minimum retention, in days. A term stated in years or months counts at the longest
   * calendar length it can have (6 years = 2,192 days; 12 months = 366; 3 months = 92), so a policy
   * that keeps `minimumDays` never deletes a record before the term's anniversary.
   */
  readonly minimumDays: number;
  /**
   * Of those days, the most recent ones that must be immediately available (hot storage); the
   * rest may sit in an archive tier. Absent: the whole retention may be archived after ingestion.
   */
  readonly immediatelyAvailableDays?: number;
  /** Where the rule comes from, e.g. `"45 CFR 164.316(b)(2)(i)"`. */
  readonly citation: string;
  /**
   * The term as the text states it, as an ISO 8601 duration (`"P6Y"`, `"P12M"`), when the text
   * counts in years or months. `minimumDays` is the longest span of that term in the Gregorian
   * calendar (6 years hold up to 2 leap days: 2,192 days; 30 months up to 915 days).
   */
  readonly period?: string;
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
    Partial<Record<Exclude<keyof FrameworkCostRequirements, "citations" | "basis">, string>>
  >;
  /**
   * How firmly the framework's text demands each requirement, by requirement name (absent:
   * `"required"`): see {@link Obligation}. A `"practice"` requirement is what auditors commonly
   * expect, not what the text says.
   */
  readonly basis?: Readonly<
    Partial<Record<Exclude<keyof FrameworkCostRequirements, "citations" | "basis">, Obligation>>
  >;
}

/**
 * How firmly a framework's text demands a control:
 * - `"required"`: the text requires it;
 * - `"addressable"`: HIPAA's addressable specifications (45 CFR 164.306(d)(3)): implement it, or
 *   document why an equivalent measure is reasonable and appropriate;
 * - `"risk-based"`: the text names it as an appropriate measure to select by risk (GDPR Art. 32,
 *   ISO/IEC 27001 Annex A controls selected by the Statement of Applicability);
 * - `"practice"`: the text does not name it; auditors commonly expect it.
 */
export type Obligation = "required" | "addressable" | "risk-based" | "practice";

/** A scalar a condition compares a request field with. */
export type ConditionValue = string | number | boolean;

/**
 * A declarative condition on request fields, interpreted by `validateCompliance` (plain data: it
 * serialises to JSON). `field` is a dotted path into the request (`"encryption.atRest"`); a field
 * the request lacks fails the condition and is named in the violation.
 */
export type Condition =
  /** The field equals the value. */
  | { readonly field: string; readonly equals: ConditionValue }
  /** The field is a number at least the bound. */
  | { readonly field: string; readonly atLeast: number }
  /** The field is one of the values. */
  | { readonly field: string; readonly oneOf: readonly ConditionValue[] }
  /** The field is a list that includes the value. */
  | { readonly field: string; readonly includes: string }
  /** The field is a list of at least this many entries. */
  | { readonly field: string; readonly lengthAtLeast: number }
  /** The field is a region id that the region catalogue places in the named set. */
  | { readonly field: string; readonly inRegionSet: RegionSetId }
  /** Every condition holds. */
  | { readonly all: readonly Condition[] }
  /** At least one condition holds. */
  | { readonly any: readonly Condition[] };

/**
 * The named sets of regions a condition can test, derived from a {@link RegionCatalogue}:
 * - `"eu-eea"`: regions in an EU or EEA member state;
 * - `"gdpr-adequate"`: `eu-eea` plus countries with a European Commission adequacy decision
 *   (GDPR Art. 45) that covers the transfer without conditions on the recipient;
 * - `"gdpr-conditional"`: countries whose adequacy covers only certified recipients (the United
 *   States: organisations certified under the EU-US Data Privacy Framework);
 * - `"fedramp-high"`: regions authorised at FedRAMP High (AWS GovCloud (US));
 * - `"fedramp-moderate"`: regions authorised at FedRAMP Moderate or High;
 * - `"govcloud"`: government regions.
 */
export type RegionSetId =
  | "eu-eea"
  | "gdpr-adequate"
  | "gdpr-conditional"
  | "fedramp-high"
  | "fedramp-moderate"
  | "govcloud";

/** How GDPR Chapter V treats a transfer to a region's country. */
export type GdprTransferStatus =
  /** In the EU/EEA: not a transfer under Chapter V. */
  | "eu-eea"
  /** A country with an adequacy decision (Art. 45) that covers the transfer. */
  | "adequate"
  /** An adequacy decision that covers only certified recipients (EU-US Data Privacy Framework). */
  | "conditional"
  /** No adequacy decision: a transfer needs Art. 46 safeguards (SCCs, BCRs) or an Art. 49 derogation. */
  | "none";

/** One cloud region of a {@link RegionCatalogue}. */
export interface RegionInfo {
  /** The provider's region id, e.g. `"eu-central-2"`. */
  readonly id: string;
  /** The provider, e.g. `"aws"`. */
  readonly provider: string;
  /** The region's location, e.g. `"Zurich"`. */
  readonly location: string;
  /** The ISO 3166-1 alpha-2 code of the country the region is in, e.g. `"CH"`. */
  readonly country: string;
  /** How GDPR Chapter V treats a transfer to that country. */
  readonly gdpr: GdprTransferStatus;
  /** The FedRAMP authorisation level of the region's infrastructure (services are authorised one by one). */
  readonly fedramp: "high" | "moderate" | "none";
  /** A government region (AWS GovCloud (US)). */
  readonly govCloud: boolean;
  /** A qualification, e.g. the scope of an adequacy decision. */
  readonly note?: string;
}

/** Cloud regions mapped to countries and to the GDPR and FedRAMP sets, dated. */
export interface RegionCatalogue {
  /** When the catalogue was last checked against its sources (ISO 8601 date). */
  readonly asOf: string;
  /** The sources the mapping was checked against. */
  readonly sources: readonly string[];
  /** The regions. */
  readonly regions: readonly RegionInfo[];
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
  /**
   * What the request must satisfy. Absent: the control cannot be checked from a request (a
   * policy, a risk analysis): validation lists it as required and the report as needing evidence.
   */
  readonly condition?: Condition;
  /**
   * When the control applies, e.g. `{ field: "dataCategories", includes: "phi" }`. Absent: always.
   * A request that lacks a field this reads is assumed in scope (the control applies).
   */
  readonly appliesWhen?: Condition;
  /** How firmly the text demands the control (absent: `"required"`). */
  readonly obligation?: Obligation;
  /** What an auditor should know: the scope of the text, what is practice rather than text. */
  readonly note?: string;
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
  /** Notes on the pack as a whole (e.g. GDPR's storage limitation is a maximum, not a minimum). */
  readonly notes?: readonly string[];
}
