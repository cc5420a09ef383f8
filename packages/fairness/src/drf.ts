import { EnisError } from "@enis/core";
import {
  assertArray,
  assertId,
  assertInteger,
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  assertPositive,
  describeValue,
  invalidField,
} from "@enis/core/validate";

/** One user (tenant, job, queue) of {@link drfAllocate}. */
export interface DrfUser {
  /** Unique id of the user; the keys of every per-user record of the result. */
  readonly id: string;
  /**
   * What one task of this user needs, by resource name. Every name must be a key of
   * {@link DrfOptions.capacity}; a resource left out counts as 0. Values are finite and ≥ 0, and at
   * least one is > 0 unless {@link DrfUser.maxTasks} is set (else the user would take infinitely many tasks).
   */
  readonly taskDemand: Readonly<Record<string, number>>;
  /**
   * Weight of the user: DRF equalises `dominantShare / weight`, so weight 2 earns twice the dominant share.
   * Finite and > 0.
   * @default 1
   */
  readonly weight?: number;
  /**
   * Most tasks the user wants (a safe integer ≥ 0). Without it the user takes tasks until its next task
   * does not fit.
   * @default unlimited
   */
  readonly maxTasks?: number;
}

/** Options of {@link drfAllocate}. */
export interface DrfOptions {
  /** Total of each resource, by name (e.g. `{ cpu: 9, memoryGb: 18 }`); finite and ≥ 0. */
  readonly capacity: Readonly<Record<string, number>>;
  /** The users, in priority order for ties: on equal weighted dominant shares the earlier user goes first. */
  readonly users: readonly DrfUser[];
}

/** Result of {@link drfAllocate}. Every per-user record has one entry per user id. */
export interface DrfAllocation {
  /** Tasks placed for each user. */
  readonly tasks: Record<string, number>;
  /** Unweighted dominant share of each user, `tasks × max_r(taskDemand[r] / capacity[r])` over resources with capacity > 0. */
  readonly dominantShares: Record<string, number>;
  /** `dominantShares / weight`: the quantity DRF equalises and sorts users by. */
  readonly weightedDominantShares: Record<string, number>;
  /** Amount of each resource taken by all placed tasks, `Σ tasks × taskDemand` summed in input order. */
  readonly used: Record<string, number>;
  /**
   * `null` for a user that reached `maxTasks`; otherwise the first resource (in `capacity` key order)
   * on which its next task does not fit in the final allocation. That is a resource that keeps it
   * from growing now, not necessarily the one that was short when it stopped: a resource other
   * users filled later may come first.
   */
  readonly blockedBy: Record<string, string | null>;
}

/**
 * Weighted Dominant Resource Fairness for discrete tasks (Ghodsi et al., "Dominant Resource Fairness:
 * Fair Allocation of Multiple Resource Types", NSDI 2011, section 5.1 progressive filling).
 *
 * Semantics, exactly those of the one-task-at-a-time greedy:
 * - the weighted dominant share of user `i` holding `k` tasks is `k × q_i`, with
 *   `q_i = max_r(taskDemand_i[r] / capacity[r]) / weight_i` over resources with capacity > 0, computed
 *   in that order in floating point;
 * - repeatedly the unfinished user with the lowest weighted dominant share gets one task, ties going to
 *   the user listed first;
 * - a user is finished when it holds `maxTasks`, or when its next task does not fit: resources only ever
 *   shrink, so it never fits again;
 * - a task fits when `used[r] + taskDemand[r] ≤ capacity[r] + slack[r]` for every resource, with
 *   `slack[r] = min(capacity[r] × 2^-40, smallestPositiveDemand[r] / 2)`: enough that ten tasks of 0.1
 *   fill a capacity of 1 despite binary rounding, and never as much as half a task, so with integer
 *   demands and capacities below 2^40 `used ≤ capacity` holds exactly.
 *
 * The result equals that greedy's — exactly when demands add up without rounding (integers, binary
 * fractions); with decimal demands the greedy's running sum and a batch's product round differently,
 * and when more roundings pile up than the slack absorbs (some 10^4: a capacity of 1e4 filled by 1e5
 * tasks of 0.1) the two can differ by one task at a resource's boundary (this gives the exact
 * 100,000; a greedy adding 0.1 each time stops at 99,999) — but tasks are placed in exact batches: a user takes all its tasks that
 * come before the next user's in the greedy order at once, and a bisection on the share level places
 * every task below the highest level at which everything still fits in one step, so a capacity of 1e15
 * tiny tasks costs a few dozen passes over the users, not 1e15 steps.
 *
 * Throws `EnisError` `INVALID_OPTIONS` (naming the field and value) for malformed options, unknown keys,
 * negative or non-finite numbers, a demand on a resource that `capacity` lacks, weight ≤ 0, a
 * non-integer `maxTasks`, a user with no `maxTasks` whose demand is all zero or so small that more than
 * 2^53 − 1 tasks would fit; `DUPLICATE_ID` when two users share an id.
 *
 * @example
 * ```ts
 * const result = drfAllocate({
 *   capacity: { cpu: 9, memoryGb: 18 },
 *   users: [
 *     { id: "A", taskDemand: { cpu: 1, memoryGb: 4 } },
 *     { id: "B", taskDemand: { cpu: 3, memoryGb: 1 } },
 *   ],
 * });
 * result.tasks; // { A: 3, B: 2 }, both dominant shares 2/3 (the paper's example)
 * ```
 */
export function drfAllocate(options: DrfOptions): DrfAllocation {
  const model = parseDrfOptions(options);
  const { tasks, used } = placeTasks(model);
  return describeAllocation(model, tasks, used);
}

// ---------------------------------------------------------------------------------------------------
// Shared with hierarchical-drf.ts (not exported from the package).

/** @internal Resources of a capacity record, in key order. */
export interface ResourceModel {
  /** Resource names, in the key order of `capacity`. */
  readonly names: readonly string[];
  /** Capacity of each resource, by position in `names`. */
  readonly capacity: Float64Array;
  /** Position of each name in `names`. */
  readonly positions: ReadonlyMap<string, number>;
}

/** @internal Validates a capacity record. */
export function parseCapacity(value: unknown, field: string): ResourceModel {
  assertObject(value, field);
  const names = Object.keys(value);
  const capacity = new Float64Array(names.length);
  const positions = new Map<string, number>();
  names.forEach((name, position) => {
    const amount = value[name];
    assertNonNegative(amount, `${field}.${name}`);
    capacity[position] = amount;
    positions.set(name, position);
  });
  return { names, capacity, positions };
}

/** @internal Validates one task demand and writes it into `into` at `offset` (one slot per resource). */
export function parseTaskDemand(
  value: unknown,
  resources: ResourceModel,
  field: string,
  into: Float64Array,
  offset: number,
): void {
  assertObject(value, field);
  for (const name of Object.keys(value)) {
    const amount = value[name];
    const position = resources.positions.get(name);
    if (position === undefined) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field}.${name} must be a resource of capacity (${resources.names.map((n) => JSON.stringify(n)).join(", ") || "none"}), got ${describeValue(amount)} for ${JSON.stringify(name)}`,
        { field: `${field}.${name}` },
      );
    }
    assertNonNegative(amount, `${field}.${name}`);
    into[offset + position] = amount;
  }
}

/**
 * @internal Per-resource fit limit `capacity + slack` (see {@link drfAllocate}); `demands` holds `count`
 * demand vectors of `m` resources each.
 */
export function fitLimits(resources: ResourceModel, demands: Float64Array, count: number): Float64Array {
  const m = resources.names.length;
  const limits = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    let smallest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const d = demands[i * m + r]!;
      if (d > 0 && d < smallest) smallest = d;
    }
    const capacity = resources.capacity[r]!;
    // Rounding of sums of decimal demands is ~1e-16 relative per addition; 2^-40 leaves room for ~10^4
    // accumulated roundings, and half the smallest task keeps integer inputs exact.
    limits[r] = capacity + Math.min(capacity * 2 ** -40, smallest / 2);
  }
  return limits;
}

/** @internal Most tasks of demand `demands[offset..offset+m)` that fit on an empty cluster; Infinity when all zero. */
export function tasksThatFitAlone(demands: Float64Array, offset: number, limits: Float64Array): number {
  let most = Number.POSITIVE_INFINITY;
  for (let r = 0; r < limits.length; r++) {
    const d = demands[offset + r]!;
    if (d <= 0) continue;
    const limit = limits[r]!;
    let t = Math.floor(limit / d);
    // Beyond 2^53 `t + 1 === t`: no refinement; another resource may still bound the count, and a
    // count that stays this large is rejected by the caller.
    if (t > Number.MAX_SAFE_INTEGER) {
      if (t < most) most = t;
      continue;
    }
    while (t > 0 && t * d > limit) t--;
    while ((t + 1) * d <= limit) t++;
    if (t < most) most = t;
  }
  return most;
}

/**
 * @internal Throws unless a user that can place a task has a finite weighted share per task (a
 * weight so small that share / weight overflows would order every such user alike, as NaN).
 */
export function assertKeyStep(keyStep: number, cap: number, weight: number, field: string): void {
  if (cap > 0 && !Number.isFinite(keyStep)) {
    throw invalidField(field, weight, "large enough that a task's dominant share / weight is finite");
  }
}

/** @internal `max_r(demand[r] / capacity[r])` over resources with capacity > 0. */
export function dominantSharePerTask(
  demands: Float64Array,
  offset: number,
  resources: ResourceModel,
): number {
  let share = 0;
  for (let r = 0; r < resources.names.length; r++) {
    const capacity = resources.capacity[r]!;
    if (capacity > 0) share = Math.max(share, demands[offset + r]! / capacity);
  }
  return share;
}

/** @internal Validates `maxTasks` and the demand together; returns the user's effective task cap. */
export function taskCap(
  maxTasks: unknown,
  taskDemand: unknown,
  demands: Float64Array,
  offset: number,
  limits: Float64Array,
  field: string,
): number {
  const alone = tasksThatFitAlone(demands, offset, limits);
  if (maxTasks !== undefined) {
    assertInteger(maxTasks, `${field}.maxTasks`, 0);
    return Math.min(maxTasks, alone);
  }
  if (alone === Number.POSITIVE_INFINITY) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `${field}.taskDemand must need some resource when maxTasks is not set (else the user takes infinitely many tasks), got ${describeValue(taskDemand)}`,
      { field: `${field}.taskDemand` },
    );
  }
  if (alone > Number.MAX_SAFE_INTEGER) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `${field}.taskDemand must be large enough against capacity that at most 2^53 - 1 tasks fit (or set maxTasks), got ${describeValue(taskDemand)}`,
      { field: `${field}.taskDemand` },
    );
  }
  return alone;
}

/** @internal Sets `record[key] = value` as an own property, even for the key `__proto__`. */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[key] = value;
  }
}

// ---------------------------------------------------------------------------------------------------

interface DrfModel {
  readonly resources: ResourceModel;
  readonly ids: readonly string[];
  readonly weights: Float64Array;
  readonly maxTasks: ReadonlyArray<number | undefined>;
  /** n × m demand matrix, row-major. */
  readonly demands: Float64Array;
  readonly limits: Float64Array;
  /** Unweighted dominant share of one task. */
  readonly sharePerTask: Float64Array;
  /** Weighted dominant share of one task: the greedy's key step. */
  readonly keyStep: Float64Array;
  /** min(maxTasks, tasks that fit alone): no user can ever hold more. */
  readonly caps: Float64Array;
}

const optionKeys: ReadonlySet<string> = new Set(["capacity", "users"]);
const userKeys: ReadonlySet<string> = new Set(["id", "taskDemand", "weight", "maxTasks"]);

function parseDrfOptions(options: unknown): DrfModel {
  assertObject(options, "options");
  assertKnownKeys(options, optionKeys, "options");
  const resources = parseCapacity(options["capacity"], "capacity");
  const users = options["users"];
  assertArray(users, "users");
  const n = users.length;
  const m = resources.names.length;
  const ids: string[] = [];
  const seen = new Map<string, number>();
  const weights = new Float64Array(n);
  const maxTasks: Array<number | undefined> = [];
  const demands = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const field = `users[${i}]`;
    const user = users[i];
    assertObject(user, field);
    assertKnownKeys(user, userKeys, field);
    const id = user["id"];
    assertId(id, `${field}.id`);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${field}.id must be unique, got ${describeValue(id)}, already the id of users[${earlier}]`,
        { field: `${field}.id` },
      );
    }
    seen.set(id, i);
    ids.push(id);
    parseTaskDemand(user["taskDemand"], resources, `${field}.taskDemand`, demands, i * m);
    const weight = user["weight"] ?? 1;
    assertPositive(weight, `${field}.weight`);
    weights[i] = weight;
    const max = user["maxTasks"];
    if (max !== undefined) assertInteger(max, `${field}.maxTasks`, 0);
    maxTasks.push(max as number | undefined);
  }
  const limits = fitLimits(resources, demands, n);
  const sharePerTask = new Float64Array(n);
  const keyStep = new Float64Array(n);
  const caps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const user = users[i] as Record<string, unknown>;
    caps[i] = taskCap(maxTasks[i], user["taskDemand"], demands, i * m, limits, `users[${i}]`);
    sharePerTask[i] = dominantSharePerTask(demands, i * m, resources);
    keyStep[i] = sharePerTask[i]! / weights[i]!;
    assertKeyStep(keyStep[i]!, caps[i]!, weights[i]!, `users[${i}].weight`);
  }
  return { resources, ids, weights, maxTasks, demands, limits, sharePerTask, keyStep, caps };
}

/*
 * The greedy as a merge. User i's k-th task (k = 0, 1, …) has key fl(k × q_i), non-decreasing in k, so
 * the greedy processes the "slots" (key, user index) of all users in one global sorted order, placing a
 * slot when its user is unfinished and the task fits, and finishing the user otherwise. Two exact
 * shortcuts follow:
 * - batch: the user at the head of the order owns every slot up to the next user's head slot, so it takes
 *   them all at once (fewer if they stop fitting: then its next slot fails and it is finished);
 * - jump: if every unplaced slot with key ≤ L fits at once, no user is finished before level L (usage
 *   only grows along the order), so the greedy state at level L is "each live user holds all its slots
 *   ≤ L". Feasibility is monotone in L, so the highest feasible L is found by bisection.
 * Jumps cost O(n × m) per bisection step; running one every 16n pops keeps them cheaper than the pops.
 */
function placeTasks(model: DrfModel): { tasks: Float64Array; used: Float64Array } {
  const { demands, limits, keyStep, caps } = model;
  const n = model.ids.length;
  const m = model.resources.names.length;
  const tasks = new Float64Array(n);
  const used = new Float64Array(m);
  const extra = new Float64Array(m);
  const heap = new Int32Array(n);
  let size = 0;

  const key = (i: number): number => tasks[i]! * keyStep[i]!;
  const less = (a: number, b: number): boolean => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb || (ka === kb && a < b);
  };
  const siftDown = (start: number): void => {
    let at = start;
    const item = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && less(heap[right]!, heap[left]!) ? right : left;
      if (!less(heap[child]!, item)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = item;
  };
  const siftUp = (start: number): void => {
    let at = start;
    const item = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!less(item, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = item;
  };
  const rebuild = (members: Iterable<number>): void => {
    size = 0;
    for (const i of members) if (tasks[i]! < caps[i]!) heap[size++] = i;
    for (let at = (size >> 1) - 1; at >= 0; at--) siftDown(at);
  };

  const slotsUpTo = (i: number, level: number): number => {
    const q = keyStep[i]!;
    const cap = caps[i]!;
    if (q === 0) return cap;
    let g = Math.min(Math.floor(level / q), cap - 1);
    while (g >= 0 && g * q > level) g--;
    while (g + 1 < cap && (g + 1) * q <= level) g++;
    return g + 1;
  };
  const feasible = (level: number): boolean => {
    extra.fill(0);
    for (let h = 0; h < size; h++) {
      const i = heap[h]!;
      const add = slotsUpTo(i, level) - tasks[i]!;
      if (add <= 0) continue;
      for (let r = 0; r < m; r++) extra[r]! += add * demands[i * m + r]!;
    }
    for (let r = 0; r < m; r++) if (!(used[r]! + extra[r]! <= limits[r]!)) return false;
    return true;
  };
  const jump = (): void => {
    if (size === 0) return;
    let low = key(heap[0]!);
    let high = low;
    for (let h = 0; h < size; h++) {
      const i = heap[h]!;
      high = Math.max(high, (caps[i]! - 1) * keyStep[i]!);
    }
    let level: number;
    if (feasible(high)) level = high;
    else if (!feasible(low)) return;
    else {
      // Any feasible level is exact; bisecting closer to the highest one only saves pops afterwards.
      for (let step = 0; step < 100; step++) {
        const mid = low + (high - low) / 2;
        if (mid <= low || mid >= high) break;
        if (feasible(mid)) low = mid;
        else high = mid;
      }
      level = low;
    }
    feasible(level);
    const members = Array.from(heap.subarray(0, size));
    for (const i of members) tasks[i] = Math.max(tasks[i]!, slotsUpTo(i, level));
    for (let r = 0; r < m; r++) used[r] = used[r]! + extra[r]!;
    rebuild(members);
  };
  const fitting = (i: number, most: number): number => {
    let count = most;
    for (let r = 0; r < m; r++) {
      const d = demands[i * m + r]!;
      if (d > 0) count = Math.min(count, Math.floor((limits[r]! - used[r]!) / d));
    }
    if (!(count > 0)) count = 0;
    const fits = (c: number): boolean => {
      for (let r = 0; r < m; r++) {
        const d = demands[i * m + r]!;
        if (d > 0 && !(used[r]! + c * d <= limits[r]!)) return false;
      }
      return true;
    };
    while (count > 0 && !fits(count)) count--;
    while (count < most && fits(count + 1)) count++;
    return count;
  };
  // Number of i's slots that come before the slot (key2, other) in the greedy order.
  const slotsBefore = (i: number, key2: number, other: number): number => {
    const q = keyStep[i]!;
    const cap = caps[i]!;
    const inclusive = i < other;
    const before = (k: number): boolean => {
      const own = k * q;
      return own < key2 || (inclusive && own === key2);
    };
    if (q === 0) return before(0) ? cap : 0;
    let g = Math.min(Math.floor(key2 / q), cap - 1);
    while (g >= 0 && !before(g)) g--;
    while (g + 1 < cap && before(g + 1)) g++;
    return g + 1;
  };

  rebuild(model.ids.keys());
  jump();
  const budget = Math.max(1024, 16 * n);
  let pops = 0;
  while (size > 0) {
    if (pops >= budget) {
      jump();
      pops = 0;
      continue;
    }
    pops++;
    const i = heap[0]!;
    size--;
    if (size > 0) {
      heap[0] = heap[size]!;
      siftDown(0);
    }
    const held = tasks[i]!;
    const run = (size === 0 ? caps[i]! : slotsBefore(i, key(heap[0]!), heap[0]!)) - held;
    if (!(run >= 1)) throw new EnisError("INTERNAL", `drfAllocate: empty run for users[${i}]`);
    const placed = fitting(i, run);
    if (placed > 0) {
      tasks[i] = held + placed;
      for (let r = 0; r < m; r++) used[r] = used[r]! + placed * demands[i * m + r]!;
    }
    if (placed === run && tasks[i]! < caps[i]!) {
      heap[size++] = i;
      siftUp(size - 1);
    }
  }
  return { tasks, used };
}

function describeAllocation(model: DrfModel, tasks: Float64Array, internalUsed: Float64Array): DrfAllocation {
  const { resources, demands, limits } = model;
  const m = resources.names.length;
  const result: DrfAllocation = {
    tasks: {},
    dominantShares: {},
    weightedDominantShares: {},
    used: {},
    blockedBy: {},
  };
  const used = new Float64Array(m);
  model.ids.forEach((id, i) => {
    const count = tasks[i]!;
    setEntry(result.tasks, id, count);
    // No task, no share: a task too big for the cluster has an infinite share, and 0 × ∞ is NaN.
    setEntry(result.dominantShares, id, count === 0 ? 0 : count * model.sharePerTask[i]!);
    setEntry(result.weightedDominantShares, id, count === 0 ? 0 : count * model.keyStep[i]!);
    for (let r = 0; r < m; r++) used[r] = used[r]! + count * demands[i * m + r]!;
    let blockedBy: string | null = null;
    if (count !== model.maxTasks[i]) {
      blockedBy = firstBlockingResource(demands, i * m, internalUsed, limits, resources.names) ?? null;
      // A user capped by what fits on an empty cluster may end below its own limit by rounding.
      blockedBy ??=
        firstBlockingResource(demands, i * m, scaled(demands, i * m, count, m), limits, resources.names) ??
        null;
      if (blockedBy === null)
        throw new EnisError("INTERNAL", `drfAllocate: users[${i}] stopped without a cause`);
    }
    setEntry(result.blockedBy, id, blockedBy);
  });
  resources.names.forEach((name, r) => {
    setEntry(result.used, name, used[r]!);
  });
  return result;
}

function scaled(demands: Float64Array, offset: number, count: number, m: number): Float64Array {
  const out = new Float64Array(m);
  for (let r = 0; r < m; r++) out[r] = count * demands[offset + r]!;
  return out;
}

/** @internal First resource (in key order) on which one more task of the demand at `offset` does not fit. */
export function firstBlockingResource(
  demands: Float64Array,
  offset: number,
  used: Float64Array,
  limits: Float64Array,
  names: readonly string[],
): string | undefined {
  for (let r = 0; r < names.length; r++) {
    const d = demands[offset + r]!;
    if (d > 0 && !(used[r]! + d <= limits[r]!)) return names[r];
  }
  return undefined;
}
