import { EnisError } from "@enis/core";
import { describe, expect, it } from "vitest";
import { parseRegionCatalogue } from "../validate/validate.js";
import {
  awsRegionCatalogue,
  builtInRulePacks,
  conditionFields,
  parseRulePack,
  type RulePack,
  regionsInSet,
  rulePack,
} from "./index.js";

function codeOf(action: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return { code: error.code, field: error.field, message: error.message };
    throw error;
  }
  throw new Error("expected an EnisError");
}

function retentionOf(framework: string) {
  return rulePack(framework).controls.flatMap((control) => (control.retention ? [control.retention] : []));
}

/**
 * The longest span of `months` calendar months, in days, over the 400-year Gregorian cycle. A
 * span that starts on the 1st is never shorter than one starting later in the month (a later start
 * is clamped at a short month's end), so month starts suffice.
 */
function longestSpanDays(months: number): number {
  let longest = 0;
  for (let start = 0; start < 400 * 12; start += 1) {
    const days = (Date.UTC(2000, start + months, 1) - Date.UTC(2000, start, 1)) / 86_400_000;
    longest = Math.max(longest, days);
  }
  return longest;
}

/** The months of an ISO 8601 duration of whole years or months (`"P6Y"`, `"P30M"`). */
function periodMonths(period: string): number {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?$/.exec(period);
  if (match === null) throw new Error(`not a years/months duration: ${period}`);
  return Number(match[1] ?? 0) * 12 + Number(match[2] ?? 0);
}

describe("built-in rule packs", () => {
  it("are the six frameworks, each versioned, each control cited", () => {
    expect(Object.keys(builtInRulePacks).sort()).toEqual([
      "fedramp",
      "gdpr",
      "hipaa",
      "iso-27001",
      "pci-dss",
      "sox",
    ]);
    for (const [id, pack] of Object.entries(builtInRulePacks)) {
      expect(pack.framework).toBe(id);
      expect(pack.version.length).toBeGreaterThan(0);
      expect(pack.controls.length).toBeGreaterThan(0);
      for (const control of pack.controls) {
        expect(control.citation.length).toBeGreaterThan(0);
        for (const field of control.condition ? conditionFields(control.condition) : []) {
          expect(control.fields).toContain(field);
        }
      }
    }
  });

  it("count every retention term at its longest calendar length, and validate against the same figures", () => {
    // The term immediately available, in months, where the text gives one (PCI: 3; M-21-31: 12 active).
    const hotMonths: Record<string, number> = { "pci-dss": 3, fedramp: 12 };
    for (const [id, pack] of Object.entries(builtInRulePacks)) {
      for (const control of pack.controls) {
        const retention = control.retention;
        if (retention === undefined) continue;
        expect(retention.period, `${id} ${control.id}`).toBeDefined();
        expect(retention.minimumDays, `${id} ${control.id}`).toBe(
          longestSpanDays(periodMonths(retention.period!)),
        );
        if (retention.immediatelyAvailableDays !== undefined) {
          expect(retention.immediatelyAvailableDays, `${id} ${control.id}`).toBe(
            longestSpanDays(hotMonths[id]!),
          );
        }
        // The condition's thresholds are the retention's figures, not a shorter count.
        const bounds = JSON.stringify(control.condition);
        expect(bounds).toContain(`"atLeast":${retention.minimumDays}`);
        if (retention.immediatelyAvailableDays !== undefined) {
          expect(bounds).toContain(`"atLeast":${retention.immediatelyAvailableDays}`);
        }
      }
    }
  });

  it("HIPAA keeps documentation 6 years = the longest 6 calendar years = 2,192 days (45 CFR 164.316(b)(2)(i))", () => {
    expect(retentionOf("hipaa")).toEqual([
      { dataClass: "documentation", minimumDays: 2_192, period: "P6Y", citation: "45 CFR 164.316(b)(2)(i)" },
    ]);
    // 6 × 365 plus the 2 leap days 6 years can hold (2024-01-01 to 2030-01-01).
    expect(longestSpanDays(72)).toBe(2_192);
    const ids = rulePack("hipaa").controls.map((control) => control.id);
    expect(ids).toEqual(expect.arrayContaining(["164.312(a)(2)(iv)", "164.312(e)(2)(ii)", "164.312(b)"]));
  });

  it("SOX keeps audit evidence 7 years = the longest 7 calendar years = 2,557 days (17 CFR 210.2-06)", () => {
    const [rule, ...rest] = retentionOf("sox");
    expect(rest).toEqual([]);
    expect(rule).toMatchObject({ dataClass: "audit-evidence", minimumDays: 2_557, period: "P7Y" });
    expect(longestSpanDays(84)).toBe(2_557);
    expect(rule?.citation).toContain("210.2-06");
    expect(rule?.citation).toContain("§802");
  });

  it("PCI DSS v4.0.1 10.5.1 keeps audit logs 12 months (366 days), the last 3 (92 days) immediately available", () => {
    expect(rulePack("pci-dss").version).toBe("PCI DSS v4.0.1");
    expect(retentionOf("pci-dss")).toEqual([
      {
        dataClass: "audit-logs",
        minimumDays: 366,
        immediatelyAvailableDays: 92,
        period: "P12M",
        citation: "PCI DSS v4.0.1 Req. 10.5.1",
      },
    ]);
    expect(longestSpanDays(12)).toBe(366);
    expect(longestSpanDays(3)).toBe(92);
    const ids = rulePack("pci-dss").controls.map((control) => control.id);
    expect(ids).toEqual(expect.arrayContaining(["1.3.1", "3.5.1", "8.4.2", "10.5.1"]));
  });

  it("FedRAMP AU-11 follows M-21-31: 30 months (the longest: 915 days), the last 12 (366 days) active", () => {
    expect(retentionOf("fedramp")).toEqual([
      expect.objectContaining({
        dataClass: "audit-logs",
        minimumDays: 915,
        immediatelyAvailableDays: 366,
        period: "P30M",
      }),
    ]);
    // 2 years with a leap day (731) and the longest 6 months (July to December: 184).
    expect(longestSpanDays(30)).toBe(915);
    // At least the 90 days online of FedRAMP's own AU-11 requirement.
    expect(retentionOf("fedramp")[0]?.immediatelyAvailableDays).toBeGreaterThanOrEqual(90);
    expect(rulePack("fedramp").requirements.govCloud).toBe(true);
    const ids = rulePack("fedramp").controls.map((control) => control.id);
    expect(ids).toEqual(expect.arrayContaining(["IA-2(1)", "IA-2(2)", "AU-11", "authorized-region"]));
  });

  it("GDPR sets no minimum retention: storage limitation is a maximum, said in a note", () => {
    expect(retentionOf("gdpr")).toEqual([]);
    expect(rulePack("gdpr").notes?.join(" ")).toMatch(/5\(1\)\(e\)/);
    const control = rulePack("gdpr").controls.find((item) => item.id === "art-5-1-e");
    expect(control?.condition).toBeUndefined();
  });

  it("ISO 27001:2022 cites Annex A controls and sets no retention period", () => {
    expect(retentionOf("iso-27001")).toEqual([]);
    const ids = rulePack("iso-27001").controls.map((control) => control.id);
    expect(ids).toEqual(["A.8.24", "A.8.15", "A.8.13", "A.8.22", "A.8.5", "A.5.23"]);
  });

  it("each pack's requirements carry a citation for every demand they make", () => {
    for (const pack of Object.values(builtInRulePacks)) {
      const { requirements } = pack;
      if (requirements.encryptionAtRest) expect(requirements.citations.encryptionAtRest).toBeTruthy();
      if (requirements.encryptionInTransit) expect(requirements.citations.encryptionInTransit).toBeTruthy();
      if (requirements.keyManagement !== "none") expect(requirements.citations.keyManagement).toBeTruthy();
      if (requirements.minReplicas > 1) expect(requirements.citations.minReplicas).toBeTruthy();
      if (requirements.govCloud) expect(requirements.citations.govCloud).toBeTruthy();
      if (requirements.auditLogging) expect(requirements.citations.auditLogging).toBeTruthy();
    }
  });

  it("round-trip through JSON unchanged", () => {
    for (const pack of Object.values(builtInRulePacks)) {
      expect(parseRulePack(JSON.parse(JSON.stringify(pack)))).toEqual(pack);
    }
  });

  it("are frozen", () => {
    expect(Object.isFrozen(builtInRulePacks.hipaa.controls[0])).toBe(true);
  });
});

describe("rulePack", () => {
  const custom: RulePack = {
    framework: "acme-policy",
    name: "ACME internal policy",
    version: "2026.1",
    controls: [
      {
        id: "ACME-1",
        title: "Owner tag",
        citation: "ACME policy §1",
        fields: ["attributes.owner"],
        condition: { field: "attributes.owner", oneOf: ["platform", "data"] },
      },
    ],
    requirements: {
      encryptionAtRest: false,
      encryptionInTransit: false,
      keyManagement: "none",
      minReplicas: 1,
      govCloud: false,
      auditLogging: false,
      citations: {},
    },
  };

  it("finds an extra pack, and an extra pack overrides a built-in of the same id", () => {
    expect(rulePack("acme-policy", [custom]).version).toBe("2026.1");
    expect(rulePack("hipaa", [{ ...custom, framework: "hipaa" }]).name).toBe("ACME internal policy");
  });

  it("refuses an unknown framework with a did-you-mean", () => {
    const error = codeOf(() => rulePack("hippa"));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe("framework");
    expect(error.message).toContain('did you mean "hipaa"');
    expect(codeOf(() => rulePack("iso27001")).message).toContain('did you mean "iso-27001"');
  });

  it("refuses packs that break the contract, naming the field", () => {
    const withControl = (control: object) => ({
      ...custom,
      controls: [{ ...custom.controls[0], ...control }],
    });
    expect(
      codeOf(() => parseRulePack(withControl({ condition: { field: "encrypton.atRest", equals: true } }))),
    ).toMatchObject({
      code: "INVALID_OPTIONS",
      field: "pack.controls[0].condition",
    });
    expect(codeOf(() => parseRulePack(withControl({ fields: [] })))).toMatchObject({
      code: "INVALID_OPTIONS",
      field: "pack.controls[0].fields",
    });
    expect(
      codeOf(() =>
        parseRulePack(
          withControl({ fields: ["region"], condition: { field: "region", inRegionSet: "mars" } }),
        ),
      ),
    ).toMatchObject({ code: "INVALID_OPTIONS" });
    expect(
      codeOf(() =>
        parseRulePack(
          withControl({
            retention: {
              dataClass: "audit-logs",
              minimumDays: 30,
              immediatelyAvailableDays: 60,
              citation: "x",
            },
          }),
        ),
      ),
    ).toMatchObject({
      code: "INVALID_OPTIONS",
      field: "pack.controls[0].retention.immediatelyAvailableDays",
    });
    expect(
      codeOf(() => parseRulePack({ ...custom, controls: [custom.controls[0], custom.controls[0]] })),
    ).toMatchObject({ code: "DUPLICATE_ID", field: "pack.controls[1].id" });
    expect(codeOf(() => parseRulePack({ ...custom, version: "" }))).toMatchObject({
      code: "INVALID_OPTIONS",
      field: "pack.version",
    });
    expect(codeOf(() => rulePack("acme-policy", [custom, custom]))).toMatchObject({
      code: "DUPLICATE_ID",
      field: "rulePacks[1].framework",
    });
  });
});

describe("the AWS region catalogue", () => {
  it("is dated, well formed and holds each region once", () => {
    expect(awsRegionCatalogue.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(parseRegionCatalogue(JSON.parse(JSON.stringify(awsRegionCatalogue)))).toEqual(awsRegionCatalogue);
  });

  it("maps the EU/EEA, adequacy and DPF regions as the Commission's list says", () => {
    const byId = new Map(awsRegionCatalogue.regions.map((region) => [region.id, region]));
    expect(regionsInSet(awsRegionCatalogue, "eu-eea")).toEqual([
      "eu-west-1",
      "eu-west-3",
      "eu-central-1",
      "eu-north-1",
      "eu-south-1",
      "eu-south-2",
    ]);
    for (const [id, country] of [
      ["eu-central-2", "CH"],
      ["eu-west-2", "GB"],
      ["il-central-1", "IL"],
      ["ap-northeast-1", "JP"],
      ["ap-northeast-3", "JP"],
      ["ap-northeast-2", "KR"],
      ["ca-central-1", "CA"],
      ["ca-west-1", "CA"],
    ] as const) {
      expect(byId.get(id)).toMatchObject({ country, gdpr: "adequate" });
    }
    expect(byId.get("sa-east-1")).toMatchObject({ country: "BR", gdpr: "none" });
    for (const region of awsRegionCatalogue.regions) {
      if (region.id.startsWith("us-")) expect(region).toMatchObject({ country: "US", gdpr: "conditional" });
      if (region.id.startsWith("me-")) expect(region.gdpr).toBe("none");
    }
    expect(regionsInSet(awsRegionCatalogue, "fedramp-high")).toEqual(["us-gov-west-1", "us-gov-east-1"]);
  });
});
