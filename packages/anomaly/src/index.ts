export type {
  FeatureMatrix,
  FittedIsolationForest,
  IsolationForestJSON,
  IsolationForestOptions,
  ResolvedIsolationForestOptions,
} from "./isolation-forest.js";
export {
  averagePathLength,
  createIsolationForest,
  IsolationForest,
  isolationForestFromJSON,
} from "./isolation-forest.js";
export type {
  ExcludedTenant,
  FeatureDeviation,
  NoisyNeighbour,
  NoisyNeighbourFeature,
  NoisyNeighbourHistoryOptions,
  NoisyNeighbourOptions,
  NoisyNeighbourReport,
  NoisyNeighbourSeverity,
  TenantAggregates,
  UsageMetric,
  UsageSample,
} from "./noisy-neighbours.js";
export { detectNoisyNeighbours, noisyNeighbourFeatures } from "./noisy-neighbours.js";
export type {
  AnomalyDetector,
  AnomalyDetectorJSON,
  AnomalyDetectorOptions,
  AnomalyUpdate,
  HistogramJSON,
  ResolvedAnomalyDetectorOptions,
} from "./stream-detector.js";
export { anomalyDetectorFromJSON, createAnomalyDetector } from "./stream-detector.js";
