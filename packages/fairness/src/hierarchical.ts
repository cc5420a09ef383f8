import { EnisError, type TierCatalogue } from "@enis/core";
import {
  assertKnownKeys,
  assertNonNegative,
  assertObject,
  invalidField,
  oneOf,
  resolveCatalogue,
} from "@enis/core/validate";
import type { OvercommitPolicy } from "./max-min.js";
import { waterFill, waterFillDefect } from "./water-fill.js";

/** One node of an allocation tree: an organisation, a team, a user … of any depth. */
export interface HierarchyNode {
  /** Unique id across the whole tree; becomes a key of {@link HierarchicalResult.allocations}. */
  readonly id: string;
  /**
   * Share weight among its siblings, finite and > 0.
   * @default the weight of `tier` in the catalogue, or 1 without a tier
   */
  readonly weight?: number;
  /**
   * Guaranteed amount among its siblings, in capacity units; finite and >= 0; never above the
   * node's effective demand.
   * @default 0
   */
  readonly floor?: number;
  /**
   * Most the node (its whole subtree) may receive; finite and >= 0.
   * @default no cap
   */
  readonly cap?: number;
  /** What a leaf asks for; finite and >= 0. Required on leaves, not allowed on internal nodes. */
  readonly demand?: number;
  /** Child nodes; a node without children (or with an empty list) is a leaf. */
  readonly children?: readonly HierarchyNode[];
  /**
   * Tier id or emoji; gives the default weight only (tier floors apply to the flat shared pool of
   * `maxMinAllocate`, not inside an organisation's tree).
   * @default none
   */
  readonly tier?: string;
}

/** Options of {@link hierarchicalAllocate}. */
export interface HierarchicalOptions {
  /** Capacity given to the root, in the units of the demands; finite and >= 0. */
  readonly capacity: number;
  /** The root of the tree. */
  readonly root: HierarchyNode;
  /**
   * What to do where the children's floors sum above their parent's allocation (or the root's
   * floor above the capacity): throw `INFEASIBLE`, or scale those children's floors down.
   * @default "reject"
   */
  readonly overcommit?: OvercommitPolicy;
  /**
   * Tier catalogue used to resolve `tier`.
   * @default defaultTierCatalogue
   */
  readonly catalogue?: TierCatalogue;
}

/** Result of {@link hierarchicalAllocate}. */
export interface HierarchicalResult {
  /** Allocation of every node, root included, by id (a null-prototype object). */
  readonly allocations: Record<string, number>;
  /** Effective demand of every node: `min(cap, demand)` for a leaf, `min(cap, sum of children's)` above. */
  readonly demands: Record<string, number>;
  /** Smallest factor applied to a group of sibling floors by `overcommit: "scale-floors"`; 1 if none. */
  readonly floorScale: number;
}

const optionKeys: ReadonlySet<string> = new Set(["capacity", "root", "overcommit", "catalogue"]);
const nodeKeys: ReadonlySet<string> = new Set(["id", "weight", "floor", "cap", "demand", "children", "tier"]);

/**
 * Hierarchical weighted max-min allocation (organisation → team → user, any depth): each node's
 * demand is `min(cap, sum of its children's demands)`, the root receives `min(capacity, demand)`,
 * and every parent's allocation is water-filled among its children with the kernel of
 * {@link maxMinAllocate} (weights, floors, caps). Children never receive more than their parent,
 * and receive all of it when they demand enough. Top-down per level, as hierarchical schedulers
 * (YARN's fair scheduler queues, HDRF in Bhattacharya et al., SoCC 2013) do, so a sibling subtree
 * never loses share to a deep neighbour.
 *
 * Iterative (a breadth-first pass down, a reverse pass up): depth is limited by memory only.
 * Throws `EnisError` `INVALID_OPTIONS`, `DUPLICATE_ID` (ids are unique across the tree, which also
 * rejects a node reachable twice), `UNKNOWN_TIER` or `INFEASIBLE`.
 *
 * @example
 * ```ts
 * const { allocations } = hierarchicalAllocate({
 *   capacity: 100,
 *   root: {
 *     id: "platform",
 *     children: [
 *       { id: "acme", weight: 3, children: [{ id: "acme/web", demand: 90 }, { id: "acme/batch", demand: 10 }] },
 *       { id: "globex", demand: 80 },
 *     ],
 *   },
 * });
 * // allocations: { platform: 100, acme: 75, "acme/web": 65, "acme/batch": 10, globex: 25 }
 * ```
 */
export function hierarchicalAllocate(options: HierarchicalOptions): HierarchicalResult {
  assertObject(options, "options");
  assertKnownKeys(options as unknown as Record<string, unknown>, optionKeys, "options");
  const capacity = options.capacity;
  assertNonNegative(capacity, "capacity");
  const overcommit = oneOf(options.overcommit, "overcommit", ["reject", "scale-floors"], "reject");
  const catalogue = resolveCatalogue(options.catalogue, "catalogue");

  // Breadth-first: every node's children are contiguous, and reverse order visits children first.
  const nodes: Record<string, unknown>[] = [];
  const parent: number[] = [];
  const position: number[] = [];
  const childStart: number[] = [];
  const childCount: number[] = [];
  const weights: number[] = [];
  const floors: number[] = [];
  const caps: number[] = [];
  const leafDemands: number[] = [];
  const seen = new Map<string, number>();
  const pathOf = (index: number): string => {
    const parts: string[] = [];
    for (let i = index; i > 0; i = parent[i]!) parts.push(`.children[${position[i]}]`);
    return `root${parts.reverse().join("")}`;
  };

  const root: unknown = options.root;
  assertObject(root, "root");
  nodes.push(root);
  parent.push(-1);
  position.push(0);
  for (let head = 0; head < nodes.length; head++) {
    const node = nodes[head]!;
    const path = (): string => pathOf(head);
    for (const key in node) if (!nodeKeys.has(key)) assertKnownKeys(node, nodeKeys, path());
    const id = node["id"];
    if (typeof id !== "string" || id.length === 0)
      throw invalidField(`${path()}.id`, id, "a non-empty string");
    if (seen.has(id)) {
      throw new EnisError("DUPLICATE_ID", `${path()}.id must be unique, got ${JSON.stringify(id)} twice`, {
        field: `${path()}.id`,
      });
    }
    seen.set(id, head);
    let defaultWeight = 1;
    const tier = node["tier"];
    if (tier !== undefined) {
      try {
        defaultWeight = catalogue.parse(tier).weight;
      } catch (error) {
        if (!EnisError.isInstance(error)) throw error;
        throw new EnisError(error.code, `${path()}.${error.message}`, {
          field: `${path()}.tier`,
          cause: error,
        });
      }
    }
    const weight = node["weight"];
    if (weight !== undefined && (typeof weight !== "number" || !(weight > 0) || weight === Infinity)) {
      throw invalidField(`${path()}.weight`, weight, "a finite number > 0");
    }
    const floor = node["floor"];
    if (floor !== undefined) assertNonNegative(floor, `${path()}.floor`);
    const cap = node["cap"];
    if (cap !== undefined) assertNonNegative(cap, `${path()}.cap`);
    const children = node["children"];
    if (children !== undefined && !Array.isArray(children)) {
      throw invalidField(`${path()}.children`, children, "an array of nodes");
    }
    const demand = node["demand"];
    const isLeaf = children === undefined || children.length === 0;
    if (isLeaf) {
      assertNonNegative(demand, `${path()}.demand`);
    } else if (demand !== undefined) {
      throw invalidField(
        `${path()}.demand`,
        demand,
        "absent on a node with children (its demand is the sum of its children's)",
      );
    }
    weights.push(weight === undefined ? defaultWeight : (weight as number));
    floors.push(floor === undefined ? 0 : (floor as number));
    caps.push(cap === undefined ? Number.POSITIVE_INFINITY : (cap as number));
    leafDemands.push(isLeaf ? (demand as number) : 0);
    childStart.push(nodes.length);
    childCount.push(isLeaf ? 0 : children.length);
    if (!isLeaf) {
      for (let c = 0; c < children.length; c++) {
        const child: unknown = children[c];
        if (typeof child !== "object" || child === null || Array.isArray(child)) {
          throw invalidField(`${path()}.children[${c}]`, child, "a node object");
        }
        nodes.push(child as Record<string, unknown>);
        parent.push(head);
        position.push(c);
      }
    }
  }

  const count = nodes.length;
  const upper = new Float64Array(count);
  const lower = new Float64Array(count);
  let maxChildren = 1;
  for (let i = count - 1; i >= 0; i--) {
    const children = childCount[i]!;
    let demand = leafDemands[i]!;
    if (children > 0) {
      if (children > maxChildren) maxChildren = children;
      demand = 0;
      const start = childStart[i]!;
      for (let c = start; c < start + children; c++) demand += upper[c]!;
      if (demand === Number.POSITIVE_INFINITY) {
        throw invalidField(`${pathOf(i)}.children`, demand, "demands that sum to a finite number");
      }
    }
    upper[i] = Math.min(demand, caps[i]!);
    lower[i] = Math.min(floors[i]!, upper[i]!);
  }

  const allocation = new Float64Array(count);
  let floorScale = 1;
  const groupWeights = new Float64Array(maxChildren);
  const groupLower = new Float64Array(maxChildren);
  const groupUpper = new Float64Array(maxChildren);
  const groupOut = new Float64Array(maxChildren);
  // `owner`: index of the parent node, or -1 for the capacity; named only on the error path, as
  // building a path per node would cost O(depth) each on a deep chain.
  const fillGroup = (start: number, size: number, available: number, owner: number): void => {
    let sumLower = 0;
    let sumUpper = 0;
    let sumWeights = 0;
    for (let c = 0; c < size; c++) {
      groupWeights[c] = weights[start + c]!;
      groupLower[c] = lower[start + c]!;
      groupUpper[c] = upper[start + c]!;
      sumWeights += groupWeights[c]!;
      const defect =
        sumWeights === Number.POSITIVE_INFINITY
          ? "small enough that the weights of siblings sum to a finite number"
          : waterFillDefect(groupUpper[c]!, groupWeights[c]!);
      if (defect !== undefined) throw invalidField(`${pathOf(start + c)}.weight`, groupWeights[c], defect);
      sumLower += groupLower[c]!;
      sumUpper += groupUpper[c]!;
    }
    if (sumLower > available * (1 + 1e-12)) {
      if (overcommit === "reject") {
        const field = owner < 0 ? "capacity" : pathOf(owner);
        const what =
          owner < 0
            ? "be at least the root's floor"
            : `receive at least the sum of the floors of its children (${JSON.stringify(nodes[owner]!["id"])})`;
        throw new EnisError(
          "INFEASIBLE",
          `${field} must ${what}, ${sumLower} (short by ${
            sumLower - available
          }; lower the floors or use overcommit: "scale-floors"), got ${available}`,
          { field },
        );
      }
      const scale = available / sumLower;
      floorScale = Math.min(floorScale, scale);
      for (let c = 0; c < size; c++) groupLower[c] = groupLower[c]! * scale;
    }
    waterFill(groupWeights, groupLower, groupUpper, size, Math.min(available, sumUpper), groupOut);
    for (let c = 0; c < size; c++) allocation[start + c] = groupOut[c]!;
  };

  // The root is the one child of a virtual node holding the capacity.
  fillGroup(0, 1, capacity, -1);
  for (let i = 0; i < count; i++) {
    const children = childCount[i]!;
    if (children > 0) fillGroup(childStart[i]!, children, allocation[i]!, i);
  }

  const allocations: Record<string, number> = Object.create(null);
  const demands: Record<string, number> = Object.create(null);
  for (let i = 0; i < count; i++) {
    const id = nodes[i]!["id"] as string;
    allocations[id] = allocation[i]!;
    demands[id] = upper[i]!;
  }
  return { allocations, demands, floorScale };
}
