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
} from "./algorithms.js";
export { evaluate, evaluateLease, refund, releaseLease } from "./algorithms.js";
export type {
  AcquireOutcome,
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  Lease,
} from "./concurrency-limiter.js";
export { createConcurrencyLimiter } from "./concurrency-limiter.js";
export type { GraduatedThrottle, GraduatedThrottleInput, ThrottleSeverity } from "./graduated-throttle.js";
export { graduatedThrottle, severityFactors } from "./graduated-throttle.js";
export type { MemoryStore, MemoryStoreOptions } from "./memory-store.js";
export { createMemoryStore } from "./memory-store.js";
export type {
  DimensionLimit,
  GaugeDimension,
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
} from "./quota-manager.js";
export { createQuotaManager } from "./quota-manager.js";
export type { Decision, LimitCallOptions, RateLimiter, RateLimiterOptions } from "./rate-limiter.js";
export { createRateLimiter, isStore, maxWindowMs, scopeKey } from "./rate-limiter.js";
export type { ResilientStoreOptions, UnavailablePolicy } from "./resilient-store.js";
export { createResilientStore } from "./resilient-store.js";
export type {
  ApplyOptions,
  BatchOutcome,
  LeaseRule,
  RateRule,
  RuleOutcome,
  StoreRule,
  ThrottleStore,
} from "./store.js";
export {
  assertApplyOptions,
  assertKeys,
  assertRules,
  assertTime,
  assertTimeOptions,
  maxTimeMs,
} from "./store.js";
export type {
  RateLimitHeaderAllowance,
  RateLimitHeaderDecision,
  RateLimitHeaderEntry,
  RateLimitHeaders,
  RateLimitPolicy,
  RateLimitQuotaUnit,
} from "./http-headers.js";
export { rateLimitHeaders } from "./http-headers.js";
