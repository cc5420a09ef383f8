import {
  assertArray,
  assertId,
  assertInteger,
  assertKnownKeys,
  assertObject,
  assertPositive,
  describeValue,
  EnisError,
  invalidField,
} from "@enis/core";
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
   * Most tasks one call may place. H-DRF places tasks one at a time (each placement re-evaluates the
   * tree), so a call that would place more throws `INFEASIBLE` instead of running for minutes.
   * @default 1_000_000
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
 * Cost: O(nodes × resources) per placed task.
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

interface Tree {
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

function parseTree(options: unknown): Tree {
  assertObject(options, "options");
  assertKnownKeys(options, optionKeys, "options");
  const resources = parseCapacity(options["capacity"], "capacity");
  const maxPlacements = options["maxPlacements"] ?? 1_000_000;
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
        `${field}.id ${describeValue(id)} is already the id of ${earlier}`,
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

function place(tree: Tree): Float64Array {
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

  let placed = 0;
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
    if (placed >= tree.maxPlacements) {
      throw new EnisError(
        "INFEASIBLE",
        `hierarchicalDrfAllocate would place more than maxPlacements tasks (one at a time); raise maxPlacements or use coarser tasks, got maxPlacements ${tree.maxPlacements}`,
        { field: "maxPlacements" },
      );
    }
    const l = leafOf[node]!;
    tasks[l] = tasks[l]! + 1;
    for (let r = 0; r < m; r++) used[r] = used[r]! + demands[l * m + r]!;
    placed++;
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
