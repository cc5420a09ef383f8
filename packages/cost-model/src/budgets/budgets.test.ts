import { createTierCatalogue } from "@enis/core";
import { type BudgetProjectionContext, type BudgetTenant, evaluateBudgets } from "@enis/cost-model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

const dayMs = 86_400_000;
const december16 = Date.UTC(2026, 11, 16);

describe("evaluateBudgets", () => {
  it("checks month-to-date spend against the tier's ceiling or the tenant's own budget", () => {
    const report = evaluateBudgets({
      nowMs: december16,
      tenants: [
        { id: "acme", tier: "🟡", spendUsd: 300 },
        { id: "globex", budgetUsd: 1000, spendUsd: 100 },
        { id: "initech", tier: "enterprise", budgetUsd: 2500, spendUsd: 2600 },
      ],
    });
    expect(report).toMatchObject({
      month: "2026-12",
      monthStartMs: Date.UTC(2026, 11, 1),
      monthEndMs: Date.UTC(2027, 0, 1),
    });
    expect(report.elapsedFraction).toBeCloseTo(15 / 31, 12);
    const [acme, globex, initech] = report.tenants;
    expect(acme).toMatchObject({
      tier: "shared",
      budgetUsd: 500,
      budgetSource: "tier",
      usedFraction: 0.6,
      headroomUsd: 200,
      projection: { method: "run-rate", projectedUsd: 620, projectedFraction: 1.24 },
    });
    expect(globex).toMatchObject({ tier: null, budgetSource: "tenant", alerts: [] });
    expect(initech).toMatchObject({
      tier: "enterprise",
      budgetUsd: 2500,
      budgetSource: "tenant",
      headroomUsd: -100,
    });
    expect(report.alerts.map((alert) => alert.id)).toEqual([
      "acme:2026-12:threshold:0.5",
      "acme:2026-12:projected:1",
      "initech:2026-12:threshold:0.5",
      "initech:2026-12:threshold:0.8",
      "initech:2026-12:threshold:1",
      "initech:2026-12:projected:1",
    ]);
    expect(report.alerts[1]).toEqual({
      id: "acme:2026-12:projected:1",
      tenantId: "acme",
      kind: "projected",
      threshold: 1,
      thresholdUsd: 500,
      spendUsd: 300,
      budgetUsd: 500,
      projectedUsd: 620,
      month: "2026-12",
      message:
        "acme is projected to spend $620 of its shared tier's $500 budget by the end of 2026-12 (124%, run-rate), reaching the 100% threshold",
    });
  });

  it("reads every tier's monthly ceiling, 🟤 $50 to 🔴 $50,000, from the tier catalogue", () => {
    const tiers = ["🟤", "🟡", "🟢", "🔵", "🔴"];
    const report = evaluateBudgets({
      nowMs: december16,
      tenants: tiers.map((tier, index) => ({ id: `t${index}`, tier, spendUsd: 0 })),
    });
    expect(report.tenants.map((tenant) => tenant.budgetUsd)).toEqual([50, 500, 2000, 10_000, 50_000]);
    const custom = createTierCatalogue({ zero: { budget: { monthlyCeilingUsd: 20 } } });
    expect(
      evaluateBudgets({
        nowMs: december16,
        tenants: [{ id: "a", tier: "zero", spendUsd: 1 }],
        tierCatalogue: custom,
      }).tenants[0]!.budgetUsd,
    ).toBe(20);
  });

  it("alerts at a threshold reached exactly, at configurable thresholds", () => {
    const at = (spendUsd: number, thresholds?: number[]) =>
      evaluateBudgets({
        nowMs: december16,
        tenants: [{ id: "a", budgetUsd: 300, spendUsd }],
        projectedThresholds: [],
        ...(thresholds === undefined ? {} : { thresholds }),
      }).alerts.map((alert) => alert.threshold);
    expect(at(150)).toEqual([0.5]);
    expect(at(149.99)).toEqual([]);
    // 0.7 × 300 is 210.00000000000003 in binary: the threshold is compared at $210.
    expect(at(210, [1, 0.7])).toEqual([0.7]);
    expect(at(400, [0.9, 1.2])).toEqual([0.9, 1.2]);
  });

  it("handles a tenant with zero spend: no alerts, a run-rate of $0", () => {
    const report = evaluateBudgets({
      nowMs: december16,
      tenants: [{ id: "idle", tier: "lite", spendUsd: 0 }],
    });
    expect(report.alerts).toEqual([]);
    expect(report.tenants[0]!.projection).toMatchObject({
      method: "run-rate",
      projectedUsd: 0,
      projectedFraction: 0,
    });
    expect(report.tenants[0]!.projection.explanation).toMatch(/no spend/);
  });

  it("makes no run-rate at the month's start, but still alerts on the spend so far", () => {
    const start = Date.UTC(2027, 0, 1);
    const tenants: BudgetTenant[] = [{ id: "early", tier: "zero", spendUsd: 60 }];
    const atStart = evaluateBudgets({ nowMs: start, tenants });
    expect(atStart.elapsedFraction).toBe(0);
    expect(atStart.tenants[0]!.projection).toMatchObject({
      method: "none",
      projectedUsd: null,
      projectedFraction: null,
    });
    expect(atStart.alerts.map((alert) => alert.kind)).toEqual(["threshold", "threshold", "threshold"]);
    // Within the first day (the default minElapsedMs): still no run-rate.
    const hourIn = evaluateBudgets({ nowMs: start + 3_600_000, tenants });
    expect(hourIn.tenants[0]!.projection.method).toBe("none");
    expect(hourIn.tenants[0]!.projection.explanation).toBe(
      "no run-rate: 1 h of 2027-01 elapsed, less than the 24 h needed (a run-rate this early multiplies hours of spend 744-fold)",
    );
    // After one day, 60 × 31 = $1,860.
    const dayIn = evaluateBudgets({ nowMs: start + dayMs, tenants });
    expect(dayIn.tenants[0]!.projection).toMatchObject({ method: "run-rate", projectedUsd: 1860 });
    // minElapsedMs: 0 allows a run-rate from the first millisecond, never at elapsed 0.
    expect(evaluateBudgets({ nowMs: start, tenants, minElapsedMs: 0 }).tenants[0]!.projection.method).toBe(
      "none",
    );
    expect(
      evaluateBudgets({ nowMs: start + 1, tenants, minElapsedMs: 0 }).tenants[0]!.projection.method,
    ).toBe("run-rate");
  });

  it("computes the UTC month from nowMs alone: leap February, year end", () => {
    const leap = evaluateBudgets({ nowMs: Date.UTC(2028, 1, 15, 12), tenants: [] });
    expect([leap.month, leap.monthEndMs - leap.monthStartMs]).toEqual(["2028-02", 29 * dayMs]);
    expect(leap.elapsedFraction).toBeCloseTo(14.5 / 29, 12);
    const lastMs = evaluateBudgets({ nowMs: Date.UTC(2027, 0, 1) - 1, tenants: [] });
    expect(lastMs.month).toBe("2026-12");
    expect(lastMs.elapsedFraction).toBeLessThan(1);
    expect(evaluateBudgets({ nowMs: 0, tenants: [] }).month).toBe("1970-01");
    // The last time a Date holds, 275760-09-13: its month ends after it, and is still a month.
    const last = evaluateBudgets({ nowMs: 8.64e15, tenants: [{ id: "a", budgetUsd: 10, spendUsd: 4 }] });
    expect([last.month, last.monthEndMs - last.monthStartMs, last.elapsedFraction]).toEqual([
      "275760-09",
      30 * dayMs,
      0.4,
    ]);
    expect(last.tenants[0]!.projection.projectedUsd).toBe(10);
  });

  it("never reports Infinity: a budget too small beside the spend is refused, an overflowing run-rate is none", () => {
    const at = (tenant: BudgetTenant, project?: () => number) =>
      evaluateBudgets({
        nowMs: december16,
        tenants: [tenant],
        ...(project === undefined ? {} : { project }),
      });
    expect(codeOf(() => at({ id: "a", budgetUsd: 5e-324, spendUsd: 1 }))).toEqual([
      "INVALID_OPTIONS",
      "tenants[0].budgetUsd",
    ]);
    expect(codeOf(() => at({ id: "a", budgetUsd: 0.5, spendUsd: 1 }, () => 1.7e308))).toEqual([
      "INVALID_OPTIONS",
      'project("a")',
    ]);
    // $8e307 in 15/31 of the month runs at $1.65e308, twice the $0.5 budget overflows.
    const status = at({ id: "a", budgetUsd: 0.5, spendUsd: 8e307 }).tenants[0]!;
    expect(status.usedFraction).toBe(1.6e308);
    expect(status.projection).toMatchObject({ method: "none", projectedUsd: null, projectedFraction: null });
  });

  it("uses the project hook in place of the run-rate (the @enis/forecast seam)", () => {
    const seen: BudgetProjectionContext[] = [];
    const report = evaluateBudgets({
      nowMs: Date.UTC(2027, 0, 1, 6),
      tenants: [{ id: "acme", tier: "🟢", spendUsd: 120 }],
      project: (tenant) => {
        seen.push(tenant);
        return tenant.spendUsd + 2400;
      },
    });
    expect(seen).toEqual([
      {
        tenantId: "acme",
        tier: "lite",
        spendUsd: 120,
        budgetUsd: 2000,
        nowMs: Date.UTC(2027, 0, 1, 6),
        monthStartMs: Date.UTC(2027, 0, 1),
        monthEndMs: Date.UTC(2027, 1, 1),
        elapsedFraction: 6 / 744,
      },
    ]);
    expect(report.tenants[0]!.projection).toMatchObject({ method: "custom", projectedUsd: 2520 });
    expect(report.alerts.map((alert) => alert.id)).toEqual(["acme:2027-01:projected:1"]);
    const below = catchEnisError(() =>
      evaluateBudgets({
        nowMs: december16,
        tenants: [{ id: "a", budgetUsd: 10, spendUsd: 5 }],
        project: () => 3,
      }),
    );
    expect(below.message).toBe(
      'project("a") must be a finite number of USD at least the month-to-date spend (5), got 3',
    );
    expect(
      codeOf(() =>
        evaluateBudgets({
          nowMs: december16,
          tenants: [{ id: "a", budgetUsd: 10, spendUsd: 5 }],
          project: () => Number.NaN,
        }),
      ),
    ).toEqual(["INVALID_OPTIONS", 'project("a")']);
  });

  it("projects at least the spend so far, and more spend never removes an alert (property)", () => {
    const spend = fc.double({ min: 0, max: 1e5, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        spend,
        spend,
        fc.double({ min: 1, max: 1e5, noNaN: true, noDefaultInfinity: true }),
        (nowMs, a, b, budgetUsd) => {
          const evaluate = (spendUsd: number) =>
            evaluateBudgets({ nowMs, tenants: [{ id: "t", budgetUsd, spendUsd }] });
          const low = evaluate(Math.min(a, b));
          const high = evaluate(Math.max(a, b));
          const projection = low.tenants[0]!.projection;
          expect(low.elapsedFraction >= 0 && low.elapsedFraction < 1).toBe(true);
          if (projection.projectedUsd !== null) {
            expect(projection.projectedUsd).toBeGreaterThanOrEqual(Math.min(a, b));
            expect(Number.isFinite(projection.projectedUsd)).toBe(true);
          }
          const highIds = new Set(high.alerts.map((alert) => alert.id));
          for (const alert of low.alerts) expect(highIds.has(alert.id)).toBe(true);
        },
      ),
      { seed: 31, numRuns: 400 },
    );
  });

  it("rejects bad input with a code and the field", () => {
    const one = (tenant: unknown) => () =>
      evaluateBudgets({ nowMs: december16, tenants: [tenant as BudgetTenant] });
    expect(codeOf(one({ id: "a", spendUsd: 1 }))).toEqual(["INVALID_OPTIONS", "tenants[0]"]);
    expect(codeOf(one({ id: "a", tier: "gold", spendUsd: 1 }))).toEqual(["UNKNOWN_TIER", "tenants[0].tier"]);
    expect(codeOf(one({ id: "a", budgetUsd: 0, spendUsd: 1 }))).toEqual([
      "INVALID_OPTIONS",
      "tenants[0].budgetUsd",
    ]);
    expect(codeOf(one({ id: "a", budgetUsd: 5, spendUsd: -1 }))).toEqual([
      "INVALID_OPTIONS",
      "tenants[0].spendUsd",
    ]);
    expect(codeOf(one({ id: "a", budgetUsd: 5, spend: 1 }))).toEqual(["INVALID_OPTIONS", "tenants[0].spend"]);
    expect(codeOf(one({ id: "", budgetUsd: 5, spendUsd: 1 }))).toEqual(["INVALID_OPTIONS", "tenants[0].id"]);
    expect(
      codeOf(() =>
        evaluateBudgets({
          nowMs: december16,
          tenants: [
            { id: "a", budgetUsd: 5, spendUsd: 1 },
            { id: "a", budgetUsd: 5, spendUsd: 1 },
          ],
        }),
      ),
    ).toEqual(["DUPLICATE_ID", "tenants[1].id"]);
    expect(
      catchEnisError(() =>
        evaluateBudgets({
          nowMs: december16,
          tenants: [
            { id: "a", budgetUsd: 5, spendUsd: 1 },
            { id: "a", budgetUsd: 5, spendUsd: 1 },
          ],
        }),
      ).message,
    ).toBe('tenants[1].id must be unique, got "a" twice');
    expect(codeOf(() => evaluateBudgets({ nowMs: Number.NaN, tenants: [] }))).toEqual([
      "INVALID_OPTIONS",
      "nowMs",
    ]);
    expect(codeOf(() => evaluateBudgets({ nowMs: -1, tenants: [] }))).toEqual(["INVALID_OPTIONS", "nowMs"]);
    expect(codeOf(() => evaluateBudgets({ nowMs: 0, tenants: [], thresholds: [0.5, 0] }))).toEqual([
      "INVALID_OPTIONS",
      "thresholds[1]",
    ]);
    expect(codeOf(() => evaluateBudgets({ nowMs: 0, tenants: [], thresholds: [0.5, 0.5] }))).toEqual([
      "INVALID_OPTIONS",
      "thresholds[1]",
    ]);
    expect(
      codeOf(() => evaluateBudgets({ nowMs: 0, tenants: [], projectedThresholds: [Number.NaN] })),
    ).toEqual(["INVALID_OPTIONS", "projectedThresholds[0]"]);
    expect(codeOf(() => evaluateBudgets({ nowMs: 0, tenants: [], minElapsedMs: -1 }))).toEqual([
      "INVALID_OPTIONS",
      "minElapsedMs",
    ]);
  });
});
