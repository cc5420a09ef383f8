import { EnisError } from "@enis/core";
import {
  assertArray,
  assertId,
  assertInteger,
  assertKnownKeys,
  assertObject,
  assertPositive,
  describeValue,
  invalidField,
} from "@enis/core/validate";
import {
  assertKeyStep,
  dominantSharePerTask,
  fitLimits,
  parseCapacity,
  parseTaskDemand,
  type ResourceModel,
  setEntry,
  taskCap,
} from "./drf.js";

/** A node of the tree given to {@link hierarchicalDrfAllocate}: a group (with children) or a leaf (with a task demand). */
export interface HierarchicalDrfNode {
  /** Unique id among all nodes of the tree. */
  readonly id: string;
  /**
   * Weight of the node among its siblings: siblings' weighted dominant shares are equalised. Finite and > 0.
   * @default 1
   */
  readonly weight?: number;
  /** Sub-groups or leaves of a group; non-empty when present. A node without children is a leaf. */
  readonly children?: readonly HierarchicalDrfNode[];
  /**
   * Leaves only: what one task needs, by resource name of `capacity` (missing resources count as 0). At
   * least one entry > 0 unless `maxTasks` is set.
   */
  readonly taskDemand?: Readonly<Record<string, number>>;
  /**
   * Leaves only: most tasks the leaf wants (a safe integer ≥ 0).
   * @default unlimited (until its next task does not fit)
   */
  readonly maxTasks?: number;
}

/** Options of {@link hierarchicalDrfAllocate}. */
export interface HierarchicalDrfOptions {
  /** Total of each resource, by name; finite and ≥ 0. */
  readonly capacity: Readonly<Record<string, number>>;
  /** Root of the tree; its own weight plays no part. */
  readonly root: HierarchicalDrfNode;
  /**
   * Most tasks one call may place. H-DRF places tasks one at a time (~0.7M per second for a tree of
   * 10,000 users on the reference machine), so a call that would place more throws `INFEASIBLE`
   * instead of running for minutes.
   * @default 10_000_000
   */
  readonly maxPlacements?: number;
}

/** Result of {@link hierarchicalDrfAllocate}. */
export interface HierarchicalDrfAllocation {
  /** Tasks placed for each leaf, by leaf id. */
  readonly tasks: Record<string, number>;
  /**
   * Unweighted dominant share of what each node (leaf or group) actually holds:
   * `max_r(used[node][r] / capacity[r])` over resources with capacity > 0.
   */
  readonly dominantShares: Record<string, number>;
  /** Amount of each resource held by each node: the sum over the leaves below it of `tasks × taskDemand`. */
  readonly used: Record<string, Record<string, number>>;
}

/**
 * Hierarchical Dominant Resource Fairness for discrete tasks (Bhattacharya, Culler, Friedman, Ghodsi,
 * Shenker, Stoica, "Hierarchical Scheduling for Diverse Datacenter Workloads", SoCC 2013, dynamic H-DRF;
 * also volcano-sh/volcano `docs/design/hdrf.md`).
 *
 * Each step descends from the root, at every group taking the unblocked child with the lowest weighted
 * dominant share (ties: the child listed first), and gives one task to the leaf reached. Then:
 * - a leaf is *blocked* when it holds `maxTasks` or its next task does not fit (resources only shrink,
 *   so it stays blocked); a group is blocked when all its children are;
 * - a resource is *saturated* when no unblocked leaf needs it: nothing is left to compete for on it;
 * - a leaf's weighted dominant share is `tasks × max_r(taskDemand[r] / capacity[r]) / weight`, exactly as
 *   in {@link drfAllocate}, so a one-level tree allocates exactly like flat DRF;
 * - a group's consumption vector rescales each unblocked child's vector so that its weighted dominant
 *   share equals the smallest among the unblocked children, then adds the blocked children's vectors
 *   unchanged; the group's dominant share is taken over unsaturated resources only, divided by its weight.
 *
 * Rescaling to the minimum keeps a child that had a resource to itself from raising its parent's share
 * and starving its siblings' subtrees; leaving blocked children out of the minimum and ignoring saturated
 * resources keeps a child that can no longer grow from pinning its parent's share (the paper's two
 * failures of naive per-level DRF). A task fits under the same rule as in {@link drfAllocate}.
 *
 * Cost per placed task: the children of every group on the placed leaf's path but the root, times the
 * resources, plus a heap step per level; and every node once more each time a resource saturates.
 *
 * Throws `EnisError` `INVALID_OPTIONS` for malformed trees (as {@link drfAllocate} for numbers; a group
 * with `taskDemand`/`maxTasks`, a leaf without `taskDemand`, empty `children`), `DUPLICATE_ID` when two
 * nodes share an id, `INFEASIBLE` when more than `maxPlacements` tasks would be placed.
 *
 * @example
 * ```ts
 * const result = hierarchicalDrfAllocate({
 *   capacity: { cpu: 10, gpu: 10 },
 *   root: {
 *     id: "cluster",
 *     children: [
 *       { id: "vision", taskDemand: { gpu: 1 } },
 *       {
 *         id: "platform",
 *         children: [
 *           { id: "batch", taskDemand: { cpu: 10 } },
 *           { id: "inference", taskDemand: { gpu: 1 } },
 *         ],
 *       },
 *     ],
 *   },
 * });
 * result.tasks; // { vision: 5, batch: 1, inference: 5 }: batch's cpu does not starve inference of GPUs
 * ```
 */
export function hierarchicalDrfAllocate(options: HierarchicalDrfOptions): HierarchicalDrfAllocation {
  const tree = parseTree(options);
  const tasks = place(tree);
  return describe(tree, tasks);
}

/** A validated tree in flat arrays. @internal (exported for the tests' reference implementation) */
export interface Tree {
  readonly resources: ResourceModel;
  readonly ids: readonly string[];
  readonly weights: Float64Array;
  /** Children of each node, in input order (empty for leaves). */
  readonly children: ReadonlyArray<readonly number[]>;
  /** Node positions in pre-order: parents before children. */
  readonly leafOf: Int32Array;
  readonly leafNodes: readonly number[];
  readonly leafMaxTasks: ReadonlyArray<number | undefined>;
  /** Leaf × resource demand matrix. */
  readonly demands: Float64Array;
  readonly limits: Float64Array;
  readonly caps: Float64Array;
  readonly keyStep: Float64Array;
  /** Unweighted dominant share of one task of each leaf. */
  readonly perTask: Float64Array;
  readonly maxPlacements: number;
}

const optionKeys: ReadonlySet<string> = new Set(["capacity", "root", "maxPlacements"]);
const nodeKeys: ReadonlySet<string> = new Set(["id", "weight", "children", "taskDemand", "maxTasks"]);

/** Validates the options into a {@link Tree}. @internal */
export function parseTree(options: unknown): Tree {
  assertObject(options, "options");
  assertKnownKeys(options, optionKeys, "options");
  const resources = parseCapacity(options["capacity"], "capacity");
  const maxPlacements = options["maxPlacements"] ?? 10_000_000;
  assertInteger(maxPlacements, "maxPlacements", 0);
  const m = resources.names.length;
  const ids: string[] = [];
  const fields: string[] = [];
  const weights: number[] = [];
  const children: number[][] = [];
  const leafNodes: number[] = [];
  const leafMaxTasks: Array<number | undefined> = [];
  const leafDemandValues: unknown[] = [];
  const demandRows: Float64Array[] = [];
  const seen = new Map<string, string>();
  // Explicit stack: a deep tree must not overflow the call stack.
  const stack: Array<{ value: unknown; field: string; parent: number }> = [
    { value: options["root"], field: "root", parent: -1 },
  ];
  while (stack.length > 0) {
    const { value, field, parent } = stack.pop()!;
    assertObject(value, field);
    assertKnownKeys(value, nodeKeys, field);
    const id = value["id"];
    assertId(id, `${field}.id`);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${field}.id must be unique, got ${describeValue(id)}, already the id of ${earlier}`,
        {
          field: `${field}.id`,
        },
      );
    }
    seen.set(id, field);
    const weight = value["weight"] ?? 1;
    assertPositive(weight, `${field}.weight`);
    // Shares are divided by weights, and siblings' shares by each other: 1 / weight must be finite.
    if (1 / weight === Number.POSITIVE_INFINITY) {
      throw invalidField(`${field}.weight`, weight, "large enough that 1 / weight is finite");
    }
    const node = ids.length;
    ids.push(id);
    fields.push(field);
    weights.push(weight);
    children.push([]);
    if (parent >= 0) children[parent]!.push(node);
    const kids = value["children"];
    if (kids !== undefined) {
      assertArray(kids, `${field}.children`);
      if (kids.length === 0) {
        throw new EnisError(
          "INVALID_OPTIONS",
          `${field}.children must be a non-empty array (a leaf has no children), got an array of 0`,
          { field: `${field}.children` },
        );
      }
      for (const key of ["taskDemand", "maxTasks"]) {
        if (value[key] !== undefined) {
          throw new EnisError(
            "INVALID_OPTIONS",
            `${field}.${key} must be absent on a node with children, got ${describeValue(value[key])}`,
            { field: `${field}.${key}` },
          );
        }
      }
      // Pushed in reverse so that children are visited, and numbered, in input order.
      for (let c = kids.length - 1; c >= 0; c--) {
        stack.push({ value: kids[c], field: `${field}.children[${c}]`, parent: node });
      }
    } else {
      const row = new Float64Array(m);
      if (value["taskDemand"] === undefined) {
        throw new EnisError("INVALID_OPTIONS", `${field}.taskDemand must be set on a leaf, got undefined`, {
          field: `${field}.taskDemand`,
        });
      }
      parseTaskDemand(value["taskDemand"], resources, `${field}.taskDemand`, row, 0);
      const maxTasks = value["maxTasks"];
      if (maxTasks !== undefined) assertInteger(maxTasks, `${field}.maxTasks`, 0);
      leafNodes.push(node);
      leafMaxTasks.push(maxTasks as number | undefined);
      leafDemandValues.push(value["taskDemand"]);
      demandRows.push(row);
    }
  }
  // Pre-order with children pushed in reverse: a child pops after its parent and before later siblings,
  // so every child's position is greater than its parent's.
  const leaves = leafNodes.length;
  const demands = new Float64Array(leaves * m);
  demandRows.forEach((row, l) => {
    demands.set(row, l * m);
  });
  const limits = fitLimits(resources, demands, leaves);
  const caps = new Float64Array(leaves);
  const keyStep = new Float64Array(leaves);
  const perTask = new Float64Array(leaves);
  const leafOf = new Int32Array(ids.length).fill(-1);
  leafNodes.forEach((node, l) => {
    leafOf[node] = l;
    caps[l] = taskCap(leafMaxTasks[l], leafDemandValues[l], demands, l * m, limits, fields[node]!);
    perTask[l] = dominantSharePerTask(demands, l * m, resources);
    keyStep[l] = perTask[l]! / weights[node]!;
    assertKeyStep(keyStep[l]!, caps[l]!, weights[node]!, `${fields[node]!}.weight`);
  });
  return {
    resources,
    ids,
    weights: Float64Array.from(weights),
    children,
    leafOf,
    leafNodes,
    leafMaxTasks,
    demands,
    limits,
    caps,
    keyStep,
    perTask,
    maxPlacements,
  };
}

/**
 * Places tasks one at a time, as the definition reads (see {@link hierarchicalDrfAllocate}), but
 * re-evaluates only what a placement can change: the placed leaf's ancestors, the ancestors of
 * nodes that became blocked, and — once per resource, when it saturates — every node. Each group
 * keeps its unblocked children in a heap on (weighted dominant share, position), which gives both
 * the descent's choice and the smallest share its vector is rescaled to. Every number comes from
 * the same operations as a full evaluation of the tree before each placement would compute, so
 * the allocation is the same to the bit (a test replays random trees against that full
 * evaluation).
 */
function place(tree: Tree): Float64Array {
  const { resources, children, leafOf, leafNodes, demands, limits, caps, keyStep, weights } = tree;
  const m = resources.names.length;
  const count = tree.ids.length;
  const leaves = leafNodes.length;
  const tasks = new Float64Array(leaves);
  const used = new Float64Array(m);
  const blocked = new Uint8Array(count);
  const saturated = new Uint8Array(m);
  const share = new Float64Array(count);
  const vector = new Float64Array(count * m);

  const parent = new Int32Array(count).fill(-1);
  /** Position among its parent's children: the tie-break of equal shares (the first listed wins). */
  const rank = new Int32Array(count);
  for (let node = 0; node < count; node++) {
    const kids = children[node]!;
    for (let c = 0; c < kids.length; c++) {
      parent[kids[c]!] = node;
      rank[kids[c]!] = c;
    }
  }

  // --- per group, a heap of its unblocked children on (share, rank) ------------------------------
  const heaps: number[][] = children.map(() => []);
  /** Position of a node in its parent's heap, -1 when it is not there (blocked, or the root). */
  const heapPosition = new Int32Array(count).fill(-1);
  const before = (a: number, b: number): boolean =>
    share[a]! < share[b]! || (share[a] === share[b] && rank[a]! < rank[b]!);
  const setAt = (heap: number[], index: number, node: number): void => {
    heap[index] = node;
    heapPosition[node] = index;
  };
  const siftUp = (heap: number[], index: number): void => {
    const node = heap[index]!;
    while (index > 0) {
      const up = (index - 1) >> 1;
      if (!before(node, heap[up]!)) break;
      setAt(heap, index, heap[up]!);
      index = up;
    }
    setAt(heap, index, node);
  };
  const siftDown = (heap: number[], index: number): void => {
    const node = heap[index]!;
    const length = heap.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, node)) break;
      setAt(heap, index, heap[child]!);
      index = child;
    }
    setAt(heap, index, node);
  };
  const heapify = (heap: number[]): void => {
    for (let index = (heap.length >> 1) - 1; index >= 0; index--) siftDown(heap, index);
  };
  /** Restores the order of `node`'s parent's heap after `node`'s share changed. */
  const reposition = (node: number): void => {
    const index = heapPosition[node]!;
    if (index < 0) return;
    const heap = heaps[parent[node]!]!;
    siftUp(heap, index);
    siftDown(heap, heapPosition[node]!);
  };
  const heapRemove = (node: number): void => {
    const heap = heaps[parent[node]!]!;
    const index = heapPosition[node]!;
    heapPosition[node] = -1;
    const last = heap.pop()!;
    if (last === node) return;
    setAt(heap, index, last);
    siftUp(heap, index);
    siftDown(heap, heapPosition[last]!);
  };

  // --- one node, evaluated as a full evaluation does it --------------------------------------------
  const evaluateNode = (node: number): void => {
    const base = node * m;
    const l = leafOf[node]!;
    if (l >= 0) {
      for (let r = 0; r < m; r++) vector[base + r] = tasks[l]! * demands[l * m + r]!;
      share[node] = tasks[l]! * keyStep[l]!;
      return;
    }
    const heap = heaps[node]!;
    const lowest = heap.length > 0 ? share[heap[0]!]! : Number.POSITIVE_INFINITY;
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
  };
  /**
   * Every node but the root (whose own share is never read), children before parents: reverse
   * pre-order. A group's heap is reordered by its children's new shares before the group reads
   * its smallest share from the top.
   */
  const evaluateAll = (): void => {
    for (let node = count - 1; node >= 1; node--) {
      if (leafOf[node]! < 0) heapify(heaps[node]!);
      evaluateNode(node);
    }
    heapify(heaps[0]!);
  };

  // --- what a placement changes ---------------------------------------------------------------------
  const dirtyStamp = new Float64Array(count);
  let epoch = 0;
  const dirty: number[] = [];
  /** Marks `node` and its ancestors, up to the first already marked (whose ancestors are too). */
  const markPath = (node: number): void => {
    for (let at = node; at >= 0 && dirtyStamp[at] !== epoch; at = parent[at]!) {
      dirtyStamp[at] = epoch;
      dirty.push(at);
    }
  };
  /** Unblocked leaves that need each resource: a resource none of them needs is saturated. */
  const needing = new Int32Array(m);
  let saturationChanged = false;
  /**
   * Blocks `node`: out of its parent's heap, and its parent with it when that was the last, and so
   * on up (a loop: a chain of thousands of groups must not overflow the call stack).
   */
  const block = (node: number): void => {
    const l = leafOf[node]!;
    if (l >= 0) {
      for (let r = 0; r < m; r++) {
        if (demands[l * m + r]! > 0 && --needing[r]! === 0) {
          saturated[r] = 1;
          saturationChanged = true;
        }
      }
    }
    for (let at = node; ; at = parent[at]!) {
      blocked[at] = 1;
      markPath(at);
      if (at === 0) return;
      heapRemove(at);
      if (heaps[parent[at]!]!.length > 0) return;
    }
  };
  // Per resource, the leaves that need it by decreasing demand: once used + d does not fit, no
  // larger demand does either (rounding is monotone), so a cursor meets every leaf it blocks once.
  const byDemand: Int32Array[] = [];
  const cursor = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const needers: number[] = [];
    for (let l = 0; l < leaves; l++) if (demands[l * m + r]! > 0) needers.push(l);
    needers.sort((a, b) => demands[b * m + r]! - demands[a * m + r]!);
    byDemand.push(Int32Array.from(needers));
    needing[r] = needers.length;
    saturated[r] = needers.length === 0 ? 1 : 0;
  }
  /** Blocks the leaves whose next task no longer fits resource `r` (the test of `fits`). */
  const advance = (r: number): void => {
    const order = byDemand[r]!;
    let at = cursor[r]!;
    for (; at < order.length; at++) {
      const l = order[at]!;
      if (used[r]! + demands[l * m + r]! <= limits[r]!) break;
      if (!blocked[leafNodes[l]!]) block(leafNodes[l]!);
    }
    cursor[r] = at;
  };

  // Start: every node in its parent's heap, the leaves that start blocked taken out, then all
  // evaluated (with nothing placed, every share is 0).
  for (let node = 1; node < count; node++) {
    heapPosition[node] = heaps[parent[node]!]!.length;
    heaps[parent[node]!]!.push(node);
  }
  for (let l = 0; l < leaves; l++) if (!(tasks[l]! < caps[l]!)) block(leafNodes[l]!);
  for (let r = 0; r < m; r++) advance(r);
  evaluateAll();

  let placed = 0;
  // Until the root is blocked: a group root when its last child blocks, a leaf root by itself.
  while (!blocked[0]) {
    let node = 0;
    while (leafOf[node]! < 0) node = heaps[node]![0]!;
    if (placed >= tree.maxPlacements) {
      throw new EnisError(
        "INFEASIBLE",
        `maxPlacements must be above the number of tasks placed one at a time (more than it here; raise it or use coarser tasks), got ${tree.maxPlacements}`,
        { field: "maxPlacements" },
      );
    }
    const l = leafOf[node]!;
    tasks[l] = tasks[l]! + 1;
    for (let r = 0; r < m; r++) used[r] = used[r]! + demands[l * m + r]!;
    placed++;

    epoch++;
    dirty.length = 0;
    saturationChanged = false;
    markPath(node);
    if (!(tasks[l]! < caps[l]!)) block(node);
    for (let r = 0; r < m; r++) if (demands[l * m + r]! > 0) advance(r);
    if (saturationChanged) {
      // A saturated resource drops out of every group's share.
      evaluateAll();
      continue;
    }
    dirty.sort((a, b) => b - a);
    for (const at of dirty) {
      if (at === 0) continue;
      evaluateNode(at);
      reposition(at);
    }
  }
  return tasks;
}

function describe(tree: Tree, tasks: Float64Array): HierarchicalDrfAllocation {
  const { resources, children, leafOf, demands } = tree;
  const m = resources.names.length;
  const count = tree.ids.length;
  const held = new Float64Array(count * m);
  for (let node = count - 1; node >= 0; node--) {
    const l = leafOf[node]!;
    if (l >= 0) {
      for (let r = 0; r < m; r++) held[node * m + r] = tasks[l]! * demands[l * m + r]!;
    } else {
      for (const child of children[node]!) {
        for (let r = 0; r < m; r++) held[node * m + r]! += held[child * m + r]!;
      }
    }
  }
  const result: HierarchicalDrfAllocation = { tasks: {}, dominantShares: {}, used: {} };
  tree.ids.forEach((id, node) => {
    const l = leafOf[node]!;
    if (l >= 0) setEntry(result.tasks, id, tasks[l]!);
    let dominant = 0;
    const usedByNode: Record<string, number> = {};
    resources.names.forEach((name, r) => {
      const amount = held[node * m + r]!;
      setEntry(usedByNode, name, amount);
      const capacity = resources.capacity[r]!;
      if (capacity > 0) dominant = Math.max(dominant, amount / capacity);
    });
    // Leaves as in drfAllocate (tasks × per-task share, 0 without a task), so a one-level tree
    // matches it to the bit.
    const share = l < 0 ? dominant : tasks[l] === 0 ? 0 : tasks[l]! * tree.perTask[l]!;
    setEntry(result.dominantShares, id, share);
    setEntry(result.used, id, usedByNode);
  });
  return result;
}
