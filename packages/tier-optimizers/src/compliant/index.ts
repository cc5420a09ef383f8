export type { PlanPeriod, PlanSavings } from "../plan.js";
export type {
  DedicatedTenancyPricing,
  HardenedCostLine,
  HardenedSizing,
  HardenedWorkload,
} from "./hardened-sizing.js";
export { defaultDedicatedTenancyPricing, seedAirGapMonthlyUsd } from "./hardened-sizing.js";
export type {
  ApprovedDeployment,
  CompliantDeploymentCost,
  CompliantDeploymentPlan,
  CompliantDeploymentRisk,
  CompliantDeploymentRiskKind,
  PlanCompliantDeploymentOptions,
  RejectedDeployment,
} from "./plan-compliant-deployment.js";
export { planCompliantDeployment, seedSegmentation } from "./plan-compliant-deployment.js";
export type { ShifLevel, ShifLevelId, ShifRequirement, ShifSource } from "./shif-levels.js";
export { resolveShifLevel, shifLevelIds, shifLevels, shifRulePack } from "./shif-levels.js";
