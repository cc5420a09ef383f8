import { assertInteger, assertKnownKeys, assertNonNegative, assertObject } from "@enis/core/validate";
import { checkPurchase, hourlyPrice, lookupInstanceType, provenanceFor } from "../catalogue/catalogue.js";
import { resolvePricingCatalogue } from "../catalogue/resolve.js";
import type { PriceProvenance, PricingCatalogue, PurchaseOption } from "../catalogue/types.js";
import { assertFiniteCost, num, tidy, usd } from "./money.js";

/** Input of {@link computeCost}. */
export interface ComputeCostInput {
  /** An instance type of the catalogue, e.g. `"m5.large"`. */
  readonly instanceType: string;
  /**
   * Hours billed per instance, finite and >= 0. For a reserved option these are the hours of the
   * term you pay for, used or not (730 for a month, the AWS Pricing Calculator's month).
   */
  readonly hours: number;
  /**
   * How the hours are bought.
   * @default "on-demand"
   */
  readonly purchase?: PurchaseOption;
  /**
   * Number of instances, a whole number >= 0.
   * @default 1
   */
  readonly count?: number;
}

/** Result of {@link computeCost}: the cost and everything it was computed from. */
export interface ComputeCostResult {
  /** The roll-up category of this cost (see {@link monthlyCost}). */
  readonly category: "compute";
  /** `instanceHours × hourlyUsd`, in US dollars. */
  readonly costUsd: number;
  readonly instanceType: string;
  readonly purchase: PurchaseOption;
  /** Hours per instance, as given. */
  readonly hours: number;
  /** Instances, as given (default 1). */
  readonly count: number;
  /** `hours × count`. */
  readonly instanceHours: number;
  /** The catalogue's price of one instance-hour under `purchase`, USD. */
  readonly hourlyUsd: number;
  /** Where `hourlyUsd` comes from (`approximate: true` for the default catalogue's spot and reserved figures). */
  readonly provenance: PriceProvenance;
  /** The computation in words and numbers. */
  readonly explanation: string;
}

const computeKeys: ReadonlySet<string> = new Set(["instanceType", "hours", "purchase", "count"]);

/**
 * Cost of instance-hours bought one way: `hours × count × hourly price` of the catalogue (default
 * {@link defaultAwsCatalogue}). Linear, so monotone in hours and count. Throws `EnisError`
 * `INVALID_OPTIONS` (negative or non-finite hours, a fractional count, an unknown purchase option)
 * or `UNKNOWN_INSTANCE_TYPE`.
 *
 * @example
 * ```ts
 * const month = computeCost({ instanceType: "m5.large", hours: 730, count: 2 });
 * month.costUsd; // 140.16 (1,460 instance-hours × $0.096)
 * computeCost({ instanceType: "m5.large", hours: 730, purchase: "reserved-1y" }).costUsd; // 43.8
 * ```
 */
export function computeCost(input: ComputeCostInput, catalogue?: PricingCatalogue): ComputeCostResult {
  assertObject(input, "input");
  assertKnownKeys(input as unknown as Record<string, unknown>, computeKeys, "input");
  const prices = resolvePricingCatalogue(catalogue, "catalogue");
  const spec = lookupInstanceType(prices, input.instanceType, "instanceType");
  const hours = input.hours;
  assertNonNegative(hours, "hours");
  const purchase = checkPurchase(input.purchase, "purchase");
  const count = input.count ?? 1;
  assertInteger(count, "count");
  const hourlyUsd = hourlyPrice(spec, purchase);
  const instanceHours = tidy(hours * count);
  const costUsd = tidy(hours * count * hourlyUsd);
  assertFiniteCost(costUsd, "hours", hours);
  return {
    category: "compute",
    costUsd,
    instanceType: spec.name,
    purchase,
    hours,
    count,
    instanceHours,
    hourlyUsd,
    provenance: provenanceFor(prices, spec, purchase),
    explanation: `${count} × ${spec.name} ${purchase} for ${num(hours)} h = ${num(instanceHours)} instance-hours × ${usd(hourlyUsd)}/h = ${usd(costUsd)}`,
  };
}
