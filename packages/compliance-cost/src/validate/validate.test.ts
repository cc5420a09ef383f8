import { EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { awsRegionCatalogue, builtInRulePacks, conditionFields, type RulePack } from "../rule-packs/index.js";
import { type ComplianceRequest, validateCompliance } from "./index.js";

function errorOf(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError");
}

/** A request that meets every control of every shipped pack. */
const fullyCompliant: ComplianceRequest = {
  region: "us-gov-west-1",
  dataCategories: ["phi", "cardholder-data", "personal-data", "financial-reporting", "federal"],
  encryption: { atRest: true, inTransit: true, fips140Validated: true },
  keyManagement: "kms",
  mfa: true,
  networkSegmentation: { zones: ["cde", "app", "mgmt"], cdeIsolated: true },
  auditLogging: true,
  logRetentionDays: 915,
  logImmediatelyAvailableDays: 366,
  documentationRetentionDays: 2_192,
  auditEvidenceRetentionDays: 2_557,
  replicas: 2,
  transfer: { dataPrivacyFramework: true },
};

const allFrameworks = Object.keys(builtInRulePacks);

const gdprBase: ComplianceRequest = {
  dataCategories: ["personal-data"],
  encryption: { atRest: true, inTransit: true },
  replicas: 2,
};

describe("validateCompliance", () => {
  it("passes a request that meets every shipped control", () => {
    const result = validateCompliance(fullyCompliant, allFrameworks);
    expect(result.violations).toEqual([]);
    expect(result.compliant).toBe(true);
    expect(result.recommendations).toEqual([]);
    const total = Object.values(builtInRulePacks).reduce((sum, pack) => sum + pack.controls.length, 0);
    expect(result.requiredControls).toHaveLength(total);
    expect(result.frameworks.map((item) => item.framework)).toEqual([...allFrameworks].sort());
  });

  it("reports one violation per field at fault, with framework, control, citation and the fix", () => {
    const result = validateCompliance(
      { ...fullyCompliant, encryption: { ...fullyCompliant.encryption, atRest: false } },
      ["hipaa"],
    );
    expect(result.compliant).toBe(false);
    expect(result.violations).toEqual([
      {
        framework: "hipaa",
        control: "164.312(a)(2)(iv)",
        field: "encryption.atRest",
        missing: false,
        message: expect.stringContaining("encryption.atRest must be true, got false"),
        citation: "45 CFR 164.312(a)(2)(iv)",
        obligation: "addressable",
        recommendation: "set encryption.atRest to true",
      },
    ]);
    expect(result.recommendations).toEqual([
      {
        field: "encryption.atRest",
        message: "set encryption.atRest to true",
        controls: [{ framework: "hipaa", control: "164.312(a)(2)(iv)" }],
      },
    ]);
  });

  it("a field the rules need and the request lacks is a violation naming it, not a crash", () => {
    for (const framework of allFrameworks) {
      const result = validateCompliance({}, [framework]);
      const pack = builtInRulePacks[framework as keyof typeof builtInRulePacks];
      // No data categories: every control is assumed to apply.
      expect(result.requiredControls.map((control) => control.applicability)).toEqual(
        pack.controls.map((control) => (control.appliesWhen === undefined ? "applies" : "assumed")),
      );
      const needed = new Set(
        pack.controls.flatMap((control) => (control.condition ? conditionFields(control.condition) : [])),
      );
      const named = new Set(result.violations.map((violation) => violation.field));
      // Every field named is one a control reads and is missing; GDPR's alternatives name their first field.
      for (const field of named) expect(needed.has(field)).toBe(true);
      expect(result.violations.every((violation) => violation.missing)).toBe(true);
      if (framework !== "gdpr") expect([...named].sort()).toEqual([...needed].sort());
      for (const violation of result.violations)
        expect(violation.message).toContain(`${violation.field} is missing`);
    }
  });

  it("scopes controls by data category: HIPAA does not apply without PHI", () => {
    const result = validateCompliance({ dataCategories: ["personal-data"] }, ["hipaa"]);
    expect(result.compliant).toBe(true);
    expect(result.requiredControls).toEqual([]);
    expect(result.notApplicable).toHaveLength(builtInRulePacks.hipaa.controls.length);
    expect(result.notApplicable[0]?.reason).toContain('includes "phi"');
  });

  describe("GDPR residency over the region catalogue", () => {
    const residency = (request: ComplianceRequest) =>
      validateCompliance({ ...gdprBase, ...request }, ["gdpr"]).violations.filter(
        (violation) => violation.control === "art-44-46",
      );

    it("passes EU/EEA regions and adequacy-decision regions", () => {
      for (const region of [
        "eu-west-1",
        "eu-central-1",
        "eu-north-1",
        "eu-south-2",
        "eu-central-2",
        "eu-west-2",
        "il-central-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ca-central-1",
      ]) {
        expect(residency({ region })).toEqual([]);
      }
    });

    it("fails us-east-1 without the Data Privacy Framework, passes it with a DPF-certified recipient", () => {
      const [violation, ...rest] = residency({ region: "us-east-1" });
      expect(rest).toEqual([]);
      expect(violation).toMatchObject({
        framework: "gdpr",
        field: "region",
        citation: "GDPR Chapter V, Art. 44, 45, 46",
      });
      expect(violation?.message).toContain('got "us-east-1"');
      expect(violation?.recommendation).toMatch(/^set region to one of eu-west-1, eu-west-3, eu-central-1, /);
      expect(violation?.recommendation).toContain("set transfer.dataPrivacyFramework to true");
      expect(residency({ region: "us-east-1", transfer: { dataPrivacyFramework: true } })).toEqual([]);
      expect(residency({ region: "us-east-1", transfer: { dataPrivacyFramework: false } })).toHaveLength(1);
    });

    it("fails sa-east-1 (Brazil, no adequacy), even claiming the DPF; Art. 46 safeguards make it lawful", () => {
      expect(residency({ region: "sa-east-1" })).toHaveLength(1);
      expect(residency({ region: "sa-east-1", transfer: { dataPrivacyFramework: true } })).toHaveLength(1);
      expect(residency({ region: "sa-east-1", transfer: { article46Safeguards: true } })).toEqual([]);
      expect(residency({ region: "me-central-1" })).toHaveLength(1);
    });

    it("fails a region the catalogue does not hold, and a missing region, naming the field", () => {
      expect(residency({ region: "mars-north-1" })[0]?.message).toContain("region catalogue");
      expect(residency({})[0]).toMatchObject({ field: "region", missing: true });
    });

    it("reads a caller's catalogue", () => {
      const catalogue = {
        ...awsRegionCatalogue,
        regions: [
          ...awsRegionCatalogue.regions,
          {
            id: "europe-west3",
            provider: "gcp",
            location: "Frankfurt",
            country: "DE",
            gdpr: "eu-eea" as const,
            fedramp: "none" as const,
            govCloud: false,
          },
        ],
      };
      const request = { ...gdprBase, region: "europe-west3" };
      expect(validateCompliance(request, ["gdpr"], { regionCatalogue: catalogue }).compliant).toBe(true);
      expect(validateCompliance(request, ["gdpr"]).compliant).toBe(false);
    });
  });

  it("refuses a retention shorter than the longest calendar term: 365-day years fall short of the anniversary", () => {
    const phi = { ...fullyCompliant, dataCategories: ["phi"] };
    // 6 years from 2024-01-01 end on 2030-01-01, 2,192 days later; 2,190 days end 2 days early.
    for (const days of [2_190, 2_191]) {
      const result = validateCompliance({ ...phi, documentationRetentionDays: days }, ["hipaa"]);
      expect(result.violations.map((item) => [item.control, item.field])).toEqual([
        ["164.316(b)(2)(i)", "documentationRetentionDays"],
      ]);
    }
    expect(validateCompliance({ ...phi, documentationRetentionDays: 2_192 }, ["hipaa"]).compliant).toBe(true);
    const sox = { ...fullyCompliant, dataCategories: ["financial-reporting"] };
    expect(validateCompliance({ ...sox, auditEvidenceRetentionDays: 2_555 }, ["sox"]).compliant).toBe(false);
    expect(validateCompliance({ ...sox, auditEvidenceRetentionDays: 2_557 }, ["sox"]).compliant).toBe(true);
    const card = { ...fullyCompliant, dataCategories: ["cardholder-data"] };
    for (const [retention, hot, fields] of [
      [365, 92, ["logRetentionDays"]],
      [366, 90, ["logImmediatelyAvailableDays"]],
      [366, 91, ["logImmediatelyAvailableDays"]],
    ] as const) {
      const result = validateCompliance(
        { ...card, logRetentionDays: retention, logImmediatelyAvailableDays: hot },
        ["pci-dss"],
      );
      expect(result.violations.map((item) => item.field)).toEqual(fields);
    }
    expect(
      validateCompliance({ ...card, logRetentionDays: 366, logImmediatelyAvailableDays: 92 }, ["pci-dss"])
        .compliant,
    ).toBe(true);
    for (const [retention, hot] of [
      [913, 366],
      [915, 365],
    ] as const) {
      const request = { ...fullyCompliant, logRetentionDays: retention, logImmediatelyAvailableDays: hot };
      expect(validateCompliance(request, ["fedramp"]).compliant).toBe(false);
    }
    expect(validateCompliance(fullyCompliant, ["fedramp"]).compliant).toBe(true);
  });

  it("merges recommendations across frameworks: the largest retention once", () => {
    const result = validateCompliance({ dataCategories: ["cardholder-data"] }, ["pci-dss", "fedramp"]);
    const retention = result.recommendations.filter((item) => item.field === "logRetentionDays");
    expect(retention).toEqual([
      {
        field: "logRetentionDays",
        message: "set logRetentionDays to at least 915",
        controls: [
          { framework: "fedramp", control: "AU-11" },
          { framework: "pci-dss", control: "10.5.1" },
        ],
      },
    ]);
  });

  it("applying the recommendations of single-field fixes makes the request compliant", () => {
    const request: Record<string, unknown> = {
      dataCategories: ["phi", "cardholder-data", "financial-reporting"],
    };
    const result = validateCompliance(request, ["hipaa", "pci-dss", "sox", "iso-27001"]);
    const set = (path: string, value: unknown) => {
      const parts = path.split(".");
      let target = request;
      for (const part of parts.slice(0, -1)) {
        target[part] ??= {};
        target = target[part] as Record<string, unknown>;
      }
      target[parts.at(-1)!] = value;
    };
    for (const { message, field } of result.recommendations) {
      const atLeast = /^set (\S+) to at least (\d+)$/.exec(message);
      const equals = /^set (\S+) to (true|false)$/.exec(message);
      const oneOf = /^set (\S+) to one of (\S+?),/.exec(message);
      const list = /^list at least (\d+) entries in (\S+)$/.exec(message);
      if (atLeast) set(field, Number(atLeast[2]));
      else if (equals) set(field, equals[2] === "true");
      else if (oneOf) set(field, oneOf[2]);
      else if (list)
        set(
          field,
          Array.from({ length: Number(list[1]) }, (_, index) => `zone-${index}`),
        );
      else throw new Error(`unexpected recommendation ${message}`);
    }
    expect(validateCompliance(request, ["hipaa", "pci-dss", "sox", "iso-27001"]).violations).toEqual([]);
  });

  it("accepts a caller-defined pack read from JSON, with its own request attributes", () => {
    const pack: RulePack = {
      framework: "acme-policy",
      name: "ACME internal policy",
      version: "2026.1",
      controls: [
        {
          id: "ACME-1",
          title: "Workloads carry an owner team",
          citation: "ACME policy §1",
          fields: ["attributes.owner"],
          condition: { field: "attributes.owner", oneOf: ["platform", "data"] },
        },
        {
          id: "ACME-2",
          title: "Logs for 400 days",
          citation: "ACME policy §2",
          fields: ["logRetentionDays"],
          condition: { field: "logRetentionDays", atLeast: 400 },
          retention: { dataClass: "audit-logs", minimumDays: 400, citation: "ACME policy §2" },
        },
      ],
      requirements: {
        encryptionAtRest: false,
        encryptionInTransit: false,
        keyManagement: "none",
        minReplicas: 1,
        govCloud: false,
        auditLogging: true,
        citations: { auditLogging: "ACME policy §2" },
      },
    };
    const rulePacks = [JSON.parse(JSON.stringify(pack)) as RulePack];
    const failing = validateCompliance(
      { attributes: { owner: "sales" }, logRetentionDays: 30 },
      ["acme-policy"],
      {
        rulePacks,
      },
    );
    expect(failing.violations.map((violation) => [violation.control, violation.field])).toEqual([
      ["ACME-1", "attributes.owner"],
      ["ACME-2", "logRetentionDays"],
    ]);
    expect(
      validateCompliance({ attributes: { owner: "data" }, logRetentionDays: 400 }, ["acme-policy", "sox"], {
        rulePacks,
      }).compliant,
    ).toBe(false); // SOX applies (no data categories): its fields are missing
    expect(
      validateCompliance({ attributes: { owner: "data" }, logRetentionDays: 400 }, ["acme-policy"], {
        rulePacks,
      }).compliant,
    ).toBe(true);
  });

  describe("determinism", () => {
    const bool = fc.option(fc.boolean(), { nil: undefined });
    const days = fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined });
    const requestArbitrary = fc
      .record(
        {
          region: fc.option(
            fc.constantFrom(...awsRegionCatalogue.regions.map((region) => region.id), "nowhere-1"),
            {
              nil: undefined,
            },
          ),
          dataCategories: fc.option(
            fc.subarray(["phi", "cardholder-data", "personal-data", "financial-reporting", "federal"]),
            { nil: undefined },
          ),
          encryption: fc.option(fc.record({ atRest: bool, inTransit: bool, fips140Validated: bool }), {
            nil: undefined,
          }),
          keyManagement: fc.option(fc.constantFrom("none" as const, "kms" as const, "hsm" as const), {
            nil: undefined,
          }),
          mfa: bool,
          networkSegmentation: fc.option(
            fc.record({
              zones: fc.array(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 3 }),
              cdeIsolated: bool,
            }),
            { nil: undefined },
          ),
          auditLogging: bool,
          logRetentionDays: days,
          documentationRetentionDays: days,
          auditEvidenceRetentionDays: days,
          replicas: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
          transfer: fc.option(fc.record({ dataPrivacyFramework: bool, article46Safeguards: bool }), {
            nil: undefined,
          }),
        },
        { requiredKeys: [] },
      )
      .map((request) => JSON.parse(JSON.stringify(request)) as ComplianceRequest);

    it("gives the same output for the same input, whatever the order of frameworks", () => {
      fc.assert(
        fc.property(
          requestArbitrary,
          fc.shuffledSubarray(allFrameworks, { minLength: 1 }),
          fc.integer({ min: 0, max: 1_000 }),
          (request, frameworks, seed) => {
            const first = validateCompliance(request, frameworks);
            const reversed = validateCompliance(request, [...frameworks].reverse());
            const rotated = [
              ...frameworks.slice(seed % frameworks.length),
              ...frameworks.slice(0, seed % frameworks.length),
            ];
            expect(reversed).toEqual(first);
            expect(validateCompliance(request, rotated)).toEqual(first);
            expect(validateCompliance(request, frameworks)).toEqual(first);
            expect(first.compliant).toBe(first.violations.length === 0);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe("bad input", () => {
    it("an unknown framework: INVALID_OPTIONS with a did-you-mean", () => {
      const error = errorOf(() => validateCompliance({}, ["hipaa", "gdrp"]));
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe("frameworks[1]");
      expect(error.message).toContain('did you mean "gdpr"');
      expect(error.message).toContain('got "gdrp"');
      expect(errorOf(() => validateCompliance({}, ["PCI_DSS"])).message).toContain(
        "one of fedramp, gdpr, hipaa",
      );
    });

    it("a repeated framework: INVALID_OPTIONS naming its index, as in costCompliance and riskReduction", () => {
      const error = errorOf(() => validateCompliance({}, ["hipaa", "gdpr", "hipaa"]));
      expect(error).toMatchObject({ code: "INVALID_OPTIONS", field: "frameworks[2]" });
      expect(error.message).toContain('got "hipaa"');
    });

    it("no frameworks, or not a list", () => {
      expect(errorOf(() => validateCompliance({}, [])).field).toBe("frameworks");
      expect(errorOf(() => validateCompliance({}, "hipaa" as unknown as string[])).code).toBe(
        "INVALID_OPTIONS",
      );
    });

    it("a request of the wrong shape names the field", () => {
      const typo = errorOf(() =>
        validateCompliance({ encryption_at_rest: true } as ComplianceRequest, ["hipaa"]),
      );
      expect(typo).toMatchObject({ code: "INVALID_OPTIONS", field: "request.encryption_at_rest" });
      expect(errorOf(() => validateCompliance({ replicas: 0 }, ["hipaa"]))).toMatchObject({
        field: "request.replicas",
      });
      expect(errorOf(() => validateCompliance({ logRetentionDays: Number.NaN }, ["hipaa"]))).toMatchObject({
        field: "request.logRetentionDays",
      });
      expect(
        errorOf(() =>
          validateCompliance({ logRetentionDays: 30, logImmediatelyAvailableDays: 90 }, ["pci-dss"]),
        ),
      ).toMatchObject({ field: "request.logImmediatelyAvailableDays" });
      expect(errorOf(() => validateCompliance(null as unknown as ComplianceRequest, ["hipaa"])).code).toBe(
        "INVALID_OPTIONS",
      );
    });

    it("bad options name the field", () => {
      expect(errorOf(() => validateCompliance({}, ["hipaa"], { packs: [] } as never))).toMatchObject({
        field: "options.packs",
      });
      // The option is rulePacks, as in costCompliance and riskReduction; the old name lists the known
      // options, and a misspelling gets a "did you mean".
      const renamed = errorOf(() => validateCompliance({}, ["hipaa"], { extraPacks: [] } as never));
      expect(renamed).toMatchObject({ code: "INVALID_OPTIONS", field: "options.extraPacks" });
      expect(renamed.message).toContain("known: rulePacks, regionCatalogue");
      expect(errorOf(() => validateCompliance({}, ["hipaa"], { rulePack: [] } as never)).message).toContain(
        'did you mean "rulePacks"',
      );
      expect(
        errorOf(() => validateCompliance({}, ["gdpr"], { regionCatalog: awsRegionCatalogue } as never))
          .message,
      ).toContain('did you mean "regionCatalogue"');
      expect(
        errorOf(() =>
          validateCompliance({}, ["hipaa"], {
            rulePacks: [
              { ...builtInRulePacks.sox, controls: [{ ...builtInRulePacks.sox.controls[0]!, citation: "" }] },
            ],
          }),
        ),
      ).toMatchObject({ field: "options.rulePacks[0].controls[0].citation" });
      expect(
        errorOf(() =>
          validateCompliance({}, ["sox"], { rulePacks: [builtInRulePacks.sox, builtInRulePacks.sox] }),
        ),
      ).toMatchObject({ code: "DUPLICATE_ID", field: "options.rulePacks[1].framework" });
      const duplicated = {
        ...awsRegionCatalogue,
        regions: [...awsRegionCatalogue.regions, awsRegionCatalogue.regions[0]!],
      };
      expect(errorOf(() => validateCompliance({}, ["gdpr"], { regionCatalogue: duplicated })).code).toBe(
        "DUPLICATE_ID",
      );
    });
  });
});
