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
  // Two rows a, a + 1 against four columns b … b + 3 at a time: each value loaded serves two or four
  // sums held in registers (6 loads per 8 multiply-adds, against 2 per 1 for a plain dot product).
  let a = 0;
  for (; a + 1 < d; a += 2) {
    const a0 = a * capacity;
    const a1 = a0 + capacity;
    let b = 0;
    for (; b + 3 <= a; b += 4) {
      const o0 = b * capacity;
      const o1 = o0 + capacity;
      const o2 = o1 + capacity;
      const o3 = o2 + capacity;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let r = 0; r < rows; r++) {
        const u = block[a0 + r]!;
        const v = block[a1 + r]!;
        const w0 = block[o0 + r]!;
        const w1 = block[o1 + r]!;
        const w2 = block[o2 + r]!;
        const w3 = block[o3 + r]!;
        s00 += u * w0;
        s01 += u * w1;
        s02 += u * w2;
        s03 += u * w3;
        s10 += v * w0;
        s11 += v * w1;
        s12 += v * w2;
        s13 += v * w3;
      }
      const g0 = a * d + b;
      const g1 = g0 + d;
      gram[g0]! += s00;
      gram[g0 + 1]! += s01;
      gram[g0 + 2]! += s02;
      gram[g0 + 3]! += s03;
      gram[g1]! += s10;
      gram[g1 + 1]! += s11;
      gram[g1 + 2]! += s12;
      gram[g1 + 3]! += s13;
    }
    // The rest of both rows' lower triangle (row a + 1 reaches one column further).
    for (const row of [a, a + 1]) {
      const rowOffset = row * capacity;
      for (let c = b; c <= row; c++) {
        const cOffset = c * capacity;
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += block[rowOffset + r]! * block[cOffset + r]!;
        gram[row * d + c]! += sum;
      }
    }
  }
  for (; a < d; a++) {
    const aOffset = a * capacity;
    for (let b = 0; b <= a; b++) {
      const bOffset = b * capacity;
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += block[aOffset + r]! * block[bOffset + r]!;
      gram[a * d + b]! += sum;
    }
  }
  for (let a = 0; a < d; a++) {
    const aOffset = a * capacity;
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
