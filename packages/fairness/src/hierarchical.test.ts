import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test-support/enis-error.js";
import { type HierarchyNode, hierarchicalAllocate } from "./hierarchical.js";
import { maxMinAllocate } from "./max-min.js";

const relative = 1e-9;
// No subnormal amounts: a demand so small that demand / weight underflows to 0 is rejected (its
// water level is not representable); a test checks that rejection on its own.
const amount = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-300, max: 1000, noNaN: true, noDefaultInfinity: true }),
);
const weight = fc.double({ min: 0.01, max: 100, noNaN: true, noDefaultInfinity: true });

/** Random trees of up to 40 nodes: node i > 0 hangs under an earlier node, so the size stays bounded. */
const treeArbitrary: fc.Arbitrary<HierarchyNode> = fc
  .array(
    fc.record({
      parent: fc.nat(),
      demand: amount,
      weight,
      cap: fc.option(amount, { nil: undefined }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((rows) => {
    const children: number[][] = rows.map(() => []);
    for (let i = 1; i < rows.length; i++) children[rows[i]!.parent % i]!.push(i);
    const build = (i: number): HierarchyNode => {
      const row = rows[i]!;
      const base = { id: `n${i}`, weight: row.weight, ...(row.cap === undefined ? {} : { cap: row.cap }) };
      const kids = children[i]!;
      return kids.length === 0 ? { ...base, demand: row.demand } : { ...base, children: kids.map(build) };
    };
    return build(0);
  });

function walk(node: HierarchyNode, visit: (node: HierarchyNode) => void): void {
  const stack = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    visit(current);
    for (const child of current.children ?? []) stack.push(child);
  }
}

describe("hierarchicalAllocate", () => {
  it("never gives children more than their parent, and all of it when they demand enough", () => {
    fc.assert(
      fc.property(treeArbitrary, amount, (root, capacity) => {
        const { allocations, demands } = hierarchicalAllocate({ capacity, root });
        const scale = Math.max(1, capacity);
        expect(allocations[root.id]!).toBeLessThanOrEqual(capacity + relative * scale);
        expect(allocations[root.id]!).toBeCloseTo(Math.min(capacity, demands[root.id]!), 6);
        walk(root, (node) => {
          const a = allocations[node.id]!;
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThanOrEqual(demands[node.id]! + relative * scale);
          if (!node.children || node.children.length === 0) return;
          const sum = node.children.reduce((total, child) => total + allocations[child.id]!, 0);
          expect(sum).toBeLessThanOrEqual(a + relative * scale);
          const childDemand = node.children.reduce((total, child) => total + demands[child.id]!, 0);
          if (childDemand >= a) expect(Math.abs(sum - a)).toBeLessThanOrEqual(relative * scale);
        });
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it("equals maxMinAllocate on a one-level tree", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ demand: amount, weight, floor: amount, cap: amount }, { requiredKeys: ["demand"] }),
          {
            minLength: 1,
            maxLength: 30,
            size: "max",
          },
        ),
        amount,
        (rows, extra) => {
          const tenants = rows.map((row, i) => ({ id: `t${i}`, ...row }));
          const floors = tenants.reduce((s, t) => s + Math.min(t.floor ?? 0, t.demand, t.cap ?? Infinity), 0);
          const capacity = floors + extra;
          const flat = maxMinAllocate({ capacity, tenants, tierFloors: "none" }).allocations;
          const tree = hierarchicalAllocate({
            capacity,
            root: { id: "root", children: tenants },
          }).allocations;
          for (const t of tenants)
            expect(Math.abs(tree[t.id]! - flat[t.id]!)).toBeLessThanOrEqual(relative * Math.max(1, capacity));
        },
      ),
      { seed: 12, numRuns: 300 },
    );
  });

  it("water-fills top-down (the documented example)", () => {
    const { allocations } = hierarchicalAllocate({
      capacity: 100,
      root: {
        id: "platform",
        children: [
          {
            id: "acme",
            weight: 3,
            children: [
              { id: "acme/web", demand: 90 },
              { id: "acme/batch", demand: 10 },
            ],
          },
          { id: "globex", demand: 80 },
        ],
      },
    });
    expect({ ...allocations }).toEqual({
      platform: 100,
      acme: 75,
      "acme/web": 65,
      "acme/batch": 10,
      globex: 25,
    });
  });

  it("handles a 100k-deep chain without recursion", () => {
    let node: HierarchyNode = { id: "leaf", demand: 5 };
    for (let i = 0; i < 100_000; i++) node = { id: `n${i}`, children: [node] };
    const { allocations } = hierarchicalAllocate({ capacity: 3, root: node });
    expect(allocations["leaf"]).toBe(3);
    expect(allocations["n99999"]).toBe(3);
  });

  it("rejects or scales sibling floors above the parent's allocation", () => {
    const root: HierarchyNode = {
      id: "org",
      cap: 10,
      children: [
        { id: "a", demand: 20, floor: 8 },
        { id: "b", demand: 20, floor: 8 },
      ],
    };
    expect(() => hierarchicalAllocate({ capacity: 100, root })).toThrow(/short by 6.*got/);
    const scaled = hierarchicalAllocate({ capacity: 100, root, overcommit: "scale-floors" });
    expect(scaled.floorScale).toBeCloseTo(10 / 16, 12);
    expect(scaled.allocations["a"]).toBeCloseTo(5, 9);
  });

  it("rejects a weight so small that demand / weight overflows, and a malformed catalogue", () => {
    const root = {
      id: "org",
      children: [
        { id: "a", demand: 1e300, weight: 1e-299 },
        { id: "b", demand: 1 },
      ],
    };
    expect(codeOf(() => hierarchicalAllocate({ capacity: 1e10, root }))).toEqual([
      "INVALID_OPTIONS",
      "root.children[0].weight",
    ]);
    expect(
      codeOf(() =>
        hierarchicalAllocate({ capacity: 1, root: { id: "r", demand: 1 }, catalogue: {} as never }),
      ),
    ).toEqual(["INVALID_OPTIONS", "catalogue"]);
  });

  it("rejects demands and weights whose sums overflow, naming the node", () => {
    const demands = {
      id: "org",
      children: [
        { id: "a", demand: 1e308 },
        { id: "b", demand: 1e308 },
      ],
    };
    expect(codeOf(() => hierarchicalAllocate({ capacity: 10, root: demands }))).toEqual([
      "INVALID_OPTIONS",
      "root.children",
    ]);
    const weights = {
      id: "org",
      children: [
        { id: "a", demand: 100, weight: 1e308 },
        { id: "b", demand: 100, weight: 1e308 },
      ],
    };
    expect(codeOf(() => hierarchicalAllocate({ capacity: 10, root: weights }))).toEqual([
      "INVALID_OPTIONS",
      "root.children[1].weight",
    ]);
  });

  it("rejects malformed trees with a code and a field", () => {
    const codeOfTree = (root: unknown) => codeOf(() => hierarchicalAllocate({ capacity: 10, root } as never));
    expect(codeOfTree({ id: "r", children: [{ id: "a" }] })).toEqual([
      "INVALID_OPTIONS",
      "root.children[0].demand",
    ]);
    expect(codeOfTree({ id: "r", demand: 3, children: [{ id: "a", demand: 1 }] })).toEqual([
      "INVALID_OPTIONS",
      "root.demand",
    ]);
    expect(
      codeOfTree({
        id: "r",
        children: [
          { id: "a", demand: 1 },
          { id: "a", demand: 1 },
        ],
      }),
    ).toEqual(["DUPLICATE_ID", "root.children[1].id"]);
    expect(codeOfTree({ id: "r", children: [{ id: "a", demand: 1, weight: 0 }] })).toEqual([
      "INVALID_OPTIONS",
      "root.children[0].weight",
    ]);
    expect(codeOfTree({ id: "r", children: [{ id: "a", demand: Number.NaN }] })[1]).toBe(
      "root.children[0].demand",
    );
    expect(codeOfTree({ id: "r", demand: 1, tier: "gold" })).toEqual(["UNKNOWN_TIER", "root.tier"]);
    const cycle: { id: string; children: unknown[] } = { id: "loop", children: [] };
    cycle.children.push(cycle);
    expect(codeOfTree(cycle)[0]).toBe("DUPLICATE_ID");
    fc.assert(
      fc.property(fc.anything(), (root) => {
        const [code] = codeOfTree(root);
        expect(["INVALID_OPTIONS", "DUPLICATE_ID", "UNKNOWN_TIER", "none"]).toContain(code);
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
