import { EnisError } from "@enis/core";
import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { apportion } from "./apportion.js";

/**
 * Base prices whose ratio splits a node's cost between its CPU, memory and GPUs (OpenCost spec,
 * Appendix A): only their ratio matters, the node's own cost is what is split.
 */
export interface ResourcePrices {
  /** Price of one core for one hour, US dollars, > 0. */
  readonly cpuCoreHourUsd: number;
  /** Price of one GiB of memory for one hour, US dollars, > 0. */
  readonly memoryGibHourUsd: number;
  /** Price of one GPU for one hour, US dollars, >= 0. */
  readonly gpuHourUsd: number;
}

/**
 * OpenCost's default prices (`configs/default.json` of opencost/opencost, "based on GCP
 * us-central1"): $0.031611 per core-hour, $0.004237 per GiB-hour of memory (OpenCost applies its
 * RAM price to bytes / 1024³), $0.95 per GPU-hour. A core then weighs as much as 7.46 GiB.
 */
export const defaultResourcePrices: ResourcePrices = Object.freeze({
  cpuCoreHourUsd: 0.031611,
  memoryGibHourUsd: 0.004237,
  gpuHourUsd: 0.95,
});

/** The group of a workload without the label that `groupBy` names (OpenCost's word for it). */
export const unallocatedGroup = "__unallocated__";

/** A resource whose cost is allocated. */
export type AllocationResource = "cpu" | "memory" | "gpu";

/**
 * One node (a machine, an instance) over the allocation window. Its cost is given either as
 * `costUsd`, or as `hourlyPriceUsd` × `hours`.
 */
export interface AllocationNode {
  /** Unique id; workloads name it in `nodeId`. */
  readonly id: string;
  /** Cores, > 0. */
  readonly cpuCores: number;
  /** Memory, GiB, > 0. */
  readonly memoryGib: number;
  /** GPUs, >= 0. @default 0 */
  readonly gpus?: number;
  /** Cost of the node over the window, US dollars, from 0 to 1e11 (exclusive of `hourlyPriceUsd`). */
  readonly costUsd?: number;
  /** Price per hour, US dollars, >= 0; with `hours`, instead of `costUsd`. */
  readonly hourlyPriceUsd?: number;
  /** Hours the node ran in the window, >= 0; with `hourlyPriceUsd`. */
  readonly hours?: number;
  /** Ratio to split this node's cost by. @default the options' `resourcePrices` */
  readonly resourcePrices?: ResourcePrices;
}

/**
 * One workload (a container, a pod) over the window. Requests and usage are averages over the
 * window (OpenCost's `avg_over_time`): a pod that ran a quarter of the window with 2 cores
 * requested has a request of 0.5 cores.
 */
export interface AllocationWorkload {
  /** Unique id. */
  readonly id: string;
  /** Id of the node it ran on. */
  readonly nodeId: string;
  /** Tenant it belongs to, for `groupBy: "tenantId"`. */
  readonly tenantId?: string;
  /** Namespace it ran in, for `groupBy: "namespace"`. */
  readonly namespace?: string;
  /** Labels, for `groupBy: { label }`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Cores requested, >= 0. */
  readonly cpuRequestCores: number;
  /** Cores used, >= 0. */
  readonly cpuUsageCores: number;
  /** Memory requested, GiB, >= 0. */
  readonly memoryRequestGib: number;
  /** Memory used (working set), GiB, >= 0. */
  readonly memoryUsageGib: number;
  /** GPUs requested, >= 0. @default 0 */
  readonly gpuRequest?: number;
  /** GPUs used, >= 0. @default 0 */
  readonly gpuUsage?: number;
}

/**
 * How a shared cost (or shared idle) is divided among the workloads:
 * - `"even"`: the same to each workload;
 * - `"by-cost"`: in proportion to each workload's direct cost (CPU + memory + GPU), evenly when
 *   every direct cost is 0 (OpenCost's default, "weighted");
 * - `{ weights, by: "workload" }`: in proportion to a weight per workload id (missing ids weigh 0);
 * - `{ weights, by: "group" }`: in proportion to a weight per group (the `groupBy` value, missing
 *   groups weigh 0), each group's part then divided among its workloads by direct cost.
 */
export type SharedCostSplit =
  | "even"
  | "by-cost"
  | {
      /** Weight per workload id or group, finite and >= 0, some > 0; every key an existing one. */
      readonly weights: Readonly<Record<string, number>>;
      /** What the keys of `weights` name. @default "workload" */
      readonly by?: "workload" | "group";
    };

/** A cost outside the nodes (a control plane, monitoring, a support plan) divided among the workloads. */
export interface SharedCost {
  /** Unique id among the shared costs. */
  readonly id: string;
  /** Cost over the window, US dollars, from 0 to 1e11. */
  readonly costUsd: number;
  /** How it is divided. @default "by-cost" */
  readonly split?: SharedCostSplit;
}

/**
 * What happens to idle cost (the part of a node's cost that no workload's max(request, usage) takes):
 * - `"report"`: kept as its own line, `idle.unsharedCostUsd` (OpenCost's default);
 * - `"share-even"`: divided evenly among all workloads;
 * - `"share-weighted"`: divided in proportion to each workload's direct cost (evenly when all are 0).
 *
 * Sharing is over every workload of every node given (OpenCost's idle by cluster).
 */
export type IdleMode = "report" | "share-even" | "share-weighted";

/** The label workloads are aggregated by: their `tenantId`, their `namespace`, or one of their `labels`. */
export type AllocationGroupBy = "tenantId" | "namespace" | { readonly label: string };

/** Options of {@link allocateCosts}. */
export interface AllocateCostsOptions {
  /** The nodes; ids unique. */
  readonly nodes: readonly AllocationNode[];
  /** The workloads; ids unique, each on a node of `nodes`. */
  readonly workloads: readonly AllocationWorkload[];
  /** Costs outside the nodes, divided among the workloads; ids unique. @default [] */
  readonly sharedCosts?: readonly SharedCost[];
  /** What happens to idle cost. @default "report" */
  readonly idle?: IdleMode;
  /** Aggregate the workloads into {@link CostAllocation.groups} by this label. @default no groups */
  readonly groupBy?: AllocationGroupBy;
  /** Ratio to split every node's cost by (a node's own overrides it). @default {@link defaultResourcePrices} */
  readonly resourcePrices?: ResourcePrices;
}

/**
 * Efficiency figures: usage / request, null where nothing was requested (undefined: OpenCost says 0
 * without usage and 100% with it; here the caller sees that there was no request).
 */
export interface AllocationEfficiency {
  /** Cores used / cores requested; null when no core was requested. Above 1 when usage exceeds the request. */
  readonly cpuEfficiency: number | null;
  /** Memory used / memory requested; null when none was requested. */
  readonly memoryEfficiency: number | null;
  /** GPUs used / GPUs requested; null when none was requested. */
  readonly gpuEfficiency: number | null;
  /**
   * Cost of the usage / cost of the requests, both at the nodes' unit prices (resource cost /
   * capacity): one figure over CPU, memory and GPU; null when the requests cost nothing.
   */
  readonly costEfficiency: number | null;
}

/** Cost lines of a workload or a group, in whole cents (as US dollars). */
export interface AllocationCosts {
  /** CPU: max(request, usage) × the node's price per core. */
  readonly cpuCostUsd: number;
  /** Memory: max(request, usage) × the node's price per GiB. */
  readonly memoryCostUsd: number;
  /** GPU: max(request, usage) × the node's price per GPU. */
  readonly gpuCostUsd: number;
  /** Share of the idle cost (0 with `idle: "report"`). */
  readonly idleCostUsd: number;
  /** Share of the shared costs. */
  readonly sharedCostUsd: number;
  /** The sum of the lines above. */
  readonly totalCostUsd: number;
}

/** The cost of one workload. */
export interface WorkloadCost extends AllocationCosts, AllocationEfficiency {
  /** The workload's id. */
  readonly id: string;
  /** The node it ran on. */
  readonly nodeId: string;
  /** Its group, with `groupBy`. */
  readonly group?: string;
}

/** The cost of one group of workloads (sums of its workloads' lines; efficiencies from summed usage and requests). */
export interface GroupCost extends AllocationCosts, AllocationEfficiency {
  /** Workloads in the group. */
  readonly workloads: number;
}

/** One node's cost and how it was split. Each line is whole cents. */
export interface NodeCost {
  /** The node's id. */
  readonly id: string;
  /** The node's window cost, rounded to the cent: what was allocated. */
  readonly costUsd: number;
  /** Its CPU part (workloads' CPU lines + CPU idle). */
  readonly cpuCostUsd: number;
  /** Its memory part. */
  readonly memoryCostUsd: number;
  /** Its GPU part. */
  readonly gpuCostUsd: number;
  /** The part no workload took: `costUsd` minus the workloads' direct costs on it. */
  readonly idleCostUsd: number;
}

/** A resource of a node whose workloads take more than its capacity (max(request, usage) summed). */
export interface Overcommit {
  /** The node. */
  readonly nodeId: string;
  /** The resource. */
  readonly resource: AllocationResource;
  /** Σ max(request, usage) of the node's workloads (cores, GiB or GPUs). */
  readonly allocated: number;
  /** The node's capacity of it. */
  readonly capacity: number;
}

/** Idle cost, before and after sharing. */
export interface IdleCost {
  /** All idle cost (Σ of the nodes' `idleCostUsd`). */
  readonly costUsd: number;
  /** Its CPU part. */
  readonly cpuCostUsd: number;
  /** Its memory part. */
  readonly memoryCostUsd: number;
  /** Its GPU part. */
  readonly gpuCostUsd: number;
  /** Idle / node cost × 100 (OpenCost's idle %), 0 when the nodes cost nothing. */
  readonly percent: number;
  /** The part given to workloads (their `idleCostUsd` lines). */
  readonly sharedCostUsd: number;
  /** The part kept as its own line: all of it with `"report"`, or when there is no workload to share it. */
  readonly unsharedCostUsd: number;
  /** How it was shared: `"none"` (kept), `"even"`, or `"cost"` (by direct cost). */
  readonly sharedBy: "none" | "even" | "cost";
}

/** One shared cost and where it went. */
export interface SharedCostAllocation {
  /** Its id. */
  readonly id: string;
  /** Its cost, rounded to the cent. */
  readonly costUsd: number;
  /** The part given to workloads: all of it, unless there are none. */
  readonly assignedCostUsd: number;
  /** The part no workload could take (there are none). */
  readonly unassignedCostUsd: number;
}

/**
 * Result of {@link allocateCosts}. Every `…Usd` figure except the efficiencies' inputs is a whole
 * number of cents, and they reconcile exactly: Σ workloads' `totalCostUsd` + `idle.unsharedCostUsd`
 * + `unassignedCostUsd` = `totalCostUsd` = `nodeCostUsd` + `sharedCostUsd` (sum them as cents,
 * `Math.round(x * 100)`, for an exact total: a double holds 0.1 only approximately).
 */
export interface CostAllocation {
  /** The workloads' costs, in input order. */
  readonly workloads: readonly WorkloadCost[];
  /** By group (a null-prototype record), with `groupBy`; empty without it. */
  readonly groups: Readonly<Record<string, GroupCost>>;
  /** The nodes' costs, in input order. */
  readonly nodes: readonly NodeCost[];
  /** Idle cost. */
  readonly idle: IdleCost;
  /** The shared costs, in input order. */
  readonly sharedCosts: readonly SharedCostAllocation[];
  /** Node resources whose workloads take more than the capacity (their cost is then split by the workloads' shares, with no idle). */
  readonly overcommitted: readonly Overcommit[];
  /** Σ node costs (each rounded to the cent). */
  readonly nodeCostUsd: number;
  /** Σ shared costs (each rounded to the cent). */
  readonly sharedCostUsd: number;
  /** `nodeCostUsd + sharedCostUsd`. */
  readonly totalCostUsd: number;
  /** Shared cost no workload took (there were no workloads). */
  readonly unassignedCostUsd: number;
}

const name = z.string().min(1);
// Bounds keep every product and sum below overflow: a billion cores, GiB or GPUs on one line,
// prices up to $1M an hour, weights up to 1e100.
const amount = z.number().min(0).max(1e9);
const capacityAmount = z.number().positive().max(1e9);
const price = z.number().positive().max(1e6);
// Up to $100 billion, so that cents stay exact through `toPrecision(15)` and every sum of cents is
// a safe integer.
const money = z.number().min(0).max(1e11);
const pricesSchema = z.strictObject({
  cpuCoreHourUsd: price,
  memoryGibHourUsd: price,
  gpuHourUsd: z.number().min(0).max(1e6),
});
const nodeSchema = z.strictObject({
  id: name,
  cpuCores: capacityAmount,
  memoryGib: capacityAmount,
  gpus: amount.optional(),
  costUsd: money.optional(),
  hourlyPriceUsd: z.number().min(0).max(1e6).optional(),
  hours: z.number().min(0).max(1e6).optional(),
  resourcePrices: pricesSchema.optional(),
});
const workloadSchema = z.strictObject({
  id: name,
  nodeId: name,
  tenantId: name.optional(),
  namespace: name.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  cpuRequestCores: amount,
  cpuUsageCores: amount,
  memoryRequestGib: amount,
  memoryUsageGib: amount,
  gpuRequest: amount.optional(),
  gpuUsage: amount.optional(),
});
const splitSchema = z.union([
  z.literal("even"),
  z.literal("by-cost"),
  z.strictObject({
    weights: z.record(z.string(), z.number().min(0).max(1e100)),
    by: z.enum(["workload", "group"]).optional(),
  }),
]);
const optionsSchema = z.strictObject({
  nodes: z.array(nodeSchema),
  workloads: z.array(workloadSchema),
  sharedCosts: z
    .array(z.strictObject({ id: name, costUsd: money, split: splitSchema.optional() }))
    .optional(),
  idle: z.enum(["report", "share-even", "share-weighted"]).optional(),
  groupBy: z
    .union([z.literal("tenantId"), z.literal("namespace"), z.strictObject({ label: name })])
    .optional(),
  resourcePrices: pricesSchema.optional(),
});

/** Resources in the order of every per-resource array here. */
const resources: readonly AllocationResource[] = ["cpu", "memory", "gpu"];

/**
 * Allocates the cost of nodes, and of shared costs, to the workloads that ran on them, after the
 * OpenCost specification (`spec/opencost-specv01.md`):
 *
 * 1. Each node's window cost (`costUsd`, or `hourlyPriceUsd × hours`) is rounded to the cent and
 *    split between its CPU, memory and GPUs in proportion to capacity × base price (`cores ×
 *    cpuCoreHourUsd`, `GiB × memoryGibHourUsd`, `gpus × gpuHourUsd`; OpenCost Appendix A: the ratio
 *    of the base prices is kept, their level scaled to the node's cost). The unit price of a resource
 *    is its part / the node's capacity of it.
 * 2. Each workload pays `max(request, usage)` × unit price for each resource. Idle cost is what the
 *    workloads on a node leave of it: `(capacity − Σ max(request, usage)) × unit price` per
 *    resource. Where the workloads take more than the capacity, that resource's cost is split in
 *    proportion to their `max(request, usage)` instead, with no idle, and the node is listed in
 *    `overcommitted`.
 * 3. Idle cost is reported, or shared evenly, or shared by direct cost (`idle`).
 * 4. Each shared cost, rounded to the cent, is divided by its `split` key.
 * 5. Efficiency is usage / request per resource (null where nothing was requested).
 *
 * Exact to the cent: every division of a whole number of cents (a node's cost among its workloads'
 * resource lines and its idle lines, the idle total, each shared cost) is made with the
 * largest-remainder method, so the parts are whole cents within one cent of their exact share and
 * sum to the whole. See {@link CostAllocation} for the identities.
 *
 * Throws `EnisError`: `INVALID_OPTIONS` naming the field and value (a negative request or usage, a
 * workload on a node not in `nodes`, a node cost given both ways or neither, a weight key that names
 * no workload or group, weights that sum to 0, `by: "group"` without `groupBy`, an unknown option),
 * `DUPLICATE_ID` (two nodes, workloads or shared costs with one id).
 *
 * @example
 * ```ts
 * const { workloads, idle } = allocateCosts({
 *   nodes: [{ id: "n1", cpuCores: 4, memoryGib: 16, costUsd: 10 }],
 *   workloads: [
 *     { id: "api", nodeId: "n1", cpuRequestCores: 2, cpuUsageCores: 1, memoryRequestGib: 4, memoryUsageGib: 6 },
 *     { id: "job", nodeId: "n1", cpuRequestCores: 0, cpuUsageCores: 1, memoryRequestGib: 2, memoryUsageGib: 1 },
 *   ],
 *   resourcePrices: { cpuCoreHourUsd: 0.04, memoryGibHourUsd: 0.01, gpuHourUsd: 1 },
 * });
 * // CPU part $5 ($1.25 a core), memory $5 ($0.3125 a GiB)
 * // api: 2 cores + 6 GiB = $2.50 + $1.875; job: 1 core + 2 GiB = $1.25 + $0.625; the half cents
 * // left over go one to the earlier line: api $4.38, job $1.87
 * // idle: 1 core + 8 GiB = $3.75; workloads[0].cpuEfficiency 0.5, workloads[1].cpuEfficiency null
 * ```
 */
export function allocateCosts(options: AllocateCostsOptions): CostAllocation {
  const resolved = parseOptions(optionsSchema, options, "options");
  const nodes = resolved.nodes;
  const workloads = resolved.workloads;
  const sharedCosts = resolved.sharedCosts ?? [];
  const idleMode = resolved.idle ?? "report";
  const basePrices = resolved.resourcePrices ?? defaultResourcePrices;
  const groupBy = resolved.groupBy;

  const nodeIndex = new Map<string, number>();
  const nodeCents: number[] = [];
  nodes.forEach((node, i) => {
    if (nodeIndex.has(node.id)) throw duplicateId("options.nodes", i, node.id);
    nodeIndex.set(node.id, i);
    nodeCents.push(windowCents(node, i));
  });
  const workloadIndex = new Map<string, number>();
  const nodeOf = new Int32Array(workloads.length);
  const onNode: number[][] = nodes.map(() => []);
  const groupOf: string[] = [];
  workloads.forEach((workload, i) => {
    if (workloadIndex.has(workload.id)) throw duplicateId("options.workloads", i, workload.id);
    workloadIndex.set(workload.id, i);
    const node = nodeIndex.get(workload.nodeId);
    if (node === undefined) {
      throw invalidField(
        `options.workloads[${i}].nodeId`,
        workload.nodeId,
        "the id of a node in options.nodes",
      );
    }
    nodeOf[i] = node;
    onNode[node]!.push(i);
    if (groupBy !== undefined) groupOf.push(groupKey(workload, groupBy));
  });
  // Group name → its workloads' indices, in input order.
  const groupMembers = new Map<string, number[]>();
  groupOf.forEach((group, w) => {
    const members = groupMembers.get(group);
    if (members === undefined) groupMembers.set(group, [w]);
    else members.push(w);
  });
  const sharedIds = new Set<string>();
  sharedCosts.forEach((shared, i) => {
    if (sharedIds.has(shared.id)) throw duplicateId("options.sharedCosts", i, shared.id);
    sharedIds.add(shared.id);
  });

  // Per workload, per resource (cpu, memory, gpu at 3i, 3i+1, 3i+2): cents and the unit price.
  const count = workloads.length;
  const directCents = new Array<number>(3 * count).fill(0);
  const unitPrices = new Float64Array(3 * count);
  const nodeResults: NodeCost[] = [];
  const idleByResource = [0, 0, 0];
  const overcommitted: Overcommit[] = [];
  nodes.forEach((node, n) => {
    const members = onNode[n]!;
    const prices = node.resourcePrices ?? basePrices;
    const capacity = [node.cpuCores, node.memoryGib, node.gpus ?? 0];
    const weight = [
      capacity[0]! * prices.cpuCoreHourUsd,
      capacity[1]! * prices.memoryGibHourUsd,
      capacity[2]! * prices.gpuHourUsd,
    ];
    const weightSum = weight[0]! + weight[1]! + weight[2]!;
    const cents = nodeCents[n]!;
    // Quotas in cents: 3 per member, then the 3 idle lines.
    const quotas = new Float64Array(3 * members.length + 3);
    for (let r = 0; r < 3; r++) {
      const part = (cents * weight[r]!) / weightSum;
      let taken = 0;
      for (const w of members) taken += allocatedAmount(workloads[w]!, r);
      // A sum of requests that fills the node exactly (0.1 + 0.2 cores on 0.3) is not overcommitted.
      if (taken > capacity[r]! * (1 + 1e-12)) {
        overcommitted.push({
          nodeId: node.id,
          resource: resources[r]!,
          allocated: taken,
          capacity: capacity[r]!,
        });
      }
      const denominator = Math.max(taken, capacity[r]!);
      members.forEach((w, m) => {
        unitPrices[3 * w + r] = capacity[r]! > 0 ? part / 100 / capacity[r]! : 0;
        quotas[3 * m + r] = denominator > 0 ? (part * allocatedAmount(workloads[w]!, r)) / denominator : 0;
      });
      quotas[3 * members.length + r] = denominator > 0 ? (part * (denominator - taken)) / denominator : part;
    }
    const parts = cents > 0 ? apportion(cents, quotas) : new Array<number>(quotas.length).fill(0);
    const byResource = [0, 0, 0];
    members.forEach((w, m) => {
      for (let r = 0; r < 3; r++) {
        directCents[3 * w + r] = parts[3 * m + r]!;
        byResource[r]! += parts[3 * m + r]!;
      }
    });
    let idle = 0;
    for (let r = 0; r < 3; r++) {
      const idleCents = parts[3 * members.length + r]!;
      byResource[r]! += idleCents;
      idleByResource[r]! += idleCents;
      idle += idleCents;
    }
    nodeResults.push({
      id: node.id,
      costUsd: cents / 100,
      cpuCostUsd: byResource[0]! / 100,
      memoryCostUsd: byResource[1]! / 100,
      gpuCostUsd: byResource[2]! / 100,
      idleCostUsd: idle / 100,
    });
  });

  const directTotal = (w: number) => directCents[3 * w]! + directCents[3 * w + 1]! + directCents[3 * w + 2]!;
  const directTotals = Array.from({ length: count }, (_, w) => directTotal(w));
  const even = new Array<number>(count).fill(1);
  const byCost = directTotals.some((value) => value > 0) ? directTotals : even;

  // Idle.
  const idleCents = idleByResource[0]! + idleByResource[1]! + idleByResource[2]!;
  let idleShares = new Array<number>(count).fill(0);
  let sharedBy: IdleCost["sharedBy"] = "none";
  if (idleMode !== "report" && count > 0) {
    const weights = idleMode === "share-even" ? even : byCost;
    sharedBy = weights === even ? "even" : "cost";
    idleShares = idleCents > 0 ? apportion(idleCents, weights) : idleShares;
  }
  const idleShared = sharedBy === "none" ? 0 : idleCents;

  // Shared costs.
  const sharedShares = new Array<number>(count).fill(0);
  const sharedResults: SharedCostAllocation[] = [];
  let sharedTotal = 0;
  let unassigned = 0;
  sharedCosts.forEach((shared, i) => {
    const cents = toCents(shared.costUsd);
    sharedTotal += cents;
    if (count === 0 || cents === 0) {
      unassigned += cents;
      sharedResults.push({
        id: shared.id,
        costUsd: cents / 100,
        assignedCostUsd: 0,
        unassignedCostUsd: cents / 100,
      });
      return;
    }
    const parts = splitShared(cents, shared.split ?? "by-cost", i, {
      even,
      byCost,
      directTotals,
      workloadIndex,
      groupMembers,
      grouped: groupBy !== undefined,
    });
    for (let w = 0; w < count; w++) sharedShares[w]! += parts[w]!;
    sharedResults.push({
      id: shared.id,
      costUsd: cents / 100,
      assignedCostUsd: cents / 100,
      unassignedCostUsd: 0,
    });
  });

  // Workloads and groups.
  const groups: Record<string, GroupCost> = Object.create(null);
  const groupSums = new Map<string, { cents: number[]; amounts: number[]; workloads: number }>();
  const results: WorkloadCost[] = workloads.map((workload, w) => {
    const cents = [
      directCents[3 * w]!,
      directCents[3 * w + 1]!,
      directCents[3 * w + 2]!,
      idleShares[w]!,
      sharedShares[w]!,
    ];
    // requests (3), usages (3), request cost and usage cost at unit prices.
    const amounts = [
      workload.cpuRequestCores,
      workload.memoryRequestGib,
      workload.gpuRequest ?? 0,
      workload.cpuUsageCores,
      workload.memoryUsageGib,
      workload.gpuUsage ?? 0,
      0,
      0,
    ];
    for (let r = 0; r < 3; r++) {
      amounts[6]! += amounts[r]! * unitPrices[3 * w + r]!;
      amounts[7]! += amounts[3 + r]! * unitPrices[3 * w + r]!;
    }
    let group: string | undefined;
    if (groupBy !== undefined) {
      group = groupOf[w]!;
      let sums = groupSums.get(group);
      if (sums === undefined) {
        sums = { cents: [0, 0, 0, 0, 0], amounts: [0, 0, 0, 0, 0, 0, 0, 0], workloads: 0 };
        groupSums.set(group, sums);
      }
      sums.workloads++;
      for (let k = 0; k < 5; k++) sums.cents[k]! += cents[k]!;
      for (let k = 0; k < 8; k++) sums.amounts[k]! += amounts[k]!;
    }
    return {
      id: workload.id,
      nodeId: workload.nodeId,
      ...(group === undefined ? {} : { group }),
      ...costLines(cents),
      ...efficiencies(amounts),
    };
  });
  for (const [group, sums] of groupSums) {
    groups[group] = { workloads: sums.workloads, ...costLines(sums.cents), ...efficiencies(sums.amounts) };
  }

  const nodeTotal = nodeCents.reduce((sum, cents) => sum + cents, 0);
  return {
    workloads: results,
    groups,
    nodes: nodeResults,
    idle: {
      costUsd: idleCents / 100,
      cpuCostUsd: idleByResource[0]! / 100,
      memoryCostUsd: idleByResource[1]! / 100,
      gpuCostUsd: idleByResource[2]! / 100,
      percent: nodeTotal > 0 ? (100 * idleCents) / nodeTotal : 0,
      sharedCostUsd: idleShared / 100,
      unsharedCostUsd: (idleCents - idleShared) / 100,
      sharedBy,
    },
    sharedCosts: sharedResults,
    overcommitted,
    nodeCostUsd: nodeTotal / 100,
    sharedCostUsd: sharedTotal / 100,
    totalCostUsd: (nodeTotal + sharedTotal) / 100,
    unassignedCostUsd: unassigned / 100,
  };
}

/** US dollars to whole cents, half up, reading the amount as the decimal it was written as (0.285 → 29). */
function toCents(usd: number): number {
  return Math.round(Number((usd * 100).toPrecision(15)));
}

/** A node's window cost in cents, from exactly one of `costUsd` and `hourlyPriceUsd` × `hours`. */
function windowCents(node: z.output<typeof nodeSchema>, index: number): number {
  const field = `options.nodes[${index}]`;
  const hourly = node.hourlyPriceUsd !== undefined || node.hours !== undefined;
  if (node.costUsd !== undefined) {
    if (hourly) {
      throw invalidField(`${field}.costUsd`, node.costUsd, "given alone, without hourlyPriceUsd and hours");
    }
    return toCents(node.costUsd);
  }
  if (node.hourlyPriceUsd === undefined || node.hours === undefined) {
    const missing = node.hourlyPriceUsd === undefined ? "hourlyPriceUsd" : "hours";
    throw invalidField(
      `${field}.${missing}`,
      undefined,
      "given with the other (or costUsd given instead) for the node's cost",
    );
  }
  const cost = node.hourlyPriceUsd * node.hours;
  if (!(cost <= 1e11)) {
    throw invalidField(
      `${field}.hourlyPriceUsd`,
      node.hourlyPriceUsd,
      `at most 1e11 / hours (${node.hours})`,
    );
  }
  return toCents(cost);
}

/** max(request, usage) of resource r (0 cpu, 1 memory, 2 gpu). */
function allocatedAmount(workload: z.output<typeof workloadSchema>, resource: number): number {
  if (resource === 0) return Math.max(workload.cpuRequestCores, workload.cpuUsageCores);
  if (resource === 1) return Math.max(workload.memoryRequestGib, workload.memoryUsageGib);
  return Math.max(workload.gpuRequest ?? 0, workload.gpuUsage ?? 0);
}

function groupKey(workload: z.output<typeof workloadSchema>, groupBy: AllocationGroupBy): string {
  if (groupBy === "tenantId") return workload.tenantId ?? unallocatedGroup;
  if (groupBy === "namespace") return workload.namespace ?? unallocatedGroup;
  const labels = workload.labels;
  return labels !== undefined && Object.hasOwn(labels, groupBy.label)
    ? labels[groupBy.label]!
    : unallocatedGroup;
}

interface SplitContext {
  readonly even: readonly number[];
  readonly byCost: readonly number[];
  readonly directTotals: readonly number[];
  readonly workloadIndex: ReadonlyMap<string, number>;
  readonly groupMembers: ReadonlyMap<string, readonly number[]>;
  readonly grouped: boolean;
}

/** One shared cost's cents per workload, by its split key. */
function splitShared(
  cents: number,
  split: z.output<typeof splitSchema>,
  index: number,
  context: SplitContext,
): number[] {
  if (split === "even") return apportion(cents, context.even);
  if (split === "by-cost") return apportion(cents, context.byCost);
  const field = `options.sharedCosts[${index}].split`;
  const by = split.by ?? "workload";
  const keys = Object.keys(split.weights);
  if (!keys.some((key) => split.weights[key]! > 0)) {
    throw invalidField(`${field}.weights`, split.weights, "weights with at least one above 0");
  }
  if (by === "workload") {
    const weights = new Array<number>(context.even.length).fill(0);
    for (const key of keys) {
      const w = context.workloadIndex.get(key);
      if (w === undefined) throw invalidField(`${field}.weights`, key, "keyed by workload ids");
      weights[w] = split.weights[key]!;
    }
    return apportion(cents, weights);
  }
  if (!context.grouped) throw invalidField(`${field}.by`, by, '"workload" unless options.groupBy is given');
  const groupNames = [...context.groupMembers.keys()];
  const groupWeights = groupNames.map(() => 0);
  const groupPosition = new Map(groupNames.map((group, g) => [group, g]));
  for (const key of keys) {
    const g = groupPosition.get(key);
    if (g === undefined) throw invalidField(`${field}.weights`, key, "keyed by groups that have workloads");
    groupWeights[g] = split.weights[key]!;
  }
  const groupParts = apportion(cents, groupWeights);
  const parts = new Array<number>(context.even.length).fill(0);
  groupNames.forEach((group, g) => {
    if (groupParts[g] === 0) return;
    const members = context.groupMembers.get(group)!;
    const costs = members.map((w) => context.directTotals[w]!);
    const weights = costs.some((value) => value > 0) ? costs : members.map(() => 1);
    apportion(groupParts[g]!, weights).forEach((part, m) => {
      parts[members[m]!] = part;
    });
  });
  return parts;
}

/** Cents [cpu, memory, gpu, idle, shared] as the cost lines, in dollars. */
function costLines(cents: readonly number[]): AllocationCosts {
  return {
    cpuCostUsd: cents[0]! / 100,
    memoryCostUsd: cents[1]! / 100,
    gpuCostUsd: cents[2]! / 100,
    idleCostUsd: cents[3]! / 100,
    sharedCostUsd: cents[4]! / 100,
    totalCostUsd: (cents[0]! + cents[1]! + cents[2]! + cents[3]! + cents[4]!) / 100,
  };
}

/** Requests [cpu, memory, gpu], usages [cpu, memory, gpu], request cost, usage cost → efficiencies. */
function efficiencies(amounts: readonly number[]): AllocationEfficiency {
  const ratio = (usage: number, request: number) => {
    const value = request > 0 ? usage / request : Number.NaN;
    return Number.isFinite(value) ? value : null;
  };
  return {
    cpuEfficiency: ratio(amounts[3]!, amounts[0]!),
    memoryEfficiency: ratio(amounts[4]!, amounts[1]!),
    gpuEfficiency: ratio(amounts[5]!, amounts[2]!),
    costEfficiency: ratio(amounts[7]!, amounts[6]!),
  };
}

function duplicateId(list: string, index: number, id: string): EnisError {
  return new EnisError(
    "DUPLICATE_ID",
    `${list}[${index}].id must be unique, got ${JSON.stringify(id)} twice`,
    {
      field: `${list}[${index}].id`,
    },
  );
}
