import { EnisError } from "@enis/core";
import { paybackPeriod, returnOnInvestment } from "@enis/cost-model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { costCompliance } from "../costing/index.js";
import { globalAverageBreachCostUsd, healthcareBreachCostUsd, riskReduction } from "./index.js";

function thrown(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError");
}

describe("riskReduction", () => {
  it("is probability × impact × effectiveness, once for the set of frameworks", () => {
    const result = riskReduction(["pci-dss", "iso-27001"], {
      annualBreachProbability: 0.1,
      impactUsd: 2_000_000,
      controlEffectiveness: 0.4,
    });
    expect(result.expectedAnnualLossUsd).toBe(200_000);
    expect(result.annualLossAvoidedUsd).toBe(80_000);
    expect(result.monthlyLossAvoidedUsd).toBeCloseTo(80_000 / 12, 6);
    expect(result.residualAnnualLossUsd).toBe(120_000);
    expect(result.assumptions.every((entry) => entry.source === "caller" && !entry.assumption)).toBe(true);
    expect(result.explanation).toContain("$80000");
  });

  it("defaults: IBM 2024 healthcare impact with HIPAA, global otherwise; Ponemon 2018 probability; all marked assumptions", () => {
    const health = riskReduction(["hipaa", "sox"]);
    expect(health.impactUsd).toBe(healthcareBreachCostUsd);
    expect(health.impactUsd).toBe(9_770_000);
    // 27.9% over 24 months → 1 − sqrt(0.721) a year.
    expect(health.annualBreachProbability).toBeCloseTo(1 - Math.sqrt(1 - 0.279), 10);
    expect(health.controlEffectiveness).toBe(0.5);
    expect(health.annualLossAvoidedUsd).toBeCloseTo(health.annualBreachProbability * 9_770_000 * 0.5, 2);
    expect(health.assumptions.map((entry) => [entry.name, entry.assumption])).toEqual([
      ["annualBreachProbability", true],
      ["impactUsd", true],
      ["controlEffectiveness", true],
    ]);
    expect(health.assumptions[1]!.source).toContain("Cost of a Data Breach Report 2024");
    expect(riskReduction(["pci-dss"]).impactUsd).toBe(globalAverageBreachCostUsd);
  });

  it("quotes the seed's figure, which sums frameworks and ignores the probability of a breach", () => {
    const result = riskReduction(["hipaa", "sox"]);
    expect(result.seed.annualUsd).toBe(10_000_000 * 0.8 + 5_000_000 * 0.9);
    expect(result.seed.annualUsd / result.annualLossAvoidedUsd).toBeGreaterThan(10);
  });

  it("is monotone in each input (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (probability, impactUsd, effectiveness, more) => {
          const base = riskReduction(["gdpr"], {
            annualBreachProbability: probability,
            impactUsd,
            controlEffectiveness: effectiveness,
          });
          const higher = riskReduction(["gdpr"], {
            annualBreachProbability: probability,
            impactUsd,
            controlEffectiveness: Math.min(1, effectiveness + more),
          });
          expect(higher.annualLossAvoidedUsd).toBeGreaterThanOrEqual(base.annualLossAvoidedUsd);
          expect(base.annualLossAvoidedUsd).toBeLessThanOrEqual(base.expectedAnnualLossUsd);
          expect(base.residualAnnualLossUsd).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it("validates every input, naming the field", () => {
    const cases: [() => unknown, string][] = [
      [() => riskReduction(["hipaa"], { annualBreachProbability: 1.5 }), "options.annualBreachProbability"],
      [
        () => riskReduction(["hipaa"], { annualBreachProbability: Number.NaN }),
        "options.annualBreachProbability",
      ],
      [() => riskReduction(["hipaa"], { impactUsd: -1 }), "options.impactUsd"],
      [() => riskReduction(["hipaa"], { impactUsd: Number.POSITIVE_INFINITY }), "options.impactUsd"],
      [() => riskReduction(["hipaa"], { controlEffectiveness: -0.1 }), "options.controlEffectiveness"],
      [() => riskReduction(["hipaa"], { effectiveness: 0.5 } as never), "options.effectiveness"],
      [() => riskReduction([]), "frameworks"],
      [() => riskReduction(["hipaa", "hipaa"]), "frameworks[1]"],
      [() => riskReduction([""]), "frameworks[0]"],
      [() => riskReduction(["hippa"]), "frameworks[0]"],
      [() => riskReduction(["hipaa", "acme-policy"]), "frameworks[1]"],
    ];
    for (const [action, field] of cases) {
      const error = thrown(action);
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(field);
    }
  });

  it("refuses an unknown framework (a typo would silently drop the healthcare impact) and knows the caller's packs", () => {
    const typo = thrown(() => riskReduction(["hippa"]));
    expect(typo.message).toContain('did you mean "hipaa"');
    const acme = {
      framework: "acme-policy",
      name: "Acme policy",
      version: "1",
      controls: [],
      requirements: {
        encryptionAtRest: false,
        encryptionInTransit: false,
        keyManagement: "none" as const,
        minReplicas: 1,
        govCloud: false,
        auditLogging: false,
        citations: {},
      },
    };
    expect(riskReduction(["acme-policy"], { rulePacks: [acme] }).impactUsd).toBe(globalAverageBreachCostUsd);
    expect(thrown(() => riskReduction(["acme-policy"], { rulePacks: "x" as never })).field).toBe(
      "options.rulePacks",
    );
    // A pack that breaks the contract is named under the option it came in.
    const broken = thrown(() => riskReduction(["acme-policy"], { rulePacks: [{ ...acme, name: "" }] }));
    expect(broken.field).toBe("options.rulePacks[0].name");
    // Two packs of one id: the same DUPLICATE_ID as the other three functions.
    expect(thrown(() => riskReduction(["acme-policy"], { rulePacks: [acme, acme] }))).toMatchObject({
      code: "DUPLICATE_ID",
      field: "options.rulePacks[1].framework",
    });
    // A misspelt option gets a "did you mean", the old name of the packs option included.
    expect(thrown(() => riskReduction(["hipaa"], { rulePack: [] } as never)).message).toContain(
      'did you mean "rulePacks"',
    );
  });

  it("feeds @enis/cost-model's ROI and payback KPIs, with the compliance cost as the investment", () => {
    const cost = costCompliance(
      [
        {
          id: "ehr",
          instanceType: "m5.large",
          storedGb: 100,
          replicaScope: "storage-and-compute",
          recordsGbPerMonth: { documentation: 10 },
        },
      ],
      ["hipaa"],
    );
    // 10 × 2,192 × 24/730 GB-months × $0.00099 + 2.3 + 70.08 + 1 = $74.093451 a month.
    const monthly = ((10 * 2_192 * 24) / 730) * 0.00099 + 2.3 + 70.08 + 1;
    expect(cost.costUsd).toBeCloseTo(monthly, 9);
    const risk = riskReduction(["hipaa"], {
      annualBreachProbability: 0.01,
      impactUsd: 100_000,
      controlEffectiveness: 0.5,
    });
    // $500 avoided a year against 12 × $74.093451 = $889.12 a year of compliance.
    const roi = returnOnInvestment({
      savingsUsd: risk.annualLossAvoidedUsd,
      investmentUsd: 12 * cost.costUsd,
    });
    expect(roi.value).toBeCloseTo((500 - 12 * monthly) / (12 * monthly), 9);
    // A one-off implementation of $1,000, paid back from the monthly loss avoided net of the running cost.
    const bigger = riskReduction(["hipaa"], {
      annualBreachProbability: 0.1,
      impactUsd: 100_000,
      controlEffectiveness: 0.5,
    });
    const payback = paybackPeriod({
      investmentUsd: 1_000,
      monthlySavingsUsd: bigger.monthlyLossAvoidedUsd - cost.costUsd,
    });
    expect(payback.value).toBeCloseTo(1_000 / (5_000 / 12 - monthly), 9);
    // With savings below the running cost it never pays back.
    expect(
      paybackPeriod({ investmentUsd: 1_000, monthlySavingsUsd: risk.monthlyLossAvoidedUsd - cost.costUsd })
        .value,
    ).toBeNull();
  });
});
