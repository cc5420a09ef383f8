export { attributionRule, costCompliance } from "./cost-compliance.js";
export type { CostingAssumption } from "./defaults.js";
export { costingDefaults, hoursPerMonth } from "./defaults.js";
export type {
  SeedFrameworkMultipliers,
  SeedMultiplierComparison,
  SeedOverheadItem,
} from "./seed-multipliers.js";
export { seedMultipliers, seedPrices } from "./seed-multipliers.js";
export type {
  ComplianceCostKind,
  ComplianceCostLine,
  ComplianceCostResult,
  ComplianceResource,
  CostComplianceOptions,
  FrameworkCost,
  FrameworkLineShare,
  InstanceTypeShare,
  LinePricing,
} from "./types.js";
