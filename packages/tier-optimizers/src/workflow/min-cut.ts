/**
 * Exact minimisation of a separable cost over start times under precedence constraints:
 *
 *   minimise Σ_j cost_j(S_j)  subject to  S_j ∈ {lo_j, …, hi_j},  S_k ≥ S_j + lag_jk for each arc j → k,
 *
 * with arbitrary costs (`Infinity` forbids a start). This is the time-indexed formulation with
 * cumulative variables z_j,t = [S_j ≤ t]: its constraints (z_j,t ≤ z_j,t+1, z_k,t+lag ≤ z_j,t) make
 * it a minimum-weight closure problem, which is solved exactly as a minimum s-t cut (Möhring,
 * Schulz, Stork and Uetz, "Solving project scheduling problems by minimum cut computations",
 * Management Science 49(3), 2003, following Chaudhuri, Walker and Mitchell 1994). Its LP relaxation
 * is integral; the tests hold the result to brute force and to that LP solved by HiGHS.
 *
 * The network: per step a chain of nodes v_j,t for t = lo_j … hi_j + 1; v_j,t on the source side
 * means S_j ≥ t. Source → v_j,lo (∞); v_j,hi+1 → sink (∞); v_j,t → v_j,t+1 with capacity
 * cost_j(t) (cutting it means S_j = t) and the reverse ∞ (each chain is cut exactly once); for a
 * precedence arc, v_j,t → v_k,t+lag (∞: S_j ≥ t forces S_k ≥ t + lag). The minimum cut's source side
 * (the nodes reachable from the source in the residual network after a maximum flow, Dinic's
 * algorithm) gives the componentwise earliest optimal schedule.
 *
 * @internal
 */

/** The problem. Windows must already be consistent: lo_k ≥ lo_j + lag and hi_j ≤ hi_k − lag on every arc. */
export interface SeparableScheduleProblem {
  /** Earliest start per step. */
  readonly lo: ArrayLike<number>;
  /** Latest start per step (>= lo). */
  readonly hi: ArrayLike<number>;
  /** `cost[j][t − lo_j]`: the cost of starting step j at t, >= 0 or Infinity (forbidden). */
  readonly cost: readonly Float64Array[];
  /** Precedence arcs: `from` must start at least `lag` (>= 0) before `to`. */
  readonly arcs: readonly { readonly from: number; readonly to: number; readonly lag: number }[];
}

/** The optimum. */
export interface SeparableScheduleSolution {
  readonly starts: Int32Array;
  /** Σ cost_j(S_j), summed from the costs (not from the flow). */
  readonly objective: number;
  readonly nodes: number;
  readonly arcs: number;
}

/**
 * Solves {@link SeparableScheduleProblem} exactly. Returns null when no schedule has a finite cost
 * (every feasible schedule uses a forbidden start).
 *
 * @internal
 */
export function solveSeparableSchedule(problem: SeparableScheduleProblem): SeparableScheduleSolution | null {
  const steps = problem.lo.length;
  const base = new Int32Array(steps + 1);
  // Nodes 0 (source) and 1 (sink), then each step's chain of (hi − lo + 2) nodes.
  base[0] = 2;
  let finiteTotal = 0;
  for (let j = 0; j < steps; j++) {
    const length = problem.hi[j]! - problem.lo[j]! + 1;
    base[j + 1] = base[j]! + length + 1;
    let largest = 0;
    for (const c of problem.cost[j]!) if (c !== Number.POSITIVE_INFINITY && c > largest) largest = c;
    finiteTotal += largest;
  }
  const nodes = base[steps]!;
  // Any cut through an "infinite" arc costs more than the schedule of the largest finite costs.
  const infinite = 2 * finiteTotal + 1;
  const epsilon = Math.max(finiteTotal, 1) * 1e-13;

  // Arcs are stored in pairs (arc, its reverse): 2 per chain link, 2 per source/sink link, 2 per precedence link.
  let arcCount = 0;
  for (let j = 0; j < steps; j++) arcCount += 2 * (problem.hi[j]! - problem.lo[j]! + 1) + 4;
  for (const arc of problem.arcs) {
    const first = Math.max(problem.lo[arc.from]!, problem.lo[arc.to]! - arc.lag + 1);
    arcCount += 2 * Math.max(0, problem.hi[arc.from]! - first + 1);
  }
  const head = new Int32Array(arcCount);
  const tail = new Int32Array(arcCount);
  const capacity = new Float64Array(arcCount);
  let next = 0;
  const add = (from: number, to: number, forward: number, backward: number): void => {
    tail[next] = from;
    head[next] = to;
    capacity[next++] = forward;
    tail[next] = to;
    head[next] = from;
    capacity[next++] = backward;
  };
  for (let j = 0; j < steps; j++) {
    const lo = problem.lo[j]!;
    const hi = problem.hi[j]!;
    const costs = problem.cost[j]!;
    add(0, base[j]!, infinite, 0);
    for (let t = lo; t <= hi; t++) {
      const c = costs[t - lo]!;
      const node = base[j]! + t - lo;
      add(node, node + 1, c === Number.POSITIVE_INFINITY ? infinite : c, infinite);
    }
    add(base[j]! + hi - lo + 1, 1, infinite, 0);
  }
  for (const arc of problem.arcs) {
    const loFrom = problem.lo[arc.from]!;
    const loTo = problem.lo[arc.to]!;
    const first = Math.max(loFrom, loTo - arc.lag + 1);
    for (let t = first; t <= problem.hi[arc.from]!; t++) {
      add(base[arc.from]! + t - loFrom, base[arc.to]! + t + arc.lag - loTo, infinite, 0);
    }
  }

  // Adjacency in compressed form: the arcs leaving each node.
  const start = new Int32Array(nodes + 1);
  for (let e = 0; e < arcCount; e++) start[tail[e]! + 1]!++;
  for (let v = 0; v < nodes; v++) start[v + 1]! += start[v]!;
  const out = new Int32Array(arcCount);
  const fill = start.slice(0, nodes);
  for (let e = 0; e < arcCount; e++) out[fill[tail[e]!]!++] = e;

  maxFlow(nodes, start, out, head, capacity, epsilon);

  // The source side: reachable from the source through arcs with residual capacity.
  const reached = new Uint8Array(nodes);
  const queue = new Int32Array(nodes);
  let read = 0;
  let write = 0;
  queue[write++] = 0;
  reached[0] = 1;
  while (read < write) {
    const v = queue[read++]!;
    for (let k = start[v]!; k < start[v + 1]!; k++) {
      const e = out[k]!;
      const w = head[e]!;
      if (reached[w] === 0 && capacity[e]! > epsilon) {
        reached[w] = 1;
        queue[write++] = w;
      }
    }
  }
  if (reached[1] === 1) return null;

  const starts = new Int32Array(steps);
  let objective = 0;
  for (let j = 0; j < steps; j++) {
    const lo = problem.lo[j]!;
    let t = lo;
    while (t < problem.hi[j]! && reached[base[j]! + t + 1 - lo] === 1) t++;
    starts[j] = t;
    objective += problem.cost[j]![t - lo]!;
  }
  if (!Number.isFinite(objective)) return null;
  return { starts, objective, nodes, arcs: arcCount / 2 };
}

/** Dinic's maximum flow from node 0 to node 1; leaves the residual capacities in `capacity`. */
function maxFlow(
  nodes: number,
  start: Int32Array,
  out: Int32Array,
  head: Int32Array,
  capacity: Float64Array,
  epsilon: number,
): void {
  const level = new Int32Array(nodes);
  const cursor = new Int32Array(nodes);
  const queue = new Int32Array(nodes);
  const path = new Int32Array(nodes);
  for (;;) {
    level.fill(-1);
    level[0] = 0;
    let read = 0;
    let write = 0;
    queue[write++] = 0;
    while (read < write) {
      const v = queue[read++]!;
      for (let k = start[v]!; k < start[v + 1]!; k++) {
        const e = out[k]!;
        const w = head[e]!;
        if (level[w] === -1 && capacity[e]! > epsilon) {
          level[w] = level[v]! + 1;
          queue[write++] = w;
        }
      }
    }
    if (level[1] === -1) return;
    cursor.set(start.subarray(0, nodes));
    // Blocking flow by depth-first search along the level graph, iteratively.
    let depth = 0;
    let v = 0;
    for (;;) {
      if (v === 1) {
        let bottleneck = Number.POSITIVE_INFINITY;
        for (let i = 0; i < depth; i++) bottleneck = Math.min(bottleneck, capacity[path[i]!]!);
        let retreat = depth;
        for (let i = 0; i < depth; i++) {
          const e = path[i]!;
          capacity[e]! -= bottleneck;
          capacity[e ^ 1]! += bottleneck;
          if (retreat === depth && capacity[e]! <= epsilon) retreat = i;
        }
        depth = retreat;
        v = depth === 0 ? 0 : head[path[depth - 1]!]!;
        continue;
      }
      let advanced = false;
      for (; cursor[v]! < start[v + 1]!; cursor[v]!++) {
        const e = out[cursor[v]!]!;
        const w = head[e]!;
        if (level[w] === level[v]! + 1 && capacity[e]! > epsilon) {
          path[depth++] = e;
          v = w;
          advanced = true;
          break;
        }
      }
      if (advanced) continue;
      if (v === 0) break;
      level[v] = -1;
      depth--;
      v = depth === 0 ? 0 : head[path[depth - 1]!]!;
      cursor[v]!++;
    }
  }
}
