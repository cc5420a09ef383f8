import { describe, expect, it } from "vitest";
import { runTierChoices, runTierPlans } from "./tiers.js";

describe("the demo's tier section", () => {
  it("plans one tenant of each tier within its ceiling, and picks a tier for each new workload", () => {
    const { rows, shifChanges } = runTierPlans(Date.UTC(2026, 10, 20));
    expect(rows.map((row) => row.tier)).toEqual(["zero", "shared", "lite", "enterprise", "compliance"]);
    for (const row of rows) {
      expect(row.afterUsd).toBeGreaterThan(0);
      expect(row.afterUsd).toBeLessThanOrEqual(row.ceilingUsd);
      // Tiers 🟤 to 🔵 save; 🔴 sizes for compliance, which costs more than the unhardened workload.
      if (row.tier === "compliance") expect(row.afterUsd).toBeGreaterThan(row.beforeUsd);
      else expect(row.afterUsd).toBeLessThan(row.beforeUsd);
    }
    expect(shifChanges.length).toBeGreaterThan(0);
    const choices = runTierChoices();
    expect(choices.map((choice) => choice.answer.recommended)).toEqual(["zero", "lite", "enterprise"]);
    for (const { answer } of choices) {
      for (const tier of answer.tiers) {
        if (!tier.recommended) expect(tier.reasons.length).toBeGreaterThan(0);
      }
    }
  });
});
