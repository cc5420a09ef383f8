import {
  availabilityImpact,
  costPerTransaction,
  costVariance,
  effectiveSavingsRate,
  evaluateKpis,
  type Kpi,
  kpiDefinitions,
  paybackPeriod,
  resourceUtilization,
  responseTimeImpact,
  returnOnInvestment,
  savingsAchieved,
  tcoReduction,
  throughputImpact,
} from "@enis/cost-model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

const close = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const money = fc.double({ min: 0.01, max: 1e9, noNaN: true, noDefaultInfinity: true });

/** Nothing a KPI returns is NaN or infinite. */
function expectFinite(kpi: Kpi): void {
  expect(kpi.value === null || Number.isFinite(kpi.value)).toBe(true);
  for (const threshold of [kpi.target, kpi.alertThreshold]) {
    expect(threshold.value === null || Number.isFinite(threshold.value)).toBe(true);
  }
}

describe("kpiDefinitions", () => {
  it("holds the seed's seven KPIs with the seed's targets, ESR and the three guards", () => {
    const byId = Object.fromEntries(kpiDefinitions.map((definition) => [definition.id, definition]));
    const targets = {
      "cost-per-transaction": ["<", 0.01],
      "resource-utilization": [">", 0.8],
      "cost-variance": ["<", 0.05],
      "savings-achieved": [">", 0.25],
      roi: [">", 3],
      "payback-period": ["<", 6],
      "tco-reduction": [">", 0.3],
    } as const;
    for (const [id, [comparator, value]] of Object.entries(targets)) {
      expect(byId[id]!.target).toMatchObject({ comparator, value, source: "seed" });
      expect(byId[id]!.alertThreshold.source).toBe("chosen");
    }
    expect(byId["response-time-impact"]!.alertThreshold).toMatchObject({
      comparator: ">",
      value: 0.1,
      source: "seed",
    });
    expect(byId["throughput-impact"]!.alertThreshold).toMatchObject({
      comparator: "<",
      value: 0.95,
      source: "seed",
    });
    expect(byId["effective-savings-rate"]!.formula).toBe("(listCostUsd - effectiveCostUsd) / listCostUsd");
    expect(kpiDefinitions).toHaveLength(11);
  });
});

describe("the KPIs", () => {
  it("return value, unit, thresholds, met, status and an explanation", () => {
    const kpi = costPerTransaction({ totalCostUsd: 1234, transactions: 200_000 });
    expect(kpi).toMatchObject({
      id: "cost-per-transaction",
      value: 0.00617,
      unit: "usd",
      met: true,
      status: "met",
      inputs: { totalCostUsd: 1234, transactions: 200_000 },
    });
    expect(kpi.explanation).toBe(
      "Cost per transaction = $1234 / 200000 transactions = $0.00617: met (target < $0.01, alert > $0.02)",
    );
    expect(costPerTransaction({ totalCostUsd: 1500, transactions: 100_000 }).status).toBe("missed");
    expect(costPerTransaction({ totalCostUsd: 3000, transactions: 100_000 }).status).toBe("alert");
  });

  it("classify met, missed and alert for each KPI", () => {
    const cases: [Kpi, number, Kpi["status"]][] = [
      [resourceUtilization({ used: 85, allocated: 100 }), 0.85, "met"],
      [resourceUtilization({ used: 61, allocated: 100 }), 0.61, "missed"],
      [resourceUtilization({ used: 30, allocated: 100 }), 0.3, "alert"],
      [costVariance({ actualUsd: 10_300, budgetUsd: 10_000 }), 0.03, "met"],
      [costVariance({ actualUsd: 9_200, budgetUsd: 10_000 }), 0.08, "missed"],
      [costVariance({ actualUsd: 11_500, budgetUsd: 10_000 }), 0.15, "alert"],
      [savingsAchieved({ baselineUsd: 40_000, optimizedUsd: 26_000 }), 0.35, "met"],
      [savingsAchieved({ baselineUsd: 40_000, optimizedUsd: 44_000 }), -0.1, "alert"],
      [returnOnInvestment({ savingsUsd: 60_000, investmentUsd: 12_000 }), 4, "met"],
      [returnOnInvestment({ savingsUsd: 36_000, investmentUsd: 12_000 }), 2, "missed"],
      [paybackPeriod({ investmentUsd: 12_000, monthlySavingsUsd: 5_000 }), 2.4, "met"],
      [paybackPeriod({ investmentUsd: 12_000, monthlySavingsUsd: 1_000 }), 12, "missed"],
      [paybackPeriod({ investmentUsd: 0, monthlySavingsUsd: 0 }), 0, "met"],
      [tcoReduction({ oldTcoUsd: 1_200_000, newTcoUsd: 780_000 }), 0.35, "met"],
      [tcoReduction({ oldTcoUsd: 1_000_000, newTcoUsd: 900_000 }), 0.1, "alert"],
      [effectiveSavingsRate({ listCostUsd: 100_000, effectiveCostUsd: 72_000 }), 0.28, "met"],
      [responseTimeImpact({ baselineMs: 100, optimizedMs: 103 }), 0.03, "met"],
      [responseTimeImpact({ baselineMs: 100, optimizedMs: 108 }), 0.08, "missed"],
      [responseTimeImpact({ baselineMs: 100, optimizedMs: 112 }), 0.12, "alert"],
      [responseTimeImpact({ baselineMs: 100, optimizedMs: 80 }), -0.2, "met"],
      [throughputImpact({ baselineRps: 1000, optimizedRps: 1000 }), 1, "met"],
      [throughputImpact({ baselineRps: 1000, optimizedRps: 960 }), 0.96, "missed"],
      [throughputImpact({ baselineRps: 1000, optimizedRps: 900 }), 0.9, "alert"],
      [
        availabilityImpact({ availability: 0.9995, baselineAvailability: 0.9995, slaAvailability: 0.999 }),
        0.9995,
        "met",
      ],
      [
        availabilityImpact({ availability: 0.9993, baselineAvailability: 0.9995, slaAvailability: 0.999 }),
        0.9993,
        "missed",
      ],
      [
        availabilityImpact({ availability: 0.998, baselineAvailability: 0.9995, slaAvailability: 0.999 }),
        0.998,
        "alert",
      ],
    ];
    for (const [kpi, value, status] of cases) {
      expect([kpi.id, kpi.value, kpi.status]).toEqual([kpi.id, value, status]);
      expect(kpi.met).toBe(status === "met");
      expectFinite(kpi);
    }
  });

  it("give a zero or missing baseline an explicit undefined outcome, never Infinity or NaN", () => {
    const undefinedOnes = [
      costPerTransaction({ totalCostUsd: 50, transactions: 0 }),
      costPerTransaction({ totalCostUsd: 50 }),
      resourceUtilization({ used: 0, allocated: 0 }),
      costVariance({ actualUsd: 10, budgetUsd: 0 }),
      savingsAchieved({ baselineUsd: 0, optimizedUsd: 0 }),
      savingsAchieved({ optimizedUsd: 100 }),
      returnOnInvestment({ savingsUsd: 1000, investmentUsd: 0 }),
      tcoReduction({ oldTcoUsd: null, newTcoUsd: 5 }),
      effectiveSavingsRate({ listCostUsd: 0, effectiveCostUsd: 0 }),
      responseTimeImpact({ baselineMs: 0, optimizedMs: 12 }),
      throughputImpact({ optimizedRps: 10 }),
      availabilityImpact({ availability: 0.999, slaAvailability: 0.999 }),
    ];
    for (const kpi of undefinedOnes) {
      expect([kpi.id, kpi.value, kpi.met, kpi.status]).toEqual([kpi.id, null, null, "undefined"]);
      expect(kpi.explanation).toMatch(/undefined (with|without)/);
      expectFinite(kpi);
    }
    expect(costVariance({ actualUsd: 10, budgetUsd: 0 }).explanation).toBe(
      "Cost variance: undefined with budgetUsd = 0 (|actualUsd - budgetUsd| / budgetUsd would divide by zero)",
    );
    // A payback that never comes is a definite verdict: an alert, with no number.
    const never = paybackPeriod({ investmentUsd: 5000, monthlySavingsUsd: 0 });
    expect([never.value, never.met, never.status]).toEqual([null, false, "alert"]);
    expect(never.explanation).toContain("never pay back");
    // A subnormal baseline overflows the ratio: undefined too, never Infinity.
    const tiny = costVariance({ actualUsd: 1, budgetUsd: 5e-324 });
    expect([tiny.value, tiny.status]).toEqual([null, "undefined"]);
    expect(tiny.explanation).toContain("overflows");
  });

  it("take a caller's thresholds, and refuse an alert on the wrong side of the target", () => {
    const strict = costPerTransaction(
      { totalCostUsd: 600, transactions: 100_000 },
      { target: 0.005, alertThreshold: 0.0055 },
    );
    expect(strict.status).toBe("alert");
    expect(strict.target).toMatchObject({ comparator: "<", value: 0.005, source: "caller" });
    const wrong = catchEnisError(() =>
      savingsAchieved({ baselineUsd: 1, optimizedUsd: 1 }, { alertThreshold: 0.3 }),
    );
    expect([wrong.code, wrong.field]).toEqual(["INVALID_OPTIONS", "thresholds.alertThreshold"]);
    expect(wrong.message).toBe(
      "thresholds.alertThreshold must be at most the target (0.25): an alert lies beyond the target, got 0.3",
    );
    expect(codeOf(() => costVariance({ actualUsd: 1, budgetUsd: 1 }, { target: Number.NaN }))).toEqual([
      "INVALID_OPTIONS",
      "thresholds.target",
    ]);
  });

  it("reject bad input with a code and the field", () => {
    expect(codeOf(() => costPerTransaction({ totalCostUsd: -1, transactions: 10 }))).toEqual([
      "INVALID_OPTIONS",
      "totalCostUsd",
    ]);
    expect(codeOf(() => costVariance({ actualUsd: 1, budgetUsd: -5 }))).toEqual([
      "INVALID_OPTIONS",
      "budgetUsd",
    ]);
    expect(codeOf(() => returnOnInvestment({ savingsUsd: Number.NaN, investmentUsd: 1 }))).toEqual([
      "INVALID_OPTIONS",
      "savingsUsd",
    ]);
    expect(codeOf(() => availabilityImpact({ availability: 99.9, slaAvailability: 0.999 }))).toEqual([
      "INVALID_OPTIONS",
      "availability",
    ]);
    expect(codeOf(() => throughputImpact({ baseline: 3, optimizedRps: 1 } as never))).toEqual([
      "INVALID_OPTIONS",
      "input.baseline",
    ]);
  });
});

describe("KPI identities (property tests)", () => {
  it("savings = 1 − after/before, and TCO reduction likewise", () => {
    fc.assert(
      fc.property(money, fc.double({ min: 0, max: 2, noNaN: true }), (before, ratio) => {
        const after = before * ratio;
        const savings = savingsAchieved({ baselineUsd: before, optimizedUsd: after });
        expect(close(savings.value!, 1 - after / before)).toBe(true);
        expect(tcoReduction({ oldTcoUsd: before, newTcoUsd: after }).value).toBe(savings.value);
        expect(savings.met).toBe(savings.value! > 0.25);
      }),
      { seed: 21, numRuns: 500 },
    );
  });

  it("ROI and payback agree: ROI = months / payback − 1 for steady monthly savings", () => {
    fc.assert(
      fc.property(
        money,
        money,
        fc.integer({ min: 1, max: 60 }),
        (investmentUsd, monthlySavingsUsd, months) => {
          const payback = paybackPeriod({ investmentUsd, monthlySavingsUsd }).value!;
          const roi = returnOnInvestment({ savingsUsd: monthlySavingsUsd * months, investmentUsd }).value!;
          expect(close(roi, months / payback - 1)).toBe(true);
          // Break-even: ROI >= 0 exactly when the investment is paid back within the period.
          if (Math.abs(payback - months) > 1e-9 * months) expect(roi >= 0).toBe(payback <= months);
        },
      ),
      { seed: 22, numRuns: 500 },
    );
  });

  it("the effective savings rate lies in [0, 1) for a non-negative discount that leaves some cost", () => {
    fc.assert(
      fc.property(money, fc.double({ min: 0, max: 0.999, noNaN: true }), (listCostUsd, discount) => {
        const effectiveCostUsd = listCostUsd * (1 - discount);
        const esr = effectiveSavingsRate({ listCostUsd, effectiveCostUsd }).value!;
        expect(esr).toBeGreaterThanOrEqual(0);
        expect(esr).toBeLessThan(1);
        expect(close(esr, discount)).toBe(true);
      }),
      { seed: 23, numRuns: 500 },
    );
  });

  it("status follows the thresholds: alert beyond the alert threshold, else met exactly when the target holds", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        (actualUsd, budgetUsd) => {
          const kpi = costVariance({ actualUsd, budgetUsd });
          expectFinite(kpi);
          if (budgetUsd === 0 || !Number.isFinite(Math.abs(actualUsd - budgetUsd) / budgetUsd)) {
            expect([kpi.status, kpi.value]).toEqual(["undefined", null]);
            return;
          }
          const value = kpi.value!;
          expect(value).toBeGreaterThanOrEqual(0);
          const expected = value > 0.1 ? "alert" : value < 0.05 ? "met" : "missed";
          expect(kpi.status).toBe(expected);
        },
      ),
      { seed: 24, numRuns: 500 },
    );
  });
});

describe("evaluateKpis", () => {
  it("evaluates the KPIs given, in the seed's order, with the caller's thresholds", () => {
    const kpis = evaluateKpis({
      paybackPeriod: { investmentUsd: 12_000, monthlySavingsUsd: 5_000 },
      costPerTransaction: { totalCostUsd: 1234, transactions: 200_000 },
      savingsAchieved: { baselineUsd: 40_000, optimizedUsd: 26_000 },
      availabilityImpact: { availability: 0.9995, baselineAvailability: 0.9995, slaAvailability: 0.999 },
      thresholds: { "payback-period": { target: 2, alertThreshold: 3 } },
    });
    expect(kpis.map((kpi) => [kpi.id, kpi.status])).toEqual([
      ["cost-per-transaction", "met"],
      ["savings-achieved", "met"],
      ["payback-period", "missed"],
      ["availability-impact", "met"],
    ]);
  });

  it("names a bad field under its KPI", () => {
    const bad = catchEnisError(() => evaluateKpis({ costVariance: { actualUsd: 1, budgetUsd: -1 } }));
    expect([bad.field, bad.message]).toEqual([
      "costVariance.budgetUsd",
      "costVariance.budgetUsd must be a finite number >= 0, got -1",
    ]);
    const threshold = catchEnisError(() =>
      evaluateKpis({
        roi: undefined,
        returnOnInvestment: { savingsUsd: 1, investmentUsd: 1 },
        thresholds: { roi: { target: 4, alertThreshold: 5 } },
      } as never),
    );
    expect(threshold.code).toBe("INVALID_OPTIONS");
    const thresholdField = catchEnisError(() =>
      evaluateKpis({
        returnOnInvestment: { savingsUsd: 1, investmentUsd: 1 },
        thresholds: { roi: { target: 4, alertThreshold: 5 } },
      }),
    );
    expect(thresholdField.field).toBe('thresholds["roi"].alertThreshold');
    expect(codeOf(() => evaluateKpis({ thresholds: { "availability-impact": {} } } as never))).toEqual([
      "INVALID_OPTIONS",
      "thresholds.availability-impact",
    ]);
  });
});
