/*
 * Arrays the max-min entries work in, kept between calls. Allocated afresh on every call, a
 * million tenants' typed arrays (33 bytes a tenant for the Record API) cost page faults and extra
 * major collections — V8 counts the memory of new typed arrays towards its collection trigger —
 * about 0.1x of the record-building floor at 100k and 1M tenants. So the arrays of the largest
 * call so far are kept for the next one. A call made while another holds them (a tenant's getter
 * calling maxMinAllocate) gets arrays of its own. Callers write every entry below their count
 * before reading it.
 */

/** The arrays of one call, for up to `capacity` tenants. @internal */
export interface Scratch {
  readonly capacity: number;
  readonly weights: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly out: Float64Array;
  readonly tierOf: Int8Array;
}

/** The arrays of the largest call so far, while no call holds them. */
let spare: Scratch | undefined;

/** Arrays for `count` tenants, to hand back with {@link giveBackScratch}. @internal */
export function takeScratch(count: number): Scratch {
  const kept = spare;
  if (kept !== undefined && kept.capacity >= count) {
    spare = undefined;
    return kept;
  }
  return {
    capacity: count,
    weights: new Float64Array(count),
    lower: new Float64Array(count),
    upper: new Float64Array(count),
    out: new Float64Array(count),
    tierOf: new Int8Array(count),
  };
}

/** Keeps `scratch` for the next call, unless larger arrays are kept already. @internal */
export function giveBackScratch(scratch: Scratch): void {
  if (spare === undefined || spare.capacity < scratch.capacity) spare = scratch;
}

let zeros = new Float64Array(0);
let ones = new Float64Array(0);

/**
 * A column of `count` zeros (`value` 0) or ones (`value` 1) that nobody writes: the lower bounds
 * without floors, the weights without weights. @internal
 */
export function constantColumn(value: 0 | 1, count: number): Float64Array {
  if (value === 0) {
    if (zeros.length < count) zeros = new Float64Array(count);
    return zeros;
  }
  if (ones.length < count) ones = new Float64Array(count).fill(1);
  return ones;
}
