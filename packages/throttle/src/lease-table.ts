import { type HeldLease, type LeaseEvaluation, leaseDecision } from "./algorithms.js";

/** One held lease; replaced by a new record when renewed, so an old record in a heap is stale. */
interface LeaseRecord {
  readonly leaseId: string;
  readonly amount: number;
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
 * The leases held on one key, for the memory store: a map by lease id, the sum of their amounts,
 * and two heaps by expiry, so an acquire, renewal or release costs O(log n) in the leases held
 * instead of a pass over all of them. Decisions are those of `evaluateLease` / `releaseLease` on
 * the same leases (a model test drives both with random operations): expired leases are dropped
 * first, `remaining` counts the live leases but the one being taken, `retryAfterMs` waits for the
 * earliest other lease to expire, `resetAfterMs` for the latest. Amounts are integers, so the
 * running sum is exact.
 */
export class LeaseTable {
  private readonly byId = new Map<string, LeaseRecord>();
  private readonly soonest = new ExpiryHeap(1);
  private readonly latest = new ExpiryHeap(-1);
  /** Sum of the amounts of the leases in `byId`. */
  private held = 0;

  /** A table holding `leases` (those expired by `nowMs` left out). */
  static from(leases: readonly HeldLease[], nowMs: number): LeaseTable {
    const table = new LeaseTable();
    for (const [leaseId, amount, expiresAtMs] of leases) {
      if (expiresAtMs > nowMs) table.hold(leaseId, amount, expiresAtMs);
    }
    return table;
  }

  get size(): number {
    return this.byId.size;
  }

  /** The live leases, in no particular order (decisions depend only on sums, minima and maxima). */
  toArray(nowMs: number): HeldLease[] {
    this.purge(nowMs);
    const leases: HeldLease[] = [];
    for (const record of this.byId.values()) leases.push([record.leaseId, record.amount, record.expiresAtMs]);
    return leases;
  }

  /** The latest expiry of a held lease, or -Infinity when none is held. */
  latestExpiry(): number {
    this.clean(this.latest);
    return this.latest.top?.expiresAtMs ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * What `evaluateLease(limit, leases, leaseId, amount, ttlMs, nowMs)` decides on the leases held.
   * Changes nothing a decision can see (it drops expired leases).
   */
  decide(limit: number, leaseId: string, amount: number, ttlMs: number, nowMs: number): LeaseDecision {
    this.purge(nowMs);
    const own = this.byId.get(leaseId);
    const held = own === undefined ? this.held : this.held - own.amount;
    const earliest = this.otherThan(this.soonest, own) ?? Number.POSITIVE_INFINITY;
    const latest = Math.max(nowMs, this.otherThan(this.latest, own) ?? nowMs);
    return leaseDecision(limit, held, earliest, latest, amount, ttlMs, nowMs);
  }

  /** Holds (or renews) `leaseId`: what a spend of an allowed {@link LeaseTable.decide} stores. */
  hold(leaseId: string, amount: number, expiresAtMs: number): void {
    const previous = this.byId.get(leaseId);
    const record: LeaseRecord = { leaseId, amount, expiresAtMs };
    this.byId.set(leaseId, record);
    this.held += amount - (previous === undefined ? 0 : previous.amount);
    this.soonest.push(record);
    this.latest.push(record);
    this.compact();
  }

  /** Gives `leaseId` back; false when no live lease had that id (as `releaseLease`). */
  release(leaseId: string, nowMs: number): boolean {
    this.purge(nowMs);
    const record = this.byId.get(leaseId);
    if (record === undefined) return false;
    this.byId.delete(leaseId);
    this.held -= record.amount;
    this.compact();
    return true;
  }

  /** Drops every lease expired at `nowMs`. */
  private purge(nowMs: number): void {
    const heap = this.soonest;
    for (let top = heap.top; top !== undefined && !(top.expiresAtMs > nowMs); top = heap.top) {
      heap.pop();
      if (this.byId.get(top.leaseId) === top) {
        this.byId.delete(top.leaseId);
        this.held -= top.amount;
      }
    }
  }

  /** Pops stale records off `heap` until its top is a held lease (or it is empty). */
  private clean(heap: ExpiryHeap): void {
    for (let top = heap.top; top !== undefined && this.byId.get(top.leaseId) !== top; top = heap.top)
      heap.pop();
  }

  /** The expiry at the top of `heap` among held leases other than `own`, or undefined. */
  private otherThan(heap: ExpiryHeap, own: LeaseRecord | undefined): number | undefined {
    this.clean(heap);
    const top = heap.top;
    if (top === undefined || top !== own) return top?.expiresAtMs;
    heap.pop();
    this.clean(heap);
    const next = heap.top?.expiresAtMs;
    heap.push(own);
    return next;
  }

  /** Rebuilds the heaps from the held leases once stale records outnumber them. */
  private compact(): void {
    const live = this.byId.size;
    if (this.soonest.records.length <= 2 * live + 16 && this.latest.records.length <= 2 * live + 16) return;
    const records = [...this.byId.values()];
    this.soonest.rebuild(records);
    this.latest.rebuild(records);
  }
}
