import { EnisError, type TierCatalogue, type TierId, type TierSpec } from "@enis/core";
import {
  assertArray,
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  invalidField,
  oneOf,
  resolveCatalogue,
} from "@enis/core/validate";
import { exactSum, waterFill, waterFillDefect } from "./water-fill.js";

/** One tenant competing for the shared pool. */
export interface MaxMinTenant {
  /** Unique id of the tenant; becomes a key of {@link MaxMinResult.allocations}. */
  readonly id: string;
  /** What the tenant asks for, in capacity units; finite and >= 0. */
  readonly demand: number;
  /**
   * Share weight, finite and > 0.
   * @default the weight of `tier` in the catalogue (1 / 5 / 10 / 50 / 100), or 1 without a tier
   */
  readonly weight?: number;
  /**
   * Guaranteed amount, in capacity units; finite and >= 0. Never granted above the demand (the
   * seed granted floors above demand, see REFERENCES.md §7). Combines with a tier floor: the larger wins.
   * @default 0
   */
  readonly floor?: number;
  /**
   * Most the tenant may receive, in capacity units; finite and >= 0.
   * @default no cap
   */
  readonly cap?: number;
  /**
   * Tier id, emoji or `"<emoji> <id>"` (e.g. `"lite"`, `"🟢"`), resolved in the catalogue. Gives the
   * default weight, the tier floor and whether the tenant runs on dedicated capacity.
   * @default no tier: weight 1, no tier floor
   */
  readonly tier?: string;
}

/**
 * How the catalogue's `sharedPoolFloor` fractions (5% / 10% / 20% for 🟤 zero / 🟡 shared / 🟢 lite)
 * become floors.
 * - `"tier"`: the fraction × capacity is guaranteed to the tier as a class, shared among its pool
 *   tenants by water-filling inside the tier. The fractions sum to at most 1, so this is always
 *   feasible without explicit floors.
 * - `"tenant"`: the seed's literal reading: every tenant of the tier gets fraction × capacity as
 *   its own floor (infeasible with more than a handful of tenants; see {@link OvercommitPolicy}).
 * - `"none"`: tiers give weights only.
 */
export type TierFloorMode = "tier" | "tenant" | "none";

/**
 * Where tenants of a tier whose floor is `"dedicated"` (🔵 enterprise, 🔴 compliance) go.
 * - `"separate"`: out of the shared pool, served from their own dedicated capacity; reported in
 *   {@link MaxMinResult.dedicated} with `min(demand, cap)`.
 * - `"pool"`: they compete in the pool with their weight and no tier floor.
 */
export type DedicatedMode = "separate" | "pool";

/**
 * What to do when the effective floors sum above the capacity.
 * - `"reject"`: throw `EnisError("INFEASIBLE")` naming the floors' sum, the capacity and the shortfall.
 * - `"scale-floors"`: scale every floor by capacity / floors' sum (reported as `floorScale`).
 */
export type OvercommitPolicy = "reject" | "scale-floors";

/** Options of {@link maxMinAllocate}. */
export interface MaxMinOptions {
  /** Capacity of the shared pool, in the same units as the demands; finite and >= 0. */
  readonly capacity: number;
  /** The tenants; ids unique. An empty list is valid. */
  readonly tenants: readonly MaxMinTenant[];
  /**
   * Policy when floors sum above capacity.
   * @default "reject"
   */
  readonly overcommit?: OvercommitPolicy;
  /**
   * How tier floors apply.
   * @default "tier"
   */
  readonly tierFloors?: TierFloorMode;
  /**
   * Where dedicated-tier tenants go.
   * @default "separate"
   */
  readonly dedicated?: DedicatedMode;
  /**
   * Tier catalogue used to resolve `tier`.
   * @default defaultTierCatalogue
   */
  readonly catalogue?: TierCatalogue;
}

/** Result of {@link maxMinAllocate}. */
export interface MaxMinResult {
  /** Allocation of every shared-pool tenant, by id (a null-prototype object). */
  readonly allocations: Record<string, number>;
  /**
   * The water level r: every pool tenant gets `clamp(weight * r, floor, min(demand, cap))`, with its
   * effective floor. When capacity binds it is the unique such level (0 when only floors are
   * served); when every demand is met, any level from the largest `demand / weight` up gives the same
   * allocation, and that largest value is returned.
   */
  readonly level: number;
  /** Sum of `allocations`: `min(capacity, sum of min(demand, cap))` up to rounding. */
  readonly allocated: number;
  /** `capacity - allocated`, never negative. */
  readonly unallocated: number;
  /** Dedicated-tier tenants kept out of the pool (`dedicated: "separate"`), with `min(demand, cap)`. */
  readonly dedicated: Record<string, number>;
  /** Factor applied to every floor: 1 unless `overcommit: "scale-floors"` had to scale them. */
  readonly floorScale: number;
  /** Sum of the effective floors of the pool tenants, after any scaling. */
  readonly floorTotal: number;
  /** Sum of `min(demand, cap)` over the pool tenants. */
  readonly demandTotal: number;
  /** With `tierFloors: "tier"`: the amount each tier's class floor reserved (before any scaling), by tier id. */
  readonly tierFloorTotals: Partial<Record<TierId, number>>;
}

const optionKeys: ReadonlySet<string> = new Set([
  "capacity",
  "tenants",
  "overcommit",
  "tierFloors",
  "dedicated",
  "catalogue",
]);
/** Distinct tier inputs resolved by a linear scan before a Map takes over (a catalogue has 5 tiers, each with an id, an emoji and both). */
const tierScanLimit = 16;
const tenantKeys: ReadonlySet<string> = new Set(["id", "demand", "weight", "floor", "cap", "tier"]);

/**
 * Weighted max-min fair allocation of one shared pool, with floors, caps and tier guarantees,
 * computed exactly by water-filling (Kubernetes `conc_alloc.go`, YARN `ComputeFairShares`): with
 * `u = min(demand, cap)` and `l = min(floor, u)` it finds one level r such that
 * `a = clamp(weight * r, l, u)` and `sum a = min(capacity, sum u)`. Expected O(n) time.
 *
 * Class floors (`tierFloors: "tier"`, the default): for each tier with a fractional floor f, the
 * tier's members are first water-filled among themselves up to `f * capacity` (at most their
 * demand, at least their own floors); what each member gets there becomes its effective floor in
 * the flat water-filling. When no class floor binds this equals the plain weighted max-min result;
 * when one binds, the tier receives its floor and inside the tier there is one level.
 *
 * Throws `EnisError` `INVALID_OPTIONS` (a field and its value named), `DUPLICATE_ID`,
 * `UNKNOWN_TIER`, or `INFEASIBLE` (floors above capacity with `overcommit: "reject"`).
 *
 * @example
 * ```ts
 * const { allocations } = maxMinAllocate({
 *   capacity: 14,
 *   tenants: [
 *     { id: "a", demand: 3 },
 *     { id: "b", demand: 7 },
 *     { id: "c", demand: 9 },
 *     { id: "d", demand: 1 },
 *   ],
 * });
 * // allocations: { a: 3, b: 5, c: 5, d: 1 }
 * ```
 */
export function maxMinAllocate(options: MaxMinOptions): MaxMinResult {
  assertObject(options, "options");
  assertKnownKeys(options as unknown as Record<string, unknown>, optionKeys, "options");
  const capacity = options.capacity;
  assertNonNegative(capacity, "capacity");
  const tenants: unknown = options.tenants;
  assertArray(tenants, "tenants");
  const overcommit = oneOf(options.overcommit, "overcommit", ["reject", "scale-floors"], "reject");
  const tierFloors = oneOf(options.tierFloors, "tierFloors", ["tier", "tenant", "none"], "tier");
  const dedicatedMode = oneOf(options.dedicated, "dedicated", ["separate", "pool"], "separate");
  const catalogue = resolveCatalogue(options.catalogue, "catalogue");

  const count = tenants.length;
  const dedicated: Record<string, number> = Object.create(null);
  const poolIds: string[] = new Array(count);
  const weights = new Float64Array(count);
  const lower = new Float64Array(count);
  const upper = new Float64Array(count);
  // Index into catalogue.tiers, or -1 without a tier.
  const tierOf = new Int8Array(count);
  const tiers = catalogue.tiers;
  // Tier inputs already resolved: a tenant list names a handful of distinct tier strings, and a
  // short `===` scan (one pointer comparison on the same string) costs less than hashing each
  // input into a Map; the Map takes over past `tierScanLimit` distinct inputs.
  const seenTierInputs: unknown[] = [];
  const seenTierIndices: number[] = [];
  const tierCache = new Map<unknown, number>();
  const separateDedicated = dedicatedMode === "separate";
  let poolCount = 0;
  let weightSum = 0;

  for (let index = 0; index < count; index++) {
    const tenant = tenants[index] as MaxMinTenant | undefined;
    if (typeof tenant !== "object" || tenant === null || Array.isArray(tenant)) {
      throw invalidField(`tenants[${index}]`, tenant, "an object");
    }
    // Comparing with the literal keys (interned, so one pointer comparison each) rather than
    // `tenantKeys.has` keeps the unknown-key check a third of its cost; the Set still names the
    // offending key in the error.
    for (const key in tenant) {
      if (
        key !== "id" &&
        key !== "demand" &&
        key !== "tier" &&
        key !== "weight" &&
        key !== "floor" &&
        key !== "cap"
      ) {
        assertKnownKeys(tenant as unknown as Record<string, unknown>, tenantKeys, `tenants[${index}]`);
      }
    }
    const id: unknown = tenant.id;
    if (typeof id !== "string" || id.length === 0) {
      throw invalidField(`tenants[${index}].id`, id, "a non-empty string");
    }
    const demand: unknown = tenant.demand;
    if (typeof demand !== "number" || !(demand >= 0) || demand === Number.POSITIVE_INFINITY) {
      throw invalidField(`tenants[${index}].demand`, demand, "a finite number >= 0");
    }
    const floor: unknown = tenant.floor;
    if (floor !== undefined && (typeof floor !== "number" || !(floor >= 0) || floor === Infinity)) {
      throw invalidField(`tenants[${index}].floor`, floor, "a finite number >= 0");
    }
    const cap: unknown = tenant.cap;
    if (cap !== undefined && (typeof cap !== "number" || !(cap >= 0) || cap === Infinity)) {
      throw invalidField(`tenants[${index}].cap`, cap, "a finite number >= 0");
    }
    const weight: unknown = tenant.weight;
    if (weight !== undefined && (typeof weight !== "number" || !(weight > 0) || weight === Infinity)) {
      throw invalidField(`tenants[${index}].weight`, weight, "a finite number > 0");
    }
    const tierInput: unknown = tenant.tier;
    let tierIndex = -1;
    let tier: TierSpec | undefined;
    if (tierInput !== undefined) {
      const seen = seenTierInputs.length;
      let position = 0;
      while (position < seen && seenTierInputs[position] !== tierInput) position++;
      if (position < seen) {
        tierIndex = seenTierIndices[position]!;
      } else {
        const cached = tierCache.get(tierInput);
        tierIndex = cached === undefined ? resolveTier(catalogue, tierInput, index) : cached;
        if (seen < tierScanLimit) {
          seenTierInputs.push(tierInput);
          seenTierIndices.push(tierIndex);
        } else if (cached === undefined) {
          tierCache.set(tierInput, tierIndex);
        }
      }
      tier = tiers[tierIndex]!;
    }
    const ceiling = cap !== undefined && cap < demand ? cap : demand;
    if (tier !== undefined && separateDedicated && tier.sharedPoolFloor === "dedicated") {
      if (dedicated[id] !== undefined) throw duplicateId(tenants, id);
      dedicated[id] = ceiling;
      continue;
    }
    poolIds[poolCount] = id;
    weights[poolCount] = weight !== undefined ? weight : tier !== undefined ? tier.weight : 1;
    upper[poolCount] = ceiling;
    const defect = waterFillDefect(ceiling, weights[poolCount]!);
    if (defect !== undefined) throw invalidField(`tenants[${index}].weight`, weights[poolCount], defect);
    weightSum += weights[poolCount]!;
    if (weightSum === Number.POSITIVE_INFINITY) {
      throw invalidField(
        `tenants[${index}].weight`,
        weights[poolCount],
        "small enough that the weights of the pool sum to a finite number",
      );
    }
    lower[poolCount] = floor === undefined ? 0 : Math.min(floor, ceiling);
    tierOf[poolCount] = tierIndex;
    poolCount++;
  }

  const tierFloorTotals: Partial<Record<TierId, number>> = {};
  const demandTotal = exactSum(upper, poolCount);
  const target = Math.min(demandTotal, capacity);
  const out = new Float64Array(poolCount);
  let floorTotal = exactSum(lower, poolCount);
  let floorScale = 1;
  let level = -1;
  if (tierFloors === "tenant") {
    for (let k = 0; k < poolCount; k++) {
      const tier = tiers[tierOf[k]!];
      if (tier === undefined || tier.sharedPoolFloor === "dedicated") continue;
      const tierFloor = tier.sharedPoolFloor * capacity;
      if (tierFloor > lower[k]!) lower[k] = Math.min(tierFloor, upper[k]!);
    }
    floorTotal = exactSum(lower, poolCount);
  } else if (tierFloors === "tier") {
    // When the flat result already gives every tier its class floor, class floors change nothing
    // (every member's class-level share is then at most its flat share), so the usual case costs
    // one water-filling instead of two.
    const flatLevel =
      floorTotal <= capacity ? waterFill(weights, lower, upper, poolCount, target, out) : Number.NaN;
    const classFloorTotal = classFloorSums(
      tiers,
      tierOf,
      lower,
      upper,
      out,
      poolCount,
      capacity,
      tierFloorTotals,
    );
    if (classFloorTotal.binding || Number.isNaN(flatLevel)) {
      applyClassFloors(tiers, tierOf, weights, lower, upper, poolCount, capacity);
      floorTotal = exactSum(lower, poolCount);
    } else {
      level = flatLevel;
      floorTotal = classFloorTotal.floorTotal;
    }
  }

  // Relative slack absorbs rounding of sums that equal the capacity exactly (class floors of 100%).
  if (floorTotal > capacity * (1 + 1e-12)) {
    if (overcommit === "reject") {
      // Input errors outrank infeasibility: report a duplicate id first.
      buildRecord(poolIds, lower, poolCount, dedicated, tenants);
      throw new EnisError(
        "INFEASIBLE",
        `the guaranteed floors sum to ${floorTotal}, above the capacity ${capacity} (shortfall ${
          floorTotal - capacity
        }); lower the floors or use overcommit: "scale-floors"`,
        { field: "capacity" },
      );
    }
    floorScale = capacity / floorTotal;
    for (let k = 0; k < poolCount; k++) lower[k] = lower[k]! * floorScale;
    floorTotal = exactSum(lower, poolCount);
  }

  if (level < 0) level = waterFill(weights, lower, upper, poolCount, target, out);
  const allocations = buildRecord(poolIds, out, poolCount, dedicated, tenants);
  const allocated = exactSum(out, poolCount);
  return {
    allocations,
    level,
    allocated,
    unallocated: capacity > allocated ? capacity - allocated : 0,
    dedicated,
    floorScale,
    floorTotal,
    demandTotal,
    tierFloorTotals,
  };
}

/**
 * Per tier: the class floor's reservation `clamp(fraction * capacity, sum l, sum u)` over its pool
 * members (into `totals`), the sum of all effective floors, and whether the flat allocation `out`
 * (NaN level: not computed, floors infeasible) leaves some tier below its reservation.
 */
function classFloorSums(
  tiers: readonly TierSpec[],
  tierOf: Int8Array,
  lower: Float64Array,
  upper: Float64Array,
  out: Float64Array,
  count: number,
  capacity: number,
  totals: Partial<Record<TierId, number>>,
): { binding: boolean; floorTotal: number } {
  const size = tiers.length;
  const sumLower = new Float64Array(size);
  const sumUpper = new Float64Array(size);
  const sumAllocated = new Float64Array(size);
  let untieredFloors = 0;
  for (let k = 0; k < count; k++) {
    const t = tierOf[k]!;
    if (t < 0 || tiers[t]!.sharedPoolFloor === "dedicated") {
      untieredFloors += lower[k]!;
      continue;
    }
    sumLower[t]! += lower[k]!;
    sumUpper[t]! += upper[k]!;
    sumAllocated[t]! += out[k]!;
  }
  let binding = false;
  let floorTotal = untieredFloors;
  for (let t = 0; t < size; t++) {
    const tier = tiers[t]!;
    if (tier.sharedPoolFloor === "dedicated" || sumUpper[t] === 0) continue;
    const reservation = Math.max(sumLower[t]!, Math.min(tier.sharedPoolFloor * capacity, sumUpper[t]!));
    totals[tier.id] = reservation;
    floorTotal += reservation;
    // Relative slack: a class that gets its floor up to rounding does not bind.
    if (sumAllocated[t]! < reservation * (1 - 1e-12)) binding = true;
  }
  return { binding, floorTotal };
}

/**
 * Raises each member's lower bound to what water-filling its tier's class floor among the tier's
 * members gives it (see {@link maxMinAllocate}).
 */
function applyClassFloors(
  tiers: readonly TierSpec[],
  tierOf: Int8Array,
  weights: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  count: number,
  capacity: number,
): void {
  const memberCounts = new Int32Array(tiers.length);
  for (let k = 0; k < count; k++) {
    const tierIndex = tierOf[k]!;
    if (tierIndex >= 0) memberCounts[tierIndex]!++;
  }
  for (let t = 0; t < tiers.length; t++) {
    const tier = tiers[t]!;
    const members = memberCounts[t]!;
    if (tier.sharedPoolFloor === "dedicated" || members === 0) continue;
    const positions = new Int32Array(members);
    const classWeights = new Float64Array(members);
    const classLower = new Float64Array(members);
    const classUpper = new Float64Array(members);
    let m = 0;
    for (let k = 0; k < count; k++) {
      if (tierOf[k] !== t) continue;
      positions[m] = k;
      classWeights[m] = weights[k]!;
      classLower[m] = lower[k]!;
      classUpper[m] = upper[k]!;
      m++;
    }
    const classOut = new Float64Array(members);
    // The kernel clamps the target into [sum l, sum u]: the class floor never exceeds the class's
    // demand, and never lowers a member's own floor.
    waterFill(classWeights, classLower, classUpper, members, tier.sharedPoolFloor * capacity, classOut);
    for (let j = 0; j < members; j++) lower[positions[j]!] = classOut[j]!;
  }
}

/**
 * The null-prototype record id -> value of the pool tenants. Building it is also the duplicate-id
 * check: one dictionary insertion per tenant is the dominant cost at a million tenants (each is a
 * cache miss), so ids are not hashed a second time during validation.
 */
function buildRecord(
  ids: readonly string[],
  values: Float64Array,
  count: number,
  dedicated: Record<string, number>,
  tenants: readonly unknown[],
): Record<string, number> {
  const record: Record<string, number> = Object.create(null);
  for (let k = 0; k < count; k++) {
    const id = ids[k]!;
    if (record[id] !== undefined) throw duplicateId(tenants, id);
    record[id] = values[k]!;
  }
  // Dedicated ids are unique among themselves (checked on insertion); few, so checked here.
  for (const id in dedicated) if (record[id] !== undefined) throw duplicateId(tenants, id);
  return record;
}

/** The DUPLICATE_ID error naming the second tenant that uses `id` (error path only: a linear scan). */
function duplicateId(tenants: readonly unknown[], id: string): EnisError {
  let seen = false;
  let index = 0;
  for (; index < tenants.length; index++) {
    if ((tenants[index] as { id?: unknown }).id !== id) continue;
    if (seen) break;
    seen = true;
  }
  return new EnisError("DUPLICATE_ID", `tenants[${index}].id ${JSON.stringify(id)} is used twice`, {
    field: `tenants[${index}].id`,
  });
}

function resolveTier(catalogue: TierCatalogue, input: unknown, index: number): number {
  let spec: TierSpec;
  try {
    spec = catalogue.parse(input);
  } catch (error) {
    if (EnisError.isInstance(error)) {
      throw new EnisError(error.code, `tenants[${index}].${error.message}`, {
        field: `tenants[${index}].tier`,
        cause: error,
      });
    }
    throw error;
  }
  const tierIndex = catalogue.tiers.indexOf(spec);
  if (tierIndex < 0) throw new EnisError("INTERNAL", `tier ${spec.id} is not in its own catalogue`);
  return tierIndex;
}
