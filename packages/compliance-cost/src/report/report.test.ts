import { EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtInRulePacks } from "../rule-packs/index.js";
import { type ComplianceRequest, validateCompliance } from "../validate/index.js";
import { complianceReport } from "./index.js";

function errorOf(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError");
}

/** Meets every checkable HIPAA control; 164.312(d) and 164.308(a)(1)(ii)(A) need evidence. */
const hipaaRequest: ComplianceRequest = {
  dataCategories: ["phi"],
  encryption: { atRest: true, inTransit: true },
  auditLogging: true,
  replicas: 2,
  documentationRetentionDays: 2_192,
};

const hipaaEvidence = [
  { framework: "hipaa", control: "164.312(d)", reference: "runbooks/authentication.md" },
  {
    framework: "hipaa",
    control: "164.308(a)(1)(ii)(A)",
    reference: "risk-analysis-2026.pdf",
    description: "annual",
  },
];

describe("complianceReport", () => {
  it("met controls over applicable ones: 5 checkable met + 2 needing evidence = 5/7", () => {
    const report = complianceReport({ request: hipaaRequest, frameworks: ["hipaa"] });
    expect(report.readiness).toEqual({
      met: 5,
      violated: 0,
      needsEvidence: 2,
      notApplicable: 0,
      applicable: 7,
      readiness: 5 / 7,
    });
    expect(report.compliant).toBe(true);
    expect(report.auditReady).toBe(false);
    const statuses = Object.fromEntries(
      report.frameworks[0]!.controls.map((control) => [control.control, control.status]),
    );
    expect(statuses["164.312(d)"]).toBe("needs-evidence");
    expect(statuses["164.312(a)(2)(iv)"]).toBe("met");
  });

  it("evidence meets the controls the request cannot show: 7/7, audit-ready", () => {
    const report = complianceReport({
      request: hipaaRequest,
      frameworks: ["hipaa"],
      evidence: hipaaEvidence,
    });
    expect(report.readiness.readiness).toBe(1);
    expect(report.auditReady).toBe(true);
    const risk = report.frameworks[0]!.controls.find((control) => control.control === "164.308(a)(1)(ii)(A)");
    expect(risk?.evidence).toEqual([
      { source: "caller", reference: "risk-analysis-2026.pdf", description: "annual" },
    ]);
    const encryption = report.frameworks[0]!.controls.find(
      (control) => control.control === "164.312(a)(2)(iv)",
    );
    expect(encryption?.evidence).toEqual([{ source: "request", field: "encryption.atRest", value: true }]);
  });

  it("a violated control carries its findings and lowers readiness: 4 met of 7", () => {
    const request = { ...hipaaRequest, encryption: { atRest: false, inTransit: true } };
    const report = complianceReport({ request, frameworks: ["hipaa"] });
    expect(report.readiness).toMatchObject({
      met: 4,
      violated: 1,
      needsEvidence: 2,
      applicable: 7,
      readiness: 4 / 7,
    });
    const control = report.frameworks[0]!.controls.find((item) => item.control === "164.312(a)(2)(iv)");
    expect(control?.status).toBe("violated");
    expect(control?.findings.map((finding) => finding.field)).toEqual(["encryption.atRest"]);
    expect(report.findings).toEqual(validateCompliance(request, ["hipaa"]).violations);
    expect(report.compliant).toBe(false);
  });

  it("controls that do not apply are out of the denominator; nothing applicable gives null, not a number", () => {
    const none = complianceReport({
      request: { dataCategories: ["personal-data"] },
      frameworks: ["hipaa", "pci-dss"],
    });
    expect(none.readiness).toMatchObject({ applicable: 0, readiness: null });
    expect(
      none.frameworks.every((framework) =>
        framework.controls.every((control) => control.status === "not-applicable"),
      ),
    ).toBe(true);
    expect(none.frameworks[0]!.controls[0]!.reason).toContain("phi");

    const mixed = complianceReport({
      request: hipaaRequest,
      frameworks: ["pci-dss", "hipaa"],
      evidence: hipaaEvidence,
    });
    expect(mixed.frameworks.map((framework) => framework.framework)).toEqual(["hipaa", "pci-dss"]);
    expect(mixed.readiness).toMatchObject({
      met: 7,
      applicable: 7,
      notApplicable: builtInRulePacks["pci-dss"].controls.length,
      readiness: 1,
    });
  });

  it("readiness is computed, not asserted: counts add up and readiness = met / applicable for any request", () => {
    const bool = fc.option(fc.boolean(), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record(
          {
            dataCategories: fc.subarray(["phi", "cardholder-data", "personal-data", "financial-reporting"]),
            encryption: fc.record({ atRest: bool, inTransit: bool }, { requiredKeys: [] }),
            mfa: bool,
            auditLogging: bool,
            replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
            region: fc.constantFrom("eu-west-1", "us-east-1", "sa-east-1", "us-gov-west-1"),
          },
          { requiredKeys: [] },
        ),
        fc.subarray(Object.keys(builtInRulePacks), { minLength: 1 }),
        (raw, frameworks) => {
          const request = JSON.parse(JSON.stringify(raw)) as ComplianceRequest;
          const report = complianceReport({ request, frameworks });
          const total = frameworks.reduce(
            (sum, id) => sum + builtInRulePacks[id as keyof typeof builtInRulePacks].controls.length,
            0,
          );
          const { met, violated, needsEvidence, notApplicable, applicable, readiness } = report.readiness;
          expect(met + violated + needsEvidence + notApplicable).toBe(total);
          expect(applicable).toBe(met + violated + needsEvidence);
          expect(readiness).toBe(applicable === 0 ? null : met / applicable);
          expect(report.compliant).toBe(violated === 0);
          expect(report.findings).toEqual(validateCompliance(request, frameworks).violations);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("accepts the matching validation and refuses a stale one", () => {
    const validation = validateCompliance(hipaaRequest, ["hipaa"]);
    expect(complianceReport({ request: hipaaRequest, frameworks: ["hipaa"], validation }).compliant).toBe(
      true,
    );
    const stale = validateCompliance({ ...hipaaRequest, replicas: 1 }, ["hipaa"]);
    expect(
      errorOf(() => complianceReport({ request: hipaaRequest, frameworks: ["hipaa"], validation: stale })),
    ).toMatchObject({
      code: "INVALID_OPTIONS",
      field: "input.validation",
    });
  });

  it("refuses evidence for a control or framework not in the report, and unknown input keys", () => {
    expect(
      errorOf(() =>
        complianceReport({
          request: hipaaRequest,
          frameworks: ["hipaa"],
          evidence: [{ framework: "hipaa", control: "164.999", reference: "x" }],
        }),
      ),
    ).toMatchObject({ code: "INVALID_OPTIONS", field: "input.evidence[0].control" });
    expect(
      errorOf(() =>
        complianceReport({
          request: hipaaRequest,
          frameworks: ["hipaa"],
          evidence: [{ framework: "sox", control: "210.2-06", reference: "x" }],
        }),
      ),
    ).toMatchObject({ field: "input.evidence[0].framework" });
    expect(
      errorOf(() =>
        complianceReport({
          request: hipaaRequest,
          frameworks: ["hipaa"],
          evidence: [{ framework: "hipaa", control: "164.312(d)", reference: "" }],
        }),
      ),
    ).toMatchObject({ field: "input.evidence[0].reference" });
    expect(
      errorOf(() =>
        complianceReport({ request: hipaaRequest, frameworks: ["hipaa"], readiness: 98.5 } as never),
      ),
    ).toMatchObject({ field: "input.readiness" });
    expect(
      errorOf(() => complianceReport({ request: hipaaRequest, frameworks: ["hipa"] })).message,
    ).toContain('did you mean "hipaa"');
    // The caller's packs are rulePacks, as in the other three functions; the old name gets a hint.
    const renamed = errorOf(() =>
      complianceReport({ request: hipaaRequest, frameworks: ["hipaa"], extraPacks: [] } as never),
    );
    expect(renamed).toMatchObject({ code: "INVALID_OPTIONS", field: "input.extraPacks" });
    expect(renamed.message).toContain("rulePacks");
    expect(
      errorOf(() => complianceReport({ request: hipaaRequest, frameworks: ["hipaa"], rulePack: [] } as never))
        .message,
    ).toContain('did you mean "rulePacks"');
    expect(
      complianceReport({ request: hipaaRequest, frameworks: ["hipaa"], rulePacks: [] }).frameworks,
    ).toHaveLength(1);
    // A repeated framework is refused, naming its index.
    expect(
      errorOf(() => complianceReport({ request: hipaaRequest, frameworks: ["hipaa", "hipaa"] })),
    ).toMatchObject({ code: "INVALID_OPTIONS", field: "input.frameworks[1]" });
    expect(
      errorOf(() =>
        complianceReport({
          request: hipaaRequest,
          frameworks: ["sox"],
          rulePacks: [{ ...builtInRulePacks.sox, name: "" }],
        }),
      ),
    ).toMatchObject({ field: "input.rulePacks[0].name" });
  });
});
