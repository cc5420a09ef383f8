import { EnisError } from "@enis/core";
import { deepFreeze, describeValue, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import type { Obligation, RetentionRule, RulePack } from "../rule-packs/types.js";
import type { ComplianceRequest } from "../validate/request.js";
import { readField } from "../validate/request.js";
import {
  type ComplianceRecommendation,
  type ComplianceValidation,
  type ComplianceViolation,
  evaluateControls,
  prepareValidation,
  type ValidateComplianceOptions,
  validationFromOutcomes,
} from "../validate/validate.js";

/** A piece of evidence the caller holds for a control: a document, a ticket, a screenshot, an attestation. */
export interface EvidenceItem {
  /** The framework id. */
  readonly framework: string;
  /** The control id within the framework. */
  readonly control: string;
  /** Where an auditor finds it, e.g. `"policies/backup.md@a1b2c3"` or `"JIRA SEC-142"`. */
  readonly reference: string;
  /** What it shows. */
  readonly description?: string;
}

/** Input of {@link complianceReport}. */
export interface ComplianceReportInput extends ValidateComplianceOptions {
  /** The resource request. */
  readonly request: ComplianceRequest;
  /** The framework ids. */
  readonly frameworks: readonly string[];
  /**
   * A result of `validateCompliance` for the same request, frameworks and options. The report
   * re-evaluates the request and refuses (`INVALID_OPTIONS`) a validation that does not match, so
   * a stale validation never makes a report.
   */
  readonly validation?: ComplianceValidation;
  /** Evidence the caller holds, by framework and control. */
  readonly evidence?: readonly EvidenceItem[];
}

/**
 * A control's status:
 * - `"met"`: its condition holds on the request (checkable), or evidence is supplied for a control
 *   the request cannot show (a policy, an assessment);
 * - `"violated"`: its condition fails (see its findings);
 * - `"not-applicable"`: its `appliesWhen` does not hold (e.g. no PHI for HIPAA);
 * - `"needs-evidence"`: it applies, the request cannot show it, and no evidence was supplied.
 */
export type ControlStatus = "met" | "violated" | "not-applicable" | "needs-evidence";

/** Evidence in the report: a request field the control read, or an item the caller supplied. */
export type ReportEvidence =
  | { readonly source: "request"; readonly field: string; readonly value: unknown }
  | { readonly source: "caller"; readonly reference: string; readonly description?: string };

/** One control in the report. */
export interface ReportControl {
  readonly framework: string;
  readonly control: string;
  readonly title: string;
  readonly citation: string;
  readonly obligation: Obligation;
  readonly status: ControlStatus;
  /** For an applicable control: whether its scope was established or assumed (a missing scope field). */
  readonly applicability?: "applies" | "assumed";
  /** Why it does not apply (status `"not-applicable"`). */
  readonly reason?: string;
  /** The request fields it read (with their values; absent fields are omitted) and the caller's evidence. */
  readonly evidence: readonly ReportEvidence[];
  /** The violations of this control. */
  readonly findings: readonly ComplianceViolation[];
  readonly retention?: RetentionRule;
  readonly note?: string;
}

/**
 * Counts of control statuses and the readiness figure:
 * `readiness = met / applicable`, where `applicable = met + violated + needsEvidence` (controls that
 * do not apply are left out); `null` when no control applies. A control counts once per framework.
 */
export interface ReadinessFigure {
  readonly met: number;
  readonly violated: number;
  readonly needsEvidence: number;
  readonly notApplicable: number;
  readonly applicable: number;
  /** A number from 0 to 1, or null when nothing applies. */
  readonly readiness: number | null;
}

/** One framework in the report. */
export interface ReportFramework {
  readonly framework: string;
  readonly name: string;
  readonly version: string;
  readonly readiness: ReadinessFigure;
  readonly controls: readonly ReportControl[];
  readonly notes: readonly string[];
}

/** The audit-ready report of {@link complianceReport}: every figure computed from the request, the packs and the evidence. */
export interface ComplianceReport {
  /** No applicable control is violated (as `validateCompliance` says). */
  readonly compliant: boolean;
  /** Compliant and no control needs evidence: every applicable control is met. */
  readonly auditReady: boolean;
  /** Over every framework's controls. */
  readonly readiness: ReadinessFigure;
  /** By framework, sorted by id. */
  readonly frameworks: readonly ReportFramework[];
  /** Every violation, as validation found it. */
  readonly findings: readonly ComplianceViolation[];
  /** The changes that would make the request compliant. */
  readonly recommendations: readonly ComplianceRecommendation[];
  /** The date of the region catalogue used. */
  readonly regionCatalogueAsOf: string;
}

function readiness(statuses: readonly ControlStatus[]): ReadinessFigure {
  const count = (status: ControlStatus) => statuses.filter((item) => item === status).length;
  const met = count("met");
  const violated = count("violated");
  const needsEvidence = count("needs-evidence");
  const applicable = met + violated + needsEvidence;
  return {
    met,
    violated,
    needsEvidence,
    notApplicable: count("not-applicable"),
    applicable,
    readiness: applicable === 0 ? null : met / applicable,
  };
}

function checkEvidence(evidence: unknown, packs: readonly RulePack[]): readonly EvidenceItem[] {
  if (evidence === undefined) return [];
  if (!Array.isArray(evidence)) throw invalidField("input.evidence", evidence, "an array of evidence items");
  evidence.forEach((item, index) => {
    const at = `input.evidence[${index}]`;
    if (typeof item !== "object" || item === null) throw invalidField(at, item, "an object");
    const { framework, control, reference, description, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${at}.${extra} is not a known option (known: framework, control, reference, description), got ${describeValue(rest[extra])}`,
        { field: `${at}.${extra}` },
      );
    }
    const pack = packs.find((candidate) => candidate.framework === framework);
    if (pack === undefined) {
      throw invalidField(
        `${at}.framework`,
        framework,
        `one of the report's frameworks (${packs.map((p) => p.framework).join(", ")})`,
      );
    }
    if (!pack.controls.some((candidate) => candidate.id === control)) {
      throw invalidField(
        `${at}.control`,
        control,
        `a control of ${pack.framework} (${pack.controls.map((c) => c.id).join(", ")})`,
      );
    }
    if (typeof reference !== "string" || reference.length === 0) {
      throw invalidField(`${at}.reference`, reference, "a non-empty string");
    }
    if (description !== undefined && typeof description !== "string") {
      throw invalidField(`${at}.description`, description, "a string");
    }
  });
  return evidence as EvidenceItem[];
}

const inputKeys = z
  .object({
    request: z.unknown(),
    frameworks: z.unknown(),
    validation: z.unknown().optional(),
    evidence: z.unknown().optional(),
    rulePacks: z.unknown().optional(),
    regionCatalogue: z.unknown().optional(),
  })
  .strict();

/**
 * The audit-ready compliance report of a request against frameworks, computed, never asserted:
 * each control's status (met / violated / not-applicable / needs-evidence), its evidence (the
 * request fields it read, and the caller's items), its findings, and a readiness figure per
 * framework and overall, defined as met controls over applicable controls (see
 * {@link ReadinessFigure}). Deterministic; frameworks are sorted by id.
 *
 * Throws `INVALID_OPTIONS` for what `validateCompliance` refuses, for evidence naming a framework
 * or control not in the report, and for a `validation` that does not match the request.
 *
 * @example
 * ```ts
 * const report = complianceReport({
 *   request: { dataCategories: ["phi"], encryption: { atRest: true, inTransit: true }, auditLogging: true,
 *              replicas: 2, documentationRetentionDays: 2192 },
 *   frameworks: ["hipaa"],
 *   evidence: [{ framework: "hipaa", control: "164.308(a)(1)(ii)(A)", reference: "risk-analysis-2026.pdf" }],
 * });
 * report.readiness; // { met: 6, needsEvidence: 1 (164.312(d)), applicable: 7, readiness: 6/7, … }
 * ```
 */
export function complianceReport(input: ComplianceReportInput): ComplianceReport {
  // The input's keys, checked by parseOptions (an unknown one gets the key it resembles); the
  // values are checked below, each by the code that reads it.
  const { request, frameworks, validation, evidence, rulePacks, regionCatalogue } = parseOptions(
    inputKeys,
    input,
    "input",
  ) as ComplianceReportInput;
  const options: Record<string, unknown> = {};
  if (rulePacks !== undefined) options["rulePacks"] = rulePacks;
  if (regionCatalogue !== undefined) options["regionCatalogue"] = regionCatalogue;
  const prepared = prepareValidation(request, frameworks, options, {
    frameworks: "input.frameworks",
    options: "input",
  });
  const outcomes = evaluateControls(prepared.request, prepared.packs, prepared.catalogue);
  const computed = validationFromOutcomes(outcomes, prepared.packs, prepared.catalogue);
  if (validation !== undefined && JSON.stringify(validation) !== JSON.stringify(computed)) {
    throw new EnisError(
      "INVALID_OPTIONS",
      "input.validation must be the result of validateCompliance for the same request, frameworks and options, got one that differs",
      { field: "input.validation" },
    );
  }
  const items = checkEvidence(evidence, prepared.packs);

  const reportFrameworks: ReportFramework[] = prepared.packs.map((pack) => {
    const controls: ReportControl[] = outcomes
      .filter((outcome) => outcome.pack === pack)
      .map(({ control, applicability, notApplicableReason }) => {
        const findings = computed.violations.filter(
          (violation) => violation.framework === pack.framework && violation.control === control.id,
        );
        const callerEvidence: ReportEvidence[] = items
          .filter((item) => item.framework === pack.framework && item.control === control.id)
          .map((item) => ({
            source: "caller" as const,
            reference: item.reference,
            ...(item.description === undefined ? {} : { description: item.description }),
          }));
        const requestEvidence: ReportEvidence[] = control.fields.flatMap((field) => {
          const value = readField(prepared.request, field);
          return value === undefined ? [] : [{ source: "request" as const, field, value }];
        });
        const status: ControlStatus =
          applicability === undefined
            ? "not-applicable"
            : findings.length > 0
              ? "violated"
              : control.condition !== undefined || callerEvidence.length > 0
                ? "met"
                : "needs-evidence";
        return {
          framework: pack.framework,
          control: control.id,
          title: control.title,
          citation: control.citation,
          obligation: control.obligation ?? "required",
          status,
          ...(applicability === undefined ? { reason: notApplicableReason ?? "" } : { applicability }),
          evidence: [...requestEvidence, ...callerEvidence],
          findings,
          ...(control.retention === undefined ? {} : { retention: control.retention }),
          ...(control.note === undefined ? {} : { note: control.note }),
        };
      });
    return {
      framework: pack.framework,
      name: pack.name,
      version: pack.version,
      readiness: readiness(controls.map((control) => control.status)),
      controls,
      notes: pack.notes ?? [],
    };
  });
  const overall = readiness(
    reportFrameworks.flatMap((framework) => framework.controls.map((control) => control.status)),
  );
  return deepFreeze({
    compliant: computed.compliant,
    auditReady: computed.compliant && overall.needsEvidence === 0,
    readiness: overall,
    frameworks: reportFrameworks,
    findings: computed.violations,
    recommendations: computed.recommendations,
    regionCatalogueAsOf: computed.regionCatalogueAsOf,
  });
}
