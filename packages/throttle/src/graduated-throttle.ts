import type { TierCatalogue } from "@enis/core";
import {
  assertFinite,
  assertObject,
  assertPositive,
  invalidField,
  resolveCatalogue,
} from "@enis/core/validate";

/** How hard a noisy neighbour is throttled. */
export type ThrottleSeverity = "low" | "moderate" | "severe";

/** The seed's graduated levels (seed 001, NoisyNeighborDetector.apply_throttling): -10 % / -30 % / -50 %. */
export const severityFactors: Readonly<Record<ThrottleSeverity, number>> = Object.freeze({
  low: 0.9,
  moderate: 0.7,
  severe: 0.5,
});

/** Inputs of {@link graduatedThrottle}. */
export interface GraduatedThrottleInput {
  readonly severity: ThrottleSeverity;
  /** The tenant's tier: id or emoji; its throttle floor bounds the factor from below. */
  readonly tier: string;
  /** When the throttle was applied, in milliseconds. */
  readonly appliedAtMs: number;
  /** How long it lasts, in milliseconds (> 0). */
  readonly durationMs: number;
  /** The time to evaluate at, in milliseconds. */
  readonly nowMs: number;
  /** @default defaultTierCatalogue */
  readonly catalogue?: TierCatalogue;
}

/** Result of {@link graduatedThrottle}. */
export interface GraduatedThrottle {
  /** Multiplier for the tenant's limits now: the severity's level, never below the tier floor; 1 once expired. */
  readonly factor: number;
  readonly active: boolean;
  readonly expiresAtMs: number;
  /** True when the tier floor, not the severity, set the factor. */
  readonly atFloor: boolean;
}

/**
 * The limit multiplier of a graduated throttle on a noisy neighbour: low / moderate / severe →
 * 0.9 / 0.7 / 0.5 of its limits, never below its tier's throttle floor (so a 🔴 tenant keeps 90 %),
 * and back to 1 once `durationMs` has passed. Pure: state lives with the caller or a store.
 *
 * @example
 * ```ts
 * graduatedThrottle({ severity: "severe", tier: "🔵", appliedAtMs: 0, durationMs: 60_000, nowMs: 1_000 });
 * // { factor: 0.7, active: true, expiresAtMs: 60000, atFloor: true }
 * ```
 */
export function graduatedThrottle(input: GraduatedThrottleInput): GraduatedThrottle {
  assertObject(input, "input");
  const level = severityFactors[input.severity as ThrottleSeverity];
  if (
    typeof input.severity !== "string" ||
    level === undefined ||
    !Object.hasOwn(severityFactors, input.severity)
  ) {
    throw invalidField("severity", input.severity, '"low", "moderate" or "severe"');
  }
  const tier = resolveCatalogue(input.catalogue, "catalogue").parse(input.tier);
  assertFinite(input.appliedAtMs, "appliedAtMs");
  assertPositive(input.durationMs, "durationMs");
  assertFinite(input.nowMs, "nowMs");
  const expiresAtMs = input.appliedAtMs + input.durationMs;
  const active = input.nowMs >= input.appliedAtMs && input.nowMs < expiresAtMs;
  if (!active) return { factor: 1, active, expiresAtMs, atFloor: false };
  return {
    factor: Math.max(level, tier.throttleFloor),
    active,
    expiresAtMs,
    atFloor: tier.throttleFloor >= level,
  };
}
