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
  LambdaSavings,
  LambdaStrategy,
  RightsizeLambdaOptions,
} from "./types.js";
