import { assertKnownKeys, assertNonNegative, assertObject, invalidField } from "@enis/core/validate";
import { resolvePricingCatalogue } from "../catalogue/resolve.js";
import type { PriceProvenance, PricingCatalogue, StorageTier } from "../catalogue/types.js";
import { assertFiniteCost, num, tidy, usd } from "./money.js";

/**
 * Days in a billing month: 730 hours / 24, the month of the AWS Pricing Calculator (365 days / 12).
 * A GB-month is one GB stored for this long.
 */
export const daysPerMonth = 730 / 24;

/**
 * When stored data moves to the next tier, in days after it was written. A tier left out is
 * skipped (data moves straight to the next one given). The days given must not decrease in the
 * order warm, cold, archive.
 */
export interface StorageLifecycle {
  /** Days in the hot tier before moving to warm, finite and >= 0. */
  readonly warmAfterDays?: number;
  /** Days after writing before moving to cold, finite and >= 0. */
  readonly coldAfterDays?: number;
  /** Days after writing before moving to archive, finite and >= 0. */
  readonly archiveAfterDays?: number;
}

/** Input of {@link storageCost}. */
export interface StorageCostInput {
  /** GB written at the start and kept for `months`, finite and >= 0. */
  readonly gb: number;
  /** How long the data is kept, in months of 730 hours, finite and >= 0. */
  readonly months: number;
  /**
   * When the data moves to colder tiers.
   * @default {} (it stays hot)
   */
  readonly lifecycle?: StorageLifecycle;
}

/** One tier's share of a {@link storageCost}. */
export interface StorageTierCost {
  readonly tier: StorageTier;
  /** The product playing the tier in the catalogue, when named (e.g. `"S3 Standard"`). */
  readonly product?: string;
  /** Day the data enters this tier (capped at the storage period). */
  readonly fromDay: number;
  /** Day the data leaves this tier (capped at the storage period). */
  readonly toDay: number;
  /** `toDay - fromDay`. */
  readonly days: number;
  /** `gb × days / daysPerMonth`. */
  readonly gbMonths: number;
  /** The catalogue's price of a GB-month in this tier, USD. */
  readonly gbMonthUsd: number;
  /** `gbMonths × gbMonthUsd`. */
  readonly costUsd: number;
}

/** Result of {@link storageCost}: the cost, tier by tier. */
export interface StorageCostResult {
  /** The roll-up category of this cost (see {@link monthlyCost}). */
  readonly category: "storage";
  /** Sum of the tiers' costs, USD. */
  readonly costUsd: number;
  readonly gb: number;
  readonly months: number;
  /** `gb × months`, the sum of the tiers' GB-months. */
  readonly gbMonths: number;
  /** Every tier, hot to archive, with zero days for tiers the data never reaches. */
  readonly byTier: Readonly<Record<StorageTier, StorageTierCost>>;
  /** Where the prices come from. */
  readonly provenance: PriceProvenance;
  /** The computation in words and numbers. */
  readonly explanation: string;
}

const storageKeys: ReadonlySet<string> = new Set(["gb", "months", "lifecycle"]);
const lifecycleKeys: ReadonlySet<string> = new Set(["warmAfterDays", "coldAfterDays", "archiveAfterDays"]);
const lifecycleFields = [
  ["warm", "warmAfterDays"],
  ["cold", "coldAfterDays"],
  ["archive", "archiveAfterDays"],
] as const;

/**
 * Cost of keeping `gb` for `months`, moving hot → warm → cold → archive at the lifecycle's days:
 * each tier is billed for the GB-months the data spends in it (`gb × days / daysPerMonth`) at its
 * price. Storage only: requests, retrievals, transitions and minimum-duration charges are not
 * included (see the catalogue's `storage.note`). Monotone in `gb` and `months`. Throws
 * `EnisError("INVALID_OPTIONS")` for negative or non-finite amounts, or lifecycle days that decrease.
 *
 * @example
 * ```ts
 * // 1,000 GB for 12 months: hot 30 days, warm until day 90, then cold.
 * const cost = storageCost({ gb: 1000, months: 12, lifecycle: { warmAfterDays: 30, coldAfterDays: 90 } });
 * cost.byTier.cold.gbMonths; // 12,000 GB-months × (365 − 90) / 365 days ≈ 9041.1
 * ```
 */
export function storageCost(input: StorageCostInput, catalogue?: PricingCatalogue): StorageCostResult {
  assertObject(input, "input");
  assertKnownKeys(input as unknown as Record<string, unknown>, storageKeys, "input");
  const prices = resolvePricingCatalogue(catalogue, "catalogue");
  const { gb, months } = input;
  assertNonNegative(gb, "gb");
  assertNonNegative(months, "months");
  const lifecycle: StorageLifecycle = input.lifecycle ?? {};
  assertObject(lifecycle, "lifecycle");
  assertKnownKeys(lifecycle as Record<string, unknown>, lifecycleKeys, "lifecycle");

  // The day each tier starts; hot starts at 0, a tier left out never starts.
  const starts: Partial<Record<StorageTier, number>> = { hot: 0 };
  let previous = 0;
  let previousField: string | undefined;
  for (const [tier, field] of lifecycleFields) {
    const day = lifecycle[field];
    if (day === undefined) continue;
    assertNonNegative(day, `lifecycle.${field}`);
    if (day < previous) {
      throw invalidField(`lifecycle.${field}`, day, `at least lifecycle.${previousField} (${previous})`);
    }
    starts[tier] = day;
    previous = day;
    previousField = field;
  }
  const periodDays = months * daysPerMonth;
  const order: StorageTier[] = ["hot", "warm", "cold", "archive"];
  const byTier = {} as Record<StorageTier, StorageTierCost>;
  const parts: number[] = [];
  for (let index = 0; index < order.length; index++) {
    const tier = order[index]!;
    const start = starts[tier];
    let end = Number.POSITIVE_INFINITY;
    for (let next = index + 1; next < order.length; next++) {
      const nextStart = starts[order[next]!];
      if (nextStart !== undefined) {
        end = nextStart;
        break;
      }
    }
    const price = prices.storage[tier];
    const fromDay = start === undefined ? periodDays : Math.min(start, periodDays);
    const toDay = start === undefined ? periodDays : Math.min(end, periodDays);
    const days = toDay - fromDay;
    const gbMonthsRaw = (gb * days) / daysPerMonth;
    const costRaw = gbMonthsRaw * price.gbMonthUsd;
    parts.push(costRaw);
    byTier[tier] = {
      tier,
      ...(price.product === undefined ? {} : { product: price.product }),
      fromDay: tidy(fromDay),
      toDay: tidy(toDay),
      days: tidy(days),
      gbMonths: tidy(gbMonthsRaw),
      gbMonthUsd: price.gbMonthUsd,
      costUsd: tidy(costRaw),
    };
  }
  const costUsd = tidy(parts.reduce((sum, part) => sum + part, 0));
  assertFiniteCost(costUsd + gb * months, "gb", gb);
  const { hot: _hot, warm: _warm, cold: _cold, archive: _archive, ...provenance } = prices.storage;
  const used = order.filter((tier) => byTier[tier].days > 0);
  return {
    category: "storage",
    costUsd,
    gb,
    months,
    gbMonths: tidy(gb * months),
    byTier,
    provenance,
    explanation:
      `${num(gb)} GB for ${num(months)} months (${num(periodDays)} days): ` +
      (used.length === 0
        ? "nothing stored"
        : used
            .map((tier) => {
              const part = byTier[tier];
              return `${tier} days ${num(part.fromDay)}–${num(part.toDay)} = ${num(part.gbMonths)} GB-months × ${usd(part.gbMonthUsd)} = ${usd(part.costUsd)}`;
            })
            .join("; ")) +
      `; total ${usd(costUsd)}`,
  };
}
