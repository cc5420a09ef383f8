import { EnisError } from "@enis/core";
import { describeValue, invalidField, parseOptions } from "@enis/core/validate";
import {
  computeCost,
  defaultAwsCatalogue,
  type InstanceTypeSpec,
  type PricingCatalogue,
  type PurchaseOption,
} from "@enis/cost-model";
import { z } from "zod";
import { planSavings } from "../plan.js";
import { allocatable } from "./allocatable.js";
import { hitRateAt, normaliseCurve, smallestSizeAtMaximum, smallestSizeFor } from "./cache.js";
import { firstFitDecreasing } from "./packing.js";
import type {
  CacheFigures,
  CacheRecommendation,
  ExcludedInstance,
  HeadroomFigures,
  InstanceExclusion,
  InstanceOffer,
  InstanceRecommendation,
  InstanceRisk,
  NodePool,
  PlannedNode,
  PlanStep,
  RecommendInstancesOptions,
} from "./types.js";

/** Policy defaults of {@link HeadroomPolicy}: see its TSDoc. */
const defaultHeadroom = { base: 0.1, complexityWeight: 0.15, velocityWeight: 0.15, velocityHalfPerHour: 6 };
/** Policy: see {@link RecommendInstancesOptions.maxNodeVcpus}. */
const defaultMaxNodeVcpus = 64;
/** Karpenter's pods per node without ENI-limited density (pkg/providers/instancetype/types.go, `pods`). */
const defaultMaxPods = 110;
const defaultHoursPerMonth = 730;
/** Policy: see {@link CacheSizingOptions.targetHitRate}. */
const defaultTargetHitRate = 0.9;
/** ElastiCache's default reserved-memory-percent, 25: see {@link CacheSizingOptions.usableMemoryFraction}. */
const defaultUsableMemoryFraction = 0.75;

const fraction = z.number().min(0).max(1);
const optionsSchema = z.strictObject({
  workloads: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        cpuCores: z.number().min(0).max(1e6),
        memoryGib: z.number().min(0).max(1e6),
      }),
    )
    .min(1),
  current: z
    .array(
      z.strictObject({
        instanceType: z.string().min(1),
        count: z.number().int().min(0),
        purchase: z.enum(["on-demand", "spot", "reserved-1y", "reserved-3y"]).optional(),
      }),
    )
    .optional(),
  capacityTypes: z
    .array(z.enum(["on-demand", "spot"]))
    .min(1)
    .optional(),
  architectures: z
    .array(z.enum(["x86_64", "arm64"]))
    .min(1)
    .optional(),
  categories: z
    .array(z.enum(["general", "compute", "memory", "burstable", "gpu", "other"]))
    .min(1)
    .optional(),
  allowExotic: z.boolean().optional(),
  maxNodeVcpus: z.number().int().min(1).optional(),
  nodeOverhead: z.enum(["karpenter", "none"]).optional(),
  maxPodsPerNode: z.number().int().min(1).max(1e6).optional(),
  state: z.strictObject({ complexity: fraction, velocityPerHour: z.number().min(0) }).optional(),
  headroomPolicy: z
    .strictObject({
      base: z.number().min(0).max(10).optional(),
      complexityWeight: z.number().min(0).max(10).optional(),
      velocityWeight: z.number().min(0).max(10).optional(),
      velocityHalfPerHour: z.number().positive().optional(),
    })
    .optional(),
  cache: z
    .strictObject({
      workingSetGib: z.number().positive(),
      hitRate: fraction,
      currentSizeGib: z.number().min(0).optional(),
      curve: z
        .array(z.strictObject({ sizeGib: z.number().min(0), hitRate: fraction }))
        .min(2)
        .optional(),
      targetHitRate: fraction.optional(),
      missCostUsd: z.number().min(0).optional(),
      requestsPerHour: z.number().min(0).optional(),
      hourlyUsdPerGib: z.number().positive().optional(),
      usableMemoryFraction: z.number().positive().max(1).optional(),
    })
    .optional(),
  hoursPerMonth: z.number().positive().max(1e6).optional(),
});

type Resolved = z.output<typeof optionsSchema>;
type Capacity = "on-demand" | "spot";

/** An offer with the spec and an index for sorting. */
interface Offer extends InstanceOffer {
  readonly spec: InstanceTypeSpec;
}

/**
 * Recommends the nodes for a set of workloads the way Karpenter picks instance types, packs them
 * first-fit decreasing, sizes a cache from its hit-rate curve, and returns the plan as data: what
 * to launch and drain, in order, each step's monthly cost delta, the cost before and after priced
 * by `computeCost` of @enis/cost-model, the savings, the risks, and the computation in words.
 *
 * 1. **Headroom** from the ASM state: requests × (1 + headroom), headroom = base + complexity ×
 *    complexityWeight + v / (v + velocityHalfPerHour) × velocityWeight (policy defaults 0.1, 0.15,
 *    0.15, 6 changes/h; monotone in complexity and velocity). Requests become whole millicores and
 *    MiB, rounded up.
 * 2. **Selection** (aws/karpenter-provider-aws, pkg/providers/instance/filter/filter.go): types of
 *    the allowed architectures and categories; exotic types (GPUs — `gpus > 0` or category `"gpu"` —
 *    and metal sizes) and types above `maxNodeVcpus` left out unless `allowExotic`, or unless some
 *    workload fits nothing else (Karpenter's `ExoticInstanceTypeFilter` falls back the same way);
 *    allocatable capacity as Karpenter computes it (VM overhead, kube-reserved, eviction threshold,
 *    110 pods); the offers of types that hold every workload, spot offers pricier than the cheapest
 *    such on-demand offer dropped when both capacity types are allowed (`SpotOfferingFilter`),
 *    sorted by price.
 * 3. **Packing**: for each candidate type, the workloads first-fit decreasing onto identical nodes
 *    of it (3 dimensions: CPU, memory, pods; a segment tree finds the first node that fits);
 *    types are tried in the order of their lower bound (nodes ≥ total / capacity per dimension,
 *    times the price) and the search stops when no remaining bound beats the best packing found.
 *    Each node is then bought as the cheapest allowed offer that holds its workloads (the last,
 *    partly filled nodes become smaller types).
 * 4. **Cache** (optional): the smallest size at which the hit-rate curve (linear between points)
 *    reaches `targetHitRate`, or, with `missCostUsd` and `requestsPerHour`, the size minimising
 *    cache cost + miss cost; without a curve, the working set. Priced per GiB-hour when given, or
 *    as the cheapest memory-optimised on-demand nodes holding it.
 * 5. **Steps**: launch before moving before draining (make before break), then the cache.
 *
 * Pure: no I/O, no clock. Prices from `catalogue` (default `defaultAwsCatalogue`).
 *
 * Throws `EnisError`: `INVALID_OPTIONS` naming the field and value (negative or non-finite usage,
 * an unknown option, a hit-rate curve not non-decreasing or with repeated sizes, a miss cost
 * without requests per hour or without a curve, an empty catalogue — `catalogue.instanceTypes`);
 * `DUPLICATE_ID` for two workloads with one id; `UNKNOWN_INSTANCE_TYPE` for a current type the
 * catalogue lacks (`options.current[i].instanceType`); `INFEASIBLE` when a workload fits no
 * allowed type (`options.workloads[i]`), when no one type holds every workload
 * (`options.workloads`), or when no type can hold a cache (`options.cache`).
 *
 * @example
 * ```ts
 * const plan = recommendInstances({
 *   workloads: [
 *     { id: "api", cpuCores: 1.5, memoryGib: 3 },
 *     { id: "worker", cpuCores: 0.5, memoryGib: 6 },
 *   ],
 *   current: [{ instanceType: "m5.2xlarge", count: 1 }],
 *   state: { complexity: 0.4, velocityPerHour: 2 },
 * });
 * // plan.headroom.fraction: 0.1975 (0.1 + 0.4 × 0.15 + 2 / (2 + 6) × 0.15)
 * // plan.pools: one t4g.xlarge on demand ($0.1344/h, $98.112 a month)
 * // plan.costBeforeUsd: 280.32, plan.costAfterUsd: 98.112, plan.savings: { usd: 182.208, percent: 65 }; plan.steps: launch, move, drain
 * ```
 */
export function recommendInstances(
  options: RecommendInstancesOptions,
  catalogue?: PricingCatalogue,
): InstanceRecommendation {
  const resolved = parseOptions(optionsSchema, options, "options");
  const prices = resolveCatalogue(catalogue);
  const hours = resolved.hoursPerMonth ?? defaultHoursPerMonth;
  const explanation: string[] = [];
  const risks: InstanceRisk[] = [];

  checkDuplicateIds(resolved);
  const headroom = headroomOf(resolved);
  explanation.push(
    `Headroom ${fmt(headroom.fraction)} = base ${fmt(headroom.base)} + complexity ${fmt(headroom.fromComplexity)} + velocity ${fmt(headroom.fromVelocity)}${
      resolved.state === undefined
        ? " (no ASM state)"
        : ` (complexity ${fmt(resolved.state.complexity)}, ${fmt(resolved.state.velocityPerHour)} changes/h)`
    }: every request × ${fmt(1 + headroom.fraction)}, rounded up to whole millicores and MiB.`,
  );

  // 1. Requests with headroom, whole millicores and MiB.
  const { workloads } = resolved;
  const n = workloads.length;
  const cpu = new Float64Array(n);
  const memory = new Float64Array(n);
  const factor = 1 + headroom.fraction;
  let totalCpu = 0;
  let totalMemory = 0;
  let maxCpu = 0;
  let maxMemory = 0;
  for (let i = 0; i < n; i++) {
    const w = workloads[i]!;
    cpu[i] = Math.ceil(tidy(w.cpuCores * 1000 * factor));
    memory[i] = Math.ceil(tidy(w.memoryGib * 1024 * factor));
    totalCpu += cpu[i]!;
    totalMemory += memory[i]!;
    if (cpu[i]! > maxCpu) maxCpu = cpu[i]!;
    if (memory[i]! > maxMemory) maxMemory = memory[i]!;
  }

  // 2. Selection.
  const selection = select(resolved, prices, cpu, memory, maxCpu, maxMemory);
  const { candidates, allowed, excluded } = selection;
  if (selection.fellBack) {
    risks.push({
      kind: "exotic-fallback",
      message: `Some workload fits no regular type, so exotic (GPU, metal) and large types (over ${selection.maxNodeVcpus} vCPUs) were admitted, as Karpenter does when nothing else fits.`,
    });
  }
  explanation.push(
    `Selection: ${Object.keys(prices.instanceTypes).length} types in the catalogue; ${allowed.length} offers allowed after the architecture, category, exotic and size filters${
      selection.fellBack ? " (exotic and large types admitted: nothing else fits some workload)" : ""
    }; ${candidates.length} hold every workload (largest: ${maxCpu} millicores, ${maxMemory} MiB with headroom), cheapest ${candidates[0]!.instanceType} ${candidates[0]!.purchase} at $${candidates[0]!.hourlyUsd}/h.`,
  );

  // 3. Packing: branch and bound over the candidate types.
  const byType = new Map<string, Offer>();
  for (const offer of candidates) {
    const known = byType.get(offer.instanceType);
    if (known === undefined || offer.hourlyUsd < known.hourlyUsd) byType.set(offer.instanceType, offer);
  }
  const bounded = [...byType.values()]
    .map((offer) => ({
      offer,
      bound:
        Math.max(
          Math.ceil(totalCpu / Math.max(offer.allocatableCpuMillicores, 1)),
          Math.ceil(totalMemory / Math.max(offer.allocatableMemoryMib, 1)),
          Math.ceil(n / offer.maxPods),
          1,
        ) * offer.hourlyUsd,
    }))
    .sort((a, b) => a.bound - b.bound || a.offer.hourlyUsd - b.offer.hourlyUsd || byName(a.offer, b.offer));
  let best: { offer: Offer; binCount: number; binOf: Int32Array; order: Int32Array } | undefined;
  let bestCost = Number.POSITIVE_INFINITY;
  let packingsRun = 0;
  for (const { offer, bound } of bounded) {
    if (bound >= bestCost) break;
    packingsRun++;
    const packing = firstFitDecreasing(
      cpu,
      memory,
      offer.allocatableCpuMillicores,
      offer.allocatableMemoryMib,
      offer.maxPods,
    );
    const cost = packing.binCount * offer.hourlyUsd;
    if (cost < bestCost) {
      bestCost = cost;
      best = { offer, ...packing };
    }
  }
  if (best === undefined) throw new EnisError("INTERNAL", "recommendInstances found no packing");
  explanation.push(
    `Packing: first-fit decreasing (by dominant share of CPU or memory) onto identical nodes, ${packingsRun} of ${bounded.length} candidate types packed (the others' lower bound, nodes ≥ total / capacity × price, could not beat the best); cheapest: ${best.binCount} × ${best.offer.instanceType} ${best.offer.purchase} = $${tidy(bestCost)}/h.`,
  );

  // Each node bought as the cheapest allowed offer that holds it.
  const binCpu = new Float64Array(best.binCount);
  const binMemory = new Float64Array(best.binCount);
  const binPods = new Int32Array(best.binCount);
  const binIds: string[][] = Array.from({ length: best.binCount }, () => []);
  for (const item of best.order) {
    const bin = best.binOf[item]!;
    binCpu[bin] = binCpu[bin]! + cpu[item]!;
    binMemory[bin] = binMemory[bin]! + memory[item]!;
    binPods[bin] = binPods[bin]! + 1;
    binIds[bin]!.push(workloads[item]!.id);
  }
  const nodes: PlannedNode[] = [];
  let downsized = 0;
  for (let bin = 0; bin < best.binCount; bin++) {
    const offer =
      allowed.find(
        (o) =>
          o.allocatableCpuMillicores >= binCpu[bin]! &&
          o.allocatableMemoryMib >= binMemory[bin]! &&
          o.maxPods >= binPods[bin]!,
      ) ?? best.offer;
    if (offer !== best.offer && offer.hourlyUsd < best.offer.hourlyUsd) downsized++;
    nodes.push({
      offer: publicOffer(offer),
      workloadIds: binIds[bin]!,
      usedCpuMillicores: binCpu[bin]!,
      usedMemoryMib: binMemory[bin]!,
    });
  }
  const pools = poolsOf(
    nodes.map((node) => ({ instanceType: node.offer.instanceType, purchase: node.offer.purchase, count: 1 })),
    catalogue,
    hours,
  );
  const nodesMonthly = tidy(pools.reduce((sum, pool) => sum + pool.monthlyCostUsd, 0));
  explanation.push(
    `Nodes: ${nodes.length}, ${downsized} bought as a cheaper type that still holds its workloads; ${pools
      .map((pool) => `${pool.count} × ${pool.instanceType} ${pool.purchase} ($${pool.hourlyUsd}/h)`)
      .join(", ")} = $${nodesMonthly} a month at ${hours} h (computeCost).`,
  );
  if (nodes.length === 1) {
    risks.push({
      kind: "single-node",
      message: `Every workload is on one ${nodes[0]!.offer.instanceType}: losing it stops them all until a replacement starts.`,
    });
  }
  const spotPools = pools.filter((pool) => pool.purchase === "spot");
  if (spotPools.length > 0) {
    risks.push({
      kind: "spot-interruption",
      message: `${spotPools.reduce((s, p) => s + p.count, 0)} spot nodes can be reclaimed at two minutes' notice (${spotPools
        .map(
          (p) =>
            `${p.instanceType}: ${prices.instanceTypes[p.instanceType]!.spotInterruption ?? "band unknown"}`,
        )
        .join(
          ", ",
        )} interrupted in the Spot Instance Advisor's trailing month); the spot prices are a catalogue snapshot.`,
    });
  }

  const burstablePools = pools.filter(
    (pool) => prices.instanceTypes[pool.instanceType]!.category === "burstable",
  );
  if (burstablePools.length > 0) {
    risks.push({
      kind: "burstable",
      message: `${burstablePools.map((pool) => `${pool.count} × ${pool.instanceType}`).join(", ")} ${
        burstablePools.length === 1 && burstablePools[0]!.count === 1 ? "is" : "are"
      } burstable: a T instance earns CPU credits at a baseline below its vCPUs; sustained use above it is throttled (standard mode) or billed as surplus credits (unlimited mode), which this price leaves out. Exclude the category (options.categories) for steady load.`,
    });
  }

  // Current fleet.
  let current: InstanceRecommendation["current"] = null;
  let currentNodesMonthly = 0;
  if (resolved.current !== undefined) {
    resolved.current.forEach((line, index) => {
      if (!Object.hasOwn(prices.instanceTypes, line.instanceType)) {
        throw new EnisError(
          "UNKNOWN_INSTANCE_TYPE",
          `options.current[${index}].instanceType must be an instance type of the ${prices.provider} ${prices.region} catalogue, got ${describeValue(line.instanceType)}`,
          { field: `options.current[${index}].instanceType` },
        );
      }
    });
    const currentPools = poolsOf(
      resolved.current.map((line) => ({
        instanceType: line.instanceType,
        purchase: line.purchase ?? "on-demand",
        count: line.count,
      })),
      catalogue,
      hours,
    );
    current = { pools: currentPools };
    currentNodesMonthly = tidy(currentPools.reduce((sum, pool) => sum + pool.monthlyCostUsd, 0));
    explanation.push(`Current fleet: $${currentNodesMonthly} a month.`);
    const architectureOf = (name: string) => prices.instanceTypes[name]!.architecture;
    const today = new Set(currentPools.map((pool) => architectureOf(pool.instanceType)));
    const moved = [...new Set(pools.map((pool) => architectureOf(pool.instanceType)))].filter(
      (architecture) => !today.has(architecture),
    );
    if (moved.length > 0) {
      risks.push({
        kind: "architecture-change",
        message: `Today's nodes are ${[...today].join(" and ")}; the plan runs workloads on ${moved.join(" and ")} (${pools
          .filter((pool) => moved.includes(architectureOf(pool.instanceType)))
          .map((pool) => pool.instanceType)
          .join(
            ", ",
          )}): their images and native dependencies must be built for it (or limit options.architectures).`,
      });
    }
  }

  // 4. Cache.
  const cache = resolved.cache === undefined ? null : sizeCache(resolved, prices, hours, explanation, risks);

  // 5. Totals, savings, steps.
  const costAfterUsd = tidy(nodesMonthly + (cache?.recommended.monthlyCostUsd ?? 0));
  let costBeforeUsd: number | null = null;
  let savings: InstanceRecommendation["savings"] = null;
  if (current !== null) {
    costBeforeUsd = tidy(currentNodesMonthly + (cache?.current?.monthlyCostUsd ?? 0));
    savings = planSavings(costBeforeUsd, costAfterUsd);
    explanation.push(
      `Savings: $${costBeforeUsd} − $${costAfterUsd} = $${savings.usd} a month${
        savings.percent === null ? "" : ` (${savings.percent}%)`
      }${cache !== null && cache.current === null ? "; today's cache is not priced (no currentSizeGib)" : ""}.`,
    );
    if (savings.usd < 0) {
      risks.push({
        kind: "cost-increase",
        message: `The plan costs $${-savings.usd} a month more than today: today's fleet does not hold the workloads with ${fmt(headroom.fraction)} headroom at a lower price.`,
      });
    }
  }
  const steps = planSteps(pools, current?.pools ?? [], n, cache);

  return {
    headroom,
    hoursPerMonth: hours,
    candidates: candidates.map(publicOffer),
    excluded,
    baseOffer: publicOffer(best.offer),
    nodes,
    pools,
    current,
    cache,
    costBeforeUsd,
    costAfterUsd,
    period: "month",
    savings,
    steps,
    risks,
    explanation,
  };
}

/** The catalogue to price with, checked (computeCost refuses one @enis/cost-model did not build). */
function resolveCatalogue(catalogue: PricingCatalogue | undefined): PricingCatalogue {
  const prices = catalogue ?? defaultAwsCatalogue;
  if (typeof prices !== "object" || prices === null || typeof prices.instanceTypes !== "object") {
    throw invalidField("catalogue", catalogue, "a pricing catalogue (loadCatalogue or defaultAwsCatalogue)");
  }
  const names = Object.keys(prices.instanceTypes);
  if (names.length === 0) {
    throw invalidField("catalogue.instanceTypes", prices.instanceTypes, "a non-empty set of instance types");
  }
  computeCost({ instanceType: names[0]!, hours: 0 }, catalogue);
  return prices;
}

function checkDuplicateIds(resolved: Resolved): void {
  const seen = new Map<string, number>();
  resolved.workloads.forEach((workload, index) => {
    const first = seen.get(workload.id);
    if (first !== undefined) {
      throw new EnisError(
        "DUPLICATE_ID",
        `options.workloads[${index}].id must be unique, got ${describeValue(workload.id)} (also options.workloads[${first}].id)`,
        { field: `options.workloads[${index}].id` },
      );
    }
    seen.set(workload.id, index);
  });
}

/** The headroom policy applied to the state. */
function headroomOf(resolved: Resolved): HeadroomFigures {
  const given = resolved.headroomPolicy ?? {};
  const policy = {
    base: given.base ?? defaultHeadroom.base,
    complexityWeight: given.complexityWeight ?? defaultHeadroom.complexityWeight,
    velocityWeight: given.velocityWeight ?? defaultHeadroom.velocityWeight,
    velocityHalfPerHour: given.velocityHalfPerHour ?? defaultHeadroom.velocityHalfPerHour,
  };
  const complexity = resolved.state?.complexity ?? 0;
  const velocity = resolved.state?.velocityPerHour ?? 0;
  const fromComplexity = tidy(complexity * policy.complexityWeight);
  const fromVelocity = tidy((velocity / (velocity + policy.velocityHalfPerHour)) * policy.velocityWeight);
  return {
    fraction: tidy(policy.base + fromComplexity + fromVelocity),
    base: policy.base,
    fromComplexity,
    fromVelocity,
  };
}

/** Karpenter's exotic rule (GPUs or accelerators, metal sizes), with the catalogue's words. */
function isExotic(spec: InstanceTypeSpec): boolean {
  return spec.gpus > 0 || spec.category === "gpu" || spec.name.includes("metal");
}

/** Step 2: the allowed offers (cheapest first), the candidates that hold every workload, and the exclusions. */
function select(
  resolved: Resolved,
  prices: PricingCatalogue,
  cpu: Float64Array,
  memory: Float64Array,
  maxCpu: number,
  maxMemory: number,
): {
  allowed: Offer[];
  candidates: Offer[];
  excluded: ExcludedInstance[];
  fellBack: boolean;
  maxNodeVcpus: number;
} {
  const capacityTypes: readonly Capacity[] = resolved.capacityTypes ?? ["on-demand"];
  const architectures = new Set(resolved.architectures ?? ["x86_64", "arm64"]);
  const categories = resolved.categories === undefined ? null : new Set(resolved.categories);
  const maxNodeVcpus = resolved.maxNodeVcpus ?? defaultMaxNodeVcpus;
  const maxPods = resolved.maxPodsPerNode ?? defaultMaxPods;
  const overhead = resolved.nodeOverhead ?? "karpenter";
  const allowExotic = resolved.allowExotic ?? false;

  const regular: Offer[] = [];
  const irregular: Offer[] = [];
  const excludedTypes: { name: string; reason: InstanceExclusion }[] = [];
  for (const name of Object.keys(prices.instanceTypes).sort()) {
    const spec = prices.instanceTypes[name]!;
    if (!architectures.has(spec.architecture)) {
      excludedTypes.push({ name, reason: "architecture" });
      continue;
    }
    if (categories !== null && !categories.has(spec.category)) {
      excludedTypes.push({ name, reason: "category" });
      continue;
    }
    const unusual: InstanceExclusion | null = allowExotic
      ? null
      : isExotic(spec)
        ? "exotic"
        : spec.vcpus > maxNodeVcpus
          ? "too-large"
          : null;
    const capacity = allocatable(spec.vcpus, spec.memoryGib, spec.architecture, maxPods, overhead);
    if (capacity.cpuMillicores <= 0 || capacity.memoryMib <= 0) {
      // Kubernetes and the hypervisor take the whole node (t4g.micro: 1 GiB, 1,465 MiB kube-reserved).
      excludedTypes.push({ name, reason: "too-small" });
      continue;
    }
    for (const purchase of capacityTypes) {
      const offer: Offer = {
        instanceType: name,
        purchase,
        hourlyUsd: purchase === "spot" ? spec.spotHourlyUsd : spec.onDemandHourlyUsd,
        vcpus: spec.vcpus,
        memoryGib: spec.memoryGib,
        allocatableCpuMillicores: capacity.cpuMillicores,
        allocatableMemoryMib: capacity.memoryMib,
        maxPods,
        spotInterruption: purchase === "spot" ? (spec.spotInterruption ?? null) : null,
        spec,
      };
      (unusual === null ? regular : irregular).push(offer);
    }
    if (unusual !== null) excludedTypes.push({ name, reason: unusual });
  }
  const fits = (offer: Offer, c: number, m: number) =>
    offer.allocatableCpuMillicores >= c && offer.allocatableMemoryMib >= m && offer.maxPods >= 1;

  // Karpenter's exotic filter keeps exotic types when nothing else is left; here, per workload.
  let allowed = regular;
  let fellBack = false;
  for (let i = 0; i < cpu.length; i++) {
    if (allowed.some((offer) => fits(offer, cpu[i]!, memory[i]!))) continue;
    if (!fellBack && irregular.some((offer) => fits(offer, cpu[i]!, memory[i]!))) {
      fellBack = true;
      allowed = [...regular, ...irregular];
      continue;
    }
    throw new EnisError(
      "INFEASIBLE",
      `options.workloads[${i}] must fit some allowed instance type, got ${describeValue(resolved.workloads[i])} (${cpu[i]} millicores and ${memory[i]} MiB with headroom; the largest allowed allocatable is ${Math.max(0, ...allowed.concat(irregular).map((o) => o.allocatableCpuMillicores))} millicores and ${Math.max(0, ...allowed.concat(irregular).map((o) => o.allocatableMemoryMib))} MiB)`,
      { field: `options.workloads[${i}]` },
    );
  }
  const excludedNames = new Set(
    excludedTypes
      .filter((e) => !fellBack || (e.reason !== "exotic" && e.reason !== "too-large"))
      .map((e) => e.name),
  );
  const excluded: ExcludedInstance[] = excludedTypes
    .filter((e) => excludedNames.has(e.name))
    .map((e) => ({ instanceType: e.name, purchase: null, reason: e.reason }));

  allowed = [...allowed].sort(byPrice);
  let candidates = allowed.filter((offer) => fits(offer, maxCpu, maxMemory));
  for (const offer of allowed) {
    if (!fits(offer, maxCpu, maxMemory) && offer.purchase === capacityTypes[0]) {
      excluded.push({ instanceType: offer.instanceType, purchase: null, reason: "too-small" });
    }
  }
  if (candidates.length === 0) {
    throw new EnisError(
      "INFEASIBLE",
      `options.workloads must fit together on some one allowed instance type, got the largest CPU ${maxCpu} millicores and the largest memory ${maxMemory} MiB (with headroom) on different workloads, no allowed type holding both`,
      { field: "options.workloads" },
    );
  }
  // Karpenter's SpotOfferingFilter: only when both capacity types are allowed.
  if (capacityTypes.includes("spot") && capacityTypes.includes("on-demand")) {
    const cheapestOnDemand = Math.min(
      ...candidates.filter((o) => o.purchase === "on-demand").map((o) => o.hourlyUsd),
    );
    candidates = candidates.filter((offer) => {
      if (offer.purchase === "spot" && offer.hourlyUsd > cheapestOnDemand) {
        excluded.push({
          instanceType: offer.instanceType,
          purchase: "spot",
          reason: "spot-pricier-than-on-demand",
        });
        return false;
      }
      return true;
    });
  }
  return { allowed, candidates, excluded, fellBack, maxNodeVcpus };
}

function byName(a: InstanceOffer, b: InstanceOffer): number {
  return a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : 0;
}

/** Cheapest first; ties by name, on-demand before spot. */
function byPrice(a: InstanceOffer, b: InstanceOffer): number {
  return (
    a.hourlyUsd - b.hourlyUsd ||
    byName(a, b) ||
    (a.purchase === b.purchase ? 0 : a.purchase === "on-demand" ? -1 : 1)
  );
}

function publicOffer(offer: Offer | InstanceOffer): InstanceOffer {
  return {
    instanceType: offer.instanceType,
    purchase: offer.purchase,
    hourlyUsd: offer.hourlyUsd,
    vcpus: offer.vcpus,
    memoryGib: offer.memoryGib,
    allocatableCpuMillicores: offer.allocatableCpuMillicores,
    allocatableMemoryMib: offer.allocatableMemoryMib,
    maxPods: offer.maxPods,
    spotInterruption: offer.spotInterruption,
  };
}

/** Nodes grouped by type and purchase, priced by computeCost; most expensive pool first. */
function poolsOf(
  lines: readonly { instanceType: string; purchase: PurchaseOption; count: number }[],
  catalogue: PricingCatalogue | undefined,
  hours: number,
): NodePool[] {
  const counts = new Map<string, { instanceType: string; purchase: PurchaseOption; count: number }>();
  for (const line of lines) {
    if (line.count === 0) continue;
    const key = `${line.instanceType}\u0000${line.purchase}`;
    const known = counts.get(key);
    if (known === undefined) counts.set(key, { ...line });
    else known.count += line.count;
  }
  return [...counts.values()]
    .map(({ instanceType, purchase, count }) => {
      const cost = computeCost({ instanceType, purchase, hours, count }, catalogue);
      return {
        instanceType,
        purchase,
        count,
        hourlyUsd: cost.hourlyUsd,
        monthlyCostUsd: tidy(cost.costUsd),
        provenance: cost.provenance,
      };
    })
    .sort(
      (a, b) =>
        b.monthlyCostUsd - a.monthlyCostUsd ||
        (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : 0) ||
        (a.purchase < b.purchase ? -1 : a.purchase > b.purchase ? 1 : 0),
    );
}

/** Step 4: the cache size and its price. */
function sizeCache(
  resolved: Resolved,
  prices: PricingCatalogue,
  hours: number,
  explanation: string[],
  risks: InstanceRisk[],
): CacheRecommendation {
  const options = resolved.cache!;
  const target = options.targetHitRate ?? defaultTargetHitRate;
  const usableFraction = options.usableMemoryFraction ?? defaultUsableMemoryFraction;
  if (options.missCostUsd !== undefined && options.requestsPerHour === undefined) {
    throw invalidField(
      "options.cache.requestsPerHour",
      undefined,
      "the cache requests per hour when options.cache.missCostUsd is given",
    );
  }
  if (options.requestsPerHour !== undefined && options.missCostUsd === undefined) {
    throw invalidField(
      "options.cache.missCostUsd",
      undefined,
      "the cost of one miss when options.cache.requestsPerHour is given",
    );
  }
  if (options.missCostUsd !== undefined && options.curve === undefined) {
    throw invalidField(
      "options.cache.curve",
      undefined,
      "a hit-rate curve when options.cache.missCostUsd is given (the cost-optimal size needs the hit rate at every size)",
    );
  }
  if (options.hourlyUsdPerGib !== undefined && options.usableMemoryFraction !== undefined) {
    throw invalidField(
      "options.cache.usableMemoryFraction",
      options.usableMemoryFraction,
      "absent when options.cache.hourlyUsdPerGib is given (a per-GiB price has no nodes)",
    );
  }
  let curve: ReturnType<typeof normaliseCurve> | null = null;
  if (options.curve !== undefined) {
    curve = normaliseCurve(options.curve);
    for (let k = 1; k < curve.length; k++) {
      const index = options.curve.indexOf(curve[k]!);
      if (curve[k]!.sizeGib === curve[k - 1]!.sizeGib) {
        throw invalidField(
          `options.cache.curve[${index}].sizeGib`,
          curve[k]!.sizeGib,
          "a size no other point of the curve has",
        );
      }
      if (curve[k]!.hitRate < curve[k - 1]!.hitRate) {
        throw invalidField(
          `options.cache.curve[${index}].hitRate`,
          curve[k]!.hitRate,
          `at least ${curve[k - 1]!.hitRate}, the hit rate of the next smaller size (a hit-rate curve is non-decreasing in size)`,
        );
      }
    }
  }

  // Cache nodes: memory-optimised on-demand types, else any regular type, of the allowed architectures.
  const architectures = new Set(resolved.architectures ?? ["x86_64", "arm64"]);
  const pool = Object.values(prices.instanceTypes)
    .filter((spec) => architectures.has(spec.architecture) && !isExotic(spec))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const memoryTypes = pool.filter((spec) => spec.category === "memory");
  const nodeTypes = (memoryTypes.length > 0 ? memoryTypes : pool).map((spec) => ({
    spec,
    usableGib: spec.memoryGib * usableFraction,
  }));
  if (options.hourlyUsdPerGib === undefined && nodeTypes.length === 0) {
    throw new EnisError(
      "INFEASIBLE",
      "options.cache must be held by some instance type of the allowed architectures, got none in the catalogue",
      { field: "options.cache" },
    );
  }
  /** Cache cost of `sizeGib` a month, and the nodes holding it. */
  const price = (sizeGib: number): { monthly: number; nodes: CacheFigures["nodes"] } => {
    if (sizeGib <= 0) return { monthly: 0, nodes: null };
    if (options.hourlyUsdPerGib !== undefined) {
      return { monthly: tidy(sizeGib * options.hourlyUsdPerGib * hours), nodes: null };
    }
    let bestNodes: { spec: InstanceTypeSpec; count: number } | undefined;
    let bestHourly = Number.POSITIVE_INFINITY;
    for (const { spec, usableGib } of nodeTypes) {
      const count = Math.ceil(tidy(sizeGib / usableGib));
      const hourly = count * spec.onDemandHourlyUsd;
      if (hourly < bestHourly) {
        bestHourly = hourly;
        bestNodes = { spec, count };
      }
    }
    const cost = computeCost({ instanceType: bestNodes!.spec.name, hours, count: bestNodes!.count }, prices);
    return {
      monthly: tidy(cost.costUsd),
      nodes: { instanceType: bestNodes!.spec.name, count: bestNodes!.count, hourlyUsd: cost.hourlyUsd },
    };
  };
  const missMonthly = (hitRate: number): number | null =>
    options.missCostUsd === undefined
      ? null
      : tidy((1 - hitRate) * options.requestsPerHour! * hours * options.missCostUsd);
  const figures = (sizeGib: number, hitRate: number | null): CacheFigures => {
    const priced = price(sizeGib);
    return {
      sizeGib: tidy(sizeGib),
      hitRate: hitRate === null ? null : tidy(hitRate),
      nodes: priced.nodes,
      monthlyCostUsd: priced.monthly,
      missMonthlyCostUsd: hitRate === null ? null : missMonthly(hitRate),
    };
  };

  const current =
    options.currentSizeGib === undefined ? null : figures(options.currentSizeGib, options.hitRate);
  let basis: CacheRecommendation["basis"];
  let recommended: CacheFigures;
  if (curve === null) {
    basis = "working-set";
    recommended = figures(options.workingSetGib, null);
    risks.push({
      kind: "cache-no-curve",
      message: `No hit-rate curve: the cache is sized to the whole working set, ${options.workingSetGib} GiB, which holds everything that is reused but may be more than the target hit rate ${target} needs.`,
    });
    explanation.push(
      `Cache: no hit-rate curve, so the working set, ${options.workingSetGib} GiB (observed hit rate ${options.hitRate}); $${recommended.monthlyCostUsd} a month.`,
    );
  } else if (options.missCostUsd !== undefined) {
    basis = "cost-optimal";
    // Cache cost is a step function of size (whole nodes) and miss cost falls with size, so the
    // optimum is at the right end of a step (a whole number of nodes, full) or at a curve point.
    const maxSize = curve[curve.length - 1]!.sizeGib;
    const sizes = new Set<number>(curve.map((p) => p.sizeGib));
    if (options.hourlyUsdPerGib === undefined) {
      for (const { usableGib } of nodeTypes) {
        for (let k = 1; k * usableGib < maxSize; k++) sizes.add(tidy(k * usableGib));
      }
    }
    let bestSize = 0;
    let bestTotal = Number.POSITIVE_INFINITY;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const total = price(size).monthly + missMonthly(hitRateAt(curve, size))!;
      if (total < bestTotal - 1e-9) {
        bestTotal = total;
        bestSize = size;
      }
    }
    recommended = figures(bestSize, hitRateAt(curve, bestSize));
    explanation.push(
      `Cache: the size with the least cache + miss cost over ${sizes.size} candidate sizes (curve points and whole nodes): ${recommended.sizeGib} GiB, hit rate ${recommended.hitRate}, $${recommended.monthlyCostUsd} cache + $${recommended.missMonthlyCostUsd} misses (${options.requestsPerHour}/h × ${hours} h × $${options.missCostUsd}) a month.`,
    );
  } else {
    const size = smallestSizeFor(curve, target);
    if (size === null) {
      basis = "target-unreachable";
      const top = smallestSizeAtMaximum(curve);
      recommended = figures(top, hitRateAt(curve, top));
      risks.push({
        kind: "cache-target-unreachable",
        message: `The hit-rate curve tops out at ${recommended.hitRate} (${recommended.sizeGib} GiB), below the target ${target}: no size reaches it.`,
      });
    } else {
      basis = "target";
      recommended = figures(size, hitRateAt(curve, size));
    }
    explanation.push(
      `Cache: the smallest size at which the curve (linear between its ${curve.length} points) reaches ${basis === "target" ? `the target hit rate ${target}` : `its highest hit rate (target ${target} unreachable)`}: ${recommended.sizeGib} GiB, $${recommended.monthlyCostUsd} a month${
        recommended.nodes === null
          ? ""
          : ` (${recommended.nodes.count} × ${recommended.nodes.instanceType}, ${usableFraction} of memory usable)`
      }.`,
    );
  }
  return { basis, targetHitRate: target, current, recommended };
}

/** Step 5: launch, move, drain, then the cache. */
function planSteps(
  recommended: readonly NodePool[],
  current: readonly NodePool[],
  workloadCount: number,
  cache: CacheRecommendation | null,
): PlanStep[] {
  const steps: Omit<PlanStep, "order">[] = [];
  const key = (pool: NodePool) => `${pool.instanceType}\u0000${pool.purchase}`;
  const before = new Map(current.map((pool) => [key(pool), pool]));
  const after = new Map(recommended.map((pool) => [key(pool), pool]));
  const perNode = (pool: NodePool) => pool.monthlyCostUsd / pool.count;
  for (const pool of recommended) {
    const had = before.get(key(pool))?.count ?? 0;
    if (pool.count > had) {
      const count = pool.count - had;
      steps.push({
        action: "launch-nodes",
        instanceType: pool.instanceType,
        purchase: pool.purchase,
        count,
        monthlyCostDeltaUsd: tidy(perNode(pool) * count),
        reason: `${count} × ${pool.instanceType} ${pool.purchase} at $${pool.hourlyUsd}/h${had > 0 ? ` (${had} already running)` : ""}: the packing needs ${pool.count}.`,
      });
    }
  }
  const launches = steps.length;
  const drains: Omit<PlanStep, "order">[] = [];
  for (const pool of current) {
    const keep = after.get(key(pool))?.count ?? 0;
    if (pool.count > keep) {
      const count = pool.count - keep;
      drains.push({
        action: "drain-nodes",
        instanceType: pool.instanceType,
        purchase: pool.purchase,
        count,
        monthlyCostDeltaUsd: tidy(-perNode(pool) * count),
        reason: `${count} × ${pool.instanceType} ${pool.purchase} no longer needed${keep > 0 ? ` (${keep} kept)` : ""}: cordon, drain, terminate after the workloads have moved.`,
      });
    }
  }
  if (launches > 0 || drains.length > 0) {
    steps.push({
      action: "move-workloads",
      instanceType: null,
      purchase: null,
      count: workloadCount,
      monthlyCostDeltaUsd: 0,
      reason:
        "Reschedule the workloads onto the nodes of the packing (each node lists its workloads) before draining any node: make before break.",
    });
  }
  steps.push(...drains);
  if (cache !== null) {
    const delta = tidy(cache.recommended.monthlyCostUsd - (cache.current?.monthlyCostUsd ?? 0));
    if (cache.current === null || cache.current.sizeGib !== cache.recommended.sizeGib) {
      steps.push({
        action: "resize-cache",
        instanceType: cache.recommended.nodes?.instanceType ?? null,
        purchase: cache.recommended.nodes === null ? null : "on-demand",
        count: cache.recommended.nodes?.count ?? 0,
        monthlyCostDeltaUsd: delta,
        reason: `Cache ${cache.current === null ? "of" : `from ${cache.current.sizeGib} GiB to`} ${cache.recommended.sizeGib} GiB (${cache.basis}${
          cache.recommended.hitRate === null ? "" : `, hit rate ${cache.recommended.hitRate}`
        }).`,
      });
    }
  }
  return steps.map((step, index) => ({ order: index + 1, ...step }));
}

/** `value` to 12 significant digits: the last bits of a double are not a figure. */
function tidy(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(12));
}

function fmt(value: number): string {
  return String(tidy(value));
}
