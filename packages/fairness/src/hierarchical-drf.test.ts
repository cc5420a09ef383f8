import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../test-support/enis-error.js";
import { placeByFullEvaluation } from "../../../test-support/hierarchical-drf-reference.js";
import { type DrfUser, drfAllocate } from "./drf.js";
import { type HierarchicalDrfNode, hierarchicalDrfAllocate, parseTree } from "./hierarchical-drf.js";

/**
 * Naive hierarchical DRF: at every level, the child whose subtree holds the lowest dominant share of
 * what it actually uses (raw sums, all resources). The SoCC 2013 paper shows it starves siblings.
 */
function naiveHierarchicalDrf(
  capacity: Record<string, number>,
  root: HierarchicalDrfNode,
): Record<string, number> {
  const names = Object.keys(capacity);
  const tasks: Record<string, number> = {};
  const used = names.map(() => 0);
  const leaves = (node: HierarchicalDrfNode): HierarchicalDrfNode[] =>
    node.children ? node.children.flatMap(leaves) : [node];
  for (const leaf of leaves(root)) tasks[leaf.id] = 0;
  const fits = (leaf: HierarchicalDrfNode): boolean =>
    (leaf.maxTasks === undefined || tasks[leaf.id]! < leaf.maxTasks) &&
    names.every((r, i) => used[i]! + (leaf.taskDemand?.[r] ?? 0) <= capacity[r]!);
  const share = (node: HierarchicalDrfNode): number =>
    Math.max(
      ...names.map(
        (r) =>
          leaves(node).reduce((sum, l) => sum + tasks[l.id]! * (l.taskDemand?.[r] ?? 0), 0) / capacity[r]!,
      ),
    ) / (node.weight ?? 1);
  const open = (node: HierarchicalDrfNode): boolean => leaves(node).some(fits);
  while (open(root)) {
    let node = root;
    while (node.children) {
      const candidates = node.children.filter(open);
      node = candidates.reduce((best, c) => (share(c) < share(best) ? c : best));
    }
    tasks[node.id]!++;
    names.forEach((r, i) => {
      used[i] = used[i]! + (node.taskDemand?.[r] ?? 0);
    });
  }
  return tasks;
}

const resourceNames = ["cpu", "memoryGb", "gpu"] as const;

const demandVector = (m: number) =>
  fc
    .array(fc.integer({ min: 0, max: 5 }), { minLength: m, maxLength: m })
    .map((values) => Object.fromEntries(resourceNames.slice(0, m).map((name, r) => [name, values[r]!])));

function leafArbitrary(m: number) {
  return fc
    .record({
      taskDemand: demandVector(m),
      weight: fc.constantFrom(1, 1, 2, 3),
      maxTasks: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    })
    .map((leaf) => {
      const allZero = Object.values(leaf.taskDemand).every((d) => d === 0);
      const maxTasks = leaf.maxTasks ?? (allZero ? 2 : undefined);
      return {
        taskDemand: leaf.taskDemand,
        ...(leaf.weight === 1 ? {} : { weight: leaf.weight }),
        ...(maxTasks === undefined ? {} : { maxTasks }),
      };
    });
}

type Shape = { leaf: Omit<HierarchicalDrfNode, "id"> } | { weight: number; children: Shape[] };

/**
 * Random trees (small depth; ids assigned afterwards): leaves from `leaf`, group weights from
 * `weights`, up to `fanOut` children per group and `rootFanOut` under the root.
 */
function trees(
  m: number,
  {
    leaf = leafArbitrary(m) as fc.Arbitrary<Omit<HierarchicalDrfNode, "id">>,
    weights = [1, 1, 2],
    fanOut = 3,
    rootFanOut = 4,
  } = {},
) {
  const { node } = fc.letrec<{ node: Shape }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf.map((value) => ({ leaf: value })),
      fc.record({
        weight: fc.constantFrom(...weights),
        children: fc.array(tie("node"), { minLength: 1, maxLength: fanOut }),
      }),
    ),
  }));
  return fc.array(node, { minLength: 1, maxLength: rootFanOut }).map((kids) => {
    let next = 0;
    const build = (shape: Shape): HierarchicalDrfNode => {
      const id = `n${next++}`;
      return "leaf" in shape
        ? { id, ...shape.leaf }
        : {
            id,
            ...(shape.weight === 1 ? {} : { weight: shape.weight }),
            children: shape.children.map(build),
          };
    };
    return { id: "root", children: kids.map(build) } satisfies HierarchicalDrfNode;
  });
}

const capacities = (m: number) =>
  fc
    .array(fc.integer({ min: 0, max: 30 }), { minLength: m, maxLength: m })
    .map((values) => Object.fromEntries(resourceNames.slice(0, m).map((name, r) => [name, values[r]!])));

describe("hierarchicalDrfAllocate", () => {
  // SoCC 2013, section 4 (volcano docs/design/hdrf.md, first example): a group whose child has a resource
  // to itself must not lose its other child's share of the contended resource. Here "batch" takes the
  // whole cpu with one task; naive per-level DRF then sees "platform" at share 1 and gives every GPU
  // to "vision".
  const starvation = {
    capacity: { cpu: 10, gpu: 10 },
    root: {
      id: "cluster",
      children: [
        {
          id: "platform",
          children: [
            { id: "batch", taskDemand: { cpu: 10 } },
            { id: "inference", taskDemand: { gpu: 1 } },
          ],
        },
        { id: "vision", taskDemand: { gpu: 1 } },
      ],
    },
  };

  it("naive per-level DRF starves a sibling in the paper's example", () => {
    expect(naiveHierarchicalDrf(starvation.capacity, starvation.root)).toEqual({
      batch: 1,
      inference: 0,
      vision: 10,
    });
  });

  it("H-DRF does not: the saturated cpu no longer counts and GPUs are split evenly", () => {
    const result = hierarchicalDrfAllocate(starvation);
    expect(result.tasks).toEqual({ batch: 1, inference: 5, vision: 5 });
    expect(result.used["platform"]).toEqual({ cpu: 10, gpu: 5 });
    expect(result.dominantShares["platform"]).toBe(1);
    expect(result.dominantShares["vision"]).toBe(0.5);
  });

  it("does not let a blocked child pin its group's share (the paper's second example)", () => {
    // volcano docs/design/hdrf.md, second example: once cpu is saturated, n3,1 is blocked; rescaling
    // n3,2 to n3,1's share would hand n3,2 two thirds of the GPUs. H-DRF splits them evenly with n4.
    const result = hierarchicalDrfAllocate({
      capacity: { cpu: 30, gpu: 30 },
      root: {
        id: "n",
        children: [
          { id: "n1", taskDemand: { cpu: 1 } },
          { id: "n2", taskDemand: { cpu: 1 } },
          {
            id: "n3",
            children: [
              { id: "n3,1", taskDemand: { cpu: 1 } },
              { id: "n3,2", taskDemand: { gpu: 1 } },
            ],
          },
          { id: "n4", taskDemand: { gpu: 1 } },
        ],
      },
    });
    expect(result.tasks).toEqual({ n1: 10, n2: 10, "n3,1": 10, "n3,2": 15, n4: 15 });
  });

  it("weights siblings: a weight-3 group earns three times the dominant share", () => {
    const result = hierarchicalDrfAllocate({
      capacity: { cpu: 40 },
      root: {
        id: "root",
        children: [
          { id: "small", children: [{ id: "s1", taskDemand: { cpu: 1 } }] },
          {
            id: "large",
            weight: 3,
            children: [
              { id: "l1", taskDemand: { cpu: 1 } },
              { id: "l2", taskDemand: { cpu: 1 } },
            ],
          },
        ],
      },
    });
    expect(result.tasks).toEqual({ s1: 10, l1: 15, l2: 15 });
  });

  it("equals flat drfAllocate on a one-level tree", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3 })
          .chain((m) => fc.tuple(capacities(m), fc.array(leafArbitrary(m), { minLength: 1, maxLength: 6 }))),
        ([capacity, leaves]) => {
          const users: DrfUser[] = leaves.map((leaf, i) => ({ id: `u${i}`, ...leaf }) as DrfUser);
          const flat = drfAllocate({ capacity, users });
          const tree = hierarchicalDrfAllocate({ capacity, root: { id: "root", children: users } });
          expect(tree.tasks).toEqual(flat.tasks);
          for (const user of users) {
            expect(tree.dominantShares[user.id]).toBe(flat.dominantShares[user.id]);
            expect(tree.used[user.id]).toEqual(
              Object.fromEntries(
                Object.keys(capacity).map((r) => [r, flat.tasks[user.id]! * (user.taskDemand[r] ?? 0)]),
              ),
            );
          }
          expect(tree.used["root"]).toEqual(flat.used);
        },
      ),
      { seed: 2201, numRuns: 300 },
    );
  });

  it("respects capacity and maxTasks, and leaves no leaf whose next task would fit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((m) => fc.tuple(capacities(m), trees(m))),
        ([capacity, root]) => {
          const result = hierarchicalDrfAllocate({ capacity, root });
          const total = result.used["root"]!;
          for (const [r, amount] of Object.entries(capacity)) expect(total[r]).toBeLessThanOrEqual(amount);
          const visit = (node: HierarchicalDrfNode): void => {
            if (node.children) {
              node.children.forEach(visit);
              // A group holds exactly the sum of its children.
              for (const r of Object.keys(capacity)) {
                const sum = node.children.reduce((s, c) => s + result.used[c.id]![r]!, 0);
                expect(result.used[node.id]![r]).toBe(sum);
              }
              return;
            }
            const tasks = result.tasks[node.id]!;
            if (node.maxTasks !== undefined) expect(tasks).toBeLessThanOrEqual(node.maxTasks);
            if (tasks !== node.maxTasks) {
              // Work-conserving: the leaf stopped because its next task does not fit.
              const fitsMore = Object.keys(capacity).every(
                (r) => total[r]! + (node.taskDemand?.[r] ?? 0) <= capacity[r]!,
              );
              expect(fitsMore).toBe(false);
            }
          };
          visit(root);
        },
      ),
      { seed: 2202, numRuns: 300 },
    );
  });

  it("allocates a tree that is a single leaf, and chains deeper than the call stack", () => {
    const solo = { capacity: { cpu: 10 }, root: { id: "solo", taskDemand: { cpu: 1 } } };
    expect(hierarchicalDrfAllocate(solo).tasks).toEqual({ solo: 10 });
    // A chain of 20,000 groups whose only leaf reaches its cap: blocking climbs the whole chain.
    let deep: HierarchicalDrfNode = { id: "deep", taskDemand: { cpu: 1 }, maxTasks: 2 };
    for (let level = 0; level < 20_000; level++) deep = { id: `g${level}`, children: [deep] };
    const chain = {
      capacity: { cpu: 10 },
      root: { id: "root", children: [deep, { id: "side", taskDemand: { cpu: 1 } }] },
    };
    expect(hierarchicalDrfAllocate(chain).tasks).toEqual({ deep: 2, side: 8 });
    expect(Array.from(placeByFullEvaluation(parseTree(chain)))).toEqual([2, 8]);
  });

  it("allocates exactly as a full evaluation of the tree before every placement", () => {
    // Wider and deeper trees than above, fractional demands, capacities for hundreds of tasks:
    // many leaves block at once, resources saturate one after the other, groups empty.
    const demand = fc.constantFrom(0, 0, 0.1, 0.5, 1, 1, 1.5, 2, 3, 5);
    const wideTrees = (m: number) => {
      const leaf = fc
        .record({
          taskDemand: fc.array(demand, { minLength: m, maxLength: m }),
          weight: fc.constantFrom(1, 1, 2, 0.5, 3),
          maxTasks: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        })
        .map(({ taskDemand, weight, maxTasks }) => ({
          taskDemand: Object.fromEntries(resourceNames.slice(0, m).map((name, r) => [name, taskDemand[r]!])),
          weight,
          maxTasks: maxTasks ?? (taskDemand.every((d) => d === 0) ? 3 : undefined),
        }));
      return trees(m, {
        leaf: leaf.map(({ maxTasks, ...rest }) => (maxTasks === undefined ? rest : { ...rest, maxTasks })),
        weights: [1, 1, 2, 0.5],
        fanOut: 6,
        rootFanOut: 6,
      });
    };
    const bigCapacities = (m: number) =>
      fc
        .array(fc.integer({ min: 0, max: 400 }), { minLength: m, maxLength: m })
        .map((values) =>
          Object.fromEntries(resourceNames.slice(0, m).map((name, r) => [name, values[r]! / 4])),
        );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((m) => fc.tuple(bigCapacities(m), wideTrees(m))),
        ([capacity, root]) => {
          const options = { capacity, root };
          const tree = parseTree(options);
          const expected = placeByFullEvaluation(tree);
          const tasks = hierarchicalDrfAllocate(options).tasks;
          tree.leafNodes.forEach((node, l) => {
            expect(tasks[tree.ids[node]!]).toBe(expected[l]);
          });
        },
      ),
      { seed: 2203, numRuns: 400 },
    );
  });

  describe("bad inputs", () => {
    const leaf = { id: "a", taskDemand: { cpu: 1 } };
    const cases: Array<[string, unknown, string]> = [
      [
        "a group with taskDemand",
        { capacity: { cpu: 1 }, root: { id: "r", children: [leaf], taskDemand: {} } },
        "root.taskDemand",
      ],
      [
        "a leaf without taskDemand",
        { capacity: { cpu: 1 }, root: { id: "r", children: [{ id: "x" }] } },
        "root.children[0].taskDemand",
      ],
      ["empty children", { capacity: { cpu: 1 }, root: { id: "r", children: [] } }, "root.children"],
      [
        "NaN demand deep in the tree",
        {
          capacity: { cpu: 1 },
          root: {
            id: "r",
            children: [leaf, { id: "g", children: [{ id: "b", taskDemand: { cpu: Number.NaN } }] }],
          },
        },
        "root.children[1].children[0].taskDemand.cpu",
      ],
      [
        "weight 0",
        { capacity: { cpu: 1 }, root: { id: "r", children: [{ ...leaf, weight: 0 }] } },
        "root.children[0].weight",
      ],
      [
        "unknown key",
        { capacity: { cpu: 1 }, root: { id: "r", children: [{ ...leaf, size: 1 }] } },
        "root.children[0].size",
      ],
      [
        "all-zero leaf demand",
        { capacity: { cpu: 1 }, root: { id: "r", children: [{ id: "z", taskDemand: {} }] } },
        "root.children[0].taskDemand",
      ],
      ["fractional maxPlacements", { capacity: { cpu: 1 }, root: leaf, maxPlacements: 0.5 }, "maxPlacements"],
    ];
    it.each(cases)("rejects %s with INVALID_OPTIONS", (_, options, field) => {
      const error = catchEnisError(() => hierarchicalDrfAllocate(options as never));
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    });

    it("rejects duplicate ids anywhere in the tree with DUPLICATE_ID", () => {
      const error = catchEnisError(() =>
        hierarchicalDrfAllocate({
          capacity: { cpu: 1 },
          root: { id: "r", children: [{ id: "g", children: [leaf] }, { ...leaf }] },
        }),
      );
      expect(error.code).toBe("DUPLICATE_ID");
      expect(error.field).toBe("root.children[1].id");
    });

    it("throws INFEASIBLE instead of placing more than maxPlacements tasks", () => {
      const options = { capacity: { cpu: 1e9 }, root: { id: "r", children: [leaf] }, maxPlacements: 100 };
      const error = catchEnisError(() => hierarchicalDrfAllocate(options));
      expect(error.code).toBe("INFEASIBLE");
      expect(hierarchicalDrfAllocate({ ...options, capacity: { cpu: 100 } }).tasks).toEqual({ a: 100 });
    });
  });
});
