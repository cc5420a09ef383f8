import { type Clock, EnisError, type TierCatalogue } from "@enis/core";
import {
  assertKnownKeys,
  assertObject,
  describeValue,
  invalidField,
  parseOptions,
  resolveCatalogue,
} from "@enis/core/validate";
import { z } from "zod";
import { SlotArena } from "./slot-arena.js";
import { grownFloat64, grownInt32, TagHeap } from "./tag-heap.js";

/*
 * Start-time Fair Queuing (Goyal, Vin & Cheng, SIGCOMM 1996) across tenants.
 *
 * One virtual clock `v` for the whole queue (never wall-clock time, never one clock per tier —
 * the seed's defect, REFERENCES.md §7). A tenant that becomes backlogged gets the start tag
 * S = max(v, F_prev); serving its head item of cost c and weight w advances its finish tag to
 * F = S + c/w, and its next item starts at F. The queue serves the tenant whose head has the
 * smallest start tag and sets v to that tag. Over any interval in which tenants f and m are both
 * backlogged: |W_f/w_f - W_m/w_m| <= cmax_f/w_f + cmax_m/w_m.
 *
 * Items are kept in per-tenant FIFO lists and only tenants are scheduled, so an enqueue to a
 * tenant that is already backlogged costs no scheduling work. A tenant that becomes backlogged
 * with S = v (the common case: it was idle) would climb a heap to its very top, since every other
 * tag is >= v; instead it joins a FIFO "lane" of tenants whose tag equals the lane's tag, which is
 * already in (S, sequence) order. Dequeue takes the smaller of the lane's head and the heap's top,
 * so the schedule is exactly the heap-only one (a test replays random traces against a plain
 * reference implementation), at O(1) for tenants that come and go.
 *
 * Costs may be estimates: `complete(ticket, actualCost)` applies F_f += (actual - estimate)/w_f,
 * as Kubernetes API Priority and Fairness does on request completion.
 *
 * The virtual clock restarts at 0 whenever the queue empties (ClickHouse FairPolicy does the
 * same), so tags stay small and float error cannot accumulate across busy periods; the tenants of
 * an earlier busy period are forgotten at once (a stamp floor, not a sweep over them), and so are
 * their finish tags and any correction still in flight for them.
 */

/** Options of {@link createFairQueue}. */
export interface FairQueueOptions {
  /**
   * Weight of a tenant when `enqueue` gives none. Takes precedence over `tierOf`.
   * @default undefined (then `tierOf`, then 1)
   */
  weightOf?: (tenantId: string) => number;
  /**
   * Tier of a tenant (id or emoji); its weight comes from `catalogue` (1 / 5 / 10 / 50 / 100).
   * @default undefined
   */
  tierOf?: (tenantId: string) => string;
  /**
   * Tier catalogue for `tierOf`.
   * @default defaultTierCatalogue
   */
  catalogue?: TierCatalogue;
  /**
   * Most items one tenant may have queued; an enqueue past it is rejected with
   * `reason: "tenant-full"`. A number, or a function of the tenant id (e.g. by tier) that may
   * return 0 to refuse a tenant outright.
   * @default Infinity
   */
  maxQueuedPerTenant?: number | ((tenantId: string) => number);
  /**
   * Most items queued in total; an enqueue past it is rejected with `reason: "queue-full"`.
   * @default Infinity
   */
  maxQueued?: number;
  /**
   * Idle tenants the queue may keep tracking before it forgets those that can no longer matter
   * (an integer >= 1). Tracking is a few dozen bytes per tenant; forgetting one that comes back
   * costs a new entry, so platforms whose active tenants number more than this pay that churn.
   * The queue tracks at most about twice this many tenants, or twice the ones that still matter.
   * @default 16384
   */
  idleTenantsKept?: number;
  /**
   * Clock used to report how long each item waited (`waitMs` on dequeue). Without one, `waitMs` is 0.
   * @default undefined
   */
  clock?: Clock;
}

/** Per-call options of {@link FairQueue.enqueue}. */
export interface EnqueueOptions {
  /**
   * Estimated cost of the item (CPU-seconds, tokens, seats…), > 0. Correct it later with
   * {@link FairQueue.complete}.
   * @default 1
   */
  cost?: number;
  /** Weight for this item, > 0; overrides `weightOf` / `tierOf`. */
  weight?: number;
}

/**
 * What `enqueue` did with an item: `allowed`, the one "yes" field of every ENIS decision, is
 * `true` when the item joined the queue. Overflow is an outcome, not an exception.
 */
export type EnqueueOutcome =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** `"tenant-full"`: the tenant's queue is at `maxQueuedPerTenant`; `"queue-full"`: the queue is at `maxQueued`. */
      readonly reason: "tenant-full" | "queue-full";
      /** The limit that was reached. */
      readonly limit: number;
    };

/**
 * Proof of a dequeue, passed back to {@link FairQueue.complete} with the actual cost.
 * Opaque apart from the fields below.
 */
export interface FairQueueTicket {
  readonly tenantId: string;
  /** The cost estimate the item was queued with. */
  readonly estimatedCost: number;
  /** The weight the item was scheduled with. */
  readonly weight: number;
}

/** An item leaving the queue. */
export interface Dequeued<T> {
  readonly tenantId: string;
  readonly item: T;
  readonly ticket: FairQueueTicket;
  /** Milliseconds between enqueue and dequeue, by `options.clock` (0 without a clock). */
  readonly waitMs: number;
}

/** Options of {@link FairQueue.tenant}. */
export interface TenantQueueOptions {
  /**
   * Weight of every item queued through the handle, > 0.
   * @default `weightOf(tenantId)`, else the weight of `tierOf(tenantId)`, else 1 — resolved once,
   * when the handle is created
   */
  weight?: number;
}

/**
 * One tenant's view of a {@link FairQueue}, for callers that keep a per-tenant object (a
 * connection, a session, a tenant context) and queue many items for it. The handle finds the
 * tenant's state without hashing its id, resolves the weight once, and takes the cost as a plain
 * number, so an enqueue through it looks nothing up and allocates nothing. Items queued through
 * handles and through `queue.enqueue(tenantId, …)` join the tenant's one FIFO and are scheduled
 * alike. Any number of handles may exist per tenant (one per weight, say); a handle stays valid
 * for the life of the queue.
 */
export interface TenantQueue<T> {
  readonly tenantId: string;
  /** The weight of the items queued through this handle. */
  readonly weight: number;
  /**
   * Queues `item` for this tenant with an estimated `cost` (finite, > 0; default 1); same outcomes
   * and errors as {@link FairQueue.enqueue}.
   */
  enqueue(item: T, cost?: number): EnqueueOutcome;
  /** Items queued for this tenant (through any handle or the queue). */
  readonly size: number;
  /** Removes every queued item of this tenant, as {@link FairQueue.remove}. */
  remove(): T[];
}

/** A weighted fair queue across tenants. Not thread-safe; one instance per event loop. */
export interface FairQueue<T> {
  /**
   * Queues `item` for `tenantId`. Returns `{ allowed: false, reason, limit }` when a capacity
   * limit is reached; throws `EnisError("INVALID_OPTIONS")` only for a bad argument.
   */
  enqueue(tenantId: string, item: T, options?: EnqueueOptions): EnqueueOutcome;
  /** The next item in fair order, or `undefined` when the queue is empty. */
  dequeue(): Dequeued<T> | undefined;
  /**
   * A handle that queues items for `tenantId` without looking the tenant up on every call — for
   * hot paths that keep per-tenant objects. Creating it resolves the weight (see
   * {@link TenantQueueOptions.weight}); it holds no queue state until something is queued.
   */
  tenant(tenantId: string, options?: TenantQueueOptions): TenantQueue<T>;
  /** The item `dequeue` would return next, without removing it. */
  peek(): { readonly tenantId: string; readonly item: T } | undefined;
  /**
   * Reports the actual cost of a dequeued item, so the tenant is charged what it really used.
   * Throws `EnisError("UNKNOWN_TICKET")` for a ticket of another queue or one completed twice.
   *
   * Complete every ticket, or none. Once a queue has seen a completion, an idle tenant with a
   * ticket still out keeps its state until the ticket is completed or the queue empties, so the
   * correction applies exactly; a queue that is never told stops tracking idle tenants as usual.
   * A correction arriving after its tenant was forgotten (the queue emptied in between, or before
   * the queue's first completion) is dropped.
   */
  complete(ticket: FairQueueTicket, actualCost: number): void;
  /** Removes every queued item of `tenantId` and returns them in FIFO order (nothing queued is lost). */
  remove(tenantId: string): T[];
  /** Items queued for `tenantId`. */
  sizeOf(tenantId: string): number;
  /** Items queued in total. */
  readonly size: number;
  /** Tenants with at least one queued item. */
  readonly backloggedTenants: number;
  /**
   * Tenants the queue holds state for: the backlogged ones and recent ones whose finish tags or
   * uncompleted tickets still matter. Bounded: states are released when they cannot matter.
   */
  readonly trackedTenants: number;
  /** The system virtual time: the start tag of the last item dequeued in this busy period. */
  readonly virtualTime: number;
}

const optionsSchema = z.strictObject({
  weightOf: z
    .custom<(tenantId: string) => number>((v: unknown) => typeof v === "function", "a function")
    .optional(),
  tierOf: z
    .custom<(tenantId: string) => string>((v: unknown) => typeof v === "function", "a function")
    .optional(),
  // Checked by resolveCatalogue, which says what a catalogue must hold.
  catalogue: z.custom<TierCatalogue>(() => true).optional(),
  maxQueuedPerTenant: z
    .union([
      z.number().int().positive(),
      z.literal(Number.POSITIVE_INFINITY),
      z.custom<(tenantId: string) => number>((v: unknown) => typeof v === "function", "a function"),
    ])
    .optional(),
  maxQueued: z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).optional(),
  idleTenantsKept: z
    .number()
    .int()
    .min(1)
    .max(2 ** 30)
    .optional(),
  clock: z
    .custom<Clock>(
      (v: unknown) => typeof v === "object" && v !== null && typeof (v as Clock).nowMs === "function",
      "a clock",
    )
    .optional(),
});

/** A dequeued item; it is its own ticket, so a dequeue allocates one object. */
class DequeuedEntry<T> implements Dequeued<T>, FairQueueTicket {
  completed = false;
  constructor(
    readonly tenantId: string,
    /** The tenant's number in the queue's tables when it was dequeued. */
    readonly tenant: number,
    /** The stamp of that number's assignment: the ticket's tenant is still tracked while it matches. */
    readonly stamp: number,
    readonly item: T,
    readonly estimatedCost: number,
    readonly weight: number,
    readonly waitMs: number,
    readonly owner: object,
  ) {}
  get ticket(): FairQueueTicket {
    return this;
  }
}

/** The queue internals a {@link TenantHandle} calls. */
interface HandleBackend<T> {
  enqueue(handle: TenantHandle<T>, item: T, cost: number): EnqueueOutcome;
  sizeOf(handle: TenantHandle<T>): number;
  remove(handle: TenantHandle<T>): T[];
}

/**
 * A {@link TenantQueue}: a class, so that every handle's methods are the same functions and a call
 * site that enqueues through thousands of handles stays monomorphic.
 */
class TenantHandle<T> implements TenantQueue<T> {
  /** The tenant's number when last seen (-1: none), valid while `stamp` is still its assignment's. */
  tenant = -1;
  stamp = -1;
  constructor(
    readonly tenantId: string,
    readonly weight: number,
    private readonly backend: HandleBackend<T>,
  ) {}
  enqueue(item: T, cost = 1): EnqueueOutcome {
    return this.backend.enqueue(this, item, cost);
  }
  get size(): number {
    return this.backend.sizeOf(this);
  }
  remove(): T[] {
    return this.backend.remove(this);
  }
}

const allowed: EnqueueOutcome = Object.freeze({ allowed: true });
const handleOptionKeys: ReadonlySet<string> = new Set(["weight"]);

function assertTenantId(tenantId: unknown): asserts tenantId is string {
  if (typeof tenantId !== "string" || tenantId.length === 0) {
    throw invalidField("tenantId", tenantId, "a non-empty string");
  }
}

function assertCost(cost: unknown): asserts cost is number {
  if (typeof cost !== "number" || !(cost > 0) || cost === Number.POSITIVE_INFINITY) {
    throw invalidField("cost", cost, "a finite number > 0");
  }
}

function assertWeight(weight: unknown, field: string): asserts weight is number {
  if (typeof weight !== "number" || !(weight > 0) || weight === Number.POSITIVE_INFINITY) {
    throw invalidField(field, weight, "a finite number > 0");
  }
}

/**
 * Creates a weighted fair queue across tenants (start-time fair queuing, one virtual clock).
 *
 * @example
 * ```ts
 * const queue = createFairQueue<Request>({ tierOf: (tenantId) => tiers.get(tenantId) ?? "zero" });
 * queue.enqueue("acme", request, { cost: 2 });
 * const next = queue.dequeue();
 * if (next) { await handle(next.item); queue.complete(next.ticket, measuredCpuSeconds); }
 * ```
 */
export function createFairQueue<T>(options: FairQueueOptions = {}): FairQueue<T> {
  const resolved = parseOptions(optionsSchema, options, "options");
  const catalogue = resolveCatalogue(resolved.catalogue, "options.catalogue");
  const weightOf = resolved.weightOf;
  const tierOf = resolved.tierOf;
  const perTenantLimit = resolved.maxQueuedPerTenant ?? Number.POSITIVE_INFINITY;
  const totalLimit = resolved.maxQueued ?? Number.POSITIVE_INFINITY;
  const clock = resolved.clock;
  const owner = {};
  const tenantFullByLimit = new Map<number, EnqueueOutcome>();
  const queueFull: EnqueueOutcome = Object.freeze({
    allowed: false,
    reason: "queue-full",
    limit: totalLimit,
  });

  // Queued items, linked per tenant (see SlotArena).
  const slots = new SlotArena<T>();

  // Tenants the queue tracks are numbered, and their state lives in flat arrays indexed by that
  // number; the scheduler, the heap and the lane move numbers, never objects (a heap of tenant
  // objects ran at a third of a bare heap's speed; of numbers, at nearly its speed). `tenants`
  // maps ids to numbers; released numbers are reused. Each assignment of a number gets a new
  // stamp, so a handle or ticket holding an old number can tell it no longer means its tenant.
  const tenants = new Map<string, number>();
  let tenantCapacity = 64;
  const tenantIds: (string | undefined)[] = new Array(tenantCapacity);
  /** First and last slot of the tenant's FIFO list in the slot arena, -1 when empty. */
  let tenantHead = new Int32Array(tenantCapacity);
  let tenantTail = new Int32Array(tenantCapacity);
  let tenantCount = new Int32Array(tenantCapacity);
  /** Finish tag of the tenant's last dequeued item (0 for a tenant that has not been served). */
  let tenantFinish = new Float64Array(tenantCapacity);
  /** Virtual time when the head's tag was set: the anti-windup floor of a corrected tag. */
  let tenantStartFloor = new Float64Array(tenantCapacity);
  /** Position in the current-tag lane, or -1; the head's start tag is then `laneTag`. */
  let tenantLanePosition = new Int32Array(tenantCapacity);
  /** Tie-break of the head's tag while in the lane. */
  let tenantLaneSequence = new Float64Array(tenantCapacity);
  /** Dequeued items not yet completed; the tenant is kept while any could still correct its finish tag. */
  let tenantInFlight = new Int32Array(tenantCapacity);
  /** Stamp of the number's current assignment, -1 when free. */
  let tenantStamp = new Float64Array(tenantCapacity).fill(-1);
  let freeTenants = new Int32Array(tenantCapacity);
  let freeTenantCount = 0;
  let tenantsUsed = 0;
  let nextStamp = 0;
  /** Stamps below this were given before the queue last emptied: all of them are forgotten. */
  let stampFloor = 0;

  // The backlogged tenants not in the lane, by (start tag, tag sequence); a tenant's heap position
  // is `heap.positions[tenant]`, -1 when it is not in the heap (its head's start tag is then the
  // lane's, or it is idle).
  const heap = new TagHeap(tenantCapacity);

  // The lane, lane[laneHead, laneEnd), of tenants whose start tag is `laneTag` (-1: a hole left by a
  // tenant that left the lane early).
  let lane = new Int32Array(64);
  let laneHead = 0;
  let laneEnd = 0;
  let laneCount = 0;
  let laneTag = 0;

  let size = 0;
  let virtualTime = 0;
  let sequence = 0;

  const growTenants = (): void => {
    const capacity = tenantCapacity * 2;
    tenantIds.length = capacity;
    tenantHead = grownInt32(tenantHead, capacity);
    tenantTail = grownInt32(tenantTail, capacity);
    tenantCount = grownInt32(tenantCount, capacity);
    tenantFinish = grownFloat64(tenantFinish, capacity);
    tenantStartFloor = grownFloat64(tenantStartFloor, capacity);
    tenantLanePosition = grownInt32(tenantLanePosition, capacity);
    tenantLaneSequence = grownFloat64(tenantLaneSequence, capacity);
    tenantInFlight = grownInt32(tenantInFlight, capacity);
    tenantStamp = grownFloat64(tenantStamp, capacity);
    tenantStamp.fill(-1, tenantCapacity);
    freeTenants = grownInt32(freeTenants, capacity);
    heap.grow(capacity);
    tenantCapacity = capacity;
  };

  /** Gives `tenantId` a number with a fresh, empty state and records it in `tenants`. */
  const trackTenant = (tenantId: string): number => {
    let tenant: number;
    if (freeTenantCount > 0) tenant = freeTenants[--freeTenantCount]!;
    else {
      if (tenantsUsed === tenantCapacity) growTenants();
      tenant = tenantsUsed++;
    }
    tenantIds[tenant] = tenantId;
    tenantHead[tenant] = -1;
    tenantTail[tenant] = -1;
    tenantCount[tenant] = 0;
    tenantFinish[tenant] = 0;
    tenantStartFloor[tenant] = 0;
    heap.positions[tenant] = -1;
    tenantLanePosition[tenant] = -1;
    tenantInFlight[tenant] = 0;
    tenantStamp[tenant] = nextStamp++;
    tenants.set(tenantId, tenant);
    return tenant;
  };

  /** True while `tenant` still holds the assignment stamped `stamp`. */
  const isCurrent = (tenant: number, stamp: number): boolean =>
    stamp >= stampFloor && tenantStamp[tenant] === stamp;

  // --- the lane ---------------------------------------------------------------------------------
  /** The first live tenant of the lane, or -1. */
  const laneFront = (): number => {
    while (laneHead < laneEnd) {
      const tenant = lane[laneHead]!;
      if (tenant >= 0) return tenant;
      laneHead++;
    }
    laneHead = 0;
    laneEnd = 0;
    return -1;
  };

  const laneAppend = (tenant: number): void => {
    if (laneEnd === lane.length) {
      if (laneCount < laneEnd >> 1) {
        // Mostly holes or served entries: slide the live ones to the front, in order.
        let to = 0;
        for (let from = laneHead; from < laneEnd; from++) {
          const live = lane[from]!;
          if (live < 0) continue;
          lane[to] = live;
          tenantLanePosition[live] = to++;
        }
        laneHead = 0;
        laneEnd = to;
      } else lane = grownInt32(lane, lane.length * 2);
    }
    laneTag = virtualTime;
    tenantLanePosition[tenant] = laneEnd;
    tenantLaneSequence[tenant] = sequence++;
    lane[laneEnd++] = tenant;
    laneCount++;
  };

  const laneRemove = (tenant: number): void => {
    lane[tenantLanePosition[tenant]!] = -1;
    tenantLanePosition[tenant] = -1;
    laneCount--;
  };

  /** True when the lane's front tenant is served before the heap's top. */
  const laneFirst = (front: number): boolean => {
    if (heap.size === 0) return true;
    const top = heap.starts[0]!;
    return laneTag < top || (laneTag === top && tenantLaneSequence[front]! < heap.sequences[0]!);
  };

  // --- weights, limits, clock ---------------------------------------------------------------------
  const resolveWeight = (tenantId: string): number => {
    if (weightOf !== undefined) {
      const weight = weightOf(tenantId);
      if (typeof weight !== "number" || !(weight > 0) || weight === Number.POSITIVE_INFINITY) {
        throw invalidField(`weightOf(${JSON.stringify(tenantId)})`, weight, "a finite number > 0");
      }
      return weight;
    }
    if (tierOf !== undefined) {
      const tier = tierOf(tenantId);
      try {
        return catalogue.parse(tier).weight;
      } catch (error) {
        throw new EnisError(
          "UNKNOWN_TIER",
          `tierOf(${JSON.stringify(tenantId)}) must return a tier of the catalogue (an id, an emoji or both), got ${describeValue(tier)}`,
          {
            field: `tierOf(${JSON.stringify(tenantId)})`,
            cause: error,
          },
        );
      }
    }
    return 1;
  };

  const now = (): number => {
    const time = clock!.nowMs();
    if (typeof time !== "number" || !Number.isFinite(time))
      throw invalidField("clock.nowMs()", time, "a finite number");
    return time;
  };

  const tenantLimit = (tenantId: string): number => {
    if (typeof perTenantLimit === "number") return perTenantLimit;
    const limit = perTenantLimit(tenantId);
    if (
      typeof limit !== "number" ||
      !(limit >= 0) ||
      (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY)
    ) {
      throw invalidField(
        `maxQueuedPerTenant(${JSON.stringify(tenantId)})`,
        limit,
        "an integer >= 0 or Infinity",
      );
    }
    return limit;
  };

  const tenantFull = (limit: number): EnqueueOutcome => {
    let outcome = tenantFullByLimit.get(limit);
    if (outcome === undefined) {
      outcome = Object.freeze({ allowed: false, reason: "tenant-full", limit });
      if (tenantFullByLimit.size < 1024) tenantFullByLimit.set(limit, outcome);
    }
    return outcome;
  };

  // Tenants are forgotten when they can no longer matter, so a queue that sees millions of
  // distinct tenants holds state only for the recent ones: all of them when the queue empties, and
  // in between, in an amortised sweep, those that are idle with a finish tag behind the virtual
  // clock (their next start tag would be max(v, F) = v anyway) and nothing in flight. Items in
  // flight hold their tenant only once the caller has shown it completes tickets: a queue whose
  // tickets are never completed must not keep every tenant it ever served until it empties.
  const idleTenantsKept = resolved.idleTenantsKept ?? 16_384;
  let sweepAbove = idleTenantsKept;
  let completes = false;
  const sweep = (): void => {
    for (const [id, tenant] of tenants) {
      if (
        tenantCount[tenant] === 0 &&
        (tenantInFlight[tenant] === 0 || !completes) &&
        tenantFinish[tenant]! <= virtualTime
      ) {
        tenants.delete(id);
        tenantIds[tenant] = undefined;
        tenantStamp[tenant] = -1;
        freeTenants[freeTenantCount++] = tenant;
      }
    }
    sweepAbove = Math.max(idleTenantsKept, 2 * tenants.size);
  };

  const becameIdle = (): void => {
    // End of a busy period: restart the virtual clock and forget every tenant (their finish tags
    // no longer matter); the stamp floor retires every number's assignment at once.
    tenants.clear();
    tenantIds.fill(undefined, 0, tenantsUsed);
    tenantsUsed = 0;
    freeTenantCount = 0;
    stampFloor = nextStamp;
    virtualTime = 0;
    sequence = 0;
    // Every tenant is idle, so the lane holds only holes.
    laneHead = 0;
    laneEnd = 0;
  };

  /** The cost of `options` (1 when absent), validated. */
  const costOf = (callOptions: EnqueueOptions | undefined): number => {
    if (callOptions === undefined) return 1;
    if (typeof callOptions !== "object" || callOptions === null) {
      throw invalidField("options", callOptions, "an object { cost?, weight? }");
    }
    const given = callOptions.cost;
    if (given === undefined) return 1;
    assertCost(given);
    return given;
  };

  /** Why the last `push` refused its item. */
  let refusal: EnqueueOutcome = queueFull;

  /**
   * Queues a validated item for `tenantId` (through `handle`, when given, for its cached number).
   * Returns the tenant's number, or -1 when a limit refused the item (the outcome is then in
   * `refusal`). The caller's callbacks — the per-tenant limit, the clock — run before any state is
   * read or changed: one that throws leaves the queue as it was, and one that calls back into the
   * queue cannot leave this call holding a stale tenant number.
   */
  const push = (
    tenantId: string,
    handle: TenantHandle<T> | undefined,
    item: T,
    cost: number,
    weight: number,
  ): number => {
    const limit = perTenantLimit === Number.POSITIVE_INFINITY ? perTenantLimit : tenantLimit(tenantId);
    const enqueuedAt = clock === undefined ? 0 : now();
    if (size >= totalLimit) {
      refusal = queueFull;
      return -1;
    }
    let tenant = handle === undefined ? (tenants.get(tenantId) ?? -1) : currentTenant(handle);
    if (limit !== Number.POSITIVE_INFINITY && (tenant < 0 ? 0 : tenantCount[tenant]!) >= limit) {
      refusal = tenantFull(limit);
      return -1;
    }
    if (tenant < 0) {
      if (tenants.size >= sweepAbove) sweep();
      tenant = trackTenant(tenantId);
    }
    const slot = slots.allocate(item, cost, weight, enqueuedAt);
    const tail = tenantTail[tenant]!;
    if (tail < 0) tenantHead[tenant] = slot;
    else slots.setNext(tail, slot);
    tenantTail[tenant] = slot;
    size++;
    if (++tenantCount[tenant]! === 1) {
      // Newly backlogged: S = max(v, F_prev). An idle tenant earns no credit for its idle time.
      const finish = tenantFinish[tenant]!;
      tenantStartFloor[tenant] = virtualTime;
      if (finish <= virtualTime && (laneCount === 0 || laneTag === virtualTime)) laneAppend(tenant);
      else heap.push(tenant, Math.max(finish, virtualTime), sequence++);
    }
    return tenant;
  };

  /** Points `handle` at tenant number `tenant` (-1: none) as currently assigned. */
  const attach = (handle: TenantHandle<T>, tenant: number): void => {
    handle.tenant = tenant;
    if (tenant >= 0) handle.stamp = tenantStamp[tenant]!;
  };

  /** The handle's tenant number, or -1; a lookup only after the queue forgot the cached one. */
  const currentTenant = (handle: TenantHandle<T>): number => {
    const tenant = handle.tenant;
    if (tenant >= 0 && isCurrent(tenant, handle.stamp)) return tenant;
    const found = tenants.get(handle.tenantId) ?? -1;
    attach(handle, found);
    return found;
  };

  // What handles call: one object per queue, so their call sites see one set of functions.
  const handles: HandleBackend<T> = {
    enqueue(handle, item, cost) {
      assertCost(cost);
      const tenant = push(handle.tenantId, handle, item, cost, handle.weight);
      if (tenant < 0) return refusal;
      if (tenant !== handle.tenant) attach(handle, tenant);
      return allowed;
    },
    sizeOf(handle) {
      const tenant = currentTenant(handle);
      return tenant < 0 ? 0 : tenantCount[tenant]!;
    },
    remove(handle) {
      return queue.remove(handle.tenantId);
    },
  };

  const queue: FairQueue<T> = {
    enqueue(tenantId: string, item: T, callOptions?: EnqueueOptions): EnqueueOutcome {
      assertTenantId(tenantId);
      const cost = costOf(callOptions);
      const given = callOptions?.weight;
      let weight: number;
      if (given === undefined) weight = resolveWeight(tenantId);
      else {
        assertWeight(given, "weight");
        weight = given;
      }
      return push(tenantId, undefined, item, cost, weight) < 0 ? refusal : allowed;
    },

    tenant(tenantId: string, handleOptions?: TenantQueueOptions): TenantQueue<T> {
      assertTenantId(tenantId);
      if (handleOptions !== undefined) {
        assertObject(handleOptions, "options");
        assertKnownKeys(handleOptions as Record<string, unknown>, handleOptionKeys, "options");
      }
      const given = handleOptions?.weight;
      if (given !== undefined) assertWeight(given, "options.weight");
      return new TenantHandle(tenantId, given === undefined ? resolveWeight(tenantId) : given, handles);
    },

    dequeue(): Dequeued<T> | undefined {
      // The clock first: a throwing (or re-entrant) clock must find the queue untouched.
      const dequeuedAt = clock === undefined ? 0 : now();
      const front = laneFront();
      let tenant: number;
      let start: number;
      const fromLane = front >= 0 && laneFirst(front);
      if (fromLane) {
        tenant = front;
        start = laneTag;
        lane[laneHead++] = -1;
        tenantLanePosition[tenant] = -1;
        laneCount--;
      } else if (heap.size > 0) {
        tenant = heap.tenants[0]!;
        start = heap.starts[0]!;
      } else return undefined;
      // A tag corrected downwards may be served below v; v itself never runs backwards, so a
      // tenant whose finish tag is <= v can be forgotten without changing any later tag.
      if (start > virtualTime) virtualTime = start;
      const slot = tenantHead[tenant]!;
      const next = slots.next(slot);
      tenantHead[tenant] = next;
      if (next < 0) tenantTail[tenant] = -1;
      const count = --tenantCount[tenant]!;
      size--;
      const cost = slots.cost(slot);
      const weight = slots.weight(slot);
      const item = slots.item(slot);
      const waitMs = clock === undefined ? 0 : dequeuedAt - slots.enqueuedAt(slot);
      slots.release(slot);
      const finish = start + cost / weight;
      tenantFinish[tenant] = finish;
      tenantInFlight[tenant]!++;
      const dequeued = new DequeuedEntry<T>(
        tenantIds[tenant]!,
        tenant,
        tenantStamp[tenant]!,
        item,
        cost,
        weight,
        waitMs,
        owner,
      );
      if (count > 0) {
        tenantStartFloor[tenant] = start;
        if (fromLane) heap.push(tenant, finish, sequence++);
        else heap.rekeyTop(finish, sequence++);
      } else if (!fromLane) heap.remove(tenant);
      if (size === 0) becameIdle();
      return dequeued;
    },

    peek() {
      const front = laneFront();
      let tenant: number;
      if (front >= 0 && laneFirst(front)) tenant = front;
      else if (heap.size > 0) tenant = heap.tenants[0]!;
      else return undefined;
      return { tenantId: tenantIds[tenant]!, item: slots.item(tenantHead[tenant]!) };
    },

    complete(ticket: FairQueueTicket, actualCost: number): void {
      if (!(ticket instanceof DequeuedEntry) || ticket.owner !== owner) {
        throw new EnisError(
          "UNKNOWN_TICKET",
          `ticket must be a ticket this queue's dequeue() returned, got ${describeValue(ticket)}`,
          { field: "ticket" },
        );
      }
      if (typeof actualCost !== "number" || !(actualCost >= 0) || actualCost === Number.POSITIVE_INFINITY) {
        throw invalidField("actualCost", actualCost, "a finite number >= 0");
      }
      const entry = ticket as DequeuedEntry<T>;
      if (entry.completed) {
        throw new EnisError(
          "UNKNOWN_TICKET",
          `ticket must be one not completed yet, got the completed ticket of tenant ${JSON.stringify(entry.tenantId)}`,
          {
            field: "ticket",
          },
        );
      }
      entry.completed = true;
      completes = true;
      const tenant = entry.tenant;
      // A correction for a forgotten tenant is dropped: the queue emptied in between (nobody waited
      // behind the misestimate, the virtual clock has restarted), or the tenant went idle before
      // the queue's first completion, when items in flight did not yet hold tenants.
      if (!isCurrent(tenant, entry.stamp)) return;
      tenantInFlight[tenant]!--;
      const finish = tenantFinish[tenant]! + (actualCost - entry.estimatedCost) / entry.weight;
      tenantFinish[tenant] = finish;
      const corrected = Math.max(finish, tenantStartFloor[tenant]!);
      const position = heap.positions[tenant]!;
      if (position >= 0) {
        if (corrected !== heap.starts[position]) heap.changeStart(position, corrected);
      } else if (tenantLanePosition[tenant]! >= 0 && corrected !== laneTag) {
        // Its tag left the lane's: move it to the heap, keeping its tie-break.
        const tagSequence = tenantLaneSequence[tenant]!;
        laneRemove(tenant);
        heap.push(tenant, corrected, tagSequence);
      }
    },

    remove(tenantId: string): T[] {
      const tenant = tenants.get(tenantId);
      if (tenant === undefined || tenantCount[tenant] === 0) return [];
      const items: T[] = [];
      for (let slot = tenantHead[tenant]!; slot >= 0; ) {
        items.push(slots.item(slot));
        const next = slots.next(slot);
        slots.release(slot);
        slot = next;
      }
      size -= tenantCount[tenant]!;
      tenantCount[tenant] = 0;
      tenantHead[tenant] = -1;
      tenantTail[tenant] = -1;
      if (tenantLanePosition[tenant]! >= 0) laneRemove(tenant);
      else heap.remove(tenant);
      if (size === 0) becameIdle();
      return items;
    },

    sizeOf(tenantId: string): number {
      const tenant = tenants.get(tenantId);
      return tenant === undefined ? 0 : tenantCount[tenant]!;
    },

    get size() {
      return size;
    },
    get backloggedTenants() {
      return heap.size + laneCount;
    },
    get trackedTenants() {
      return tenants.size;
    },
    get virtualTime() {
      return virtualTime;
    },
  };
  return queue;
}
