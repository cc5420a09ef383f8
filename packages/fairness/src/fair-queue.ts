import {
  type Clock,
  describeValue,
  EnisError,
  invalidField,
  parseOptions,
  resolveCatalogue,
  type TierCatalogue,
} from "@enis/core";
import { z } from "zod";

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
 * same), so tags stay small and float error cannot accumulate across busy periods; finish tags of
 * an earlier busy period are invalidated by an epoch counter instead of a sweep over tenants.
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

/** What `enqueue` did with an item. Overflow is an outcome, not an exception. */
export type EnqueueOutcome =
  | { readonly accepted: true }
  | {
      readonly accepted: false;
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

/** A weighted fair queue across tenants. Not thread-safe; one instance per event loop. */
export interface FairQueue<T> {
  /**
   * Queues `item` for `tenantId`. Returns `{ accepted: false, reason, limit }` when a capacity
   * limit is reached; throws `EnisError("INVALID_OPTIONS")` only for a bad argument.
   */
  enqueue(tenantId: string, item: T, options?: EnqueueOptions): EnqueueOutcome;
  /** The next item in fair order, or `undefined` when the queue is empty. */
  dequeue(): Dequeued<T> | undefined;
  /** The item `dequeue` would return next, without removing it. */
  peek(): { readonly tenantId: string; readonly item: T } | undefined;
  /**
   * Reports the actual cost of a dequeued item, so the tenant is charged what it really used.
   * Throws `EnisError("UNKNOWN_TICKET")` for a ticket of another queue or one completed twice.
   */
  complete(ticket: FairQueueTicket, actualCost: number): void;
  /** Removes every queued item of `tenantId` and returns them in FIFO order (nothing accepted is lost). */
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
    readonly tenant: TenantState,
    readonly item: T,
    readonly estimatedCost: number,
    readonly weight: number,
    readonly waitMs: number,
    readonly epoch: number,
    readonly owner: object,
  ) {}
  get tenantId(): string {
    return this.tenant.id;
  }
  get ticket(): FairQueueTicket {
    return this;
  }
}

class TenantState {
  /** First and last slot of the tenant's FIFO list in the slot arena, -1 when empty. */
  head = -1;
  tail = -1;
  count = 0;
  /** Finish tag of the tenant's last dequeued item, valid while `epoch` is the queue's epoch. */
  finish = 0;
  epoch = 0;
  /** Virtual time when the head's tag was set: the anti-windup floor of a corrected tag. */
  startFloor = 0;
  /** Position in the heap, or -1; the head's start tag is then `heapStart[heapIndex]`. */
  heapIndex = -1;
  /** Position in the current-tag lane, or -1; the head's start tag is then `laneTag`. */
  lanePosition = -1;
  /** Tie-break of the head's tag while in the lane. */
  laneSequence = 0;
  /** Dequeued items not yet completed; the state is kept while any could still correct `finish`. */
  inFlight = 0;
  constructor(readonly id: string) {}
}

const accepted: EnqueueOutcome = Object.freeze({ accepted: true });

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
    accepted: false,
    reason: "queue-full",
    limit: totalLimit,
  });

  const tenants = new Map<string, TenantState>();
  // Queued items live in one slot arena (typed arrays + a free list) linked per tenant, so an
  // enqueue allocates nothing and a million queued items cost a few flat arrays, not a million objects.
  let slotCapacity = 1024;
  let slotNext = new Int32Array(slotCapacity);
  let slotCost = new Float64Array(slotCapacity);
  let slotWeight = new Float64Array(slotCapacity);
  let slotEnqueuedAt = new Float64Array(clock === undefined ? 0 : slotCapacity);
  const slotItem: (T | undefined)[] = new Array(slotCapacity);
  let freeSlot = -1;
  let slotsUsed = 0; // slots [slotsUsed, capacity) have never been used and are not on the free list

  const growSlots = (): void => {
    const capacity = slotCapacity * 2;
    const grow = (old: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    const next = new Int32Array(capacity);
    next.set(slotNext);
    slotNext = next;
    slotCost = grow(slotCost);
    slotWeight = grow(slotWeight);
    if (clock !== undefined) slotEnqueuedAt = grow(slotEnqueuedAt);
    slotItem.length = capacity;
    slotCapacity = capacity;
  };

  const allocateSlot = (): number => {
    if (freeSlot >= 0 && freeSlot < slotsUsed) {
      const slot = freeSlot;
      freeSlot = slotNext[slot]!;
      return slot;
    }
    if (slotsUsed === slotCapacity) growSlots();
    return slotsUsed++;
  };

  const releaseSlot = (slot: number): void => {
    slotItem[slot] = undefined; // the arena must not keep a dequeued item alive
    slotNext[slot] = freeSlot;
    freeSlot = slot;
  };
  // The heap of backlogged tenants keeps its keys (start tag, then tag sequence as the tie-break)
  // in typed arrays beside the node array, so comparisons read flat memory instead of chasing
  // each tenant object's boxed fields.
  const heap: TenantState[] = [];
  let heapStart = new Float64Array(256);
  let heapSequence = new Float64Array(256);
  let size = 0;
  let virtualTime = 0;
  let epoch = 0;
  let sequence = 0;
  const lane: (TenantState | undefined)[] = [];
  let laneHead = 0;
  let laneCount = 0;
  let laneTag = 0;

  /** The first live tenant of the lane (removed tenants leave holes), or undefined. */
  const laneFront = (): TenantState | undefined => {
    while (laneHead < lane.length) {
      const state = lane[laneHead];
      if (state !== undefined) return state;
      laneHead++;
    }
    lane.length = 0;
    laneHead = 0;
    return undefined;
  };

  const laneRemove = (state: TenantState): void => {
    lane[state.lanePosition] = undefined;
    state.lanePosition = -1;
    laneCount--;
  };

  /** True when the lane's head is served before the heap's top. */
  const laneFirst = (front: TenantState): boolean => {
    if (heap.length === 0) return true;
    const top = heapStart[0]!;
    return laneTag < top || (laneTag === top && front.laneSequence < heapSequence[0]!);
  };

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
          `tierOf(${JSON.stringify(tenantId)}) returned an unknown tier ${describeValue(tier)}`,
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
      outcome = Object.freeze({ accepted: false, reason: "tenant-full", limit });
      if (tenantFullByLimit.size < 1024) tenantFullByLimit.set(limit, outcome);
    }
    return outcome;
  };

  // --- indexed binary min-heap on (start, sequence) -------------------------------------------
  const place = (node: TenantState, index: number, start: number, tagSequence: number): void => {
    heap[index] = node;
    heapStart[index] = start;
    heapSequence[index] = tagSequence;
    node.heapIndex = index;
  };

  const siftUp = (index: number): void => {
    const node = heap[index]!;
    const start = heapStart[index]!;
    const tagSequence = heapSequence[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parentStart = heapStart[parentIndex]!;
      if (parentStart < start || (parentStart === start && heapSequence[parentIndex]! < tagSequence)) break;
      place(heap[parentIndex]!, index, parentStart, heapSequence[parentIndex]!);
      index = parentIndex;
    }
    place(node, index, start, tagSequence);
  };

  const siftDown = (index: number): void => {
    const length = heap.length;
    const node = heap[index]!;
    const start = heapStart[index]!;
    const tagSequence = heapSequence[index]!;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      let childStart = heapStart[child]!;
      const right = child + 1;
      if (right < length) {
        const rightStart = heapStart[right]!;
        if (
          rightStart < childStart ||
          (rightStart === childStart && heapSequence[right]! < heapSequence[child]!)
        ) {
          child = right;
          childStart = rightStart;
        }
      }
      if (start < childStart || (start === childStart && tagSequence < heapSequence[child]!)) break;
      place(heap[child]!, index, childStart, heapSequence[child]!);
      index = child;
    }
    place(node, index, start, tagSequence);
  };

  const heapPush = (node: TenantState, start: number, tagSequence = sequence++): void => {
    const index = heap.length;
    if (index === heapStart.length) {
      const starts = new Float64Array(index * 2);
      starts.set(heapStart);
      heapStart = starts;
      const sequences = new Float64Array(index * 2);
      sequences.set(heapSequence);
      heapSequence = sequences;
    }
    heap.push(node);
    place(node, index, start, tagSequence);
    siftUp(index);
  };

  /** Gives the node at `index` a new start tag (and, when `retag`, a new tie-break) and restores the heap. */
  const rekey = (index: number, start: number, retag: boolean): void => {
    heapStart[index] = start;
    if (retag) heapSequence[index] = sequence++;
    const node = heap[index]!;
    siftDown(index);
    siftUp(node.heapIndex);
  };

  const heapRemove = (state: TenantState): void => {
    const index = state.heapIndex;
    const lastIndex = heap.length - 1;
    const last = heap.pop()!;
    state.heapIndex = -1;
    if (last !== state) {
      place(last, index, heapStart[lastIndex]!, heapSequence[lastIndex]!);
      siftDown(index);
      siftUp(last.heapIndex);
    }
  };

  const finishOf = (state: TenantState): number => (state.epoch === epoch ? state.finish : 0);

  // Tenant states are forgotten when they can no longer matter, so a queue that sees millions of
  // distinct tenants holds state only for the recent ones: all of them when the queue empties, and
  // in between, in an amortised sweep, those that are idle with nothing in flight and a finish tag
  // behind the virtual clock (their next start tag would be max(v, F) = v anyway).
  let sweepAbove = 1024;
  const sweep = (): void => {
    for (const [id, state] of tenants) {
      if (state.count === 0 && state.inFlight === 0 && finishOf(state) <= virtualTime) tenants.delete(id);
    }
    sweepAbove = Math.max(1024, 2 * tenants.size);
  };

  const becameIdle = (): void => {
    // End of a busy period: restart the virtual clock; the epoch invalidates every finish tag.
    tenants.clear();
    virtualTime = 0;
    epoch++;
    sequence = 0;
    lane.length = 0;
    laneHead = 0;
  };

  const queue: FairQueue<T> = {
    enqueue(tenantId: string, item: T, callOptions?: EnqueueOptions): EnqueueOutcome {
      if (typeof tenantId !== "string" || tenantId.length === 0) {
        throw invalidField("tenantId", tenantId, "a non-empty string");
      }
      let cost = 1;
      let weight: number;
      if (callOptions !== undefined) {
        if (typeof callOptions !== "object" || callOptions === null) {
          throw invalidField("options", callOptions, "an object { cost?, weight? }");
        }
        const given = callOptions.cost;
        if (given !== undefined) {
          if (typeof given !== "number" || !(given > 0) || given === Number.POSITIVE_INFINITY) {
            throw invalidField("cost", given, "a finite number > 0");
          }
          cost = given;
        }
        const givenWeight = callOptions.weight;
        if (givenWeight !== undefined) {
          if (
            typeof givenWeight !== "number" ||
            !(givenWeight > 0) ||
            givenWeight === Number.POSITIVE_INFINITY
          ) {
            throw invalidField("weight", givenWeight, "a finite number > 0");
          }
          weight = givenWeight;
        } else weight = resolveWeight(tenantId);
      } else weight = resolveWeight(tenantId);

      let state = tenants.get(tenantId);
      if (size >= totalLimit) return queueFull;
      if (perTenantLimit !== Number.POSITIVE_INFINITY) {
        const limit = tenantLimit(tenantId);
        if ((state?.count ?? 0) >= limit) return tenantFull(limit);
      }
      if (state === undefined) {
        if (tenants.size >= sweepAbove) sweep();
        state = new TenantState(tenantId);
        tenants.set(tenantId, state);
      }
      const slot = allocateSlot();
      slotNext[slot] = -1;
      slotCost[slot] = cost;
      slotWeight[slot] = weight;
      slotItem[slot] = item;
      if (clock !== undefined) slotEnqueuedAt[slot] = now();
      if (state.tail < 0) state.head = slot;
      else slotNext[state.tail] = slot;
      state.tail = slot;
      state.count++;
      size++;
      if (state.count === 1) {
        // Newly backlogged: S = max(v, F_prev). An idle tenant earns no credit for its idle time.
        const finish = finishOf(state);
        state.startFloor = virtualTime;
        if (finish <= virtualTime && (laneCount === 0 || laneTag === virtualTime)) {
          laneTag = virtualTime;
          state.lanePosition = lane.length;
          state.laneSequence = sequence++;
          lane.push(state);
          laneCount++;
        } else heapPush(state, Math.max(finish, virtualTime));
      }
      return accepted;
    },

    dequeue(): Dequeued<T> | undefined {
      const front = laneFront();
      const fromLane = front !== undefined && laneFirst(front);
      const state = fromLane ? front : heap[0];
      if (state === undefined) return undefined;
      const slot = state.head;
      const start = fromLane ? laneTag : heapStart[0]!;
      // A tag corrected downwards may be served below v; v itself never runs backwards, so a
      // tenant whose finish tag is <= v can be forgotten without changing any later tag.
      if (fromLane) {
        lane[laneHead++] = undefined;
        state.lanePosition = -1;
        laneCount--;
      }
      if (start > virtualTime) virtualTime = start;
      state.head = slotNext[slot]!;
      if (state.head < 0) state.tail = -1;
      state.count--;
      size--;
      const cost = slotCost[slot]!;
      const weight = slotWeight[slot]!;
      const item = slotItem[slot] as T;
      const waitMs = clock === undefined ? 0 : now() - slotEnqueuedAt[slot]!;
      releaseSlot(slot);
      const finish = start + cost / weight;
      state.finish = finish;
      state.epoch = epoch;
      state.inFlight++;
      const dequeued = new DequeuedEntry<T>(state, item, cost, weight, waitMs, epoch, owner);
      if (state.count > 0) {
        state.startFloor = start;
        if (fromLane) heapPush(state, finish);
        else {
          heapStart[0] = finish;
          heapSequence[0] = sequence++;
          siftDown(0);
        }
      } else if (!fromLane) heapRemove(state);
      if (size === 0) becameIdle();
      return dequeued;
    },

    peek() {
      const front = laneFront();
      const state = front !== undefined && laneFirst(front) ? front : heap[0];
      if (state === undefined) return undefined;
      return { tenantId: state.id, item: slotItem[state.head] as T };
    },

    complete(ticket: FairQueueTicket, actualCost: number): void {
      if (!(ticket instanceof DequeuedEntry) || ticket.owner !== owner) {
        throw new EnisError("UNKNOWN_TICKET", "ticket was not issued by this queue's dequeue()", {
          field: "ticket",
        });
      }
      if (typeof actualCost !== "number" || !(actualCost >= 0) || actualCost === Number.POSITIVE_INFINITY) {
        throw invalidField("actualCost", actualCost, "a finite number >= 0");
      }
      const entry = ticket as DequeuedEntry<T>;
      if (entry.completed) {
        throw new EnisError(
          "UNKNOWN_TICKET",
          `ticket of tenant ${JSON.stringify(entry.tenantId)} was already completed`,
          {
            field: "ticket",
          },
        );
      }
      entry.completed = true;
      entry.tenant.inFlight--;
      // A correction from an earlier busy period is dropped: the queue emptied in between, so
      // nobody waited behind the misestimate and the virtual clock has restarted.
      if (entry.epoch !== epoch) return;
      const state = entry.tenant;
      if (state.epoch !== epoch) return;
      state.finish += (actualCost - entry.estimatedCost) / entry.weight;
      const corrected = Math.max(state.finish, state.startFloor);
      if (state.heapIndex >= 0) {
        if (corrected !== heapStart[state.heapIndex]) rekey(state.heapIndex, corrected, false);
      } else if (state.lanePosition >= 0 && corrected !== laneTag) {
        // Its tag left the lane's: move it to the heap, keeping its tie-break.
        const tagSequence = state.laneSequence;
        laneRemove(state);
        heapPush(state, corrected, tagSequence);
      }
    },

    remove(tenantId: string): T[] {
      const state = tenants.get(tenantId);
      if (state === undefined || state.count === 0) return [];
      const items: T[] = [];
      for (let slot = state.head; slot >= 0; ) {
        items.push(slotItem[slot] as T);
        const next = slotNext[slot]!;
        releaseSlot(slot);
        slot = next;
      }
      size -= state.count;
      state.count = 0;
      state.head = -1;
      state.tail = -1;
      if (state.lanePosition >= 0) laneRemove(state);
      else heapRemove(state);
      if (size === 0) becameIdle();
      return items;
    },

    sizeOf(tenantId: string): number {
      return tenants.get(tenantId)?.count ?? 0;
    },

    get size() {
      return size;
    },
    get backloggedTenants() {
      return heap.length + laneCount;
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
