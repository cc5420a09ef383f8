import type {
  Architecture,
  InstanceCategory,
  PriceProvenance,
  PurchaseOption,
  SpotInterruptionBand,
} from "@enis/cost-model";
import type { PlanSavings } from "../plan.js";

/** One workload (a pod's requests, measured): what a node must hold for it. */
export interface InstanceWorkload {
  /** Unique among the workloads, non-empty. */
  readonly id: string;
  /** CPU it uses, cores, finite and >= 0. */
  readonly cpuCores: number;
  /** Memory it uses, GiB, finite and >= 0. */
  readonly memoryGib: number;
}

/**
 * The state of the workloads as the ASM macro-module measures it. Both raise headroom, never lower
 * it (see {@link RecommendInstancesOptions.headroomPolicy}).
 */
export interface AsmState {
  /** How intricate the workloads are (dependencies, branches, tenants), in [0, 1]. */
  readonly complexity: number;
  /** Changes (deployments, configuration changes) per hour, finite and >= 0. */
  readonly velocityPerHour: number;
}

/**
 * The policy that turns {@link AsmState} into headroom: every workload's request is multiplied by
 * `1 + headroom`, where
 * `headroom = base + complexity × complexityWeight + velocity / (velocity + velocityHalfPerHour) × velocityWeight`.
 * Monotone (non-decreasing) in both complexity and velocity; at most `base + complexityWeight +
 * velocityWeight`. Every default is a policy choice of this package, not a measured constant.
 */
export interface HeadroomPolicy {
  /** Headroom with no state, a fraction in [0, 10]. @default 0.1 (policy) */
  readonly base?: number;
  /** Headroom added at complexity 1, in [0, 10]. @default 0.15 (policy) */
  readonly complexityWeight?: number;
  /** Headroom added as velocity grows without bound, in [0, 10]. @default 0.15 (policy) */
  readonly velocityWeight?: number;
  /** Changes per hour at which half of `velocityWeight` is added, > 0. @default 6 (policy: one change every 10 minutes) */
  readonly velocityHalfPerHour?: number;
}

/** One point of a hit-rate curve (a miss-ratio curve read the other way). */
export interface HitRatePoint {
  /** Cache size, GiB, finite and >= 0. */
  readonly sizeGib: number;
  /** Hit rate at that size, in [0, 1]. */
  readonly hitRate: number;
}

/** Cache sizing input, from the CGN macro-module's cache and content metrics. */
export interface CacheSizingOptions {
  /** The working set (distinct bytes requested over the window), GiB, > 0. */
  readonly workingSetGib: number;
  /** Hit rate observed at `currentSizeGib`, in [0, 1]. */
  readonly hitRate: number;
  /** Today's cache size, GiB, >= 0 (0: no cache). Without it the current cost has no cache line. */
  readonly currentSizeGib?: number;
  /**
   * Hit rate against cache size, at least 2 points, sizes distinct, hit rate non-decreasing in size
   * (LRU's inclusion property: a larger LRU cache holds what a smaller one does). Linearly
   * interpolated; constant beyond the last point. Without it, the cache is sized to the working set.
   */
  readonly curve?: readonly HitRatePoint[];
  /** The hit rate to reach, in [0, 1]. @default 0.9 (policy) */
  readonly targetHitRate?: number;
  /**
   * Cost of one miss (a read from origin, a recomputation), USD, >= 0. With `requestsPerHour` and a
   * curve, the size minimises cache cost + miss cost instead of reaching `targetHitRate`.
   */
  readonly missCostUsd?: number;
  /** Cache requests per hour, >= 0; only with `missCostUsd`. */
  readonly requestsPerHour?: number;
  /**
   * Price of cache memory, USD per GiB-hour, > 0 (a managed cache's price). Without it, cache nodes
   * are priced as the cheapest memory-optimised (`category: "memory"`) on-demand types of the
   * catalogue, `usableMemoryFraction` of each type's memory holding data.
   */
  readonly hourlyUsdPerGib?: number;
  /**
   * Share of a cache node's memory that holds data, in (0, 1]. @default 0.75 (ElastiCache's default
   * `reserved-memory-percent` of 25 keeps a quarter for the engine, buffers and forks)
   */
  readonly usableMemoryFraction?: number;
}

/** One line of today's fleet. */
export interface CurrentNodes {
  /** An instance type of the catalogue. */
  readonly instanceType: string;
  /** Nodes, a whole number >= 0. */
  readonly count: number;
  /** @default "on-demand" */
  readonly purchase?: PurchaseOption;
}

/** Options of {@link recommendInstances}. */
export interface RecommendInstancesOptions {
  /** The workloads to place, at least one. */
  readonly workloads: readonly InstanceWorkload[];
  /** Today's fleet, to price "before" and the steps; leave out for a fresh placement. */
  readonly current?: readonly CurrentNodes[];
  /**
   * How nodes may be bought (Karpenter's `karpenter.sh/capacity-type`), at least one.
   * @default ["on-demand"]
   */
  readonly capacityTypes?: readonly ("on-demand" | "spot")[];
  /** Architectures allowed. @default both */
  readonly architectures?: readonly Architecture[];
  /** Categories allowed (`"gpu"` is exotic besides). @default all */
  readonly categories?: readonly InstanceCategory[];
  /**
   * Consider GPU and metal types from the start (Karpenter's exotic filter off).
   * @default false: they are used only when no other type holds some workload, as Karpenter does
   */
  readonly allowExotic?: boolean;
  /**
   * Largest node, vCPUs, a whole number >= 1: larger types are left out (as exotic types are, used
   * only when nothing else fits). Not Karpenter's rule: a policy to bound how many workloads one
   * node failure takes down. @default 64 (policy)
   */
  readonly maxNodeVcpus?: number;
  /**
   * Subtract what Kubernetes and the hypervisor take from each node as Karpenter computes it
   * (`"karpenter"`), or use the catalogue's vCPUs and memory whole (`"none"`). @default "karpenter"
   */
  readonly nodeOverhead?: "karpenter" | "none";
  /** Pods per node, a whole number >= 1 (Karpenter's default without ENI limits). @default 110 */
  readonly maxPodsPerNode?: number;
  /** The ASM state that sets the headroom; without it, `headroomPolicy.base` alone. */
  readonly state?: AsmState;
  /** How state becomes headroom. */
  readonly headroomPolicy?: HeadroomPolicy;
  /** Cache sizing from CGN metrics; without it, no cache. */
  readonly cache?: CacheSizingOptions;
  /** Hours a month that prices are multiplied by, > 0. @default 730 */
  readonly hoursPerMonth?: number;
}

/** Why an instance type (or one of its offers) is not a candidate. */
export type InstanceExclusion =
  /** A GPU (or other accelerator) or metal type, Karpenter's exotic types. */
  | "exotic"
  /** More vCPUs than `maxNodeVcpus`. */
  | "too-large"
  /** Its architecture is not in `architectures`. */
  | "architecture"
  /** Its category is not in `categories`. */
  | "category"
  /** Its allocatable CPU, memory or pods are below the largest workload's (with headroom). */
  | "too-small"
  /** A spot offer pricier than the cheapest on-demand offer that fits (Karpenter's spot offering filter). */
  | "spot-pricier-than-on-demand";

/** One way to buy one instance type, as a node. */
export interface InstanceOffer {
  readonly instanceType: string;
  readonly purchase: "on-demand" | "spot";
  /** The catalogue's hourly price under `purchase`, USD. */
  readonly hourlyUsd: number;
  readonly vcpus: number;
  readonly memoryGib: number;
  /** CPU left for workloads, millicores (vCPUs × 1000 minus kube-reserved with `nodeOverhead: "karpenter"`). */
  readonly allocatableCpuMillicores: number;
  /** Memory left for workloads, MiB (minus VM overhead, kube-reserved and the eviction threshold). */
  readonly allocatableMemoryMib: number;
  /** Pods a node holds. */
  readonly maxPods: number;
  /** Spot only: the Spot Instance Advisor's interruption band, when the catalogue has it. */
  readonly spotInterruption: SpotInterruptionBand | null;
}

/** An instance type left out, with why. */
export interface ExcludedInstance {
  readonly instanceType: string;
  /** The offer left out; null when the type itself is. */
  readonly purchase: "on-demand" | "spot" | null;
  readonly reason: InstanceExclusion;
}

/** One node of the packing. */
export interface PlannedNode {
  /** The cheapest candidate offer that holds this node's workloads. */
  readonly offer: InstanceOffer;
  /** Ids of the workloads placed on it, in packing order. */
  readonly workloadIds: readonly string[];
  /** Sum of the workloads' CPU with headroom, millicores (each rounded up), at most the offer's allocatable. */
  readonly usedCpuMillicores: number;
  /** Sum of the workloads' memory with headroom, MiB (each rounded up), at most the offer's allocatable. */
  readonly usedMemoryMib: number;
}

/** Nodes of one type bought one way. */
export interface NodePool {
  readonly instanceType: string;
  readonly purchase: PurchaseOption;
  readonly count: number;
  readonly hourlyUsd: number;
  /** `count × hourlyUsd × hoursPerMonth`, priced by `computeCost` of @enis/cost-model. */
  readonly monthlyCostUsd: number;
  readonly provenance: PriceProvenance;
}

/** The headroom applied, and where each part comes from. */
export interface HeadroomFigures {
  /** The total: requests are multiplied by `1 + fraction`. */
  readonly fraction: number;
  readonly base: number;
  /** `complexity × complexityWeight`. */
  readonly fromComplexity: number;
  /** `velocity / (velocity + velocityHalfPerHour) × velocityWeight`. */
  readonly fromVelocity: number;
}

/** How the cache size was chosen. */
export type CacheBasis =
  /** The smallest size at which the curve reaches the target hit rate. */
  | "target"
  /** The curve never reaches the target: its smallest size at the curve's highest hit rate. */
  | "target-unreachable"
  /** The size with the least cache + miss cost. */
  | "cost-optimal"
  /** No curve: the working set. */
  | "working-set";

/** A cache of one size, priced. */
export interface CacheFigures {
  readonly sizeGib: number;
  /** The curve's hit rate at `sizeGib` (interpolated); without a curve, the observed hit rate for the current size, null for a new one. */
  readonly hitRate: number | null;
  /** The nodes holding it; null when priced per GiB or when the size is 0. */
  readonly nodes: {
    readonly instanceType: string;
    readonly count: number;
    readonly hourlyUsd: number;
  } | null;
  /** Cache cost a month, USD. */
  readonly monthlyCostUsd: number;
  /** Misses a month × `missCostUsd`, USD; null without a miss cost. */
  readonly missMonthlyCostUsd: number | null;
}

/** The cache recommendation. */
export interface CacheRecommendation {
  readonly basis: CacheBasis;
  readonly targetHitRate: number;
  readonly current: CacheFigures | null;
  readonly recommended: CacheFigures;
}

/** What one step does. */
export type PlanAction = "launch-nodes" | "move-workloads" | "drain-nodes" | "resize-cache";

/** One step of the plan, in the order to apply them. */
export interface PlanStep {
  /** 1, 2, … */
  readonly order: number;
  readonly action: PlanAction;
  /** The type launched or drained; null for moves and cache steps. */
  readonly instanceType: string | null;
  readonly purchase: PurchaseOption | null;
  /** Nodes launched or drained (workloads moved, for `move-workloads`). */
  readonly count: number;
  /** What this step adds to the monthly cost (negative: saves), USD. */
  readonly monthlyCostDeltaUsd: number;
  /** Why, in words and numbers. */
  readonly reason: string;
}

/** What to weigh before applying the plan. */
export type InstanceRiskKind =
  /** Spot nodes can be reclaimed at two minutes' notice. */
  | "spot-interruption"
  /** Exotic or very large types were needed for some workload. */
  | "exotic-fallback"
  /** All workloads on one node: no room to survive its loss. */
  | "single-node"
  /** The cache cannot reach the target hit rate on the curve. */
  | "cache-target-unreachable"
  /** The cache is sized without a hit-rate curve. */
  | "cache-no-curve"
  /** The recommended fleet costs more than today's. */
  | "cost-increase"
  /** Burstable (T) types: CPU credits above the baseline are not in the price (throttled or billed as surplus). */
  | "burstable"
  /** The plan moves workloads to an architecture today's fleet does not run (x86_64 ↔ arm64). */
  | "architecture-change";

/** One risk. */
export interface InstanceRisk {
  readonly kind: InstanceRiskKind;
  readonly message: string;
}

/** The plan {@link recommendInstances} returns. */
export interface InstanceRecommendation {
  readonly headroom: HeadroomFigures;
  readonly hoursPerMonth: number;
  /**
   * The offers that hold every workload, cheapest first (ties by name, on-demand before spot):
   * the list Karpenter would hand to a launch, after its filters.
   */
  readonly candidates: readonly InstanceOffer[];
  /** Types and offers left out, with the filter that did it. */
  readonly excluded: readonly ExcludedInstance[];
  /** The offer the homogeneous first-fit-decreasing packing was cheapest on. */
  readonly baseOffer: InstanceOffer;
  /** Every node, each downsized to the cheapest candidate offer that holds its workloads. */
  readonly nodes: readonly PlannedNode[];
  /** The nodes grouped by type and purchase, most expensive pool first. */
  readonly pools: readonly NodePool[];
  /** Today's fleet, pool by pool, priced; null without `current`. */
  readonly current: { readonly pools: readonly NodePool[] } | null;
  /** The cache; null without `cache`. */
  readonly cache: CacheRecommendation | null;
  /**
   * Today's monthly cost, USD: the current pools plus today's cache (`cache.current`, when
   * `cache.currentSizeGib` is given; else the cache is left out of both sides' comparison only as
   * the explanation says). Null without `current` (nothing to compare with).
   */
  readonly costBeforeUsd: number | null;
  /** The recommended monthly cost, USD: the planned pools plus the recommended cache. */
  readonly costAfterUsd: number;
  /** Always `"month"`: `hoursPerMonth` hours. */
  readonly period: "month";
  /**
   * `costBeforeUsd − costAfterUsd` (negative: the plan costs more) and its percentage of
   * `costBeforeUsd` (null when that is 0); null without `current`. No range: list prices, no forecast.
   */
  readonly savings: PlanSavings | null;
  /** The steps, in order: launch first, then move, then drain (make before break), then the cache. */
  readonly steps: readonly PlanStep[];
  readonly risks: readonly InstanceRisk[];
  /** The computation in words and numbers, one step a line. */
  readonly explanation: readonly string[];
}
