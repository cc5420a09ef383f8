/**
 * `@enis/throttle/store`: what a store implementer needs beyond the port's types — the key rule,
 * the checks every store makes on its arguments, the clock-lag rule, the algorithms' building
 * blocks, and their Lua twins. Applications need none of it: they pass a store to a limiter.
 *
 * @module store
 */
export type {
  Algorithm,
  AlgorithmEvaluation,
  Evaluation,
  HeldLease,
  LeaseEvaluation,
  LimitOutcome,
  RateLimitSpec,
} from "./algorithms/index.js";
export {
  algorithmNames,
  blockedState,
  capacityOf,
  evaluate,
  evaluateLease,
  isAlgorithm,
  leaseDecision,
  leaseHeldDecision,
  refund,
  releaseLease,
  snap,
  stateLength,
  unitEpsilon,
  wholeMs,
} from "./algorithms/index.js";
export { luaAlgorithms } from "./algorithms/lua.js";
export type {
  ApplyOptions,
  BatchOutcome,
  InProcessStore,
  LeaseRule,
  RateRule,
  RuleOutcome,
  StoreRule,
  ThrottleStore,
  Timeline,
} from "./store.js";
export {
  assertApplyOptions,
  assertKey,
  assertKeys,
  assertRateRules,
  assertRules,
  assertSpec,
  assertTime,
  assertTimeOptions,
  createTimeline,
  isInProcessStore,
  isStore,
  maxClockLagMs,
  maxKeyLength,
  maxTimeMs,
  maxWindowMs,
  partitionKey,
  partitionOf,
  scopeKey,
} from "./store.js";
