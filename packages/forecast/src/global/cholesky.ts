import { EnisError } from "@enis/core";

/*
 * The dense linear algebra the pooled AR model needs, and no more: a symmetric rank-k update
 * (XᵀX and XᵀY accumulated block by block) and a Cholesky solve of the normal equations. Internal.
 */

/**
 * Adds `blockᵀ · block` to the lower triangle of `gram` (d × d, row-major) and `blockᵀ · targets`
 * to `cross` (d × k, row-major). `block` holds `rows` rows of d features column by column
 * (`block[a * capacity + r]`), `targets` their k targets the same way: each entry of `gram` is then
 * one contiguous dot product, summed in a register, rather than a rank-one update per row that
 * reads and writes the whole (megabytes large) matrix for every window.
 */
export function accumulateBlock(
  gram: Float64Array,
  cross: Float64Array,
  block: Float64Array,
  targets: Float64Array,
  d: number,
  k: number,
  rows: number,
  capacity: number,
): void {
  for (let a = 0; a < d; a++) {
    const aOffset = a * capacity;
    // Four columns at a time: each load of column a serves four sums held in registers.
    let b = 0;
    for (; b + 3 <= a; b += 4) {
      const o0 = b * capacity;
      const o1 = o0 + capacity;
      const o2 = o1 + capacity;
      const o3 = o2 + capacity;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0; r < rows; r++) {
        const value = block[aOffset + r]!;
        s0 += value * block[o0 + r]!;
        s1 += value * block[o1 + r]!;
        s2 += value * block[o2 + r]!;
        s3 += value * block[o3 + r]!;
      }
      const g = a * d + b;
      gram[g]! += s0;
      gram[g + 1]! += s1;
      gram[g + 2]! += s2;
      gram[g + 3]! += s3;
    }
    for (; b <= a; b++) {
      const bOffset = b * capacity;
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += block[aOffset + r]! * block[bOffset + r]!;
      gram[a * d + b]! += sum;
    }
    let h = 0;
    for (; h + 3 < k; h += 4) {
      const o0 = h * capacity;
      const o1 = o0 + capacity;
      const o2 = o1 + capacity;
      const o3 = o2 + capacity;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0; r < rows; r++) {
        const value = block[aOffset + r]!;
        s0 += value * targets[o0 + r]!;
        s1 += value * targets[o1 + r]!;
        s2 += value * targets[o2 + r]!;
        s3 += value * targets[o3 + r]!;
      }
      const c = a * k + h;
      cross[c]! += s0;
      cross[c + 1]! += s1;
      cross[c + 2]! += s2;
      cross[c + 3]! += s3;
    }
    for (; h < k; h++) {
      const hOffset = h * capacity;
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += block[aOffset + r]! * targets[hOffset + r]!;
      cross[a * k + h]! += sum;
    }
  }
}

/**
 * Solves `A X = B` for a symmetric positive definite `A` (d × d, row-major, lower triangle read)
 * and `B` (d × k, row-major) by Cholesky factorisation `A = L Lᵀ`, then forward and back
 * substitution for each column. Returns X (d × k, row-major). Throws `EnisError("INTERNAL")` when
 * a pivot is not positive (the ridge term makes the normal equations positive definite; a failure
 * is a bug).
 */
export function choleskySolve(a: Float64Array, d: number, b: Float64Array, k: number): Float64Array {
  const lower = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const jRow = j * d;
    let pivot = a[jRow + j]!;
    for (let q = 0; q < j; q++) pivot -= lower[jRow + q]! * lower[jRow + q]!;
    if (!(pivot > 0) || !Number.isFinite(pivot)) {
      throw new EnisError(
        "INTERNAL",
        `the pooled AR normal equations must be positive definite, got pivot ${pivot} at ${j}`,
      );
    }
    const diagonal = Math.sqrt(pivot);
    lower[jRow + j] = diagonal;
    for (let i = j + 1; i < d; i++) {
      const iRow = i * d;
      let value = a[iRow + j]!;
      for (let q = 0; q < j; q++) value -= lower[iRow + q]! * lower[jRow + q]!;
      lower[iRow + j] = value / diagonal;
    }
  }
  const x = new Float64Array(b);
  const column = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      const iRow = i * d;
      let value = x[i * k + c]!;
      for (let q = 0; q < i; q++) value -= lower[iRow + q]! * column[q]!;
      column[i] = value / lower[iRow + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let value = column[i]!;
      for (let q = i + 1; q < d; q++) value -= lower[q * d + i]! * column[q]!;
      column[i] = value / lower[i * d + i]!;
    }
    for (let i = 0; i < d; i++) x[i * k + c] = column[i]!;
  }
  return x;
}
