import type { ComplianceRequest } from "@enis/compliance-cost";
import { EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { seedAirGapMonthlyUsd } from "./hardened-sizing.js";
import {
  type ApprovedDeployment,
  type CompliantDeploymentPlan,
  type PlanCompliantDeploymentOptions,
  planCompliantDeployment,
  type RejectedDeployment,
} from "./plan-compliant-deployment.js";
import { type ShifLevel, shifLevels, shifRulePack } from "./shif-levels.js";

/** A HIPAA request that meets the "high" SHIF level. */
const hipaaHigh: ComplianceRequest = {
  region: "us-east-1",
  dataCategories: ["phi"],
  encryption: { atRest: true, inTransit: true, fips140Validated: true },
  keyManagement: "hsm",
  mfa: true,
  auditLogging: true,
  replicas: 3,
  documentationRetentionDays: 2_557, // 7 years: above HIPAA's 6 however leap days are counted
  networkSegmentation: { zones: ["management", "production", "audit", "backup"] },
};

/** A FedRAMP request in GovCloud that meets the "high" SHIF level. */
const fedrampHigh: ComplianceRequest = {
  region: "us-gov-west-1",
  dataCategories: ["federal"],
  encryption: { atRest: true, inTransit: true, fips140Validated: true },
  keyManagement: "hsm",
  mfa: true,
  auditLogging: true,
  replicas: 3,
  logRetentionDays: 1_100,
  logImmediatelyAvailableDays: 400,
  networkSegmentation: { zones: ["management", "production", "audit", "backup"] },
};

const workload = { cpuCores: 8, memoryGib: 32, storedGb: 500 };

function approved(plan: CompliantDeploymentPlan): ApprovedDeployment {
  if (!plan.allowed) throw new Error(`expected an approved plan, got: ${plan.explanation.join("\n")}`);
  return plan;
}

function rejected(plan: CompliantDeploymentPlan): RejectedDeployment {
  if (plan.allowed) throw new Error("expected a rejected plan");
  return plan;
}

function enisError(run: () => unknown): EnisError {
  try {
    run();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError");
}

describe("planCompliantDeployment: approved plans, hand-computed", () => {
  test("HIPAA at SHIF high: nodes, dedicated tenancy, HSM and copies on m5.xlarge ($0.192/h)", () => {
    const plan = approved(
      planCompliantDeployment({ request: hipaaHigh, frameworks: ["hipaa"], shifLevel: "high", workload }),
    );
    expect(plan.frameworks).toEqual(["hipaa", "shif-high"]);
    // 8 cores / 4 vCPU = 2 nodes, 32 GiB / 16 = 2: base 2 nodes. × 1.3: 10.4 cores, 41.6 GiB → 3 nodes;
    // × 1.3 redundancy = 3.9 → 4 nodes (at least 3).
    expect(plan.sizing).toMatchObject({
      baseNodes: 2,
      hardenedCpuCores: 10.4,
      hardenedMemoryGib: 41.6,
      loadNodes: 3,
      nodeRedundancyFactor: 1.3,
      nodes: 4,
      replicas: 3,
    });
    const byItem = Object.fromEntries(plan.cost.lines.map((line) => [line.item, line.costUsd]));
    expect(byItem).toEqual({
      "base-compute": 280.32, // 2 × 730 × 0.192
      "shif-compute": 280.32, // 2 more nodes
      "dedicated-tenancy": 1516.064, // 4 × 730 × 0.192 × 0.1 = 56.064, + 730 × $2
      "primary-storage": 11.5, // 500 GB × $0.023
      compliance: 2141, // 1 KMS key-month $1 + 2 extra copies × 500 GB × $0.023 = $23 + 2 HSMs × 730 h × $1.45 = $2,117
    });
    expect(plan.costAfterUsd).toBe(4229.204);
    expect(plan.costBeforeUsd).toBe(291.82);
    expect(plan.period).toBe("month");
    // Compliance costs: the "savings" are negative, 3,937.384 more than the unhardened load.
    expect(plan.savings).toEqual({ usd: -3937.384, percent: -1349.25090809 });
    const hsm = plan.cost.compliance.lines.find((line) => line.kind === "hsm");
    expect(hsm?.frameworks).toEqual(["shif-high"]); // HIPAA asks for a KMS; the HSM is the level's
    expect(hsm?.costUsd).toBe(2117);
  });

  test("FedRAMP: redundancy 1.5 (seed line 2201) and the GovCloud premium on every node", () => {
    const plan = approved(
      planCompliantDeployment({ request: fedrampHigh, frameworks: ["fedramp"], shifLevel: "high", workload }),
    );
    // 3 load nodes × 1.5 = 4.5 → 5 nodes
    expect(plan.sizing.nodeRedundancyFactor).toBe(1.5);
    expect(plan.sizing.nodes).toBe(5);
    const premium = plan.cost.compliance.lines.find((line) => line.kind === "govcloud-premium");
    // 5 × 730 h × $0.192 × (1.2 − 1)
    expect(premium?.costUsd).toBeCloseTo(140.16, 9);
    expect(plan.costAfterUsd).toBeCloseTo(
      // Under FedRAMP every compliance line is priced in GovCloud (× 1.2): the KMS key $1.2, the
      // replica storage $27.6 (they were $1 and $23 at commercial prices).
      280.32 + 420.48 + (700.8 * 0.1 + 1460) + 11.5 + (1.2 + 27.6 + 140.16 + 2117),
      9,
    );
    const line = (kind: string) =>
      plan.cost.compliance.lines
        .filter((entry) => entry.kind.startsWith(kind))
        .reduce((sum, entry) => sum + entry.costUsd, 0);
    expect(line("kms-keys")).toBeCloseTo(1.2, 9);
    expect(line("replica-storage")).toBeCloseTo(27.6, 9);
    expect(plan.risks.map((risk) => risk.kind)).toContain("approximate-prices");
  });

  test("SHIF baseline on shared hardware: no HSM, no dedicated line, two nodes", () => {
    const request: ComplianceRequest = {
      ...hipaaHigh,
      keyManagement: "kms",
      encryption: { atRest: true, inTransit: true },
      replicas: 2,
      networkSegmentation: { zones: ["management", "production"] },
    };
    const plan = approved(
      planCompliantDeployment({
        request,
        frameworks: ["hipaa"],
        shifLevel: "baseline",
        workload: { cpuCores: 1, memoryGib: 2 },
        segmentation: {
          baseCidr: "10.1.0.0/24",
          zones: [
            { name: "management", hosts: 10 },
            { name: "production", hosts: 50 },
          ],
        },
      }),
    );
    expect(plan.sizing.nodes).toBe(2); // 1.1 cores on 1 node, at least 2
    expect(plan.cost.lines.map((line) => line.item)).toEqual([
      "base-compute",
      "shif-compute",
      "primary-storage",
      "compliance",
    ]);
    expect(plan.cost.compliance.lines.some((line) => line.kind === "hsm")).toBe(false);
    expect(plan.costAfterUsd).toBe(281.32); // 2 nodes × 730 h × $0.192 = $280.32, one KMS key-month $1
    expect(plan.segmentation.subnets.map((subnet) => subnet.cidr)).toEqual(["10.1.0.64/28", "10.1.0.0/26"]); // 10 + 5 reserved → /28, 50 + 5 → /26, largest first
  });

  test("maximum is air-gapped: its cost must be given, and is a line of its own", () => {
    const options: PlanCompliantDeploymentOptions = {
      request: hipaaHigh,
      frameworks: ["hipaa"],
      shifLevel: "maximum",
      workload,
    };
    const error = enisError(() => planCompliantDeployment(options));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe("options.airGapMonthlyUsd");
    const plan = approved(planCompliantDeployment({ ...options, airGapMonthlyUsd: seedAirGapMonthlyUsd }));
    expect(plan.cost.lines.find((line) => line.item === "air-gap")?.costUsd).toBe(40_000);
    // × 1.5: 12 cores, 48 GiB → 3 nodes; × 1.3 → 4 nodes
    expect(plan.sizing.nodes).toBe(4);
  });

  test("the default network plan is the seed's four segments on valid subnets, default deny", () => {
    const plan = approved(
      planCompliantDeployment({ request: hipaaHigh, frameworks: ["hipaa"], shifLevel: "high", workload }),
    );
    expect(plan.segmentation.subnets.map((subnet) => `${subnet.zone} ${subnet.cidr}`)).toEqual([
      "management 10.0.0.0/24",
      "production 10.0.1.0/24",
      "audit 10.0.2.0/24",
      "backup 10.0.3.0/24",
    ]);
    expect(plan.segmentation.defaultAction).toBe("deny");
    expect(
      plan.segmentation.rules.map(
        (rule) => `${rule.fromZone}>${rule.toZone} ${rule.protocol}/${rule.fromPort}`,
      ),
    ).toEqual([
      "management>production tcp/22",
      "management>production tcp/443",
      "production>audit udp/514",
      "production>backup tcp/873",
    ]);
  });

  test("zones the request names but the plan does not lay out are a risk", () => {
    const plan = approved(
      planCompliantDeployment({
        request: { ...hipaaHigh, networkSegmentation: { zones: ["dmz", "app", "db", "management"] } },
        frameworks: ["hipaa"],
        shifLevel: "high",
        workload,
      }),
    );
    const risk = plan.risks.find((candidate) => candidate.kind === "segmentation-mismatch");
    expect(risk?.message).toContain("dmz, app, db");
  });

  test("controls that need evidence are listed as a risk", () => {
    const plan = approved(
      planCompliantDeployment({ request: hipaaHigh, frameworks: ["hipaa"], shifLevel: "high", workload }),
    );
    const risk = plan.risks.find((candidate) => candidate.kind === "evidence-required");
    expect(risk?.message).toContain("164.308(a)(1)(ii)(A)");
  });
});

describe("planCompliantDeployment: rejected requests", () => {
  test("a request breaking HIPAA and the SHIF level is rejected with cited violations and the changes", () => {
    const plan = rejected(
      planCompliantDeployment({
        request: { ...hipaaHigh, keyManagement: "kms", mfa: false, replicas: 1 },
        frameworks: ["hipaa"],
        shifLevel: "high",
        workload,
      }),
    );
    expect(plan.reason).toBe("non-compliant");
    const cited = plan.violations.map(
      (violation) => `${violation.framework} ${violation.control} ${violation.field}`,
    );
    expect(cited).toEqual([
      "hipaa 164.308(a)(7)(ii)(A) replicas",
      "shif-high SHIF-KEY-1 keyManagement",
      "shif-high SHIF-IAM-1 mfa",
      "shif-high SHIF-REP-1 replicas",
    ]);
    const hipaa = plan.violations[0]!;
    expect(hipaa.citation).toBe("45 CFR 164.308(a)(7)(ii)(A)");
    expect(plan.violations[1]!.citation).toContain("seed 000, line 1486");
    expect(plan.changes.map((change) => change.message)).toEqual(
      expect.arrayContaining(['set keyManagement to "hsm"', "set mfa to true", "set replicas to at least 3"]),
    );
    expect("sizing" in plan).toBe(false);
  });

  test("applying the changes makes the request compliant", () => {
    const plan = approved(
      planCompliantDeployment({
        request: { ...hipaaHigh, keyManagement: "hsm", mfa: true, replicas: 3 },
        frameworks: ["hipaa"],
        shifLevel: "high",
        workload,
      }),
    );
    expect(plan.validation.violations).toEqual([]);
  });

  test("GDPR outside the EU without safeguards is rejected with the region change", () => {
    const plan = rejected(
      planCompliantDeployment({
        request: { ...hipaaHigh, dataCategories: ["personal-data"] },
        frameworks: ["gdpr"],
        shifLevel: "high",
        workload,
      }),
    );
    expect(
      plan.violations.some((violation) => violation.framework === "gdpr" && violation.field === "region"),
    ).toBe(true);
  });
});

describe("planCompliantDeployment: bad input", () => {
  const base: PlanCompliantDeploymentOptions = {
    request: hipaaHigh,
    frameworks: ["hipaa"],
    shifLevel: "high",
    workload,
  };

  test.each([
    ["a negative volume", { ...base, workload: { ...workload, storedGb: -1 } }, "options.workload.storedGb"],
    ["no CPU", { ...base, workload: { ...workload, cpuCores: 0 } }, "options.workload.cpuCores"],
    [
      "NaN memory",
      { ...base, workload: { ...workload, memoryGib: Number.NaN } },
      "options.workload.memoryGib",
    ],
    ["an unknown framework", { ...base, frameworks: ["hipaa", "hipa"] }, "options.frameworks[1]"],
    ["an unknown SHIF level", { ...base, shifLevel: "hihg" }, "options.shifLevel"],
    [
      "a misspelt request field",
      { ...base, request: { ...hipaaHigh, replica: 3 } },
      "options.request.replica",
    ],
    ["an unknown option", { ...base, instanceTyp: "m5.large" }, "options.instanceTyp"],
    ["a negative air-gap cost", { ...base, airGapMonthlyUsd: -5 }, "options.airGapMonthlyUsd"],
    ["a misspelt costing option", { ...base, costing: { hsmCnt: 3 } }, "options.costing.hsmCnt"],
  ])("%s → INVALID_OPTIONS naming the field", (_label, options, field) => {
    const error = enisError(() => planCompliantDeployment(options as PlanCompliantDeploymentOptions));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe(field);
  });

  test("an unknown framework or level says what it resembles", () => {
    expect(enisError(() => planCompliantDeployment({ ...base, frameworks: ["hipa"] })).message).toContain(
      'did you mean "hipaa"',
    );
    expect(
      enisError(() => planCompliantDeployment({ ...base, shifLevel: "hihg" as "high" })).message,
    ).toContain('did you mean "high"');
  });

  test("costing options reach costCompliance: three HSMs", () => {
    const plan = approved(planCompliantDeployment({ ...base, costing: { hsmCount: 3 } }));
    expect(plan.cost.compliance.lines.find((line) => line.kind === "hsm")?.costUsd).toBeCloseTo(
      3 * 730 * 1.45,
      9,
    );
  });

  test("an unknown instance type", () => {
    expect(enisError(() => planCompliantDeployment({ ...base, instanceType: "m9.huge" })).code).toBe(
      "UNKNOWN_INSTANCE_TYPE",
    );
  });

  test("a bad segmentation plan is refused by planSegmentation", () => {
    const error = enisError(() =>
      planCompliantDeployment({
        ...base,
        segmentation: { baseCidr: "10.0.300.0/24", zones: [{ name: "audit", prefixLength: 26 }] },
      }),
    );
    expect(error.code).toBe("INVALID_OPTIONS");
  });
});

describe("SHIF levels", () => {
  test("every built-in requirement cites the seed or says it is policy", () => {
    for (const level of Object.values(shifLevels)) {
      for (const source of Object.values(level.sources)) {
        expect(source?.note.length).toBeGreaterThan(10);
        if (source?.basis === "seed") expect(source.note).toMatch(/seed 000, lines? \d+/);
      }
    }
  });

  test("a caller's own level is checked and used", () => {
    const custom: ShifLevel = {
      ...shifLevels.high,
      id: "bank",
      description: "high without dedicated hardware",
      dedicatedTenancy: false,
      sources: {},
    };
    const plan = approved(
      planCompliantDeployment({ request: hipaaHigh, frameworks: ["hipaa"], shifLevel: custom, workload }),
    );
    expect(plan.frameworks).toEqual(["hipaa", "shif-bank"]);
    expect(plan.cost.lines.some((line) => line.item === "dedicated-tenancy")).toBe(false);
    const error = enisError(() =>
      planCompliantDeployment({
        request: hipaaHigh,
        frameworks: ["hipaa"],
        shifLevel: { ...custom, computeOverheadFactor: 0.5 },
        workload,
      }),
    );
    expect(error.field).toBe("options.shifLevel.computeOverheadFactor");
  });

  test("the level's rule pack is a valid pack of @enis/compliance-cost", async () => {
    const { parseRulePack } = await import("@enis/compliance-cost");
    for (const level of Object.values(shifLevels))
      expect(() => parseRulePack(shifRulePack(level))).not.toThrow();
  });
});

describe("planCompliantDeployment: properties", () => {
  const levels = ["baseline", "high"] as const;
  const requestFor = (level: "baseline" | "high"): ComplianceRequest =>
    level === "high"
      ? hipaaHigh
      : { ...hipaaHigh, replicas: 2, keyManagement: "kms", encryption: { atRest: true, inTransit: true } };

  test("the lines sum to the total; nodes cover the load, the minimum and the redundancy; more load never costs less", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...levels),
        fc.double({ min: 0.01, max: 500, noNaN: true }),
        fc.double({ min: 0.01, max: 2_000, noNaN: true }),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        (levelId, cpuCores, memoryGib, storedGb, growth) => {
          const options = { request: requestFor(levelId), frameworks: ["hipaa"], shifLevel: levelId };
          const plan = approved(
            planCompliantDeployment({ ...options, workload: { cpuCores, memoryGib, storedGb } }),
          );
          const level = shifLevels[levelId];
          const sum = plan.cost.lines.reduce((total, line) => total + line.costUsd, 0);
          expect(plan.costAfterUsd).toBeCloseTo(sum, 6);
          expect(plan.savings.usd).toBeLessThanOrEqual(0);
          expect(plan.savings.usd).toBeCloseTo(plan.costBeforeUsd - plan.costAfterUsd, 6);
          const { sizing } = plan;
          expect(sizing.nodes).toBeGreaterThanOrEqual(level.minNodes);
          expect(sizing.nodes).toBeGreaterThanOrEqual(
            Math.ceil(sizing.loadNodes * level.nodeRedundancyFactor - 1e-9),
          );
          expect(sizing.nodes * sizing.vcpusPerNode).toBeGreaterThanOrEqual(
            cpuCores * level.computeOverheadFactor - 1e-9,
          );
          expect(sizing.nodes * sizing.memoryGibPerNode).toBeGreaterThanOrEqual(
            memoryGib * level.computeOverheadFactor - 1e-9,
          );
          const bigger = approved(
            planCompliantDeployment({
              ...options,
              workload: {
                cpuCores: cpuCores * growth,
                memoryGib: memoryGib * growth,
                storedGb: storedGb * growth,
              },
            }),
          );
          expect(bigger.costAfterUsd).toBeGreaterThanOrEqual(plan.costAfterUsd - 1e-9);
        },
      ),
      { numRuns: 150 },
    );
  });
});
