import {
  type HeldLease,
  type LeaseEvaluation,
  leaseDecision,
  leaseHeldDecision,
} from "./algorithms/index.js";

/** One held lease; replaced by a new record when renewed, so an old record in a heap is stale. */
interface LeaseRecord {
  readonly leaseId: string;
  readonly cost: number;
  readonly expiresAtMs: number;
}

/** A lease decision without the next state: the table applies a spend with {@link LeaseTable.hold}. */
export type LeaseDecision = Omit<LeaseEvaluation, "next">;

/**
 * A binary heap of lease records by expiry (`sign` 1: soonest first; -1: latest first). Records
 * are never removed from inside: one that was released, expired or renewed stays until it reaches
 * the top, where {@link LeaseTable} drops it as stale, or until the heap is rebuilt.
 */
class ExpiryHeap {
  records: LeaseRecord[] = [];
  constructor(private readonly sign: 1 | -1) {}
  private before(a: LeaseRecord, b: LeaseRecord): boolean {
    return this.sign * a.expiresAtMs < this.sign * b.expiresAtMs;
  }
  get top(): LeaseRecord | undefined {
    return this.records[0];
  }
  push(record: LeaseRecord): void {
    const records = this.records;
    let index = records.length;
    records.push(record);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(record, records[parent]!)) break;
      records[index] = records[parent]!;
      index = parent;
    }
    records[index] = record;
  }
  pop(): void {
    const records = this.records;
    const last = records.pop()!;
    if (records.length === 0) return;
    let index = 0;
    const length = records.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && this.before(records[child + 1]!, records[child]!)) child++;
      if (!this.before(records[child]!, last)) break;
      records[index] = records[child]!;
      index = child;
    }
    records[index] = last;
  }
  /** Replaces the contents with `records` in heap order. */
  rebuild(records: LeaseRecord[]): void {
    this.records = [];
    for (const record of records) this.push(record);
  }
}

/**
 * The leases held on one key, for the memory store: a map by lease id, the sum of their costs,
 * and two heaps by expiry, so an acquire, renewal or release costs O(log n) in the leases held
 * instead of a pass over all of them. It decides as `evaluateLease` / `releaseLease` do on the
 * array of leases a store would hold (a model test drives both with random operations, clocks
 * going back included): leases expired at a call's time count for nothing, but only a spend or a
 * release drops them — a decision at an earlier clock reading still sees a lease that a later
 * reading found expired, exactly as with the array. Costs are integers, so the sum is exact.
 */
export class LeaseTable {
  private readonly byId = new Map<string, LeaseRecord>();
  private readonly soonest = new ExpiryHeap(1);
  private readonly latest = new ExpiryHeap(-1);
  /** Sum of the costs of the leases in `byId`. */
  private held = 0;

  /** A table holding exactly `leases` (an array as `evaluateLease` returns it). */
  static from(leases: readonly HeldLease[]): LeaseTable {
    const table = new LeaseTable();
    for (const [leaseId, cost, expiresAtMs] of leases) table.set(leaseId, cost, expiresAtMs);
    return table;
  }

  /** Leases kept (expired ones included until a spend or a release drops them). */
  get size(): number {
    return this.byId.size;
  }

  /** The leases kept, as the array `evaluateLease` takes (order does not matter to it). */
  toArray(): HeldLease[] {
    const leases: HeldLease[] = [];
    for (const record of this.byId.values()) leases.push([record.leaseId, record.cost, record.expiresAtMs]);
    return leases;
  }

  /** What `evaluateLease(limit, leases, leaseId, cost, ttlMs, nowMs, renew)` decides on the leases kept. */
  decide(
    limit: number,
    leaseId: string,
    cost: number,
    ttlMs: number,
    nowMs: number,
    renew: boolean,
  ): LeaseDecision {
    // Stale records (released or renewed leases) at the top would otherwise be walked by every
    // decision: a renewed or short lease's old record expires before the long ones it sits above.
    this.clean(this.soonest);
    const own = this.byId.get(leaseId);
    // One walk down the soonest-first heap: leases expired at nowMs (summed) and stale records are
    // passed through; the first live lease on each path other than own is a candidate for the
    // earliest expiry, and its subtree expires no sooner.
    let expired = 0;
    let earliest = Number.POSITIVE_INFINITY;
    const records = this.soonest.records;
    const pending = records.length > 0 ? [0] : [];
    while (pending.length > 0) {
      const index = pending.pop()!;
      const record = records[index]!;
      const kept = this.byId.get(record.leaseId) === record;
      if (kept && record.expiresAtMs > nowMs && record !== own) {
        if (record.expiresAtMs < earliest) earliest = record.expiresAtMs;
        continue;
      }
      if (kept && !(record.expiresAtMs > nowMs)) expired += record.cost;
      const child = 2 * index + 1;
      if (child < records.length) pending.push(child);
      if (child + 1 < records.length) pending.push(child + 1);
    }
    const ownLive = own !== undefined && own.expiresAtMs > nowMs;
    const held = this.held - expired - (ownLive ? own.cost : 0);
    const latest = Math.max(nowMs, this.latestOtherThan(own) ?? nowMs);
    if (ownLive && !renew) {
      return leaseHeldDecision(
        limit,
        held + own.cost,
        own.expiresAtMs,
        Math.max(latest, own.expiresAtMs),
        nowMs,
      );
    }
    return leaseDecision(limit, held, earliest, latest, cost, ttlMs, nowMs);
  }

  /** The latest expiry of the leases kept, or -Infinity when none is. */
  latestExpiry(): number {
    this.clean(this.latest);
    return this.latest.top?.expiresAtMs ?? Number.NEGATIVE_INFINITY;
  }

  /** Stores an allowed spend at `nowMs`: the leases expired then are dropped, `leaseId` held (or renewed). */
  hold(leaseId: string, cost: number, expiresAtMs: number, nowMs: number): void {
    this.drop(nowMs);
    this.set(leaseId, cost, expiresAtMs);
  }

  /** Gives `leaseId` back at `nowMs`, dropping the leases expired then; false when it was not live (as `releaseLease`). */
  release(leaseId: string, nowMs: number): boolean {
    this.drop(nowMs);
    const record = this.byId.get(leaseId);
    if (record === undefined) return false;
    this.byId.delete(leaseId);
    this.held -= record.cost;
    this.compact();
    return true;
  }

  private set(leaseId: string, cost: number, expiresAtMs: number): void {
    const previous = this.byId.get(leaseId);
    const record: LeaseRecord = { leaseId, cost, expiresAtMs };
    this.byId.set(leaseId, record);
    this.held += cost - (previous === undefined ? 0 : previous.cost);
    this.soonest.push(record);
    this.latest.push(record);
    this.compact();
  }

  /** Drops every lease expired at `nowMs` (what writing the array of live leases does). */
  private drop(nowMs: number): void {
    const heap = this.soonest;
    for (let top = heap.top; top !== undefined && !(top.expiresAtMs > nowMs); top = heap.top) {
      heap.pop();
      if (this.byId.get(top.leaseId) === top) {
        this.byId.delete(top.leaseId);
        this.held -= top.cost;
      }
    }
  }

  /** The latest expiry among the leases kept other than `own`, or undefined. */
  private latestOtherThan(own: LeaseRecord | undefined): number | undefined {
    const heap = this.latest;
    this.clean(heap);
    const top = heap.top;
    if (top === undefined || top !== own) return top?.expiresAtMs;
    heap.pop();
    this.clean(heap);
    const next = heap.top?.expiresAtMs;
    heap.push(own);
    return next;
  }

  /** Pops stale records off `heap` until its top is a kept lease (or it is empty). */
  private clean(heap: ExpiryHeap): void {
    for (let top = heap.top; top !== undefined && this.byId.get(top.leaseId) !== top; top = heap.top)
      heap.pop();
  }

  /** Rebuilds the heaps from the leases kept once stale records outnumber them. */
  private compact(): void {
    const kept = this.byId.size;
    if (this.soonest.records.length <= 2 * kept + 16 && this.latest.records.length <= 2 * kept + 16) return;
    const records = [...this.byId.values()];
    this.soonest.rebuild(records);
    this.latest.rebuild(records);
  }
}
