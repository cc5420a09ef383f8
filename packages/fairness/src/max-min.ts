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
import { type FilledPool, fillPool } from "./max-min-columns.js";
import { giveBackScratch, type Scratch, takeScratch } from "./scratch.js";
import { exactSum, waterFill, waterFillDefect } from "./water-fill.js";

/** One tenant competing for the capacity. */
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
   * default weight and the tier's guarantee (see {@link TierFloorMode}).
   * @default no tier: weight 1, no tier floor
   */
  readonly tier?: string;
}

/**
 * How the catalogue's tier guarantees become floors. The fractional ones (`sharedPoolFloor` 5% /
 * 10% / 20% for 🟤 zero / 🟡 shared / 🟢 lite) are fractions of `capacity`; a `"dedicated"` one (🔵
 * enterprise, 🔴 compliance) guarantees each of the tier's tenants `min(demand, cap)`, served from
 * `capacity` before the rest is water-filled (unless `dedicatedCapacity` holds capacity apart for
 * those tiers).
 * - `"tier"`: each fraction × capacity is guaranteed to the tier as a class, shared among its
 *   tenants by water-filling inside the tier. The fractions sum to at most 1, so they are always
 *   feasible on their own; with dedicated guarantees beside them, see {@link OvercommitPolicy}.
 * - `"tenant"`: the seed's literal reading: every tenant of a fractional tier gets fraction ×
 *   capacity as its own floor (infeasible with more than a handful of tenants; see
 *   {@link OvercommitPolicy}).
 * - `"none"`: tiers give weights only; no tier guarantees anything, dedicated tiers included.
 */
export type TierFloorMode = "tier" | "tenant" | "none";

/**
 * What to do when the guarantees (explicit floors, tier floors, dedicated tiers' demands) sum
 * above the capacity they are served from.
 * - `"reject"`: throw `EnisError("INFEASIBLE")` naming the floors' sum, the capacity and the shortfall.
 * - `"scale-floors"`: scale every floor of that pool by capacity / floors' sum (reported as `floorScale`).
 */
export type OvercommitPolicy = "reject" | "scale-floors";

/** Options of {@link maxMinAllocate}. */
export interface MaxMinOptions {
  /**
   * Capacity every tenant shares, in the same units as the demands; finite and >= 0. Nothing
   * beyond it is handed out, except `dedicatedCapacity` when given.
   */
  readonly capacity: number;
  /** The tenants; ids unique. An empty list is valid. */
  readonly tenants: readonly MaxMinTenant[];
  /**
   * Policy when the guarantees sum above the capacity they are served from.
   * @default "reject"
   */
  readonly overcommit?: OvercommitPolicy;
  /**
   * How tier guarantees apply.
   * @default "tier"
   */
  readonly tierFloors?: TierFloorMode;
  /**
   * Capacity held apart for the tenants of `"dedicated"` tiers (🔵 enterprise, 🔴 compliance),
   * finite and >= 0. When given, those tenants are water-filled by weight over it (with their own
   * floors and caps) and nothing else, the other tenants share `capacity`, and the result reports
   * that pool in {@link MaxMinResult.dedicated}. When absent, every tenant shares `capacity` and a
   * dedicated tier's guarantee is served from it first.
   * @default undefined (no capacity held apart)
   */
  readonly dedicatedCapacity?: number;
  /**
   * Tier catalogue used to resolve `tier`.
   * @default defaultTierCatalogue
   */
  readonly catalogue?: TierCatalogue;
}

/** One capacity divided by water-filling, and what each tenant it served received. */
export interface MaxMinPoolResult {
  /** Allocation of every tenant served from this capacity, by id (a null-prototype object). */
  readonly allocations: Record<string, number>;
  /** The capacity divided. */
  readonly capacity: number;
  /**
   * The water level r: every tenant gets `clamp(weight * r, floor, min(demand, cap))`, with its
   * effective floor. When capacity binds it is the unique such level (0 when only floors are
   * served); when every demand is met, any level from the largest `demand / weight` up gives the same
   * allocation, and that largest value is returned.
   */
  readonly level: number;
  /** Sum of `allocations`: `min(capacity, sum of min(demand, cap))` up to rounding. */
  readonly allocated: number;
  /** `capacity - allocated`, never negative. */
  readonly unallocated: number;
  /** Factor applied to every floor: 1 unless `overcommit: "scale-floors"` had to scale them. */
  readonly floorScale: number;
  /** Sum of the effective floors, after any scaling. */
  readonly floorTotal: number;
  /** Sum of `min(demand, cap)` over the tenants. */
  readonly demandTotal: number;
}

/** Result of {@link maxMinAllocate}: the shared `capacity`, and the dedicated pool when one was asked for. */
export interface MaxMinResult extends MaxMinPoolResult {
  /**
   * With `tierFloors: "tier"`: the amount each tier's guarantee reserved (before any scaling), by
   * tier id — a class floor for 🟤 🟡 🟢, the members' `min(demand, cap)` for a dedicated tier
   * served from `capacity`.
   */
  readonly tierFloorTotals: Partial<Record<TierId, number>>;
  /**
   * Only with `dedicatedCapacity`: that capacity, the dedicated tiers' tenants served from it, and
   * what is left of it. Those tenants are then not in `allocations`.
   */
  readonly dedicated?: MaxMinPoolResult;
}

const optionKeys: ReadonlySet<string> = new Set([
  "capacity",
  "tenants",
  "overcommit",
  "tierFloors",
  "dedicatedCapacity",
  "catalogue",
]);
const tenantKeys: ReadonlySet<string> = new Set(["id", "demand", "weight", "floor", "cap", "tier"]);

/**
 * Weighted max-min fair allocation of one shared capacity, with floors, caps and tier guarantees,
 * computed exactly by water-filling (Kubernetes `conc_alloc.go`, YARN `ComputeFairShares`): with
 * `u = min(demand, cap)` and `l = min(floor, u)` it finds one level r such that
 * `a = clamp(weight * r, l, u)` and `sum a = min(capacity, sum u)`. Expected O(n) time. Nothing
 * beyond `capacity` is handed out unless `dedicatedCapacity` is given.
 *
 * Tier guarantees (`tierFloors: "tier"`, the default):
 * - 🔵 enterprise and 🔴 compliance (`sharedPoolFloor: "dedicated"` in the catalogue) share
 *   `capacity` with every other tenant, and each of their tenants is guaranteed `min(demand, cap)`:
 *   a floor, served before the water-filling. Guarantees that sum above the capacity go through
 *   `overcommit` (by default `INFEASIBLE`). With `dedicatedCapacity` they are served from that
 *   capacity instead, by weight, and reported apart in `dedicated`.
 * - Class floors: for each tier with a fractional floor f, the tier's members are first
 *   water-filled among themselves up to `f * capacity` (at most their demand, at least their own
 *   floors); what each member gets there becomes its effective floor in the flat water-filling.
 *   When no class floor binds this equals the plain weighted max-min result; when one binds, the
 *   tier receives its floor and inside the tier there is one level.
 *
 * Throws `EnisError` `INVALID_OPTIONS` (a field and its value named), `DUPLICATE_ID`,
 * `UNKNOWN_TIER`, or `INFEASIBLE` (guarantees above capacity with `overcommit: "reject"`). For
 * tenants held by index in typed arrays, {@link maxMinAllocateColumns} does the same water-filling
 * without objects. Keeps its working arrays (33 bytes per tenant of its largest call) for the next
 * call.
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
  const dedicatedCapacity = options.dedicatedCapacity;
  if (dedicatedCapacity !== undefined) assertNonNegative(dedicatedCapacity, "dedicatedCapacity");
  const catalogue = resolveCatalogue(options.catalogue, "catalogue");

  const count = tenants.length;
  const scratch = takeScratch(count);
  try {
    return allocate(tenants, count, capacity, overcommit, tierFloors, dedicatedCapacity, catalogue, scratch);
  } finally {
    giveBackScratch(scratch);
  }
}

/** {@link maxMinAllocate} after its options are checked, in `scratch`'s arrays. */
function allocate(
  tenants: readonly unknown[],
  count: number,
  capacity: number,
  overcommit: OvercommitPolicy,
  tierFloors: TierFloorMode,
  dedicatedCapacity: number | undefined,
  catalogue: TierCatalogue,
  scratch: Scratch,
): MaxMinResult {
  const { weights, lower, upper, out } = scratch;
  // Index into catalogue.tiers, or -1 without a tier (or served from dedicatedCapacity).
  const tierOf = scratch.tierOf;
  const tiers = catalogue.tiers;
  // Per tier, by index: the weight, and whether its guarantee is "dedicated" (read per tenant,
  // from two small arrays rather than through the frozen tier objects).
  const tierWeight = new Float64Array(tiers.length);
  const tierDedicated = new Uint8Array(tiers.length);
  for (let t = 0; t < tiers.length; t++) {
    tierWeight[t] = tiers[t]!.weight;
    tierDedicated[t] = tiers[t]!.sharedPoolFloor === "dedicated" ? 1 : 0;
  }
  const tierLookup = new TierLookup(catalogue);
  const separate = dedicatedCapacity !== undefined;
  const guaranteeDedicated = !separate && tierFloors !== "none";
  // Tenants served from dedicatedCapacity: their indices (ascending) and bounds.
  const dedicatedIndices: number[] = [];
  const dedicatedLower: number[] = [];
  const dedicatedUpper: number[] = [];
  let weightSum = 0;
  let dedicatedWeightSum = 0;
  // Whether any lower bound is above 0 (else their sum is 0 without a pass over them).
  let floorsGiven = false;

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
    // The id is read and checked once, when the record is built: its string is read there anyway
    // (to hash it), and reading it here too cost a second cache miss per tenant at a million.
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
    const givenWeight: unknown = tenant.weight;
    if (
      givenWeight !== undefined &&
      (typeof givenWeight !== "number" || !(givenWeight > 0) || givenWeight === Infinity)
    ) {
      throw invalidField(`tenants[${index}].weight`, givenWeight, "a finite number > 0");
    }
    const tierInput: unknown = tenant.tier;
    const tierIndex = tierInput === undefined ? -1 : tierLookup.indexOf(tierInput, index);
    const ceiling = cap !== undefined && cap < demand ? cap : demand;
    const weight = givenWeight !== undefined ? givenWeight : tierIndex >= 0 ? tierWeight[tierIndex]! : 1;
    // A multiplication screens out the levels that are surely representable (a weight >= 1 cannot
    // overflow ceiling / weight, one < 1 cannot underflow it); the division runs for the rest.
    if (weight >= 1 ? ceiling !== 0 && ceiling < weight * 1e-290 : ceiling > weight * 1e290) {
      const defect = waterFillDefect(ceiling, weight);
      if (defect !== undefined) throw invalidField(`tenants[${index}].weight`, weight, defect);
    }
    const ownFloor = floor === undefined ? 0 : Math.min(floor, ceiling);
    weights[index] = weight;
    if (ownFloor > 0) floorsGiven = true;
    const dedicatedTier = tierIndex >= 0 && tierDedicated[tierIndex] === 1;
    if (dedicatedTier && separate) {
      // Served from dedicatedCapacity: in the shared arrays, fixed at 0 and without a tier.
      dedicatedIndices.push(index);
      dedicatedLower.push(ownFloor);
      dedicatedUpper.push(ceiling);
      upper[index] = 0;
      lower[index] = 0;
      tierOf[index] = -1;
      dedicatedWeightSum += weight;
      if (dedicatedWeightSum === Number.POSITIVE_INFINITY) throw weightSumOverflow(index, weight);
      continue;
    }
    upper[index] = ceiling;
    if (dedicatedTier && guaranteeDedicated) {
      lower[index] = ceiling;
      floorsGiven = true;
    } else lower[index] = ownFloor;
    tierOf[index] = tierIndex;
    weightSum += weight;
    if (weightSum === Number.POSITIVE_INFINITY) throw weightSumOverflow(index, weight);
  }

  const tierFloorTotals: Partial<Record<TierId, number>> = {};
  const demandTotal = exactSum(upper, count);
  let floorTotal = floorsGiven ? Number.NaN : 0;
  let level = -1;
  if (tierFloors === "tenant") {
    floorTotal = Number.NaN;
    for (let k = 0; k < count; k++) {
      const tier = tiers[tierOf[k]!];
      if (tier === undefined || tier.sharedPoolFloor === "dedicated") continue;
      const tierFloor = tier.sharedPoolFloor * capacity;
      if (tierFloor > lower[k]!) lower[k] = Math.min(tierFloor, upper[k]!);
    }
  } else if (tierFloors === "tier") {
    // When the flat result already gives every tier its class floor, class floors change nothing
    // (every member's class-level share is then at most its flat share), so the usual case costs
    // one water-filling instead of two.
    const ownFloorTotal = floorsGiven ? exactSum(lower, count) : 0;
    const flatLevel =
      ownFloorTotal <= capacity
        ? waterFill(weights, lower, upper, count, Math.min(capacity, demandTotal), out)
        : Number.NaN;
    const classFloorTotal = classFloorSums(
      tiers,
      tierOf,
      lower,
      upper,
      out,
      count,
      capacity,
      tierFloorTotals,
    );
    if (classFloorTotal.binding || Number.isNaN(flatLevel)) {
      applyClassFloors(tiers, tierOf, weights, lower, upper, count, capacity);
      floorTotal = Number.NaN;
    } else {
      level = flatLevel;
      floorTotal = classFloorTotal.floorTotal;
    }
  }

  // Input errors outrank infeasibility: a duplicate id is reported first.
  const checkIds = () => buildRecords(tenants, lower, count, dedicatedIndices, lower);
  const shared = fillPool(
    weights,
    lower,
    upper,
    count,
    capacity,
    overcommit,
    "capacity",
    out,
    demandTotal,
    floorTotal,
    level,
    checkIds,
  );
  let dedicated: MaxMinPoolResult | undefined;
  let dedicatedOut: Float64Array | undefined;
  let dedicatedPool: FilledPool | undefined;
  if (separate) {
    const size = dedicatedIndices.length;
    const dedicatedWeights = new Float64Array(size);
    for (let j = 0; j < size; j++) dedicatedWeights[j] = weights[dedicatedIndices[j]!]!;
    dedicatedOut = new Float64Array(size);
    dedicatedPool = fillPool(
      dedicatedWeights,
      Float64Array.from(dedicatedLower),
      Float64Array.from(dedicatedUpper),
      size,
      dedicatedCapacity,
      overcommit,
      "dedicatedCapacity",
      dedicatedOut,
      Number.NaN,
      Number.NaN,
      -1,
      checkIds,
    );
  }
  const records = buildRecords(tenants, out, count, dedicatedIndices, dedicatedOut);
  if (separate)
    dedicated = { allocations: records.dedicated, capacity: dedicatedCapacity, ...dedicatedPool! };
  const result: MaxMinResult = {
    allocations: records.shared,
    capacity,
    ...shared,
    tierFloorTotals,
    ...(dedicated === undefined ? {} : { dedicated }),
  };
  return result;
}

function weightSumOverflow(index: number, weight: number): EnisError {
  return invalidField(
    `tenants[${index}].weight`,
    weight,
    "small enough that the weights of the pool sum to a finite number",
  );
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
    if (t < 0) {
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
    if (sumUpper[t] === 0) continue;
    // A dedicated tier's members carry their guarantee as their own floors already.
    const reservation =
      tier.sharedPoolFloor === "dedicated"
        ? sumLower[t]!
        : Math.max(sumLower[t]!, Math.min(tier.sharedPoolFloor * capacity, sumUpper[t]!));
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
 * The null-prototype records id -> value of the (checked) tenant objects served from `capacity`
 * (`shared`, every index not in `dedicatedIndices`) and from `dedicatedCapacity` (`dedicated`, the
 * value of `dedicatedIndices[j]` at `dedicatedValues[j]`). Building them is also the id check and
 * the duplicate-id check: one dictionary insertion per tenant is the dominant cost at a million
 * tenants (each is a cache miss), so ids are not read and hashed a second time elsewhere.
 */
function buildRecords(
  tenants: readonly unknown[],
  values: Float64Array,
  count: number,
  dedicatedIndices: readonly number[],
  dedicatedValues: Float64Array | undefined,
): { shared: Record<string, number>; dedicated: Record<string, number> } {
  const shared: Record<string, number> = Object.create(null);
  const dedicated: Record<string, number> = Object.create(null);
  const separated = dedicatedIndices.length;
  if (separated === 0) {
    for (let k = 0; k < count; k++) {
      const id: unknown = (tenants[k] as MaxMinTenant).id;
      if (typeof id !== "string" || id.length === 0) throw invalidId(k, id);
      if (shared[id] !== undefined) throw duplicateId(tenants, id);
      shared[id] = values[k]!;
    }
    return { shared, dedicated };
  }
  let next = 0;
  for (let k = 0; k < count; k++) {
    const id: unknown = (tenants[k] as MaxMinTenant).id;
    if (typeof id !== "string" || id.length === 0) throw invalidId(k, id);
    if (next < separated && dedicatedIndices[next] === k) {
      if (dedicated[id] !== undefined) throw duplicateId(tenants, id);
      dedicated[id] = dedicatedValues === undefined ? 0 : dedicatedValues[next]!;
      next++;
      continue;
    }
    if (shared[id] !== undefined) throw duplicateId(tenants, id);
    shared[id] = values[k]!;
  }
  // The dedicated tenants are few: their ids are checked against the shared record here.
  for (const id in dedicated) if (shared[id] !== undefined) throw duplicateId(tenants, id);
  return { shared, dedicated };
}

function invalidId(index: number, id: unknown): EnisError {
  return invalidField(`tenants[${index}].id`, id, "a non-empty string");
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
  return new EnisError(
    "DUPLICATE_ID",
    `tenants[${index}].id must be unique, got ${JSON.stringify(id)} twice`,
    {
      field: `tenants[${index}].id`,
    },
  );
}

/**
 * The slot of a non-empty tier string in {@link TierLookup}'s table.
 *
 * @internal
 */
export function tierSlot(input: string): number {
  return (input.length * 3 + input.charCodeAt(input.length >> 1) + input.charCodeAt(input.length - 1)) & 63;
}

/**
 * Tier inputs resolved to catalogue indices, for the tenant loop. A tenant list names a handful of
 * distinct tier strings, most often the same string objects again, so a direct-mapped table of 64
 * slots, keyed by the length and the middle and last code units, answers with one comparison and
 * no unpredictable branch; the 15 standard spellings (id, emoji, "emoji id") land in distinct
 * slots (a test checks it). A miss (a new input, or one whose slot another took) goes to a Map, and parsing only
 * happens once per distinct input. A linear scan over the inputs seen, which this replaced,
 * mispredicted its exit on every tenant of a mixed list.
 */
class TierLookup {
  private readonly slotInputs: unknown[] = new Array(64).fill(undefined);
  private readonly slotIndices = new Int8Array(64);
  private readonly resolved = new Map<unknown, number>();
  constructor(private readonly catalogue: TierCatalogue) {}

  /** The catalogue index of `input`, the tier of `tenants[index]`; throws UNKNOWN_TIER naming it. */
  indexOf(input: unknown, index: number): number {
    const slot = typeof input === "string" && input.length > 0 ? tierSlot(input) : 0;
    if (this.slotInputs[slot] === input) return this.slotIndices[slot]!;
    let tierIndex = this.resolved.get(input);
    if (tierIndex === undefined) {
      tierIndex = resolveTier(this.catalogue, input, index);
      this.resolved.set(input, tierIndex);
    }
    this.slotInputs[slot] = input;
    this.slotIndices[slot] = tierIndex;
    return tierIndex;
  }
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
