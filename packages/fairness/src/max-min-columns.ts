import { EnisError } from "@enis/core";
import { assertKnownKeys, assertNonNegative, assertObject, invalidField, oneOf } from "@enis/core/validate";
import type { OvercommitPolicy } from "./max-min.js";
import { constantColumn, giveBackScratch, takeScratch } from "./scratch.js";
import { exactSum, waterFill, waterFillDefect } from "./water-fill.js";

/** Options of {@link maxMinAllocateColumns}: one entry per tenant at the same index of every array. */
export interface MaxMinColumnsOptions {
  /** Capacity to divide, in the same units as the demands; finite and >= 0. */
  readonly capacity: number;
  /** What each tenant asks for, in capacity units; each finite and >= 0. Its length is the number of tenants. */
  readonly demands: Float64Array;
  /**
   * Share weight of each tenant; each finite and > 0. Same length as `demands`.
   * @default 1 for every tenant
   */
  readonly weights?: Float64Array;
  /**
   * Guaranteed amount of each tenant, in capacity units; each finite and >= 0, never granted above
   * the tenant's demand or cap. Same length as `demands`.
   * @default 0 for every tenant
   */
  readonly floors?: Float64Array;
  /**
   * Most each tenant may receive, in capacity units; each >= 0, `Infinity` for no cap (a typed
   * array has no "absent"). Same length as `demands`.
   * @default no cap
   */
  readonly caps?: Float64Array;
  /**
   * Policy when the floors sum above the capacity.
   * @default "reject"
   */
  readonly overcommit?: OvercommitPolicy;
}

/** Result of {@link maxMinAllocateColumns}. */
export interface MaxMinColumnsResult {
  /** Allocation of tenant `i` at index `i`. */
  readonly allocations: Float64Array;
  /**
   * The water level r: tenant i gets `clamp(weights[i] * r, l_i, u_i)` with `u_i = min(demands[i],
   * caps[i])` and `l_i = min(floors[i], u_i)` (after any floor scaling). When capacity binds it is
   * the unique such level (0 when only floors are served); when every demand is met, the largest
   * `u_i / weights[i]`.
   */
  readonly level: number;
  /** The capacity divided. */
  readonly capacity: number;
  /** Sum of `allocations`: `min(capacity, sum of u_i)` up to rounding. */
  readonly allocated: number;
  /** `capacity - allocated`, never negative. */
  readonly unallocated: number;
  /** Factor applied to every floor: 1 unless `overcommit: "scale-floors"` had to scale them. */
  readonly floorScale: number;
  /** Sum of the floors `l_i`, after any scaling. */
  readonly floorTotal: number;
  /** Sum of `u_i = min(demand, cap)`. */
  readonly demandTotal: number;
}

const optionKeys: ReadonlySet<string> = new Set([
  "capacity",
  "demands",
  "weights",
  "floors",
  "caps",
  "overcommit",
]);

/**
 * Weighted max-min fair allocation for callers that hold their tenants by index: the same exact
 * water-filling as {@link maxMinAllocate} (one level r, `a_i = clamp(w_i r, l_i, u_i)`,
 * `sum a = min(capacity, sum u)`), with typed arrays in and a `Float64Array` out, so no tenant
 * object is read and no record is built. Tiers are the caller's business here: give their weights
 * in `weights` and their guarantees in `floors`. For the same numbers it returns the same
 * allocations as `maxMinAllocate` with `tierFloors: "none"`.
 *
 * Throws `EnisError` `INVALID_OPTIONS` (the array, the index and the value named, e.g.
 * `demands[7] must be a finite number >= 0, got NaN`) or `INFEASIBLE` (floors above capacity with
 * `overcommit: "reject"`). Only the allocations are a new array on each call: the demands serve as
 * the upper bounds when there are no caps, and the other working arrays (up to 49 bytes per tenant
 * of the largest call) are kept for the next call.
 *
 * @example
 * ```ts
 * const { allocations, level } = maxMinAllocateColumns({
 *   capacity: 14,
 *   demands: Float64Array.of(3, 7, 9, 1),
 * });
 * // allocations: Float64Array [3, 5, 5, 1], level: 5
 * ```
 */
export function maxMinAllocateColumns(options: MaxMinColumnsOptions): MaxMinColumnsResult {
  assertObject(options, "options");
  assertKnownKeys(options as unknown as Record<string, unknown>, optionKeys, "options");
  const capacity = options.capacity;
  assertNonNegative(capacity, "capacity");
  const demands = options.demands;
  if (!(demands instanceof Float64Array)) throw invalidField("demands", demands, "a Float64Array");
  const count = demands.length;
  const weights = optionalColumn(options.weights, "weights", count);
  const floors = optionalColumn(options.floors, "floors", count);
  const caps = optionalColumn(options.caps, "caps", count);
  const overcommit = oneOf(options.overcommit, "overcommit", ["reject", "scale-floors"], "reject");

  // The bounds the kernel reads are the demands themselves without caps, and a column of zeros
  // nobody writes without floors; otherwise scratch arrays kept between calls (see scratch.ts).
  const scratch = floors !== undefined || caps !== undefined ? takeScratch(count) : undefined;
  try {
    const lower = scratch === undefined || floors === undefined ? constantColumn(0, count) : scratch.lower;
    const upper = scratch === undefined || caps === undefined ? demands : scratch.upper;
    let weightSum = 0;
    for (let i = 0; i < count; i++) {
      const demand = demands[i]!;
      if (!(demand >= 0) || demand === Number.POSITIVE_INFINITY) {
        throw invalidField(`demands[${i}]`, demand, "a finite number >= 0");
      }
      let ceiling = demand;
      if (caps !== undefined) {
        const cap = caps[i]!;
        if (!(cap >= 0)) throw invalidField(`caps[${i}]`, cap, "a number >= 0 (Infinity for no cap)");
        if (cap < ceiling) ceiling = cap;
        upper[i] = ceiling;
      }
      if (floors !== undefined) {
        const floor = floors[i]!;
        if (!(floor >= 0) || floor === Number.POSITIVE_INFINITY) {
          throw invalidField(`floors[${i}]`, floor, "a finite number >= 0");
        }
        lower[i] = Math.min(floor, ceiling);
      }
      if (weights === undefined) continue;
      const weight = weights[i]!;
      if (!(weight > 0) || weight === Number.POSITIVE_INFINITY) {
        throw invalidField(`weights[${i}]`, weight, "a finite number > 0");
      }
      // As in maxMinAllocate: a multiplication screens out the surely representable levels.
      if (weight >= 1 ? ceiling !== 0 && ceiling < weight * 1e-290 : ceiling > weight * 1e290) {
        const defect = waterFillDefect(ceiling, weight);
        if (defect !== undefined) throw invalidField(`weights[${i}]`, weight, defect);
      }
      weightSum += weight;
    }
    if (weightSum === Number.POSITIVE_INFINITY) throw weightSumOverflow(weights!);
    // Unit weights: a level of u_i / 1 is always representable.
    const weightColumn = weights ?? constantColumn(1, count);
    const allocations = new Float64Array(count);
    const pool = fillPool(
      weightColumn,
      lower,
      upper,
      count,
      capacity,
      overcommit,
      "capacity",
      allocations,
      Number.NaN,
      floors === undefined ? 0 : Number.NaN,
    );
    return { allocations, capacity, ...pool };
  } finally {
    if (scratch !== undefined) giveBackScratch(scratch);
  }
}

/** The water-filling of one pool, after its floors went through the overcommit policy. */
export interface FilledPool {
  readonly level: number;
  readonly allocated: number;
  readonly unallocated: number;
  readonly floorScale: number;
  readonly floorTotal: number;
  readonly demandTotal: number;
}

/**
 * Water-fills `capacity` over entries `[0, count)` into `out`, after applying `overcommit` to
 * floors that sum above it (scaling `lower` in place). `field` names the capacity in the
 * `INFEASIBLE` error, after `beforeThrow` had its chance to report an input error first. The sums
 * of `upper` and `lower`, when given (not NaN), are not computed again; `levelGiven`, when given
 * (>= 0), is the level of an allocation already in `out` for these bounds. Trusts its arguments,
 * as {@link waterFill} does.
 *
 * @internal
 */
export function fillPool(
  weights: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  count: number,
  capacity: number,
  overcommit: OvercommitPolicy,
  field: string,
  out: Float64Array,
  demandTotalGiven = Number.NaN,
  floorTotalGiven = Number.NaN,
  levelGiven = -1,
  beforeThrow?: () => void,
): FilledPool {
  const demandTotal = Number.isNaN(demandTotalGiven) ? exactSum(upper, count) : demandTotalGiven;
  let floorTotal = Number.isNaN(floorTotalGiven) ? exactSum(lower, count) : floorTotalGiven;
  let floorScale = 1;
  let level = levelGiven;
  // Relative slack absorbs rounding of sums that equal the capacity exactly (class floors of 100%).
  if (floorTotal > capacity * (1 + 1e-12)) {
    if (overcommit === "reject") {
      beforeThrow?.();
      throw new EnisError(
        "INFEASIBLE",
        `${field} must be at least ${floorTotal}, the sum of the guaranteed floors (short by ${
          floorTotal - capacity
        }; lower the floors or use overcommit: "scale-floors"), got ${capacity}`,
        { field },
      );
    }
    floorScale = capacity / floorTotal;
    for (let k = 0; k < count; k++) lower[k] = lower[k]! * floorScale;
    floorTotal = exactSum(lower, count);
    level = -1;
  }
  if (level < 0) level = waterFill(weights, lower, upper, count, Math.min(demandTotal, capacity), out);
  const allocated = exactSum(out, count);
  return {
    level,
    allocated,
    unallocated: capacity > allocated ? capacity - allocated : 0,
    floorScale,
    floorTotal,
    demandTotal,
  };
}

/** The error naming the weight at which the weights' sum passes the largest double (error path: a rescan). */
function weightSumOverflow(weights: Float64Array): EnisError {
  let sum = 0;
  let i = 0;
  for (; i < weights.length - 1; i++) {
    sum += weights[i]!;
    if (sum === Number.POSITIVE_INFINITY) break;
  }
  return invalidField(`weights[${i}]`, weights[i], "small enough that the weights sum to a finite number");
}

function optionalColumn(value: unknown, field: string, length: number): Float64Array | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Float64Array)) throw invalidField(field, value, "a Float64Array");
  if (value.length !== length) {
    throw invalidField(`${field}.length`, value.length, `${length}, the length of demands`);
  }
  return value;
}
