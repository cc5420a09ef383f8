export type {
  FeatureMatrix,
  FittedIsolationForest,
  IsolationForest,
  IsolationForestJSON,
  IsolationForestOptions,
  ResolvedIsolationForestOptions,
} from "./isolation-forest.js";
export { averagePathLength, createIsolationForest, isolationForestFromJSON } from "./isolation-forest.js";
