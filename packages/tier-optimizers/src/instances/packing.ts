/*
 * First-fit decreasing in three dimensions (CPU millicores, memory MiB, pod slots) onto identical
 * bins, with a segment tree over the bins' remaining capacities so that "the first bin that holds
 * this item" is a descent of the tree instead of a scan of every open bin.
 *
 * Each tree node keeps, per dimension, the largest remaining capacity among the bins below it.
 * A subtree whose maxima do not all reach the item cannot hold it; one whose maxima do may still
 * not (the maxima can come from different bins), so the descent can backtrack. The leftmost
 * feasible leaf is found in O(log B) when the maxima come from one bin, O(B) in the worst case;
 * on the measured workloads (benchmarks/tier-optimizers/recommend-instances.bench.ts) it is close
 * to the first. Bins not yet opened are leaves at full capacity, so the first of them is what
 * first-fit opens next, with no special case.
 *
 * Integer capacities and sizes (millicores, MiB): the sums are exact, so "never exceeds the
 * capacity" holds to the unit.
 */
import { EnisError } from "@enis/core";

/** The result of {@link firstFitDecreasing}. */
export interface Packing {
  /** Bins opened. */
  readonly binCount: number;
  /** The bin of each item, by the item's index in the input. */
  readonly binOf: Int32Array;
  /** The items in the order they were placed (decreasing size). */
  readonly order: Int32Array;
}

/**
 * Packs items (`cpu[i]`, `memory[i]`, one pod slot each) onto bins of capacity
 * (`capacityCpu`, `capacityMemory`, `capacityPods`), largest first by dominant share
 * `max(cpu / capacityCpu, memory / capacityMemory)` (ties by index). Every item must fit an empty
 * bin; the caller checks.
 */
export function firstFitDecreasing(
  cpu: ArrayLike<number>,
  memory: ArrayLike<number>,
  capacityCpu: number,
  capacityMemory: number,
  capacityPods: number,
): Packing {
  const n = cpu.length;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = Math.max(cpu[i]! / capacityCpu, memory[i]! / capacityMemory);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => key[b]! - key[a]! || a - b);

  let leaves = 1;
  while (leaves < Math.max(1, n)) leaves *= 2;
  const size = 2 * leaves;
  const maxCpu = new Float64Array(size).fill(capacityCpu);
  const maxMemory = new Float64Array(size).fill(capacityMemory);
  const maxPods = new Float64Array(size).fill(capacityPods);
  const binOf = new Int32Array(n);
  let binCount = 0;

  const find = (node: number, c: number, m: number): number => {
    if (maxCpu[node]! < c || maxMemory[node]! < m || maxPods[node]! < 1) return -1;
    if (node >= leaves) return node;
    const left = find(2 * node, c, m);
    return left >= 0 ? left : find(2 * node + 1, c, m);
  };

  for (let k = 0; k < n; k++) {
    const item = order[k]!;
    const c = cpu[item]!;
    const m = memory[item]!;
    const leaf = find(1, c, m);
    if (leaf < 0) throw new EnisError("INTERNAL", `firstFitDecreasing: item ${item} fits no empty bin`);
    const bin = leaf - leaves;
    binOf[item] = bin;
    if (bin >= binCount) binCount = bin + 1;
    maxCpu[leaf] = maxCpu[leaf]! - c;
    maxMemory[leaf] = maxMemory[leaf]! - m;
    maxPods[leaf] = maxPods[leaf]! - 1;
    for (let node = leaf >> 1; node >= 1; node >>= 1) {
      const l = 2 * node;
      const r = l + 1;
      maxCpu[node] = Math.max(maxCpu[l]!, maxCpu[r]!);
      maxMemory[node] = Math.max(maxMemory[l]!, maxMemory[r]!);
      maxPods[node] = Math.max(maxPods[l]!, maxPods[r]!);
    }
  }
  return { binCount, binOf, order };
}
