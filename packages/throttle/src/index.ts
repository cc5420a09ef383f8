export type {
  AdaptiveThrottleInput,
  AdaptiveThrottleRate,
  ThrottleFactorWeights,
} from "./adaptive-throttle.js";
export { adaptiveThrottleRate, defaultThrottleFactorWeights } from "./adaptive-throttle.js";
export type {
  Algorithm,
  Evaluation,
  HeldLease,
  LeaseEvaluation,
  LimitOutcome,
  RateLimitSpec,
} from "./algorithms/index.js";
export { algorithmNames, evaluate, evaluateLease, refund, releaseLease } from "./algorithms/index.js";
export type {
  AcquireOptions,
  AcquireOutcome,
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  Lease,
} from "./concurrency-limiter.js";
export { createConcurrencyLimiter } from "./concurrency-limiter.js";
export type { GraduatedThrottle, GraduatedThrottleInput, ThrottleSeverity } from "./graduated-throttle.js";
export { graduatedThrottle, severityFactors } from "./graduated-throttle.js";
export type {
  RateLimitHeaderAllowance,
  RateLimitHeaderDecision,
  RateLimitHeaderEntry,
  RateLimitHeaders,
  RateLimitPolicy,
  RateLimitQuotaUnit,
} from "./http-headers.js";
export { rateLimitHeaders } from "./http-headers.js";
export type { MemoryStore, MemoryStoreOptions } from "./memory-store.js";
export { createMemoryStore } from "./memory-store.js";
export { createQuotaManager } from "./quota/manager.js";
export type {
  DimensionLimit,
  GaugeDimension,
  InProcessQuotaManager,
  LevelLimits,
  QuotaCheckOptions,
  QuotaDecision,
  QuotaLease,
  QuotaLevel,
  QuotaManager,
  QuotaManagerOptions,
  QuotaPath,
  QuotaRefusal,
  QuotaWarning,
  RateDimension,
} from "./quota/types.js";
export type {
  Allowance,
  Decision,
  InProcessRateLimiter,
  LimitCallOptions,
  RateLimiter,
  RateLimiterOptions,
  TimeCallOptions,
} from "./rate-limiter.js";
export { createRateLimiter } from "./rate-limiter.js";
export type { ResilientStoreOptions, UnavailablePolicy } from "./resilient-store.js";
export { createResilientStore } from "./resilient-store.js";
export type {
  ApplyOptions,
  BatchOutcome,
  InProcessStore,
  LeaseRule,
  RateRule,
  RuleOutcome,
  StoreRule,
  ThrottleStore,
} from "./store.js";
export { partitionKey, partitionOf } from "./store.js";
