export type { PlanPeriod, PlanSavings } from "../plan.js";
export { optimizeWorkflow } from "./optimize-workflow.js";
export type {
  OptimizeWorkflowOptions,
  ScheduledWorkflowStep,
  WorkflowAutoscalingConfig,
  WorkflowCapacity,
  WorkflowCost,
  WorkflowHourlyForecast,
  WorkflowInterruption,
  WorkflowOptimality,
  WorkflowPlan,
  WorkflowPriceForecast,
  WorkflowPurchase,
  WorkflowRisk,
  WorkflowRiskKind,
  WorkflowRolloutPhase,
  WorkflowSavings,
  WorkflowSchedule,
  WorkflowScheduledAction,
  WorkflowStep,
  WorkflowStepKind,
} from "./types.js";
