import {
  type Clock,
  defaultTierCatalogue,
  EnisError,
  invalidField,
  parseOptions,
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
 * Items are kept in per-tenant FIFO lists and only tenants sit in the heap, so an enqueue to a
 * tenant that is already backlogged costs no heap operation, and the heap holds at most one entry
 * per backlogged tenant.
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
  catalogue: z
    .custom<TierCatalogue>(
      (v: unknown) => typeof v === "object" && v !== null && "parse" in v,
      "a tier catalogue",
    )
    .optional(),
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

class Entry<T> implements FairQueueTicket {
  next: Entry<T> | undefined = undefined;
  /** Set when completed, or when it belongs to an earlier busy period. */
  completed = false;
  epoch = 0;
  constructor(
    readonly tenant: TenantState<T>,
    public item: T | undefined,
    readonly estimatedCost: number,
    readonly weight: number,
    readonly enqueuedAtMs: number,
    readonly owner: object,
  ) {}
  get tenantId(): string {
    return this.tenant.id;
  }
}

class TenantState<T> {
  head: Entry<T> | undefined = undefined;
  tail: Entry<T> | undefined = undefined;
  count = 0;
  /** Finish tag of the tenant's last dequeued item, valid while `epoch` is the queue's epoch. */
  finish = 0;
  epoch = 0;
  /** Start tag of the head item while backlogged. */
  start = 0;
  /** Virtual time when the head's tag was set: the anti-windup floor of a corrected tag. */
  startFloor = 0;
  /** Tie-break among equal start tags: order in which tags were assigned. */
  sequence = 0;
  /** Position in the heap, or -1 when not backlogged. */
  heapIndex = -1;
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
  const catalogue = resolved.catalogue ?? defaultTierCatalogue;
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

  const tenants = new Map<string, TenantState<T>>();
  const heap: TenantState<T>[] = [];
  let size = 0;
  let virtualTime = 0;
  let epoch = 0;
  let sequence = 0;

  const resolveWeight = (tenantId: string): number => {
    if (weightOf !== undefined) {
      const weight = weightOf(tenantId);
      if (typeof weight !== "number" || !(weight > 0) || weight === Number.POSITIVE_INFINITY) {
        throw invalidField(`weightOf(${JSON.stringify(tenantId)})`, weight, "a finite number > 0");
      }
      return weight;
    }
    if (tierOf !== undefined) return catalogue.parse(tierOf(tenantId)).weight;
    return 1;
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
  const less = (a: TenantState<T>, b: TenantState<T>): boolean =>
    a.start < b.start || (a.start === b.start && a.sequence < b.sequence);

  const siftUp = (index: number): void => {
    const node = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!less(node, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = node;
    node.heapIndex = index;
  };

  const siftDown = (index: number): void => {
    const length = heap.length;
    const node = heap[index]!;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && less(heap[right]!, heap[child]!)) child = right;
      const candidate = heap[child]!;
      if (!less(candidate, node)) break;
      heap[index] = candidate;
      candidate.heapIndex = index;
      index = child;
    }
    heap[index] = node;
    node.heapIndex = index;
  };

  const heapRemove = (state: TenantState<T>): void => {
    const index = state.heapIndex;
    const last = heap.pop()!;
    state.heapIndex = -1;
    if (last !== state) {
      heap[index] = last;
      last.heapIndex = index;
      siftDown(index);
      siftUp(last.heapIndex);
    }
  };

  const finishOf = (state: TenantState<T>): number => (state.epoch === epoch ? state.finish : 0);

  const becameIdle = (): void => {
    // End of a busy period: restart the virtual clock; the epoch invalidates every finish tag.
    virtualTime = 0;
    epoch++;
    sequence = 0;
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
        state = new TenantState<T>(tenantId);
        tenants.set(tenantId, state);
      }
      const entry = new Entry<T>(state, item, cost, weight, clock === undefined ? 0 : clock.nowMs(), owner);
      if (state.tail === undefined) {
        state.head = entry;
        state.tail = entry;
      } else {
        state.tail.next = entry;
        state.tail = entry;
      }
      state.count++;
      size++;
      if (state.heapIndex < 0) {
        // Newly backlogged: S = max(v, F_prev). An idle tenant earns no credit for its idle time.
        const finish = finishOf(state);
        state.start = finish > virtualTime ? finish : virtualTime;
        state.startFloor = virtualTime;
        state.sequence = sequence++;
        heap.push(state);
        siftUp(heap.length - 1);
      }
      return accepted;
    },

    dequeue(): Dequeued<T> | undefined {
      const state = heap[0];
      if (state === undefined) return undefined;
      const entry = state.head!;
      const start = state.start;
      virtualTime = start;
      state.head = entry.next;
      if (state.head === undefined) state.tail = undefined;
      entry.next = undefined;
      state.count--;
      size--;
      const finish = start + entry.estimatedCost / entry.weight;
      state.finish = finish;
      state.epoch = epoch;
      entry.epoch = epoch;
      if (state.count > 0) {
        state.start = finish;
        state.startFloor = start;
        state.sequence = sequence++;
        siftDown(0);
      } else {
        heapRemove(state);
      }
      const item = entry.item as T;
      entry.item = undefined; // the ticket must not keep the item alive
      const waitMs = clock === undefined ? 0 : clock.nowMs() - entry.enqueuedAtMs;
      if (size === 0) becameIdle();
      return { tenantId: state.id, item, ticket: entry, waitMs };
    },

    peek() {
      const state = heap[0];
      if (state === undefined) return undefined;
      return { tenantId: state.id, item: state.head!.item as T };
    },

    complete(ticket: FairQueueTicket, actualCost: number): void {
      if (!(ticket instanceof Entry) || ticket.owner !== owner || ticket.item !== undefined) {
        throw new EnisError("UNKNOWN_TICKET", "ticket was not issued by this queue's dequeue()", {
          field: "ticket",
        });
      }
      if (typeof actualCost !== "number" || !(actualCost >= 0) || actualCost === Number.POSITIVE_INFINITY) {
        throw invalidField("actualCost", actualCost, "a finite number >= 0");
      }
      const entry = ticket as Entry<T>;
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
      // A correction from an earlier busy period is dropped: the queue emptied in between, so
      // nobody waited behind the misestimate and the virtual clock has restarted.
      if (entry.epoch !== epoch) return;
      const state = entry.tenant;
      if (state.epoch !== epoch) return;
      state.finish += (actualCost - entry.estimatedCost) / entry.weight;
      if (state.heapIndex >= 0) {
        const corrected = state.finish > state.startFloor ? state.finish : state.startFloor;
        if (corrected !== state.start) {
          state.start = corrected;
          siftDown(state.heapIndex);
          siftUp(state.heapIndex);
        }
      }
    },

    remove(tenantId: string): T[] {
      const state = tenants.get(tenantId);
      if (state === undefined || state.count === 0) return [];
      const items: T[] = [];
      for (let entry = state.head; entry !== undefined; entry = entry.next) items.push(entry.item as T);
      size -= state.count;
      state.count = 0;
      state.head = undefined;
      state.tail = undefined;
      heapRemove(state);
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
      return heap.length;
    },
    get virtualTime() {
      return virtualTime;
    },
  };
  return queue;
}
