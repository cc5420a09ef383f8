import { defaultTierCatalogue } from "@enis/core";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test-support/enis-error.js";
import { graduatedThrottle } from "./graduated-throttle.js";

describe("graduatedThrottle", () => {
  const base = { tier: "zero", appliedAtMs: 1_000, durationMs: 60_000 };

  it("applies 0.9 / 0.7 / 0.5 while active, and 1 once expired", () => {
    expect(graduatedThrottle({ ...base, severity: "low", nowMs: 1_000 }).factor).toBe(0.9);
    expect(graduatedThrottle({ ...base, severity: "moderate", nowMs: 30_000 }).factor).toBe(0.7);
    expect(graduatedThrottle({ ...base, severity: "severe", nowMs: 60_999 })).toEqual({
      factor: 0.5,
      active: true,
      expiresAtMs: 61_000,
      atFloor: false,
    });
    expect(graduatedThrottle({ ...base, severity: "severe", nowMs: 61_000 })).toMatchObject({
      factor: 1,
      active: false,
    });
    expect(graduatedThrottle({ ...base, severity: "severe", nowMs: 999 }).active).toBe(false);
  });

  it("never goes below the tier's throttle floor", () => {
    for (const tier of defaultTierCatalogue.tiers) {
      for (const severity of ["low", "moderate", "severe"] as const) {
        const { factor } = graduatedThrottle({ ...base, tier: tier.emoji, severity, nowMs: 2_000 });
        expect(factor).toBeGreaterThanOrEqual(tier.throttleFloor);
      }
    }
    expect(graduatedThrottle({ ...base, tier: "🔴", severity: "low", nowMs: 2_000 })).toMatchObject({
      factor: 0.9,
      atFloor: true,
    });
    expect(graduatedThrottle({ ...base, tier: "🔵", severity: "severe", nowMs: 2_000 }).factor).toBe(0.7);
  });

  it("rejects bad inputs with EnisError naming the field", () => {
    expect(codeOf(() => graduatedThrottle({ ...base, severity: "extreme" as never, nowMs: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "severity",
    ]);
    expect(codeOf(() => graduatedThrottle({ ...base, severity: "toString" as never, nowMs: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "severity",
    ]);
    expect(codeOf(() => graduatedThrottle({ ...base, severity: "low", durationMs: 0, nowMs: 0 }))).toEqual([
      "INVALID_OPTIONS",
      "durationMs",
    ]);
    expect(codeOf(() => graduatedThrottle({ ...base, severity: "low", nowMs: Number.NaN }))).toEqual([
      "INVALID_OPTIONS",
      "nowMs",
    ]);
    expect(codeOf(() => graduatedThrottle({ ...base, severity: "low", tier: "gold", nowMs: 0 }))).toEqual([
      "UNKNOWN_TIER",
      "tier",
    ]);
  });
});
