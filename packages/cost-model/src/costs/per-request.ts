import type { TierCatalogue, TierId } from "@enis/core";
import {
  assertInteger,
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  resolveCatalogue,
} from "@enis/core/validate";
import { num, tidy, usd } from "./money.js";

/** Input of {@link costPerRequest}. */
export interface CostPerRequestInput {
  /** What the requests cost, USD, finite and >= 0. */
  readonly costUsd: number;
  /** How many requests that cost served, a whole number >= 0. */
  readonly requests: number;
  /** The tier whose ceiling applies: an id (`"lite"`), an emoji (`"🟢"`) or both. */
  readonly tier: string;
  /**
   * The tier catalogue holding the ceilings.
   * @default defaultTierCatalogue (🟤 $0.001, 🟡 $0.01, 🟢 $0.05, 🔵 $0.10, 🔴 $0.50 a request)
   */
  readonly tierCatalogue?: TierCatalogue;
}

/**
 * How a cost per request compares with its tier's ceiling:
 * - `"within"`: below the ceiling;
 * - `"above"`: at or above the ceiling (the seed's ceilings are strict: "< $0.01");
 * - `"no-requests"`: zero requests, so there is no cost per request to compare.
 */
export type CostPerRequestOutcome = "within" | "above" | "no-requests";

/** Result of {@link costPerRequest}. */
export interface CostPerRequestResult {
  /** `costUsd / requests`, USD, or null with zero requests. */
  readonly valueUsd: number | null;
  /** The tier's `costPerRequestCeilingUsd`. */
  readonly ceilingUsd: number;
  /** `valueUsd < ceilingUsd`, or null with zero requests. */
  readonly within: boolean | null;
  readonly outcome: CostPerRequestOutcome;
  /** The tier's id. */
  readonly tier: TierId;
  readonly costUsd: number;
  readonly requests: number;
  /** The comparison in words and numbers. */
  readonly explanation: string;
}

const perRequestKeys: ReadonlySet<string> = new Set(["costUsd", "requests", "tier", "tierCatalogue"]);

/**
 * The cost of one request against the ceiling of the tenant's tier (`@enis/core`'s budget
 * profile, seed 000: 🟤 $0.001, 🟡 $0.01, 🟢 $0.05, 🔵 $0.10, 🔴 $0.50). Zero requests is an
 * explicit outcome (`"no-requests"`, `valueUsd: null`), never Infinity or NaN. Throws `EnisError`
 * `INVALID_OPTIONS` (negative cost, fractional requests) or `UNKNOWN_TIER`.
 *
 * @example
 * ```ts
 * costPerRequest({ costUsd: 420, requests: 60_000, tier: "🟡" });
 * // { valueUsd: 0.007, ceilingUsd: 0.01, within: true, outcome: "within", ... }
 * ```
 */
export function costPerRequest(input: CostPerRequestInput): CostPerRequestResult {
  assertObject(input, "input");
  assertKnownKeys(input as unknown as Record<string, unknown>, perRequestKeys, "input");
  const { costUsd, requests } = input;
  assertNonNegative(costUsd, "costUsd");
  assertInteger(requests, "requests");
  const tiers = resolveCatalogue(input.tierCatalogue, "tierCatalogue");
  const tier = tiers.parse(input.tier);
  const ceilingUsd = tier.budget.costPerRequestCeilingUsd;
  const label = `${tier.emoji} ${tier.id}`;
  if (requests === 0) {
    return {
      valueUsd: null,
      ceilingUsd,
      within: null,
      outcome: "no-requests",
      tier: tier.id,
      costUsd,
      requests,
      explanation: `${usd(costUsd)} over 0 requests: no cost per request to compare with the ${label} ceiling of ${usd(ceilingUsd)}`,
    };
  }
  const valueUsd = tidy(costUsd / requests);
  const within = valueUsd < ceilingUsd;
  return {
    valueUsd,
    ceilingUsd,
    within,
    outcome: within ? "within" : "above",
    tier: tier.id,
    costUsd,
    requests,
    explanation: `${usd(costUsd)} / ${num(requests)} requests = ${usd(valueUsd)} a request, ${
      within ? "below" : "not below"
    } the ${label} ceiling of ${usd(ceilingUsd)}`,
  };
}
