export type { RiskReductionOptions, RiskReductionResult } from "./risk-reduction.js";
export { globalAverageBreachCostUsd, healthcareBreachCostUsd, riskReduction } from "./risk-reduction.js";
