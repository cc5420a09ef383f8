import { describe, expect, it } from "vitest";
import { runCompliance } from "./compliance.js";

describe("the demo's compliance section", () => {
  it("rejects the request for GDPR residency and PCI segmentation, approves the correction, and catches the tampering", async () => {
    const result = await runCompliance(Date.UTC(2026, 10, 20, 12));
    expect(result.rejected.compliant).toBe(false);
    expect(result.rejected.violations.map((v) => [v.framework, v.field])).toEqual([
      ["gdpr", "region"],
      ["pci-dss", "networkSegmentation.cdeIsolated"],
    ]);
    expect(result.approved.compliant).toBe(true);
    const lineTotal = result.cost.lines.reduce((sum, line) => sum + line.costUsd, 0);
    expect(lineTotal).toBeCloseTo(result.cost.costUsd, 6);
    expect(result.cost.seedMultipliers.costUsd).toBeGreaterThan(result.cost.costUsd);
    expect(result.verified.ok).toBe(true);
    expect(result.tampered.ok).toBe(false);
    expect(result.tampered.problem!.index).toBe(1);
    expect(result.dropped.ok).toBe(false);
    expect(result.dropped.problem!.index).toBe(3);
  });
});
