/**
 * The demo's anomaly sections: the noisy neighbour found from the platform's usage by
 * `detectNoisyNeighbours` (nobody names it), and a cost incident found in the simulated hourly spend
 * by `createAnomalyDetector`.
 */
import {
  anomalyDetectorFromJSON,
  createAnomalyDetector,
  detectNoisyNeighbours,
  type NoisyNeighbourReport,
  type UsageSample,
} from "@enis/anomaly";
import { createRandom, type TierId, tierIds } from "@enis/core";
import type { Platform } from "./simulation.js";
import { lineChartSvg } from "./svg.js";

/** Memory each tier's tenants hold, GiB (demo data). */
const memoryGibByTier: Record<TierId, number> = {
  zero: 0.5,
  shared: 1,
  lite: 2,
  enterprise: 8,
  compliance: 8,
};
/** Mean response size, KiB: network out per request (demo data). */
const kibPerRequest = 24;
/** The tenants' usual request rate at this hour, per second (what the history shows). */
const usualRatePerSecond: Record<TierId, number> = {
  zero: 0.5,
  shared: 1,
  lite: 2,
  enterprise: 5,
  compliance: 5,
};

/**
 * Usage samples (5 s apart) for every tenant: the first `windowMs` of the simulated minute, read
 * from the request trace (requests, the CPU their work took, network out), and the same stretch of
 * the 7 previous days at each tenant's usual rate — its own history. Four 🔵 and 🔴 tenants run a
 * batch at this hour every day: busy against their neighbours, ordinary against their history.
 */
export function platformUsage(platform: Platform, nowMs: number, windowMs: number): UsageSample[] {
  const stepMs = 5_000;
  const steps = windowMs / stepMs;
  const random = createRandom(31);
  const batchAtThisHour = new Set(
    platform.tenants
      .filter((t) => t.tier === "enterprise" || t.tier === "compliance")
      .map((t) => t.id)
      .slice(0, 4),
  );
  const requests = platform.tenants.map(() => new Float64Array(steps));
  const workMs = platform.tenants.map(() => new Float64Array(steps));
  for (const request of platform.trace) {
    const step = Math.floor(request.arrivalMs / stepMs);
    if (step >= steps) break;
    requests[request.tenantIndex]![step]! += 1;
    workMs[request.tenantIndex]![step]! += request.costMs;
  }
  const startMs = nowMs - windowMs;
  const samples: UsageSample[] = [];
  const sample = (tenantIndex: number, timestampMs: number, count: number, work: number, batch: number) => {
    const tenant = platform.tenants[tenantIndex]!;
    samples.push({
      tenantId: tenant.id,
      timestampMs,
      requests: count + batch * 40,
      cpu: work / stepMs + batch * 2.5,
      memory: memoryGibByTier[tenant.tier] * (1 + 0.05 * random.nextGaussian()) + batch * 24,
      network: count * kibPerRequest + batch * 4_000,
    });
  };
  platform.tenants.forEach((tenant, i) => {
    const batch = batchAtThisHour.has(tenant.id) ? 1 : 0;
    for (let step = 0; step < steps; step++) {
      sample(i, startMs + step * stepMs, requests[i]![step]!, workMs[i]![step]!, batch);
    }
    for (let day = 1; day <= 7; day++) {
      for (let step = 0; step < steps; step++) {
        // The usual rate, with Poisson-like noise; each request ~10 ms of work.
        const mean = (usualRatePerSecond[tenant.tier] * stepMs) / 1000;
        const count = Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        sample(
          i,
          startMs - day * 86_400_000 + step * stepMs,
          count,
          count * 10 * Math.exp(0.3 * random.nextGaussian()),
          batch,
        );
      }
    }
  });
  return samples;
}

/** `detectNoisyNeighbours` over the platform's usage: the first 20 simulated seconds against neighbours and history. */
export function findNoisyNeighbours(
  platform: Platform,
  nowMs: number,
  windowMs = 20_000,
): { report: NoisyNeighbourReport; batchTenants: readonly string[] } {
  const usage = platformUsage(platform, nowMs, windowMs);
  const report = detectNoisyNeighbours(usage, { windowMs, nowMs, contamination: 0.01, seed: 1 });
  const batchTenants = platform.tenants
    .filter((t) => t.tier === "enterprise" || t.tier === "compliance")
    .map((t) => t.id)
    .slice(0, 4);
  return { report, batchTenants };
}

/** One raised point of the spend watch. */
export interface SpendAlert {
  readonly tier: TierId;
  readonly atMs: number;
  readonly usd: number;
  readonly usualUsd: number;
  readonly score: number;
  readonly driver: string;
}

/**
 * Watches each tier's hourly spend with a streaming detector (as a service would, point by point,
 * resuming from its JSON state), with the settings for a smooth series: `tolerance: 2`.
 */
export function watchSpend(
  historyByTier: Readonly<Record<TierId, Float64Array>>,
  startMs: number,
): { alerts: SpendAlert[]; points: number; svg: string } {
  const hourMs = 3_600_000;
  const alerts: SpendAlert[] = [];
  let points = 0;
  for (const tier of tierIds) {
    const series = historyByTier[tier];
    let detector = createAnomalyDetector({ tolerance: 2 });
    series.forEach((usd, h) => {
      // A restart every 30 days: the detector resumes from its stored state.
      if (h > 0 && h % 720 === 0) detector = anomalyDetectorFromJSON(JSON.parse(JSON.stringify(detector)));
      const update = detector.update(usd, startMs + h * hourMs);
      points++;
      if (update.isAnomaly) {
        const sameHourLastWeek = h >= 168 ? series[h - 168]! : series[h]!;
        alerts.push({
          tier,
          atMs: startMs + h * hourMs,
          usd,
          usualUsd: sameHourLastWeek,
          score: update.score,
          driver: update.driver!,
        });
      }
    });
  }
  // The chart: the alerted tier's spend over the two weeks around its first alert, alerts marked.
  const first = alerts[0];
  const tier = first?.tier ?? "shared";
  const series = historyByTier[tier];
  const centre = first ? Math.round((first.atMs - startMs) / hourMs) : series.length - 168;
  const from = Math.max(0, centre - 7 * 24);
  const to = Math.min(series.length, centre + 7 * 24);
  const days = (h: number) => (h - centre) / 24;
  const svg = lineChartSvg({
    title: `${tier} tier: hourly spend around the raised alerts (streaming detector, tolerance 2)`,
    xLabel: "days from the first alert",
    yLabel: "on-demand cost per hour, USD",
    series: [
      {
        name: `${tier} tier`,
        colour: "#444444",
        points: Array.from(
          { length: to - from },
          (_, i) => [days(from + i), series[from + i]!] as [number, number],
        ),
      },
    ],
    // One label for all the tier's alerts (they are hours apart: separate labels would overlap).
    markers: alerts
      .filter((alert) => alert.tier === tier)
      .map((alert, i, shown) => ({
        x: days(Math.round((alert.atMs - startMs) / hourMs)),
        label:
          i === 0
            ? `alerts at ${shown.map((a) => new Date(a.atMs).toISOString().slice(11, 16)).join(", ")} UTC`
            : "",
        colour: "#d62728",
      })),
  });
  return { alerts, points, svg };
}
