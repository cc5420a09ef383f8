import { defaultAwsCatalogue } from "@enis/cost-model";
import type { OptimizeWorkflowOptions, WorkflowPurchase } from "../types.js";

const hourMs = 3_600_000;

/** The default bands' monthly probabilities, restated here so that the oracle does not import the code under test. */
const bandProbability: Record<string, number> = {
  "<5%": 0.05,
  "5-10%": 0.1,
  "10-15%": 0.15,
  "15-20%": 0.2,
  ">20%": 0.3,
};

/** A price path for one instance type and purchase, by hour. */
export function pricePath(
  options: OptimizeWorkflowOptions,
  instanceType: string,
  purchase: WorkflowPurchase,
  path: "mean" | "lower" | "upper",
): number[] {
  const given = (options.prices ?? []).find(
    (p) => p.instanceType === instanceType && p.purchase === purchase,
  );
  const spec = defaultAwsCatalogue.instanceTypes[instanceType]!;
  const flat = purchase === "spot" ? spec.spotHourlyUsd : spec.onDemandHourlyUsd;
  return Array.from({ length: options.horizonHours }, (_, h) => {
    if (given === undefined) return flat;
    if (path === "mean") return given.forecast.mean[h]!;
    const interval = given.forecast.intervals?.find((i) => i.level === (options.level ?? 80));
    if (interval === undefined) return given.forecast.mean[h]!;
    return Math.max(0, path === "lower" ? interval.lower[h]! : interval.upper[h]!);
  });
}

/** Expected run time over work time on spot, written out from the model's definition. */
export function spotFactor(band: string, workHours: number, checkpointHours: number | null): number {
  if (workHours === 0) return 1;
  const rate = -Math.log(1 - bandProbability[band]!) / 730;
  let remaining = workHours;
  let expected = 0;
  const segment = checkpointHours ?? workHours;
  while (remaining > 1e-12) {
    const c = Math.min(segment, remaining);
    expected += (Math.exp(rate * c) - 1) / rate;
    remaining -= c;
  }
  return expected / workHours;
}

/** Cost of one step started at `start` and bought `purchase`, on `path`. */
export function stepCost(
  options: OptimizeWorkflowOptions,
  index: number,
  start: number,
  purchase: WorkflowPurchase,
  path: "mean" | "lower" | "upper" = "mean",
): number {
  const step = options.steps[index]!;
  const prices = pricePath(options, step.instanceType, purchase, path);
  let cost = 0;
  for (let ms = 0, h = start; ms < step.durationMs; ms += hourMs, h++) {
    cost += prices[h]! * (Math.min(hourMs, step.durationMs - ms) / hourMs);
  }
  cost *= step.instances ?? 1;
  if (purchase === "spot") {
    const band = defaultAwsCatalogue.instanceTypes[step.instanceType]!.spotInterruption!;
    cost *= spotFactor(
      band,
      step.durationMs / hourMs,
      step.checkpointIntervalMs === undefined ? null : step.checkpointIntervalMs / hourMs,
    );
  }
  return cost;
}

/** Whether a step may start at hour `t` on its own (release, deadline, horizon, capacity). */
export function startAllowed(options: OptimizeWorkflowOptions, index: number, t: number): boolean {
  const step = options.steps[index]!;
  const finish = t * hourMs + step.durationMs;
  if (t * hourMs < (step.releaseMs ?? 0)) return false;
  if (finish > options.horizonHours * hourMs) return false;
  if (finish > (step.deadlineMs ?? Number.POSITIVE_INFINITY)) return false;
  const capacity = options.capacity;
  if (capacity !== undefined) {
    const interval = capacity.load.intervals?.find((i) => i.level === (options.level ?? 80));
    const upper = interval?.upper ?? capacity.load.mean;
    for (let h = t; h * hourMs < finish; h++) {
      if ((step.instances ?? 1) > capacity.limitInstances - upper[h]!) return false;
    }
  }
  return true;
}

/**
 * The least expected cost over every start hour of every step and every purchase of every
 * step (spot only for interruptible steps), by plain enumeration; null when no schedule is feasible.
 */
export function bruteForceMinimum(options: OptimizeWorkflowOptions): number | null {
  const steps = options.steps;
  const index = new Map(steps.map((step, i) => [step.id, i]));
  const starts = new Array<number>(steps.length).fill(-1);
  const spotEligible = steps.map(
    (step) =>
      step.interruptible === true &&
      options.allowSpot !== false &&
      defaultAwsCatalogue.instanceTypes[step.instanceType]!.spotInterruption !== undefined,
  );
  let best: number | null = null;
  const evaluate = (): void => {
    // Every purchase of every step.
    const eligible = steps.map((_, i) => i).filter((i) => spotEligible[i]);
    for (let mask = 0; mask < 1 << eligible.length; mask++) {
      const purchases: WorkflowPurchase[] = steps.map(() => "on-demand");
      eligible.forEach((i, bit) => {
        if (mask & (1 << bit)) purchases[i] = "spot";
      });
      let total = 0;
      for (let i = 0; i < steps.length; i++) total += stepCost(options, i, starts[i]!, purchases[i]!);
      if (best === null || total < best) best = total;
    }
  };
  const assign = (i: number): void => {
    if (i === steps.length) {
      // Precedence for every pair, checked on the complete assignment.
      for (let k = 0; k < steps.length; k++) {
        for (const dependency of steps[k]!.dependsOn ?? []) {
          const j = index.get(dependency)!;
          if (starts[k]! * hourMs < starts[j]! * hourMs + steps[j]!.durationMs) return;
        }
      }
      evaluate();
      return;
    }
    for (let t = 0; t < options.horizonHours; t++) {
      if (!startAllowed(options, i, t)) continue;
      // Prune with the dependencies already assigned (the rest are checked on the full assignment).
      const early = (steps[i]!.dependsOn ?? []).some((dependency) => {
        const j = index.get(dependency)!;
        return j < i && t * hourMs < starts[j]! * hourMs + steps[j]!.durationMs;
      });
      if (early) continue;
      starts[i] = t;
      assign(i + 1);
    }
  };
  assign(0);
  return best;
}
