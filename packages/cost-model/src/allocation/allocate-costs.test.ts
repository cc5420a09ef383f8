import {
  type AllocateCostsOptions,
  type AllocationNode,
  type AllocationWorkload,
  allocateCosts,
  defaultResourcePrices,
  type SharedCost,
  unallocatedGroup,
} from "@enis/cost-model";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../../test-support/enis-error.js";

const cents = (usd: number): number => {
  const value = Math.round(usd * 100);
  // Every money figure is a whole number of cents.
  expect(Math.abs(usd * 100 - value)).toBeLessThan(1e-6);
  return value;
};
const sumCents = (values: readonly number[]): number => values.reduce((sum, usd) => sum + cents(usd), 0);
/** The rounding the allocation applies to each input cost: half up, as written in decimal. */
const inputCents = (usd: number): number => Math.round(Number((usd * 100).toPrecision(15)));

const prices = { cpuCoreHourUsd: 0.04, memoryGibHourUsd: 0.01, gpuHourUsd: 1 };

function workload(
  id: string,
  nodeId: string,
  cpu: [number, number],
  memory: [number, number],
  extra: Partial<AllocationWorkload> = {},
): AllocationWorkload {
  return {
    id,
    nodeId,
    cpuRequestCores: cpu[0],
    cpuUsageCores: cpu[1],
    memoryRequestGib: memory[0],
    memoryUsageGib: memory[1],
    ...extra,
  };
}

describe("allocateCosts: the OpenCost model", () => {
  const example: AllocateCostsOptions = {
    nodes: [{ id: "n1", cpuCores: 4, memoryGib: 16, costUsd: 10 }],
    workloads: [workload("api", "n1", [2, 1], [4, 6]), workload("job", "n1", [0, 1], [2, 1])],
    resourcePrices: prices,
  };

  it("charges max(request, usage) at the node's unit prices and reports the rest as idle", () => {
    const result = allocateCosts(example);
    // 4 cores × 0.04 = 16 GiB × 0.01: the $10 splits $5 / $5, $1.25 a core, $0.3125 a GiB.
    expect(result.nodes).toEqual([
      { id: "n1", costUsd: 10, cpuCostUsd: 5, memoryCostUsd: 5, gpuCostUsd: 0, idleCostUsd: 3.75 },
    ]);
    const [api, job] = result.workloads;
    // api: 2 cores (its request) and 6 GiB (its usage): $2.50 + $1.875; the half cent goes to the
    // earlier of the two half-cent lines.
    expect(api).toMatchObject({ cpuCostUsd: 2.5, memoryCostUsd: 1.88, idleCostUsd: 0, totalCostUsd: 4.38 });
    expect(job).toMatchObject({ cpuCostUsd: 1.25, memoryCostUsd: 0.62, totalCostUsd: 1.87 });
    expect(result.idle).toEqual({
      costUsd: 3.75,
      cpuCostUsd: 1.25,
      memoryCostUsd: 2.5,
      gpuCostUsd: 0,
      percent: 37.5,
      sharedCostUsd: 0,
      unsharedCostUsd: 3.75,
      sharedBy: "none",
    });
    expect(result).toMatchObject({
      nodeCostUsd: 10,
      sharedCostUsd: 0,
      totalCostUsd: 10,
      unassignedCostUsd: 0,
    });
    expect(result.overcommitted).toEqual([]);
  });

  it("defines efficiency as usage / request, null where nothing was requested", () => {
    const [api, job] = allocateCosts(example).workloads;
    expect(api).toMatchObject({ cpuEfficiency: 0.5, memoryEfficiency: 1.5, gpuEfficiency: null });
    // Usage cost / request cost: (1 × 1.25 + 6 × 0.3125) / (2 × 1.25 + 4 × 0.3125).
    expect(api!.costEfficiency).toBeCloseTo(3.125 / 3.75, 12);
    expect(job).toMatchObject({ cpuEfficiency: null, memoryEfficiency: 0.5 });
    const nothing = allocateCosts({
      nodes: [{ id: "n", cpuCores: 1, memoryGib: 1, costUsd: 1 }],
      workloads: [workload("w", "n", [0, 0], [0, 0])],
    }).workloads[0]!;
    expect(nothing).toMatchObject({
      cpuEfficiency: null,
      memoryEfficiency: null,
      gpuEfficiency: null,
      costEfficiency: null,
      totalCostUsd: 0,
    });
  });

  it("splits a node's cost by OpenCost's default prices unless told otherwise", () => {
    const result = allocateCosts({
      nodes: [{ id: "n", cpuCores: 2, memoryGib: 8, costUsd: 100 }],
      workloads: [],
    });
    const cpuWeight = 2 * defaultResourcePrices.cpuCoreHourUsd;
    const memoryWeight = 8 * defaultResourcePrices.memoryGibHourUsd;
    expect(cents(result.nodes[0]!.cpuCostUsd)).toBe(
      Math.round((10_000 * cpuWeight) / (cpuWeight + memoryWeight)),
    );
    expect(result.nodes[0]!.cpuCostUsd + result.nodes[0]!.memoryCostUsd).toBeCloseTo(100, 9);
    // A node's own prices override the options'.
    const own = allocateCosts({
      nodes: [{ id: "n", cpuCores: 2, memoryGib: 8, costUsd: 100, resourcePrices: prices }],
      workloads: [],
      resourcePrices: { cpuCoreHourUsd: 1, memoryGibHourUsd: 1, gpuHourUsd: 1 },
    });
    // 2 × 0.04 : 8 × 0.01 = 1 : 1.
    expect(own.nodes[0]).toMatchObject({ cpuCostUsd: 50, memoryCostUsd: 50, idleCostUsd: 100 });
  });

  it("prices GPUs, and takes a node's cost as hourly price × hours", () => {
    const result = allocateCosts({
      nodes: [{ id: "g", cpuCores: 8, memoryGib: 64, gpus: 2, hourlyPriceUsd: 3.2, hours: 10 }],
      workloads: [
        workload("train", "g", [4, 4], [32, 30], { gpuRequest: 1, gpuUsage: 1 }),
        workload("infer", "g", [2, 3], [8, 8], { gpuRequest: 0, gpuUsage: 0.5 }),
      ],
      resourcePrices: { cpuCoreHourUsd: 0.04, memoryGibHourUsd: 0.005, gpuHourUsd: 1.28 },
    });
    // Weights 0.32 : 0.32 : 2.56 of $32: CPU $3.20, memory $3.20, GPU $25.60 ($12.80 a GPU).
    expect(result.nodes[0]).toMatchObject({
      costUsd: 32,
      cpuCostUsd: 3.2,
      memoryCostUsd: 3.2,
      gpuCostUsd: 25.6,
    });
    expect(result.workloads[0]).toMatchObject({ gpuCostUsd: 12.8, cpuCostUsd: 1.6, memoryCostUsd: 1.6 });
    expect(result.workloads[1]).toMatchObject({ gpuCostUsd: 6.4, cpuCostUsd: 1.2, gpuEfficiency: null });
    expect(result.idle.gpuCostUsd).toBe(6.4);
  });

  it("reads each input cost as the decimal it was written as, rounded half up to the cent", () => {
    const result = allocateCosts({
      nodes: [{ id: "n", cpuCores: 1, memoryGib: 1, costUsd: 0.285 }],
      workloads: [],
      sharedCosts: [{ id: "s", costUsd: 1.005 }],
    });
    expect(result.nodeCostUsd).toBe(0.29);
    expect(result.sharedCostUsd).toBe(1.01);
  });
});

describe("allocateCosts: idle, shared costs, groups", () => {
  const nodes: AllocationNode[] = [
    { id: "a", cpuCores: 4, memoryGib: 16, costUsd: 10 },
    { id: "b", cpuCores: 4, memoryGib: 16, costUsd: 10 },
  ];
  const workloads = [
    workload("w1", "a", [2, 2], [8, 8], { tenantId: "acme", namespace: "web", labels: { team: "red" } }),
    workload("w2", "a", [1, 1], [4, 4], { tenantId: "acme", namespace: "batch" }),
    workload("w3", "b", [1, 0.5], [4, 2], { tenantId: "zeta", labels: { team: "blue" } }),
  ];

  it("shares idle evenly or by direct cost, over every node's workloads", () => {
    const reported = allocateCosts({ nodes, workloads, resourcePrices: prices });
    // Direct: w1 $5, w2 $2.50, w3 $2.50; idle $2.50 on a, $7.50 on b.
    expect(reported.workloads.map((w) => w.totalCostUsd)).toEqual([5, 2.5, 2.5]);
    expect(reported.idle.costUsd).toBe(10);
    const even = allocateCosts({ nodes, workloads, resourcePrices: prices, idle: "share-even" });
    expect(even.workloads.map((w) => w.idleCostUsd)).toEqual([3.34, 3.33, 3.33]);
    expect(even.idle).toMatchObject({ sharedBy: "even", sharedCostUsd: 10, unsharedCostUsd: 0 });
    const weighted = allocateCosts({ nodes, workloads, resourcePrices: prices, idle: "share-weighted" });
    expect(weighted.workloads.map((w) => w.idleCostUsd)).toEqual([5, 2.5, 2.5]);
    expect(weighted.workloads.map((w) => w.totalCostUsd)).toEqual([10, 5, 5]);
    expect(weighted.idle.sharedBy).toBe("cost");
  });

  it("keeps idle as a line when there is no workload to share it with", () => {
    const result = allocateCosts({
      nodes,
      workloads: [],
      idle: "share-weighted",
      sharedCosts: [{ id: "cp", costUsd: 7 }],
    });
    expect(result.idle).toMatchObject({ costUsd: 20, sharedBy: "none", unsharedCostUsd: 20 });
    expect(result.sharedCosts).toEqual([{ id: "cp", costUsd: 7, assignedCostUsd: 0, unassignedCostUsd: 7 }]);
    expect(result.unassignedCostUsd).toBe(7);
    expect(result.totalCostUsd).toBe(27);
  });

  it("splits shared costs by cost (the default), evenly, or by weights per workload or per group", () => {
    const sharedCosts: SharedCost[] = [
      { id: "control-plane", costUsd: 10 },
      { id: "monitoring", costUsd: 1, split: "even" },
      { id: "support", costUsd: 4, split: { weights: { w1: 1, w3: 3 } } },
      { id: "egress", costUsd: 9, split: { weights: { acme: 2, zeta: 1 }, by: "group" } },
    ];
    const result = allocateCosts({
      nodes,
      workloads,
      sharedCosts,
      resourcePrices: prices,
      groupBy: "tenantId",
    });
    const shares = result.workloads.map((w) => cents(w.sharedCostUsd));
    // control plane 5 : 2.5 : 2.5 → 500, 250, 250; monitoring 34, 33, 33; support 100, 0, 300;
    // egress: acme 600 split by direct cost 2 : 1 → 400, 200; zeta 300.
    expect(shares).toEqual([500 + 34 + 100 + 400, 250 + 33 + 0 + 200, 250 + 33 + 300 + 300]);
    expect(result.sharedCosts.map((s) => s.assignedCostUsd)).toEqual([10, 1, 4, 9]);
    expect(result.sharedCostUsd).toBe(24);
    expect(result.totalCostUsd).toBe(44);
  });

  it("aggregates by tenant, namespace or label, with the unlabelled in their own group", () => {
    const byTenant = allocateCosts({ nodes, workloads, resourcePrices: prices, groupBy: "tenantId" });
    expect(Object.keys(byTenant.groups).sort()).toEqual(["acme", "zeta"]);
    expect(byTenant.groups["acme"]).toMatchObject({
      workloads: 2,
      cpuCostUsd: 3.75,
      memoryCostUsd: 3.75,
      totalCostUsd: 7.5,
      cpuEfficiency: 1,
      memoryEfficiency: 1,
    });
    expect(byTenant.groups["zeta"]).toMatchObject({ workloads: 1, cpuEfficiency: 0.5, totalCostUsd: 2.5 });
    expect(byTenant.workloads.map((w) => w.group)).toEqual(["acme", "acme", "zeta"]);
    const byLabel = allocateCosts({ nodes, workloads, resourcePrices: prices, groupBy: { label: "team" } });
    expect(Object.keys(byLabel.groups).sort()).toEqual([unallocatedGroup, "blue", "red"].sort());
    expect(byLabel.groups[unallocatedGroup]!.totalCostUsd).toBe(2.5);
    const byNamespace = allocateCosts({ nodes, workloads, resourcePrices: prices, groupBy: "namespace" });
    expect(byNamespace.groups[unallocatedGroup]!.workloads).toBe(1);
    // Without groupBy: no groups, no group field.
    const plain = allocateCosts({ nodes, workloads, resourcePrices: prices });
    expect(Object.keys(plain.groups)).toEqual([]);
    expect("group" in plain.workloads[0]!).toBe(false);
  });

  it("splits an overcommitted resource by the workloads' shares, with no idle, and says so", () => {
    const result = allocateCosts({
      nodes: [{ id: "n", cpuCores: 2, memoryGib: 8, costUsd: 8 }],
      workloads: [workload("x", "n", [1, 3], [2, 2]), workload("y", "n", [1, 1], [2, 2])],
      resourcePrices: prices,
    });
    expect(result.overcommitted).toEqual([{ nodeId: "n", resource: "cpu", allocated: 4, capacity: 2 }]);
    // CPU $4 split 3 : 1; memory $4, half of it idle.
    expect(result.workloads.map((w) => w.cpuCostUsd)).toEqual([3, 1]);
    expect(result.idle).toMatchObject({ cpuCostUsd: 0, memoryCostUsd: 2 });
  });

  it("does not call a node filled exactly (0.1 + 0.2 cores of 0.3) overcommitted", () => {
    const result = allocateCosts({
      nodes: [{ id: "n", cpuCores: 0.3, memoryGib: 1, costUsd: 1 }],
      workloads: [workload("x", "n", [0.1, 0], [0, 0]), workload("y", "n", [0.2, 0], [0, 0])],
    });
    expect(0.1 + 0.2).toBeGreaterThan(0.3);
    expect(result.overcommitted).toEqual([]);
  });
});

// Random clusters: a few nodes, workloads on them (some over capacity), shared costs of every split.
const nodeArbitrary = fc.record({
  cpuCores: fc.oneof(fc.integer({ min: 1, max: 96 }), fc.double({ min: 0.25, max: 96, noNaN: true })),
  memoryGib: fc.oneof(fc.integer({ min: 1, max: 768 }), fc.double({ min: 0.5, max: 768, noNaN: true })),
  gpus: fc.constantFrom(0, 0, 1, 4),
  cost: fc.oneof(
    fc.record({ costUsd: fc.double({ min: 0, max: 50_000, noNaN: true }) }),
    fc.record({
      hourlyPriceUsd: fc.double({ min: 0, max: 40, noNaN: true }),
      hours: fc.integer({ min: 0, max: 744 }),
    }),
  ),
});
const amountArbitrary = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 16, noNaN: true }));
const workloadArbitrary = fc.record({
  node: fc.nat(),
  cpu: fc.tuple(amountArbitrary, amountArbitrary),
  memory: fc.tuple(amountArbitrary, fc.double({ min: 0, max: 64, noNaN: true })),
  gpu: fc.tuple(fc.constantFrom(0, 0, 1), fc.constantFrom(0, 0.5, 1)),
  tenant: fc.constantFrom("t1", "t2", "t3", undefined),
});
const clusterArbitrary = fc
  .record({
    nodes: fc.array(nodeArbitrary, { minLength: 1, maxLength: 5 }),
    workloads: fc.array(workloadArbitrary, { minLength: 0, maxLength: 30 }),
    shared: fc.array(
      fc.record({
        costUsd: fc.double({ min: 0, max: 5_000, noNaN: true }),
        split: fc.constantFrom("even", "by-cost", "weights", "groups", undefined),
      }),
      { maxLength: 4 },
    ),
    idle: fc.constantFrom("report", "share-even", "share-weighted"),
  })
  .map(({ nodes, workloads, shared, idle }): AllocateCostsOptions => {
    const nodeList: AllocationNode[] = nodes.map(({ cost, ...node }, i) => ({
      id: `n${i}`,
      ...node,
      ...cost,
    }));
    const workloadList: AllocationWorkload[] = workloads.map((w, i) => ({
      id: `w${i}`,
      nodeId: `n${w.node % nodes.length}`,
      cpuRequestCores: w.cpu[0],
      cpuUsageCores: w.cpu[1],
      memoryRequestGib: w.memory[0],
      memoryUsageGib: w.memory[1],
      gpuRequest: w.gpu[0],
      gpuUsage: w.gpu[1],
      ...(w.tenant === undefined ? {} : { tenantId: w.tenant }),
    }));
    const groups = [...new Set(workloadList.map((w) => w.tenantId ?? unallocatedGroup))];
    const sharedList: SharedCost[] = shared.flatMap(({ costUsd, split }, i): SharedCost[] => {
      if (split === "weights") {
        if (workloadList.length === 0) return [];
        return [
          {
            id: `s${i}`,
            costUsd,
            split: { weights: { [workloadList[i % workloadList.length]!.id]: 1 + i } },
          },
        ];
      }
      if (split === "groups") {
        if (groups.length === 0) return [];
        return [
          { id: `s${i}`, costUsd, split: { weights: { [groups[0]!]: 3, [groups.at(-1)!]: 1 }, by: "group" } },
        ];
      }
      return [{ id: `s${i}`, costUsd, ...(split === undefined ? {} : { split }) }];
    });
    return {
      nodes: nodeList,
      workloads: workloadList,
      sharedCosts: sharedList,
      idle: idle as "report",
      groupBy: "tenantId",
    };
  });

describe("allocateCosts: totals reconcile to the cent (property)", () => {
  it("allocations + unshared idle + unassigned = node costs + shared costs, exactly, at every level", () => {
    fc.assert(
      fc.property(clusterArbitrary, (options) => {
        const result = allocateCosts(options);
        const nodeTotal = options.nodes.reduce(
          (sum, node) => sum + inputCents(node.costUsd ?? node.hourlyPriceUsd! * node.hours!),
          0,
        );
        const sharedTotal = (options.sharedCosts ?? []).reduce((sum, s) => sum + inputCents(s.costUsd), 0);
        expect(cents(result.nodeCostUsd)).toBe(nodeTotal);
        expect(cents(result.sharedCostUsd)).toBe(sharedTotal);
        expect(cents(result.totalCostUsd)).toBe(nodeTotal + sharedTotal);
        const workloadTotal = sumCents(result.workloads.map((w) => w.totalCostUsd));
        expect(workloadTotal + cents(result.idle.unsharedCostUsd) + cents(result.unassignedCostUsd)).toBe(
          nodeTotal + sharedTotal,
        );

        // Each workload's lines sum to its total; idle and shared lines sum to what was shared.
        for (const w of result.workloads) {
          expect(
            sumCents([w.cpuCostUsd, w.memoryCostUsd, w.gpuCostUsd, w.idleCostUsd, w.sharedCostUsd]),
          ).toBe(cents(w.totalCostUsd));
        }
        expect(sumCents(result.workloads.map((w) => w.idleCostUsd))).toBe(cents(result.idle.sharedCostUsd));
        expect(cents(result.idle.sharedCostUsd) + cents(result.idle.unsharedCostUsd)).toBe(
          cents(result.idle.costUsd),
        );
        expect(sumCents(result.workloads.map((w) => w.sharedCostUsd)) + cents(result.unassignedCostUsd)).toBe(
          sharedTotal,
        );

        // Each node: its workloads' direct lines + its idle = its cost, and its resource parts too.
        result.nodes.forEach((node, n) => {
          const members = result.workloads.filter((w) => w.nodeId === node.id);
          const direct = sumCents(members.flatMap((w) => [w.cpuCostUsd, w.memoryCostUsd, w.gpuCostUsd]));
          expect(direct + cents(node.idleCostUsd)).toBe(cents(node.costUsd));
          expect(sumCents([node.cpuCostUsd, node.memoryCostUsd, node.gpuCostUsd])).toBe(cents(node.costUsd));
          // Each direct line within a cent of max(request, usage) × unit price.
          const input = options.nodes[n]!;
          const resourcePrices = input.resourcePrices ?? options.resourcePrices ?? defaultResourcePrices;
          const capacity = [input.cpuCores, input.memoryGib, input.gpus ?? 0];
          const weights = [
            capacity[0]! * resourcePrices.cpuCoreHourUsd,
            capacity[1]! * resourcePrices.memoryGibHourUsd,
            capacity[2]! * resourcePrices.gpuHourUsd,
          ];
          const weightSum = weights[0]! + weights[1]! + weights[2]!;
          const memberInputs = options.workloads.filter((w) => w.nodeId === node.id);
          const taken = (w: AllocationWorkload) => [
            Math.max(w.cpuRequestCores, w.cpuUsageCores),
            Math.max(w.memoryRequestGib, w.memoryUsageGib),
            Math.max(w.gpuRequest ?? 0, w.gpuUsage ?? 0),
          ];
          for (let r = 0; r < 3; r++) {
            const part = (cents(node.costUsd) * weights[r]!) / weightSum;
            const sum = memberInputs.reduce((acc, w) => acc + taken(w)[r]!, 0);
            const denominator = Math.max(sum, capacity[r]!);
            members.forEach((w, m) => {
              const exact = denominator > 0 ? (part * taken(memberInputs[m]!)[r]!) / denominator : 0;
              const line = [w.cpuCostUsd, w.memoryCostUsd, w.gpuCostUsd][r]!;
              expect(Math.abs(cents(line) - exact)).toBeLessThan(1 + 1e-6);
            });
          }
        });

        // Groups add up to their workloads.
        const groups = Object.values(result.groups);
        expect(groups.reduce((sum, g) => sum + g.workloads, 0)).toBe(result.workloads.length);
        expect(sumCents(groups.map((g) => g.totalCostUsd))).toBe(workloadTotal);

        // No NaN, no Infinity anywhere.
        JSON.stringify(result, (_, value) => {
          if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
          return value;
        });
      }),
      { seed: 31, numRuns: 300 },
    );
  });
});

describe("allocateCosts: bad input", () => {
  const node: AllocationNode = { id: "n", cpuCores: 2, memoryGib: 8, costUsd: 5 };
  const valid = (): AllocateCostsOptions => ({
    nodes: [node],
    workloads: [workload("w", "n", [1, 1], [1, 1])],
  });

  it.each<[string, (o: AllocateCostsOptions) => unknown, string, string, string | undefined]>([
    [
      "a workload on an unknown node",
      (o) => ({ ...o, workloads: [workload("w", "m", [1, 1], [1, 1])] }),
      "INVALID_OPTIONS",
      "options.workloads[0].nodeId",
      'options.workloads[0].nodeId must be the id of a node in options.nodes, got "m"',
    ],
    [
      "two workloads with one id",
      (o) => ({ ...o, workloads: [...o.workloads, workload("w", "n", [0, 0], [0, 0])] }),
      "DUPLICATE_ID",
      "options.workloads[1].id",
      'options.workloads[1].id must be unique, got "w" twice',
    ],
    [
      "two nodes with one id",
      (o) => ({ ...o, nodes: [node, node] }),
      "DUPLICATE_ID",
      "options.nodes[1].id",
      undefined,
    ],
    [
      "two shared costs with one id",
      (o) => ({
        ...o,
        sharedCosts: [
          { id: "s", costUsd: 1 },
          { id: "s", costUsd: 2 },
        ],
      }),
      "DUPLICATE_ID",
      "options.sharedCosts[1].id",
      undefined,
    ],
    [
      "a negative usage",
      (o) => ({ ...o, workloads: [workload("w", "n", [1, -1], [1, 1])] }),
      "INVALID_OPTIONS",
      "options.workloads[0].cpuUsageCores",
      "options.workloads[0].cpuUsageCores must be at least 0, got -1",
    ],
    [
      "a NaN memory request",
      (o) => ({ ...o, workloads: [workload("w", "n", [1, 1], [Number.NaN, 1])] }),
      "INVALID_OPTIONS",
      "options.workloads[0].memoryRequestGib",
      undefined,
    ],
    [
      "a NaN node cost",
      (o) => ({ ...o, nodes: [{ ...node, costUsd: Number.NaN }] }),
      "INVALID_OPTIONS",
      "options.nodes[0].costUsd",
      undefined,
    ],
    [
      "a node of 0 cores",
      (o) => ({ ...o, nodes: [{ ...node, cpuCores: 0 }] }),
      "INVALID_OPTIONS",
      "options.nodes[0].cpuCores",
      undefined,
    ],
    [
      "a node cost given both ways",
      (o) => ({ ...o, nodes: [{ ...node, hourlyPriceUsd: 1, hours: 5 }] }),
      "INVALID_OPTIONS",
      "options.nodes[0].costUsd",
      undefined,
    ],
    [
      "a node cost given neither way",
      (o) => ({ ...o, nodes: [{ id: "n", cpuCores: 1, memoryGib: 1, hourlyPriceUsd: 1 }] }),
      "INVALID_OPTIONS",
      "options.nodes[0].hours",
      undefined,
    ],
    [
      "weights naming no workload",
      (o) => ({ ...o, sharedCosts: [{ id: "s", costUsd: 1, split: { weights: { ghost: 1 } } }] }),
      "INVALID_OPTIONS",
      "options.sharedCosts[0].split.weights",
      'options.sharedCosts[0].split.weights must be keyed by workload ids, got "ghost"',
    ],
    [
      "weights that sum to 0",
      (o) => ({ ...o, sharedCosts: [{ id: "s", costUsd: 1, split: { weights: { w: 0 } } }] }),
      "INVALID_OPTIONS",
      "options.sharedCosts[0].split.weights",
      undefined,
    ],
    [
      "group weights without groupBy",
      (o) => ({ ...o, sharedCosts: [{ id: "s", costUsd: 1, split: { weights: { a: 1 }, by: "group" } }] }),
      "INVALID_OPTIONS",
      "options.sharedCosts[0].split.by",
      undefined,
    ],
    [
      "group weights naming no group",
      (o) => ({
        ...o,
        groupBy: "tenantId",
        sharedCosts: [{ id: "s", costUsd: 1, split: { weights: { acme: 1 }, by: "group" } }],
      }),
      "INVALID_OPTIONS",
      "options.sharedCosts[0].split.weights",
      undefined,
    ],
    ["an unknown idle mode", (o) => ({ ...o, idle: "share" }), "INVALID_OPTIONS", "options.idle", undefined],
    [
      "an unknown workload field",
      (o) => ({ ...o, workloads: [{ ...o.workloads[0]!, cpuRequest: 1 }] }),
      "INVALID_OPTIONS",
      "options.workloads[0].cpuRequest",
      undefined,
    ],
    [
      "an unknown option",
      (o) => ({ ...o, shareIdle: true }),
      "INVALID_OPTIONS",
      "options.shareIdle",
      undefined,
    ],
  ])("rejects %s", (_, change, code, field, message) => {
    const error = catchEnisError(() => allocateCosts(change(valid()) as AllocateCostsOptions));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    if (message !== undefined) expect(error.message).toBe(message);
  });
});
