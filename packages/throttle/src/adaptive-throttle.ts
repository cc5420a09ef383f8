import { EnisError, type TierCatalogue, type TierSpec } from "@enis/core";
import { assertNonNegative, assertObject, invalidField, resolveCatalogue } from "@enis/core/validate";

/*
 * The seed's adaptive throttler (seed 001, AdaptiveThrottler.calculate_throttle_rate): four
 * factors, weighted 0.4 / 0.3 / 0.2 / 0.1, and never below the tier's throttle floor
 * (🟤 0.10, 🟡 0.20, 🟢 0.30, 🔵 0.70, 🔴 0.90). The seed shows the load and behaviour rules; it
 * names only the ranges of the cost (0.8-1.0) and time-of-day (0.9-1.0) factors, so those two
 * are defined here as documented linear and step rules.
 */

/** Weights of the four factors; non-negative, summing to 1. */
export interface ThrottleFactorWeights {
  readonly systemLoad: number;
  readonly behavior: number;
  readonly cost: number;
  readonly timeOfDay: number;
}

/** The seed's weights: system load 40 %, behaviour 30 %, cost 20 %, time of day 10 %. */
export const defaultThrottleFactorWeights: ThrottleFactorWeights = Object.freeze({
  systemLoad: 0.4,
  behavior: 0.3,
  cost: 0.2,
  timeOfDay: 0.1,
});

/** Inputs of {@link adaptiveThrottleRate}. */
export interface AdaptiveThrottleInput {
  /** The tenant's tier: id or emoji. Its `throttleFloor` is the lowest rate returned. */
  readonly tier: string;
  /** Fraction of the platform's capacity in use, >= 0 (above 1 when overloaded). */
  readonly systemLoad: number;
  /**
   * The tenant's current usage: one number, or one number per metric (e.g. `{ cpu, memory }`).
   * Compared with `baseline`, metric by metric.
   */
  readonly current: number | Readonly<Record<string, number>>;
  /** The tenant's normal usage, in the same shape and units as `current`. A baseline of 0 counts as "no spike". */
  readonly baseline: number | Readonly<Record<string, number>>;
  /**
   * Fraction of the tenant's budget already spent for the period, >= 0. The cost factor falls
   * linearly from 1.0 (nothing spent) to 0.8 (budget reached) and stays at 0.8 above it.
   */
  readonly costPressure: number;
  /** Hour of the day in the platform's time zone, in [0, 24). */
  readonly hourOfDay: number;
  /**
   * Peak hours, `[startHour, endHour)` in [0, 24]; the time-of-day factor is 0.9 inside them and
   * 1.0 outside. A start after the end wraps past midnight.
   * @default [9, 18]
   */
  readonly peakHours?: readonly [number, number];
  /** @default defaultThrottleFactorWeights (0.4 / 0.3 / 0.2 / 0.1) */
  readonly factorWeights?: ThrottleFactorWeights;
  /** @default defaultTierCatalogue */
  readonly catalogue?: TierCatalogue;
}

/** Result of {@link adaptiveThrottleRate}. */
export interface AdaptiveThrottleRate {
  /** Multiplier for the tenant's limits, in [tier floor, 1]: 1 = no throttling. */
  readonly rate: number;
  /** Each factor before weighting, for explanation and logs. */
  readonly factors: {
    /** 1.0 below 50 % load, linear to 0.8 at 80 %, 0.7 above. */
    readonly systemLoad: number;
    /** 0.5 above 3x baseline on any metric, 0.7 above 2x, else 1.0. */
    readonly behavior: number;
    /** 1.0 - 0.2 x min(costPressure, 1). */
    readonly cost: number;
    /** 0.9 in peak hours, 1.0 outside. */
    readonly timeOfDay: number;
  };
  /** The tier's throttle floor. */
  readonly floor: number;
  /** True when the floor, not the factors, set the rate. */
  readonly atFloor: boolean;
}

/**
 * The adaptive throttle rate of a tenant: the seed's four-factor model, never below its tier's
 * throttle floor. Pure: the caller supplies load, usage, spend and the hour.
 *
 * @example
 * ```ts
 * const { rate, factors } = adaptiveThrottleRate({
 *   tier: "🟡", systemLoad: 0.65, current: { cpu: 2.5 }, baseline: { cpu: 1 }, costPressure: 0.5, hourOfDay: 14,
 * });
 * // factors: systemLoad 0.9, behavior 0.7, cost 0.9, timeOfDay 0.9 -> rate 0.84
 * ```
 */
export function adaptiveThrottleRate(input: AdaptiveThrottleInput): AdaptiveThrottleRate {
  assertObject(input, "input");
  const catalogue = resolveCatalogue(input.catalogue, "catalogue");
  const tier: TierSpec = catalogue.parse(input.tier);
  assertNonNegative(input.systemLoad, "systemLoad");
  assertNonNegative(input.costPressure, "costPressure");
  const hour = input.hourOfDay;
  if (typeof hour !== "number" || !(hour >= 0 && hour < 24))
    throw invalidField("hourOfDay", hour, "a number in [0, 24)");
  const [peakStart, peakEnd] = parsePeakHours(input.peakHours);
  const weights = parseFactorWeights(input.factorWeights);

  const factors = {
    systemLoad: loadFactor(input.systemLoad),
    behavior: behaviorFactor(maxRatio(input.current, input.baseline)),
    cost: 1 - 0.2 * Math.min(input.costPressure, 1),
    timeOfDay: inHours(hour, peakStart, peakEnd) ? 0.9 : 1,
  };
  const combined =
    weights.systemLoad * factors.systemLoad +
    weights.behavior * factors.behavior +
    weights.cost * factors.cost +
    weights.timeOfDay * factors.timeOfDay;
  const floor = tier.throttleFloor;
  return { rate: Math.max(combined, floor), factors, floor, atFloor: combined <= floor };
}

/** Seed: 1.0 below 50 % load, linear 1.0 -> 0.8 between 50 % and 80 %, 0.7 from 80 % (a deliberate step). */
function loadFactor(load: number): number {
  if (load < 0.5) return 1;
  if (load < 0.8) return 1 - ((load - 0.5) / 0.3) * 0.2;
  return 0.7;
}

/** Seed: a spike above 3x baseline throttles hard (0.5), above 2x moderately (0.7). */
function behaviorFactor(ratio: number): number {
  if (ratio > 3) return 0.5;
  if (ratio > 2) return 0.7;
  return 1;
}

function maxRatio(
  current: AdaptiveThrottleInput["current"],
  baseline: AdaptiveThrottleInput["baseline"],
): number {
  if (typeof current === "number" || typeof baseline === "number") {
    if (typeof current !== "number") throw invalidField("current", current, "a number, as baseline is");
    if (typeof baseline !== "number") throw invalidField("baseline", baseline, "a number, as current is");
    assertNonNegative(current, "current");
    assertNonNegative(baseline, "baseline");
    return baseline > 0 ? current / baseline : 1;
  }
  assertObject(current, "current");
  assertObject(baseline, "baseline");
  let worst = 1;
  for (const metric of Object.keys(current)) {
    const now = current[metric];
    const normal = baseline[metric];
    assertNonNegative(now, `current.${metric}`);
    if (normal === undefined) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `baseline.${metric} is missing, while current.${metric} is ${now}`,
        {
          field: `baseline.${metric}`,
        },
      );
    }
    assertNonNegative(normal, `baseline.${metric}`);
    if (normal > 0) worst = Math.max(worst, now / normal);
  }
  return worst;
}

function parsePeakHours(peakHours: AdaptiveThrottleInput["peakHours"]): [number, number] {
  if (peakHours === undefined) return [9, 18];
  if (!Array.isArray(peakHours) || peakHours.length !== 2) {
    throw invalidField("peakHours", peakHours, "[startHour, endHour]");
  }
  const [start, end] = peakHours as [unknown, unknown];
  for (const [value, field] of [
    [start, "peakHours[0]"],
    [end, "peakHours[1]"],
  ] as const) {
    if (typeof value !== "number" || !(value >= 0 && value <= 24))
      throw invalidField(field, value, "an hour in [0, 24]");
  }
  return [start as number, end as number];
}

function inHours(hour: number, start: number, end: number): boolean {
  return start <= end ? hour >= start && hour < end : hour >= start || hour < end;
}

function parseFactorWeights(weights: ThrottleFactorWeights | undefined): ThrottleFactorWeights {
  if (weights === undefined) return defaultThrottleFactorWeights;
  assertObject(weights, "factorWeights");
  let total = 0;
  for (const key of ["systemLoad", "behavior", "cost", "timeOfDay"] as const) {
    assertNonNegative(weights[key], `factorWeights.${key}`);
    total += weights[key];
  }
  for (const key of Object.keys(weights)) {
    if (!Object.hasOwn(defaultThrottleFactorWeights, key))
      throw invalidField(`factorWeights.${key}`, weights[key as never], "absent (unknown factor)");
  }
  if (Math.abs(total - 1) > 1e-9)
    throw invalidField("factorWeights", weights, `weights summing to 1 (they sum to ${total})`);
  return weights;
}
