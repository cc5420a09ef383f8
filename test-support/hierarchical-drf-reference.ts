/*
 * H-DRF by full evaluation: the reference the library's incremental placement is checked against
 * (packages/fairness/src/hierarchical-drf.test.ts) and measured beside (benchmarks/fairness/
 * hierarchical-drf.bench.ts). It is the library's first implementation, kept verbatim.
 */
import type { Tree } from "../packages/fairness/src/hierarchical-drf.js";

/**
 * The reference for the incremental placement: H-DRF as first written here, evaluating the whole
 * tree (blocked leaves, saturated resources, every group's vector and share) before every single
 * placement. O(nodes × resources) per task; the library must allocate exactly as it does.
 */
export function placeByFullEvaluation(tree: Tree): Float64Array {
  const { resources, children, leafOf, demands, limits, caps, keyStep, weights } = tree;
  const m = resources.names.length;
  const count = tree.ids.length;
  const leaves = tree.leafNodes.length;
  const tasks = new Float64Array(leaves);
  const used = new Float64Array(m);
  const blocked = new Uint8Array(count);
  const saturated = new Uint8Array(m);
  const share = new Float64Array(count);
  const vector = new Float64Array(count * m);

  const fits = (l: number): boolean => {
    for (let r = 0; r < m; r++) {
      const d = demands[l * m + r]!;
      if (d > 0 && !(used[r]! + d <= limits[r]!)) return false;
    }
    return true;
  };
  const evaluate = (): void => {
    saturated.fill(1);
    for (let l = 0; l < leaves; l++) {
      const node = tree.leafNodes[l]!;
      const isBlocked = tasks[l]! >= caps[l]! || !fits(l);
      blocked[node] = isBlocked ? 1 : 0;
      if (!isBlocked) for (let r = 0; r < m; r++) if (demands[l * m + r]! > 0) saturated[r] = 0;
    }
    // Reverse pre-order visits every child before its parent.
    for (let node = count - 1; node >= 0; node--) {
      const l = leafOf[node]!;
      const base = node * m;
      if (l >= 0) {
        for (let r = 0; r < m; r++) vector[base + r] = tasks[l]! * demands[l * m + r]!;
        share[node] = tasks[l]! * keyStep[l]!;
        continue;
      }
      let lowest = Number.POSITIVE_INFINITY;
      let allBlocked = 1;
      for (const child of children[node]!) {
        if (blocked[child]) continue;
        allBlocked = 0;
        lowest = Math.min(lowest, share[child]!);
      }
      blocked[node] = allBlocked;
      vector.fill(0, base, base + m);
      for (const child of children[node]!) {
        // SoCC 2013 H-DRF: unblocked children are rescaled to the minimum weighted dominant share among
        // them, blocked children count as they are.
        const factor = blocked[child] ? 1 : share[child]! > 0 ? lowest / share[child]! : 0;
        if (factor === 0) continue;
        for (let r = 0; r < m; r++) vector[base + r]! += factor * vector[child * m + r]!;
      }
      let dominant = 0;
      for (let r = 0; r < m; r++) {
        const capacity = resources.capacity[r]!;
        if (!saturated[r] && capacity > 0) dominant = Math.max(dominant, vector[base + r]! / capacity);
      }
      share[node] = dominant / weights[node]!;
    }
  };

  for (;;) {
    evaluate();
    if (blocked[0]) break;
    let node = 0;
    while (leafOf[node]! < 0) {
      let best = -1;
      for (const child of children[node]!) {
        if (!blocked[child] && (best < 0 || share[child]! < share[best]!)) best = child;
      }
      node = best;
    }
    const l = leafOf[node]!;
    tasks[l] = tasks[l]! + 1;
    for (let r = 0; r < m; r++) used[r] = used[r]! + demands[l * m + r]!;
  }
  return tasks;
}
