export type { PlanPeriod, PlanSavings } from "../plan.js";
export { rightsizeLambda } from "./rightsize-lambda.js";
export type {
  LambdaBasis,
  LambdaCandidate,
  LambdaConfigurationFigures,
  LambdaCurrentConfiguration,
  LambdaExclusion,
  LambdaMeasurement,
  LambdaRightsizing,
  LambdaRisk,
  LambdaRiskKind,
  LambdaStrategy,
  RightsizeLambdaOptions,
} from "./types.js";
