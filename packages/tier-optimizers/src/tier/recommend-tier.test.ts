import { createTierCatalogue, EnisError, type TierId } from "@enis/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { planCompliantDeployment } from "../compliant/plan-compliant-deployment.js";
import {
  type RecommendTierOptions,
  recommendTier,
  type TierConstraints,
  type TierRecommendation,
  type TierWorkload,
} from "./recommend-tier.js";
import { defaultTierProfiles } from "./tier-profiles.js";

// Prices of the default catalogue (AWS us-east-1) used by the hand computations below.
const gbSecondUsd = 0.0000166667; // Lambda x86_64
const requestUsd = 0.0000002;
const m5xlargeHourlyUsd = 0.192; // 4 vCPU, 16 GiB
const hotGbMonthUsd = 0.023;
// OpenCost's default CPU and memory prices, the ratio that splits a node's price.
const openCostCore = 0.031611;
const openCostGib = 0.004237;
const nodeWeight = 4 * openCostCore + 16 * openCostGib;
const coreHourUsd = (m5xlargeHourlyUsd * openCostCore) / nodeWeight;
const gibHourUsd = (m5xlargeHourlyUsd * openCostGib) / nodeWeight;

function tier(answer: TierRecommendation, id: TierId) {
  const found = answer.tiers.find((assessment) => assessment.tier === id);
  if (found === undefined) throw new Error(`no ${id}`);
  return found;
}

function reasonsOf(answer: TierRecommendation, id: TierId): string[] {
  return tier(answer, id).reasons.map((ruling) => ruling.reason);
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

describe("recommendTier: hand-computed cases", () => {
  test("a small API is cheapest on Lambda: 🟤 zero", () => {
    const answer = recommendTier({ requestsPerMonth: 2_000_000, durationMs: 120, memoryMb: 512 });
    expect(answer.outcome).toBe("recommended");
    expect(answer.recommended).toBe("zero");
    // 2M × 0.12 s × 0.5 GB = 120,000 GB-s × $0.0000166667 + 2M × $0.0000002
    expect(tier(answer, "zero").monthlyCostUsd).toBeCloseTo(
      120_000 * gbSecondUsd + 2_000_000 * requestUsd,
      9,
    );
    expect(tier(answer, "zero").monthlyCostUsd).toBeCloseTo(2.400004, 9);
    // One request slot at least (HPA min_replicas 1): 512/1769 cores and 0.5 GiB, / 0.8 utilisation.
    const shared = ((512 / 1769 / 0.8) * coreHourUsd + (0.5 / 0.8) * gibHourUsd) * 730;
    expect(tier(answer, "shared").monthlyCostUsd).toBeCloseTo(shared, 9);
    expect(tier(answer, "shared").monthlyCostUsd).toBeCloseTo(10.163, 3);
    expect(tier(answer, "lite").monthlyCostUsd).toBe(280.32); // 2 nodes × 730 h × $0.192
    expect(tier(answer, "lite").nodes).toBe(2);
    expect(tier(answer, "enterprise").monthlyCostUsd).toBe(560.64); // the same in 2 regions
    for (const id of ["shared", "lite", "enterprise", "compliance"] as const) {
      expect(reasonsOf(answer, id)).toEqual(["not-cheapest"]);
    }
    expect(tier(answer, "zero").reasons).toEqual([]);
  });

  test("past 🟤's $50 ceiling the shared cluster wins", () => {
    const workload: TierWorkload = {
      requestsPerMonth: 50_000_000,
      durationMs: 200,
      memoryMb: 1024,
      peakToMeanRatio: 3,
      storageGb: 100,
    };
    const answer = recommendTier(workload);
    // 50M × 0.2 s × 1 GB = 10M GB-s; + 50M requests; + 100 GB hot
    const zero = 10_000_000 * gbSecondUsd + 50_000_000 * requestUsd + 100 * hotGbMonthUsd;
    expect(tier(answer, "zero").monthlyCostUsd).toBeCloseTo(zero, 9);
    expect(reasonsOf(answer, "zero")).toEqual(["over-tier-monthly-ceiling"]);
    // mean concurrency 50M × 200 ms / 2,628,000,000 ms = 3.805; peak × 3 = 11.416 requests of 1 GiB
    const peak = ((50_000_000 * 200) / (730 * 3_600_000)) * 3;
    expect(answer.sizing.peakConcurrency).toBeCloseTo(peak, 9);
    const shared =
      ((peak * 1024) / 1769 / 0.8) * coreHourUsd * 730 +
      (peak / 0.8) * gibHourUsd * 730 +
      100 * hotGbMonthUsd;
    expect(tier(answer, "shared").monthlyCostUsd).toBeCloseTo(shared, 6);
    expect(answer.recommended).toBe("shared");
    // 🟢: peak 6.608 cores / 0.8 = 8.26 → 3 nodes of 4 vCPU; 11.42 GiB / 0.8 = 14.27 → 1 node of 16 GiB
    expect(tier(answer, "lite").nodes).toBe(3);
    expect(tier(answer, "lite").monthlyCostUsd).toBeCloseTo(3 * 730 * m5xlargeHourlyUsd + 2.3, 9);
  });

  test("HIPAA at 99.9%: 🔵 enterprise, each cheaper tier ruled out by name", () => {
    const answer = recommendTier(
      { requestsPerMonth: 50_000_000, durationMs: 200, memoryMb: 1024, peakToMeanRatio: 3, storageGb: 100 },
      { frameworks: ["hipaa"], availabilityPercent: 99.9 },
    );
    expect(answer.recommended).toBe("enterprise");
    expect(reasonsOf(answer, "zero")).toEqual([
      "availability-below-required",
      "framework-not-supported",
      "over-tier-monthly-ceiling",
    ]);
    expect(reasonsOf(answer, "shared")).toEqual(["availability-below-required", "framework-not-supported"]);
    expect(reasonsOf(answer, "lite")).toEqual(["framework-not-supported"]);
    expect(reasonsOf(answer, "compliance")).toEqual(["not-cheapest"]);
    expect(tier(answer, "enterprise").monthlyCostUsd).toBeCloseTo(2 * (3 * 730 * m5xlargeHourlyUsd + 2.3), 9);
  });

  test("FedRAMP needs 🔴; its price is planCompliantDeployment's at the SHIF level", () => {
    const workload: TierWorkload = {
      requestsPerMonth: 500_000_000,
      durationMs: 300,
      memoryMb: 2048,
      storageGb: 2_000,
    };
    const answer = recommendTier(workload, { frameworks: ["fedramp"] });
    expect(answer.recommended).toBe("compliance");
    for (const id of ["zero", "shared", "lite", "enterprise"] as const) {
      expect(reasonsOf(answer, id)).toContain("framework-not-supported");
    }
    const plan = planCompliantDeployment({
      request: {
        region: "us-gov-west-1",
        encryption: { atRest: true, inTransit: true, fips140Validated: true },
        keyManagement: "hsm",
        mfa: true,
        auditLogging: true,
        replicas: 3,
        logRetentionDays: 1_100,
        logImmediatelyAvailableDays: 400,
        networkSegmentation: { zones: ["management", "production", "audit", "backup"] },
      },
      frameworks: ["fedramp"],
      shifLevel: "high",
      workload: {
        cpuCores: answer.sizing.peakCpuCores,
        memoryGib: answer.sizing.peakMemoryGib,
        storedGb: 2_000,
      },
    });
    if (!plan.allowed) throw new Error(plan.explanation.join("\n"));
    expect(tier(answer, "compliance").monthlyCostUsd).toBe(plan.costAfterUsd);
    expect(tier(answer, "compliance").nodes).toBe(plan.sizing.nodes);
  });

  test("a tiny regulated workload: 🔴's fixed cost breaks its $0.50 per-request ceiling → no tier, with reasons", () => {
    const answer = recommendTier(
      { requestsPerMonth: 1_000, durationMs: 200, memoryMb: 1024 },
      { frameworks: ["fedramp"] },
    );
    expect(answer.outcome).toBe("no-eligible-tier");
    expect(answer.recommended).toBeNull();
    expect(reasonsOf(answer, "compliance")).toEqual(["over-tier-request-ceiling"]);
    for (const assessment of answer.tiers) {
      expect(assessment.reasons.length).toBeGreaterThan(0);
      expect(assessment.recommended).toBe(false);
    }
    expect(answer.explanation.at(-1)).toContain("no tier meets every constraint");
  });

  test("Lambda's platform limits: the 15-minute timeout and the concurrency quota", () => {
    const long = recommendTier({ requestsPerMonth: 10, durationMs: 1_000_000, memoryMb: 128 });
    expect(reasonsOf(long, "zero")).toContain("platform-limit");
    const busy = recommendTier(
      { requestsPerMonth: 100_000_000, durationMs: 100, memoryMb: 128, peakToMeanRatio: 1_000 },
      {},
      { lambdaConcurrencyLimit: 3_000 },
    );
    // peak = 100M × 100 / 2.628e9 × 1000 = 3,805 > 3,000
    expect(
      tier(busy, "zero").reasons.find((ruling) => ruling.reason === "platform-limit")?.message,
    ).toContain("3000");
  });

  test("latency, isolation and the customer's budget", () => {
    const workload: TierWorkload = { requestsPerMonth: 5_000_000, durationMs: 50, memoryMb: 256 };
    const fast = recommendTier(workload, { latencyP99Ms: 150 });
    expect(reasonsOf(fast, "zero")).toEqual(["latency-above-required"]);
    expect(reasonsOf(fast, "shared")).toEqual(["latency-above-required"]);
    expect(reasonsOf(fast, "compliance")).toEqual(["latency-above-required"]);
    expect(fast.recommended).toBe("lite");
    const isolated = recommendTier(workload, { isolation: "physical" });
    expect(isolated.recommended).toBe("compliance");
    const tight = recommendTier(workload, { latencyP99Ms: 150, maxMonthlyUsd: 100 });
    expect(tight.outcome).toBe("no-eligible-tier");
    expect(reasonsOf(tight, "lite")).toEqual(["over-customer-budget"]);
  });

  test("profiles and the tier catalogue are the caller's to change", () => {
    const workload: TierWorkload = {
      requestsPerMonth: 50_000_000,
      durationMs: 200,
      memoryMb: 1024,
      peakToMeanRatio: 3,
      storageGb: 100,
    };
    // 🟤 $178.97 is over its $50 ceiling; raised to $500 it beats 🟡's $234.34
    const raised = recommendTier(
      workload,
      {},
      { tierCatalogue: createTierCatalogue({ zero: { budget: { monthlyCeilingUsd: 500 } } }) },
    );
    expect(raised.recommended).toBe("zero");
    const certified = recommendTier(
      workload,
      { frameworks: ["hipaa"] },
      { profiles: { shared: { frameworks: ["hipaa"] } } },
    );
    expect(certified.recommended).toBe("shared");
  });

  test("every profile figure cites seed 000 or says it is policy", () => {
    for (const profile of defaultTierProfiles) {
      for (const source of Object.values(profile.sources)) {
        if (source.basis === "seed") expect(source.note).toMatch(/seed 000, lines? \d+/);
        else expect(source.note.length).toBeGreaterThan(20);
      }
    }
  });
});

describe("recommendTier: bad input", () => {
  const workload: TierWorkload = { requestsPerMonth: 1_000, durationMs: 100, memoryMb: 256 };
  test.each([
    ["negative requests", { ...workload, requestsPerMonth: -1 }, {}, {}, "workload.requestsPerMonth"],
    ["fractional requests", { ...workload, requestsPerMonth: 1.5 }, {}, {}, "workload.requestsPerMonth"],
    ["a NaN duration", { ...workload, durationMs: Number.NaN }, {}, {}, "workload.durationMs"],
    ["memory below Lambda's 128 MB", { ...workload, memoryMb: 64 }, {}, {}, "workload.memoryMb"],
    ["negative storage", { ...workload, storageGb: -3 }, {}, {}, "workload.storageGb"],
    ["a peak below the mean", { ...workload, peakToMeanRatio: 0.5 }, {}, {}, "workload.peakToMeanRatio"],
    ["an unknown framework", workload, { frameworks: ["hipa"] }, {}, "constraints.frameworks[0]"],
    [
      "availability above 100%",
      workload,
      { availabilityPercent: 101 },
      {},
      "constraints.availabilityPercent",
    ],
    ["an unknown isolation", workload, { isolation: "vlan" }, {}, "constraints.isolation"],
    ["a misspelt constraint", workload, { latencyMs: 100 }, {}, "constraints.latencyMs"],
    ["a zero utilisation target", workload, {}, { utilizationTarget: 0 }, "options.utilizationTarget"],
    ["a fake tier catalogue", workload, {}, { tierCatalogue: { tiers: [] } }, "options.tierCatalogue"],
    [
      "an air-gapped level with no air-gap cost",
      workload,
      {},
      { complianceShifLevel: "maximum" },
      "options.airGapMonthlyUsd",
    ],
  ])("%s → INVALID_OPTIONS naming the field", (_label, badWorkload, constraints, options, field) => {
    const error = enisError(() =>
      recommendTier(
        badWorkload as TierWorkload,
        constraints as TierConstraints,
        options as RecommendTierOptions,
      ),
    );
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe(field);
  });

  test("an unknown framework says which it resembles", () => {
    expect(enisError(() => recommendTier(workload, { frameworks: ["pci"] })).message).toContain("pci-dss");
  });
});

describe("recommendTier: properties", () => {
  const frameworks = ["gdpr", "hipaa", "iso-27001", "pci-dss", "sox", "fedramp"] as const;
  const workloads = fc.record({
    requestsPerMonth: fc.oneof(
      fc.integer({ min: 0, max: 1_000 }),
      fc.integer({ min: 0, max: 2_000_000_000 }),
    ),
    durationMs: fc.double({ min: 0.5, max: 1_200_000, noNaN: true }),
    memoryMb: fc.integer({ min: 128, max: 10_240 }),
    peakToMeanRatio: fc.double({ min: 1, max: 20, noNaN: true }),
    storageGb: fc.double({ min: 0, max: 50_000, noNaN: true }),
  });
  const constraints = fc.record(
    {
      availabilityPercent: fc.constantFrom(99, 99.5, 99.9, 99.95, 99.99),
      latencyP99Ms: fc.constantFrom(50, 100, 150, 250, 1_000, 5_000),
      frameworks: fc.subarray([...frameworks], { maxLength: 3 }),
      isolation: fc.constantFrom("shared-runtime", "namespace", "dedicated-cluster", "physical"),
      maxMonthlyUsd: fc.double({ min: 0, max: 100_000, noNaN: true }),
    },
    { requiredKeys: [] },
  );

  test("the pick is never more expensive than any eligible tier, and every other tier has a reason", () => {
    fc.assert(
      fc.property(workloads, constraints, (workload, wanted) => {
        const answer = recommendTier(workload, wanted as TierConstraints);
        const eligible = answer.tiers.filter((assessment) => assessment.eligible);
        expect(answer.tiers.map((assessment) => assessment.tier)).toEqual([
          "zero",
          "shared",
          "lite",
          "enterprise",
          "compliance",
        ]);
        if (answer.recommended === null) {
          expect(answer.outcome).toBe("no-eligible-tier");
          expect(eligible).toEqual([]);
        } else {
          const pick = tier(answer, answer.recommended);
          expect(pick.eligible).toBe(true);
          expect(pick.reasons).toEqual([]);
          for (const other of eligible) expect(pick.monthlyCostUsd).toBeLessThanOrEqual(other.monthlyCostUsd);
        }
        for (const assessment of answer.tiers) {
          expect(Number.isFinite(assessment.monthlyCostUsd)).toBe(true);
          expect(assessment.monthlyCostUsd).toBeGreaterThanOrEqual(0);
          if (assessment.tier === answer.recommended) continue;
          expect(assessment.reasons.length).toBeGreaterThan(0);
          // "not-cheapest" only for an eligible tier, and only beside no other reason
          const notCheapest = assessment.reasons.some((ruling) => ruling.reason === "not-cheapest");
          expect(notCheapest).toBe(assessment.eligible);
          if (notCheapest) expect(assessment.reasons).toHaveLength(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("relaxing a constraint never makes the recommendation more expensive", () => {
    fc.assert(
      fc.property(workloads, constraints, (workload, wanted) => {
        const strict = recommendTier(workload, wanted as TierConstraints);
        const relaxed = recommendTier(workload, {});
        if (strict.recommended === null) return;
        expect(relaxed.recommended).not.toBeNull();
        expect(tier(relaxed, relaxed.recommended!).monthlyCostUsd).toBeLessThanOrEqual(
          tier(strict, strict.recommended).monthlyCostUsd,
        );
      }),
      { numRuns: 150 },
    );
  });
});
