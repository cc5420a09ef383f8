import { EnisError, type TierCatalogue } from "@enis/core";
import {
  assertArray,
  assertKnownKeys,
  assertObject,
  invalidField,
  resolveCatalogue,
} from "@enis/core/validate";

/** One tenant's inputs to the proportional-share model; every score is in [0, 1]. */
export interface ProportionalShareTenant {
  /** Unique id; becomes a key of the result records. */
  readonly id: string;
  /** Tier id or emoji; its score is the tier's weight divided by the largest weight in the catalogue. */
  readonly tier: string;
  /** How reliably the tenant has paid: 1 = always on time, 0 = in arrears (the caller's own measure). */
  readonly paymentHistory: number;
  /** How well the tenant uses what it gets: 1 = uses all it is given (e.g. usage / request), 0 = idle. */
  readonly resourceEfficiency: number;
  /**
   * How much the current time of day favours the tenant: 1 = inside its business or contracted
   * hours, 0 = its off hours. The caller computes it from its own clock (cores read no clock).
   */
  readonly timeOfDay: number;
}

/** Weight of each factor in a tenant's weight: non-negative, summing to 1. */
export interface FactorWeights {
  /** @default 0.4 (seed 001, `proportional_share`: tier_level 40%) */
  readonly tier: number;
  /** @default 0.3 (seed 001: payment_history 30%) */
  readonly paymentHistory: number;
  /** @default 0.2 (seed 001: resource_efficiency 20%) */
  readonly resourceEfficiency: number;
  /** @default 0.1 (seed 001: time_of_day 10%) */
  readonly timeOfDay: number;
}

/** Options of {@link proportionalShare}. */
export interface ProportionalShareOptions {
  /** The tenants; ids unique. */
  readonly tenants: readonly ProportionalShareTenant[];
  /**
   * Factor weights; all four keys, each finite and >= 0, summing to 1 (within 1e-9).
   * @default { tier: 0.4, paymentHistory: 0.3, resourceEfficiency: 0.2, timeOfDay: 0.1 }
   */
  readonly factorWeights?: FactorWeights;
  /**
   * Tier catalogue used to resolve `tier` and its weight.
   * @default defaultTierCatalogue
   */
  readonly catalogue?: TierCatalogue;
}

/** The four factor scores of one tenant, each in [0, 1]. */
export interface FactorScores {
  readonly tier: number;
  readonly paymentHistory: number;
  readonly resourceEfficiency: number;
  readonly timeOfDay: number;
}

/** Result of {@link proportionalShare}. */
export interface ProportionalShareResult {
  /** Weight of each tenant, `sum factorWeight * score`, in (0, 1]; feed it to `maxMinAllocate`. */
  readonly weights: Record<string, number>;
  /** The scores behind each weight, for explanation and audit. */
  readonly factors: Record<string, FactorScores>;
}

/** Seed 001, `fair_scheduler.proportional_share.factors`. */
export const defaultFactorWeights: FactorWeights = Object.freeze({
  tier: 0.4,
  paymentHistory: 0.3,
  resourceEfficiency: 0.2,
  timeOfDay: 0.1,
});

const factorKeys = ["tier", "paymentHistory", "resourceEfficiency", "timeOfDay"] as const;
const optionKeys: ReadonlySet<string> = new Set(["tenants", "factorWeights", "catalogue"]);
const tenantKeys: ReadonlySet<string> = new Set([
  "id",
  "tier",
  "paymentHistory",
  "resourceEfficiency",
  "timeOfDay",
]);

/**
 * The seed's proportional-share model (seed 001): a tenant's weight is a weighted sum of four
 * scores in [0, 1] — tier 40%, payment history 30%, resource efficiency 20%, time of day 10% by
 * default. The weights only matter relative to each other: they are meant as the `weight` of
 * {@link maxMinAllocate} tenants. Throws `INVALID_OPTIONS` for a score outside [0, 1], factor
 * weights that are negative or do not sum to 1, or a resulting weight of 0 (possible only when
 * the tier factor weighs 0); `UNKNOWN_TIER`; `DUPLICATE_ID`.
 *
 * @example
 * ```ts
 * const tenants = [
 *   { id: "acme", tier: "lite", paymentHistory: 1, resourceEfficiency: 0.8, timeOfDay: 1 },
 *   { id: "initech", tier: "🟤", paymentHistory: 0.5, resourceEfficiency: 0.4, timeOfDay: 0 },
 * ];
 * const { weights } = proportionalShare({ tenants });
 * const { allocations } = maxMinAllocate({
 *   capacity: 100,
 *   tierFloors: "none",
 *   tenants: [
 *     { id: "acme", demand: 80, weight: weights["acme"]! },
 *     { id: "initech", demand: 80, weight: weights["initech"]! },
 *   ],
 * });
 * ```
 */
export function proportionalShare(options: ProportionalShareOptions): ProportionalShareResult {
  assertObject(options, "options");
  assertKnownKeys(options as unknown as Record<string, unknown>, optionKeys, "options");
  const tenants: unknown = options.tenants;
  assertArray(tenants, "tenants");
  const catalogue = resolveCatalogue(options.catalogue, "catalogue");
  const factorWeights = resolveFactorWeights(options.factorWeights);
  let largestTierWeight = 0;
  for (const tier of catalogue.tiers) largestTierWeight = Math.max(largestTierWeight, tier.weight);

  const weights: Record<string, number> = Object.create(null);
  const factors: Record<string, FactorScores> = Object.create(null);
  for (let index = 0; index < tenants.length; index++) {
    const tenant = tenants[index];
    const field = `tenants[${index}]`;
    assertObject(tenant, field);
    assertKnownKeys(tenant, tenantKeys, field);
    const id = tenant["id"];
    if (typeof id !== "string" || id.length === 0)
      throw invalidField(`${field}.id`, id, "a non-empty string");
    if (weights[id] !== undefined) {
      throw new EnisError("DUPLICATE_ID", `${field}.id must be unique, got ${JSON.stringify(id)} twice`, {
        field: `${field}.id`,
      });
    }
    let tierWeight: number;
    try {
      tierWeight = catalogue.parse(tenant["tier"]).weight;
    } catch (error) {
      if (!EnisError.isInstance(error)) throw error;
      throw new EnisError(error.code, `${field}.${error.message}`, { field: `${field}.tier`, cause: error });
    }
    const scores: FactorScores = Object.freeze({
      tier: tierWeight / largestTierWeight,
      paymentHistory: score(tenant["paymentHistory"], `${field}.paymentHistory`),
      resourceEfficiency: score(tenant["resourceEfficiency"], `${field}.resourceEfficiency`),
      timeOfDay: score(tenant["timeOfDay"], `${field}.timeOfDay`),
    });
    let weight = 0;
    for (const key of factorKeys) weight += factorWeights[key] * scores[key];
    if (!(weight > 0)) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field} must score above 0 on some factor with a non-zero factor weight, got 0 on each (weight 0)`,
        { field },
      );
    }
    weights[id] = weight;
    factors[id] = scores;
  }
  return { weights, factors };
}

function score(value: unknown, field: string): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    throw invalidField(field, value, "a number in [0, 1]");
  return value;
}

function resolveFactorWeights(input: unknown): FactorWeights {
  if (input === undefined) return defaultFactorWeights;
  assertObject(input, "factorWeights");
  assertKnownKeys(input, new Set(factorKeys), "factorWeights");
  let total = 0;
  for (const key of factorKeys) {
    const value = input[key];
    if (typeof value !== "number" || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      throw invalidField(`factorWeights.${key}`, value, "a finite number >= 0");
    }
    total += value;
  }
  if (Math.abs(total - 1) > 1e-9) {
    throw new EnisError("INVALID_OPTIONS", `factorWeights must sum to 1, got ${total}`, {
      field: "factorWeights",
    });
  }
  return input as unknown as FactorWeights;
}
