import { EnisError } from "@enis/core";
import { describeValue, invalidField, parseOptions } from "@enis/core/validate";
import {
  defaultAwsCatalogue,
  type InstanceTypeSpec,
  instanceType as lookupInstanceType,
  type PriceProvenance,
  type PricingCatalogue,
  priceProvenance,
  type SpotInterruptionBand,
} from "@enis/cost-model";
import { z } from "zod";
import { defaultMonthlyInterruptionProbability, hoursPerMonth, interruptionModel } from "./interruption.js";
import { solveSeparableSchedule } from "./min-cut.js";
import type {
  OptimizeWorkflowOptions,
  ScheduledWorkflowStep,
  WorkflowAutoscalingConfig,
  WorkflowCost,
  WorkflowHourlyForecast,
  WorkflowInterruption,
  WorkflowPlan,
  WorkflowPurchase,
  WorkflowRisk,
  WorkflowRolloutPhase,
  WorkflowSavings,
  WorkflowSchedule,
  WorkflowStepKind,
} from "./types.js";

const hourMs = 3_600_000;
const maxHorizonHours = 8_784;
const defaultLevel = 80;

const wholeMs = z.number().int().min(0);
// Loose on purpose: a forecast() result of @enis/forecast is passed as it is (its fitted values,
// residuals and model are not read).
const forecastSchema = z.object({
  mean: z.array(z.number()),
  intervals: z
    .array(
      z.object({
        level: z.number(),
        lower: z.array(z.number()),
        upper: z.array(z.number()),
      }),
    )
    .optional(),
});
const bandProbability = z.number().min(0).lt(1);
const optionsSchema = z.strictObject({
  steps: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        kind: z.enum(["batch", "stream", "api"]),
        dependsOn: z.array(z.string()).optional(),
        durationMs: wholeMs,
        instanceType: z.string().min(1),
        instances: z.number().int().min(1).optional(),
        maxInstances: z.number().int().min(1).optional(),
        interruptible: z.boolean().optional(),
        checkpointIntervalMs: z.number().int().min(1).optional(),
        releaseMs: wholeMs.optional(),
        deadlineMs: wholeMs.optional(),
      }),
    )
    .min(1),
  horizonHours: z.number().int().min(1).max(maxHorizonHours),
  prices: z
    .array(
      z.strictObject({
        instanceType: z.string().min(1),
        purchase: z.enum(["on-demand", "spot"]),
        forecast: forecastSchema,
      }),
    )
    .optional(),
  capacity: z
    .strictObject({
      limitInstances: z.number().positive(),
      load: forecastSchema,
    })
    .optional(),
  level: z.number().gt(0).lt(100).optional(),
  allowSpot: z.boolean().optional(),
  spotInterruptionProbability: z
    .strictObject({
      "<5%": bandProbability.optional(),
      "5-10%": bandProbability.optional(),
      "10-15%": bandProbability.optional(),
      "15-20%": bandProbability.optional(),
      ">20%": bandProbability.optional(),
    })
    .optional(),
});

/** The three price paths of one instance type bought one way, USD per instance-hour, one value per hour. */
interface PricePaths {
  readonly mean: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Whether the paths come from a forecast (else: the catalogue's price every hour). */
  readonly forecast: boolean;
}

type PathName = "mean" | "lower" | "upper";
const pathNames: readonly PathName[] = ["mean", "lower", "upper"];

/** A step after validation, with everything the scheduler needs. */
interface Step {
  readonly index: number;
  readonly id: string;
  readonly kind: WorkflowStepKind;
  readonly durationMs: number;
  /** Hours occupied: ceil(durationMs / 1 h). */
  readonly slots: number;
  /** Hours billed in each occupied hour (1, …, 1, the last in part). */
  readonly usage: Float64Array;
  readonly instanceType: string;
  readonly instances: number;
  readonly maxInstances: number;
  readonly releaseHour: number;
  readonly deadlineMs: number;
  readonly checkpointIntervalMs: number | null;
  readonly predecessors: readonly number[];
  readonly successors: number[];
  readonly onDemand: PricePaths;
  /** Spot paths and interruption model when the step may run on spot; else null. */
  readonly spot: { readonly paths: PricePaths; readonly interruption: WorkflowInterruption } | null;
}

/**
 * Plans when and how each step of a workflow DAG runs so that the workflow's expected cost is the
 * least possible under the stated cost model, meeting every dependency, release and deadline:
 * an off-peak schedule on hourly price forecasts, spot capacity for interruptible steps with the
 * interruption risk priced, Auto Scaling configurations and a phased rollout.
 *
 * **Cost model.** Time is in whole hours from the horizon start; a step starts at a whole hour,
 * occupies `ceil(durationMs / 1 h)` hours and is billed per second, so its cost at start hour `t` is
 * `instances × Σ_i price(t + i) × hoursUsed_i` with the hourly price of its instance type and
 * purchase: the caller's forecast (`prices`, USD per instance-hour) or, without one, the catalogue's
 * price every hour. On spot, the cost is multiplied by the expected run time over the work time
 * (interruptions as a Poisson process with rate λ = −ln(1 − p) / 730 h from the instance type's
 * Spot Instance Advisor band, each losing the work since the last checkpoint: a segment of c hours
 * takes (e^(λc) − 1) / λ hours in expectation), the re-run hours priced at the step's own hours'
 * prices. An interruptible step is put on spot when that expected cost is below on-demand's at its
 * start hour. With `capacity`, a step may only run in hours where its instances fit beside the upper
 * path of the load forecast.
 *
 * **Optimality.** The cost of each step depends only on its start hour and purchase, so the
 * purchase is the cheaper one per start hour and the schedule minimises a separable cost under
 * precedence constraints. That problem is solved exactly as a minimum cut (the time-indexed
 * closure formulation of Möhring, Schulz, Stork and Uetz, Management Science 2003): the tests hold
 * it to brute force over every start hour and purchase on small DAGs, and to the formulation's LP
 * (integral) solved by HiGHS. Among optimal schedules, the earliest is returned.
 *
 * **Before and after.** "Before" is the workflow as submitted: every step as early as its release
 * and dependencies allow, on demand (capacity not consulted). Both plans are priced on the mean path
 * and again on the lower and upper paths of the forecasts' intervals at `level` (the same path for
 * both plans); the savings' range spans the three differences. No fixed savings factor is used.
 *
 * Pure: no I/O, no clock. Throws `EnisError`: `INVALID_OPTIONS` naming the field and value (a
 * negative or fractional duration, an unknown or self dependency, a cycle (named), a forecast
 * shorter than the horizon or without the interval level, negative prices or load, options for
 * the wrong kind of step); `DUPLICATE_ID` for two steps or two price forecasts with one key;
 * `UNKNOWN_INSTANCE_TYPE`; `INFEASIBLE` when a deadline cannot be met (the message gives the
 * earliest feasible finish) or a step fits in no hour of the horizon.
 *
 * @example
 * ```ts
 * const plan = optimizeWorkflow({
 *   horizonHours: 24,
 *   steps: [
 *     { id: "extract", kind: "batch", durationMs: 2 * 3_600_000, instanceType: "m5.large", interruptible: true },
 *     { id: "report", kind: "api", durationMs: 3_600_000, instanceType: "m5.large", dependsOn: ["extract"], deadlineMs: 24 * 3_600_000 },
 *   ],
 *   prices: [{ instanceType: "m5.large", purchase: "spot", forecast: spotForecast }], // forecast() of @enis/forecast
 * });
 * plan.after.steps[0].purchase; // "spot", in the hours spotForecast says are cheapest
 * plan.costBeforeUsd; plan.costAfterUsd; // one run (period "run"), at the mean path
 * plan.savings; // { usd, percent, lowUsd, highUsd }: both plans priced, never a savings factor
 * ```
 */
export function optimizeWorkflow(
  options: OptimizeWorkflowOptions,
  catalogue?: PricingCatalogue,
): WorkflowPlan {
  const resolved = parseOptions(optionsSchema, options, "options");
  const prices = catalogue ?? defaultAwsCatalogue;
  const horizon = resolved.horizonHours;
  const level = resolved.level ?? defaultLevel;
  const allowSpot = resolved.allowSpot ?? true;
  const explanation: string[] = [];
  const assumedProbability: Record<SpotInterruptionBand, number> = {
    ...defaultMonthlyInterruptionProbability,
  };
  for (const [band, probability] of Object.entries(resolved.spotInterruptionProbability ?? {})) {
    if (probability !== undefined) assumedProbability[band as SpotInterruptionBand] = probability;
  }

  // Price forecasts by "type/purchase".
  const forecastPaths = new Map<string, PricePaths>();
  const flooredNotes: string[] = [];
  // Forecasts without intervals: both of their paths are the mean (WorkflowHourlyForecast).
  const exactForecasts: string[] = [];
  (resolved.prices ?? []).forEach((entry, i) => {
    const field = `options.prices[${i}]`;
    specOf(prices, entry.instanceType, `${field}.instanceType`);
    const key = `${entry.instanceType}/${entry.purchase}`;
    if (forecastPaths.has(key)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `${field} must be the only forecast of ${entry.instanceType} bought ${entry.purchase}, got a second one`,
        { field },
      );
    }
    const paths = readPaths(entry.forecast, horizon, level, `${field}.forecast`, "a price");
    if (paths.floored > 0) {
      flooredNotes.push(
        `${key}: ${paths.floored} hour(s) of the lower path were below $0 and are priced at $0 (a price is not negative).`,
      );
    }
    if (paths.exact) exactForecasts.push(key);
    forecastPaths.set(key, { mean: paths.mean, lower: paths.lower, upper: paths.upper, forecast: true });
  });

  const flatPaths = new Map<string, PricePaths>();
  const pathsOf = (spec: InstanceTypeSpec, purchase: WorkflowPurchase): PricePaths => {
    const key = `${spec.name}/${purchase}`;
    const given = forecastPaths.get(key);
    if (given !== undefined) return given;
    let flat = flatPaths.get(key);
    if (flat === undefined) {
      const price = purchase === "spot" ? spec.spotHourlyUsd : spec.onDemandHourlyUsd;
      const path = new Float64Array(horizon).fill(price);
      flat = { mean: path, lower: path, upper: path, forecast: false };
      flatPaths.set(key, flat);
    }
    return flat;
  };

  // Capacity: headroom per hour beside the upper path of the load.
  let headroom: Float64Array | null = null;
  let loadExact = false;
  if (resolved.capacity !== undefined) {
    const load = readPaths(resolved.capacity.load, horizon, level, "options.capacity.load", "a load");
    loadExact = load.exact;
    headroom = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) headroom[h] = resolved.capacity.limitInstances - load.upper[h]!;
  }

  // Steps.
  const ids = new Map<string, number>();
  resolved.steps.forEach((step, i) => {
    if (ids.has(step.id)) {
      throw new EnisError(
        "DUPLICATE_ID",
        `options.steps[${i}].id must be unique, got ${JSON.stringify(step.id)} twice`,
        { field: `options.steps[${i}].id` },
      );
    }
    ids.set(step.id, i);
  });
  const horizonMs = horizon * hourMs;
  const steps: Step[] = resolved.steps.map((step, i) => {
    const field = `options.steps[${i}]`;
    const spec = specOf(prices, step.instanceType, `${field}.instanceType`);
    const instances = step.instances ?? 1;
    if (step.maxInstances !== undefined) {
      if (step.kind === "batch") {
        throw invalidField(
          `${field}.maxInstances`,
          step.maxInstances,
          'absent for a "batch" step (it holds a fixed number of instances)',
        );
      }
      if (step.maxInstances < instances) {
        throw invalidField(`${field}.maxInstances`, step.maxInstances, `at least instances (${instances})`);
      }
    }
    const interruptible = step.interruptible ?? false;
    if (step.checkpointIntervalMs !== undefined && !interruptible) {
      throw invalidField(
        `${field}.checkpointIntervalMs`,
        step.checkpointIntervalMs,
        "absent unless interruptible is true",
      );
    }
    const predecessors = (step.dependsOn ?? []).map((dependency, k) => {
      const j = ids.get(dependency);
      if (j === undefined) {
        throw invalidField(`${field}.dependsOn[${k}]`, dependency, "the id of a step of options.steps");
      }
      if (j === i)
        throw invalidField(
          `${field}.dependsOn[${k}]`,
          dependency,
          "the id of another step (not the step itself)",
        );
      return j;
    });
    const slots = Math.ceil(step.durationMs / hourMs);
    const usage = new Float64Array(slots);
    for (let s = 0; s < slots; s++) usage[s] = Math.min(hourMs, step.durationMs - s * hourMs) / hourMs;
    let spot: Step["spot"] = null;
    if (interruptible && allowSpot && spec.spotInterruption !== undefined) {
      const probability = assumedProbability[spec.spotInterruption];
      const figures = interruptionModel(
        probability,
        step.durationMs / hourMs,
        step.checkpointIntervalMs === undefined ? null : step.checkpointIntervalMs / hourMs,
      );
      spot = {
        paths: pathsOf(spec, "spot"),
        interruption: { band: spec.spotInterruption, monthlyProbability: probability, ...figures },
      };
    }
    return {
      index: i,
      id: step.id,
      kind: step.kind,
      durationMs: step.durationMs,
      slots,
      usage,
      instanceType: spec.name,
      instances,
      maxInstances: step.maxInstances ?? instances,
      releaseHour: Math.ceil((step.releaseMs ?? 0) / hourMs),
      deadlineMs: Math.min(step.deadlineMs ?? horizonMs, horizonMs),
      checkpointIntervalMs: step.checkpointIntervalMs ?? null,
      predecessors,
      successors: [],
      onDemand: pathsOf(spec, "on-demand"),
      spot,
    };
  });
  for (const step of steps) for (const j of new Set(step.predecessors)) steps[j]!.successors.push(step.index);
  const order = topologicalOrder(steps);

  // Where a step fits: its whole run inside the horizon and beside the load.
  const fits = (step: Step, t: number): boolean => {
    if (t * hourMs + step.durationMs > horizonMs) return false;
    if (headroom === null) return true;
    for (let s = 0; s < step.slots; s++) if (step.instances > headroom[t + s]!) return false;
    return true;
  };

  // Earliest starts (the componentwise earliest feasible schedule, if any is feasible).
  const earliest = new Int32Array(steps.length);
  for (const j of order) {
    const step = steps[j]!;
    let t = step.releaseHour;
    for (const i of step.predecessors) t = Math.max(t, earliest[i]! + steps[i]!.slots);
    while (t < horizon && !fits(step, t)) t++;
    if (t >= horizon || !fits(step, t)) {
      throw new EnisError(
        "INFEASIBLE",
        `options.steps[${j}] (${JSON.stringify(step.id)}) must fit in the horizon after its dependencies${
          headroom === null ? "" : " and beside the capacity's load"
        }, got no start hour from ${Math.max(step.releaseHour, 0)} to ${horizon - 1} where its ${describeValue(step.durationMs)} ms run fits`,
        { field: `options.steps[${j}]` },
      );
    }
    earliest[j] = t;
    const finish = t * hourMs + step.durationMs;
    if (finish > step.deadlineMs) {
      throw new EnisError(
        "INFEASIBLE",
        `options.steps[${j}].deadlineMs must be at least the earliest feasible finish of ${JSON.stringify(step.id)}, ${finish} ms (start hour ${t}), got ${step.deadlineMs}`,
        { field: `options.steps[${j}].deadlineMs` },
      );
    }
  }
  // Latest starts.
  const latest = new Int32Array(steps.length);
  for (let k = order.length - 1; k >= 0; k--) {
    const j = order[k]!;
    const step = steps[j]!;
    // Start hours run from 0 to horizon − 1 (a 0 ms step would otherwise get the horizon's end).
    let t = Math.min(horizon - 1, Math.floor((step.deadlineMs - step.durationMs) / hourMs));
    for (const s of step.successors) t = Math.min(t, latest[s]! - step.slots);
    while (t > earliest[j]! && !fits(step, t)) t--;
    latest[j] = t;
  }

  // Expected cost of each step at each start in its window, per path and purchase.
  const costAt = (step: Step, paths: PricePaths, path: PathName, t: number, factor: number): number => {
    const series = paths[path];
    let sum = 0;
    for (let s = 0; s < step.slots; s++) sum += series[t + s]! * step.usage[s]!;
    return sum * step.instances * factor;
  };
  const stepCost = (step: Step, purchase: WorkflowPurchase, path: PathName, t: number): number =>
    purchase === "spot" && step.spot !== null
      ? costAt(step, step.spot.paths, path, t, step.spot.interruption.costFactor)
      : costAt(step, step.onDemand, path, t, 1);

  const solve = (
    useSpot: boolean,
  ): { starts: Int32Array; purchases: WorkflowPurchase[]; nodes: number; arcs: number } => {
    const costs: Float64Array[] = [];
    const choices: WorkflowPurchase[][] = [];
    for (const step of steps) {
      const lo = earliest[step.index]!;
      const hi = latest[step.index]!;
      const row = new Float64Array(hi - lo + 1);
      const choice: WorkflowPurchase[] = new Array(hi - lo + 1);
      for (let t = lo; t <= hi; t++) {
        if (!fits(step, t)) {
          row[t - lo] = Number.POSITIVE_INFINITY;
          choice[t - lo] = "on-demand";
          continue;
        }
        const onDemand = stepCost(step, "on-demand", "mean", t);
        const spot =
          useSpot && step.spot !== null ? stepCost(step, "spot", "mean", t) : Number.POSITIVE_INFINITY;
        // Spot only when strictly cheaper in expectation: a tie keeps the step uninterrupted.
        row[t - lo] = Math.min(spot, onDemand);
        choice[t - lo] = spot < onDemand ? "spot" : "on-demand";
      }
      costs.push(row);
      choices.push(choice);
    }
    const arcs = steps.flatMap((step) =>
      [...new Set(step.predecessors)].map((i) => ({ from: i, to: step.index, lag: steps[i]!.slots })),
    );
    const solution = solveSeparableSchedule({ lo: earliest, hi: latest, cost: costs, arcs });
    if (solution === null) {
      throw new EnisError(
        "INTERNAL",
        "the minimum cut found no schedule although the earliest schedule is feasible",
      );
    }
    const purchases = steps.map(
      (step) => choices[step.index]![solution.starts[step.index]! - earliest[step.index]!]!,
    );
    return { starts: solution.starts, purchases, nodes: solution.nodes, arcs: solution.arcs };
  };

  const scheduleOf = (
    starts: ArrayLike<number>,
    purchases: readonly WorkflowPurchase[],
  ): WorkflowSchedule => {
    const scheduled: ScheduledWorkflowStep[] = [];
    const cost = { mean: 0, lower: 0, upper: 0 };
    let makespan = 0;
    for (const step of steps) {
      const t = starts[step.index]!;
      const purchase = purchases[step.index]!;
      for (const path of pathNames) cost[path] += stepCost(step, purchase, path, t);
      const startMs = t * hourMs;
      const finishMs = startMs + step.durationMs;
      makespan = Math.max(makespan, finishMs);
      let latestFinish = step.deadlineMs;
      for (const s of step.successors) latestFinish = Math.min(latestFinish, starts[s]! * hourMs);
      const onSpot = purchase === "spot" && step.spot !== null;
      const meanCost = stepCost(step, purchase, "mean", t);
      scheduled.push({
        id: step.id,
        kind: step.kind,
        instanceType: step.instanceType,
        instances: step.instances,
        startHour: t,
        startMs,
        finishMs,
        purchase,
        costUsd: meanCost,
        expectedRerunCostUsd: onSpot ? meanCost - meanCost / step.spot!.interruption.costFactor : 0,
        slackMs: latestFinish - finishMs,
        interruption: onSpot ? step.spot!.interruption : null,
      });
    }
    return {
      steps: scheduled,
      cost: { meanUsd: cost.mean, lowUsd: cost.lower, highUsd: cost.upper },
      makespanMs: makespan,
    };
  };

  // Before: as submitted, as early as possible on demand (capacity not consulted).
  const asap = new Int32Array(steps.length);
  for (const j of order) {
    let t = steps[j]!.releaseHour;
    for (const i of steps[j]!.predecessors) t = Math.max(t, asap[i]! + steps[i]!.slots);
    asap[j] = t;
  }
  const onDemandOnly: WorkflowPurchase[] = steps.map(() => "on-demand");
  const before = scheduleOf(asap, onDemandOnly);

  const offPeak = solve(false);
  const offPeakSchedule = scheduleOf(offPeak.starts, offPeak.purchases);
  const anySpot = steps.some((step) => step.spot !== null);
  const full = anySpot ? solve(true) : offPeak;
  const after = anySpot ? scheduleOf(full.starts, full.purchases) : offPeakSchedule;
  const savings = savingsOf(before.cost, after.cost);

  // Rollout: the cheapest on-demand schedule first, then spot.
  const rollout: WorkflowRolloutPhase[] = [];
  const changed = (from: WorkflowSchedule, to: WorkflowSchedule): string[] =>
    to.steps
      .filter(
        (step, j) => step.startHour !== from.steps[j]!.startHour || step.purchase !== from.steps[j]!.purchase,
      )
      .map((step) => step.id);
  let previous = before;
  for (const [name, schedule] of [
    ["off-peak", offPeakSchedule],
    ["spot", after],
  ] as const) {
    const changedSteps = changed(previous, schedule);
    if (changedSteps.length === 0) continue;
    rollout.push({
      phase: rollout.length + 1,
      name,
      changedSteps,
      schedule,
      savings: savingsOf(before.cost, schedule.cost),
      checkBeforeNext:
        name === "off-peak"
          ? "every step finishes by its deadline at its new hour, and the hourly bills match the forecast prices, for at least one full run of the workflow"
          : "the spot steps' interruptions and re-run hours stay near the expected figures in the risks, and every deadline is still met",
    });
    previous = schedule;
  }

  const autoscaling: WorkflowAutoscalingConfig[] = after.steps.map((step, j) => {
    const maxSize = steps[j]!.maxInstances;
    return {
      stepId: step.id,
      kind: step.kind,
      instanceType: step.instanceType,
      purchase: step.purchase,
      minSize: step.instances,
      maxSize,
      desiredCapacity: step.instances,
      instancesDistribution:
        step.purchase === "spot"
          ? {
              onDemandBaseCapacity: 0,
              onDemandPercentageAboveBaseCapacity: 0,
              spotAllocationStrategy: "price-capacity-optimized",
            }
          : {
              onDemandBaseCapacity: 0,
              onDemandPercentageAboveBaseCapacity: 100,
              spotAllocationStrategy: null,
            },
      scheduledActions: [
        {
          name: `${step.id}-scale-out`,
          startTimeMs: step.startMs,
          minSize: step.instances,
          maxSize,
          desiredCapacity: step.instances,
        },
        {
          name: `${step.id}-scale-in`,
          startTimeMs: step.finishMs,
          minSize: 0,
          maxSize: 0,
          desiredCapacity: 0,
        },
      ],
    };
  });

  // Risks.
  const risks: WorkflowRisk[] = [];
  for (const step of after.steps) {
    const interruption = step.interruption;
    if (interruption === null) continue;
    risks.push({
      kind: "spot-interruption",
      stepId: step.id,
      message: `${step.id} on spot ${step.instanceType} (band ${interruption.band}, assumed ${pct(interruption.monthlyProbability)} a month, λ = ${sig(interruption.hourlyRate)}/h): each of ${step.instances} instance(s) is interrupted during the run with probability ${pct(interruption.probabilityPerInstance)}; expected re-run ${sig(interruption.expectedExtraHours)} h per instance, priced in: ${usd(step.expectedRerunCostUsd)} of ${usd(step.costUsd)}.`,
    });
    // One interruption loses up to a checkpoint interval of work (the whole run without checkpoints).
    const source = steps[ids.get(step.id)!]!;
    const lostMs = Math.min(source.checkpointIntervalMs ?? source.durationMs, source.durationMs);
    if (lostMs > step.slackMs) {
      const anyInstance = -Math.expm1(
        -interruption.hourlyRate * (source.durationMs / hourMs) * step.instances,
      );
      risks.push({
        kind: "deadline",
        stepId: step.id,
        message: `${step.id} has ${sig(step.slackMs / hourMs)} h of slack before a successor's start or its deadline, less than the ${sig(lostMs / hourMs)} h of work one interruption can lose: with probability ${pct(anyInstance)} (any of its ${step.instances} instance(s) interrupted) the workflow is delayed; keep it on demand (interruptible: false) if the deadline is hard.`,
      });
    }
  }
  if (headroom !== null) {
    const over = overCapacity(after, headroom, horizon);
    if (over.hours > 0) {
      risks.push({
        kind: "capacity",
        stepId: null,
        message: `In ${over.hours} hour(s) the workflow's own steps together need more instances than the headroom beside the load's upper path (each step fits alone, steps together are not constrained); worst at hour ${over.worstHour}: ${over.worstNeed} instances for ${sig(over.worstHeadroom)}. The autoscaling maximum of the shared capacity must cover it.`,
      });
    }
  }
  if (savings.lowUsd < 0) {
    risks.push({
      kind: "price-uncertainty",
      stepId: null,
      message: `On some path of the forecasts at level ${level}%, the plan costs more than the workflow as submitted: savings from ${usd(savings.lowUsd)} to ${usd(savings.highUsd)} (mean ${usd(savings.usd)}).`,
    });
  }
  const provenance: Record<string, PriceProvenance> = {};
  const used = new Set<string>();
  for (const schedule of [before, after])
    for (const step of schedule.steps) used.add(`${step.instanceType}/${step.purchase}`);
  for (const key of [...used].sort()) {
    if (forecastPaths.has(key)) continue;
    const [type, purchase] = key.split("/") as [string, WorkflowPurchase];
    provenance[key] = priceProvenance(prices, type, purchase);
    if (
      forecastPaths.size > 0 &&
      after.steps.some((step) => `${step.instanceType}/${step.purchase}` === key)
    ) {
      risks.push({
        kind: "flat-price",
        stepId: null,
        message: `${key} has no price forecast: priced at the catalogue's ${usd(flatPaths.get(key)!.mean[0]!)} every hour, so its steps gain nothing from moving.`,
      });
    }
  }

  // Explanation.
  const spotSteps = after.steps.filter((step) => step.purchase === "spot").length;
  const moved = after.steps.filter((step, j) => step.startHour !== before.steps[j]!.startHour).length;
  explanation.push(
    `${steps.length} steps over ${horizon} hourly slots; each starts at a whole hour, occupies ceil(duration / 1 h) hours and is billed for its duration.`,
    forecastPaths.size === 0
      ? "No price forecast: every price is the catalogue's, the same every hour."
      : `Price forecasts for ${[...forecastPaths.keys()].join(", ")}; ${
          exactForecasts.length === forecastPaths.size
            ? ""
            : `lower and upper paths at the ${level}% interval${exactForecasts.length === 0 ? "" : " where one is given"}; `
        }${exactForecasts.map((key) => `${key} has no interval and is taken as exact (its lower and upper paths are its mean); `).join("")}other prices from the catalogue, flat.`,
    ...flooredNotes,
    headroom === null
      ? "No capacity limit."
      : `Capacity: ${resolved.capacity!.limitInstances} instances less the load forecast's ${loadExact ? "mean (it has no interval and is taken as exact)" : `upper path at ${level}%`}; a step runs only in hours where its instances fit.`,
    `Spot: expected cost = spot price × instance-hours × (expected run time / work time); interruptions Poisson with λ = −ln(1 − p) / ${hoursPerMonth} h, p the band's assumed monthly probability; an interruption loses the work since the last checkpoint (the whole run without checkpoints).`,
    `Before (as submitted: as early as possible, on demand): ${usd(before.cost.meanUsd)} at the mean path (${usd(before.cost.lowUsd)} lower, ${usd(before.cost.highUsd)} upper).`,
    `After (minimum expected cost, exact by minimum cut over ${full.nodes} nodes and ${full.arcs} arcs): ${usd(after.cost.meanUsd)} at the mean path (${usd(after.cost.lowUsd)} lower, ${usd(after.cost.highUsd)} upper); ${moved} step(s) moved, ${spotSteps} on spot.`,
    `Savings: ${usd(savings.usd)} a run at the mean path${savings.percent === null ? "" : ` (${sig(savings.percent)}%)`}, from ${usd(savings.lowUsd)} to ${usd(savings.highUsd)} over the paths (both plans priced on the same path; not a probability interval).`,
  );
  const beforeOver = headroom === null ? null : overCapacity(before, headroom, horizon);
  if (beforeOver !== null && beforeOver.hours > 0) {
    explanation.push(`As submitted, the workflow exceeds the headroom in ${beforeOver.hours} hour(s).`);
  }

  return {
    horizonHours: horizon,
    level,
    before,
    after,
    costBeforeUsd: before.cost.meanUsd,
    costAfterUsd: after.cost.meanUsd,
    period: "run",
    savings,
    autoscaling,
    rollout,
    risks,
    optimality: {
      method: "min-cut",
      objectiveUsd: after.cost.meanUsd,
      startHoursConsidered: steps.reduce(
        (sum, step) => sum + latest[step.index]! - earliest[step.index]! + 1,
        0,
      ),
      nodes: full.nodes,
      arcs: full.arcs,
    },
    explanation,
    provenance,
  };
}

function savingsOf(before: WorkflowCost, after: WorkflowCost): WorkflowSavings {
  const mean = before.meanUsd - after.meanUsd;
  const lower = before.lowUsd - after.lowUsd;
  const upper = before.highUsd - after.highUsd;
  return {
    usd: mean,
    percent: before.meanUsd === 0 ? null : (100 * mean) / before.meanUsd,
    lowUsd: Math.min(mean, lower, upper),
    highUsd: Math.max(mean, lower, upper),
  };
}

function overCapacity(
  schedule: WorkflowSchedule,
  headroom: Float64Array,
  horizon: number,
): { hours: number; worstHour: number; worstNeed: number; worstHeadroom: number } {
  const need = new Float64Array(horizon);
  for (const step of schedule.steps) {
    const slots = Math.ceil((step.finishMs - step.startMs) / hourMs);
    for (let s = 0; s < slots; s++) need[step.startHour + s]! += step.instances;
  }
  let hours = 0;
  let worstHour = -1;
  let worstExcess = 0;
  for (let h = 0; h < horizon; h++) {
    const excess = need[h]! - headroom[h]!;
    if (need[h]! > 0 && excess > 0) {
      hours++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worstHour = h;
      }
    }
  }
  return {
    hours,
    worstHour,
    worstNeed: worstHour < 0 ? 0 : need[worstHour]!,
    worstHeadroom: worstHour < 0 ? 0 : headroom[worstHour]!,
  };
}

/** Reads a forecast's mean and the interval at `level` for the first `horizon` hours. */
function readPaths(
  forecast: {
    readonly mean: readonly number[];
    readonly intervals?: WorkflowHourlyForecast["intervals"] | undefined;
  },
  horizon: number,
  level: number,
  field: string,
  what: string,
): { mean: Float64Array; lower: Float64Array; upper: Float64Array; floored: number; exact: boolean } {
  const check = (values: readonly number[], name: string): Float64Array => {
    if (values.length < horizon) {
      throw invalidField(
        `${field}.${name}`,
        `${values.length} values`,
        `at least horizonHours (${horizon}) values`,
      );
    }
    const out = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      const value = values[h]!;
      if (!Number.isFinite(value)) throw invalidField(`${field}.${name}[${h}]`, value, "a finite number");
      out[h] = value;
    }
    return out;
  };
  const mean = check(forecast.mean, "mean");
  for (let h = 0; h < horizon; h++) {
    if (mean[h]! < 0) throw invalidField(`${field}.mean[${h}]`, mean[h], `${what} >= 0`);
  }
  const intervals = forecast.intervals ?? [];
  if (intervals.length === 0) return { mean, lower: mean, upper: mean, floored: 0, exact: true };
  const k = intervals.findIndex((interval) => interval.level === level);
  if (k < 0) {
    throw invalidField(
      `${field}.intervals`,
      `levels ${intervals.map((interval) => interval.level).join(", ")}`,
      `an interval at options.level (${level})`,
    );
  }
  const lower = check(intervals[k]!.lower, `intervals[${k}].lower`);
  const upper = check(intervals[k]!.upper, `intervals[${k}].upper`);
  let floored = 0;
  for (let h = 0; h < horizon; h++) {
    if (lower[h]! > mean[h]! || upper[h]! < mean[h]!) {
      throw invalidField(
        `${field}.intervals[${k}]`,
        `[${lower[h]}, ${upper[h]}] at hour ${h}`,
        `an interval around the mean (${mean[h]})`,
      );
    }
    // A forecast's lower bound can dip below 0 (normal quantiles); a price or load cannot.
    if (lower[h]! < 0) {
      lower[h] = 0;
      floored++;
    }
  }
  return { mean, lower, upper, floored, exact: false };
}

function specOf(catalogue: PricingCatalogue, name: string, field: string): InstanceTypeSpec {
  try {
    return lookupInstanceType(catalogue, name);
  } catch (error) {
    if (EnisError.isInstance(error) && error.code === "UNKNOWN_INSTANCE_TYPE") {
      throw new EnisError("UNKNOWN_INSTANCE_TYPE", error.message.replace(/^instanceType/, field), {
        field,
        cause: error,
      });
    }
    throw error;
  }
}

/** Kahn's order by dependencies; a cycle is reported with its steps. */
function topologicalOrder(steps: readonly Step[]): number[] {
  const pending = steps.map((step) => new Set(step.predecessors).size);
  const queue = steps.filter((step) => pending[step.index] === 0).map((step) => step.index);
  const order: number[] = [];
  while (queue.length > 0) {
    const j = queue.shift()!;
    order.push(j);
    for (const k of steps[j]!.successors) if (--pending[k]! === 0) queue.push(k);
  }
  if (order.length === steps.length) return order;
  // Walk back along dependencies from a step left over until one repeats: that is a cycle.
  const left = new Set(steps.map((step) => step.index).filter((j) => pending[j]! > 0));
  const seen = new Map<number, number>();
  const walk: number[] = [];
  let j = left.values().next().value!;
  while (!seen.has(j)) {
    seen.set(j, walk.length);
    walk.push(j);
    j = steps[j]!.predecessors.find((i) => left.has(i))!;
  }
  const cycle = walk.slice(seen.get(j)).reverse();
  const first = Math.min(...cycle);
  const names = [...cycle, cycle[0]!].map((i) => steps[i]!.id).join(" → ");
  throw invalidField(`options.steps[${first}].dependsOn`, names, "free of cycles (a DAG)");
}

function usd(value: number): string {
  return `$${sig(value)}`;
}

function pct(value: number): string {
  return `${sig(100 * value)}%`;
}

function sig(value: number): string {
  return Number(value.toPrecision(6)).toString();
}
