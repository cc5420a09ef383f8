import { assertInteger, assertKnownKeys, assertNonNegative, assertObject } from "@enis/core/validate";
import { resolvePricingCatalogue } from "../catalogue/resolve.js";
import type { PriceProvenance, PricingCatalogue } from "../catalogue/types.js";
import { assertFiniteCost, num, tidy, usd } from "./money.js";

/** Input of {@link transferCost}. */
export interface TransferCostInput {
  /** GB transferred out to the internet, finite and >= 0. */
  readonly gb: number;
}

/** Result of {@link transferCost}. */
export interface TransferCostResult {
  /** The roll-up category of this cost (see {@link monthlyCost}). */
  readonly category: "transfer";
  /** `gb × internetOutGbUsd`, USD. */
  readonly costUsd: number;
  readonly gb: number;
  /** The catalogue's price of a GB out to the internet, USD. */
  readonly internetOutGbUsd: number;
  /** Where the price comes from. */
  readonly provenance: PriceProvenance;
  /** The computation in words and numbers. */
  readonly explanation: string;
}

const transferKeys: ReadonlySet<string> = new Set(["gb"]);

/**
 * Cost of data transferred out to the internet at the catalogue's one price per GB (the default
 * catalogue's is the first-10-TB tier, $0.09; the free 100 GB and cheaper tiers are not applied).
 * Monotone in `gb`. Throws `EnisError("INVALID_OPTIONS")` for a negative or non-finite `gb`.
 *
 * @example
 * ```ts
 * transferCost({ gb: 500 }).costUsd; // 45
 * ```
 */
export function transferCost(input: TransferCostInput, catalogue?: PricingCatalogue): TransferCostResult {
  assertObject(input, "input");
  assertKnownKeys(input as unknown as Record<string, unknown>, transferKeys, "input");
  const prices = resolvePricingCatalogue(catalogue, "catalogue");
  const { gb } = input;
  assertNonNegative(gb, "gb");
  const { internetOutGbUsd, ...provenance } = prices.transfer;
  const costUsd = tidy(gb * internetOutGbUsd);
  assertFiniteCost(costUsd, "gb", gb);
  return {
    category: "transfer",
    costUsd,
    gb,
    internetOutGbUsd,
    provenance,
    explanation: `${num(gb)} GB out to the internet × ${usd(internetOutGbUsd)}/GB = ${usd(costUsd)}`,
  };
}

/** Input of {@link kmsCost}. */
export interface KmsCostInput {
  /** Customer-managed keys, a whole number >= 0. */
  readonly keys: number;
  /**
   * Months each key is kept, finite and >= 0.
   * @default 1
   */
  readonly months?: number;
  /**
   * API requests (encrypt, decrypt, generate data key …), a whole number >= 0.
   * @default 0
   */
  readonly requests?: number;
}

/** Result of {@link kmsCost}. */
export interface KmsCostResult {
  /** The roll-up category of this cost (see {@link monthlyCost}). */
  readonly category: "kms";
  /** `keysUsd + requestsUsd`, USD. */
  readonly costUsd: number;
  /** `keys × months × keyMonthUsd`. */
  readonly keysUsd: number;
  /** `requests / 10,000 × per10kRequestsUsd`. */
  readonly requestsUsd: number;
  readonly keys: number;
  readonly months: number;
  readonly requests: number;
  /** The catalogue's price of a key-month, USD. */
  readonly keyMonthUsd: number;
  /** The catalogue's price of 10,000 requests, USD. */
  readonly per10kRequestsUsd: number;
  /** Where the prices come from. */
  readonly provenance: PriceProvenance;
  /** The computation in words and numbers. */
  readonly explanation: string;
}

const kmsKeys: ReadonlySet<string> = new Set(["keys", "months", "requests"]);

/**
 * Cost of KMS keys and requests: `keys × months × keyMonthUsd + requests / 10,000 ×
 * per10kRequestsUsd` (the free 20,000 requests a month are not applied). Throws
 * `EnisError("INVALID_OPTIONS")` for negative, fractional or non-finite counts.
 *
 * @example
 * ```ts
 * kmsCost({ keys: 5, months: 1, requests: 2_000_000 }).costUsd; // 5 + 200 × 0.03 = 11
 * ```
 */
export function kmsCost(input: KmsCostInput, catalogue?: PricingCatalogue): KmsCostResult {
  assertObject(input, "input");
  assertKnownKeys(input as unknown as Record<string, unknown>, kmsKeys, "input");
  const prices = resolvePricingCatalogue(catalogue, "catalogue");
  const { keys } = input;
  const months = input.months ?? 1;
  const requests = input.requests ?? 0;
  assertInteger(keys, "keys");
  assertNonNegative(months, "months");
  assertInteger(requests, "requests");
  const { keyMonthUsd, per10kRequestsUsd, ...provenance } = prices.kms;
  const keysRaw = keys * months * keyMonthUsd;
  const requestsRaw = (requests / 10_000) * per10kRequestsUsd;
  const keysUsd = tidy(keysRaw);
  const requestsUsd = tidy(requestsRaw);
  const costUsd = tidy(keysRaw + requestsRaw);
  assertFiniteCost(costUsd, "months", months);
  return {
    category: "kms",
    costUsd,
    keysUsd,
    requestsUsd,
    keys,
    months,
    requests,
    keyMonthUsd,
    per10kRequestsUsd,
    provenance,
    explanation:
      `${keys} keys × ${num(months)} months × ${usd(keyMonthUsd)} = ${usd(keysUsd)}, plus ${num(requests)} requests / 10,000 × ` +
      `${usd(per10kRequestsUsd)} = ${usd(requestsUsd)}; total ${usd(costUsd)}`,
  };
}
