import { createTierCatalogue } from "@enis/core";
import {
  type ComputeCostInput,
  computeCost,
  costPerRequest,
  defaultAwsCatalogue,
  kmsCost,
  lambdaCost,
  monthlyCost,
  type PricingCatalogue,
  purchaseOptions,
  storageCost,
  transferCost,
} from "@enis/cost-model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError, codeOf } from "../../../../test-support/enis-error.js";

const typeNames = Object.keys(defaultAwsCatalogue.instanceTypes);
const amount = fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true });
/** Two amounts, the first at most the second. */
const ordered = fc
  .tuple(amount, amount)
  .map(([a, b]): readonly [number, number] => (a <= b ? [a, b] : [b, a]));
const orderedCounts = fc
  .tuple(fc.nat({ max: 1e9 }), fc.nat({ max: 1e9 }))
  .map(([a, b]): readonly [number, number] => (a <= b ? [a, b] : [b, a]));

describe("computeCost", () => {
  it("is hours × count × the hourly price of the purchase option, and explains itself", () => {
    const result = computeCost({ instanceType: "m5.large", hours: 730, count: 2 });
    expect(result).toMatchObject({
      category: "compute",
      costUsd: 140.16,
      instanceHours: 1460,
      hourlyUsd: 0.096,
      purchase: "on-demand",
    });
    expect(result.provenance).toBe(defaultAwsCatalogue.instanceTypeSources.onDemand);
    expect(result.explanation).toBe(
      "2 × m5.large on-demand for 730 h = 1460 instance-hours × $0.096/h = $140.16",
    );
    expect(computeCost({ instanceType: "m5.large", hours: 730, purchase: "reserved-1y" }).costUsd).toBe(43.8);
    expect(computeCost({ instanceType: "m5.large", hours: 730, purchase: "reserved-3y" }).costUsd).toBe(
      29.93,
    );
    const spot = computeCost({ instanceType: "m5.large", hours: 100, purchase: "spot" });
    expect(spot.costUsd).toBe(3.264);
    expect(spot.provenance.approximate).toBe(true);
    expect(computeCost({ instanceType: "c7g.large", hours: 0 }).costUsd).toBe(0);
  });

  it("is monotone in hours and in count, for every type and purchase option", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...typeNames),
        fc.constantFrom(...purchaseOptions),
        ordered,
        orderedCounts.map(([a, b]): readonly [number, number] => [a % 1000, b % 1000]),
        (name, purchase, [fewer, more], [countA, countB]) => {
          const low = Math.min(countA, countB);
          const high = Math.max(countA, countB);
          const base: ComputeCostInput = { instanceType: name, purchase, hours: fewer, count: low };
          const cost = computeCost(base).costUsd;
          expect(computeCost({ ...base, hours: more }).costUsd).toBeGreaterThanOrEqual(cost);
          expect(computeCost({ ...base, count: high }).costUsd).toBeGreaterThanOrEqual(cost);
          expect(Number.isFinite(cost) && cost >= 0).toBe(true);
        },
      ),
      { seed: 11, numRuns: 400 },
    );
  });

  it("rejects bad input with a code and the field", () => {
    const cases: [unknown, string, string | undefined][] = [
      [{ instanceType: "m5.large", hours: -1 }, "INVALID_OPTIONS", "hours"],
      [{ instanceType: "m5.large", hours: Number.NaN }, "INVALID_OPTIONS", "hours"],
      [{ instanceType: "m5.large", hours: Number.POSITIVE_INFINITY }, "INVALID_OPTIONS", "hours"],
      [{ instanceType: "m5.large", hours: 1, count: 1.5 }, "INVALID_OPTIONS", "count"],
      [{ instanceType: "m5.large", hours: 1, count: -1 }, "INVALID_OPTIONS", "count"],
      [{ instanceType: "m5.large", hours: 1, purchase: "savings-plan" }, "INVALID_OPTIONS", "purchase"],
      [{ instanceType: "m5.large", hour: 1 }, "INVALID_OPTIONS", "input.hour"],
      [{ instanceType: "m9.huge", hours: 1 }, "UNKNOWN_INSTANCE_TYPE", "instanceType"],
      [{ instanceType: 5, hours: 1 }, "UNKNOWN_INSTANCE_TYPE", "instanceType"],
      [null, "INVALID_OPTIONS", "input"],
    ];
    for (const [input, code, field] of cases) {
      expect(
        codeOf(() => computeCost(input as ComputeCostInput)),
        JSON.stringify(input),
      ).toEqual([code, field]);
    }
    expect(catchEnisError(() => computeCost({ instanceType: "m5.large", hours: -1 })).message).toBe(
      "hours must be a finite number >= 0, got -1",
    );
    // Finite inputs whose product overflows: refused, never an Infinity cost.
    expect(codeOf(() => computeCost({ instanceType: "p3.8xlarge", hours: 1e308, count: 100 }))).toEqual([
      "INVALID_OPTIONS",
      "hours",
    ]);
    expect(
      codeOf(() => lambdaCost({ invocations: 1e15, billedDurationMs: 1e300, memoryMb: 10_240 })),
    ).toEqual(["INVALID_OPTIONS", "billedDurationMs"]);
    expect(codeOf(() => storageCost({ gb: 1e307, months: 1e10 }))).toEqual(["INVALID_OPTIONS", "gb"]);
    expect(
      codeOf(() =>
        monthlyCost([
          { id: "a", category: "x", costUsd: 1e307 },
          { id: "b", category: "x", costUsd: 1e307 },
        ]),
      ),
    ).toEqual(["INVALID_OPTIONS", "lines"]);
    const lookAlike = JSON.parse(JSON.stringify(defaultAwsCatalogue)) as PricingCatalogue;
    expect(codeOf(() => computeCost({ instanceType: "m5.large", hours: 1 }, lookAlike))).toEqual([
      "INVALID_OPTIONS",
      "catalogue",
    ]);
  });
});

describe("lambdaCost", () => {
  it("is GB-seconds at the architecture's price plus requests", () => {
    const result = lambdaCost({
      invocations: 1_000_000,
      billedDurationMs: 120,
      memoryMb: 512,
      architecture: "arm64",
    });
    expect(result).toMatchObject({
      category: "lambda",
      gbSeconds: 60_000,
      computeUsd: 0.800004,
      requestsUsd: 0.2,
      costUsd: 1.000004,
      gbSecondUsd: 0.0000133334,
    });
    expect(result.explanation).toContain("60000 GB-s × $0.0000133334 = $0.800004");
    expect(result.explanation).toContain("1000000 requests × $0.0000002 = $0.2");
    // x86 by default: 1 ms at 128 MB is 1/8000 GB-s.
    const one = lambdaCost({ invocations: 1, billedDurationMs: 1, memoryMb: 128 });
    expect(one.gbSeconds).toBe(0.000125);
    expect(one.computeUsd).toBe(0.0000000020833375);
    expect(one.costUsd).toBe(0.0000002020833375);
  });

  it("costs less on arm64 than on x86 for the same duration and memory", () => {
    const x86 = lambdaCost({ invocations: 5_000, billedDurationMs: 900, memoryMb: 2048 });
    const arm = lambdaCost({
      invocations: 5_000,
      billedDurationMs: 900,
      memoryMb: 2048,
      architecture: "arm64",
    });
    expect(arm.costUsd).toBeLessThan(x86.costUsd);
    expect(arm.requestsUsd).toBe(x86.requestsUsd);
  });

  it("is monotone in invocations, billed duration and memory", () => {
    fc.assert(
      fc.property(
        orderedCounts,
        ordered,
        fc.tuple(fc.integer({ min: 128, max: 10_240 }), fc.integer({ min: 128, max: 10_240 })),
        fc.constantFrom("x86_64" as const, "arm64" as const),
        ([fewer, more], [shorter, longer], [memoryA, memoryB], architecture) => {
          const memoryMb = Math.min(memoryA, memoryB);
          const base = { invocations: fewer, billedDurationMs: shorter, memoryMb, architecture };
          const cost = lambdaCost(base).costUsd;
          expect(lambdaCost({ ...base, invocations: more }).costUsd).toBeGreaterThanOrEqual(cost);
          expect(lambdaCost({ ...base, billedDurationMs: longer }).costUsd).toBeGreaterThanOrEqual(cost);
          expect(
            lambdaCost({ ...base, memoryMb: Math.max(memoryA, memoryB) }).costUsd,
          ).toBeGreaterThanOrEqual(cost);
        },
      ),
      { seed: 12, numRuns: 400 },
    );
  });

  it("rejects memory outside 128–10,240 MB and other bad input", () => {
    const base = { invocations: 10, billedDurationMs: 100, memoryMb: 512 };
    const cases: [Record<string, unknown>, string][] = [
      [{ memoryMb: 127 }, "memoryMb"],
      [{ memoryMb: 10_241 }, "memoryMb"],
      [{ memoryMb: 512.5 }, "memoryMb"],
      [{ memoryMb: Number.NaN }, "memoryMb"],
      [{ invocations: -1 }, "invocations"],
      [{ invocations: 1.5 }, "invocations"],
      [{ billedDurationMs: -0.5 }, "billedDurationMs"],
      [{ architecture: "arm" }, "architecture"],
    ];
    for (const [patch, field] of cases) {
      expect(
        codeOf(() => lambdaCost({ ...base, ...patch } as never)),
        field,
      ).toEqual(["INVALID_OPTIONS", field]);
    }
    expect(catchEnisError(() => lambdaCost({ ...base, memoryMb: 64 })).message).toBe(
      "memoryMb must be a whole number of MB from 128 to 10240, got 64",
    );
  });
});

describe("storageCost", () => {
  it("bills each tier for the GB-months the data spends in it", () => {
    const result = storageCost({ gb: 1000, months: 12, lifecycle: { warmAfterDays: 30, coldAfterDays: 90 } });
    const { hot, warm, cold, archive } = result.byTier;
    expect([hot.fromDay, hot.toDay, warm.fromDay, warm.toDay, cold.fromDay, cold.toDay]).toEqual([
      0, 30, 30, 90, 90, 365,
    ]);
    expect(archive.days).toBe(0);
    expect(hot.gbMonths).toBeCloseTo((1000 * 30 * 12) / 365, 6);
    expect(cold.gbMonths).toBeCloseTo((1000 * 275 * 12) / 365, 6);
    expect(hot.gbMonths + warm.gbMonths + cold.gbMonths).toBeCloseTo(result.gbMonths, 6);
    expect(result.gbMonths).toBe(12_000);
    expect(result.costUsd).toBeCloseTo(hot.costUsd + warm.costUsd + cold.costUsd, 8);
    expect(result.explanation).toContain("cold days 90–365");
  });

  it("keeps data hot without a lifecycle, and skips a tier left out", () => {
    expect(storageCost({ gb: 100, months: 1 }).costUsd).toBe(2.3);
    const skip = storageCost({ gb: 100, months: 12, lifecycle: { archiveAfterDays: 180 } });
    expect(skip.byTier.warm.days).toBe(0);
    expect(skip.byTier.cold.days).toBe(0);
    expect(skip.byTier.hot.toDay).toBe(180);
    expect(skip.byTier.archive.days).toBe(185);
    // The period ends before the lifecycle moves anything.
    expect(storageCost({ gb: 50, months: 0.5, lifecycle: { warmAfterDays: 30 } }).byTier.warm.days).toBe(0);
  });

  it("is monotone in GB and in months", () => {
    const lifecycle = fc
      .tuple(fc.nat({ max: 400 }), fc.nat({ max: 400 }), fc.nat({ max: 400 }))
      .map((days) => days.sort((a, b) => a - b))
      .map(([warmAfterDays, coldAfterDays, archiveAfterDays]) => ({
        warmAfterDays,
        coldAfterDays,
        archiveAfterDays,
      }));
    const months = fc.double({ min: 0, max: 120, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(ordered, fc.tuple(months, months), lifecycle, ([less, more], [monthsA, monthsB], cycle) => {
        const shorter = Math.min(monthsA, monthsB);
        const base = { gb: less, months: shorter, lifecycle: cycle };
        const cost = storageCost(base).costUsd;
        expect(storageCost({ ...base, gb: more }).costUsd).toBeGreaterThanOrEqual(cost);
        expect(storageCost({ ...base, months: Math.max(monthsA, monthsB) }).costUsd).toBeGreaterThanOrEqual(
          cost,
        );
      }),
      { seed: 13, numRuns: 400 },
    );
  });

  it("rejects negative amounts and lifecycle days that go backwards", () => {
    expect(codeOf(() => storageCost({ gb: -1, months: 1 }))).toEqual(["INVALID_OPTIONS", "gb"]);
    expect(codeOf(() => storageCost({ gb: 1, months: Number.NaN }))).toEqual(["INVALID_OPTIONS", "months"]);
    const backwards = catchEnisError(() =>
      storageCost({ gb: 1, months: 1, lifecycle: { warmAfterDays: 30, coldAfterDays: 10 } }),
    );
    expect(backwards.message).toBe(
      "lifecycle.coldAfterDays must be at least lifecycle.warmAfterDays (30), got 10",
    );
    expect(codeOf(() => storageCost({ gb: 1, months: 1, lifecycle: { hotDays: 3 } as never }))).toEqual([
      "INVALID_OPTIONS",
      "lifecycle.hotDays",
    ]);
  });
});

describe("transferCost and kmsCost", () => {
  it("price GB out and keys plus requests", () => {
    expect(transferCost({ gb: 500 })).toMatchObject({
      category: "transfer",
      costUsd: 45,
      internetOutGbUsd: 0.09,
    });
    expect(kmsCost({ keys: 5, months: 1, requests: 2_000_000 })).toMatchObject({
      category: "kms",
      keysUsd: 5,
      requestsUsd: 6,
      costUsd: 11,
    });
    expect(kmsCost({ keys: 1 }).costUsd).toBe(1);
  });

  it("transfer is monotone in GB", () => {
    fc.assert(
      fc.property(ordered, ([less, more]) => {
        expect(transferCost({ gb: more }).costUsd).toBeGreaterThanOrEqual(transferCost({ gb: less }).costUsd);
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it("rejects bad input", () => {
    expect(codeOf(() => transferCost({ gb: -5 }))).toEqual(["INVALID_OPTIONS", "gb"]);
    expect(codeOf(() => kmsCost({ keys: 1.5 }))).toEqual(["INVALID_OPTIONS", "keys"]);
    expect(codeOf(() => kmsCost({ keys: 1, requests: -1 }))).toEqual(["INVALID_OPTIONS", "requests"]);
  });
});

describe("monthlyCost", () => {
  it("rolls lines up by category, in dollars and in whole cents", () => {
    const month = monthlyCost([
      { id: "api", ...computeCost({ instanceType: "m5.large", hours: 730, count: 2 }) },
      { id: "jobs", ...lambdaCost({ invocations: 3_000_000, billedDurationMs: 200, memoryMb: 1024 }) },
      { id: "egress", ...transferCost({ gb: 250 }) },
      { id: "workers", ...computeCost({ instanceType: "c7g.large", hours: 730, purchase: "spot" }) },
    ]);
    // c7g.large spot: $0.0725 × (1 − 0.49) = $0.036975 an hour.
    expect(month.totalUsd).toBe(200.25177);
    expect(month.byCategory["compute"]).toMatchObject({ costUsd: 167.15175, lines: 2, cents: 16715 });
    expect(month.totalCents).toBe(20025);
    expect(month.lines.map((line) => line.cents)).toEqual([14016, 1060, 2250, 2699]);
    expect(month.explanation).toBe(
      "4 lines in 3 categories: compute $167.15175 + lambda $10.60002 + transfer $22.5 = $200.25177 (20025 cents)",
    );
  });

  it("gives the cents lost to rounding down to the lines with the largest fractions", () => {
    const tenths = monthlyCost([
      { id: "a", category: "kms", costUsd: 0.004 },
      { id: "b", category: "kms", costUsd: 0.004 },
      { id: "c", category: "transfer", costUsd: 0.004 },
    ]);
    // 1.2 cents in all: one whole cent, to the first of the equal fractions.
    expect(tenths.totalCents).toBe(1);
    expect(tenths.lines.map((line) => line.cents)).toEqual([1, 0, 0]);
    expect([tenths.byCategory["kms"]!.cents, tenths.byCategory["transfer"]!.cents]).toEqual([1, 0]);
    const uneven = monthlyCost([
      { id: "a", category: "x", costUsd: 1.001 },
      { id: "b", category: "x", costUsd: 2.009 },
      { id: "c", category: "y", costUsd: 0.005 },
    ]);
    // 301.5 cents round to 302: the 0.9 and 0.5 fractions get the two lost cents.
    expect(uneven.totalCents).toBe(302);
    expect(uneven.lines.map((line) => line.cents)).toEqual([100, 201, 1]);
  });

  it("keeps every cent of a billion-dollar roll-up, and refuses a total whose cents it cannot keep", () => {
    // 3 × $1,234,567,890.125 = $3,703,703,670.375: 370,370,367,037.5 cents round to …038; each line
    // is its cost rounded down (…012), and the two cents lost go to the first two lines.
    const large = monthlyCost(
      ["a", "b", "c"].map((id) => ({ id, category: "compute", costUsd: 1_234_567_890.125 })),
    );
    expect(large.totalCents).toBe(370_370_367_038);
    expect(large.lines.map((line) => line.cents)).toEqual([
      123_456_789_013, 123_456_789_013, 123_456_789_012,
    ]);
    expect(large.totalUsd).toBe(3_703_703_670.38);
    // At $10 billion, 12 significant digits no longer hold the cents: refused, never rounded away.
    expect(codeOf(() => monthlyCost([{ id: "a", category: "x", costUsd: 12_345_678_901.23 }]))).toEqual([
      "INVALID_OPTIONS",
      "lines",
    ]);
    expect(codeOf(() => monthlyCost([{ id: "a", category: "x", costUsd: 1e300 }]))).toEqual([
      "INVALID_OPTIONS",
      "lines",
    ]);
  });

  it("reconciles: lines and categories sum to the total, in cents exactly", () => {
    const line = fc.record({
      category: fc.constantFrom("compute", "lambda", "storage", "transfer", "kms"),
      costUsd: fc.oneof(
        fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 1_000_000 }).map((cents) => cents / 100),
        fc.integer({ min: 0, max: 10_000 }).map((mills) => mills / 1000),
      ),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (raw) => {
        const lines = raw.map((entry, index) => ({ id: `line-${index}`, ...entry }));
        const month = monthlyCost(lines);
        const lineCents = month.lines.reduce((sum, entry) => sum + entry.cents, 0);
        const categories = Object.values(month.byCategory);
        const categoryCents = categories.reduce((sum, entry) => sum + entry.cents, 0);
        expect(lineCents).toBe(month.totalCents);
        expect(categoryCents).toBe(month.totalCents);
        const categoryUsd = categories.reduce((sum, entry) => sum + entry.costUsd, 0);
        expect(Math.abs(categoryUsd - month.totalUsd)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, month.totalUsd),
        );
        expect(Math.abs(month.totalCents - month.totalUsd * 100)).toBeLessThanOrEqual(0.5 + 1e-6);
        for (const entry of month.lines)
          expect(Math.abs(entry.cents - entry.costUsd * 100)).toBeLessThan(1 + 1e-9);
        expect(categories.reduce((sum, entry) => sum + entry.lines, 0)).toBe(lines.length);
      }),
      { seed: 15, numRuns: 400 },
    );
  });

  it("has an explicit empty month, and rejects duplicate ids and bad costs", () => {
    expect(monthlyCost([])).toMatchObject({ totalUsd: 0, totalCents: 0, lines: [] });
    expect(
      codeOf(() =>
        monthlyCost([
          { id: "a", category: "compute", costUsd: 1 },
          { id: "a", category: "compute", costUsd: 2 },
        ]),
      ),
    ).toEqual(["DUPLICATE_ID", "lines[1].id"]);
    expect(
      catchEnisError(() =>
        monthlyCost([
          { id: "a", category: "compute", costUsd: 1 },
          { id: "a", category: "compute", costUsd: 2 },
        ]),
      ).message,
    ).toBe('lines[1].id must be unique, got "a" twice');
    expect(codeOf(() => monthlyCost([{ id: "a", category: "compute", costUsd: Number.NaN }]))).toEqual([
      "INVALID_OPTIONS",
      "lines[0].costUsd",
    ]);
    expect(codeOf(() => monthlyCost([{ id: "a", category: "", costUsd: 1 }]))).toEqual([
      "INVALID_OPTIONS",
      "lines[0].category",
    ]);
    expect(monthlyCost([{ id: "a", category: "kms", costUsd: 0 }]).lines[0]!.shareOfTotal).toBe(null);
  });
});

describe("costPerRequest", () => {
  it("compares the cost of a request with the tier's ceiling", () => {
    expect(costPerRequest({ costUsd: 420, requests: 60_000, tier: "🟡" })).toMatchObject({
      valueUsd: 0.007,
      ceilingUsd: 0.01,
      within: true,
      outcome: "within",
      tier: "shared",
    });
    // The seed's ceilings are strict ("< $0.01"): exactly the ceiling is not within.
    expect(costPerRequest({ costUsd: 10, requests: 1000, tier: "shared" }).outcome).toBe("above");
    expect(costPerRequest({ costUsd: 0.9, requests: 1000, tier: "🟤 zero" }).outcome).toBe("within");
    expect(costPerRequest({ costUsd: 5000, requests: 10_000, tier: "compliance" }).outcome).toBe("above");
  });

  it("gives zero requests an explicit outcome, never Infinity or NaN", () => {
    const result = costPerRequest({ costUsd: 12, requests: 0, tier: "lite" });
    expect(result).toMatchObject({ valueUsd: null, within: null, outcome: "no-requests", ceilingUsd: 0.05 });
    expect(result.explanation).toContain("0 requests");
  });

  it("reads the ceiling of a custom tier catalogue, and rejects bad input", () => {
    const tierCatalogue = createTierCatalogue({ lite: { budget: { costPerRequestCeilingUsd: 0.002 } } });
    expect(costPerRequest({ costUsd: 3, requests: 1000, tier: "lite", tierCatalogue }).outcome).toBe("above");
    expect(codeOf(() => costPerRequest({ costUsd: 1, requests: 1, tier: "gold" }))).toEqual([
      "UNKNOWN_TIER",
      "tier",
    ]);
    expect(codeOf(() => costPerRequest({ costUsd: -1, requests: 1, tier: "lite" }))).toEqual([
      "INVALID_OPTIONS",
      "costUsd",
    ]);
    expect(codeOf(() => costPerRequest({ costUsd: 1, requests: 0.5, tier: "lite" }))).toEqual([
      "INVALID_OPTIONS",
      "requests",
    ]);
  });
});
