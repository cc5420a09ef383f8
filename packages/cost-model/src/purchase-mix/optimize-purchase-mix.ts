import { EnisError } from "@enis/core";
import { assertKnownKeys, describeValue, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";

/** One tenant of {@link optimizePurchaseMix}. */
export interface PurchaseMixTenant {
  /** Unique id of the tenant; the key of its split in {@link PurchaseMixResult.tenants}. */
  readonly id: string;
  /** CPU-hours the tenant needs over the period, finite and >= 0. */
  readonly cpuHours: number;
  /**
   * The tenant's availability objective, in [0, 1] (0.9995 for 99.95%). Above
   * `highSlaThreshold`, at most `spotCapForHighSla` of its hours may run on spot.
   */
  readonly sla: number;
}

/** Prices of one CPU-hour by purchase option, US dollars, each finite and >= 0. Any order is valid. */
export interface PurchaseMixPrices {
  /** On-demand price of a CPU-hour (seed 001: $0.05 per vCPU-hour). */
  readonly onDemand: number;
  /** Spot price of a CPU-hour (seed 001: $0.015, 70% off). */
  readonly spot: number;
  /** Reserved price of a CPU-hour (seed 001: $0.035, 30% off). */
  readonly reserved: number;
}

/** Options of {@link optimizePurchaseMix}. */
export interface PurchaseMixOptions {
  /** The tenants; ids unique. An empty list is valid (everything is 0). */
  readonly tenants: readonly PurchaseMixTenant[];
  /** US dollars per CPU-hour by purchase option. */
  readonly prices: PurchaseMixPrices;
  /**
   * Most the whole mix may cost over the period, US dollars, finite and >= 0. The minimum cost is
   * the objective, so a budget never changes the split: it is met, or the call throws `INFEASIBLE`
   * with the smallest budget that works.
   * @default no budget
   */
  readonly budgetUsd?: number;
  /**
   * Most reserved CPU-hours all tenants together may use over the period (the reserved capacity
   * held), finite and >= 0.
   * @default no limit
   */
  readonly reservedCapacity?: number;
  /**
   * Largest fraction of a high-SLA tenant's hours that may run on spot, in [0, 1].
   * @default 0.2 (seed 001: "Max 20% spot para high-SLA")
   */
  readonly spotCapForHighSla?: number;
  /**
   * A tenant whose `sla` is strictly above this is high-SLA (seed 001: `if sla > 0.999`), in [0, 1].
   * @default 0.999
   */
  readonly highSlaThreshold?: number;
}

/** One tenant's split: CPU-hours by purchase option and their cost. */
export interface PurchaseMixSplit {
  /** On-demand CPU-hours. */
  readonly onDemand: number;
  /** Spot CPU-hours (at most `spotCapForHighSla × cpuHours` for a high-SLA tenant). */
  readonly spot: number;
  /** Reserved CPU-hours. */
  readonly reserved: number;
  /** `onDemand × prices.onDemand + spot × prices.spot + reserved × prices.reserved`, US dollars. */
  readonly costUsd: number;
  /** Whether the tenant's `sla` is above `highSlaThreshold` (its spot is capped). */
  readonly highSla: boolean;
}

/**
 * A constraint of the purchase-mix LP:
 * - `"budget"`: total cost <= `budgetUsd`;
 * - `"reservedCapacity"`: total reserved hours <= `reservedCapacity`;
 * - `"spotCapForHighSla"`: each high-SLA tenant's spot hours <= `spotCapForHighSla × cpuHours`.
 */
export type PurchaseMixConstraint = "budget" | "reservedCapacity" | "spotCapForHighSla";

/** Result of {@link optimizePurchaseMix}. Hours are CPU-hours over the period of the input. */
export interface PurchaseMixResult {
  /** Each tenant's split, by id (a null-prototype object). */
  readonly tenants: Record<string, PurchaseMixSplit>;
  /** The minimum total cost: the sum of the tenants' `costUsd`, US dollars. */
  readonly totalCostUsd: number;
  /**
   * The constraints that hold the cost up, in the order budget, reserved capacity, spot cap: a
   * constraint is listed when relaxing it would lower the minimum cost (its shadow price in
   * `shadowPricesUsd` is > 0), and the budget when the minimum cost spends it (within 1e-9 of it,
   * relative: any smaller budget is infeasible).
   */
  readonly binding: readonly PurchaseMixConstraint[];
  /** What the same hours cost all on-demand: `Σ cpuHours × prices.onDemand`, US dollars. */
  readonly allOnDemandCostUsd: number;
  /** `allOnDemandCostUsd − totalCostUsd`, US dollars, >= 0. */
  readonly savingsUsd: number;
  /** `savingsUsd / allOnDemandCostUsd × 100`; 0 when the all-on-demand cost is 0. */
  readonly savingsPercent: number;
  /** CPU-hours by purchase option over all tenants. */
  readonly totals: { readonly onDemand: number; readonly spot: number; readonly reserved: number };
  /**
   * The dual values of the LP's limits, as savings per unit of relaxation, US dollars (>= 0):
   * - `reservedCapacity`: what one more reserved CPU-hour of capacity would save (0 without a limit,
   *   or when the limit is not reached);
   * - `spotCapForHighSla`: what one more CPU-hour of spot allowed to a high-SLA tenant held at its
   *   cap would save (0 when none is held there).
   */
  readonly shadowPricesUsd: { readonly reservedCapacity: number; readonly spotCapForHighSla: number };
}

/**
 * A budget within this fraction of the minimum cost, below or above, is met and binding: the minimum
 * is a sum of thousands of rounded products, and a budget set to the mathematically exact minimum
 * must not be refused for the last bit of that sum.
 */
const budgetTolerance = 1e-9;

const price = z.number().min(0);
const optionsSchema = z.strictObject({
  tenants: z.custom<readonly unknown[]>((value: unknown) => Array.isArray(value), "an array of tenants"),
  prices: z.strictObject({ onDemand: price, spot: price, reserved: price }),
  budgetUsd: z.number().min(0).optional(),
  reservedCapacity: z.number().min(0).optional(),
  spotCapForHighSla: z.number().min(0).max(1).optional(),
  highSlaThreshold: z.number().min(0).max(1).optional(),
});
const tenantKeys: ReadonlySet<string> = new Set(["id", "cpuHours", "sla"]);

/**
 * The minimum-cost split of every tenant's CPU-hours between on-demand, spot and reserved capacity:
 * the exact optimum of seed 001's linear program (`CostOptimizer.optimize_allocation`), computed in
 * closed form in O(n), without an LP solver.
 *
 * The LP, with prices o (on-demand), s (spot), r (reserved) per CPU-hour and, for tenant i, x_i
 * on-demand, y_i spot and z_i reserved hours:
 *
 * ```text
 * minimise    Σ_i  o·x_i + s·y_i + r·z_i
 * subject to  x_i + y_i + z_i = cpuHours_i                   (each tenant's demand is met)
 *             y_i <= spotCapForHighSla · cpuHours_i           (high-SLA tenants: sla > highSlaThreshold)
 *             Σ_i z_i <= reservedCapacity                     (when given)
 *             Σ_i (o·x_i + s·y_i + r·z_i) <= budgetUsd        (when given)
 *             x, y, z >= 0
 * ```
 *
 * The seed's constraints, with two of its defects left out (REFERENCES.md §7): the budget is over
 * the same period as the hours (the seed compared a total with a "$/hour" budget), and the
 * reserved capacity is a limit (without one, the seed's LP buys everything reserved or spot, however
 * large the commitment). {@link purchaseMixLinearProgram} writes this LP for
 * {@link solveLinearProgram}, which the tests check this function against.
 *
 * Ties are broken the same way every time, by reliability: at equal prices on-demand is preferred
 * to reserved, and reserved to spot (interruptible); when reserved capacity is short, the tenants
 * whose hours save the same per reserved hour share it in proportion to those hours (the split
 * does not depend on the order of the tenants).
 *
 * Throws `EnisError`: `INVALID_OPTIONS` naming the field and value (negative or NaN hours or prices,
 * an `sla` outside [0, 1], an unknown key, …), `DUPLICATE_ID`, or `INFEASIBLE` when the budget is
 * below the minimum cost (the message names the budget as the binding constraint and the smallest
 * budget that works, which is that minimum). No other input is infeasible: on-demand has no limit.
 *
 * @example
 * ```ts
 * const mix = optimizePurchaseMix({
 *   tenants: [
 *     { id: "batch", cpuHours: 1000, sla: 0.99 },
 *     { id: "payments", cpuHours: 500, sla: 0.9999 },
 *   ],
 *   prices: { onDemand: 0.05, spot: 0.015, reserved: 0.035 },
 *   reservedCapacity: 300,
 * });
 * // batch: 1000 spot; payments: 100 spot (its 20% cap), 300 reserved, 100 on-demand
 * // mix.totalCostUsd: 32; mix.binding: ["reservedCapacity", "spotCapForHighSla"]
 * // mix.shadowPricesUsd: { reservedCapacity: 0.015, spotCapForHighSla: 0.035 }
 * ```
 */
export function optimizePurchaseMix(options: PurchaseMixOptions): PurchaseMixResult {
  const { tenants, hours, high, prices, cap, capacity, budget } = resolvePurchaseMix(options);
  const { onDemand: o, spot: s, reserved: r } = prices;
  const count = tenants.length;

  /*
   * Why this split is optimal (a proof by LP duality).
   *
   * The budget row only excludes solutions: the objective is the cost itself, so the LP with the
   * budget has the optimum of the LP without it when that optimum costs <= budgetUsd, and no
   * solution otherwise. It is left out below, and checked at the end.
   *
   * Hours of tenant i: E_i = cap·h_i when high-SLA, else h_i, is what spot may take. Spot is worth
   * using only when s < o; then S_i = E_i hours are "spot-eligible", else S_i = 0. The other
   * U_i = h_i − S_i hours are on-demand unless reserved takes them. A reserved hour saves
   * a = o − r on a U-hour and b = s − r on an S-hour; a >= b whenever S-hours exist. Reserved takes
   * U-hours when a > 0 (A = Σ U_i of them), then S-hours when b >= 0 (B = Σ S_i), up to R =
   * reservedCapacity in all (a fractional knapsack with two item values, so greedy is optimal);
   * left-over U-hours go on-demand, S-hours spot. Within a class every hour saves the same, so any
   * split of R inside it costs the same: each tenant gets the same fraction of its hours.
   *
   * Certificate. The dual of the LP (without the budget) is
   *   maximise Σ h_i·u_i − Σ E_i·μ_i − R·λ
   *   subject to u_i <= o, u_i − μ_i <= s, u_i − λ <= r, μ_i >= 0, λ >= 0.
   * Take λ = a if R < A, b if A <= R < A + B, else 0 (the saving of the next reserved hour, >= 0);
   * w = min(o, r + λ); u_i = w; μ_i = max(0, w − s). The dual constraints hold by construction.
   * Complementary slackness holds too, so both are optimal:
   * - x_i > 0 (an on-demand U-hour) happens when a <= 0 (r >= o, λ = 0) or R < A (λ = a): then
   *   r + λ >= o, w = o = u_i. ✓
   * - z_i > 0 needs a > 0, and λ ∈ {0, b, a} <= a, so r + λ <= o: w = r + λ. ✓
   * - y_i > 0 (a spot hour not reserved) happens when s < o and either b < 0 (s < r <= r + λ) or
   *   R < A + B with λ ∈ {a, b} (r + λ >= s): w >= s, so s + μ_i = w. ✓
   * - μ_i > 0 means s < o and s < r + λ: λ = a with R < A, or λ = 0 with b < 0; either way no
   *   S-hour is reserved, so y_i = S_i = E_i. ✓
   * - λ > 0 means R < A + B, and reserved takes exactly R. ✓
   * λ and μ = max(0, w − s) are therefore the LP's shadow prices, each the right derivative (the
   * saving of one more unit): they are reported, and a constraint binds when its price is > 0.
   */
  const spotUseful = s < o;
  const reservedForU = r < o;
  const reservedForS = spotUseful && r <= s;

  const eligible = new Float64Array(count);
  let sumU = 0;
  let sumS = 0;
  let cappedTenants = false;
  for (let index = 0; index < count; index++) {
    const cpuHours = hours[index]!;
    const spotLimit = high[index] === 1 ? cap * cpuHours : cpuHours;
    const spotHours = spotUseful ? spotLimit : 0;
    eligible[index] = spotHours;
    if (spotLimit < cpuHours) cappedTenants = true;
    sumU += cpuHours - spotHours;
    sumS += spotHours;
  }

  // Reserved hours wanted by each class, and the fraction of each class's hours they get.
  const wantedU = reservedForU ? sumU : 0;
  const wantedS = reservedForS ? sumS : 0;
  let fractionU = 0;
  let fractionS = 0;
  let reservedHourValue = 0;
  if (wantedU > 0) {
    if (capacity >= wantedU) fractionU = 1;
    else {
      fractionU = capacity / wantedU;
      reservedHourValue = o - r;
    }
  }
  if (wantedS > 0 && capacity >= wantedU) {
    // At capacity = wantedU exactly, S-hours get nothing but the next reserved hour goes to one.
    const left = capacity - wantedU;
    if (left >= wantedS) fractionS = 1;
    else {
      fractionS = left / wantedS;
      reservedHourValue = s - r;
    }
  }
  const marginalHour = Math.min(o, r + reservedHourValue);
  const spotCapValue = cappedTenants && marginalHour > s ? marginalHour - s : 0;

  const splits: Record<string, PurchaseMixSplit> = Object.create(null);
  const total = new Neumaier();
  const onDemandCost = new Neumaier();
  const onDemandHours = new Neumaier();
  const spotHoursTotal = new Neumaier();
  const reservedHours = new Neumaier();
  for (let index = 0; index < count; index++) {
    const cpuHours = hours[index]!;
    const spotHours = eligible[index]!;
    const other = cpuHours - spotHours;
    // fraction <= 1, so each product is at most its factor: no hour count below 0 by rounding.
    const reservedU = reservedForU ? fractionU * other : 0;
    const reservedS = reservedForS ? fractionS * spotHours : 0;
    const split: PurchaseMixSplit = {
      onDemand: other - reservedU,
      spot: spotHours - reservedS,
      reserved: reservedU + reservedS,
      costUsd: o * (other - reservedU) + s * (spotHours - reservedS) + r * (reservedU + reservedS),
      highSla: high[index] === 1,
    };
    splits[tenants[index]!.id] = split;
    total.add(split.costUsd);
    onDemandCost.add(o * cpuHours);
    onDemandHours.add(split.onDemand);
    spotHoursTotal.add(split.spot);
    reservedHours.add(split.reserved);
  }
  const totalCostUsd = total.value();
  const allOnDemandCostUsd = onDemandCost.value();
  if (!Number.isFinite(allOnDemandCostUsd) || !Number.isFinite(totalCostUsd)) {
    throw invalidField("options.prices", prices, "prices whose cost over the hours is a finite number");
  }

  const binding: PurchaseMixConstraint[] = [];
  if (budget !== undefined) {
    if (budget < totalCostUsd * (1 - budgetTolerance))
      throw infeasibleBudget(budget, totalCostUsd, reservedHourValue, spotCapValue);
    if (budget <= totalCostUsd * (1 + budgetTolerance)) binding.push("budget");
  }
  if (reservedHourValue > 0) binding.push("reservedCapacity");
  if (spotCapValue > 0) binding.push("spotCapForHighSla");
  // The optimum never costs more than all on-demand (that split is feasible); rounding aside.
  const savingsUsd = Math.max(0, allOnDemandCostUsd - totalCostUsd);
  return {
    tenants: splits,
    totalCostUsd,
    binding,
    allOnDemandCostUsd,
    savingsUsd,
    savingsPercent: allOnDemandCostUsd > 0 ? (100 * savingsUsd) / allOnDemandCostUsd : 0,
    totals: {
      onDemand: onDemandHours.value(),
      spot: spotHoursTotal.value(),
      reserved: reservedHours.value(),
    },
    shadowPricesUsd: { reservedCapacity: reservedHourValue, spotCapForHighSla: spotCapValue },
  };
}

/** The options of {@link optimizePurchaseMix}, checked, with the tenants' hours and SLA class. */
interface ResolvedPurchaseMix {
  readonly tenants: readonly PurchaseMixTenant[];
  readonly hours: Float64Array;
  /** 1 for a high-SLA tenant (`sla > highSlaThreshold`), else 0. */
  readonly high: Uint8Array;
  readonly prices: PurchaseMixPrices;
  readonly cap: number;
  /** `reservedCapacity`, Infinity without one. */
  readonly capacity: number;
  readonly budget: number | undefined;
}

/**
 * Validates purchase-mix options: zod for the options object, plain checks for the tenants (a
 * comparison each, no allocation per tenant). Throws `INVALID_OPTIONS` or `DUPLICATE_ID`.
 *
 * @internal
 */
export function resolvePurchaseMix(options: PurchaseMixOptions): ResolvedPurchaseMix {
  const resolved = parseOptions(optionsSchema, options, "options");
  const tenants = resolved.tenants;
  const threshold = resolved.highSlaThreshold ?? 0.999;
  const count = tenants.length;
  const hours = new Float64Array(count);
  const high = new Uint8Array(count);
  const ids = new Set<string>();
  let sum = 0;
  for (let index = 0; index < count; index++) {
    const tenant = tenants[index] as PurchaseMixTenant | undefined;
    if (typeof tenant !== "object" || tenant === null || Array.isArray(tenant)) {
      throw invalidField(`options.tenants[${index}]`, tenant, "an object");
    }
    for (const key in tenant) {
      if (key !== "id" && key !== "cpuHours" && key !== "sla") {
        assertKnownKeys(
          tenant as unknown as Record<string, unknown>,
          tenantKeys,
          `options.tenants[${index}]`,
        );
      }
    }
    const id: unknown = tenant.id;
    if (typeof id !== "string" || id.length === 0) {
      throw invalidField(`options.tenants[${index}].id`, id, "a non-empty string");
    }
    if (ids.has(id)) {
      const field = `options.tenants[${index}].id`;
      throw new EnisError("DUPLICATE_ID", `${field} must be unique, got ${JSON.stringify(id)} twice`, {
        field,
      });
    }
    ids.add(id);
    const cpuHours: unknown = tenant.cpuHours;
    if (typeof cpuHours !== "number" || !(cpuHours >= 0) || cpuHours === Number.POSITIVE_INFINITY) {
      throw invalidField(`options.tenants[${index}].cpuHours`, cpuHours, "a finite number >= 0");
    }
    const sla: unknown = tenant.sla;
    if (typeof sla !== "number" || !(sla >= 0 && sla <= 1)) {
      throw invalidField(`options.tenants[${index}].sla`, sla, "a number in [0, 1]");
    }
    hours[index] = cpuHours;
    high[index] = sla > threshold ? 1 : 0;
    sum += cpuHours;
  }
  if (!Number.isFinite(sum))
    throw invalidField("options.tenants", tenants, "tenants whose cpuHours sum to a finite number");
  return {
    tenants: tenants as readonly PurchaseMixTenant[],
    hours,
    high,
    prices: resolved.prices,
    cap: resolved.spotCapForHighSla ?? 0.2,
    capacity: resolved.reservedCapacity ?? Number.POSITIVE_INFINITY,
    budget: resolved.budgetUsd,
  };
}

function infeasibleBudget(
  budget: number,
  minimum: number,
  reservedHourValue: number,
  spotCapValue: number,
): EnisError {
  const others = [
    ...(reservedHourValue > 0 ? ["reservedCapacity"] : []),
    ...(spotCapValue > 0 ? ["spotCapForHighSla"] : []),
  ];
  const held = others.length > 0 ? `, with ${others.join(" and ")} also binding` : "";
  return new EnisError(
    "INFEASIBLE",
    `options.budgetUsd must be at least ${describeValue(minimum)} (the minimum cost of the purchase mix: the budget is the binding constraint${held}), got ${describeValue(budget)}`,
    { field: "options.budgetUsd" },
  );
}

/** Neumaier's compensated sum: totals of 10k tenants' costs good to the last bit or two. */
class Neumaier {
  private sum = 0;
  private compensation = 0;
  add(term: number): void {
    const next = this.sum + term;
    this.compensation +=
      Math.abs(this.sum) >= Math.abs(term) ? this.sum - next + term : term - next + this.sum;
    this.sum = next;
  }
  value(): number {
    return this.sum + this.compensation + 0;
  }
}
