export type {
  AdaptiveThrottleInput,
  AdaptiveThrottleRate,
  ThrottleFactorWeights,
} from "./adaptive-throttle.js";
export { adaptiveThrottleRate, defaultThrottleFactorWeights } from "./adaptive-throttle.js";
export type { GraduatedThrottle, GraduatedThrottleInput, ThrottleSeverity } from "./graduated-throttle.js";
export { graduatedThrottle, severityFactors } from "./graduated-throttle.js";
