/**
 * Numbers per slot of a {@link SlotArena}: next slot, cost, weight, enqueue time.
 *
 * @internal
 */
export const slotStride = 4;

/**
 * The fair queue's items: a free list over flat arrays, so an enqueue allocates nothing and a
 * million queued items cost two flat arrays, not a million objects. A slot's numbers sit side by
 * side — [next slot, cost, weight, enqueued at] from `slot * slotStride` — so reading an item
 * queued long ago misses the cache once. Slots link into lists (one FIFO per tenant) through
 * their next slot, -1 at the end.
 *
 * @internal
 */
export class SlotArena<T> {
  private capacity = 1024;
  private data = new Float64Array(this.capacity * slotStride);
  private readonly items: (T | undefined)[] = new Array(this.capacity);
  /** Head of the list of released slots, -1 when empty. */
  private free = -1;
  /** Slots [used, capacity) have never been used and are not on the free list. */
  private used = 0;

  /** A slot holding `item` and its numbers, at the end of no list yet (next slot -1). */
  allocate(item: T, cost: number, weight: number, enqueuedAt: number): number {
    let slot = this.free;
    if (slot >= 0) this.free = this.data[slot * slotStride]!;
    else {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    const data = this.data;
    const base = slot * slotStride;
    data[base] = -1;
    data[base + 1] = cost;
    data[base + 2] = weight;
    data[base + 3] = enqueuedAt;
    this.items[slot] = item;
    return slot;
  }

  /** Gives `slot` back; its item is dropped, so the arena does not keep a dequeued item alive. */
  release(slot: number): void {
    this.items[slot] = undefined;
    this.data[slot * slotStride] = this.free;
    this.free = slot;
  }

  /** The slot after `slot` in its list, -1 at the end. */
  next(slot: number): number {
    return this.data[slot * slotStride]!;
  }

  /** Links `next` after `slot`. */
  setNext(slot: number, next: number): void {
    this.data[slot * slotStride] = next;
  }

  cost(slot: number): number {
    return this.data[slot * slotStride + 1]!;
  }

  weight(slot: number): number {
    return this.data[slot * slotStride + 2]!;
  }

  enqueuedAt(slot: number): number {
    return this.data[slot * slotStride + 3]!;
  }

  item(slot: number): T {
    return this.items[slot] as T;
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = new Float64Array(this.capacity * slotStride);
    grown.set(this.data);
    this.data = grown;
    this.items.length = this.capacity;
  }
}
