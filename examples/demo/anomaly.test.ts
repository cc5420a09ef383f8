import { describe, expect, it } from "vitest";
import { findNoisyNeighbours, watchSpend } from "./anomaly.js";
import { runForecast } from "./forecast.js";
import { createPlatform } from "./simulation.js";

describe("the demo's anomaly sections", () => {
  it("detectNoisyNeighbours finds the tenant the simulation made flood, and only it, from usage alone", () => {
    const platform = createPlatform();
    const { report, batchTenants } = findNoisyNeighbours(platform, Date.UTC(2026, 10, 20, 12));
    const flooding = platform.tenants.filter((tenant) => tenant.floods).map((tenant) => tenant.id);
    expect(report.flagged.map((tenant) => tenant.tenantId)).toEqual(flooding);
    expect(report.flagged[0]!.severity).toBe("severe");
    // The batch tenants stand out against their neighbours but not against their own history.
    expect(batchTenants.length).toBe(4);
    for (const id of batchTenants) expect(report.flagged.map((tenant) => tenant.tenantId)).not.toContain(id);
  });

  it("the spend watch raises the simulated incident, at its start, and nothing else", () => {
    const outlook = runForecast({
      hourlyUsdByTier: { zero: 4, shared: 6, lite: 9, enterprise: 16, compliance: 13 },
      endMs: Date.UTC(2026, 10, 1),
      months: 6,
    });
    const { alerts } = watchSpend(outlook.historyByTier, outlook.startMs);
    const { incident } = outlook;
    expect(alerts.some((alert) => alert.tier === incident.tier && alert.atMs === incident.fromMs)).toBe(true);
    const outside = alerts.filter(
      (alert) =>
        alert.tier !== incident.tier ||
        alert.atMs < incident.fromMs ||
        alert.atMs > incident.fromMs + incident.hours * 3_600_000,
    );
    expect(outside).toEqual([]);
  });
});
