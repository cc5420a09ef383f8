import type { PriceProvenance, SpotInterruptionBand } from "@enis/cost-model";
import type { ForecastInterval } from "@enis/forecast";
import type { PlanSavings } from "../plan.js";

/**
 * What a step of the workflow is. The kind shapes the autoscaling configuration only (a batch step
 * holds a fixed number of instances while it runs; a stream or API step may scale between
 * `instances` and `maxInstances`); every kind is scheduled the same way.
 */
export type WorkflowStepKind = "batch" | "stream" | "api";

/** How a step's instance-hours are bought in a plan. */
export type WorkflowPurchase = "on-demand" | "spot";

/** One step of the workflow DAG. Times are milliseconds from the start of the horizon (hour 0). */
export interface WorkflowStep {
  /** Unique id of the step (a non-empty string), named by `dependsOn` of later steps. */
  readonly id: string;
  readonly kind: WorkflowStepKind;
  /**
   * Ids of the steps that must finish before this one starts.
   * @default []
   */
  readonly dependsOn?: readonly string[];
  /**
   * Run time, whole ms >= 0. The step starts at a whole hour and occupies `ceil(durationMs / 1 h)`
   * hours; it is billed per second, so only `durationMs` is priced (the last hour in part).
   */
  readonly durationMs: number;
  /** The instance type it runs on, a type of the pricing catalogue (e.g. `"m5.large"`). */
  readonly instanceType: string;
  /**
   * Instances it holds while it runs, a whole number >= 1.
   * @default 1
   */
  readonly instances?: number;
  /**
   * Most instances a stream or API step may scale out to (a whole number >= `instances`); the
   * autoscaling configuration's maximum. Not for batch steps.
   * @default instances
   */
  readonly maxInstances?: number;
  /**
   * Whether the step survives losing an instance (its work is re-run from the last checkpoint on a
   * new one), so that it may run on spot capacity.
   * @default false
   */
  readonly interruptible?: boolean;
  /**
   * Interruptible steps only: work between checkpoints, whole ms > 0. An interruption loses the
   * work since the last checkpoint. Without it, an interruption re-runs the step from its start.
   */
  readonly checkpointIntervalMs?: number;
  /**
   * Earliest start, whole ms >= 0 from the horizon start; the step starts at the first whole hour at
   * or after it.
   * @default 0
   */
  readonly releaseMs?: number;
  /**
   * Latest finish, whole ms >= 0 from the horizon start: start + `durationMs` must not exceed it.
   * @default the end of the horizon (every step finishes within the horizon in any case)
   */
  readonly deadlineMs?: number;
}

/**
 * An hourly forecast: the shape of `forecast()`'s result of `@enis/forecast` (`mean` and
 * `intervals`; other fields are ignored), hour `h` of the horizon at index `h`.
 */
export interface WorkflowHourlyForecast {
  /** Point forecast per hour, at least `horizonHours` finite values. */
  readonly mean: readonly number[];
  /**
   * Prediction intervals per level (as `forecast()` returns them). The one at `options.level` gives
   * the lower and upper paths; without intervals the forecast is taken as exact (both paths are the
   * mean) and the explanation says so.
   */
  readonly intervals?: readonly ForecastInterval[];
}

/** A forecast of the hourly price of one instance type bought one way, US dollars per instance-hour. */
export interface WorkflowPriceForecast {
  readonly instanceType: string;
  readonly purchase: WorkflowPurchase;
  readonly forecast: WorkflowHourlyForecast;
}

/**
 * The capacity the workflow shares: at most `limitInstances` instances at once, of which the
 * forecast `load` (instances used by other work, per hour) is taken. A step may run in an hour
 * only when its instances fit beside the upper path of the load: `instances <= limitInstances −
 * upper(h)`.
 */
export interface WorkflowCapacity {
  /** Instances available in all, a finite number > 0. */
  readonly limitInstances: number;
  /** Forecast instances used by other work per hour, finite values >= 0. */
  readonly load: WorkflowHourlyForecast;
}

/** Options of {@link optimizeWorkflow}. */
export interface OptimizeWorkflowOptions {
  /** The workflow's steps (a DAG by `dependsOn`), at least one. */
  readonly steps: readonly WorkflowStep[];
  /** Hours in the horizon, a whole number from 1 to 8,784 (a leap year). Hour 0 starts at time 0. */
  readonly horizonHours: number;
  /**
   * Hourly price forecasts, at most one per instance type and purchase. An instance type and
   * purchase without one is priced at the catalogue's price every hour (no off-peak signal).
   * @default []
   */
  readonly prices?: readonly WorkflowPriceForecast[];
  /** Shared capacity and its load forecast. Without it, capacity does not constrain the plan. */
  readonly capacity?: WorkflowCapacity;
  /**
   * The level (percent) of the forecasts' intervals that gives the lower and upper paths; every
   * forecast with intervals must have one at this level.
   * @default 80
   */
  readonly level?: number;
  /**
   * Whether interruptible steps may be planned on spot capacity.
   * @default true
   */
  readonly allowSpot?: boolean;
  /**
   * The monthly probability (in [0, 1)) that an instance is interrupted, by Spot Instance Advisor
   * band. Overrides the defaults band by band.
   * @default each band's upper end (`"<5%"`: 0.05, `"5-10%"`: 0.10, `"10-15%"`: 0.15,
   * `"15-20%"`: 0.20), and 0.30 for the open band `">20%"` (assumed)
   */
  readonly spotInterruptionProbability?: Readonly<Partial<Record<SpotInterruptionBand, number>>>;
}

/** The interruption model of a step on spot: see {@link optimizeWorkflow}. */
export interface WorkflowInterruption {
  /** The instance type's Spot Instance Advisor band, from the catalogue. */
  readonly band: SpotInterruptionBand;
  /** Probability that an instance is interrupted within a month (730 h), as assumed for the band. */
  readonly monthlyProbability: number;
  /** The hourly interruption rate λ = −ln(1 − monthlyProbability) / 730. */
  readonly hourlyRate: number;
  /** Probability that an instance is interrupted at least once while the step runs: 1 − e^(−λ × hours). */
  readonly probabilityPerInstance: number;
  /** Expected hours of work lost and re-run per instance (expected run time − `durationMs`). */
  readonly expectedExtraHours: number;
  /** Expected run time over `durationMs`: the factor spot's instance-hours are priced at. */
  readonly costFactor: number;
}

/** One step as a plan runs it. */
export interface ScheduledWorkflowStep {
  readonly id: string;
  readonly kind: WorkflowStepKind;
  readonly instanceType: string;
  readonly instances: number;
  /** The hour it starts (0-based). */
  readonly startHour: number;
  /** Its start, ms from the horizon start (`startHour × 3,600,000`). */
  readonly startMs: number;
  /** Its finish, ms from the horizon start (`startMs + durationMs`, without interruptions). */
  readonly finishMs: number;
  readonly purchase: WorkflowPurchase;
  /** Expected cost at the mean price path, US dollars (spot: including the expected re-run work). */
  readonly costUsd: number;
  /** Of `costUsd`, the expected cost of re-run work on spot (0 on demand), US dollars. */
  readonly expectedRerunCostUsd: number;
  /** `deadlineMs − finishMs`: how late the step could finish and still meet its own deadline. */
  readonly slackMs: number;
  /** The interruption model, on spot; else null. */
  readonly interruption: WorkflowInterruption | null;
}

/** A plan's expected cost of one run priced on each path of the price forecasts, US dollars. */
export interface WorkflowCost {
  /** At the mean forecast. */
  readonly meanUsd: number;
  /** At the lower path (every price forecast at its interval's lower bound). */
  readonly lowUsd: number;
  /** At the upper path (every price forecast at its interval's upper bound). */
  readonly highUsd: number;
}

/** A schedule and its cost. */
export interface WorkflowSchedule {
  /** The steps in the order of `options.steps`. */
  readonly steps: readonly ScheduledWorkflowStep[];
  /** The schedule's expected cost of one run on each path. */
  readonly cost: WorkflowCost;
  /** The last finish, ms from the horizon start. */
  readonly makespanMs: number;
}

/**
 * Savings of a schedule against the workflow as submitted, for one run (negative: it costs more):
 * {@link PlanSavings} with its range, since the prices are forecasts.
 */
export interface WorkflowSavings extends PlanSavings {
  /** Cost before − cost after, both at the mean path, US dollars. */
  readonly usd: number;
  /** `usd` as a percentage of the cost before at the mean path; null when that is 0. */
  readonly percent: number | null;
  /** Both plans priced at the lower path, then at the upper path: the smaller difference of the two (and the mean's). */
  readonly lowUsd: number;
  /** The larger of the same three differences. */
  readonly highUsd: number;
}

/**
 * One EC2 Auto Scaling scheduled action (the members of `PutScheduledUpdateGroupAction`:
 * `ScheduledActionName`, `StartTime`, `MinSize`, `MaxSize`, `DesiredCapacity`), its time in ms
 * from the horizon start.
 */
export interface WorkflowScheduledAction {
  readonly name: string;
  readonly startTimeMs: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
}

/** How one step's capacity is provisioned: an Auto Scaling group's sizes, purchase mix and schedule. */
export interface WorkflowAutoscalingConfig {
  readonly stepId: string;
  readonly kind: WorkflowStepKind;
  readonly instanceType: string;
  readonly purchase: WorkflowPurchase;
  /** The group while the step runs: `instances` (min and desired) up to `maxInstances` (stream/API). */
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  /**
   * The group's `MixedInstancesPolicy.InstancesDistribution` members: spot above no on-demand base
   * with `"price-capacity-optimized"` allocation, or on demand only.
   */
  readonly instancesDistribution: {
    readonly onDemandBaseCapacity: number;
    readonly onDemandPercentageAboveBaseCapacity: number;
    readonly spotAllocationStrategy: "price-capacity-optimized" | null;
  };
  /** Scale out at the step's start, scale in to 0 at its finish. */
  readonly scheduledActions: readonly WorkflowScheduledAction[];
}

/** One phase of the rollout: what changes, what it costs, what to check before the next one. */
export interface WorkflowRolloutPhase {
  /** 1, 2, … */
  readonly phase: number;
  /** `"off-peak"`: the cheapest schedule on demand; `"spot"`: the full plan. */
  readonly name: "off-peak" | "spot";
  /** Ids of the steps whose start or purchase changes in this phase. */
  readonly changedSteps: readonly string[];
  /** The schedule after this phase. */
  readonly schedule: WorkflowSchedule;
  /** Savings of `schedule` against the workflow as submitted. */
  readonly savings: WorkflowSavings;
  /** What to observe before moving on, in words. */
  readonly checkBeforeNext: string;
}

/** What a platform engineer should weigh before applying the plan. */
export type WorkflowRiskKind =
  /** A step on spot may be interrupted: its expected re-run work and delay. */
  | "spot-interruption"
  /** A step on spot has less slack than the work one interruption can lose: an interruption delays the workflow. */
  | "deadline"
  /** In some hour, the workflow's own steps together exceed the headroom left by the load forecast. */
  | "capacity"
  /** The savings are not positive on every path of the forecasts. */
  | "price-uncertainty"
  /** An instance type and purchase the plan uses has no price forecast: priced flat at the catalogue's price. */
  | "flat-price";

/** One risk of the plan. */
export interface WorkflowRisk {
  readonly kind: WorkflowRiskKind;
  /** The step concerned; null for the whole plan. */
  readonly stepId: string | null;
  /** The risk in words and numbers. */
  readonly message: string;
}

/** How the plan's optimality was obtained. */
export interface WorkflowOptimality {
  /** `"min-cut"`: the time-indexed closure formulation solved exactly by maximum flow. */
  readonly method: "min-cut";
  /** The minimum: the after plan's expected cost at the mean path, US dollars. */
  readonly objectiveUsd: number;
  /** Start hours considered (time-indexed variables), all steps together. */
  readonly startHoursConsidered: number;
  /** Nodes and arcs of the flow network. */
  readonly nodes: number;
  readonly arcs: number;
}

/** The plan {@link optimizeWorkflow} returns: every figure with where it comes from. */
export interface WorkflowPlan {
  readonly horizonHours: number;
  /** The interval level the lower and upper paths are read at. */
  readonly level: number;
  /** The workflow as submitted: every step as early as its dependencies allow, on demand. */
  readonly before: WorkflowSchedule;
  /** The cheapest schedule under the cost model that meets every dependency, release and deadline. */
  readonly after: WorkflowSchedule;
  /** One run as submitted at the mean path (`before.cost.meanUsd`), US dollars. */
  readonly costBeforeUsd: number;
  /** One run of the plan at the mean path (`after.cost.meanUsd`), US dollars. */
  readonly costAfterUsd: number;
  /** Always `"run"`: one execution of the workflow over the horizon. Multiply by runs a month for a monthly figure. */
  readonly period: "run";
  /** `costBeforeUsd − costAfterUsd`, with its range over the forecasts' paths (`lowUsd` … `highUsd`). */
  readonly savings: WorkflowSavings;
  /** One configuration per step, in the order of `options.steps`. */
  readonly autoscaling: readonly WorkflowAutoscalingConfig[];
  /** The phases that lead from `before` to `after` (phases that change nothing are left out). */
  readonly rollout: readonly WorkflowRolloutPhase[];
  readonly risks: readonly WorkflowRisk[];
  readonly optimality: WorkflowOptimality;
  /** The computation in words and numbers, one step a line. */
  readonly explanation: readonly string[];
  /** Where the catalogue's prices come from, per instance type and purchase used (`"m5.large/spot"`). */
  readonly provenance: Readonly<Record<string, PriceProvenance>>;
}
