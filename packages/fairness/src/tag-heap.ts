/**
 * The fair queue's scheduler: an indexed binary min-heap of tenant numbers keyed on (start tag,
 * sequence), the sequence breaking ties in the order tags were assigned. Numbers and keys live in
 * flat typed arrays, and `positions` maps a tenant number to its heap position so that a tenant's
 * key can change or the tenant leave in O(log n) (a heap of tenant objects ran at a third of a
 * bare heap's speed; of numbers, at nearly its speed).
 *
 * The top is read straight from the arrays: `tenants[0]`, `starts[0]`, `sequences[0]` while
 * `size > 0`.
 *
 * @internal
 */
export class TagHeap {
  /** Tenant number at each heap position. */
  tenants: Int32Array<ArrayBuffer>;
  /** Start tag at each heap position. */
  starts: Float64Array<ArrayBuffer>;
  /** Tag sequence at each heap position: the tie-break between equal start tags. */
  sequences: Float64Array<ArrayBuffer>;
  /** Heap position of each tenant number, -1 when the tenant is not in the heap. */
  positions: Int32Array<ArrayBuffer>;
  size = 0;

  /** A heap for tenant numbers below `capacity` (grown with {@link TagHeap.grow}). */
  constructor(capacity: number) {
    this.tenants = new Int32Array(capacity);
    this.starts = new Float64Array(capacity);
    this.sequences = new Float64Array(capacity);
    this.positions = new Int32Array(capacity).fill(-1);
  }

  /** Makes room for tenant numbers below `capacity`; a heap never holds more tenants than there are numbers. */
  grow(capacity: number): void {
    this.tenants = grownInt32(this.tenants, capacity);
    this.starts = grownFloat64(this.starts, capacity);
    this.sequences = grownFloat64(this.sequences, capacity);
    const positions = new Int32Array(capacity).fill(-1);
    positions.set(this.positions);
    this.positions = positions;
  }

  /** Adds `tenant`, which must not be in the heap, with the key (start, sequence). */
  push(tenant: number, start: number, sequence: number): void {
    const position = this.size++;
    this.place(tenant, position, start, sequence);
    this.siftUp(position);
  }

  /** Removes `tenant`, which must be in the heap. */
  remove(tenant: number): void {
    const position = this.positions[tenant]!;
    const last = --this.size;
    this.positions[tenant] = -1;
    if (position !== last) {
      const moved = this.tenants[last]!;
      this.place(moved, position, this.starts[last]!, this.sequences[last]!);
      this.siftDown(position);
      this.siftUp(this.positions[moved]!);
    }
  }

  /** Gives the top tenant the key (start, sequence) and restores the order. */
  rekeyTop(start: number, sequence: number): void {
    this.starts[0] = start;
    this.sequences[0] = sequence;
    this.siftDown(0);
  }

  /** Gives the tenant at `position` the start tag `start`, keeping its sequence, and restores the order. */
  changeStart(position: number, start: number): void {
    const tenant = this.tenants[position]!;
    this.starts[position] = start;
    this.siftDown(position);
    this.siftUp(this.positions[tenant]!);
  }

  private place(tenant: number, position: number, start: number, sequence: number): void {
    this.tenants[position] = tenant;
    this.starts[position] = start;
    this.sequences[position] = sequence;
    this.positions[tenant] = position;
  }

  private siftUp(position: number): void {
    const starts = this.starts;
    const sequences = this.sequences;
    const tenant = this.tenants[position]!;
    const start = starts[position]!;
    const sequence = sequences[position]!;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      const parentStart = starts[parent]!;
      if (parentStart < start || (parentStart === start && sequences[parent]! < sequence)) break;
      this.place(this.tenants[parent]!, position, parentStart, sequences[parent]!);
      position = parent;
    }
    this.place(tenant, position, start, sequence);
  }

  private siftDown(position: number): void {
    const starts = this.starts;
    const sequences = this.sequences;
    const length = this.size;
    const tenant = this.tenants[position]!;
    const start = starts[position]!;
    const sequence = sequences[position]!;
    for (;;) {
      let child = 2 * position + 1;
      if (child >= length) break;
      let childStart = starts[child]!;
      const right = child + 1;
      if (right < length) {
        const rightStart = starts[right]!;
        if (rightStart < childStart || (rightStart === childStart && sequences[right]! < sequences[child]!)) {
          child = right;
          childStart = rightStart;
        }
      }
      if (start < childStart || (start === childStart && sequence < sequences[child]!)) break;
      this.place(this.tenants[child]!, position, childStart, sequences[child]!);
      position = child;
    }
    this.place(tenant, position, start, sequence);
  }
}

/** A copy of `array` in a new array of `length` (zero-filled beyond the copy). @internal */
export function grownInt32(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(length);
  grown.set(array);
  return grown;
}

/** A copy of `array` in a new array of `length` (zero-filled beyond the copy). @internal */
export function grownFloat64(array: Float64Array<ArrayBuffer>, length: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(length);
  grown.set(array);
  return grown;
}
