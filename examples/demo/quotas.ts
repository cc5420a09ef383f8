import { defaultTierCatalogue, type TierId, tierIds } from "@enis/core";
import {
  adaptiveThrottleRate,
  createMemoryStore,
  createQuotaManager,
  createResilientStore,
  graduatedThrottle,
  type ThrottleStore,
} from "@enis/throttle";
import type { Platform } from "./simulation.js";

/** A tenant `detectNoisyNeighbours` flagged, with the severity it graded. */
export interface FlaggedTenant {
  readonly tenantId: string;
  readonly severity: "low" | "moderate" | "severe";
}

/** Requests per minute each tenant of a tier may send: the platform's per-tier quota. */
export const requestsPerMinuteByTier: Record<TierId, number> = {
  zero: 60,
  shared: 120,
  lite: 300,
  enterprise: 600,
  compliance: 1_200,
};

/** What the quota section saw, per tier (flagged tenants apart, under "flagged"). */
export interface QuotaOutcome {
  readonly byGroup: Map<
    TierId | "flagged",
    { requests: number; allowed: number; throttled: number; degraded: number }
  >;
  /** Each flagged tenant's throttle rate before and during its graduated throttle. */
  readonly flaggedRates: readonly {
    readonly tenantId: string;
    readonly before: number;
    readonly during: number;
  }[];
  readonly storeName: string;
  readonly outage: { readonly fromMs: number; readonly toMs: number };
}

/** A store that can be made to fail, to show degraded mode. */
function withOutage(store: ThrottleStore) {
  let down = false;
  const gate = <T>(action: () => Promise<T>): Promise<T> =>
    down ? Promise.reject(new Error("connection refused (simulated outage)")) : action();
  const wrapped: ThrottleStore = {
    name: store.name,
    apply: (rules, options) => gate(() => store.apply(rules, options)),
    refund: (rules, options) => gate(() => store.refund(rules, options)),
    release: (key, id, options) => gate(() => store.release(key, id, options)),
    reset: (keys) => gate(() => store.reset(keys)),
  };
  return { store: wrapped, setDown: (value: boolean) => (down = value) };
}

/**
 * Replays the platform's request trace through per-tier quotas. Each tenant's limit is scaled by
 * its adaptive throttle rate (load, behaviour against its tier's normal rate, spend, hour); each
 * tenant `detectNoisyNeighbours` flagged on the first 20 s is also put under a graduated throttle of
 * the severity it graded, from 20 s for 30 s. For five seconds
 * the shared store goes down and the resilient store decides on its in-memory fallback.
 */
export async function runQuotas(
  platform: Platform,
  sharedStore: ThrottleStore = createMemoryStore(),
  flagged: readonly FlaggedTenant[] = [],
): Promise<QuotaOutcome> {
  const severityOf = new Map(flagged.map((tenant) => [tenant.tenantId, tenant.severity]));
  const outageWindow = { fromMs: 40_000, toMs: 45_000 };
  const flaky = withOutage(sharedStore);
  let simulatedNow = 0;
  const store = createResilientStore({
    store: flaky.store,
    timeoutMs: 50,
    onUnavailable: "fallback",
    probeIntervalMs: 1_000,
    clock: { nowMs: () => simulatedNow },
  });
  const quotas = createQuotaManager({
    dimensions: { requestsPerMinute: { kind: "rate", windowMs: 60_000, algorithm: "sliding-window" } },
    limits: {},
    store,
  });
  for (const tenant of platform.tenants) {
    quotas.setLimits(
      { org: tenant.id },
      {
        requestsPerMinute: {
          hard: requestsPerMinuteByTier[tenant.tier],
          soft: Math.floor(requestsPerMinuteByTier[tenant.tier] * 0.8),
        },
      },
    );
  }
  const offeredMs = platform.trace.reduce((sum, request) => sum + request.costMs, 0);
  const systemLoad = offeredMs / (platform.workers * platform.durationMs);
  const normalRate: Record<TierId, number> = { zero: 0.5, shared: 1, lite: 2, enterprise: 5, compliance: 5 };
  const rateOf = (tenantIndex: number, nowMs: number): number => {
    const tenant = platform.tenants[tenantIndex]!;
    const adaptive = adaptiveThrottleRate({
      tier: tenant.tier,
      systemLoad,
      current: tenant.ratePerSecond,
      baseline: normalRate[tenant.tier],
      costPressure: 0.3,
      hourOfDay: 14,
    });
    const severity = severityOf.get(tenant.id);
    if (severity === undefined) return adaptive.rate;
    // Detected on the first 20 s, throttled at the graded severity for 30 s.
    const graduated = graduatedThrottle({
      severity,
      tier: tenant.tier,
      appliedAtMs: 20_000,
      durationMs: 30_000,
      nowMs,
    });
    return Math.max(defaultTierCatalogue.get(tenant.tier).throttleFloor, adaptive.rate * graduated.factor);
  };

  const byGroup = new Map(
    [...tierIds, "flagged" as const].map((group) => [
      group,
      { requests: 0, allowed: 0, throttled: 0, degraded: 0 },
    ]),
  );
  const epoch = 1_763_000_000_000;
  for (const request of platform.trace) {
    simulatedNow = request.arrivalMs;
    flaky.setDown(request.arrivalMs >= outageWindow.fromMs && request.arrivalMs < outageWindow.toMs);
    const tenant = platform.tenants[request.tenantIndex]!;
    const decision = await quotas.check(
      { org: tenant.id },
      { requestsPerMinute: 1 },
      { nowMs: epoch + request.arrivalMs, rate: rateOf(request.tenantIndex, request.arrivalMs) },
    );
    const counts = byGroup.get(severityOf.has(tenant.id) ? "flagged" : tenant.tier)!;
    counts.requests++;
    if (decision.allowed) counts.allowed++;
    else counts.throttled++;
    if (decision.reason === "degraded" || decision.reason === "store-unavailable") counts.degraded++;
  }
  const indexOf = new Map(platform.tenants.map((tenant, i) => [tenant.id, i]));
  return {
    byGroup,
    flaggedRates: flagged.map(({ tenantId }) => ({
      tenantId,
      before: rateOf(indexOf.get(tenantId)!, 0),
      during: rateOf(indexOf.get(tenantId)!, 30_000),
    })),
    storeName: sharedStore.name,
    outage: outageWindow,
  };
}
